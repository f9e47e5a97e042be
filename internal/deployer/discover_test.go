package deployer_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/names"
)

// destroy deletes what the state at statePath records and what Discover
// finds of app's stage "dev", as gochalice delete does.
func destroy(ctx context.Context, t testing.TB, d *deployer.Deployer, app, statePath string) (*deployer.Plan, error) {
	t.Helper()
	recorded, err := deployer.LoadState(statePath)
	if err != nil {
		t.Fatal(err)
	}
	if recorded == nil {
		recorded = deployer.NewState(app, "dev", target)
	}
	found, err := d.Discover(ctx, recorded)
	if err != nil {
		return nil, err
	}
	plan := deployer.PlanDestroy(found)
	_, err = d.Apply(ctx, plan, deployer.StateFile(statePath))
	return plan, err
}

// crashApps are apps that between them have a resource of every kind.
var crashApps = []struct {
	name    string
	project func(t *testing.T) *deployer.Project
	cloud   func() (*fakeaws.Cloud, *deployer.Deployer)
}{
	{"savealife", func(t *testing.T) *deployer.Project { return savealife(t) }, newCloud},
	{"every kind, REST API", func(t *testing.T) *deployer.Project { return everyKindProject(t, false) }, newEventsCloud},
	{"every kind, HTTP API", func(t *testing.T) *deployer.Project { return everyKindProject(t, true) }, newEventsCloud},
}

// TestKilledDeployThenDelete kills a first deploy right after each of its
// mutating calls took effect, before it could record what the call made,
// and then deletes the stage: nothing is left in AWS. It also deploys
// again instead: the result is a clean deploy's, with no duplicate, and a
// third deploy changes nothing. Steps run one at a time, so the n-th call
// is the same in every run.
func TestKilledDeployThenDelete(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	walked := map[deployer.ResourceType]bool{}
	t.Cleanup(func() {
		for _, typ := range deployer.CreationOrder() {
			// WebSocket APIs are not in these apps yet.
			if !walked[typ] && !t.Failed() && !strings.Contains(strings.ToLower(string(typ)), "websocket") {
				t.Errorf("no app creates a %s: a deploy killed after creating one is not tested", typ)
			}
		}
	})
	for _, app := range crashApps {
		t.Run(app.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			ref, dref := app.cloud()
			dref.Parallelism = 1
			refPath := statePath(t)
			plan, _, err := deploy(ctx, t, dref, app.project(t), refPath)
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			for _, c := range plan.Changes {
				walked[c.Type] = true
			}
			mu.Unlock()
			ops := ref.Mutations()
			want := ref.Snapshot()
			refState, err := deployer.LoadState(refPath)
			if err != nil {
				t.Fatal(err)
			}
			for k, op := range ops {
				kill := func(t *testing.T) (*fakeaws.Cloud, *deployer.Deployer, string) {
					cloud, d := app.cloud()
					d.Parallelism = 1
					runCtx, cancel := context.WithCancel(ctx)
					defer cancel()
					cloud.FailAt, cloud.FailAfterEffect, cloud.OnFail = k+1, true, cancel
					path := statePath(t)
					if _, _, err := deploy(runCtx, t, d, app.project(t), path); err == nil {
						t.Fatalf("deploy killed after %s succeeded", op)
					}
					cloud.FailAt, cloud.OnFail = 0, nil
					return cloud, d, path
				}
				t.Run(fmt.Sprintf("%d %s then delete", k+1, op), func(t *testing.T) {
					t.Parallel()
					cloud, d, path := kill(t)
					if _, err := destroy(ctx, t, d, plan.App, path); err != nil {
						t.Fatalf("delete: %v", err)
					}
					if !cloud.Empty() {
						t.Errorf("left after delete: %+v", cloud.Snapshot())
					}
				})
				t.Run(fmt.Sprintf("%d %s then deploy", k+1, op), func(t *testing.T) {
					t.Parallel()
					cloud, d, path := kill(t)
					if _, _, err := deploy(ctx, t, d, app.project(t), path); err != nil {
						t.Fatalf("second deploy: %v", err)
					}
					if diff := cmp.Diff(want, cloud.Snapshot()); diff != "" {
						t.Errorf("AWS (-clean +got):\n%s", diff)
					}
					got, err := deployer.LoadState(path)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(stateShape(refState), stateShape(got)); diff != "" {
						t.Errorf("recorded state (-clean +got):\n%s", diff)
					}
					cloud.ResetCalls()
					if _, _, err := deploy(ctx, t, d, app.project(t), path); err != nil {
						t.Fatal(err)
					}
					if m := cloud.Mutations(); len(m) != 0 {
						t.Errorf("third deploy made mutating calls: %v", m)
					}
				})
			}
		})
	}
}

// TestDeleteNothingRecorded deletes a stage whose state file is gone after
// a deploy: what the deploy made is found by name and tags, and deleted;
// resources that merely look like the stage's — a user's function and
// role under the stage's prefix without its tags, another stage's
// function whose name starts with this stage's prefix — are left alone.
func TestDeleteNothingRecorded(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newEventsCloud()
	path := statePath(t)
	plan, _, err := deploy(ctx, t, d, everyKindProject(t, false), path)
	if err != nil {
		t.Fatal(err)
	}
	// The user's look-alikes.
	cloud.RoleAssumeDelay = 0
	if _, err := cloud.IAM().CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("savealife-dev-mine"), AssumeRolePolicyDocument: aws.String(`{}`),
		Tags: []iamtypes.Tag{{Key: aws.String(names.TagApp), Value: aws.String("savealife")}}}); err != nil {
		t.Fatal(err)
	}
	userFunction := func(name string, tags map[string]string) {
		t.Helper()
		role := "arn:aws:iam::123456789012:role/savealife-dev-mine"
		if _, err := cloud.Lambda().CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: &role,
			Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"), Architectures: []lambdatypes.Architecture{lambdatypes.ArchitectureArm64},
			Code: &lambdatypes.FunctionCode{ZipFile: []byte("x")}, Tags: tags}); err != nil {
			t.Fatal(err)
		}
	}
	userFunction("savealife-dev-mine", nil)
	other := names.Stage{App: "savealife", Stage: "dev-x"}
	userFunction("savealife-dev-x", map[string]string{names.ChaliceTag: other.ChaliceTagValue()})
	before := cloud.Snapshot()

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	got, err := destroy(ctx, t, d, plan.App, path)
	if err != nil {
		t.Fatal(err)
	}
	var deleted []string
	for _, c := range got.Changes {
		if c.Action != deployer.Delete || c.Note == "" {
			t.Errorf("%s %s: want a delete of an unrecorded resource, noted", c.Action, c.Address)
		}
		deleted = append(deleted, c.Address)
	}
	var created []string
	for _, c := range plan.Changes {
		// An API's stages (and a WebSocket API's routes and
		// integrations) and the permissions go with their API and
		// function; the invoke config with its function.
		typ := string(c.Type)
		part := strings.HasPrefix(typ, "websocket_") && c.Type != "websocket_api" &&
			c.Type != deployer.TypeWebSocketDomainName && c.Type != deployer.TypeWebSocketAPIMapping
		if !part && c.Type != deployer.TypeDeployment && c.Type != deployer.TypePermission && c.Type != deployer.TypeInvokeConfig && c.Type != deployer.TypeHTTPStage {
			created = append(created, c.Address)
		}
	}
	slices.Sort(deleted)
	slices.Sort(created)
	if diff := cmp.Diff(created, deleted); diff != "" {
		t.Errorf("deleted (-deployed +deleted):\n%s", diff)
	}
	after := cloud.Snapshot()
	if len(after.Functions) != 2 || len(after.Roles) != 1 {
		t.Errorf("left: functions %v, roles %v; want the user's two functions and role", keys(after.Functions), keys(after.Roles))
	}
	for _, n := range []string{"savealife-dev-mine", "savealife-dev-x"} {
		if diff := cmp.Diff(before.Functions[n], after.Functions[n]); diff != "" {
			t.Errorf("the user's function %s changed:\n%s", n, diff)
		}
	}
	if _, ok := after.Roles["savealife-dev-mine"]; !ok {
		t.Error("the user's role was deleted")
	}

	// Nothing recorded, nothing found: an empty plan.
	again, err := destroy(ctx, t, d, plan.App, path)
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Errorf("second delete plans %d changes", len(again.Changes))
	}
}

// TestCreatedResourcesTagged checks that every resource a deploy makes
// that AWS can tag at create time carries the stage's tags (functions
// their aws-chalice tag).
func TestCreatedResourcesTagged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newEventsCloud()
	_, st, err := deploy(ctx, t, d, everyKindProject(t, false), statePath(t))
	if err != nil {
		t.Fatal(err)
	}
	stage := names.Stage{App: st.App, Stage: st.Stage}
	checked := map[deployer.ResourceType]bool{}
	for addr, rs := range st.Resources {
		var tags map[string]string
		switch rs.Type {
		case deployer.TypeRole:
			out, err := cloud.IAM().GetRole(ctx, &awsiam.GetRoleInput{RoleName: &rs.Name})
			if err != nil {
				t.Fatal(err)
			}
			tags = map[string]string{}
			for _, tg := range out.Role.Tags {
				tags[*tg.Key] = *tg.Value
			}
		case deployer.TypeFunction, deployer.TypeEventSourceMapping:
			out, err := cloud.Lambda().ListTags(ctx, &lambda.ListTagsInput{Resource: &rs.ARN})
			if err != nil {
				t.Fatal(err)
			}
			tags = out.Tags
		case deployer.TypeLogGroup:
			out, err := cloud.Logs().ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: &rs.ARN})
			if err != nil {
				t.Fatal(err)
			}
			tags = out.Tags
		case deployer.TypeRule:
			out, err := cloud.EventBridge().ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: &rs.ARN})
			if err != nil {
				t.Fatal(err)
			}
			tags = map[string]string{}
			for _, tg := range out.Tags {
				tags[*tg.Key] = *tg.Value
			}
		case deployer.TypeUsagePlan:
			out, err := cloud.APIGateway().GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range out.Items {
				if *p.Id == rs.ID {
					tags = p.Tags
				}
			}
		default:
			continue
		}
		checked[rs.Type] = true
		if !stage.Tagged(tags) {
			t.Errorf("%s (%s) tags = %v, want the stage's", addr, rs.Name, tags)
		}
	}
	if len(checked) != 6 {
		t.Errorf("checked the tags of %v only", keys(checked))
	}
}

func keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDeploySweepsWhatAKilledDeployLeft kills a deploy of one app after
// each of its mutating calls, then deploys another app to the same stage:
// what the killed deploy made and the new app does not have is deleted,
// recorded or not, and the account ends as a clean deploy of the new app
// leaves it.
func TestDeploySweepsWhatAKilledDeployLeft(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref, dref := newEventsCloud()
	if _, _, err := deploy(ctx, t, dref, savealife(t), statePath(t)); err != nil {
		t.Fatal(err)
	}
	want := ref.Snapshot()
	killed, dk := newEventsCloud()
	dk.Parallelism = 1
	if _, _, err := deploy(ctx, t, dk, everyKindProject(t, false), statePath(t)); err != nil {
		t.Fatal(err)
	}
	for k, op := range killed.Mutations() {
		t.Run(fmt.Sprintf("%d %s", k+1, op), func(t *testing.T) {
			t.Parallel()
			cloud, d := newEventsCloud()
			d.Parallelism = 1
			runCtx, cancel := context.WithCancel(ctx)
			defer cancel()
			cloud.FailAt, cloud.FailAfterEffect, cloud.OnFail = k+1, true, cancel
			path := statePath(t)
			if _, _, err := deploy(runCtx, t, d, everyKindProject(t, false), path); err == nil {
				t.Fatalf("deploy killed after %s succeeded", op)
			}
			cloud.FailAt, cloud.OnFail = 0, nil
			if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
				t.Fatalf("deploy of the other app: %v", err)
			}
			if diff := cmp.Diff(want, cloud.Snapshot()); diff != "" {
				t.Errorf("AWS (-clean +got):\n%s", diff)
			}
			cloud.ResetCalls()
			if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
				t.Fatal(err)
			}
			if m := cloud.Mutations(); len(m) != 0 {
				t.Errorf("redeploy made mutating calls: %v", m)
			}
		})
	}
}
