package apptest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sort"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/apptest"
)

const testPool = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123"

// jwt makes an unsigned token with the given claims: local mode reads
// claims without checking signatures.
func jwt(claims map[string]any) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	return enc(map[string]string{"alg": "RS256", "kid": "test"}) + "." + enc(claims) + ".c2lnbmF0dXJl"
}

func allow(principal, resource string, ctx map[string]any) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principal,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
			{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{resource}},
		}},
		Context: ctx,
	}
}

// newAuthApp has a route for each kind of authorizer. Its handlers answer
// who the caller is, as the handler sees it.
func newAuthApp(calls *int) *app.App {
	a := app.New("auth")
	a.Logger = slog.New(slog.DiscardHandler) // authorizer failures are logged
	whoami := func(w http.ResponseWriter, r *http.Request) {
		rc := app.Context(r)
		var ctxKeys []string
		for k, v := range rc.Authorizer {
			if k != "claims" {
				ctxKeys = append(ctxKeys, fmt.Sprintf("%s=%v", k, v))
			}
		}
		sort.Strings(ctxKeys)
		_ = app.WriteJSON(w, http.StatusOK, map[string]any{
			"principal": rc.PrincipalID, "context": ctxKeys, "claims": rc.Claims, "user": rc.UserARN,
		})
	}
	token := a.TokenAuthorizer("token_auth", func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		*calls++
		switch req.AuthorizationToken {
		case "allow":
			return allow("user-1", req.MethodArn, map[string]any{"tier": "gold", "n": 3}), nil
		case "allow-all":
			// A wildcard resource, as authorizers that cache across routes use.
			return allow("user-2", "arn:aws:execute-api:us-east-1:123456789012:*/*/*", nil), nil
		case "deny":
			resp := allow("user-1", req.MethodArn, nil)
			resp.PolicyDocument.Statement[0].Effect = "Deny"
			return resp, nil
		case "elsewhere":
			return allow("user-1", "arn:aws:execute-api:us-east-1:123456789012:local/*/POST/other", nil), nil
		case "no-principal":
			return allow("", req.MethodArn, nil), nil
		case "nested":
			return allow("user-1", req.MethodArn, map[string]any{"nested": map[string]any{"a": 1}}), nil
		case "boom":
			return events.APIGatewayCustomAuthorizerResponse{}, errors.New("token store unreachable")
		case "panic":
			panic("authorizer bug")
		}
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("unknown token %q: %w", req.AuthorizationToken, app.ErrUnauthorized)
	})
	request := a.RequestAuthorizer("tenant_auth", func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		*calls++
		tenant := req.Headers["X-Tenant"]
		if tenant != req.PathParameters["id"] {
			resp := allow(tenant, req.MethodArn, nil)
			resp.PolicyDocument.Statement[0].Effect = "Deny"
			return resp, nil
		}
		return allow("tenant-"+tenant, req.MethodArn, map[string]any{"resource": req.Resource, "q": req.QueryStringParameters["q"]}), nil
	}, app.WithIdentitySources("method.request.header.X-Tenant"))
	pool := app.CognitoAuthorizer("pool", []string{testPool}, app.WithAudience("client-1"))
	a.Route("GET /token", whoami, app.WithAuthorizer(token))
	a.Route("GET /tenants/{id}", whoami, app.WithAuthorizer(request))
	a.Route("GET /iam", whoami, app.WithAuthorizer(app.IAMAuthorizer()))
	a.Route("GET /me", whoami, app.WithAuthorizer(pool))
	a.Route("GET /donors", whoami, app.WithAuthorizer(pool, "donors/read", "donors/admin"))
	a.Route("GET /key", whoami, app.WithAPIKey())
	a.Route("GET /token-key", whoami, app.WithAuthorizer(token), app.WithAPIKey())
	a.Route("GET /open", whoami)
	a.Route("PUT /cors", whoami, app.WithAuthorizer(token), app.WithCORS(app.CORSConfig{}))
	return a
}

type authCase struct {
	name   string
	method string
	path   string
	header http.Header
	status int
	body   string // the answer's body, JSON-compared
	calls  int    // authorizer invocations
}

const (
	unauthorized = `{"message":"Unauthorized"}`
	explicitDeny = `{"Message":"User is not authorized to access this resource with an explicit deny"}`
	noAllow      = `{"Message":"User is not authorized to access this resource"}`
	missingToken = `{"message":"Missing Authentication Token"}`
	forbidden    = `{"message":"Forbidden"}`
	configError  = `{"message":null}`
)

func who(principal string, ctx []string, claims map[string]string, user string) string {
	b, _ := json.Marshal(map[string]any{"principal": principal, "context": ctx, "claims": claims, "user": user})
	return string(b)
}

func authCases() []authCase {
	h := func(kv ...string) http.Header {
		hdr := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			hdr.Set(kv[i], kv[i+1])
		}
		return hdr
	}
	future, past := 4102444800, 946684800 // 2100, 2000
	idToken := jwt(map[string]any{"sub": "u-42", "email": "ana@example.com", "aud": "client-1", "exp": future, "cognito:groups": []string{"admin"}})
	accessToken := jwt(map[string]any{"sub": "u-42", "client_id": "client-1", "scope": "openid donors/read", "exp": future})
	idClaims := map[string]string{"sub": "u-42", "email": "ana@example.com", "aud": "client-1", "exp": "4102444800", "cognito:groups": `["admin"]`}
	accessClaims := map[string]string{"sub": "u-42", "client_id": "client-1", "scope": "openid donors/read", "exp": "4102444800"}
	sig := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc"
	return []authCase{
		{name: "open route", path: "/open", status: 200, body: who("", nil, nil, "")},

		// TOKEN authorizer.
		{name: "token allowed", path: "/token", header: h("Authorization", "allow"), status: 200, calls: 1,
			body: who("user-1", []string{"n=3", "principalId=user-1", "tier=gold"}, nil, "")},
		{name: "token allowed by wildcard", path: "/token", header: h("Authorization", "allow-all"), status: 200, calls: 1,
			body: who("user-2", []string{"principalId=user-2"}, nil, "")},
		{name: "token missing: authorizer not called", path: "/token", status: 401, body: unauthorized},
		{name: "token unauthorized", path: "/token", header: h("Authorization", "nope"), status: 401, body: unauthorized, calls: 1},
		{name: "token denied", path: "/token", header: h("Authorization", "deny"), status: 403, body: explicitDeny, calls: 1},
		{name: "token allowed elsewhere", path: "/token", header: h("Authorization", "elsewhere"), status: 403, body: noAllow, calls: 1},
		{name: "authorizer error", path: "/token", header: h("Authorization", "boom"), status: 500, body: configError, calls: 1},
		{name: "authorizer panic", path: "/token", header: h("Authorization", "panic"), status: 500, body: configError, calls: 1},
		{name: "no principal", path: "/token", header: h("Authorization", "no-principal"), status: 500, body: configError, calls: 1},
		{name: "nested context", path: "/token", header: h("Authorization", "nested"), status: 500, body: configError, calls: 1},
		{name: "CORS preflight not authorized", method: "OPTIONS", path: "/cors", status: 200, body: ""},

		// REQUEST authorizer.
		{name: "request allowed", path: "/tenants/t1?q=x", header: h("X-Tenant", "t1"), status: 200, calls: 1,
			body: who("tenant-t1", []string{"principalId=tenant-t1", "q=x", "resource=/tenants/{id}"}, nil, "")},
		{name: "request denied", path: "/tenants/t1", header: h("X-Tenant", "t2"), status: 403, body: explicitDeny, calls: 1},
		{name: "request source missing", path: "/tenants/t1", status: 401, body: unauthorized},

		// IAM.
		{name: "IAM signed", path: "/iam", header: h("Authorization", sig), status: 200, body: who("", nil, nil, "arn:aws:iam::123456789012:role/tester")},
		{name: "IAM unsigned", path: "/iam", header: h("Authorization", "Bearer x"), status: 403, body: missingToken},

		// Cognito.
		{name: "Cognito ID token", path: "/me", header: h("Authorization", "Bearer "+idToken), status: 200,
			body: who("", nil, idClaims, "")},
		{name: "Cognito raw token", path: "/me", header: h("Authorization", idToken), status: 200, body: who("", nil, idClaims, "")},
		{name: "Cognito scope", path: "/donors", header: h("Authorization", "Bearer "+accessToken), status: 200, body: who("", nil, accessClaims, "")},
		{name: "Cognito missing scope", path: "/donors", header: h("Authorization", "Bearer "+idToken), status: 401, body: unauthorized},
		{name: "Cognito expired", path: "/me", header: h("Authorization", "Bearer "+jwt(map[string]any{"aud": "client-1", "exp": past})), status: 401,
			body: `{"message":"The incoming token has expired"}`},
		{name: "Cognito other audience", path: "/me", header: h("Authorization", "Bearer "+jwt(map[string]any{"aud": "client-2"})), status: 401, body: unauthorized},
		// aud wins over client_id, as in an HTTP API's JWT authorizer.
		{name: "Cognito other audience, right client_id", path: "/me", header: h("Authorization", "Bearer "+jwt(map[string]any{"aud": "client-2", "client_id": "client-1"})), status: 401, body: unauthorized},
		{name: "Cognito malformed", path: "/me", header: h("Authorization", "Bearer not.a-jwt"), status: 401, body: unauthorized},
		{name: "Cognito missing", path: "/me", status: 401, body: unauthorized},

		// API keys.
		{name: "API key", path: "/key", header: h("X-Api-Key", "k1"), status: 200, body: who("", nil, nil, "")},
		{name: "API key missing", path: "/key", status: 403, body: forbidden},
		{name: "authorizer before API key", path: "/token-key", status: 401, body: unauthorized},
		{name: "API key after authorizer", path: "/token-key", header: h("Authorization", "allow"), status: 403, body: forbidden, calls: 1},
	}
}

// serveLocal runs a.Serve on a free port for the test.
func serveLocal(t *testing.T, a *app.App) string {
	t.Helper()
	t.Setenv("GOCHALICE_LOCAL_IAM_ARN", "arn:aws:iam::123456789012:role/tester")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ctx, ln, "dev") }()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func TestLocalAuthorizers(t *testing.T) {
	// Not parallel: serveLocal sets an environment variable.
	for _, mode := range []string{"Serve", "apptest REST", "apptest HTTP API"} {
		t.Run(mode, func(t *testing.T) {
			calls := 0
			a := newAuthApp(&calls)
			var client *http.Client
			base := "http://api.example.com"
			switch mode {
			case "Serve":
				base = serveLocal(t, a)
				client = http.DefaultClient
			case "apptest REST":
				client = apptest.New(a, apptest.WithIAMIdentity("arn:aws:iam::123456789012:role/tester")).HTTPClient()
			default:
				client = apptest.New(a, apptest.WithHTTPAPI(), apptest.WithIAMIdentity("arn:aws:iam::123456789012:role/tester")).HTTPClient()
			}
			for _, tc := range authCases() {
				calls = 0
				method := tc.method
				if method == "" {
					method = "GET"
				}
				req, err := http.NewRequest(method, base+tc.path, nil)
				if err != nil {
					t.Fatal(err)
				}
				for k, vs := range tc.header {
					req.Header[k] = vs
				}
				resp, err := client.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Errorf("%s: status %d, want %d (%s)", tc.name, resp.StatusCode, tc.status, body)
					continue
				}
				if tc.body != "" || len(body) > 0 {
					var got, want any
					if err := json.Unmarshal(body, &got); err != nil {
						t.Errorf("%s: body %q: %v", tc.name, body, err)
					} else if err := json.Unmarshal([]byte(tc.body), &want); err != nil {
						t.Fatal(err)
					} else if diff := cmp.Diff(want, got); diff != "" {
						t.Errorf("%s: body (-want +got):\n%s", tc.name, diff)
					}
				}
				if tc.status >= 400 && resp.Header.Get("X-Amzn-Errortype") == "" {
					t.Errorf("%s: no x-amzn-ErrorType", tc.name)
				}
				if calls != tc.calls {
					t.Errorf("%s: authorizer called %d times, want %d", tc.name, calls, tc.calls)
				}
			}
		})
	}
}

// The identity reaches the handler in the API Gateway event, where code
// written for Lambda looks for it.
func TestLocalAuthorizerEvents(t *testing.T) {
	t.Parallel()
	a := app.New("events")
	var got []string
	record := func(w http.ResponseWriter, r *http.Request) {
		if ev, ok := app.ProxyRequest(r); ok {
			id := ev.RequestContext.Identity
			got = append(got, fmt.Sprintf("v1 %v %s %s %s", ev.RequestContext.Authorizer["principalId"], id.UserArn, id.AccessKey, id.APIKey))
		}
		if ev, ok := app.V2HTTPRequest(r); ok {
			au := ev.RequestContext.Authorizer
			switch {
			case au.IAM != nil:
				got = append(got, fmt.Sprintf("v2 iam %s %s %s", au.IAM.UserARN, au.IAM.AccessKey, au.IAM.AccountID))
			case au.JWT != nil:
				got = append(got, fmt.Sprintf("v2 jwt %s %v", au.JWT.Claims["sub"], au.JWT.Scopes))
			default:
				got = append(got, fmt.Sprintf("v2 lambda %v", au.Lambda))
			}
		}
	}
	token := a.TokenAuthorizer("t", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		return allow("p-1", req.MethodArn, map[string]any{"k": "v"}), nil
	})
	a.Route("GET /iam", record, app.WithAuthorizer(app.IAMAuthorizer()), app.WithAPIKey())
	a.Route("GET /token", record, app.WithAuthorizer(token))
	a.Route("GET /jwt", record, app.WithAuthorizer(app.CognitoAuthorizer("c", []string{testPool}), "s1"))
	sig := "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/execute-api/aws4_request"
	bearer := "Bearer " + jwt(map[string]any{"sub": "u-1", "scope": "s1 s2"})
	for _, c := range []*apptest.Client{apptest.New(a), apptest.New(a, apptest.WithHTTPAPI())} {
		for path, hdr := range map[string][2]string{"/iam": {"Authorization", sig}, "/token": {"Authorization", "x"}, "/jwt": {"Authorization", bearer}} {
			req, _ := http.NewRequest("GET", path, nil)
			req.Header.Set(hdr[0], hdr[1])
			req.Header.Set("X-Api-Key", "key-1")
			resp, err := c.HTTPClient().Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %v %v", path, resp.StatusCode, err)
			}
		}
	}
	sort.Strings(got)
	want := []string{
		"v1 <nil>   ", // /jwt: claims, no principal
		"v1 <nil> arn:aws:iam::123456789012:user/local AKIDEXAMPLE key-1",
		"v1 p-1   ",
		"v2 iam arn:aws:iam::123456789012:user/local AKIDEXAMPLE 123456789012",
		"v2 jwt u-1 [s1 s2]",
		"v2 lambda map[k:v principalId:p-1]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}
