package deployer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
)

// changes lists a plan's changes other than no-ops as "action address".
func changes(p *deployer.Plan) []string {
	var out []string
	for _, c := range p.Changes {
		if c.Action != deployer.NoOp {
			out = append(out, c.Action.String()+" "+c.Address)
		}
	}
	return out
}

// TestPlanRecordedElsewhere refuses to plan a stage recorded in another
// region or account, before any AWS call: refreshed there, every recorded
// resource would look gone and be forgotten.
func TestPlanRecordedElsewhere(t *testing.T) {
	t.Parallel()
	recorded := deployer.NewState("savealife", "dev", deployer.NewTarget("us-east-1", "123456789012"))
	recorded.Resources["function:api_handler"] = deployer.ResourceState{Type: deployer.TypeFunction, Name: "savealife-dev"}
	for _, tc := range []struct {
		name     string
		recorded *deployer.State
		target   deployer.Target
		wantErr  string
	}{
		{"same region and account", recorded, deployer.NewTarget("us-east-1", "123456789012"), ""},
		{"account unknown (dry run)", recorded, deployer.NewTarget("us-east-1", ""), ""},
		{"nothing recorded", nil, deployer.NewTarget("eu-west-1", "210987654321"), ""},
		{"empty record elsewhere", deployer.NewState("savealife", "dev", deployer.NewTarget("us-east-1", "123456789012")), deployer.NewTarget("eu-west-1", ""), ""},
		{"other region", recorded, deployer.NewTarget("eu-west-1", "123456789012"),
			"stage dev is recorded in us-east-1 (account 123456789012), not eu-west-1 (account 123456789012): deploy with --region us-east-1, or delete it there first"},
		{"other region, account unknown", recorded, deployer.NewTarget("eu-west-1", ""),
			"stage dev is recorded in us-east-1 (account 123456789012), not eu-west-1 (account <account>): deploy with --region us-east-1, or delete it there first"},
		{"other account", recorded, deployer.NewTarget("us-east-1", "210987654321"),
			"stage dev is recorded in us-east-1 (account 123456789012), not us-east-1 (account 210987654321): deploy with credentials of account 123456789012 (--profile), or delete it there first"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cloud, d := newCloud()
			_, err := d.PlanProject(context.Background(), savealife(t), tc.target, nil, tc.recorded)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var mismatch *deployer.TargetMismatchError
			if !errors.As(err, &mismatch) {
				t.Fatalf("err = %v, want a *TargetMismatchError", err)
			}
			if diff := cmp.Diff(tc.wantErr, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if calls := cloud.Calls(); len(calls) != 0 {
				t.Errorf("AWS calls before the refusal: %v", calls)
			}
		})
	}
}

// TestMappingReplacedWithSameSource changes a mapping's starting position:
// Lambda deletes the old mapping asynchronously, so the deploy must not
// adopt it (it is about to vanish) and must wait for it to go before
// creating the new one, which Lambda refuses meanwhile.
func TestMappingReplacedWithSameSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	cloud.MappingDeletePolls = 3
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
		t.Fatal(err)
	}
	latest := func() *deployer.Project {
		p := savealife(t)
		for i, fn := range p.Manifest.Functions {
			if fn.DynamoDBStream != nil {
				src := *fn.DynamoDBStream
				src.StartingPosition = "LATEST"
				p.Manifest.Functions[i].DynamoDBStream = &src
			}
		}
		return p
	}
	plan, st, err := deploy(ctx, t, d, latest(), path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"replace esm:handle_stream"}, changes(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	out, err := cloud.Lambda().ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: strp("savealife-dev-handle_stream")})
	if err != nil {
		t.Fatal(err)
	}
	var live []string
	for _, m := range out.EventSourceMappings {
		live = append(live, *m.UUID+" "+string(m.StartingPosition)+" "+*m.State)
	}
	want := []string{st.Resources["esm:handle_stream"].ID + " LATEST Enabled"}
	if diff := cmp.Diff(want, live); diff != "" {
		t.Errorf("mappings (-recorded +live):\n%s", diff)
	}
	cloud.ResetCalls()
	if _, _, err := deploy(ctx, t, d, latest(), path); err != nil {
		t.Fatal(err)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy made mutating calls: %v", m)
	}
}

// TestRefreshSkipsDeletingMapping: a recorded mapping that Lambda is
// deleting is gone, not adopted.
func TestRefreshSkipsDeletingMapping(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	cloud.MappingDeletePolls = 100
	path := statePath(t)
	_, st, err := deploy(ctx, t, d, savealife(t), path)
	if err != nil {
		t.Fatal(err)
	}
	id := st.Resources["esm:handle_stream"].ID
	if _, err := cloud.Lambda().DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: &id}); err != nil {
		t.Fatal(err)
	}
	recorded, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanProject(ctx, savealife(t), target, nil, recorded)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"create esm:handle_stream"}, changes(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestForeignPolicyStatements deploys a function whose resource policy
// has statements gochalice did not write — a function URL's ("Principal":
// "*") and one with a list in a condition: they are left alone, and ours
// is still read.
func TestForeignPolicyStatements(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
		t.Fatal(err)
	}
	fn := "savealife-dev"
	if _, err := cloud.Lambda().AddPermission(ctx, &lambda.AddPermissionInput{
		FunctionName: &fn, StatementId: strp("FunctionURLAllowPublicAccess"), Action: strp("lambda:InvokeFunctionUrl"),
		Principal: strp("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone,
	}); err != nil {
		t.Fatal(err)
	}
	foreign := json.RawMessage(`{"Sid":"partners","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111111111111:root","arn:aws:iam::222222222222:root"]},` +
		`"Action":["lambda:InvokeFunction","lambda:GetFunction"],"Resource":"arn:aws:lambda:us-east-1:123456789012:function:savealife-dev",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":["111111111111","222222222222"]}}}`)
	if err := cloud.AddPolicyStatement(fn, foreign); err != nil {
		t.Fatal(err)
	}
	before := cloud.Snapshot()
	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, savealife(t), path)
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(plan); len(got) != 0 {
		t.Errorf("changes: %v", got)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls: %v", m)
	}
	if diff := cmp.Diff(before, cloud.Snapshot()); diff != "" {
		t.Errorf("AWS (-before +after):\n%s", diff)
	}

	// Ours changed behind our back is still noticed.
	if _, err := cloud.Lambda().RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: &fn, StatementId: strp(deployer.PermissionStatementID)}); err != nil {
		t.Fatal(err)
	}
	plan, _, err = deploy(ctx, t, d, savealife(t), path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"create permission:api_handler"}, changes(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
}

// TestStageRename changes api_gateway_stage: the old stage is deleted
// and the new one created; deleting the app then deletes the REST API
// alone (its stages go with it).
func TestStageRename(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
		t.Fatal(err)
	}
	p := savealife(t)
	p.Settings["api_handler"].APIGatewayStage = "v1"
	cloud.ResetCalls()
	plan, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delete deployment:api", "create deployment:v1"}, changes(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"v1": true}, cloud.Snapshot().RestAPIs[0].Stages); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	if url := deployer.APIURL(st); !strings.HasSuffix(url, "/v1/") {
		t.Errorf("APIURL = %q", url)
	}
	cloud.ResetCalls()
	if _, err := d.Apply(ctx, deployer.PlanDestroy(st), deployer.StateFile(path)); err != nil {
		t.Fatal(err)
	}
	if m := cloud.Mutations(); slices.Contains(m, "apigateway:DeleteStage") || !slices.Contains(m, "apigateway:DeleteRestApi") {
		t.Errorf("delete's mutating calls: %v", m)
	}
	if !cloud.Empty() {
		t.Errorf("left behind: %+v", cloud.Snapshot())
	}
}

// TestLoadStateMigratesDeployment reads a state recorded when the
// deployment's address was "deployment": it is the stage's deployment,
// and a deploy of the same app changes nothing.
func TestLoadStateMigratesDeployment(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	res := raw["resources"].(map[string]any)
	res["deployment"] = res["deployment:api"]
	delete(res, "deployment:api")
	old := filepath.Join(t.TempDir(), "old.json")
	data, _ = json.Marshal(raw)
	if err := os.WriteFile(old, data, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := deployer.LoadState(old)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"deployment:api"}, slices.DeleteFunc(st.Addresses(), func(a string) bool { return !strings.HasPrefix(a, "deployment") })); diff != "" {
		t.Errorf("deployment addresses (-want +got):\n%s", diff)
	}
	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, savealife(t), old)
	if err != nil {
		t.Fatal(err)
	}
	if got := changes(plan); len(got) != 0 {
		t.Errorf("changes: %v", got)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls: %v", m)
	}
}

// TestLogRetentionChange changes only a log group's retention: that is
// the one call made.
func TestLogRetentionChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	withRetention := func(days int) *deployer.Project {
		p := savealife(t)
		p.Settings["handle_stream"].LogRetentionInDays = days
		return p
	}
	if _, _, err := deploy(ctx, t, d, withRetention(14), path); err != nil {
		t.Fatal(err)
	}
	cloud.ResetCalls()
	plan, st, err := deploy(ctx, t, d, withRetention(30), path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"update log_group:handle_stream"}, changes(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"logs:PutRetentionPolicy"}, cloud.Mutations()); diff != "" {
		t.Errorf("mutating calls (-want +got):\n%s", diff)
	}
	if got := cloud.Snapshot().LogGroups["/aws/lambda/savealife-dev-handle_stream"]; got != 30 {
		t.Errorf("retention = %d, want 30", got)
	}
	if got := st.Resources["log_group:handle_stream"].Attributes["retention_in_days"]; got != "30" {
		t.Errorf("recorded retention = %q, want 30", got)
	}
}

// TestThrottlingIsTheSDKs throttles every call: the SDK's retryer (the
// fake's stand-in for it) gives up after its attempts, and the deployer
// does not retry them all again.
func TestThrottlingIsTheSDKs(t *testing.T) {
	t.Parallel()
	cloud, d := newCloud()
	cloud.ThrottleEvery = 1
	_, _, err := deploy(context.Background(), t, d, savealife(t), statePath(t))
	var throttled *lambdatypes.TooManyRequestsException
	if !errors.As(err, &throttled) {
		t.Fatalf("err = %v, want Lambda's TooManyRequestsException", err)
	}
	// Refresh reads in parallel, at most one call per resource and
	// operation; each gives up after the standard retryer's 3 attempts
	// (with the deployer retrying too, each would make 3 × MaxAttempts).
	counts := map[string]int{}
	for _, c := range cloud.Calls() {
		counts[c.Service+"."+c.Operation]++
	}
	for op, n := range counts {
		if n%3 != 0 || n > 3*len(savealife(t).Manifest.Functions)*2 {
			t.Errorf("%s: %d attempts, want 3 per call", op, n)
		}
	}
}
