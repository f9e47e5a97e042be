package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
)

// TestDeployAPIGatewayStageAndTimeout plans savealife with
// --api-gateway-stage (the REST API's stage for this run, instead of
// config.json's) and --connection-timeout (reaching connect in the
// context).
func TestDeployAPIGatewayStageAndTimeout(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	var timeout any
	env := testEnv()
	env.connect = func(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error) {
		timeout = ctx.Value(connectionTimeoutKey{})
		return connectAWS(ctx, profile, region, optional)
	}
	var stdout, stderr bytes.Buffer
	app := testApp(&stdout, &stderr, deployCommandWith(env))
	args := []string{"gochalice", "deploy", "--dry-run", "--json", "--stage", "dev", "--project-dir", savealifeDir, "--region", "us-east-1",
		"--api-gateway-stage", "v1", "--connection-timeout", "7"}
	if err := app.RunContext(context.Background(), args); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"api_stage": "v1"`) || strings.Contains(stdout.String(), `"api_stage": "api"`) {
		t.Errorf("the plan does not use the REST API stage v1:\n%s", stdout.String())
	}
	if timeout != 7*time.Second {
		t.Errorf("connect's context carries connection timeout %v, want 7s", timeout)
	}
}

// TestLoadAWSConfigConnectionTimeout: the SDK's HTTP client gets the
// timeout the context carries.
func TestLoadAWSConfigConnectionTimeout(t *testing.T) {
	noCredentials(t)
	cfg, err := loadAWSConfig(withConnectionTimeout(context.Background(), 7*time.Second), "", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	c, ok := cfg.HTTPClient.(interface{ GetTimeout() time.Duration })
	if !ok || c.GetTimeout() != 7*time.Second {
		t.Errorf("HTTP client %T does not time out after 7s", cfg.HTTPClient)
	}
}

func TestDeployFlagErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"--api-gateway-stage", "v-1"}, want: `--api-gateway-stage "v-1": API Gateway stage names are letters, digits and underscores`},
		{args: []string{"--connection-timeout", "-1"}, want: "--connection-timeout -1: give seconds"},
	} {
		var stdout, stderr bytes.Buffer
		err := runCLI(context.Background(), &stdout, &stderr, append([]string{"gochalice", "deploy", "--dry-run", "--project-dir", savealifeDir}, tc.args...))
		if err == nil || !strings.Contains(err.Error(), tc.want) || exitCode(err) != 2 {
			t.Errorf("%v: error %v, want a usage error containing %q", tc.args, err, tc.want)
		}
	}
}

// TestDeployAutogenPolicyFlags overrides config.json's autogen_policy for
// one run, as chalice deploy --autogen-policy / --no-autogen-policy do:
// savealife's dev stage (policy files) gets the policies generated from
// the code; its prod stage (autogen) would read .chalice/policy-prod.json,
// which it lacks, so deploy stops before any AWS call with an error naming
// the file and the key to set. (stages.TestWithAutogenPolicy covers the
// file being read.)
func TestDeployAutogenPolicyFlags(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	for _, tc := range []struct {
		name, dir string
		args      []string
		// want are the plan's notes on the roles, in order.
		want    []string
		wantErr string
	}{
		{name: "dev with --autogen-policy", dir: savealifeDir, args: []string{"--stage", "dev", "--autogen-policy"},
			want: []string{"policy: autogen_policy", "policy: autogen_policy"}},
		{name: "prod with --no-autogen-policy and no file", dir: savealifeDir, args: []string{"--stage", "prod", "--no-autogen-policy"},
			wantErr: `.chalice/config.json: stages.prod.iam_policy_file: is not set, so with --no-autogen-policy the policy is read from .chalice/policy-prod.json, which does not exist; create that file, set "iam_policy_file" to the name of the policy file in .chalice/, or leave out --no-autogen-policy`},
		{name: "both", dir: savealifeDir, args: []string{"--autogen-policy", "--no-autogen-policy"},
			wantErr: "--autogen-policy and --no-autogen-policy: give one of them"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			connected := false
			env := testEnv()
			env.connect = func(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error) {
				connected = true
				return connectAWS(ctx, profile, region, optional)
			}
			var stdout, stderr bytes.Buffer
			app := testApp(&stdout, &stderr, deployCommandWith(env))
			args := append([]string{"gochalice", "deploy", "--dry-run", "--project-dir", tc.dir, "--region", "us-east-1"}, tc.args...)
			err := app.RunContext(context.Background(), args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v\nwant %s", err, tc.wantErr)
				}
				if connected {
					t.Error("deploy reached for AWS before refusing")
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			var got []string
			for _, m := range roleNote.FindAllStringSubmatch(stdout.String(), -1) {
				got = append(got, m[1])
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("the roles' policies (-want +got):\n%s\n%s", diff, stdout.String())
			}
		})
	}
}

// roleNote matches where a plan says what a role's policy is.
var roleNote = regexp.MustCompile(`# execution role of \w+ \(one role per function\); (policy: \S+)`)

// TestDeployProgress prints a line per long step on a terminal (standard
// error), and none when it is not one.
func TestDeployProgress(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	for _, terminal := range []bool{true, false} {
		var stdout, stderr bytes.Buffer
		app := testApp(&stdout, &stderr, deployCommandWith(testEnv()))
		app.Metadata = map[string]any{streamsKey: streams{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, progress: terminal}}
		args := []string{"gochalice", "deploy", "--dry-run", "--stage", "dev", "--project-dir", savealifeDir, "--region", "us-east-1"}
		if err := app.RunContext(context.Background(), args); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		var got []string
		for _, line := range strings.Split(stderr.String(), "\n") {
			if strings.HasPrefix(line, "Buil") || strings.HasPrefix(line, "Planning") {
				got = append(got, regexp.MustCompile(` in [0-9.]+m?s\.$`).ReplaceAllString(line, " in <time>."))
			}
		}
		var want []string
		if terminal {
			want = []string{
				"Building the app for this machine and taking its manifest (stage dev)...",
				"Built savealife: 2 functions in <time>.",
				"Planning against nothing (a first deploy)...",
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("terminal %v: progress (-want +got):\n%s\nstderr:\n%s", terminal, diff, stderr.String())
		}
	}
}
