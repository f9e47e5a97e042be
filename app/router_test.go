package app

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func newRoutingApp() *App {
	a := New("routing")
	a.Route("GET /", text("root"))
	a.Route("GET /donors", text("list"))
	a.Route("POST /donors", text("create"))
	a.Route("GET /donors/{id}", text("get", "id"))
	a.Route("PUT /donors/{id}", text("put", "id"))
	a.Route("GET /donors/me", text("me"))
	a.Route("GET /donors/{id}/donations/{did}", text("donation", "id", "did"))
	a.Route("/health", func(w http.ResponseWriter, r *http.Request) { text("health:"+r.Method)(w, r) })
	a.Route("GET /files/{path...}", text("files", "path"))
	a.Route("GET /v1.0/~user/a:b@c!$&'()*+,;=", text("odd"))
	return a
}

func TestRouting(t *testing.T) {
	t.Parallel()
	h := newRoutingApp().Handler()
	tests := []struct {
		name, method, target string
		status               int
		body                 string // for 2xx
		code                 string // error code otherwise
		allow                string
	}{
		{name: "root", method: "GET", target: "/", status: 200, body: "root"},
		{name: "literal", method: "GET", target: "/donors", status: 200, body: "list"},
		{name: "method", method: "POST", target: "/donors", status: 200, body: "create"},
		{name: "wildcard", method: "GET", target: "/donors/42", status: 200, body: "get:42"},
		{name: "wildcard other method", method: "PUT", target: "/donors/42", status: 200, body: "put:42"},
		{name: "escaped wildcard value", method: "GET", target: "/donors/a%2Fb%20c", status: 200, body: "get:a/b c"},
		{name: "literal beats wildcard", method: "GET", target: "/donors/me", status: 200, body: "me"},
		{name: "two wildcards", method: "GET", target: "/donors/42/donations/7", status: 200, body: "donation:42:7"},
		{name: "any GET", method: "GET", target: "/health", status: 200, body: "health:GET"},
		{name: "any DELETE", method: "DELETE", target: "/health", status: 200, body: "health:DELETE"},
		{name: "any PATCH", method: "PATCH", target: "/health", status: 200, body: "health:PATCH"},
		{name: "trailing wildcard", method: "GET", target: "/files/a/b/c.txt", status: 200, body: "files:a/b/c.txt"},
		{name: "trailing wildcard one segment", method: "GET", target: "/files/x", status: 200, body: "files:x"},
		{name: "trailing wildcard empty", method: "GET", target: "/files/", status: 404, code: "NotFoundError"},
		{name: "odd characters", method: "GET", target: "/v1.0/~user/a:b@c!$&'()*+,;=", status: 200, body: "odd"},
		{name: "root is exact", method: "GET", target: "/nope", status: 404, code: "NotFoundError"},
		{name: "no prefix match", method: "GET", target: "/donors/42/extra", status: 404, code: "NotFoundError"},
		{name: "trailing slash", method: "GET", target: "/donors/", status: 404, code: "NotFoundError"},
		{name: "405 with Allow", method: "DELETE", target: "/donors/42", status: 405, code: "MethodNotAllowedError", allow: "GET, PUT"},
		{name: "405 on literal", method: "DELETE", target: "/donors", status: 405, code: "MethodNotAllowedError", allow: "GET, POST"},
		{name: "405 on literal and wildcard", method: "POST", target: "/donors/me", status: 405, code: "MethodNotAllowedError", allow: "GET, PUT"},
		{name: "405 root", method: "POST", target: "/", status: 405, code: "MethodNotAllowedError", allow: "GET"},
		{name: "405 trailing wildcard", method: "POST", target: "/files/a/b", status: 405, code: "MethodNotAllowedError", allow: "GET"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := do(h, tc.method, tc.target, "")
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow = %q, want %q", got, tc.allow)
			}
			if tc.code == "" {
				if got := rec.Body.String(); got != tc.body {
					t.Errorf("body = %q, want %q", got, tc.body)
				}
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			e := decodeError(t, rec.Body.Bytes())
			if e.Code != tc.code {
				t.Errorf("Code = %q, want %q", e.Code, tc.code)
			}
			if e.Message == "" {
				t.Errorf("empty Message")
			}
		})
	}
}

func TestNotFoundBody(t *testing.T) {
	t.Parallel()
	rec := do(newRoutingApp(), "GET", "/nope", "")
	want := errorBody{Code: "NotFoundError", Message: "no route matches GET /nope"}
	if diff := cmp.Diff(want, decodeError(t, rec.Body.Bytes())); diff != "" {
		t.Errorf("404 body (-want +got):\n%s", diff)
	}
	rec = do(newRoutingApp(), "PATCH", "/donors", "")
	want = errorBody{Code: "MethodNotAllowedError", Message: "Unsupported method: PATCH"}
	if diff := cmp.Diff(want, decodeError(t, rec.Body.Bytes())); diff != "" {
		t.Errorf("405 body (-want +got):\n%s", diff)
	}
}

func TestMiddleware(t *testing.T) {
	t.Parallel()
	var order []string
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	a := New("mw")
	a.Use(mw("app1"), mw("app2"))
	a.Route("GET /x", func(w http.ResponseWriter, r *http.Request) { order = append(order, "handler") },
		WithMiddleware(mw("route1"), mw("route2")))
	a.Route("GET /y", func(w http.ResponseWriter, r *http.Request) { order = append(order, "handler") })
	do(a, "GET", "/x", "")
	if diff := cmp.Diff([]string{"app1", "app2", "route1", "route2", "handler"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	order = nil
	do(a, "GET", "/y", "")
	if diff := cmp.Diff([]string{"app1", "app2", "handler"}, order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	full := CORSConfig{
		AllowOrigin:      "https://savealife.example.com",
		AllowHeaders:     []string{"x-request-id", "Content-Type"},
		ExposeHeaders:    []string{"X-Total", "ETag"},
		MaxAge:           600,
		AllowCredentials: true,
	}
	a := New("cors")
	a.Route("GET /donors/{id}", text("get"), WithCORS(full))
	a.Route("PUT /donors/{id}", text("put"), WithCORS(full))
	a.Route("GET /stats", text("stats"))
	a.Route("/any", text("any"), WithCORS(CORSConfig{}))
	fullHeaders := map[string]string{
		"Access-Control-Allow-Origin":      "https://savealife.example.com",
		"Access-Control-Allow-Headers":     "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key,X-Request-Id",
		"Access-Control-Expose-Headers":    "ETag,X-Total",
		"Access-Control-Max-Age":           "600",
		"Access-Control-Allow-Credentials": "true",
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		c := map[string]string{}
		for k, v := range m {
			c[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return c
	}
	defaults := map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Headers": "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key",
	}
	tests := []struct {
		name, method, target string
		header               []string
		status               int
		want                 map[string]string
	}{
		{name: "route", method: "GET", target: "/donors/1", status: 200, want: fullHeaders},
		{name: "other method of path", method: "PUT", target: "/donors/1", status: 200, want: fullHeaders},
		{name: "preflight", method: "OPTIONS", target: "/donors/1", status: 200,
			header: []string{"Origin", "https://savealife.example.com", "Access-Control-Request-Method", "PUT"},
			want:   with(fullHeaders, "Access-Control-Allow-Methods", "GET,OPTIONS,PUT")},
		{name: "error answer keeps CORS", method: "GET", target: "/donors/1", header: []string{"Content-Type", "text/csv"}, status: 415, want: fullHeaders},
		{name: "405 on CORS path", method: "DELETE", target: "/donors/1", status: 405, want: map[string]string{}},
		{name: "no CORS route", method: "GET", target: "/stats", status: 200, want: map[string]string{}},
		{name: "no preflight without CORS", method: "OPTIONS", target: "/stats", status: 405, want: map[string]string{}},
		{name: "default config", method: "POST", target: "/any", status: 200, want: defaults},
		{name: "preflight of ANY route", method: "OPTIONS", target: "/any", status: 200,
			want: with(defaults, "Access-Control-Allow-Methods", "DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := do(a, tc.method, tc.target, "", tc.header...)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			got := map[string]string{}
			for k := range rec.Header() {
				if strings.HasPrefix(k, "Access-Control-") {
					got[k] = rec.Header().Get(k)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CORS headers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPreflightThroughAPIGateway(t *testing.T) {
	t.Parallel()
	a := New("cors")
	a.Route("GET /donors/{id}", text("get"), WithCORS(CORSConfig{MaxAge: 60}))
	resp, err := a.HandleProxyRequest(context.Background(), &events.APIGatewayProxyRequest{
		HTTPMethod: "OPTIONS", Resource: "/donors/{id}", Path: "/donors/1", PathParameters: map[string]string{"id": "1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Body != "" {
		t.Fatalf("preflight = %d %q, want 200 and no body", resp.StatusCode, resp.Body)
	}
	want := map[string][]string{
		"Access-Control-Allow-Origin":  {"*"},
		"Access-Control-Allow-Headers": {"Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"},
		"Access-Control-Max-Age":       {"60"},
		"Access-Control-Allow-Methods": {"GET,OPTIONS"},
	}
	if diff := cmp.Diff(want, resp.MultiValueHeaders); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
}

func TestContentTypes(t *testing.T) {
	t.Parallel()
	a := New("ct")
	a.Route("POST /json", text("json"))
	a.Route("GET /get", text("get"))
	a.Route("POST /upload", text("upload"), WithContentTypes("image/*", "application/octet-stream"))
	a.Route("POST /anything", text("anything"), WithContentTypes("*/*"))
	a.Route("POST /form", text("form"), WithContentTypes("application/x-www-form-urlencoded", "Text/Plain"))
	tests := []struct {
		name, target, ct, body string
		status                 int
	}{
		{name: "json", target: "/json", ct: "application/json", body: "{}", status: 200},
		{name: "json with charset", target: "/json", ct: "application/json; charset=utf-8", body: "{}", status: 200},
		{name: "json upper case", target: "/json", ct: "Application/JSON", body: "{}", status: 200},
		{name: "no type no body", target: "/json", status: 200},
		{name: "no type with body counts as json", target: "/json", body: "{}", status: 200},
		{name: "other type", target: "/json", ct: "text/plain", body: "hi", status: 415},
		{name: "malformed type", target: "/json", ct: "what;=", body: "hi", status: 415},
		{name: "wildcard subtype", target: "/upload", ct: "image/png", body: "x", status: 200},
		{name: "wildcard subtype jpeg", target: "/upload", ct: "image/jpeg", body: "x", status: 200},
		{name: "listed type", target: "/upload", ct: "application/octet-stream", body: "x", status: 200},
		{name: "not listed", target: "/upload", ct: "application/json", body: "{}", status: 415},
		{name: "no type with body is json, not listed", target: "/upload", body: "x", status: 415},
		{name: "no type no body passes any route", target: "/upload", status: 200},
		{name: "any type", target: "/anything", ct: "text/csv", body: "a,b", status: 200},
		{name: "configured type is case-insensitive", target: "/form", ct: "text/plain; charset=utf-8", body: "x", status: 200},
		{name: "form", target: "/form", ct: "application/x-www-form-urlencoded", body: "a=b", status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hdr []string
			if tc.ct != "" {
				hdr = []string{"Content-Type", tc.ct}
			}
			rec := do(a, "POST", tc.target, tc.body, hdr...)
			if rec.Code != tc.status {
				t.Fatalf("status = %d, want %d; body %s", rec.Code, tc.status, rec.Body)
			}
			if tc.status == 415 {
				e := decodeError(t, rec.Body.Bytes())
				if e.Code != "UnsupportedMediaType" || !strings.HasPrefix(e.Message, "Unsupported media type: ") {
					t.Errorf("body = %+v", e)
				}
			}
		})
	}
	if rec := do(a, "GET", "/get", ""); rec.Code != 200 {
		t.Errorf("GET without a body: status %d", rec.Code)
	}
}

func TestRegistrationPanics(t *testing.T) {
	t.Parallel()
	h := text("x")
	stream := "arn:aws:dynamodb:us-east-1:123456789012:table/donors/stream/2024-03-13T09:00:00.000"
	nop := func(context.Context, events.DynamoDBEvent) error { return nil }
	batch := func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, nil
	}
	tests := []struct {
		name string
		f    func(a *App)
		want string // substring of the panic message
	}{
		{"trailing slash", func(a *App) { a.Route("GET /donors/", h) }, `must not end with "/"`},
		{"{$}", func(a *App) { a.Route("GET /donors/{$}", h) }, `"{$}" is not supported`},
		{"root {$}", func(a *App) { a.Route("GET /{$}", h) }, `"{$}" is not supported`},
		{"unknown method", func(a *App) { a.Route("FETCH /donors", h) }, `method "FETCH"`},
		{"lower-case method", func(a *App) { a.Route("get /donors", h) }, `method "get"`},
		{"CONNECT", func(a *App) { a.Route("CONNECT /donors", h) }, `method "CONNECT"`},
		{"host pattern", func(a *App) { a.Route("example.com/donors", h) }, `must start with "/"`},
		{"empty", func(a *App) { a.Route("", h) }, `must start with "/"`},
		{"partial-segment wildcard", func(a *App) { a.Route("GET /donors/id-{id}", h) }, "whole segment"},
		{"wildcard then text", func(a *App) { a.Route("GET /donors/{id}.json", h) }, "whole segment"},
		{"two wildcards in a segment", func(a *App) { a.Route("GET /donors/{a}{b}", h) }, "Go identifier"},
		{"duplicate wildcard names", func(a *App) { a.Route("GET /a/{id}/b/{id}", h) }, `"id" is used twice`},
		{"duplicate wildcard names greedy", func(a *App) { a.Route("GET /a/{id}/{id...}", h) }, `"id" is used twice`},
		{"bad wildcard name", func(a *App) { a.Route("GET /a/{1d}", h) }, "Go identifier"},
		{"empty wildcard name", func(a *App) { a.Route("GET /a/{}", h) }, "Go identifier"},
		{"greedy not last", func(a *App) { a.Route("GET /a/{p...}/b", h) }, "must be the last segment"},
		{"empty segment", func(a *App) { a.Route("GET /a//b", h) }, "empty path segment"},
		{"dot segment", func(a *App) { a.Route("GET /a/../b", h) }, "clean"},
		{"percent", func(a *App) { a.Route("GET /a%20b", h) }, `character '%'`},
		{"non-ASCII", func(a *App) { a.Route("GET /café", h) }, `character 'é'`},
		{"space in path", func(a *App) { a.Route("/a b", h) }, `method "/a"`},
		{"nil handler", func(a *App) { a.Route("GET /a", nil) }, "nil handler"},
		{"nil http.Handler", func(a *App) { a.Handle("GET /a", nil) }, "nil handler"},
		{"duplicate route", func(a *App) { a.Route("GET /donors/{id}", h); a.Route("GET /donors/{id}", h) }, "already registered"},
		{"duplicate route other wildcard name", func(a *App) { a.Route("GET /donors/{id}", h); a.Route("GET /donors/{name}", h) }, "already registered"},
		{"duplicate ANY route", func(a *App) { a.Route("/health", h); a.Handle("/health", http.HandlerFunc(h)) }, "already registered"},
		{"duplicate greedy route", func(a *App) { a.Route("GET /f/{p...}", h); a.Route("GET /f/{q...}", h) }, "already registered"},
		{"sibling wildcards", func(a *App) { a.Route("GET /donors/{id}", h); a.Route("PUT /donors/{name}", h) }, "siblings"},
		{"sibling wildcards deeper", func(a *App) { a.Route("GET /donors/{id}", h); a.Route("GET /donors/{name}/photo", h) }, "siblings"},
		{"sibling wildcard and greedy", func(a *App) { a.Route("GET /f/{id}", h); a.Route("GET /f/{rest...}", h) }, "siblings"},
		{"ServeMux conflict", func(a *App) { a.Route("GET /a/{x}/b", h); a.Route("GET /a/b/{y}", h) }, "conflicts with"},
		{"conflicting CORS", func(a *App) {
			a.Route("GET /donors", h, WithCORS(CORSConfig{}))
			a.Route("POST /donors", h)
		}, "CORS differs"},
		{"conflicting CORS configs", func(a *App) {
			a.Route("GET /donors", h, WithCORS(CORSConfig{MaxAge: 1}))
			a.Route("POST /donors", h, WithCORS(CORSConfig{MaxAge: 2}))
		}, "CORS differs"},
		{"CORS on OPTIONS route", func(a *App) { a.Route("OPTIONS /donors", h, WithCORS(CORSConfig{})) }, "cannot have CORS"},
		{"OPTIONS route beside CORS", func(a *App) {
			a.Route("OPTIONS /donors", h)
			a.Route("GET /donors", h, WithCORS(CORSConfig{}))
		}, "CORS differs"},
		{"Route after Handler", func(a *App) { a.Handler(); a.Route("GET /late", h) }, "after the app started"},
		{"Use after Handler", func(a *App) { a.Handler(); a.Use(func(h http.Handler) http.Handler { return h }) }, "after the app started"},
		{"stream after Handler", func(a *App) { a.Handler(); a.OnDynamoDBRecord("late", stream, nop) }, "after the app started"},
		{"function after ServeHTTP", func(a *App) { do(a, "GET", "/", ""); a.LambdaFunction("late", func() {}) }, "after the app started"},
		{"duplicate function name", func(a *App) { a.OnDynamoDBRecord("fn", stream, nop); a.LambdaFunction("fn", func() {}) }, "already registered"},
		{"duplicate stream name", func(a *App) { a.OnDynamoDBRecord("fn", stream, nop); a.OnDynamoDBBatch("fn", stream, batch) }, "already registered"},
		{"reserved name", func(a *App) { a.LambdaFunction("api_handler", func() {}) }, "reserved"},
		{"reserved name stream", func(a *App) { a.OnDynamoDBRecord("api_handler", stream, nop) }, "reserved"},
		{"name with space", func(a *App) { a.LambdaFunction("my fn", func() {}) }, "letters, digits"},
		{"name with dot", func(a *App) { a.LambdaFunction("my.fn", func() {}) }, "letters, digits"},
		{"empty name", func(a *App) { a.LambdaFunction("", func() {}) }, "letters, digits"},
		{"name too long", func(a *App) { a.LambdaFunction(strings.Repeat("f", 64-len("registration")-3+1), func() {}) }, "Lambda allows 64"},
		{"stream ARN of another service", func(a *App) { a.OnDynamoDBRecord("s", "arn:aws:kinesis:us-east-1:123456789012:stream/donors", nop) }, "neither a DynamoDB stream ARN"},
		{"stream ARN with short account", func(a *App) {
			a.OnDynamoDBRecord("s", "arn:aws:dynamodb:us-east-1:1234:table/donors/stream/2024-03-13T09:00:00.000", nop)
		}, "neither a DynamoDB stream ARN"},
		{"table ARN", func(a *App) { a.OnDynamoDBRecord("s", "arn:aws:dynamodb:us-east-1:123456789012:table/donors", nop) }, "neither a DynamoDB stream ARN"},
		{"bad table name", func(a *App) { a.OnDynamoDBBatch("s", "my table", batch) }, "neither a DynamoDB stream ARN"},
		{"short table name", func(a *App) { a.OnDynamoDBRecord("s", "ab", nop) }, "neither a DynamoDB stream ARN"},
		{"batch size 0", func(a *App) { a.OnDynamoDBRecord("s", stream, nop, WithBatchSize(0)) }, "batch size 0"},
		{"batch size 10001", func(a *App) { a.OnDynamoDBRecord("s", stream, nop, WithBatchSize(10001)) }, "batch size 10001"},
		{"negative window", func(a *App) { a.OnDynamoDBRecord("s", stream, nop, WithMaximumBatchingWindow(-time.Second)) }, "batching window"},
		{"window too long", func(a *App) { a.OnDynamoDBRecord("s", stream, nop, WithMaximumBatchingWindow(301*time.Second)) }, "batching window"},
		{"window not whole seconds", func(a *App) { a.OnDynamoDBRecord("s", stream, nop, WithMaximumBatchingWindow(1500*time.Millisecond)) }, "batching window"},
		{"starting position", func(a *App) { a.OnDynamoDBBatch("s", stream, batch, WithStartingPosition("AT_TIMESTAMP")) }, `starting position "AT_TIMESTAMP"`},
		{"nil stream handler", func(a *App) { a.OnDynamoDBRecord("s", stream, nil) }, "nil handler"},
		{"nil batch handler", func(a *App) { a.OnDynamoDBBatch("s", stream, nil) }, "nil handler"},
		{"nil function", func(a *App) { a.LambdaFunction("f", nil) }, "nil handler"},
		{"not a function", func(a *App) { a.LambdaFunction("f", "handler") }, "not a function"},
		{"three arguments", func(a *App) { a.LambdaFunction("f", func(context.Context, int, int) error { return nil }) }, "more than two arguments"},
		{"two arguments without context", func(a *App) { a.LambdaFunction("f", func(string, int) error { return nil }) }, "not a context.Context"},
		{"one non-error result", func(a *App) { a.LambdaFunction("f", func() int { return 0 }) }, "must be an error"},
		{"two results without error", func(a *App) { a.LambdaFunction("f", func() (int, int) { return 0, 0 }) }, "second must be an error"},
		{"three results", func(a *App) { a.LambdaFunction("f", func() (int, int, error) { return 0, 0, nil }) }, "more than two values"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := New("registration")
			msg := mustPanic(t, func() { tc.f(a) })
			if !strings.Contains(msg, tc.want) {
				t.Errorf("panic %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func TestAppNamePanics(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "save a life", "save.a.life", strings.Repeat("a", 61)} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			mustPanic(t, func() { New(name) })
		})
	}
	// The longest names that fit.
	a := New(strings.Repeat("a", 60))
	if a.Name() != strings.Repeat("a", 60) {
		t.Errorf("Name() = %q", a.Name())
	}
	b := New("app")
	b.LambdaFunction(strings.Repeat("f", 64-len("app")-3), func() {})
}

func TestValidRegistrations(t *testing.T) {
	t.Parallel()
	// Patterns that are all accepted together: different methods on one
	// path, a literal beside a wildcard, ANY beside a method, the same
	// wildcard name under one parent.
	a := New("ok")
	h := text("x")
	a.Route("GET /donors/{id}", h, WithCORS(CORSConfig{}))
	a.Route("DELETE /donors/{id}", h, WithCORS(CORSConfig{}))
	a.Route("GET /donors/{id}/photo", h)
	a.Route("GET /donors/me", h)
	a.Route("/donors/{id}/log", h)
	a.Route("GET /donors/{id}/log", h)
	a.Route("GET /files/{path...}", h)
	a.Route("GET /files/index", h)
	a.Route("HEAD /files/index", h)
	a.Route("OPTIONS /files/index", h)
	a.Route("GET /", h)
	a.Route("POST /", h)
	a.Handler()
}

// An ANY "/{proxy...}" route is API Gateway's catch-all "/{proxy+}": it
// takes every path but "/", beside more specific routes.
func TestProxyCatchAll(t *testing.T) {
	t.Parallel()
	a := New("proxy")
	a.Route("/{proxy...}", text("proxy", "proxy"))
	a.Route("GET /donors/{id}", text("get", "id"))
	tests := []struct {
		method, target string
		status         int
		body           string
	}{
		{"GET", "/donors/1", 200, "get:1"},
		{"POST", "/donors/1", 200, "proxy:donors/1"},
		{"DELETE", "/a/b/c", 200, "proxy:a/b/c"},
		{"GET", "/", 404, ""},
	}
	for _, tc := range tests {
		rec := do(a, tc.method, tc.target, "")
		if rec.Code != tc.status || tc.body != "" && rec.Body.String() != tc.body {
			t.Errorf("%s %s = %d %q, want %d %q", tc.method, tc.target, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
	resp, err := a.HandleProxyRequest(context.Background(), &events.APIGatewayProxyRequest{
		HTTPMethod: "PATCH", Resource: "/{proxy+}", Path: "/x/y%2Fz", PathParameters: map[string]string{"proxy": "x/y%2Fz"},
	})
	if err != nil || resp.StatusCode != 200 || resp.Body != "proxy:x/y/z" {
		t.Errorf("API Gateway: %+v %v", resp, err)
	}
}

func TestMediaTypes(t *testing.T) {
	t.Parallel()
	m := newMediaTypes([]string{"application/json", "Image/*", "text/CSV"})
	for ct, want := range map[string]bool{
		"application/json":                true,
		"Application/JSON; charset=utf-8": true,
		"image/png":                       true,
		"image/":                          false,
		"text/csv":                        true,
		"text/plain":                      false,
		"":                                false,
	} {
		if got := m.match(ct); got != want {
			t.Errorf("match(%q) = %v, want %v", ct, got, want)
		}
	}
	if !newMediaTypes([]string{"*/*"}).match("anything/else") {
		t.Error(`"*/*" does not match everything`)
	}
}
