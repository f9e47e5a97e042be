package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unsafe"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// echo is what echoHandler reports about the request it got.
type echo struct {
	Method      string
	Path        string
	EscapedPath string
	Params      map[string]string
	Query       url.Values
	Headers     http.Header // only the headers echoHandler is asked for
	Cookies     []string
	Host        string
	RemoteAddr  string
	Body        string
	Context     RequestContext
	V1Resource  string // from ProxyRequest
	V2RouteKey  string // from V2HTTPRequest
}

func echoHandler(params []string, headers ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e := echo{
			Method:      r.Method,
			Path:        r.URL.Path,
			EscapedPath: r.URL.EscapedPath(),
			Query:       r.URL.Query(),
			Host:        r.Host,
			RemoteAddr:  r.RemoteAddr,
			Body:        string(body),
			Context:     Context(r),
		}
		for _, p := range params {
			if e.Params == nil {
				e.Params = map[string]string{}
			}
			e.Params[p] = r.PathValue(p)
		}
		for _, h := range headers {
			if vs := r.Header.Values(h); len(vs) > 0 {
				if e.Headers == nil {
					e.Headers = http.Header{}
				}
				e.Headers[h] = vs
			}
		}
		for _, c := range r.Cookies() {
			e.Cookies = append(e.Cookies, c.Name+"="+c.Value)
		}
		if ev, ok := ProxyRequest(r); ok {
			e.V1Resource = ev.Resource
		}
		if ev, ok := V2HTTPRequest(r); ok {
			e.V2RouteKey = ev.RouteKey
		}
		_ = WriteJSON(w, http.StatusOK, e)
	}
}

// pngBytes is a 1x1 PNG, the body of the *-post-file.json fixtures.
var pngBytes, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

func newAPIApp() *App {
	a := New("savealife")
	a.Route("GET /donors/{id}", echoHandler([]string{"id"}, "X-Tag", "Accept", "User-Agent"))
	a.Route("POST /donors", echoHandler(nil, "Content-Type"))
	a.Route("GET /", echoHandler(nil))
	a.Route("POST /files/{path...}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
		w.Header().Set("X-Path", r.PathValue("path"))
		w.Header().Set("X-Escaped-Path", r.URL.EscapedPath())
		w.WriteHeader(http.StatusCreated)
		w.Write(body)
	}, WithContentTypes("image/png"))
	a.Route("GET /image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(pngBytes)
	})
	a.Route("GET /webp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/webp")
		w.Write([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	}, WithBinaryTypes("image/webp"))
	a.Route("GET /latin1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
		w.Write([]byte("caf\xe9"))
	})
	a.Route("GET /sniff", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<!DOCTYPE html><html><body>hi</body></html>")
	})
	a.Route("GET /empty", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	a.Route("GET /early-hints", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "accepted")
	})
	a.Route("GET /cookies", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "abc", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark"})
		w.Header().Add("X-Multi", "1")
		w.Header().Add("X-Multi", "2")
		_ = WriteJSON(w, http.StatusOK, map[string]string{"ok": "yes"})
	})
	return a
}

var anaClaims = map[string]string{
	"sub":              "7d8ca528-4931-4254-9273-ea5ee853f271",
	"email":            "ana@example.com",
	"cognito:username": "ana",
	"email_verified":   "true",
	"iss":              "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E",
	"token_use":        "id",
}

func TestProxyRequestFixtures(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	claimsAny := map[string]any{}
	for k, v := range anaClaims {
		claimsAny[k] = v
	}
	tests := []struct {
		fixture string
		v2      bool
		want    echo
	}{
		{
			// A REST API behind a custom domain whose base path mapping
			// is "v1": the path has the base path and the resource does
			// not. The path parameter is percent-encoded, as API Gateway
			// sends it.
			fixture: "apigw-v1-get-donor.json",
			want: echo{
				Method:      "GET",
				Path:        "/donors/Los Angeles",
				EscapedPath: "/donors/Los%20Angeles",
				Params:      map[string]string{"id": "Los Angeles"},
				Query:       url.Values{"fields": {"name,blood_type"}, "tag": {"a-", "o+"}},
				Headers: http.Header{
					"X-Tag":      {"a", "b"},
					"Accept":     {"application/json"},
					"User-Agent": {"curl/8.5.0"},
				},
				Cookies:    []string{"session=abc123", "theme=dark"},
				Host:       "api.savealife.example.com",
				RemoteAddr: "203.0.113.7",
				Context: RequestContext{
					Stage:      "dev",
					RequestID:  "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
					APIID:      "a1b2c3d4e5",
					SourceIP:   "203.0.113.7",
					Claims:     anaClaims,
					Authorizer: map[string]any{"claims": claimsAny},
				},
				V1Resource: "/donors/{id}",
			},
		},
		{
			// An HTTP API with a JWT authorizer behind the same custom
			// domain: rawPath has the base path and is decoded.
			fixture: "apigw-v2-get-donor.json",
			v2:      true,
			want: echo{
				Method:      "GET",
				Path:        "/donors/Los Angeles",
				EscapedPath: "/donors/Los%20Angeles",
				Params:      map[string]string{"id": "Los Angeles"},
				Query:       url.Values{"fields": {"name,blood_type"}, "tag": {"a-", "o+"}},
				Headers: http.Header{
					"X-Tag":      {"a,b"},
					"Accept":     {"application/json"},
					"User-Agent": {"curl/8.5.0"},
				},
				Cookies:    []string{"session=abc123", "theme=dark"},
				Host:       "api.savealife.example.com",
				RemoteAddr: "203.0.113.7",
				Context: RequestContext{
					Stage:     "$default",
					RequestID: "JKJaXmPLvHcESHA=",
					APIID:     "h7k2m9n4p1",
					SourceIP:  "203.0.113.7",
					Claims: map[string]string{
						"aud":   "6lq2vd8kb0p7ep0g1kfj9ht0fd",
						"email": "ana@example.com",
						"iss":   "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab12Cd34E",
						"sub":   "7d8ca528-4931-4254-9273-ea5ee853f271",
					},
				},
				V2RouteKey: "GET /donors/{id}",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.fixture, func(t *testing.T) {
			t.Parallel()
			payload := readFixture(t, tc.fixture)
			// Through Invoke, as the Lambda runtime calls the API handler:
			// JSON in, JSON out.
			out, err := a.Invoke(context.Background(), "api_handler", payload)
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode        int                 `json:"statusCode"`
				Headers           map[string]string   `json:"headers"`
				MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
				Body              string              `json:"body"`
				IsBase64Encoded   bool                `json:"isBase64Encoded"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || resp.IsBase64Encoded {
				t.Fatalf("response %s", out)
			}
			ct := resp.Headers["Content-Type"]
			if !tc.v2 {
				ct = strings.Join(resp.MultiValueHeaders["Content-Type"], ",")
			}
			if ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got echo
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBinaryRequestFixtures(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	ctx := context.Background()
	check := func(t *testing.T, status int, header http.Header, body string, b64 bool) {
		t.Helper()
		if status != 201 || !b64 || body != base64.StdEncoding.EncodeToString(pngBytes) {
			t.Errorf("response %d base64=%v %q", status, b64, body)
		}
		want := http.Header{
			"Content-Type":   {"image/png"},
			"X-Path":         {"reports/2024/q1/q2 summary.png"},
			"X-Escaped-Path": {"/files/reports/2024/q1%2Fq2%20summary.png"},
		}
		if diff := cmp.Diff(want, header); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
	}
	t.Run("v1", func(t *testing.T) {
		t.Parallel()
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(readFixture(t, "apigw-v1-post-file.json"), &ev); err != nil {
			t.Fatal(err)
		}
		resp, err := a.HandleProxyRequest(ctx, &ev)
		if err != nil {
			t.Fatal(err)
		}
		check(t, resp.StatusCode, resp.MultiValueHeaders, resp.Body, resp.IsBase64Encoded)
	})
	t.Run("v2", func(t *testing.T) {
		t.Parallel()
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(readFixture(t, "apigw-v2-post-file.json"), &ev); err != nil {
			t.Fatal(err)
		}
		resp, err := a.HandleV2HTTPRequest(ctx, &ev)
		if err != nil {
			t.Fatal(err)
		}
		h := http.Header{}
		for k, v := range resp.Headers {
			h[k] = []string{v}
		}
		check(t, resp.StatusCode, h, resp.Body, resp.IsBase64Encoded)
	})
}

func TestResponses(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	tests := []struct {
		path   string
		status int
		header map[string][]string
		body   string
		b64    bool
	}{
		{path: "/image", status: 200, header: map[string][]string{"Content-Type": {"image/png"}},
			body: base64.StdEncoding.EncodeToString(pngBytes), b64: true},
		{path: "/webp", status: 200, header: map[string][]string{"Content-Type": {"image/webp"}},
			body: base64.StdEncoding.EncodeToString([]byte("RIFF\x00\x00\x00\x00WEBPVP8 ")), b64: true},
		{path: "/latin1", status: 200, header: map[string][]string{"Content-Type": {"text/plain; charset=iso-8859-1"}},
			body: base64.StdEncoding.EncodeToString([]byte("caf\xe9")), b64: true},
		{path: "/sniff", status: 200, header: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}},
			body: "<!DOCTYPE html><html><body>hi</body></html>"},
		{path: "/empty", status: 204, header: map[string][]string{}},
		{path: "/early-hints", status: 202, header: map[string][]string{"Content-Type": {"text/plain"}, "Link": {"</style.css>; rel=preload"}},
			body: "accepted"},
		{path: "/cookies", status: 200, header: map[string][]string{
			"Content-Type": {"application/json"},
			"Set-Cookie":   {"session=abc; Path=/; HttpOnly", "theme=dark"},
			"X-Multi":      {"1", "2"},
		}, body: `{"ok":"yes"}` + "\n"},
		{path: "/missing", status: 404, header: map[string][]string{"Content-Type": {"application/json"}},
			body: `{"Code":"NotFoundError","Message":"no route matches GET /missing"}` + "\n"},
	}
	for _, tc := range tests {
		t.Run("v1"+tc.path, func(t *testing.T) {
			t.Parallel()
			resp, err := a.HandleProxyRequest(context.Background(), &events.APIGatewayProxyRequest{
				HTTPMethod: "GET", Resource: tc.path, Path: tc.path,
			})
			if err != nil {
				t.Fatal(err)
			}
			want := events.APIGatewayProxyResponse{StatusCode: tc.status, MultiValueHeaders: tc.header, Body: tc.body, IsBase64Encoded: tc.b64}
			if diff := cmp.Diff(want, resp); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
		t.Run("v2"+tc.path, func(t *testing.T) {
			t.Parallel()
			resp, err := a.HandleV2HTTPRequest(context.Background(), &events.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "GET " + tc.path, RawPath: tc.path,
				RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}},
			})
			if err != nil {
				t.Fatal(err)
			}
			want := events.APIGatewayV2HTTPResponse{StatusCode: tc.status, Body: tc.body, IsBase64Encoded: tc.b64}
			for k, vs := range tc.header {
				if want.Headers == nil {
					want.Headers = map[string]string{}
				}
				if k == "Set-Cookie" {
					want.Cookies = vs // Set-Cookie goes to cookies, one each
					continue
				}
				want.Headers[k] = strings.Join(vs, ",")
			}
			if diff := cmp.Diff(want, resp); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestDetails(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	ctx := context.Background()
	tests := []struct {
		name string
		ev   events.APIGatewayProxyRequest
		want echo
	}{
		{
			name: "single-value headers and query only",
			ev: events.APIGatewayProxyRequest{
				HTTPMethod: "POST", Resource: "/donors", Path: "/donors",
				Headers:               map[string]string{"content-type": "application/json", "host": "h.example"},
				QueryStringParameters: map[string]string{"a": "1 2", "b": "x&y"},
				Body:                  `{"name":"Ana"}`,
			},
			want: echo{
				Method: "POST", Path: "/donors", EscapedPath: "/donors",
				Query:   url.Values{"a": {"1 2"}, "b": {"x&y"}},
				Headers: http.Header{"Content-Type": {"application/json"}},
				Host:    "h.example", Body: `{"name":"Ana"}`, V1Resource: "/donors",
			},
		},
		{
			name: "base64 body",
			ev: events.APIGatewayProxyRequest{
				HTTPMethod: "POST", Resource: "/donors", Path: "/donors",
				Body: base64.StdEncoding.EncodeToString([]byte(`{"name":"Bé"}`)), IsBase64Encoded: true,
				RequestContext: events.APIGatewayProxyRequestContext{DomainName: "d.example"},
			},
			want: echo{
				Method: "POST", Path: "/donors", EscapedPath: "/donors", Query: url.Values{},
				Host: "d.example", Body: `{"name":"Bé"}`, V1Resource: "/donors",
			},
		},
		{
			name: "root resource",
			ev:   events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/", Path: "/v1"},
			want: echo{Method: "GET", Path: "/", EscapedPath: "/", Query: url.Values{}, V1Resource: "/"},
		},
		{
			name: "lambda authorizer context",
			ev: events.APIGatewayProxyRequest{
				HTTPMethod: "GET", Resource: "/",
				RequestContext: events.APIGatewayProxyRequestContext{Authorizer: map[string]any{"principalId": "u1", "tier": "gold"}},
			},
			want: echo{Method: "GET", Path: "/", EscapedPath: "/", Query: url.Values{}, V1Resource: "/",
				Context: RequestContext{Authorizer: map[string]any{"principalId": "u1", "tier": "gold"}, PrincipalID: "u1"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, err := a.HandleProxyRequest(ctx, &tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			var got echo
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%d %s: %v", resp.StatusCode, resp.Body, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestV2Details(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	ev := events.APIGatewayV2HTTPRequest{
		Version: "2.0", RouteKey: "$default", RawPath: "/", RawQueryString: "q=%2F&q=2",
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			Stage: "prod", RequestID: "r1", APIID: "api1",
			HTTP:       events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", SourceIP: "2001:db8::1"},
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: map[string]any{"user": "u1"}},
		},
	}
	resp, err := a.HandleV2HTTPRequest(context.Background(), &ev)
	if err != nil {
		t.Fatal(err)
	}
	var got echo
	if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
		t.Fatal(err)
	}
	want := echo{
		Method: "GET", Path: "/", EscapedPath: "/", Query: url.Values{"q": {"/", "2"}},
		RemoteAddr: "2001:db8::1",
		Context: RequestContext{Stage: "prod", RequestID: "r1", APIID: "api1", SourceIP: "2001:db8::1",
			Authorizer: map[string]any{"user": "u1"}},
		V2RouteKey: "$default",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
}

func TestBadEvents(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	ctx := context.Background()
	tests := []struct {
		name string
		ev   events.APIGatewayProxyRequest
		msg  string
	}{
		{"bad base64", events.APIGatewayProxyRequest{HTTPMethod: "POST", Resource: "/donors", Body: "%%%", IsBase64Encoded: true},
			"the event's body is marked base64 but does not decode"},
		{"missing path parameter", events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/donors/{id}", Path: "/donors/1"},
			`the event's resource "/donors/{id}" has no value for path parameter "id"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, err := a.HandleProxyRequest(ctx, &tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			e := decodeError(t, []byte(resp.Body))
			if resp.StatusCode != 400 || e.Code != "BadRequestError" || !strings.HasPrefix(e.Message, tc.msg) {
				t.Errorf("got %d %+v", resp.StatusCode, e)
			}
			v2 := events.APIGatewayV2HTTPRequest{RouteKey: tc.ev.HTTPMethod + " " + tc.ev.Resource, Body: tc.ev.Body, IsBase64Encoded: tc.ev.IsBase64Encoded}
			v2.RequestContext.HTTP.Method = tc.ev.HTTPMethod
			resp2, err := a.HandleV2HTTPRequest(ctx, &v2)
			if err != nil {
				t.Fatal(err)
			}
			if e := decodeError(t, []byte(resp2.Body)); resp2.StatusCode != 400 || !strings.HasPrefix(e.Message, tc.msg) ||
				resp2.Headers["Content-Type"] != "application/json" {
				t.Errorf("v2: got %d %v %+v", resp2.StatusCode, resp2.Headers, e)
			}
		})
	}
}

func TestInvokeAPIHandlerVersions(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	ctx := context.Background()
	tests := []struct {
		name    string
		payload string
		v2      bool
	}{
		{"REST API (no version)", `{"httpMethod":"GET","resource":"/","path":"/"}`, false},
		{"HTTP API payload 1.0", `{"version":"1.0","httpMethod":"GET","resource":"/","path":"/"}`, false},
		{"HTTP API payload 2.0", `{"version":"2.0","routeKey":"GET /","rawPath":"/","requestContext":{"http":{"method":"GET"}}}`, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := a.Invoke(ctx, "api_handler", []byte(tc.payload))
			if err != nil {
				t.Fatal(err)
			}
			var resp struct {
				StatusCode        int                 `json:"statusCode"`
				MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
				Headers           map[string]string   `json:"headers"`
				Body              string              `json:"body"`
			}
			if err := json.Unmarshal(out, &resp); err != nil {
				t.Fatal(err)
			}
			var got echo
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("%s: %v", out, err)
			}
			// A v1 response answers in multiValueHeaders, a v2 one in headers.
			if tc.v2 != (got.V2RouteKey == "GET /") || tc.v2 == (got.V1Resource == "/") ||
				tc.v2 != (resp.Headers["Content-Type"] == "application/json") ||
				tc.v2 == (len(resp.MultiValueHeaders["Content-Type"]) == 1) {
				t.Errorf("dispatched wrongly: %s", out)
			}
		})
	}
	for _, bad := range []string{`not json`, `{"version":"2.0","headers":[1]}`, `{"headers":[1]}`} {
		if _, err := a.Invoke(ctx, "api_handler", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "API handler: decode ") {
			t.Errorf("Invoke(%s) error = %v", bad, err)
		}
	}
}

func TestContextOutsideAPIGateway(t *testing.T) {
	t.Parallel()
	r, _ := http.NewRequest("GET", "/", nil)
	if diff := cmp.Diff(RequestContext{}, Context(r)); diff != "" {
		t.Errorf("Context (-want +got):\n%s", diff)
	}
	if _, ok := ProxyRequest(r); ok {
		t.Errorf("ProxyRequest ok for a plain request")
	}
	if _, ok := V2HTTPRequest(r); ok {
		t.Errorf("V2HTTPRequest ok for a plain request")
	}
}

func TestRoutePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, resource string
		params         map[string]string
		eventPath      string
		path, raw      string
	}{
		{"literal resource wins over base path", "/donors", nil, "/v1/donors", "/donors", ""},
		{"no resource", "", nil, "/a%20b/c", "/a b/c", ""},
		{"no resource, encoded slash", "", nil, "/a%2Fb", "/a/b", "/a%2Fb"},
		{"$default", "$default", nil, "/x", "/x", ""},
		{"empty", "", nil, "", "/", ""},
		{"encoded parameter", "/d/{id}", map[string]string{"id": "a%20b"}, "", "/d/a b", "/d/a%20b"},
		{"encoded slash", "/d/{id}", map[string]string{"id": "a%2Fb"}, "", "/d/a/b", "/d/a%2Fb"},
		{"decoded parameter", "/d/{id}", map[string]string{"id": "a b"}, "", "/d/a b", "/d/a%20b"},
		{"literal percent", "/d/{id}", map[string]string{"id": "100%"}, "", "/d/100%", "/d/100%25"},
		{"unicode", "/d/{id}", map[string]string{"id": "caf%C3%A9"}, "", "/d/café", "/d/caf%C3%A9"},
		{"greedy", "/f/{p+}", map[string]string{"p": "a/b%2Fc/d%20e"}, "", "/f/a/b/c/d e", "/f/a/b%2Fc/d%20e"},
		{"two", "/d/{id}/x/{y}", map[string]string{"id": "1", "y": "2"}, "", "/d/1/x/2", ""},
		{"plain greedy", "/f/{p+}", map[string]string{"p": "a/b:c@d"}, "", "/f/a/b:c@d", ""},
		{"slash in plain parameter", "/d/{id}", map[string]string{"id": "a/b"}, "", "/d/a/b", "/d/a%2Fb"},
		{"literal with escape", "/a%20b", nil, "", "/a b", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, raw, err := routePath(tc.resource, tc.params, tc.eventPath)
			if err != nil {
				t.Fatal(err)
			}
			if path != tc.path || raw != tc.raw {
				t.Errorf("routePath = %q, %q; want %q, %q", path, raw, tc.path, tc.raw)
			}
		})
	}
}

// TestPlainRoutePath: the fast path gives the same path whatever the
// event's path, and gives the event's path itself when that is the path.
func TestPlainRoutePath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		resource string
		params   map[string]string
		want     string
	}{
		{"/donors/{id}", map[string]string{"id": "42"}, "/donors/42"},
		{"/d/{id}/x/{y}", map[string]string{"id": "1", "y": "2"}, "/d/1/x/2"},
		{"/f/{p+}", map[string]string{"p": "a/b:c@d"}, "/f/a/b:c@d"},
		{"/{a}/{b}", map[string]string{"a": "x", "b": "y"}, "/x/y"},
		{"/{a}", map[string]string{"a": ""}, "/"},
	}
	for _, tc := range tests {
		variants := []string{"", tc.want, "/v1" + tc.want, tc.want + "/", tc.want + "x", tc.want[:len(tc.want)-1], strings.TrimPrefix(tc.want, "/"), strings.ToUpper(tc.want)}
		for _, ev := range variants {
			got, ok := plainRoutePath(tc.resource, tc.params, ev)
			if !ok || got != tc.want {
				t.Errorf("plainRoutePath(%q, %v, %q) = %q, %t; want %q", tc.resource, tc.params, ev, got, ok, tc.want)
			}
			if reused := ok && ev != "" && unsafe.StringData(got) == unsafe.StringData(ev); reused != (ev == tc.want) {
				t.Errorf("plainRoutePath(%q, %v, %q) returned the event's path: %t", tc.resource, tc.params, ev, reused)
			}
		}
	}
	for _, p := range []map[string]string{{"id": "a b"}, {"id": "a%20b"}, {"id": "a/b"}, {}} {
		if got, ok := plainRoutePath("/d/{id}", p, "/d/"+p["id"]); ok {
			t.Errorf("plainRoutePath(/d/{id}, %v) = %q, true; want no fast path", p, got)
		}
	}
}

// TestRequestURI: the request's RequestURI is its URL's, as a server sets
// it, with the query API Gateway decoded encoded again.
func TestRequestURI(t *testing.T) {
	t.Parallel()
	a := New("uri")
	type seen struct{ RequestURI, URLRequestURI, RawQuery, Path, RawPath string }
	handler := func(w http.ResponseWriter, r *http.Request) {
		_ = WriteJSON(w, http.StatusOK, seen{r.RequestURI, r.URL.RequestURI(), r.URL.RawQuery, r.URL.Path, r.URL.RawPath})
	}
	a.Route("GET /d/{id}", handler)
	a.Route("GET /", handler)
	tests := []struct {
		name string
		v1   *events.APIGatewayProxyRequest
		v2   *events.APIGatewayV2HTTPRequest
		want seen
	}{
		{"v1 no query", &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/d/{id}", Path: "/d/42", PathParameters: map[string]string{"id": "42"}},
			nil, seen{"/d/42", "/d/42", "", "/d/42", ""}},
		{"v1 one parameter", &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/d/{id}", Path: "/d/42", PathParameters: map[string]string{"id": "42"},
			MultiValueQueryStringParameters: map[string][]string{"q": {"a b"}}}, nil, seen{"/d/42?q=a+b", "/d/42?q=a+b", "q=a+b", "/d/42", ""}},
		{"v1 single-value parameters", &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/d/{id}", Path: "/d/42", PathParameters: map[string]string{"id": "42"},
			QueryStringParameters: map[string]string{"b": "2", "a": "1"}}, nil, seen{"/d/42?a=1&b=2", "/d/42?a=1&b=2", "a=1&b=2", "/d/42", ""}},
		{"v1 escaped path", &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/d/{id}", Path: "/d/a%2Fb", PathParameters: map[string]string{"id": "a%2Fb"},
			MultiValueQueryStringParameters: map[string][]string{"x": {"1", "2"}}}, nil, seen{"/d/a%2Fb?x=1&x=2", "/d/a%2Fb?x=1&x=2", "x=1&x=2", "/d/a/b", "/d/a%2Fb"}},
		{"v1 parameter without values", &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/", Path: "/",
			MultiValueQueryStringParameters: map[string][]string{"x": {}}}, nil, seen{"/", "/", "", "/", ""}},
		{"v2 query", nil, &events.APIGatewayV2HTTPRequest{RouteKey: "GET /d/{id}", RawPath: "/d/a%20b", RawQueryString: "q=1&q=2",
			PathParameters: map[string]string{"id": "a%20b"}, RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}},
			seen{"/d/a%20b?q=1&q=2", "/d/a%20b?q=1&q=2", "q=1&q=2", "/d/a b", "/d/a%20b"}},
		{"v2 no query", nil, &events.APIGatewayV2HTTPRequest{RouteKey: "GET /", RawPath: "/",
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}},
			seen{"/", "/", "", "/", ""}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body string
			if tc.v1 != nil {
				resp, err := a.HandleProxyRequest(context.Background(), tc.v1)
				if err != nil {
					t.Fatal(err)
				}
				body = resp.Body
			} else {
				resp, err := a.HandleV2HTTPRequest(context.Background(), tc.v2)
				if err != nil {
					t.Fatal(err)
				}
				body = resp.Body
			}
			var got seen
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCanonicalHeader(t *testing.T) {
	t.Parallel()
	in := map[string][]string{
		"Accept":                       {"*/*"},
		"cache-control":                {"no-cache"},
		"CloudFront-Is-Desktop-Viewer": {"true"},
		"X-Tag":                        {"a"},
		"x-tag":                        {"b"},
	}
	got := canonicalHeader(in)
	tags := got["X-Tag"]
	if len(tags) != 2 || !(tags[0] == "a" && tags[1] == "b" || tags[0] == "b" && tags[1] == "a") {
		t.Errorf("X-Tag = %q, want a and b", tags)
	}
	delete(got, "X-Tag")
	want := http.Header{"Accept": {"*/*"}, "Cache-Control": {"no-cache"}, "Cloudfront-Is-Desktop-Viewer": {"true"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("header (-want +got):\n%s", diff)
	}
	// The event's map is the request's header: nothing is copied.
	got["X-Probe"] = []string{"1"}
	if in["X-Probe"] == nil {
		t.Error("canonicalHeader copied the event's headers")
	}
}

func TestCloudFrontHeaderKeys(t *testing.T) {
	t.Parallel()
	for _, k := range []string{"CloudFront-Forwarded-Proto", "CloudFront-Is-Desktop-Viewer", "CloudFront-Is-Mobile-Viewer",
		"CloudFront-Is-SmartTV-Viewer", "CloudFront-Is-Tablet-Viewer", "CloudFront-Viewer-ASN", "CloudFront-Viewer-Country"} {
		c, ok := cloudFrontHeaderKey(k)
		if !ok || c != http.CanonicalHeaderKey(k) {
			t.Errorf("cloudFrontHeaderKey(%q) = %q, %v; want %q", k, c, ok, http.CanonicalHeaderKey(k))
		}
	}
}

func TestEncodeQueryMatchesURLValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		multi  map[string][]string
		single map[string]string
	}{
		{multi: map[string][]string{"a b": {"c&d"}}},
		{single: map[string]string{"q": "x y"}},
		{multi: map[string][]string{"b": {"2", "1"}, "a": {"3"}}},
		{single: map[string]string{"b": "2", "a": "1"}},
		{multi: map[string][]string{"a": {}}},
		{multi: map[string][]string{"a": {}, "b": {}}},
		{multi: map[string][]string{"a": {"1", "2"}}},
	}
	for _, tc := range tests {
		want := url.Values{}
		for k, vs := range tc.multi {
			want[k] = vs
		}
		for k, v := range tc.single {
			want[k] = []string{v}
		}
		u := &url.URL{Path: "/a b", RawQuery: want.Encode()}
		if got := encodeQuery("/a%20b", tc.multi, tc.single); got != u.RequestURI() {
			t.Errorf("encodeQuery(%v, %v) = %q, want %q", tc.multi, tc.single, got, u.RequestURI())
		}
	}
}

// patternApp is an app whose two routes, GET /items/{id} and
// /files/{rest...}, answer with the request's pattern and its "id" and
// "rest" path values.
func patternApp(name string) *App {
	a := New(name)
	seen := func(w http.ResponseWriter, r *http.Request) {
		_ = WriteJSON(w, http.StatusOK, map[string]string{"pattern": r.Pattern, "id": r.PathValue("id"), "rest": r.PathValue("rest")})
	}
	a.Route("GET /items/{id}", seen)
	a.Route("/files/{rest...}", seen)
	return a
}

// TestDirectDispatch: an event that names one of the app's routes is served
// by that route (API Gateway already matched it), with r.Pattern and the
// path values set as http.ServeMux would; an event for a resource the app
// does not have is routed by its path.
func TestDirectDispatch(t *testing.T) {
	t.Parallel()
	a := patternApp("direct")
	tests := []struct {
		name     string
		ev       events.APIGatewayProxyRequest
		want     map[string]string
		wantCode int
	}{
		{
			name: "matched resource behind a base path mapping",
			ev:   events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/items/{id}", Path: "/v1/items/a%20b", PathParameters: map[string]string{"id": "a%20b"}},
			want: map[string]string{"pattern": "GET /items/{id}", "id": "a b", "rest": ""}, wantCode: 200,
		},
		{
			name: "ANY route, greedy parameter",
			ev:   events.APIGatewayProxyRequest{HTTPMethod: "DELETE", Resource: "/files/{rest+}", Path: "/files/x/y", PathParameters: map[string]string{"rest": "x/y"}},
			want: map[string]string{"pattern": "/files/{rest...}", "id": "", "rest": "x/y"}, wantCode: 200,
		},
		{
			name: "a proxy resource the app does not have: routed by path",
			ev:   events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/{proxy+}", Path: "/items/7", PathParameters: map[string]string{"proxy": "items/7"}},
			want: map[string]string{"pattern": "GET /items/{id}", "id": "7", "rest": ""}, wantCode: 200,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := a.HandleProxyRequest(context.Background(), &tc.ev)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]string
			if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
				t.Fatalf("%d %s: %v", resp.StatusCode, resp.Body, err)
			}
			if resp.StatusCode != tc.wantCode {
				t.Errorf("status = %d", resp.StatusCode)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("handler saw (-want +got):\n%s", diff)
			}
		})
	}
}

// TestWriteString: a handler writing with io.WriteString (through the
// writer's WriteString) answers as one writing with Write: 200 unless it
// set a status first, and the later status ignored.
func TestWriteString(t *testing.T) {
	t.Parallel()
	a := New("ws")
	a.Route("GET /s", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(io.StringWriter); !ok {
			t.Errorf("%T is not an io.StringWriter", w)
		}
		_, _ = io.WriteString(w, "hello ")
		w.WriteHeader(http.StatusTeapot)
		_, _ = w.Write([]byte("world"))
	})
	a.Route("GET /c", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "made")
	})
	for path, want := range map[string]events.APIGatewayProxyResponse{
		"/s": {StatusCode: 200, Body: "hello world"},
		"/c": {StatusCode: 201, Body: "made"},
	} {
		resp, err := a.HandleProxyRequest(context.Background(), &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: path, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want.StatusCode || resp.Body != want.Body {
			t.Errorf("GET %s: %d %q, want %d %q", path, resp.StatusCode, resp.Body, want.StatusCode, want.Body)
		}
	}
}

// FuzzPlainRoutePath: the event's path never changes the path the fast
// path gives, only whether it is built.
func FuzzPlainRoutePath(f *testing.F) {
	f.Add("/donors/{id}", "42", "/donors/42")
	f.Add("/f/{p+}/x", "a/b", "/f/a/b/x")
	f.Add("/{a}/{a}", "", "//")
	f.Fuzz(func(t *testing.T, resource, value, eventPath string) {
		params := map[string]string{"id": value, "p": value, "a": value}
		want, wantOK := plainRoutePath(resource, params, "")
		got, ok := plainRoutePath(resource, params, eventPath)
		if got != want || ok != wantOK {
			t.Errorf("plainRoutePath(%q, %q, %q) = %q, %t; with no event path %q, %t", resource, value, eventPath, got, ok, want, wantOK)
		}
	})
}
