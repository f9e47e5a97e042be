package local

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/manifest"
)

// TestInvokeAPIHandlerSample runs the API handler with its sample event:
// the request asks for a route the app has, so the app answers it, not
// API Gateway's 403 for an unknown path.
func TestInvokeAPIHandlerSample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an app")
	}
	t.Parallel()
	for _, kind := range []string{"", "apigateway-v2"} {
		var stdout, stderr bytes.Buffer
		err := Invoke(context.Background(), InvokeOptions{ProjectDir: "testdata/authapp", Stage: "dev", Function: "api_handler", EventKind: kind, Stdout: &stdout, Stderr: &stderr})
		if err != nil {
			t.Fatalf("Invoke(%q): %v\n%s", kind, err, stderr.String())
		}
		var resp struct {
			StatusCode int `json:"statusCode"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &resp); err != nil || resp.StatusCode != 200 {
			t.Errorf("Invoke(%q) = %s (%v), want a 200 answer from a route", kind, stdout.String(), err)
		}
		if !strings.Contains(stderr.String(), "sample request GET /admin (route GET /admin)") {
			t.Errorf("stderr does not say which route the sample asks for:\n%s", stderr.String())
		}
	}
}

func TestSampleRoute(t *testing.T) {
	t.Parallel()
	routes := []manifest.Route{
		{Pattern: "POST /orders", Method: "POST", Path: "/orders"},
		{Pattern: "GET /orders/{id}", Method: "GET", Path: "/orders/{id}"},
		{Pattern: "GET /files/{path...}", Method: "GET", Path: "/files/{path+}"},
	}
	rt, ok := sampleRoute(routes)
	if !ok || rt.Pattern != "GET /orders/{id}" {
		t.Fatalf("sampleRoute = %v, %v; want GET /orders/{id}", rt.Pattern, ok)
	}
	if got := samplePath(rt.Path); got != "/orders/1" {
		t.Errorf("samplePath = %q", got)
	}
	if diff := cmp.Diff(map[string]string{"path": "sample"}, pathParameters("/files/{path+}")); diff != "" {
		t.Errorf("pathParameters (-want +got):\n%s", diff)
	}
	if _, ok := sampleRoute(nil); ok {
		t.Error("sampleRoute(nil) found a route")
	}
}
