package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDeployRefusesUnscopedResources: the dev stage of testdata/unscoped
// does not set ITEMS_TABLE, which names the table the code reads, so
// autogen_policy would allow dynamodb:GetItem on "*". deploy and package
// refuse, naming the variable, where the code reads it and the config key,
// unless --allow-unscoped-resources; prod sets it and goes ahead, with
// the Step Functions call (a service with no code of its own in
// gochalice) granted on its state machine.
func TestDeployRefusesUnscopedResources(t *testing.T) {
	noCredentials(t)
	const dir = "testdata/unscoped"
	plan := func(t *testing.T, args ...string) (stdout, stderr string, err error) {
		t.Helper()
		var out, errOut bytes.Buffer
		err = runCLI(context.Background(), &out, &errOut, append([]string{"gochalice"}, args...))
		return out.String(), errOut.String(), err
	}
	t.Run("refused", func(t *testing.T) {
		out, _, err := plan(t, "deploy", "--dry-run", "--stage", "dev", "--project-dir", dir, "--region", "us-east-1")
		if err == nil {
			t.Fatalf("deploy went ahead with a \"*\" resource:\n%s", out)
		}
		for _, want := range []string{
			"stage dev: 1 resource(s) of autogen_policy would be \"*\"",
			"testdata/unscoped/main.go:38:", "ITEMS_TABLE", "environment_variables.ITEMS_TABLE for function api_handler",
			".chalice/config.json", "--allow-unscoped-resources",
		} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error lacks %q:\n%v", want, err)
			}
		}
		if out != "" {
			t.Errorf("printed a plan despite refusing:\n%s", out)
		}
	})
	t.Run("package refused", func(t *testing.T) {
		_, _, err := plan(t, "package", "--stage", "dev", "--project-dir", dir, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "ITEMS_TABLE") {
			t.Errorf("package: err = %v, want the refusal naming ITEMS_TABLE", err)
		}
	})
	t.Run("allowed", func(t *testing.T) {
		out, stderr, err := plan(t, "deploy", "--dry-run", "--stage", "dev", "--project-dir", dir, "--region", "us-east-1", "--allow-unscoped-resources")
		if err != nil {
			t.Fatalf("deploy --allow-unscoped-resources: %v\n%s", err, stderr)
		}
		for _, want := range []string{
			"warning: dynamodb.GetItem: TableName comes from environment variable ITEMS_TABLE",
			`warning: route "GET /legacy/:id" (`,
		} {
			if !strings.Contains(stderr, want) {
				t.Errorf("stderr lacks %q:\n%s", want, stderr)
			}
		}
		if !strings.Contains(out, "unscoped-dev") {
			t.Errorf("no plan printed:\n%s", out)
		}
	})
	t.Run("set", func(t *testing.T) {
		out, stderr, err := plan(t, "deploy", "--dry-run", "--stage", "prod", "--project-dir", dir, "--region", "us-east-1")
		if err != nil {
			t.Fatalf("deploy --stage prod: %v\n%s", err, stderr)
		}
		for _, want := range []string{"table/items-prod", "states:StartExecution", "stateMachine:fulfil"} {
			if !strings.Contains(out, want) {
				t.Errorf("the plan's policy lacks %s:\n%s", want, out)
			}
		}
	})
}
