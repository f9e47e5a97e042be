package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

// TestDeleteRecordedElsewhere refuses to delete a stage in another region
// or account than the one it is recorded in: it would delete nothing (or
// another deployment's same-named resources) and forget the real ones.
func TestDeleteRecordedElsewhere(t *testing.T) {
	for _, tc := range []struct {
		name, region, account string
		wantErr               bool
	}{
		{"recorded region", "", "123456789012", false},
		{"other region", "eu-west-1", "123456789012", true},
		{"other account", "", "210987654321", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud := fakeaws.New()
			cloud.Account = tc.account
			stateDir := t.TempDir()
			path := filepath.Join(stateDir, "dev.json")
			st := deployer.NewState("savealife", "dev", deployer.NewTarget("us-east-1", "123456789012"))
			st.Resources["function:api_handler"] = deployer.ResourceState{Type: deployer.TypeFunction, Name: "savealife-dev"}
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
			args := []string{"gochalice", "delete", "--stage", "dev", "--yes", "--project-dir", savealifeDir}
			if tc.region != "" {
				args = append(args, "--region", tc.region)
			}
			err := app.RunContext(context.Background(), args)
			var mismatch *deployer.TargetMismatchError
			if got := errors.As(err, &mismatch); got != tc.wantErr {
				t.Fatalf("err = %v, want a *TargetMismatchError: %v", err, tc.wantErr)
			}
			if !tc.wantErr {
				return
			}
			if m := cloud.Mutations(); len(m) != 0 {
				t.Errorf("mutating calls: %v", m)
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("recorded state: %v", err)
			}
		})
	}
}

// TestRecordedAccount lends a dry run without credentials the recorded
// account only when the state is in the region planned.
func TestRecordedAccount(t *testing.T) {
	t.Parallel()
	recorded := deployer.NewState("savealife", "dev", deployer.NewTarget("us-east-1", "123456789012"))
	for _, tc := range []struct {
		name     string
		target   deployer.Target
		recorded *deployer.State
		want     deployer.Target
	}{
		{"same region", deployer.NewTarget("us-east-1", ""), recorded, deployer.NewTarget("us-east-1", "123456789012")},
		{"other region", deployer.NewTarget("eu-west-1", ""), recorded, deployer.NewTarget("eu-west-1", "")},
		{"nothing recorded", deployer.NewTarget("us-east-1", ""), nil, deployer.NewTarget("us-east-1", "")},
		{"account known", deployer.NewTarget("us-east-1", "210987654321"), recorded, deployer.NewTarget("us-east-1", "210987654321")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, recordedAccount(tc.target, tc.recorded)); diff != "" {
				t.Errorf("target (-want +got):\n%s", diff)
			}
		})
	}
}
