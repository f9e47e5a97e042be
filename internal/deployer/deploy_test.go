package deployer_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

func TestFirstDeployPlanGolden(t *testing.T) {
	t.Parallel()
	_, d := newCloud()
	plan, err := d.PlanProject(context.Background(), savealife(t), target, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range plan.Changes {
		got = append(got, fmt.Sprintf("%s %s %s", c.Action, c.Address, c.Name))
	}
	want := []string{
		"create role:api_handler savealife-dev-api_handler",
		"create role:handle_stream savealife-dev-handle_stream",
		"create function:api_handler savealife-dev",
		"create function:handle_stream savealife-dev-handle_stream",
		"create esm:handle_stream savealife-dev-handle_stream",
		"create rest_api savealife-dev",
		"create deployment:api api",
		"create permission:api_handler gochalice-rest-api",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	var text strings.Builder
	if err := deployer.WritePlan(&text, plan); err != nil {
		t.Fatal(err)
	}
	golden(t, "savealife-first-plan.golden", []byte(text.String()))
	data, err := deployer.MarshalPlan(plan)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "savealife-first-plan.json", data)
}

// TestDeployRedeployDelete is the life of an app stage: deploy, redeploy
// unchanged (no mutating call), change a setting (only that changes),
// delete (nothing left).
func TestDeployRedeployDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	p := savealife(t)
	_, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	url := deployer.APIURL(st)
	if !strings.HasPrefix(url, "https://a") || !strings.HasSuffix(url, ".execute-api.us-east-1.amazonaws.com/api/") {
		t.Errorf("APIURL = %q", url)
	}
	snap := cloud.Snapshot()
	if len(snap.Roles) != 2 || len(snap.Functions) != 2 || len(snap.Mappings) != 1 || len(snap.RestAPIs) != 1 {
		t.Fatalf("after deploy: %+v", snap)
	}
	stream := snap.Functions["savealife-dev-handle_stream"]
	if stream.Environment["STREAM_ARN"] == "" || stream.Environment["TABLE_NAME"] != "savealife-donors" || stream.Environment["GOCHALICE_HANDLER"] != "handle_stream" {
		t.Errorf("handle_stream environment = %v", stream.Environment)
	}
	api := snap.Functions["savealife-dev"]
	if api.Environment["TABLE_NAME"] != "savealife-donors" || api.Environment["STREAM_ARN"] != "" || api.Environment["GOCHALICE_HANDLER"] != "api_handler" {
		t.Errorf("api_handler environment = %v", api.Environment)
	}
	wantPerm := []fakeaws.PermissionSnapshot{{Sid: "gochalice-rest-api", Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction",
		SourceArn: "arn:aws:execute-api:us-east-1:123456789012:<api:savealife-dev>/*"}}
	if diff := cmp.Diff(wantPerm, api.Permissions); diff != "" {
		t.Errorf("permissions (-want +got):\n%s", diff)
	}
	if m := snap.Mappings[0]; m.BatchSize != 50 || m.StartingPosition != "TRIM_HORIZON" || !slices.Equal(m.ResponseTypes, []string{"ReportBatchItemFailures"}) {
		t.Errorf("mapping = %+v", m)
	}

	t.Run("redeploy unchanged makes no mutating call", func(t *testing.T) {
		cloud.ResetCalls()
		plan, _, err := deploy(ctx, t, d, p, path)
		if err != nil {
			t.Fatal(err)
		}
		if plan.HasChanges() {
			var b strings.Builder
			deployer.WritePlan(&b, plan)
			t.Errorf("plan has changes:\n%s", b.String())
		}
		if m := cloud.Mutations(); len(m) != 0 {
			t.Errorf("mutating calls: %v", m)
		}
	})

	t.Run("a config change updates only what changed", func(t *testing.T) {
		changed := savealife(t)
		changed.Settings["handle_stream"].LambdaMemorySize = 512
		changed.Settings["handle_stream"].Tags = map[string]string{"team": "blood"}
		cloud.ResetCalls()
		plan, _, err := deploy(ctx, t, d, changed, path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range plan.Changes {
			if c.Action != deployer.NoOp {
				for _, diff := range c.Diffs {
					got = append(got, c.Action.String()+" "+c.Address+" "+diff.Attribute)
				}
			}
		}
		want := []string{"update function:handle_stream memory_size", "update function:handle_stream tags"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff([]string{"lambda:UpdateFunctionConfiguration", "lambda:TagResource"}, cloud.Mutations()); diff != "" {
			t.Errorf("mutating calls (-want +got):\n%s", diff)
		}
		if got := cloud.Snapshot().Functions["savealife-dev-handle_stream"].MemorySize; got != 512 {
			t.Errorf("memory = %d", got)
		}
	})

	t.Run("new code is uploaded once", func(t *testing.T) {
		p2 := savealife(t)
		p2.Code, _ = deployer.NewArtifact([]byte("bootstrap v2"))
		cloud.ResetCalls()
		if _, _, err := deploy(ctx, t, d, p2, path); err != nil {
			t.Fatal(err)
		}
		want := []string{"lambda:UpdateFunctionCode", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:UntagResource"}
		got := cloud.Mutations()
		slices.Sort(want)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("mutating calls (-want +got):\n%s", diff)
		}
	})

	t.Run("delete leaves nothing", func(t *testing.T) {
		recorded, err := deployer.LoadState(path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path))
		if err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("left behind: %+v", cloud.Snapshot())
		}
		if len(st.Resources) != 0 {
			t.Errorf("state still records %v", st.Addresses())
		}
		// Deleting again, from a stale record, tolerates what is gone.
		if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), nil); err != nil {
			t.Errorf("second delete: %v", err)
		}
	})
}

// TestSweep removes a handler from the app: its function, role and
// mapping are deleted, nothing else changes.
func TestSweep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
		t.Fatal(err)
	}
	p := savealife(t)
	p.Manifest.Functions = slices.DeleteFunc(p.Manifest.Functions, func(f manifestFunction) bool { return f.Name == "handle_stream" })
	delete(p.Settings, "handle_stream")
	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range plan.Changes {
		if c.Action != deployer.NoOp {
			got = append(got, c.Action.String()+" "+c.Address)
		}
	}
	want := []string{"delete role:handle_stream", "delete function:handle_stream", "delete esm:handle_stream"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	// Reverse dependency order: the mapping, then the function, then the
	// role.
	wantCalls := []string{"lambda:DeleteEventSourceMapping", "lambda:DeleteFunction", "iam:DeleteRolePolicy", "iam:DeleteRole"}
	if diff := cmp.Diff(wantCalls, cloud.Mutations()); diff != "" {
		t.Errorf("mutating calls (-want +got):\n%s", diff)
	}
	snap := cloud.Snapshot()
	if _, ok := snap.Functions["savealife-dev-handle_stream"]; ok || len(snap.Mappings) != 0 || len(snap.Roles) != 1 {
		t.Errorf("after sweep: %+v", snap)
	}
}

// TestRefresh covers state that disagrees with AWS: a recorded resource
// deleted behind our back is recreated, and resources that exist but were
// not recorded (a lost state file) are adopted, never duplicated.
func TestRefresh(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
		t.Fatal(err)
	}
	clean := cloud.Snapshot()

	t.Run("gone is recreated", func(t *testing.T) {
		name := "savealife-dev-handle_stream"
		if _, err := cloud.Lambda().DeleteFunction(ctx, lambdaDelete(name)); err != nil {
			t.Fatal(err)
		}
		plan, _, err := deploy(ctx, t, d, savealife(t), path)
		if err != nil {
			t.Fatal(err)
		}
		if c := change(plan, "function:handle_stream"); c.Action != deployer.Create {
			t.Errorf("function:handle_stream: %s, want create", c.Action)
		}
		if diff := cmp.Diff(clean, cloud.Snapshot()); diff != "" {
			t.Errorf("state (-clean +got):\n%s", diff)
		}
	})

	t.Run("unrecorded is adopted", func(t *testing.T) {
		other := statePath(t) // no recorded state
		plan, _, err := deploy(ctx, t, d, savealife(t), other)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range plan.Changes {
			if c.Action == deployer.Create {
				t.Errorf("%s: create, want adopt", c.Address)
			}
			if !strings.Contains(c.Note, "adopted") {
				t.Errorf("%s: note %q does not say adopted", c.Address, c.Note)
			}
		}
		if diff := cmp.Diff(clean, cloud.Snapshot()); diff != "" {
			t.Errorf("state (-clean +got):\n%s", diff)
		}
		cloud.ResetCalls()
		if _, _, err := deploy(ctx, t, d, savealife(t), other); err != nil {
			t.Fatal(err)
		}
		if m := cloud.Mutations(); len(m) != 0 {
			t.Errorf("after adoption, redeploy made mutating calls: %v", m)
		}
	})
}

func change(p *deployer.Plan, addr string) deployer.Change {
	for _, c := range p.Changes {
		if c.Address == addr {
			return c
		}
	}
	return deployer.Change{}
}

// TestUnfriendlyAWS deploys against an AWS that throttles often, keeps
// functions updating for a while and takes time to let Lambda assume new
// roles: the result is a clean deploy's.
func TestUnfriendlyAWS(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref, dref := newCloud()
	if _, _, err := deploy(ctx, t, dref, savealife(t), statePath(t)); err != nil {
		t.Fatal(err)
	}
	cloud := fakeaws.New()
	cloud.ThrottleEvery = 5
	cloud.PendingPolls = 4
	cloud.RoleAssumeDelay = 4
	if _, _, err := deploy(ctx, t, fast(cloud), savealife(t), statePath(t)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ref.Snapshot(), cloud.Snapshot()); diff != "" {
		t.Errorf("state (-clean +got):\n%s", diff)
	}
	throttled := 0
	for _, c := range cloud.Calls() {
		if c.Throttled {
			throttled++
		}
	}
	if throttled == 0 {
		t.Error("no call was throttled")
	}
}
