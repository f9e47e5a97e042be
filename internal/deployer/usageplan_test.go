package deployer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/manifest"
)

// withAPIKey returns authapp's manifest with its first route requiring
// an API key.
func withAPIKey() *manifest.Manifest {
	m := authManifest()
	m.Routes[0].APIKeyRequired = true
	return m
}

// withoutAPIKeys returns m with no route requiring an API key.
func withoutAPIKeys(m *manifest.Manifest) *manifest.Manifest {
	for i := range m.Routes {
		m.Routes[i].APIKeyRequired = false
	}
	return m
}

// TestUsagePlanLifecycle deploys authapp's REST API with a route that
// requires an API key: the stage gets the usage plan
// authapp-dev. A redeploy changes nothing; dropping the last API-key
// route deletes the plan (its stage taken out first, as API Gateway
// requires); bringing it back makes it again; deleting the app leaves
// nothing.
func TestUsagePlanLifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	p := authProject(t, authConfig, withAPIKey(), "dev")

	_, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	want := []fakeaws.UsagePlanSnapshot{{Name: "authapp-dev", Description: "gochalice app authapp, stage dev", APIStages: []string{"<api:authapp-dev>:api"}}}
	if diff := cmp.Diff(want, cloud.Snapshot().UsagePlans); diff != "" {
		t.Errorf("usage plans (-want +got):\n%s", diff)
	}
	if got, want := st.Resources["usage_plan"].Attributes["api_stages"], st.Resources["rest_api"].ID+":api"; got != want {
		t.Errorf("recorded api_stages = %q, want %q", got, want)
	}

	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	if c := changes(plan); len(c) != 0 {
		t.Errorf("redeploy plans %v", c)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy mutated: %v", m)
	}

	// No route requires a key: the plan goes, the API stays.
	noKeys := authProject(t, authConfig, withoutAPIKeys(authManifest()), "dev")
	cloud.ResetCalls()
	plan, _, err = deploy(ctx, t, d, noKeys, path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changes(plan), "delete usage_plan") {
		t.Errorf("changes %v, want the usage plan deleted", changes(plan))
	}
	if m := cloud.Mutations(); !slices.Contains(m, "apigateway:DeleteUsagePlan") || slices.Contains(m, "apigateway:DeleteRestApi") {
		t.Errorf("mutations %v, want the plan deleted and the API kept", m)
	}
	if got := cloud.Snapshot().UsagePlans; len(got) != 0 {
		t.Errorf("usage plans left: %+v", got)
	}

	if _, _, err := deploy(ctx, t, d, p, path); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, cloud.Snapshot().UsagePlans); diff != "" {
		t.Errorf("usage plans after the key route is back (-want +got):\n%s", diff)
	}
	recorded, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
		t.Fatal(err)
	}
	if !cloud.Empty() {
		t.Errorf("left behind: %+v", cloud.Snapshot())
	}
}

// TestUsagePlanCreateAnswerLost loses CreateUsagePlan's answer: the
// deploy looks for the plan (by name and description in GetUsagePlans)
// and adopts it instead of making a second one.
func TestUsagePlanCreateAnswerLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := authProject(t, authConfig, withAPIKey(), "dev")
	ref, rd := apiCloud()
	if _, _, err := deploy(ctx, t, rd, p, statePath(t)); err != nil {
		t.Fatal(err)
	}
	at := slices.Index(ref.Mutations(), "apigateway:CreateUsagePlan") + 1
	if at == 0 {
		t.Fatalf("no CreateUsagePlan in %v", ref.Mutations())
	}

	cloud, d := apiCloud()
	cloud.FailAt, cloud.FailAfterEffect = at, true
	path := statePath(t)
	_, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatalf("deploy with CreateUsagePlan's answer lost: %v", err)
	}
	if st.Resources["usage_plan"].ID == "" {
		t.Errorf("the adopted usage plan was not recorded: %+v", st.Resources["usage_plan"])
	}
	cloud.FailAt = 0
	cloud.ResetCalls()
	if _, _, err := deploy(ctx, t, d, p, path); err != nil {
		t.Fatal(err)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy made mutating calls: %v", m)
	}
	want := []fakeaws.UsagePlanSnapshot{{Name: "authapp-dev", Description: "gochalice app authapp, stage dev", APIStages: []string{"<api:authapp-dev>:api"}}}
	if diff := cmp.Diff(want, cloud.Snapshot().UsagePlans); diff != "" {
		t.Errorf("usage plans (-want +got):\n%s", diff)
	}
}

// TestUsagePlanStageRenamed moves the REST API to a new stage: the usage
// plan is kept and patched to the new stage (the old one is deleted).
func TestUsagePlanStageRenamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, authProject(t, authConfig, withAPIKey(), "dev"), path); err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(authConfig, `"dev": {`, `"dev": {"api_gateway_stage": "v2", `, 1)
	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, authProject(t, renamed, withAPIKey(), "dev"), path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(changes(plan), "update usage_plan") {
		t.Errorf("changes %v, want the usage plan updated", changes(plan))
	}
	if m := cloud.Mutations(); slices.Contains(m, "apigateway:DeleteUsagePlan") || slices.Contains(m, "apigateway:CreateUsagePlan") {
		t.Errorf("mutations %v, want the plan kept", m)
	}
	want := []fakeaws.UsagePlanSnapshot{{Name: "authapp-dev", Description: "gochalice app authapp, stage dev", APIStages: []string{"<api:authapp-dev>:v2"}}}
	if diff := cmp.Diff(want, cloud.Snapshot().UsagePlans); diff != "" {
		t.Errorf("usage plans (-want +got):\n%s", diff)
	}
	cloud.ResetCalls()
	if plan, _, err = deploy(ctx, t, d, authProject(t, renamed, withAPIKey(), "dev"), path); err != nil {
		t.Fatal(err)
	}
	if c := changes(plan); len(c) != 0 {
		t.Errorf("redeploy plans %v", c)
	}
}
