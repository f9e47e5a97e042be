package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

// TestMain lets the test binary stand in for gochalice itself: run with
// GOCHALICE_TEST_MAIN=1 it runs main, so tests see real exit statuses
// and everything written to the process's own stderr.
func TestMain(m *testing.M) {
	if os.Getenv("GOCHALICE_TEST_MAIN") == "1" {
		main()
		return
	}
	code := m.Run()
	builtProjects.remove()
	os.Exit(code)
}

// runMain runs gochalice (this test binary as main) in dir with the
// given extra environment.
func runMain(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOCHALICE_TEST_MAIN=1"), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// TestUsageErrors holds the command line to refusing what it does not
// understand, with exit status 2 and the fix, before building anything
// or calling AWS.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown command", []string{"deplyo"}, 2, `gochalice has no command "deplyo"; did you mean "deploy"?`},
		{"unknown subcommand", []string{"config", "shw"}, 2, `gochalice config has no command "shw"; did you mean "show"?`},
		{"unknown help topic", []string{"help", "deplyo"}, 2, "No help topic for 'deplyo'"},
		{"mistyped flag", []string{"deploy", "--stgae", "dev"}, 2, "unknown flag --stgae; did you mean --stage?"},
		{"two stages", []string{"deploy", "--stage", "dev", "prod"}, 2, `unexpected argument "prod": deploy takes no arguments (one stage per run: --stage NAME)`},
		{"stray argument of url", []string{"url", "dev"}, 2, `unexpected argument "dev": url takes no arguments`},
		{"parallelism 0", []string{"deploy", "--parallelism", "0"}, 2, "--parallelism 0: give how many steps may run at once, 1 or more (default 8)"},
		{"parallelism -3", []string{"deploy", "--parallelism", "-3"}, 2, "--parallelism -3: give how many steps"},
		{"region mars-1", []string{"deploy", "--region", "mars-1"}, 2, `--region "mars-1" is not an AWS region: use a name such as us-east-1`},
		{"region typo", []string{"delete", "--region", "us-est-1"}, 2, `--region "us-est-1" is not an AWS region; did you mean "us-east-1"?`},
		{"region of gen-policy", []string{"gen-policy", "--region", "mars-1"}, 2, `--region "mars-1" is not an AWS region`},
		{"project dir missing", []string{"deploy", "--project-dir", "no/such/folder"}, 2, "--project-dir no/such/folder: no such folder"},
		{"project dir without config", []string{"deploy", "--project-dir", "testdata"}, 1, "--project-dir testdata has no .chalice/config.json"},
		{"new without name", []string{"new"}, 2, "new takes one argument"},
		{"package without folder", []string{"package", "--project-dir", savealifeDir}, 2, "package takes one argument"},
		{"completion of another shell", []string{"completion", "powershell"}, 2, `no completion script for "powershell"`},
		{"delete of an unknown stage", []string{"delete", "--stage", "nosuch", "--project-dir", savealifeDir}, 1, `stage "nosuch" does not exist (stages: dev, prod)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append([]string{"gochalice"}, tc.args...)
			err := runCLI(context.Background(), &stdout, &stderr, args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("gochalice %s: err = %v, want %q", strings.Join(tc.args, " "), err, tc.want)
			}
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit status %d, want %d", got, tc.code)
			}
		})
	}
}

// TestMainExitStatus runs main itself: a usage error exits 2 and says how
// to get help; --version and version print the version.
func TestMainExitStatus(t *testing.T) {
	_, stderr, code := runMain(t, ".", nil, "deplyo")
	want := "gochalice: gochalice has no command \"deplyo\"; did you mean \"deploy\"?\nRun 'gochalice --help' for the commands.\n"
	if code != 2 || stderr != want {
		t.Errorf("gochalice deplyo: status %d, stderr %q; want 2, %q", code, stderr, want)
	}
	_, stderr, code = runMain(t, ".", nil, "deploy", "--parallelism", "0")
	if code != 2 || !strings.HasSuffix(stderr, "Run 'gochalice deploy --help' for its usage.\n") {
		t.Errorf("deploy --parallelism 0: status %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		stdout, stderr, code := runMain(t, ".", nil, args...)
		if code != 0 || stdout != "gochalice dev\n" {
			t.Errorf("gochalice %s: status %d, stdout %q, stderr %q", args[0], code, stdout, stderr)
		}
	}
}

// TestNormalizeArgs moves flags written after positional arguments in
// front of them, knowing which flags take a value.
func TestNormalizeArgs(t *testing.T) {
	app := newCLI(nil, nil)
	tests := []struct {
		in, want []string
	}{
		{[]string{"new", "demo", "--no-tidy"}, []string{"new", "--no-tidy", "demo"}},
		{[]string{"new", "demo", "--module", "example.com/demo"}, []string{"new", "--module", "example.com/demo", "demo"}},
		{[]string{"package", "out", "--stage", "prod", "--pkg-format=terraform"}, []string{"package", "--stage", "prod", "--pkg-format=terraform", "out"}},
		{[]string{"config", "show", "dev", "--json"}, []string{"config", "show", "--json", "dev"}},
		{[]string{"invoke", "--name", "worker", "--payload", "-"}, []string{"invoke", "--name", "worker", "--payload", "-"}},
		{[]string{"new", "--", "-odd"}, []string{"new", "--", "-odd"}},
		{[]string{"--version"}, []string{"--version"}},
		{[]string{"deplyo", "x", "--y"}, []string{"deplyo", "x", "--y"}},
		{[]string{"deploy", "--stage", completionFlag}, []string{"deploy", "--stage", completionFlag}},
	}
	for _, tc := range tests {
		got := normalizeArgs(app, append([]string{"gochalice"}, tc.in...))
		if diff := cmp.Diff(append([]string{"gochalice"}, tc.want...), got); diff != "" {
			t.Errorf("normalizeArgs(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// TestFlagsAfterArguments runs new with its flags after the name.
func TestFlagsAfterArguments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	var stdout, stderr bytes.Buffer
	if err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "new", dir, "--no-tidy", "--module", "example.com/demo"}); err != nil {
		t.Fatalf("new: %v\n%s", err, stderr.String())
	}
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil || !strings.HasPrefix(string(gomod), "module example.com/demo\n") {
		t.Errorf("go.mod = %q, %v; want module example.com/demo", gomod, err)
	}
}

// TestProjectDirFromSubfolder finds .chalice/ above the current folder,
// as git finds .git.
func TestProjectDirFromSubfolder(t *testing.T) {
	abs, err := filepath.Abs(filepath.Join(savealifeDir, "cmd", "devtable"))
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(abs)
	var stdout, stderr bytes.Buffer
	if err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "config", "show", "--stage", "dev"}); err != nil {
		t.Fatalf("config show from %s: %v\n%s", abs, err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "app savealife, stage dev") {
		t.Errorf("config show from a subfolder:\n%s", stdout.String())
	}
}

func TestCheckRegion(t *testing.T) {
	t.Parallel()
	for region, ok := range map[string]bool{
		"us-east-1": true, "eu-west-3": true, "cn-north-1": true, "us-gov-west-1": true,
		"ap-southeast-9": true, // not known yet, but of the right shape
		"mars-1":         false, "us-east1": false, "US-EAST-1": false, "": false, "useast-1": false,
	} {
		if err := checkRegion(region, "--region"); (err == nil) != ok {
			t.Errorf("checkRegion(%q) = %v, want ok: %v", region, err, ok)
		}
	}
}

// TestDeleteConfirms deletes only after a yes: with --dry-run it lists,
// without a terminal it refuses unless --yes, and on a terminal it asks.
func TestDeleteConfirms(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		interactive bool
		answer      string
		wantErr     string
		deleted     bool
	}{
		{"dry run", []string{"--dry-run"}, false, "", "", false},
		{"no terminal", nil, false, "", "add --yes to delete stage dev without asking", false},
		{"answered no", nil, true, "n\n", "nothing deleted", false},
		{"answered yes", nil, true, "yes\n", "", true},
		{"--yes", []string{"--yes"}, false, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cloud := fakeaws.New()
			stateDir := t.TempDir()
			path := filepath.Join(stateDir, "dev.json")
			st := deployer.NewState("savealife", "dev", deployer.NewTarget("us-east-1", cloud.Account))
			st.Resources["log_group:api_handler"] = deployer.ResourceState{Type: deployer.TypeLogGroup, Name: "/aws/lambda/savealife-dev"}
			if err := deployer.SaveState(path, st); err != nil {
				t.Fatal(err)
			}
			env := &awsEnv{
				connect: func(ctx context.Context, _, region string, _ bool) (*deployer.Clients, deployer.Target, error) {
					c := &deployer.Clients{IAM: cloud.IAM(), Lambda: cloud.Lambda(), APIGateway: cloud.APIGateway(), Logs: cloud.Logs(), DynamoDB: cloud.DynamoDB(), STS: cloud.STS()}
					t, err := deployer.LookupTarget(ctx, c.STS, region)
					return c, t, err
				},
				statePath: func(_, stage string) string { return filepath.Join(stateDir, stage+".json") },
			}
			var stdout, stderr bytes.Buffer
			app := testApp(&stdout, &stderr, deleteCommandWith(env))
			app.Metadata = map[string]any{streamsKey: streams{stdin: strings.NewReader(tc.answer), stdout: &stdout, stderr: &stderr, interactive: tc.interactive}}
			args := append([]string{"gochalice", "delete", "--stage", "dev", "--project-dir", savealifeDir}, tc.args...)
			err := app.RunContext(context.Background(), args)
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("delete: err = %v, want %q\nstdout:\n%s", err, tc.wantErr, stdout.String())
			}
			if !strings.Contains(stdout.String(), "log_group:api_handler") {
				t.Errorf("delete did not list what it deletes:\n%s", stdout.String())
			}
			_, statErr := os.Stat(path)
			if deleted := os.IsNotExist(statErr); deleted != tc.deleted {
				t.Errorf("state removed = %v, want %v", deleted, tc.deleted)
			}
			if !tc.deleted && len(cloud.Mutations()) != 0 {
				t.Errorf("mutating calls: %v", cloud.Mutations())
			}
		})
	}
}

// TestCompletion prints each shell's script, and the bash one completes
// commands by asking gochalice (this test binary as main).
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{"bash": "complete -o bashdefault", "zsh": "compdef _gochalice gochalice", "fish": "complete -c gochalice"} {
		var stdout, stderr bytes.Buffer
		if err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "completion", shell}); err != nil {
			t.Fatalf("completion %s: %v", shell, err)
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("completion %s lacks %q:\n%s", shell, want, stdout.String())
		}
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	script := bashCompletion + `COMP_WORDS=("$GOCHALICE_BIN" dep); COMP_CWORD=1; _gochalice_complete; echo "${COMPREPLY[@]}"
COMP_WORDS=("$GOCHALICE_BIN" deploy --dr); COMP_CWORD=2; _gochalice_complete; echo "${COMPREPLY[@]}"`
	cmd := exec.Command(bash, "-c", script)
	cmd.Env = append(os.Environ(), "GOCHALICE_TEST_MAIN=1", "GOCHALICE_BIN="+os.Args[0])
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got, want := string(out), "deploy deployer-policy\n--dry-run\n"; got != want {
		t.Errorf("completions = %q, want %q", got, want)
	}
}

// TestChangePrinter writes a counted line per finished change on a
// terminal, and only failures otherwise.
func TestChangePrinter(t *testing.T) {
	events := []deployer.Event{
		{Address: "role:api_handler", Name: "app-dev-api_handler", Action: deployer.Create},
		{Address: "role:api_handler", Name: "app-dev-api_handler", Action: deployer.Create, Done: true},
		{Address: "function:api_handler", Name: "app-dev", Action: deployer.Update, Done: true, Err: errors.New("boom")},
	}
	for _, tc := range []struct {
		progress bool
		want     string
	}{
		{true, "[1/2] + role:api_handler (app-dev-api_handler) done in 0s\n[2/2] ~ function:api_handler (app-dev) FAILED: boom in 0s\n"},
		{false, "[2/2] ~ function:api_handler (app-dev) FAILED: boom in 0s\n"},
	} {
		var stderr bytes.Buffer
		app := &cli.App{Metadata: map[string]any{streamsKey: streams{stderr: &stderr, progress: tc.progress}}}
		print := changePrinter(cli.NewContext(app, nil, nil), 2)
		for _, e := range events {
			print(e)
		}
		if diff := cmp.Diff(tc.want, stderr.String()); diff != "" {
			t.Errorf("progress %v (-want +got):\n%s", tc.progress, diff)
		}
	}
}

// TestDryRunWithoutRegionOrCredentials plans the scaffold's own README
// command on a machine with no AWS configuration at all: placeholders for
// the region and account, a note that says so, no SDK log line.
func TestDryRunWithoutRegionOrCredentials(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	imds := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "forbidden", http.StatusForbidden) // as on a machine that is not EC2
	}))
	defer imds.Close()
	env := []string{
		"AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=", "AWS_PROFILE=", "AWS_DEFAULT_PROFILE=",
		"AWS_REGION=", "AWS_DEFAULT_REGION=", "AWS_WEB_IDENTITY_TOKEN_FILE=", "AWS_CONTAINER_CREDENTIALS_FULL_URI=",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=", "AWS_EC2_METADATA_DISABLED=",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + imds.URL,
		"AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(t.TempDir(), "none"),
	}
	stdout, stderr, code := runMain(t, savealifeDir, env, "deploy", "--dry-run", "--stage", "dev")
	if code != 0 {
		t.Fatalf("deploy --dry-run: status %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "Plan for app savealife, stage dev, in <region> (account <account>):") ||
		!strings.Contains(stdout, "arn:aws:logs:<region>:<account>:log-group:/aws/lambda/savealife-dev:*") {
		t.Errorf("the plan lacks placeholder ARNs:\n%s", stdout)
	}
	wantNote := "note: no AWS region: planned with <region> and <account> in the ARNs; pass --region or set \"region\" in .chalice/config.json for real ones\n"
	if stderr != wantNote {
		t.Errorf("stderr = %q, want only %q", stderr, wantNote)
	}

	_, stderr, code = runMain(t, savealifeDir, env, "deploy", "--stage", "dev", "--region", "us-east-1")
	want := "gochalice: no AWS credentials found: run aws configure, set AWS_PROFILE (or --profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or plan without an account with --dry-run\n"
	if code != 1 || stderr != want {
		t.Errorf("deploy without credentials: status %d, stderr %q; want 1, %q", code, stderr, want)
	}
}
