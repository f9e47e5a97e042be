package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/iam"
)

// TestDeployerPolicySavealife prints the deployer's policy for the seed
// app's stages: dev reads its stream by ARN, prod by table name (so the
// deployer describes that table).
func TestDeployerPolicySavealife(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the app")
	}
	tests := []struct {
		name, golden string
		args         []string
	}{
		{"placeholders", "savealife-dev.json", []string{"--stage", "dev"}},
		{"region and account", "savealife-dev-resolved.json", []string{"--stage", "dev", "--region", "eu-west-1", "--account", "111122223333"}},
		{"prod reads a table's stream", "savealife-prod.json", []string{"--stage", "prod", "--region", "us-east-1", "--account", "111122223333"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			args := append([]string{"gochalice", "deployer-policy", "--project-dir", savealifeDir}, tc.args...)
			if err := runCLI(context.Background(), &out, &errOut, args); err != nil {
				t.Fatalf("deployer-policy: %v\n%s", err, errOut.String())
			}
			golden := filepath.Join("testdata", "deployerpolicy", tc.golden)
			if updating() {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run DeployerPolicy -update)", err)
			}
			if diff := cmp.Diff(string(want), out.String()); diff != "" {
				t.Errorf("deployer-policy %v (-want +got):\n%s", tc.args, diff)
			}
			pol, err := iam.Parse(out.Bytes())
			if err != nil {
				t.Fatalf("not a policy: %v", err)
			}
			if problems := iam.CheckIdentityPolicy(pol); len(problems) > 0 {
				t.Errorf("not an identity policy: %v", problems)
			}
			for _, st := range pol.Statement {
				for _, a := range st.Action {
					if strings.Contains(a, "*") {
						t.Errorf("statement %s: wildcard action %q", st.Sid, a)
					}
				}
			}
		})
	}
}

func TestDeployerPolicyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown stage", []string{"--project-dir", savealifeDir, "--stage", "staging"}, `"staging"`},
		{"no config", []string{"--project-dir", t.TempDir()}, "config.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out, errOut bytes.Buffer
			err := runCLI(context.Background(), &out, &errOut, append([]string{"gochalice", "deployer-policy"}, tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			if out.Len() > 0 {
				t.Errorf("printed a policy despite the error:\n%s", out.String())
			}
		})
	}
}
