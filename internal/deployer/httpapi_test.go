package deployer_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/manifest"
)

// apiCloud is newCloud whose steps run one at a time, so that the order
// of mutating calls is fixed.
func apiCloud() (*fakeaws.Cloud, *deployer.Deployer) {
	c, d := newCloud()
	d.Parallelism = 1
	return c, d
}

// authProject is authapp's stage, resolved from config.
func authProject(t testing.TB, config string, m *manifest.Manifest, stage string) *deployer.Project {
	t.Helper()
	cfg := authStagesConfig(t, config)
	in := authInput(t, cfg, m, stage)
	a, err := deployer.NewArtifact([]byte("bootstrap authapp"))
	if err != nil {
		t.Fatal(err)
	}
	return &deployer.Project{Dir: t.TempDir(), Stage: stage, Config: cfg, Manifest: m, Settings: in.Settings, Code: a}
}

// sourceARNs returns the SourceArn of every permission statement in the
// account, by function and Sid, as Lambda's GetPolicy reports them.
func sourceARNs(t testing.TB, c *fakeaws.Cloud) map[string]string {
	t.Helper()
	out := map[string]string{}
	for name, f := range c.Snapshot().Functions {
		if len(f.Permissions) == 0 {
			continue
		}
		pol, err := c.Lambda().GetPolicy(context.Background(), &lambda.GetPolicyInput{FunctionName: &name})
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Statement []struct {
				Sid       string
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal([]byte(*pol.Policy), &doc); err != nil {
			t.Fatal(err)
		}
		for _, st := range doc.Statement {
			out[name+" "+st.Sid] = st.Condition["ArnLike"]["AWS:SourceArn"]
		}
	}
	return out
}

// TestHTTPAPILifecycle deploys an HTTP API app with custom authorizers,
// redeploys it unchanged (no mutating call), changes a route (the API is
// reimported and its stage serves the change at once), and deletes it
// (nothing left).
func TestHTTPAPILifecycle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	p := authProject(t, authConfig, authManifest(), "http")

	_, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	api, ok := st.Resources["http_api"]
	if !ok || api.ID == "" {
		t.Fatalf("no HTTP API recorded: %v", st.Addresses())
	}
	if _, ok := st.Resources["rest_api"]; ok {
		t.Errorf("an HTTP API stage has a REST API")
	}
	if got, want := deployer.HTTPAPIURL(st), "https://"+api.ID+".execute-api.us-east-1.amazonaws.com/api/"; got != want {
		t.Errorf("HTTPAPIURL = %q, want %q", got, want)
	}
	if got, want := deployer.APIURL(st), "https://"+api.ID+".execute-api.us-east-1.amazonaws.com/api/"; got != want {
		t.Errorf("APIURL = %q, want %q (the HTTP API's stage)", got, want)
	}
	want := []fakeaws.HTTPAPISnapshot{{
		Name: "authapp-http", Description: "gochalice app authapp, stage http",
		Routes:      []string{"ANY /files/{path+}", "GET /admin", "GET /me", "GET /public", "OPTIONS /files/{path+}", "POST /teams/{team}"},
		Authorizers: []string{"iam", "request_auth", "token_auth", "users"},
		Stages:      map[string]bool{"api": true}, AutoDeploy: []string{"api"},
	}}
	if diff := cmp.Diff(want, cloud.Snapshot().HTTPAPIs, cmpIgnoreBody); diff != "" {
		t.Errorf("HTTP APIs (-want +got):\n%s", diff)
	}
	snapSources := map[string]string{}
	for name, f := range cloud.Snapshot().Functions {
		for _, p := range f.Permissions {
			snapSources[name+" "+p.Sid] = p.SourceArn
		}
	}
	snapARN := "arn:aws:execute-api:us-east-1:123456789012:<api:authapp-http>"
	if diff := cmp.Diff(map[string]string{
		"authapp-http gochalice-rest-api":                snapARN + "/*",
		"authapp-http-request_auth gochalice-authorizer": snapARN + "/authorizers/*",
		"authapp-http-token_auth gochalice-authorizer":   snapARN + "/authorizers/*",
	}, snapSources); diff != "" {
		t.Errorf("snapshot's permission sources (-want +got):\n%s", diff)
	}
	arn := "arn:aws:execute-api:us-east-1:123456789012:" + api.ID
	wantSources := map[string]string{
		"authapp-http gochalice-rest-api":                arn + "/*",
		"authapp-http-request_auth gochalice-authorizer": arn + "/authorizers/*",
		"authapp-http-token_auth gochalice-authorizer":   arn + "/authorizers/*",
	}
	if diff := cmp.Diff(wantSources, sourceARNs(t, cloud)); diff != "" {
		t.Errorf("permissions' SourceArn (-want +got):\n%s", diff)
	}

	// Unchanged: nothing to do.
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

	// A new route: the document changes, and only the API is updated.
	p.Manifest.Routes = append(p.Manifest.Routes, manifest.Route{Pattern: "DELETE /public", Method: "DELETE", Path: "/public", CORS: p.Manifest.Routes[0].CORS})
	cloud.ResetCalls()
	plan, _, err = deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"update http_api"}, changes(plan)); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"apigatewayv2:ReimportApi"}, cloud.Mutations()); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	snap := cloud.Snapshot().HTTPAPIs
	if len(snap) != 1 || !snap[0].Stages["api"] || !slices.Contains(snap[0].Routes, "DELETE /public") {
		t.Errorf("after the new route: %+v", snap)
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

var cmpIgnoreBody = cmp.FilterPath(func(p cmp.Path) bool {
	return p.Last().String() == ".BodySHA256"
}, cmp.Ignore())

// TestHTTPAPIImportAnswerLost loses the answer of ImportApi: the deploy
// looks for the API the import made (by name and description) and adopts
// it instead of making a second one.
func TestHTTPAPIImportAnswerLost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := authProject(t, authConfig, authManifest(), "http")
	ref, rd := apiCloud()
	if _, _, err := deploy(ctx, t, rd, p, statePath(t)); err != nil {
		t.Fatal(err)
	}
	at := slices.Index(ref.Mutations(), "apigatewayv2:ImportApi") + 1
	if at == 0 {
		t.Fatalf("no ImportApi in %v", ref.Mutations())
	}

	cloud, d := apiCloud()
	cloud.FailAt, cloud.FailAfterEffect = at, true
	path := statePath(t)
	_, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatalf("deploy with ImportApi's answer lost: %v", err)
	}
	cloud.FailAt = 0
	if n := len(cloud.Snapshot().HTTPAPIs); n != 1 {
		t.Errorf("%d HTTP APIs, want 1", n)
	}
	if diff := cmp.Diff(map[string]bool{"api": true}, cloud.Snapshot().HTTPAPIs[0].Stages); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	if st.Resources["http_api"].Attributes["document_sha256"] == "" {
		t.Errorf("the adopted API's document was not recorded")
	}
}

// TestHTTPStageRenamed moves the API to a new stage: the new one is
// made, the old one deleted, the API kept.
func TestHTTPStageRenamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, authProject(t, authConfig, authManifest(), "http"), path); err != nil {
		t.Fatal(err)
	}
	renamed := strings.Replace(authConfig, `"api_gateway_type": "HTTP"`, `"api_gateway_type": "HTTP", "api_gateway_stage": "v2"`, 1)
	cloud.ResetCalls()
	plan, st, err := deploy(ctx, t, d, authProject(t, renamed, authManifest(), "http"), path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delete http_stage:api", "create http_stage:v2"}, changes(plan), cmp.Transformer("sort", func(s []string) []string {
		s = slices.Clone(s)
		slices.Sort(s)
		return s
	})); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"v2": true}, cloud.Snapshot().HTTPAPIs[0].Stages); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	if u := deployer.HTTPAPIURL(st); !strings.HasSuffix(u, "/v2/") {
		t.Errorf("HTTPAPIURL = %q", u)
	}
}

// TestRestAPIAuthorizersAndPrivateEndpoints deploys the REST API of
// authapp as a PRIVATE API: the authorizers' permissions carry the REST
// API's id, the API has the stage's VPC endpoints, a change of endpoints
// attaches and detaches exactly the difference, and a move to REGIONAL
// detaches them all.
func TestRestAPIAuthorizersAndPrivateEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	_, st, err := deploy(ctx, t, d, authProject(t, authConfig, restAuthManifest(), "dev"), path)
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:execute-api:us-east-1:123456789012:" + st.Resources["rest_api"].ID
	if diff := cmp.Diff(map[string]string{
		"authapp-dev gochalice-rest-api":                arn + "/*",
		"authapp-dev-request_auth gochalice-authorizer": arn + "/authorizers/*",
		"authapp-dev-token_auth gochalice-authorizer":   arn + "/authorizers/*",
	}, sourceARNs(t, cloud)); diff != "" {
		t.Errorf("permissions' SourceArn (-want +got):\n%s", diff)
	}
	vpces := func() []string {
		out, err := cloud.APIGateway().GetRestApis(ctx, &apigateway.GetRestApisInput{})
		if err != nil || len(out.Items) != 1 {
			t.Fatalf("GetRestApis: %v, %v", out, err)
		}
		return out.Items[0].EndpointConfiguration.VpcEndpointIds
	}
	if diff := cmp.Diff([]string{"vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"}, vpces()); diff != "" {
		t.Errorf("VPC endpoints after import (-want +got):\n%s", diff)
	}

	moved := strings.Replace(authConfig, `"vpce-0bbbbbbbbbbbbbbbb"`, `"vpce-0cccccccccccccccc"`, 1)
	if _, _, err := deploy(ctx, t, d, authProject(t, moved, restAuthManifest(), "dev"), path); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"vpce-0aaaaaaaaaaaaaaaa", "vpce-0cccccccccccccccc"}, vpces()); diff != "" {
		t.Errorf("VPC endpoints after the change (-want +got):\n%s", diff)
	}

	regional := `{"version": "2.0", "app_name": "authapp", "stages": {"dev": {"api_gateway_endpoint_type": "REGIONAL"}}}`
	if _, _, err := deploy(ctx, t, d, authProject(t, regional, restAuthManifest(), "dev"), path); err != nil {
		t.Fatal(err)
	}
	if v := vpces(); len(v) != 0 {
		t.Errorf("VPC endpoints of a REGIONAL API: %v", v)
	}

	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, authProject(t, regional, restAuthManifest(), "dev"), path)
	if err != nil {
		t.Fatal(err)
	}
	if c := changes(plan); len(c) != 0 || len(cloud.Mutations()) != 0 {
		t.Errorf("redeploy: changes %v, mutations %v", c, cloud.Mutations())
	}
}

// TestSwitchRESTToHTTP changes a stage's api_gateway_type: the REST API
// goes, the HTTP API comes, and the handler's permission follows.
func TestSwitchRESTToHTTP(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	rest := `{"version": "2.0", "app_name": "authapp", "stages": {"dev": {}}}`
	if _, _, err := deploy(ctx, t, d, authProject(t, rest, authManifest(), "dev"), path); err != nil {
		t.Fatal(err)
	}
	http := `{"version": "2.0", "app_name": "authapp", "stages": {"dev": {"api_gateway_type": "HTTP"}}}`
	_, st, err := deploy(ctx, t, d, authProject(t, http, authManifest(), "dev"), path)
	if err != nil {
		t.Fatal(err)
	}
	snap := cloud.Snapshot()
	if len(snap.RestAPIs) != 0 || len(snap.HTTPAPIs) != 1 {
		t.Fatalf("REST APIs %d, HTTP APIs %d; want 0 and 1", len(snap.RestAPIs), len(snap.HTTPAPIs))
	}
	arn := "arn:aws:execute-api:us-east-1:123456789012:" + st.Resources["http_api"].ID
	if got := sourceARNs(t, cloud)["authapp-dev gochalice-rest-api"]; got != arn+"/*" {
		t.Errorf("handler permission SourceArn = %q, want %q", got, arn+"/*")
	}
}
