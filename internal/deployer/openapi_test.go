package deployer_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// authConfig is the config of authapp: a PRIVATE REST API reachable
// through two VPC endpoints (dev), and an HTTP API (http).
const authConfig = `{
  "version": "2.0",
  "app_name": "authapp",
  "stages": {
    "dev": {"api_gateway_endpoint_type": "PRIVATE", "api_gateway_endpoint_vpce": ["vpce-0bbbbbbbbbbbbbbbb", "vpce-0aaaaaaaaaaaaaaaa"]},
    "http": {"api_gateway_type": "HTTP"}
  }
}`

const userPoolARN = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123"

// authManifest is an app with every kind of authorizer: IAM, a Cognito
// user pool (with scopes and an audience), a TOKEN and a REQUEST Lambda
// authorizer, CORS on every route, a greedy ANY route and binary types.
func authManifest() *manifest.Manifest {
	cors := &manifest.CORS{AllowOrigin: "https://example.com", AllowHeaders: []string{"Content-Type", "Authorization"}, MaxAge: 600}
	return &manifest.Manifest{
		SchemaVersion: manifest.SchemaVersion, AppName: "authapp",
		BinaryTypes: []string{"image/png"},
		Authorizers: []manifest.Authorizer{
			{Name: "iam", Type: manifest.AuthorizerIAM},
			{Name: "request_auth", Type: manifest.AuthorizerRequest, IdentitySources: []string{"method.request.header.X-Team", "method.request.querystring.team"}, TTLSeconds: 60},
			{Name: "token_auth", Type: manifest.AuthorizerToken, IdentitySources: []string{"method.request.header.Authorization"}, TTLSeconds: 300},
			{Name: "users", Type: manifest.AuthorizerCognito, ProviderARNs: []string{userPoolARN}, Audience: []string{"client-1"}},
		},
		Routes: []manifest.Route{
			{Pattern: "GET /admin", Method: "GET", Path: "/admin", Authorizer: "iam", CORS: cors},
			{Pattern: "/files/{path...}", Method: "ANY", Path: "/files/{path+}", Authorizer: "token_auth", CORS: cors, BinaryTypes: []string{"application/pdf"}},
			{Pattern: "GET /me", Method: "GET", Path: "/me", Authorizer: "users", AuthorizationScopes: []string{"profile/read"}, CORS: cors},
			{Pattern: "GET /public", Method: "GET", Path: "/public", CORS: cors},
			{Pattern: "POST /teams/{team}", Method: "POST", Path: "/teams/{team}", Authorizer: "request_auth", CORS: cors},
		},
		Functions: []manifest.Function{
			{Name: manifest.APIHandlerName, Kind: manifest.KindAPI},
			{Name: "request_auth", Kind: manifest.KindAuthorizer, Handler: manifest.Handler{Name: "main.requestAuth"}},
			{Name: "token_auth", Kind: manifest.KindAuthorizer, Handler: manifest.Handler{Name: "main.tokenAuth"}},
		},
	}
}

// restAuthManifest is authManifest with an API key on GET /public, which
// only a REST API supports.
func restAuthManifest() *manifest.Manifest {
	m := authManifest()
	for i := range m.Routes {
		if m.Routes[i].Path == "/public" {
			m.Routes[i].APIKeyRequired = true
		}
	}
	return m
}

func authStagesConfig(t testing.TB, config string) *stages.Config {
	t.Helper()
	cfg, err := stages.LoadFS(fstest.MapFS{stages.ConfigFile: {Data: []byte(config)}})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// authInput is the input of BuildDesired for m in stage.
func authInput(t testing.TB, cfg *stages.Config, m *manifest.Manifest, stage string) deployer.Input {
	t.Helper()
	in := deployer.Input{Manifest: m, Settings: map[string]*stages.Settings{}, Target: target}
	for _, fn := range m.Functions {
		s, err := cfg.Resolve(stage, fn.Name)
		if err != nil {
			t.Fatal(err)
		}
		in.Settings[fn.Name] = s
	}
	return in
}

// TestAPIDocumentsGolden pins the OpenAPI documents of authapp: the REST
// API's (security definitions of every authorizer type, the API key,
// OPTIONS without authorization, the private API's VPC endpoints and the
// resource policy that admits only them) and the HTTP API's (JWT, SigV4
// and Lambda REQUEST authorizers, the API's one CORS configuration).
func TestAPIDocumentsGolden(t *testing.T) {
	t.Parallel()
	cfg := authStagesConfig(t, authConfig)
	for _, tc := range []struct {
		stage, address, golden string
		m                      *manifest.Manifest
	}{
		{"dev", "rest_api", "api/authapp-rest.openapi.json", restAuthManifest()},
		{"http", "http_api", "api/authapp-http.openapi.json", authManifest()},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			t.Parallel()
			d, err := deployer.BuildDesired(authInput(t, cfg, tc.m, tc.stage))
			if err != nil {
				t.Fatal(err)
			}
			r, ok := d.Resource(tc.address)
			if !ok {
				t.Fatalf("no %s in %v", tc.address, addresses(d))
			}
			var doc []byte
			switch {
			case r.RestAPI != nil:
				doc = r.RestAPI.Document
			case r.HTTPAPI != nil:
				doc = r.HTTPAPI.Document
			}
			golden(t, tc.golden, doc)
		})
	}
}

func addresses(d *deployer.Desired) []string {
	var out []string
	for _, r := range d.Resources {
		out = append(out, r.Address)
	}
	return out
}

// TestOpenAPISecurity checks, on both documents, what matters for
// access: every method's security, and that preflight requests pass
// without authorization; and the REST API's key source and resource
// policy.
func TestOpenAPISecurity(t *testing.T) {
	t.Parallel()
	cfg := authStagesConfig(t, authConfig)
	for _, tc := range []struct {
		stage string
		m     *manifest.Manifest
		want  map[string][]map[string][]string
	}{
		{"dev", restAuthManifest(), map[string][]map[string][]string{
			"get /admin": {{"iam": {}}},
			"x-amazon-apigateway-any-method /files/{path+}": {{"token_auth": {}}},
			"get /me":            {{"users": {"profile/read"}}},
			"get /public":        {{"api_key": {}}},
			"post /teams/{team}": {{"request_auth": {}}},
			"options /admin":     nil, "options /files/{path+}": nil, "options /me": nil, "options /public": nil, "options /teams/{team}": nil,
		}},
		{"http", authManifest(), map[string][]map[string][]string{
			"get /admin": {{"iam": {}}},
			"x-amazon-apigateway-any-method /files/{path+}": {{"token_auth": {}}},
			"options /files/{path+}":                        nil,
			"get /me":                                       {{"users": {"profile/read"}}},
			"get /public":                                   nil,
			"post /teams/{team}":                            {{"request_auth": {}}},
		}},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			t.Parallel()
			d, err := deployer.BuildDesired(authInput(t, cfg, tc.m, tc.stage))
			if err != nil {
				t.Fatal(err)
			}
			var raw []byte
			if r, ok := d.Resource("rest_api"); ok {
				raw = r.RestAPI.Document
			} else if r, ok := d.Resource("http_api"); ok {
				raw = r.HTTPAPI.Document
			}
			var doc struct {
				Paths  map[string]map[string]struct{ Security []map[string][]string }
				Policy struct {
					Statement []struct {
						Effect    string
						Condition map[string]map[string]any
					}
				} `json:"x-amazon-apigateway-policy"`
				KeySource string `json:"x-amazon-apigateway-api-key-source"`
			}
			if err := json.Unmarshal(raw, &doc); err != nil {
				t.Fatal(err)
			}
			got := map[string][]map[string][]string{}
			for path, ops := range doc.Paths {
				for method, op := range ops {
					got[method+" "+path] = op.Security
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("security by method (-want +got):\n%s", diff)
			}
			if tc.stage != "dev" {
				return
			}
			if doc.KeySource != "HEADER" {
				t.Errorf("api key source = %q, want HEADER", doc.KeySource)
			}
			if len(doc.Policy.Statement) != 1 || doc.Policy.Statement[0].Effect != "Allow" {
				t.Fatalf("resource policy = %+v", doc.Policy)
			}
			vpces := doc.Policy.Statement[0].Condition["StringEquals"]["aws:SourceVpce"]
			if diff := cmp.Diff([]any{"vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"}, vpces); diff != "" {
				t.Errorf("aws:SourceVpce (-want +got):\n%s", diff)
			}
			r, _ := d.Resource("rest_api")
			if diff := cmp.Diff([]string{"vpce-0aaaaaaaaaaaaaaaa", "vpce-0bbbbbbbbbbbbbbbb"}, r.RestAPI.VPCEndpointIDs()); diff != "" {
				t.Errorf("VPCEndpointIDs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrivateAPIPolicyFileWins keeps the user's api_gateway_policy_file
// on a private API instead of the VPC endpoint policy.
func TestPrivateAPIPolicyFileWins(t *testing.T) {
	t.Parallel()
	policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}`
	cfg, err := stages.LoadFS(fstest.MapFS{
		stages.ConfigFile:   {Data: []byte(`{"version": "2.0", "app_name": "authapp", "stages": {"dev": {"api_gateway_endpoint_type": "PRIVATE", "api_gateway_endpoint_vpce": "vpce-0aaaaaaaaaaaaaaaa", "api_gateway_policy_file": "api.json"}}}`)},
		".chalice/api.json": {Data: []byte(policy)},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := deployer.BuildDesired(authInput(t, cfg, authManifest(), "dev"))
	if err != nil {
		t.Fatal(err)
	}
	r, _ := d.Resource("rest_api")
	if doc := string(r.RestAPI.Document); strings.Contains(doc, "aws:SourceVpce") || !strings.Contains(doc, `"vpce-0aaaaaaaaaaaaaaaa"`) {
		t.Errorf("document: want the policy file's statement and the VPC endpoint, got\n%s", doc)
	}
}

// TestAuthorizerPermissions gives each custom authorizer the routes use a
// permission for API Gateway, limited to the API's authorizers, and the
// HTTP API's handler a permission limited to the API.
func TestAuthorizerPermissions(t *testing.T) {
	t.Parallel()
	cfg := authStagesConfig(t, authConfig)
	for _, tc := range []struct {
		stage, api string
		m          *manifest.Manifest
	}{
		{"dev", "rest_api", restAuthManifest()},
		{"http", "http_api", authManifest()},
	} {
		t.Run(tc.stage, func(t *testing.T) {
			t.Parallel()
			d, err := deployer.BuildDesired(authInput(t, cfg, tc.m, tc.stage))
			if err != nil {
				t.Fatal(err)
			}
			type perm struct {
				Address, Function, Sid, SourceARN string
				DependsOn                         []string
			}
			var got []perm
			for _, r := range d.Resources {
				if r.Permission != nil {
					got = append(got, perm{r.Address, r.Permission.FunctionName, r.Permission.StatementID, r.Permission.SourceARN, r.DependsOn})
				}
			}
			handlerSource := ""
			if tc.api == "http_api" {
				handlerSource = "arn:aws:execute-api:us-east-1:123456789012:{api_id}/*"
			}
			want := []perm{
				{"permission:api_handler", "authapp-" + tc.stage, "gochalice-rest-api", handlerSource, []string{"function:api_handler", tc.api}},
				{"permission:request_auth", "authapp-" + tc.stage + "-request_auth", "gochalice-authorizer", "arn:aws:execute-api:us-east-1:123456789012:{api_id}/authorizers/*", []string{"function:request_auth", tc.api}},
				{"permission:token_auth", "authapp-" + tc.stage + "-token_auth", "gochalice-authorizer", "arn:aws:execute-api:us-east-1:123456789012:{api_id}/authorizers/*", []string{"function:token_auth", tc.api}},
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("permissions (-want +got):\n%s", diff)
			}
			api, _ := d.Resource(tc.api)
			if diff := cmp.Diff([]string{"function:api_handler", "function:request_auth", "function:token_auth"}, api.DependsOn); diff != "" {
				t.Errorf("%s depends on (-want +got):\n%s", tc.api, diff)
			}
		})
	}
}

// TestAPIValidation reports every problem of the routes and authorizers
// at once, each naming the authorizer or route and the fix.
func TestAPIValidation(t *testing.T) {
	t.Parallel()
	cfg := authStagesConfig(t, authConfig)
	type change func(m *manifest.Manifest)
	authorizer := func(name string, f func(a *manifest.Authorizer)) change {
		return func(m *manifest.Manifest) {
			for i := range m.Authorizers {
				if m.Authorizers[i].Name == name {
					f(&m.Authorizers[i])
				}
			}
		}
	}
	route := func(path string, f func(r *manifest.Route)) change {
		return func(m *manifest.Manifest) {
			for i := range m.Routes {
				if m.Routes[i].Path == path {
					f(&m.Routes[i])
				}
			}
		}
	}
	for _, tc := range []struct {
		name    string
		stage   string
		changes []change
		want    []deployer.Problem // Problem and Fix: substrings
	}{
		{"unknown authorizer", "dev", []change{route("/public", func(r *manifest.Route) { r.Authorizer = "nobody" })},
			[]deployer.Problem{{Subject: "route GET /public", Problem: `names the authorizer "nobody"`, Fix: "app.WithAuthorizer"}}},
		{"custom authorizer without a function", "dev", []change{func(m *manifest.Manifest) {
			m.Functions = slices.DeleteFunc(m.Functions, func(f manifest.Function) bool { return f.Name == "token_auth" })
		}}, []deployer.Problem{{Subject: "authorizer token_auth", Problem: `no authorizer function "token_auth"`, Fix: "app.TokenAuthorizer"}}},
		{"Cognito without user pools", "dev", []change{authorizer("users", func(a *manifest.Authorizer) { a.ProviderARNs = nil })},
			[]deployer.Problem{{Subject: "authorizer users", Problem: "no user pool ARNs", Fix: "app.CognitoAuthorizer"}}},
		{"TTL out of range", "dev", []change{
			authorizer("token_auth", func(a *manifest.Authorizer) { a.TTLSeconds = 3601 }),
			authorizer("request_auth", func(a *manifest.Authorizer) { a.TTLSeconds = -1 }),
		}, []deployer.Problem{
			{Subject: "authorizer request_auth", Problem: "-1 seconds", Fix: "app.WithTTL"},
			{Subject: "authorizer token_auth", Problem: "3601 seconds", Fix: "app.WithTTL"},
		}},
		{"TOKEN with two identity sources", "dev", []change{authorizer("token_auth", func(a *manifest.Authorizer) {
			a.IdentitySources = []string{"method.request.header.A", "method.request.header.B"}
		})}, []deployer.Problem{{Subject: "authorizer token_auth", Problem: "exactly one header", Fix: "app.RequestAuthorizer"}}},
		{"cached REQUEST without identity sources", "dev", []change{authorizer("request_auth", func(a *manifest.Authorizer) { a.IdentitySources = nil })},
			[]deployer.Problem{{Subject: "authorizer request_auth", Problem: "needs identity sources", Fix: "app.WithTTL(0)"}}},
		{"scopes on a custom authorizer", "dev", []change{route("/admin", func(r *manifest.Route) { r.AuthorizationScopes = []string{"admin"} })},
			[]deployer.Problem{{Subject: "route GET /admin", Problem: "only a Cognito (JWT) authorizer checks scopes", Fix: "drop the scopes"}}},
		{"HTTP API with an API key", "http", []change{route("/public", func(r *manifest.Route) { r.APIKeyRequired = true })},
			[]deployer.Problem{{Subject: "route GET /public", Problem: "HTTP APIs do not support", Fix: `"api_gateway_type": "REST"`}}},
		{"HTTP API JWT without audience", "http", []change{authorizer("users", func(a *manifest.Authorizer) { a.Audience = nil })},
			[]deployer.Problem{{Subject: "authorizer users", Problem: "needs the app client IDs", Fix: "app.WithAudience"}}},
		{"HTTP API JWT with a malformed pool ARN", "http", []change{authorizer("users", func(a *manifest.Authorizer) { a.ProviderARNs = []string{"us-east-1_AbCdEf123"} })},
			[]deployer.Problem{{Subject: "authorizer users", Problem: "is not a Cognito user pool ARN", Fix: "user pool's ARN"}}},
		{"HTTP API routes that disagree on CORS", "http", []change{
			route("/public", func(r *manifest.Route) { r.CORS = nil }),
			route("/me", func(r *manifest.Route) { c := *r.CORS; c.AllowOrigin = "*"; r.CORS = &c }),
		}, []deployer.Problem{
			{Subject: "route GET /me", Problem: "differs from route GET /admin's: an HTTP API has one CORS configuration", Fix: "app.Defaults"},
			{Subject: "route GET /public", Problem: "has no CORS configuration while route GET /admin has one", Fix: "app.Defaults"},
		}},
		{"the same API keys and CORS on a REST API", "dev", []change{
			route("/public", func(r *manifest.Route) { r.CORS = nil }),
			route("/me", func(r *manifest.Route) { r.APIKeyRequired = true }),
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := authManifest()
			for _, c := range tc.changes {
				c(m)
			}
			_, err := deployer.BuildDesired(authInput(t, cfg, m, tc.stage))
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var verr *deployer.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if len(verr.Problems) != len(tc.want) {
				t.Fatalf("problems:\n%v\nwant %d", err, len(tc.want))
			}
			for i, w := range tc.want {
				p := verr.Problems[i]
				if p.Subject != w.Subject || !strings.Contains(p.Problem, w.Problem) || !strings.Contains(p.Fix, w.Fix) {
					t.Errorf("problem %d = %+v, want %+v (substrings)", i, p, w)
				}
			}
		})
	}
}
