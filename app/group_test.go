package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/manifest"
)

// registerUsers is what a package of a large API would export.
func registerUsers(g *Group) {
	g.Use(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Group", "users")
			next.ServeHTTP(w, r)
		})
	})
	g.Route("GET /", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("list")) })
	g.Route("GET /{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("user " + r.PathValue("id"))) })
	g.OnSQSMessage("welcome", "", func(context.Context, events.SQSEvent) error { return nil })
	g.LambdaFunction("count", func(context.Context) (int, error) { return 3, nil })
	g.Group("/admin", "admin_", func(g *Group) {
		g.Route("/audit", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("audit")) })
		g.Schedule("purge", "rate(1 day)", func(context.Context, events.EventBridgeEvent) error { return nil })
	})
}

// TestGroupManifest checks a group's routes and functions reach the
// manifest (what deploy, package and local read) with the prefixes, and
// that the group's middleware wraps its routes only.
func TestGroupManifest(t *testing.T) {
	a := New("groups")
	a.Route("GET /health", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	a.Group("/users", "users_", registerUsers)

	m := a.Manifest()
	var routes, functions []string
	for _, r := range m.Routes {
		routes = append(routes, r.Method+" "+r.Path)
	}
	for _, f := range m.Functions {
		functions = append(functions, f.Name)
	}
	if diff := cmp.Diff([]string{"GET /health", "GET /users", "ANY /users/admin/audit", "GET /users/{id}"}, routes); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{manifest.APIHandlerName, "users_admin_purge", "users_count", "users_welcome"}, functions); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}

	for path, want := range map[string]string{"/health": "", "/users": "users", "/users/7": "users", "/users/admin/audit": "users"} {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK || rec.Header().Get("X-Group") != want {
			t.Errorf("GET %s = %d, X-Group %q; want 200, %q", path, rec.Code, rec.Header().Get("X-Group"), want)
		}
	}
	if out, err := a.Invoke(context.Background(), "users_count", []byte(`{}`)); err != nil || string(out) != "3" {
		t.Errorf("users_count = %s, %v", out, err)
	}
}

func TestGroupRejectsBadPrefix(t *testing.T) {
	for _, prefix := range []string{"users", "/users/", "/{id}"} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), "URL prefix") {
					t.Errorf("Group(%q): panic %v, want a URL prefix error", prefix, r)
				}
			}()
			New("g").Group(prefix, "", func(*Group) {})
		}()
	}
}
