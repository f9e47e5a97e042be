package apigw

import (
	"net/http/httptest"
	"testing"

	"github.com/gochalice/gochalice/manifest"
)

func TestMatch(t *testing.T) {
	routes := []manifest.Route{
		{Method: "GET", Path: "/items/{id}"},
		{Method: "GET", Path: "/items/special"},
		{Method: "ANY", Path: "/items/{id}/any"},
		{Method: "GET", Path: "/files/{rest+}"},
		{Method: "POST", Path: "/cors", CORS: &manifest.CORS{}},
	}
	for _, tc := range []struct {
		method, path string
		want         string // the route's path; "" for none
		params       map[string]string
	}{
		{"GET", "/items/42", "/items/{id}", map[string]string{"id": "42"}},
		{"GET", "/items/special", "/items/special", map[string]string{}},
		{"PUT", "/items/7/any", "/items/{id}/any", map[string]string{"id": "7"}},
		{"GET", "/items/a%2Fb", "/items/{id}", map[string]string{"id": "a%2Fb"}},
		{"GET", "/files/a/b", "/files/{rest+}", map[string]string{"rest": "a/b"}},
		{"OPTIONS", "/cors", "/cors", map[string]string{}},
		{"GET", "/files", "", nil},
		{"POST", "/items/42", "", nil},
		{"GET", "/nowhere", "", nil},
	} {
		rt, params, ok := Match(routes, tc.method, tc.path)
		if tc.want == "" {
			if ok {
				t.Errorf("%s %s matched %s, want no route", tc.method, tc.path, rt.Path)
			}
			continue
		}
		if !ok || rt.Path != tc.want || len(params) != len(tc.params) {
			t.Errorf("%s %s = %s %v %v, want %s %v", tc.method, tc.path, rt.Path, params, ok, tc.want, tc.params)
			continue
		}
		for k, v := range tc.params {
			if params[k] != v {
				t.Errorf("%s %s: param %s = %q, want %q", tc.method, tc.path, k, params[k], v)
			}
		}
	}
}

func TestUnmatched(t *testing.T) {
	for api, want := range map[API]struct {
		status    int
		errorType string
		body      string
	}{
		REST: {403, "MissingAuthenticationTokenException", `{"message":"Missing Authentication Token"}`},
		HTTP: {404, "", `{"message":"Not Found"}`},
	} {
		rec := httptest.NewRecorder()
		Unmatched(api).Write(rec)
		if rec.Code != want.status || rec.Body.String() != want.body || rec.Header().Get("X-Amzn-Errortype") != want.errorType ||
			rec.Header().Get("Content-Type") != "application/json" {
			t.Errorf("API %d: %d %s %v, want %d %s", api, rec.Code, rec.Body, rec.Header(), want.status, want.body)
		}
	}
}

// The CORS preflight is never authorized; a route without an authorizer
// or API key is allowed with no identity.
func TestAuthorizePreflightAndOpen(t *testing.T) {
	guarded := manifest.Route{Method: "GET", Path: "/x", APIKeyRequired: true, CORS: &manifest.CORS{}}
	if res := Authorize(httptest.NewRequest("OPTIONS", "/x", nil), guarded, nil, Config{}); res.Refused() {
		t.Errorf("preflight refused: %+v", res)
	}
	if res := Authorize(httptest.NewRequest("GET", "/x", nil), guarded, nil, Config{}); res.Status != 403 || res.Body != `{"message":"Forbidden"}` {
		t.Errorf("no API key: %+v, want 403 Forbidden", res)
	}
	if res := Authorize(httptest.NewRequest("GET", "/y", nil), manifest.Route{Method: "GET", Path: "/y"}, nil, Config{}); res.Refused() || res.Type != "" {
		t.Errorf("open route: %+v", res)
	}
}
