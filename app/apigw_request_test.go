package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// TestEventsDoNotShare: consecutive and concurrent events served by one
// route (whose requests are clones of one template, with writers from one
// pool) see their own path parameters, headers and body, and nothing a
// handler did to an earlier request: path values it set, headers it added,
// a body it read or left unread.
func TestEventsDoNotShare(t *testing.T) {
	t.Parallel()
	a := New("share")
	a.Route("POST /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 3)) // leaves the rest unread
		c := r.Clone(context.Background())
		_ = WriteJSON(w, http.StatusOK, map[string]string{
			"id": r.PathValue("id"), "extra": r.PathValue("extra"), "clone": c.PathValue("id"),
			"tag": r.Header.Get("X-Tag"), "leak": r.Header.Get("X-Leak"), "body": string(body),
			"pattern": r.Pattern, "uri": r.RequestURI,
		})
		r.SetPathValue("id", "mutated")
		r.SetPathValue("extra", "leaked")
		r.Header.Set("X-Leak", "yes")
		w.Header().Set("X-Leak", "yes")
	})
	event := func(id, tag, body string) *events.APIGatewayProxyRequest {
		return &events.APIGatewayProxyRequest{
			HTTPMethod: "POST", Resource: "/items/{id}", Path: "/items/" + id, Body: body,
			PathParameters:    map[string]string{"id": id},
			MultiValueHeaders: map[string][]string{"x-tag": {tag}, "Content-Type": {"application/json"}},
		}
	}
	serve := func(id, tag, body string) error {
		resp, err := a.HandleProxyRequest(context.Background(), event(id, tag, body))
		if err != nil {
			return err
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
			return err
		}
		want := map[string]string{
			"id": id, "extra": "", "clone": id, "tag": tag, "leak": "", "body": body[:min(3, len(body))],
			"pattern": "POST /items/{id}", "uri": "/items/" + id,
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("event %s: handler saw (-want +got):\n%s", id, diff)
		}
		if len(resp.MultiValueHeaders["X-Leak"]) != 1 {
			t.Errorf("event %s: response X-Leak = %q", id, resp.MultiValueHeaders["X-Leak"])
		}
		return nil
	}
	if err := serve("1", "one", "abcdef"); err != nil {
		t.Fatal(err)
	}
	if err := serve("2", "two", ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, id := range []string{"3", "4", "5", "6"} {
		wg.Go(func() {
			for range 20 {
				if err := serve(id, "tag"+id, "body"+id); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
}

// TestMatchedRequest: the template of each kind of route pattern carries
// its match and nothing else; a pattern that does not name every
// parameter gets none.
func TestMatchedRequest(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pattern string
		params  []string
	}{
		{"GET /items/{id}", []string{"id"}},
		{"/files/{rest...}", []string{"rest"}},
		{"GET /{$}", nil},
		{"OPTIONS /a/{b}/c/{d...}", []string{"b", "d"}},
		{"PUT /caf\u00e9 au lait/{x}", []string{"x"}},
	} {
		r := matchedRequest(tc.pattern, tc.params)
		if r == nil {
			t.Errorf("%q: no template", tc.pattern)
			continue
		}
		if r.Method != "" || r.URL != nil || r.Header != nil || r.Pattern != "" || r.Body != nil || r.Host != "" || r.RequestURI != "" {
			t.Errorf("%q: template carries %+v", tc.pattern, r)
		}
		c := r.Clone(context.Background())
		for _, p := range tc.params {
			if v := r.PathValue(p); v != "" {
				t.Errorf("%q: template's %s = %q", tc.pattern, p, v)
			}
			c.SetPathValue(p, "v-"+p)
		}
		for _, p := range tc.params {
			if v := c.PathValue(p); v != "v-"+p {
				t.Errorf("%q: clone's %s = %q", tc.pattern, p, v)
			}
			if v := r.PathValue(p); v != "" {
				t.Errorf("%q: setting the clone's %s set the template's to %q", tc.pattern, p, v)
			}
		}
	}
	if r := matchedRequest("GET /items/{id}", []string{"name"}); r != nil {
		t.Errorf("template for a parameter the pattern lacks: %+v", r)
	}
}

// TestEventContext: the context an event's request carries holds the
// event and everything of the caller's context, cancellation included.
func TestEventContext(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "caller"))
	ev := &events.APIGatewayProxyRequest{HTTPMethod: "GET", Path: "/x"}
	r, err := requestFromV1(parent, ev, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := r.Context()
	if got, _ := ProxyRequest(r); got != ev {
		t.Errorf("ProxyRequest = %p, want %p", got, ev)
	}
	if v := ctx.Value(key{}); v != "caller" {
		t.Errorf("caller's value = %v", v)
	}
	child, stop := context.WithCancel(ctx)
	defer stop()
	cancel()
	<-child.Done()
	if ctx.Err() != context.Canceled || context.Cause(child) != context.Canceled {
		t.Errorf("err = %v, cause = %v", ctx.Err(), context.Cause(child))
	}
}

// TestV2DirectTemplate: an HTTP API event named by its route key is served
// by that route with its path parameters in the request's match, on a
// method route and on an ANY route with a greedy parameter.
func TestV2DirectTemplate(t *testing.T) {
	t.Parallel()
	a := patternApp("v2")
	for _, tc := range []struct {
		ev   events.APIGatewayV2HTTPRequest
		want map[string]string
	}{
		{
			events.APIGatewayV2HTTPRequest{RouteKey: "GET /items/{id}", RawPath: "/items/a%20b", PathParameters: map[string]string{"id": "a%20b"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}},
			map[string]string{"pattern": "GET /items/{id}", "id": "a b", "rest": ""},
		},
		{
			events.APIGatewayV2HTTPRequest{RouteKey: "ANY /files/{rest+}", RawPath: "/files/x/y", PathParameters: map[string]string{"rest": "x/y"},
				RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "DELETE"}}},
			map[string]string{"pattern": "/files/{rest...}", "id": "", "rest": "x/y"},
		},
	} {
		resp, err := a.HandleV2HTTPRequest(context.Background(), &tc.ev)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
			t.Fatalf("%d %s: %v", resp.StatusCode, resp.Body, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s: handler saw (-want +got):\n%s", tc.ev.RouteKey, diff)
		}
	}
}
