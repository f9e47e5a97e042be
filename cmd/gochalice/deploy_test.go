package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

const savealifeDir = "../../examples/savealife"

// codeSHA matches a CodeSha256, which changes with the Go toolchain.
var codeSHA = regexp.MustCompile(`[A-Za-z0-9+/]{43}=`)

// noCredentials leaves the SDK's credential chain nothing to find.
func noCredentials(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
}

// TestDeployDryRunGolden plans savealife's first deploy without AWS
// credentials: the plan is printed (and as JSON), nothing is called or
// written.
func TestDeployDryRunGolden(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app twice")
	}
	for _, tc := range []struct {
		name, stage, golden string
		args                []string
	}{
		{"human", "dev", "dry-run.golden", nil},
		{"json", "dev", "dry-run.json", []string{"--json"}},
		// prod has autogen_policy: the roles get the policies generated
		// from the code, and handle_stream names its table, not a stream.
		{"autogen", "prod", "dry-run-prod.golden", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"gochalice", "deploy", "--dry-run", "--stage", tc.stage, "--project-dir", savealifeDir, "--region", "us-east-1"}, tc.args...)
			if err := runCLI(context.Background(), &stdout, &stderr, args); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			got := codeSHA.ReplaceAllString(stdout.String(), "<code sha256>")
			path := filepath.Join("testdata", "deploy", tc.golden)
			if updating() {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("plan (-want +got):\n%s", diff)
			}
			if !strings.Contains(stderr.String(), "no AWS credentials") {
				t.Errorf("stderr = %q, want the no-credentials note", stderr.String())
			}
		})
	}
	if _, err := os.Stat(filepath.Join(savealifeDir, ".chalice", "deployed")); err == nil {
		t.Errorf("a dry run recorded state")
	}
}

// TestDeployRedeployDeleteCLI runs deploy, deploy again, url, invoke and
// delete through the CLI's own code path against the in-memory AWS.
func TestDeployRedeployDeleteCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	cloud := fakeaws.New()
	cloud.PendingPolls, cloud.RoleAssumeDelay = 2, 2
	stateDir := t.TempDir()
	env := &awsEnv{
		connect: func(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error) {
			c := &deployer.Clients{IAM: cloud.IAM(), Lambda: cloud.Lambda(), APIGateway: cloud.APIGateway(), Logs: cloud.Logs(), DynamoDB: cloud.DynamoDB(), STS: cloud.STS()}
			t, err := deployer.LookupTarget(ctx, c.STS, "us-east-1")
			return c, t, err
		},
		loadProject: builtProjects.load,
		statePath:   func(_, stage string) string { return filepath.Join(stateDir, stage+".json") },
		tune: func(d *deployer.Deployer) {
			d.Backoff, d.WaitMinDelay, d.WaitMaxDelay = time.Microsecond, time.Microsecond, time.Millisecond
		},
	}
	var lastStderr string
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		app := testApp(&stdout, &stderr, deployCommandWith(env), deleteCommandWith(env), urlCommandWith(env), invokeCommandWith(env))
		if err := app.RunContext(context.Background(), append([]string{"gochalice"}, args...)); err != nil {
			t.Fatalf("gochalice %s: %v\n%s%s", strings.Join(args, " "), err, stdout.String(), stderr.String())
		}
		lastStderr = stderr.String()
		return stdout.String()
	}
	// With --json, standard output is the plan's JSON and nothing else;
	// what is said to people goes to standard error.
	out := run("deploy", "--stage", "dev", "--project-dir", savealifeDir, "--json")
	if !json.Valid([]byte(out)) {
		t.Errorf("deploy --json: standard output is not JSON:\n%s", out)
	}
	if !strings.Contains(lastStderr, "REST API URL: https://") || !regexp.MustCompile(`(?m)^Applying \d+ changes:\nApplied \d+ changes in `).MatchString(lastStderr) {
		t.Errorf("deploy --json: standard error:\n%s", lastStderr)
	}
	snap := cloud.Snapshot()
	if len(snap.Functions) != 2 || len(snap.Roles) != 2 || len(snap.Mappings) != 1 || len(snap.RestAPIs) != 1 {
		t.Fatalf("after deploy: %+v", snap)
	}

	cloud.ResetCalls()
	out = run("deploy", "--stage", "dev", "--project-dir", savealifeDir)
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy made mutating calls: %v", m)
	}
	if !strings.Contains(out, "Nothing to change.") {
		t.Errorf("redeploy output:\n%s", out)
	}

	if url := run("url", "--stage", "dev", "--project-dir", savealifeDir); !regexp.MustCompile(`^https://a\d+\.execute-api\.us-east-1\.amazonaws\.com/api/\n$`).MatchString(url) {
		t.Errorf("url = %q", url)
	}
	if out := run("invoke", "--stage", "dev", "--name", "handle_stream", "--project-dir", savealifeDir); !strings.Contains(out, `"handler":"handle_stream"`) {
		t.Errorf("invoke output = %q", out)
	}

	run("delete", "--stage", "dev", "--yes", "--project-dir", savealifeDir)
	if !cloud.Empty() {
		t.Errorf("after delete: %+v", cloud.Snapshot())
	}
	if _, err := os.Stat(filepath.Join(stateDir, "dev.json")); !os.IsNotExist(err) {
		t.Errorf("state file after delete: %v", err)
	}
	if out := run("delete", "--stage", "dev", "--yes", "--project-dir", savealifeDir); !strings.Contains(out, "nothing to delete") {
		t.Errorf("second delete: %q", out)
	}
}

// TestDeployWithoutCredentials fails with a message that says what to do,
// and records nothing.
func TestDeployWithoutCredentials(t *testing.T) {
	noCredentials(t)
	if testing.Short() {
		t.Skip("builds the app")
	}
	var stdout, stderr bytes.Buffer
	err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "deploy", "--stage", "dev", "--project-dir", savealifeDir, "--region", "us-east-1"})
	if err == nil || !strings.Contains(err.Error(), "no AWS credentials found: run aws configure") || !strings.Contains(err.Error(), "--dry-run") {
		t.Fatalf("err = %v, want the no-credentials message", err)
	}
	if _, err := os.Stat(filepath.Join(savealifeDir, ".chalice", "deployed")); err == nil {
		t.Error("a failed deploy recorded state")
	}
}
