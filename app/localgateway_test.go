package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gochalice/gochalice/internal/apigw"
)

// The local server answers a request no route takes as a REST API does
// (what gochalice deploys), the same answer apptest gives: 403 Missing
// Authentication Token, for an unknown path and for a method its resource
// does not have, never the app's own 404 or 405.
func TestLocalServerUnmatchedLikeRESTAPI(t *testing.T) {
	t.Parallel()
	h := newAPIApp().localHandler(apigw.REST, apigw.Config{})
	for _, tc := range []struct{ method, path string }{
		{"GET", "/nowhere"},
		{"DELETE", "/donors/42"}, // the resource has GET only
		{"GET", "/donors/42/extra"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		body, _ := io.ReadAll(rec.Body)
		if rec.Code != http.StatusForbidden || string(body) != `{"message":"Missing Authentication Token"}` ||
			rec.Header().Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
			t.Errorf("%s %s: %d %s (error type %q), want 403 Missing Authentication Token",
				tc.method, tc.path, rec.Code, body, rec.Header().Get("X-Amzn-Errortype"))
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/donors/42", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("GET /donors/42: %d, want the route's 200", rec.Code)
	}
}

// A stage whose api_gateway_type is HTTP answers as an HTTP API: 404
// {"message":"Not Found"}.
func TestLocalServerUnmatchedLikeHTTPAPI(t *testing.T) {
	t.Parallel()
	h := newAPIApp().localHandler(apigw.ParseAPI("HTTP"), apigw.Config{})
	for _, tc := range []struct{ method, path string }{{"GET", "/nowhere"}, {"DELETE", "/donors/42"}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != http.StatusNotFound || rec.Body.String() != `{"message":"Not Found"}` {
			t.Errorf("%s %s: %d %s, want 404 Not Found", tc.method, tc.path, rec.Code, rec.Body)
		}
	}
}
