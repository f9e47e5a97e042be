package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/stages"
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

// TestDeleteNothingRecorded deletes what a deploy interrupted before it
// recorded anything left (a role and a function with the stage's tags),
// leaves a look-alike without them, and then says there is nothing to
// delete; a stage the config does not have is an error.
func TestDeleteNothingRecorded(t *testing.T) {
	ctx := context.Background()
	cloud := fakeaws.New()
	stage := names.Stage{App: "savealife", Stage: "dev"}
	for _, role := range []string{"savealife-dev-api_handler", "savealife-dev-mine"} {
		in := &awsiam.CreateRoleInput{RoleName: aws.String(role), AssumeRolePolicyDocument: aws.String(`{}`)}
		if role != "savealife-dev-mine" {
			for k, v := range stage.Tags() {
				in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
			}
		}
		if _, err := cloud.IAM().CreateRole(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cloud.Lambda().CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("savealife-dev"),
		Role: aws.String("arn:aws:iam::123456789012:role/savealife-dev-api_handler"), Runtime: lambdatypes.RuntimeProvidedal2023,
		Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
		Code: &lambdatypes.FunctionCode{ZipFile: []byte("x")}, Tags: map[string]string{names.ChaliceTag: stage.ChaliceTagValue()}}); err != nil {
		t.Fatal(err)
	}
	stateDir := t.TempDir()
	env := &awsEnv{
		connect: func(ctx context.Context, _, region string, _ bool) (*deployer.Clients, deployer.Target, error) {
			c := cloud.Clients()
			t, err := deployer.LookupTarget(ctx, c.STS, "us-east-1")
			return c, t, err
		},
		statePath: func(_, stage string) string { return filepath.Join(stateDir, stage+".json") },
		tune: func(d *deployer.Deployer) {
			d.Backoff, d.WaitMinDelay, d.WaitMaxDelay = time.Microsecond, time.Microsecond, time.Millisecond
		},
	}
	run := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		app := testApp(&stdout, &stderr, deleteCommandWith(env))
		err := app.RunContext(ctx, append([]string{"gochalice", "delete", "--yes", "--project-dir", savealifeDir}, args...))
		return stdout.String(), err
	}
	out, err := run("--stage", "dev")
	if err != nil {
		t.Fatalf("delete: %v\n%s", err, out)
	}
	for _, want := range []string{"role:api_handler", "function:api_handler", "not recorded", "Stage dev deleted."} {
		if !strings.Contains(out, want) {
			t.Errorf("delete output lacks %q:\n%s", want, out)
		}
	}
	snap := cloud.Snapshot()
	if len(snap.Functions) != 0 || len(snap.Roles) != 1 || snap.Roles["savealife-dev-mine"].TrustPolicy == "" {
		t.Errorf("after delete: functions %v, roles %v; want only the untagged role", snap.Functions, snap.Roles)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "dev.json")); !os.IsNotExist(err) {
		t.Errorf("state file after delete: %v", err)
	}

	cloud.ResetCalls()
	out, err = run("--stage", "dev")
	if err != nil || !strings.Contains(out, "nothing to delete") {
		t.Errorf("second delete: %v\n%s", err, out)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("second delete made mutating calls: %v", m)
	}

	var unknown *stages.UnknownStageError
	if _, err := run("--stage", "nosuch"); !errors.As(err, &unknown) {
		t.Errorf("delete of a stage the config lacks: err = %v, want an unknown stage", err)
	}
}

// TestDeleteNothingRecordedRegion looks for an interrupted deploy's
// resources where deploy makes the stage: the region its config sets.
func TestDeleteNothingRecordedRegion(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, ".chalice"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := `{"version": "2.0", "app_name": "savealife", "stages": {"dev": {"region": "eu-west-1"}}}`
	if err := os.WriteFile(filepath.Join(dir, ".chalice", "config.json"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cloud := fakeaws.New()
	cloud.Region = "eu-west-1"
	var regions []string
	env := &awsEnv{
		connect: func(ctx context.Context, _, region string, _ bool) (*deployer.Clients, deployer.Target, error) {
			regions = append(regions, region)
			c := cloud.Clients()
			t, err := deployer.LookupTarget(ctx, c.STS, region)
			return c, t, err
		},
		statePath: func(dir, stage string) string { return filepath.Join(dir, stage+".json") },
	}
	var stdout, stderr bytes.Buffer
	app := testApp(&stdout, &stderr, deleteCommandWith(env))
	if err := app.RunContext(context.Background(), []string{"gochalice", "delete", "--stage", "dev", "--yes", "--project-dir", dir}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(regions, []string{"eu-west-1"}) || !strings.Contains(stdout.String(), "nothing to delete") {
		t.Errorf("regions %q, output:\n%s", regions, stdout.String())
	}
}
