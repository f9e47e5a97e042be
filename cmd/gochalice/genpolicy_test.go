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
