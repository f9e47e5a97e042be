package deployer_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/deployer"
)

// TestSecretEnvironmentMasked deploys a function with a secret-looking
// variable (issue 13 item 11): the printed plan (text and JSON) and the
// state file hold no part of its value, Lambda gets the value itself, a
// redeploy makes no mutating call, and a changed secret still updates the
// function.
func TestSecretEnvironmentMasked(t *testing.T) {
	t.Parallel()
	const secret = "xoxb-s3cr3t-v4lu3"
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	withToken := func(v string) *deployer.Project {
		p := savealife(t)
		for _, s := range p.Settings {
			s.EnvironmentVariables["SLACK_API_TOKEN"] = v
		}
		return p
	}
	plan, _, err := deploy(ctx, t, d, withToken(secret), path)
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	if err := deployer.WritePlan(&text, plan); err != nil {
		t.Fatal(err)
	}
	js, err := deployer.MarshalPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	state, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for what, out := range map[string]string{"plan": text.String(), "plan JSON": string(js), "state file": string(state)} {
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("the %s holds the secret:\n%s", what, out)
		}
		if !strings.Contains(out, "SLACK_API_TOKEN") || !strings.Contains(out, "(masked) sha256:") {
			t.Errorf("the %s does not show SLACK_API_TOKEN masked:\n%s", what, out)
		}
		if !strings.Contains(out, "savealife-donors") {
			t.Errorf("the %s masks TABLE_NAME, which is no secret:\n%s", what, out)
		}
	}
	if got := cloud.Snapshot().Functions["savealife-dev"].Environment["SLACK_API_TOKEN"]; got != secret {
		t.Errorf("Lambda has SLACK_API_TOKEN = %q, want the value", got)
	}

	cloud.ResetCalls()
	if _, _, err := deploy(ctx, t, d, withToken(secret), path); err != nil {
		t.Fatal(err)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy made mutating calls: %v", m)
	}

	plan, _, err = deploy(ctx, t, d, withToken("rotated"), path)
	if err != nil {
		t.Fatal(err)
	}
	if c := change(plan, "function:api_handler"); c.Action.String() != "update" {
		t.Errorf("a rotated token gives %q, want update", c.Action)
	}
	if got := cloud.Snapshot().Functions["savealife-dev"].Environment["SLACK_API_TOKEN"]; got != "rotated" {
		t.Errorf("Lambda has SLACK_API_TOKEN = %q after rotation", got)
	}
}
