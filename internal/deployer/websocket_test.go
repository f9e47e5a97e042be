package deployer_test

import (
	"context"
	"encoding/json"
	"errors"
	"path"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// chatConfig is examples/chat's configuration, with a stage whose API
// Gateway stage is renamed and one whose message handler has a policy
// file.
const chatConfig = `{
  "version": "2.0",
  "app_name": "chat",
  "stages": {
    "dev": {},
    "v2": {"api_gateway_stage": "v2"},
    "files": {"lambda_functions": {"websocket_message": {"autogen_policy": false, "iam_policy_file": "policy-message.json"}}}
  }
}`

// fstestConfig is a project folder with config.json and the given files
// of .chalice/.
func fstestConfig(config string, files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{stages.ConfigFile: {Data: []byte(config)}}
	for name, data := range files {
		fsys[path.Join(path.Dir(stages.ConfigFile), name)] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// chatManifest is a chat app: the three WebSocket handlers, or (without
// disconnect) the first two.
func chatManifest(disconnect bool) *manifest.Manifest {
	h := func(name string) manifest.Handler {
		return manifest.Handler{Name: "main." + name, File: "main.go", Line: 1}
	}
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "chat", Functions: []manifest.Function{
		{Name: "websocket_connect", Kind: manifest.KindWebSocketConnect, Handler: h("connect")},
		{Name: "websocket_message", Kind: manifest.KindWebSocketMessage, Handler: h("message")},
	}}
	if disconnect {
		m.Functions = append(m.Functions, manifest.Function{Name: "websocket_disconnect", Kind: manifest.KindWebSocketDisconnect, Handler: h("disconnect")})
	}
	m.Sort()
	return m
}

// chatProject is the chat app's stage.
func chatProject(t testing.TB, stage string, disconnect bool) *deployer.Project {
	t.Helper()
	cfg, err := stages.LoadFS(fstestConfig(chatConfig, map[string]string{"policy-message.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:ManageConnections", "Resource": "arn:aws:execute-api:us-east-1:123456789012:{websocket_api_id}/*"}]}`}))
	if err != nil {
		t.Fatal(err)
	}
	m := chatManifest(disconnect)
	p := &deployer.Project{Dir: t.TempDir(), Stage: stage, Config: cfg, Manifest: m, Settings: map[string]*stages.Settings{}}
	for _, fn := range m.Functions {
		s, err := cfg.Resolve(stage, fn.Name)
		if err != nil {
			t.Fatal(err)
		}
		p.Settings[fn.Name] = s
	}
	p.Code = mustArtifact(t, "chat")
	return p
}

// sendPolicy is what gen-policy makes of a message handler that answers
// with wsapi.Send, resolved for t: execute-api:ManageConnections on the
// app's WebSocket API's connections, the API named by its placeholder.
func sendPolicy(t deployer.Target) deployer.PolicySource {
	return func(ctx context.Context, fn manifest.Function, s *stages.Settings) (*iam.Policy, error) {
		if fn.Kind != manifest.KindWebSocketMessage || !s.AutogenPolicy {
			return deployer.FilePolicies(ctx, fn, s)
		}
		return &iam.Policy{Version: iam.Version, Statement: []iam.Statement{{
			Effect: "Allow", Action: iam.Strings{"execute-api:ManageConnections"},
			Resource: iam.Strings{t.ExecuteAPI(deployer.WebSocketAPIIDPlaceholder) + "/*/POST/@connections/*"},
		}}}, nil
	}
}

// wsDeploy plans p with sendPolicy against the fake and the state at path,
// and applies it.
func wsDeploy(ctx context.Context, t *testing.T, d *deployer.Deployer, p *deployer.Project, path string) (*deployer.Plan, *deployer.State) {
	t.Helper()
	recorded, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := d.PlanProject(ctx, p, target, sendPolicy(target), recorded)
	if err != nil {
		t.Fatal(err)
	}
	st, err := d.Apply(ctx, plan, deployer.StateFile(path))
	if err != nil {
		t.Fatal(err)
	}
	return plan, st
}

// rolePolicy returns the inline policy of a role in the fake.
func rolePolicy(t *testing.T, c *fakeaws.Cloud, role string) string {
	t.Helper()
	r, ok := c.Snapshot().Roles[role]
	if !ok {
		t.Fatalf("no role %s", role)
	}
	return r.Policies[role]
}

// TestWebSocketDeployRedeployDelete deploys the chat app against the
// fakes: the WebSocket API with its routes, integrations and stage, each
// handler invocable from its route only, the message handler's role
// allowed to post to exactly this API's connections; an unchanged
// redeploy makes no mutating call; a handler removed is swept with its
// route; an API deleted behind gochalice's back is made again and the
// role and permissions follow its new id; delete removes everything.
func TestWebSocketDeployRedeployDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)

	plan, st := wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
	var order []string
	for _, c := range plan.Changes {
		if c.Action != deployer.Create {
			t.Errorf("first deploy: %s %s", c.Action, c.Address)
		}
		order = append(order, c.Address)
	}
	if order[0] != "websocket_api" {
		t.Errorf("first change is %s, want the WebSocket API (the message role names it)", order[0])
	}
	if c := change(plan, "role:websocket_message"); !slices.Contains(c.Desired.DependsOn, "websocket_api") {
		t.Errorf("role:websocket_message depends on %v, want the WebSocket API", c.Desired.DependsOn)
	}
	if c := change(plan, "role:websocket_connect"); len(c.Desired.DependsOn) != 0 {
		t.Errorf("role:websocket_connect depends on %v, want nothing", c.Desired.DependsOn)
	}

	api := st.Resources["websocket_api"]
	if api.ID == "" || api.Name != "chat-dev-websocket-api" {
		t.Fatalf("recorded WebSocket API = %+v", api)
	}
	uri := func(fn string) string {
		return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat-dev-" + fn + "/invocations"
	}
	want := []fakeaws.WebSocketAPISnapshot{{
		Name: "chat-dev-websocket-api", Description: "gochalice app chat, stage dev", RouteSelectionExpression: "$request.body.action",
		Routes:       map[string]string{"$connect": uri("websocket_connect"), "$default": uri("websocket_message"), "$disconnect": uri("websocket_disconnect")},
		Integrations: []string{uri("websocket_connect"), uri("websocket_disconnect"), uri("websocket_message")},
		Stages:       map[string]bool{"api": true}, AutoDeploy: []string{"api"},
	}}
	snap := cloud.Snapshot()
	if diff := cmp.Diff(want, snap.WebSocketAPIs); diff != "" {
		t.Errorf("WebSocket APIs (-want +got):\n%s", diff)
	}
	for fn, key := range map[string]string{"websocket_connect": "$connect", "websocket_message": "$default", "websocket_disconnect": "$disconnect"} {
		got := snap.Functions["chat-dev-"+fn].Permissions
		wantPerm := []fakeaws.PermissionSnapshot{{Sid: deployer.WebSocketPermissionStatementID, Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction",
			SourceArn: "arn:aws:execute-api:us-east-1:123456789012:<api:chat-dev-websocket-api>/*/" + key}}
		if diff := cmp.Diff(wantPerm, got); diff != "" {
			t.Errorf("%s permissions (-want +got):\n%s", fn, diff)
		}
	}
	send := "arn:aws:execute-api:us-east-1:123456789012:" + api.ID + "/*/POST/@connections/*"
	if pol := rolePolicy(t, cloud, "chat-dev-websocket_message"); !strings.Contains(pol, send) || strings.Contains(pol, deployer.WebSocketAPIIDPlaceholder) {
		t.Errorf("message role policy = %s, want %s and no placeholder", pol, send)
	}
	if pol := rolePolicy(t, cloud, "chat-dev-websocket_connect"); strings.Contains(pol, "execute-api") {
		t.Errorf("connect role policy = %s, want no execute-api", pol)
	}
	if got, want := deployer.WebSocketURL(st), "wss://"+api.ID+".execute-api.us-east-1.amazonaws.com/api"; got != want {
		t.Errorf("WebSocketURL = %q, want %q", got, want)
	}

	// Unchanged: nothing to do.
	cloud.ResetCalls()
	plan, _ = wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
	if plan.HasChanges() {
		t.Errorf("redeploy plans changes: %v", plan.Counts())
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy made mutating calls: %v", m)
	}

	// The disconnect handler removed: its route, integration, permission,
	// function and role go; the stage serves what is left.
	plan, _ = wsDeploy(ctx, t, d, chatProject(t, "dev", false), path)
	var deleted []string
	for _, c := range plan.Changes {
		switch c.Action {
		case deployer.Delete:
			deleted = append(deleted, c.Address)
		case deployer.NoOp:
		default:
			t.Errorf("handler removed: %s %s", c.Action, c.Address)
		}
	}
	slices.Sort(deleted)
	if diff := cmp.Diff([]string{"function:websocket_disconnect", "permission:websocket_disconnect", "role:websocket_disconnect",
		"websocket_integration:websocket_disconnect", "websocket_route:websocket_disconnect"}, deleted); diff != "" {
		t.Errorf("handler removed: deleted (-want +got):\n%s", diff)
	}
	snap = cloud.Snapshot()
	if got := snap.WebSocketAPIs[0]; len(got.Routes) != 2 || got.Routes["$disconnect"] != "" || len(got.Integrations) != 2 || !got.Stages["api"] {
		t.Errorf("after the handler's removal: %+v", got)
	}

	// The API deleted behind gochalice's back: made again, with its
	// routes, and the role and permissions name its new id.
	if _, err := cloud.HTTPAPI().DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: &api.ID}); err != nil {
		t.Fatal(err)
	}
	_, st = wsDeploy(ctx, t, d, chatProject(t, "dev", false), path)
	again := st.Resources["websocket_api"]
	if again.ID == api.ID || again.ID == "" {
		t.Fatalf("WebSocket API after its deletion = %+v", again)
	}
	send = "arn:aws:execute-api:us-east-1:123456789012:" + again.ID + "/*/POST/@connections/*"
	if pol := rolePolicy(t, cloud, "chat-dev-websocket_message"); !strings.Contains(pol, send) {
		t.Errorf("message role policy = %s, want %s", pol, send)
	}
	if got := sourceARNs(t, cloud); got["chat-dev-websocket_message "+deployer.WebSocketPermissionStatementID] != "arn:aws:execute-api:us-east-1:123456789012:"+again.ID+"/*/$default" {
		t.Errorf("permissions = %v", got)
	}
	if got := cloud.Snapshot().WebSocketAPIs; len(got) != 1 || len(got[0].Routes) != 2 || !got[0].Stages["api"] {
		t.Errorf("WebSocket APIs after the API was made again = %+v", got)
	}

	recorded, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
		t.Fatal(err)
	}
	if !cloud.Empty() {
		t.Errorf("after delete: %+v", cloud.Snapshot())
	}
}

// TestWebSocketStageRenamed: a new api_gateway_stage is a new stage of the
// same API; the old one is deleted.
func TestWebSocketStageRenamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
	p := chatProject(t, "dev", true)
	for _, s := range p.Settings {
		s.APIGatewayStage = "v2"
	}
	_, st := wsDeploy(ctx, t, d, p, path)
	if got := cloud.Snapshot().WebSocketAPIs; len(got) != 1 || !cmp.Equal(got[0].Stages, map[string]bool{"v2": true}) {
		t.Errorf("WebSocket APIs = %+v, want one with stage v2 only", got)
	}
	if got := deployer.WebSocketURL(st); !strings.HasSuffix(got, "/v2") {
		t.Errorf("WebSocketURL = %q", got)
	}
}

// TestWebSocketCrashConsistency interrupts the first deploy at every
// mutating call, its answer lost after it took effect, as a timeout would:
// the next deploy finishes it without a second API, integration or
// route, and an unchanged deploy after that changes nothing.
func TestWebSocketCrashConsistency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	wsDeploy(ctx, t, d, chatProject(t, "dev", true), statePath(t))
	total := len(cloud.Mutations())
	for n := 1; n <= total; n++ {
		cloud, d := newCloud()
		cloud.FailAt, cloud.FailAfterEffect, cloud.ResendLostAnswer = n, true, true
		path := statePath(t)
		recorded, _ := deployer.LoadState(path)
		plan, err := d.PlanProject(ctx, chatProject(t, "dev", true), target, sendPolicy(target), recorded)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Apply(ctx, plan, deployer.StateFile(path)); err == nil {
			continue // the lost answer was a retried call's
		}
		cloud.FailAt = 0
		wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
		got := cloud.Snapshot().WebSocketAPIs
		if len(got) != 1 || len(got[0].Integrations) != 3 || len(got[0].Routes) != 3 || !got[0].Stages["api"] {
			t.Errorf("failure at call %d: WebSocket APIs = %+v", n, got)
		}
		cloud.ResetCalls()
		if plan, _ := wsDeploy(ctx, t, d, chatProject(t, "dev", true), path); plan.HasChanges() {
			t.Errorf("failure at call %d: the deploy after plans %v", n, plan.Counts())
		}
	}
}

// TestWebSocketPolicies: a generated policy that manages WebSocket
// connections needs the app's WebSocket API; a policy file is the user's,
// put as it is.
func TestWebSocketPolicies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	// An app without WebSocket handlers whose code sends to connections.
	p := chatProject(t, "dev", true)
	p.Manifest.Functions = []manifest.Function{{Name: "notify", Kind: manifest.KindFunction, Handler: p.Manifest.Functions[0].Handler}}
	s := *p.Settings["websocket_message"]
	p.Settings = map[string]*stages.Settings{"notify": &s}
	_, err := (&deployer.Deployer{}).PlanProject(ctx, p, target, func(ctx context.Context, fn manifest.Function, s *stages.Settings) (*iam.Policy, error) {
		return sendPolicy(target)(ctx, manifest.Function{Name: fn.Name, Kind: manifest.KindWebSocketMessage}, s)
	}, nil)
	var ve *deployer.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Subject != "function notify" || !strings.Contains(ve.Problems[0].Problem, "registers no WebSocket handler") {
		t.Errorf("err = %v, want one problem of function notify", err)
	}

	// A policy file naming the placeholder is put as it is, and the role
	// does not wait for the API.
	plan, err := (&deployer.Deployer{}).PlanProject(ctx, chatProject(t, "files", true), target, sendPolicy(target), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := change(plan, "role:websocket_message")
	if len(c.Desired.DependsOn) != 0 || !strings.Contains(c.Desired.Role.Policy, deployer.WebSocketAPIIDPlaceholder) {
		t.Errorf("role of a policy file: depends on %v, policy %s", c.Desired.DependsOn, c.Desired.Role.Policy)
	}
}

// TestWebSocketPlanGolden pins the first plan of the chat app.
func TestWebSocketPlanGolden(t *testing.T) {
	t.Parallel()
	plan, err := (&deployer.Deployer{}).PlanProject(context.Background(), chatProject(t, "dev", true), target, sendPolicy(target), nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "websocket.plan.json", append(data, '\n'))
}

// TestWebSocketDrift: an integration and a route changed behind
// gochalice's back are put back in place by the next deploy, with an
// update each, not a new resource.
func TestWebSocketDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newCloud()
	path := statePath(t)
	_, st := wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
	api := st.Resources["websocket_api"].ID
	connect, message := st.Resources["websocket_integration:websocket_connect"].ID, st.Resources["websocket_route:websocket_message"].ID
	other := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:other/invocations"
	if _, err := cloud.HTTPAPI().UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{ApiId: &api, IntegrationId: &connect, IntegrationUri: &other}); err != nil {
		t.Fatal(err)
	}
	target := "integrations/" + connect
	if _, err := cloud.HTTPAPI().UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &api, RouteId: &message, Target: &target}); err != nil {
		t.Fatal(err)
	}
	want := cloud.Snapshot().WebSocketAPIs
	if want[0].Routes["$default"] != other {
		t.Fatalf("drift not made: %+v", want)
	}
	cloud.ResetCalls()
	wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
	muts := cloud.Mutations()
	slices.Sort(muts)
	if diff := cmp.Diff([]string{"apigatewayv2:UpdateIntegration", "apigatewayv2:UpdateRoute"}, muts); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
	uri := func(fn string) string {
		return "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:chat-dev-" + fn + "/invocations"
	}
	got := cloud.Snapshot().WebSocketAPIs
	if diff := cmp.Diff(map[string]string{"$connect": uri("websocket_connect"), "$default": uri("websocket_message"), "$disconnect": uri("websocket_disconnect")}, got[0].Routes); diff != "" || !got[0].Stages["api"] {
		t.Errorf("routes after the repair (-want +got):\n%s (stage serves them: %v)", diff, got[0].Stages["api"])
	}
}
