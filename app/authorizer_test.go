package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/manifest"
)

// TOKEN authorizers take REST API TOKEN events, and the REQUEST events
// (payload 1.0 and 2.0) an HTTP API sends them.
func TestTokenAuthorizerDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		header  string // the authorizer's identity header
		want    events.APIGatewayCustomAuthorizerRequest
	}{
		{"authorizer-token-event.json", "Authorization", events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "allow", MethodArn: "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"}},
		{"authorizer-http-v1-event.json", "HeaderAuth1", events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "headerValue1", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"}},
		// The header is looked up whatever its case.
		{"authorizer-http-v2-event.json", "header1", events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "value1", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"}},
		// Without the header, the identity source's (first) value.
		{"authorizer-http-v2-event.json", "Authorization", events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "user1", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"}},
		{"authorizer-http-v1-event.json", "Authorization", events.APIGatewayCustomAuthorizerRequest{
			Type: "TOKEN", AuthorizationToken: "user1,123", MethodArn: "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"}},
	}
	for _, tc := range tests {
		t.Run(tc.fixture+" "+tc.header, func(t *testing.T) {
			t.Parallel()
			a := New("auth")
			var got events.APIGatewayCustomAuthorizerRequest
			a.TokenAuthorizer("token_auth", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
				got = req
				return events.APIGatewayCustomAuthorizerResponse{PrincipalID: "u1", Context: map[string]any{"tier": "gold"}}, nil
			}, WithIdentitySources("method.request.header."+tc.header))
			out, err := a.Invoke(context.Background(), "token_auth", readFixture(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
			want := `{"principalId":"u1","policyDocument":{"Version":"","Statement":null},"context":{"tier":"gold"}}`
			if string(out) != want {
				t.Errorf("response %s, want %s", out, want)
			}
		})
	}
}

func TestRequestAuthorizerDispatch(t *testing.T) {
	t.Parallel()
	a := New("auth")
	var got events.APIGatewayCustomAuthorizerRequestTypeRequest
	a.RequestAuthorizer("request_auth", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		got = req
		return events.APIGatewayCustomAuthorizerResponse{PrincipalID: req.Headers["HeaderAuth1"]}, nil
	})
	for _, fixture := range []string{"authorizer-request-event.json", "authorizer-http-v1-event.json"} {
		out, err := a.Invoke(context.Background(), "request_auth", readFixture(t, fixture))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(out, []byte(`{"principalId":"headerValue1"`)) {
			t.Errorf("%s: response %s", fixture, out)
		}
		if got.Type != "REQUEST" || got.QueryStringParameters["QueryString1"] != "queryValue1" || got.StageVariables["StageVar1"] != "stageValue1" || got.RequestContext.Stage != "test" {
			t.Errorf("%s: request %+v", fixture, got)
		}
	}
}

// API Gateway answers 401 only for an authorizer error whose message is
// exactly "Unauthorized": a wrapped ErrUnauthorized becomes exactly that.
func TestAuthorizerErrors(t *testing.T) {
	t.Parallel()
	errStore := errors.New("token store unreachable")
	a := New("auth")
	a.TokenAuthorizer("token_auth", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		if req.AuthorizationToken == "expired" {
			return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("token expired: %w", ErrUnauthorized)
		}
		return events.APIGatewayCustomAuthorizerResponse{}, errStore
	})
	a.RequestAuthorizer("request_auth", func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	})
	ctx := context.Background()
	if _, err := a.Invoke(ctx, "token_auth", []byte(`{"type":"TOKEN","authorizationToken":"expired"}`)); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("wrapped ErrUnauthorized: %v", err)
	}
	if _, err := a.Invoke(ctx, "request_auth", readFixture(t, "authorizer-request-event.json")); err == nil || err.Error() != "Unauthorized" {
		t.Errorf("ErrUnauthorized: %v", err)
	}
	if _, err := a.Invoke(ctx, "token_auth", []byte(`{"type":"TOKEN","authorizationToken":"x"}`)); !errors.Is(err, errStore) {
		t.Errorf("other error: %v", err)
	}
	if _, err := a.Invoke(ctx, "token_auth", []byte(`{"type": 5}`)); err == nil || !strings.HasPrefix(err.Error(), "token_auth: decode authorizer event:") {
		t.Errorf("malformed event: %v", err)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	a := New("defaults")
	auth := a.TokenAuthorizer("auth", nopToken)
	a.Defaults(WithAuthorizer(auth), WithAPIKey(), WithCORS(CORSConfig{MaxAge: 60}), WithBinaryTypes("image/webp"))
	a.Route("GET /private", text("p"))
	a.Route("GET /health", text("ok"), WithoutAuthorizer(), WithoutAPIKey(), WithBinaryTypes("image/avif"))
	a.Route("GET /admin", text("a"), WithAuthorizer(IAMAuthorizer()))
	type summary struct {
		Authorizer string
		APIKey     bool
		CORS       bool
		Binary     []string
	}
	got := map[string]summary{}
	for _, r := range a.Manifest().Routes {
		got[r.Pattern] = summary{r.Authorizer, r.APIKeyRequired, r.CORS != nil, r.BinaryTypes}
	}
	want := map[string]summary{
		"GET /private": {"auth", true, true, []string{"image/webp"}},
		"GET /health":  {"", false, true, []string{"image/webp", "image/avif"}},
		"GET /admin":   {"iam", true, true, []string{"image/webp"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	var names []string
	for _, au := range a.Manifest().Authorizers {
		names = append(names, au.Name+" "+au.Type)
	}
	if diff := cmp.Diff([]string{"auth TOKEN", "iam AWS_IAM"}, names); diff != "" {
		t.Errorf("authorizers (-want +got):\n%s", diff)
	}
}

func TestInvokeOnce(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []string
	)
	a := newSourcesApp(&seen, &mu)
	a.LambdaFunction("greet", func(in greetIn) (greetOut, error) { return greetOut{Greeting: "hello " + in.Name}, nil })
	a.TokenAuthorizer("auth", func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		return events.APIGatewayCustomAuthorizerResponse{}, ErrUnauthorized
	})
	a.Route("GET /hello", text("hi"))
	tests := []struct {
		name, function, stdin, stdout, err string
	}{
		{"plain function", "greet", `{"name":"Ana"}`, "{\"greeting\":\"hello Ana\"}\n", ""},
		{"batch response", "batch_worker", string(readFixture(t, "sqs-event.json")), "{\"batchItemFailures\":[{\"itemIdentifier\":\"MessageID_1\"}]}\n", ""},
		{"no response", "nightly", string(readFixture(t, "eventbridge-scheduled-event.json")), "null\n", ""},
		{"API handler", "api_handler", `{"httpMethod":"GET","resource":"/hello","path":"/hello"}`,
			"{\"statusCode\":200,\"headers\":null,\"multiValueHeaders\":{\"Content-Type\":[\"text/plain\"]},\"body\":\"hi\"}\n", ""},
		{"handler error", "failing", string(readFixture(t, "sqs-event.json")), "", "queue handler failed"},
		{"authorizer refuses", "auth", `{"type":"TOKEN"}`, "", "Unauthorized"},
		{"unknown function", "nope", `{}`, "", `GOCHALICE_INVOKE="nope": no function "nope" is registered (registered: [api_handler nightly on_stop worker batch_worker notified uploaded clicks clicks_batch failing greet auth])`},
		{"empty stdin", "greet", " \n", "", "greet: no event on standard input"},
		{"invalid JSON", "greet", "{", "", "greet: the event on standard input is not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := a.run(context.Background(), env(manifest.EnvInvoke, tc.function), strings.NewReader(tc.stdin), &out)
			if tc.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.stdout, out.String()); diff != "" {
				t.Errorf("stdout (-want +got):\n%s", diff)
			}
		})
	}
}

// A Manifest is a snapshot: changing its authorizers and event sources
// changes nothing in the app.
func TestManifestSnapshotSources(t *testing.T) {
	t.Parallel()
	a := newManifestApp()
	m := a.Manifest()
	for i := range m.Functions {
		f := &m.Functions[i]
		if f.S3 != nil {
			f.S3.Events[0] = "changed"
		}
		if f.OnFailure != nil && f.OnFailure.MaximumRetryAttempts != nil {
			*f.OnFailure.MaximumRetryAttempts = 99
		}
		if f.SQS != nil {
			f.SQS.BatchSize = 99
		}
	}
	for i := range m.Authorizers {
		if len(m.Authorizers[i].IdentitySources) > 0 {
			m.Authorizers[i].IdentitySources[0] = "changed"
		}
	}
	if diff := cmp.Diff(newManifestApp().Manifest(), a.Manifest()); diff != "" {
		t.Errorf("editing a Manifest changed the app (-want +got):\n%s", diff)
	}
}
