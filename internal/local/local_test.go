package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/scaffold"
	"github.com/gochalice/gochalice/manifest"
)

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunServesReloadsAndStops runs a scaffolded project: it must serve
// with the environment Env gives, rebuild when a source changes (and keep
// going past a broken build), and stop when the context ends.
func TestRunServesReloadsAndStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an app several times; skipped with -short")
	}
	t.Setenv("GOPROXY", "off")
	proj := filepath.Join(t.TempDir(), "demo")
	src, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if err := scaffold.Create(context.Background(), proj, scaffold.Options{Name: "demo", GochaliceDir: src, Tidy: true}); err != nil {
		t.Fatal(err)
	}
	// Make the index answer an environment variable, so the test sees Env.
	mainGo := filepath.Join(proj, "main.go")
	edit(t, mainGo, `map[string]string{"hello": "world"}`, `map[string]string{"hello": os.Getenv("GREETING")}`)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()

	var stdout, stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			ProjectDir:   proj,
			Stage:        "dev",
			Port:         port,
			Env:          func() (map[string]string, error) { return map[string]string{"GREETING": "hi"}, nil },
			Reload:       true,
			PollInterval: 50 * time.Millisecond,
			Stdout:       &stdout,
			Stderr:       &stderr,
		})
	}()
	url := "http://127.0.0.1:" + port + "/"
	waitFor(t, url, `{"hello":"hi"}`, done, &stderr)
	if !strings.Contains(stdout.String(), "Serving demo on http://127.0.0.1:"+port) {
		t.Errorf("stdout lacks the route listing:\n%s", stdout.String())
	}

	// A broken edit must not stop local; the next good edit serves again.
	edit(t, mainGo, `os.Getenv("GREETING")`, `os.Getenv("GREETING") +`)
	waitForLog(t, &stderr, "fix the error and save again")
	edit(t, mainGo, `os.Getenv("GREETING") +`, `"reloaded"`)
	waitFor(t, url, `{"hello":"reloaded"}`, done, &stderr)

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run after cancel = %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
	if _, err := http.Get(url); err == nil {
		t.Error("the app still answers after Run returned")
	}
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s lacks %q", file, old)
	}
	b = bytes.Replace(b, []byte(old), []byte(new), 1)
	// Bump the time too: a fast edit may keep the same size and second.
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Duration(len(new)) * time.Second)
	_ = os.Chtimes(file, future, future)
}

func waitFor(t *testing.T, url, want string, done <-chan error, stderr *lockedBuffer) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("Run returned early: %v\n%s", err, stderr.String())
		default:
		}
		if resp, err := http.Get(url); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			last = strings.TrimSpace(string(b))
			if last == want {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("GET %s: last answer %q, want %q\nstderr:\n%s", url, last, want, stderr.String())
}

func waitForLog(t *testing.T, b *lockedBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if strings.Contains(b.String(), want) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("stderr never said %q:\n%s", want, b.String())
}

// TestRunAuthorizers serves an app with authorized routes in local mode:
// the token authorizer runs for real, and IAM-authorized callers (any
// SigV4 Authorization header) are the identity Options.IAMIdentity names.
func TestRunAuthorizers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an app")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	const identity = "arn:aws:iam::111122223333:role/back-office"
	var stdout, stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{ProjectDir: "testdata/authapp", Stage: "dev", Port: port, IAMIdentity: identity, Stdout: &stdout, Stderr: &stderr})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel = %v", err)
		}
	}()
	base := "http://127.0.0.1:" + port
	waitForLog(t, &stdout, "Serving authapp on "+base)

	// "Serving" is printed once the app answers: no retries from here on.
	for _, tc := range []struct {
		path, auth string
		status     int
		body       string
	}{
		{"/admin", "", http.StatusForbidden, `{"message":"Missing Authentication Token"}`},
		{"/admin", "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=0", http.StatusOK, identity},
		{"/me", "", http.StatusUnauthorized, `{"message":"Unauthorized"}`},
		{"/me", "Bearer wrong", http.StatusUnauthorized, `{"message":"Unauthorized"}`},
		{"/me?x=1", "Bearer letmein", http.StatusOK, "alice"},
		// No route: API Gateway's REST API answer, as apptest gives it
		// (internal/apigw), not the app's own 404.
		{"/nowhere", "", http.StatusForbidden, `{"message":"Missing Authentication Token"}`},
		{"/admin/x", "", http.StatusForbidden, `{"message":"Missing Authentication Token"}`},
	} {
		req, _ := http.NewRequest("GET", base+tc.path, nil)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s right after %q: %v\n%s", tc.path, "Serving", err, stderr.String())
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if got := strings.TrimSpace(string(b)); resp.StatusCode != tc.status || got != tc.body {
			t.Errorf("GET %s with %q = %d %q, want %d %q", tc.path, tc.auth, resp.StatusCode, got, tc.status, tc.body)
		}
	}
	// Every request is logged: method, path, status, duration. A line is
	// written once its answer is sent, so the last may still be on its way.
	waitForLog(t, &stderr, "GET /admin/x 403 ")
	logLine := regexp.MustCompile(`(?m)^GET (\S+) (\d{3}) \d+\.\dms$`)
	var got []string
	for _, m := range logLine.FindAllStringSubmatch(stderr.String(), -1) {
		got = append(got, m[1]+" "+m[2])
	}
	want := []string{"/admin 403", "/admin 200", "/me 401", "/me 401", "/me?x=1 200", "/nowhere 403", "/admin/x 403"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request log (-want +got):\n%s\nstderr:\n%s", diff, stderr.String())
	}
	// The app's own address is local's business, not the user's.
	if strings.Contains(stderr.String(), "gochalice: serving") {
		t.Errorf("stderr shows the app's internal address:\n%s", stderr.String())
	}
}

// TestRunPortTaken fails at once, naming --port, when the address is
// taken, and prints no "Serving" line.
func TestRunPortTaken(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), Options{ProjectDir: "testdata/authapp", Port: port, Stdout: &stdout, Stderr: &stderr})
	}()
	select {
	case err := <-done:
		var pe *PortError
		if !errors.As(err, &pe) || !strings.Contains(err.Error(), "--port") {
			t.Errorf("Run = %v, want a *PortError naming --port", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return with the port taken")
	}
	if strings.Contains(stdout.String(), "Serving") {
		t.Errorf("stdout says it serves:\n%s", stdout.String())
	}
}

// TestRunAppExits returns when the app stops on its own, instead of
// waiting for a signal that never comes.
func TestRunAppExits(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an app")
	}
	t.Parallel()
	var stdout, stderr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- Run(context.Background(), Options{ProjectDir: "testdata/exitapp", Port: "0", Stdout: &stdout, Stderr: &stderr})
	}()
	select {
	case err := <-done:
		var exit *AppExitError
		if !errors.As(err, &exit) {
			t.Errorf("Run = %v, want an *AppExitError", err)
		}
	case <-time.After(3 * time.Minute):
		t.Fatalf("Run did not return after the app exited\nstderr:\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "exitapp: cannot start") {
		t.Errorf("stderr lacks the app's own error:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String(), "Serving") {
		t.Errorf("stdout says it serves:\n%s", stdout.String())
	}
}

// TestPrintRoutes lists the routes, and says how to run the functions
// local does not serve.
func TestPrintRoutes(t *testing.T) {
	m := &manifest.Manifest{
		AppName: "shop",
		Routes:  []manifest.Route{{Method: "GET", Path: "/orders/{id}"}, {Method: "POST", Path: "/orders"}},
		Functions: []manifest.Function{
			{Name: "api_handler", Kind: manifest.KindAPI},
			{Name: "shop_token", Kind: manifest.KindAuthorizer},
			{Name: "worker", Kind: manifest.KindSQS},
		},
	}
	var b bytes.Buffer
	PrintRoutes(&b, m, "http://127.0.0.1:8000")
	want := `Serving shop on http://127.0.0.1:8000
  GET     /orders/{id}
  POST    /orders
  (authorizer shop_token runs for the routes it protects)
  (sqs worker is not served; run it with gochalice invoke --local --name worker)
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("PrintRoutes (-want +got):\n%s", diff)
	}
}
