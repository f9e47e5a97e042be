package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is written by the CLI and by the app process it runs.
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

// TestNewProjectTestsAndServesOffline is the scaffold's acceptance: `new`
// in an empty folder, then `go test ./...` and `local` there answer on the
// scaffolded route, with the module proxy turned off.
func TestNewProjectTestsAndServesOffline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a new project; skipped with -short")
	}
	t.Setenv("GOPROXY", "off") // offline: everything must come from the checkout and the module cache
	t.Setenv("GOFLAGS", "")
	proj := filepath.Join(t.TempDir(), "demo")

	var out, errOut lockedBuffer
	if err := runCLI(context.Background(), &out, &errOut, []string{"gochalice", "new", proj}); err != nil {
		t.Fatalf("gochalice new: %v\n%s", err, errOut.String())
	}
	for _, f := range []string{"main.go", "main_test.go", "go.mod", "go.sum", "README.md", ".chalice/config.json", ".gitignore"} {
		if _, err := os.Stat(filepath.Join(proj, f)); err != nil {
			t.Errorf("new project lacks %s: %v", f, err)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(proj, "go.mod"))
	if !strings.Contains(string(gomod), "replace github.com/gochalice/gochalice => ") {
		t.Errorf("go.mod does not point at the checkout:\n%s", gomod)
	}

	test := exec.Command("go", "test", "./...")
	test.Dir = proj
	if b, err := test.CombinedOutput(); err != nil {
		t.Fatalf("go test ./... in the new project: %v\n%s", err, b)
	}

	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var localOut, localErr lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- runCLI(ctx, &localOut, &localErr, []string{"gochalice", "local", "--project-dir", proj, "--port", port, "--no-reload"})
	}()

	url := "http://127.0.0.1:" + port + "/hello/gopher"
	var got map[string]string
	deadline := time.Now().Add(90 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if err == nil && resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			t.Fatalf("gochalice local stopped: %v\nstdout:\n%s\nstderr:\n%s", err, localOut.String(), localErr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on %s: %v\nstderr:\n%s", url, err, localErr.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if got["hello"] != "gopher" {
		t.Errorf("GET /hello/gopher = %v", got)
	}
	for _, want := range []string{"Serving demo on http://127.0.0.1:" + port, "GET     /hello/{name}"} {
		if !strings.Contains(localOut.String(), want) {
			t.Errorf("local output lacks %q:\n%s", want, localOut.String())
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("gochalice local after Ctrl-C: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("gochalice local did not stop after its context was cancelled")
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Errorf("the app still listens on %s after local stopped", port)
	}
}

func TestNewRejectsBadNamesAndNonEmptyDirs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, arg, want string
	}{
		{"bad name", filepath.Join(t.TempDir(), "my app"), "use up to 46 letters"},
		{"name too long for its role names", filepath.Join(t.TempDir(), strings.Repeat("x", 47)), "xxx-dev-handle_stream, must fit in 64 characters"},
		{"non-empty dir", dir, "exists and is not empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := runCLI(context.Background(), &out, &errOut, []string{"gochalice", "new", "--no-tidy", tc.arg})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("new %q: err = %v, want %q", tc.arg, err, tc.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "keep.txt")); string(b) != "x" {
		t.Error("new touched a non-empty folder")
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func TestReleaseVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ stamped, module, want string }{
		{"0.3.0", "(devel)", "v0.3.0"},             // goreleaser
		{"dev", "v0.3.0", "v0.3.0"},                // go install ...@v0.3.0
		{"dev", "(devel)", ""},                     // go build in a checkout
		{"dev", "v0.3.1-0.20260101-abc+dirty", ""}, // a modified checkout
		{"dev", "", ""},
	} {
		if got := releaseVersion(tc.stamped, tc.module); got != tc.want {
			t.Errorf("releaseVersion(%q, %q) = %q, want %q", tc.stamped, tc.module, got, tc.want)
		}
	}
}
