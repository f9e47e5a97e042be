package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

var fuzzSeeds = []string{
	`{}`,
	`null`,
	`{"httpMethod":"GET","resource":"/donors/{id}","pathParameters":{"id":"%zz/.."}}`,
	`{"httpMethod":"GET","resource":"/files/{path+}","pathParameters":{"path":"a//b/../c"}}`,
	`{"httpMethod":"CONNECT","path":"example.com:443"}`,
	`{"httpMethod":"GET","path":"//x/../y?z#w","headers":{"Content-Type":"\u0000"}}`,
	`{"version":"2.0","routeKey":"GET /donors/{id}","pathParameters":{"id":"\u00ff"},"rawQueryString":"%%%&&=","requestContext":{"http":{"method":"GET"}}}`,
	`{"version":"2.0","routeKey":"$default","rawPath":"no-slash","cookies":["a=b","c"],"requestContext":{"http":{"method":"POST"}},"body":"AAAA","isBase64Encoded":true}`,
}

func fuzzApp() *App {
	a := newAPIApp()
	a.Logger = quietLogger()
	return a
}

func checkResponse(t *testing.T, status int, body string, b64 bool) {
	t.Helper()
	if status < 100 || status > 599 {
		t.Fatalf("status %d", status)
	}
	if b64 {
		if _, err := base64.StdEncoding.DecodeString(body); err != nil {
			t.Fatalf("body marked base64 does not decode: %v", err)
		}
	} else if !utf8.ValidString(body) {
		t.Fatalf("body is not UTF-8 and not base64: %q", body)
	}
}

func FuzzProxyRequest(f *testing.F) {
	for _, name := range []string{"apigw-v1-get-donor.json", "apigw-v1-post-file.json"} {
		f.Add(readFixture(f, name))
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	a := fuzzApp()
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.APIGatewayProxyRequest
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		resp, err := a.HandleProxyRequest(context.Background(), &ev)
		if err != nil {
			t.Fatal(err)
		}
		checkResponse(t, resp.StatusCode, resp.Body, resp.IsBase64Encoded)
		if _, err := json.Marshal(resp); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzV2HTTPRequest(f *testing.F) {
	for _, name := range []string{"apigw-v2-get-donor.json", "apigw-v2-post-file.json"} {
		f.Add(readFixture(f, name))
	}
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	a := fuzzApp()
	f.Fuzz(func(t *testing.T, data []byte) {
		var ev events.APIGatewayV2HTTPRequest
		if json.Unmarshal(data, &ev) != nil {
			return
		}
		resp, err := a.HandleV2HTTPRequest(context.Background(), &ev)
		if err != nil {
			t.Fatal(err)
		}
		checkResponse(t, resp.StatusCode, resp.Body, resp.IsBase64Encoded)
		for k := range resp.Headers {
			if strings.EqualFold(k, "Set-Cookie") {
				t.Fatalf("Set-Cookie in headers, not cookies")
			}
		}
		if _, err := json.Marshal(resp); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzPattern checks that parsePattern never panics, and that what it
// accepts registers and builds (http.ServeMux accepts it too) and maps to
// an API Gateway resource path.
func FuzzPattern(f *testing.F) {
	for _, s := range []string{
		"GET /donors/{id}", "/", "GET /", "/files/{path...}", "POST /a/{b}/c/{d...}",
		"GET /donors/", "GET /{$}", "FETCH /x", "/a/{x}{y}", "/a/{id}/{id}", "GET\t/x", "/a/../b",
		"/v1.0/~user/a:b@c!$&'()*+,;=", "/{a...}", "DELETE  /x", "/a/{é}", "/{_}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, pattern string) {
		method, segments, err := parsePattern(pattern)
		if err != nil {
			return
		}
		r := &route{pattern: pattern, method: method, segments: segments}
		if p := r.apiPath(); !strings.HasPrefix(p, "/") || strings.Contains(p, "...}") {
			t.Fatalf("apiPath %q", p)
		}
		a := New("fuzz")
		a.Route(pattern, func(w http.ResponseWriter, r *http.Request) {}, WithCORS(CORSConfig{}))
		a.Handler()
	})
}
