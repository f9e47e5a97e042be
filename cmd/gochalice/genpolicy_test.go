package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGenPolicySavealife runs gen-policy on the seed app: the API role gets
// exactly the DynamoDB actions its routes use on the TABLE_NAME table, and
// handle_stream only UpdateItem plus the stream reads on STREAM_ARN.
func TestGenPolicySavealife(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		golden string
	}{
		{"json", nil, "savealife.json"},
		{"explain one function", []string{"--explain", "--function", "handle_stream"}, "savealife-explain.txt"},
		{"resolved for an account", []string{"--function", "api_handler", "--region", "eu-west-1", "--account", "111122223333"}, "savealife-resolved.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			args := append([]string{"gochalice", "gen-policy", "--project-dir", "../../examples/savealife", "--stage", "dev"}, tc.args...)
			if err := runCLI(context.Background(), &out, &errOut, args); err != nil {
				t.Fatalf("gen-policy: %v\n%s", err, errOut.String())
			}
			if errOut.Len() > 0 {
				t.Errorf("diagnostics for savealife, want none:\n%s", errOut.String())
			}
			golden := filepath.Join("testdata", "genpolicy", tc.golden)
			if updating() {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run GenPolicy -update)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("gen-policy %v (-want +got):\n%s", tc.args, diff)
			}
			if strings.Contains(out.String(), `"Action": "*"`) || strings.Contains(out.String(), `dynamodb:*`) {
				t.Error("a wildcard action in a generated policy")
			}
		})
	}
}

func TestGenPolicyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown function", []string{"--project-dir", "../../examples/savealife", "--function", "nope"}, "--function nope: the app has no such function (it has api_handler, handle_stream)"},
		{"unknown stage", []string{"--project-dir", "../../examples/savealife", "--stage", "staging"}, `"staging"`},
		{"no config", []string{"--project-dir", t.TempDir()}, "config.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := runCLI(context.Background(), &out, &errOut, append([]string{"gochalice", "gen-policy"}, tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed a policy despite the error:\n%s", out.String())
			}
		})
	}
}

// TestGenPolicyMainEnv gives a plain aws-lambda-go program its
// environment with --env, --env-file and a stage of .chalice/config.json:
// each scopes the statements to the named table and queue, and without
// them the warning names the flag that would.
func TestGenPolicyMainEnv(t *testing.T) {
	t.Parallel()
	const (
		queueURL = "https://sqs.eu-west-1.amazonaws.com/123456789012/orders-in"
		queueARN = "arn:${AWS::Partition}:sqs:eu-west-1:123456789012:orders-in"
		tableARN = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"
		logGroup = "log-group:/aws/lambda/legacy-orders:*"
	)
	dotenv := filepath.Join(t.TempDir(), "prod.env")
	if err := os.WriteFile(dotenv, []byte("# the function's settings\nexport TABLE_NAME=\"orders\"\n\nQUEUE_URL="+queueURL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	main := []string{"--main", "testdata/genpolicy/plainmain"}
	tests := []struct {
		name      string
		args      []string
		want      []string // in the policy
		wantNot   []string
		wantWarns []string // on stderr
	}{
		{"env flags", []string{"--env", "TABLE_NAME=orders", "--env", "QUEUE_URL=" + queueURL, "--function-name", "legacy-orders"},
			[]string{tableARN + "orders\"", queueARN, logGroup}, []string{`"*"`}, nil},
		{"env file", []string{"--env-file", dotenv},
			[]string{tableARN + "orders\"", queueARN, "log-group:/aws/lambda/*:*"}, nil, nil},
		{"env over env file", []string{"--env-file", dotenv, "--env", "TABLE_NAME=orders-v2"},
			[]string{tableARN + "orders-v2\"", queueARN}, []string{tableARN + "orders\""}, nil},
		{"stage of the config, queue still unknown", []string{"--project-dir", "../../examples/savealife", "--stage", "prod"},
			[]string{tableARN + "savealife-donors-prod\"", `"*"`}, nil,
			[]string{"QUEUE_URL, which gen-policy was not given", "--env QUEUE_URL=VALUE"}},
		{"nothing given", nil,
			[]string{`"*"`}, []string{tableARN}, []string{"TABLE_NAME", "QUEUE_URL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			args := append(append([]string{"gochalice", "gen-policy"}, main...), tc.args...)
			if err := runCLI(context.Background(), &out, &errOut, args); err != nil {
				t.Fatalf("gen-policy: %v\n%s", err, errOut.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("policy lacks %s:\n%s", w, out.String())
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(out.String(), w) {
					t.Errorf("policy has %s:\n%s", w, out.String())
				}
			}
			for _, w := range tc.wantWarns {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
			if tc.wantWarns == nil && errOut.Len() > 0 {
				t.Errorf("stderr, want nothing:\n%s", errOut.String())
			}
		})
	}
}

func TestGenPolicyMainEnvErrors(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "bad.env")
	if err := os.WriteFile(bad, []byte("TABLE_NAME=orders\nthis is not a variable\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"env without a value", []string{"--env", "TABLE_NAME"}, `--env "TABLE_NAME": give NAME=VALUE`, 2},
		{"env with a bad name", []string{"--env", "TABLE-NAME=x"}, `--env "TABLE-NAME=x"`, 2},
		{"bad env file line", []string{"--env-file", bad}, bad + `:2: "this is not a variable" is not NAME=VALUE`, 1},
		{"missing env file", []string{"--env-file", filepath.Join(t.TempDir(), "nope.env")}, "--env-file: open ", 1},
		{"stage without a config", []string{"--stage", "prod"}, "--stage and --function read .chalice/config.json, and . has none", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			args := append([]string{"gochalice", "gen-policy", "--main", "testdata/genpolicy/plainmain"}, tc.args...)
			err := runCLI(context.Background(), &out, &errOut, args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if got := exitCode(err); got != tc.code {
				t.Errorf("exit code %d, want %d", got, tc.code)
			}
			if out.Len() > 0 {
				t.Errorf("printed a policy despite the error:\n%s", out.String())
			}
		})
	}
}

// TestGenPolicyWarnsColonRoute: "GET /legacy/:id" is a literal path to
// API Gateway; gen-policy (which takes the manifest, as deploy and local
// do) says that {id} is the syntax.
func TestGenPolicyWarnsColonRoute(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := runCLI(context.Background(), &out, &errOut, []string{"gochalice", "gen-policy", "--project-dir", "testdata/unscoped", "--stage", "prod"})
	if err != nil {
		t.Fatalf("gen-policy: %v\n%s", err, errOut.String())
	}
	want := `warning: route "GET /legacy/:id" (`
	if !strings.Contains(errOut.String(), want) || !strings.Contains(errOut.String(), `a path parameter is written {id}, as in "GET /legacy/{id}"`) {
		t.Errorf("stderr lacks the :id warning:\n%s", errOut.String())
	}
}
