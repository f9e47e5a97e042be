package local

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The API type comes from the stage's api_gateway_type, REST by default.
func TestAPIType(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, ".chalice"), 0o755); err != nil {
		t.Fatal(err)
	}
	config := `{"version": "2.0", "app_name": "a", "stages": {"dev": {}, "http": {"api_gateway_type": "HTTP"}}}`
	if err := os.WriteFile(filepath.Join(dir, ".chalice", "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	for stage, want := range map[string]string{"dev": "REST", "http": "HTTP"} {
		if got, err := apiType(Options{ProjectDir: dir, Stage: stage}); err != nil || got != want {
			t.Errorf("stage %s: %q, %v; want %q", stage, got, err, want)
		}
	}
	if got, err := apiType(Options{ProjectDir: t.TempDir(), Stage: "dev"}); err != nil || got != "REST" {
		t.Errorf("no config: %q, %v; want REST", got, err)
	}
	if _, err := apiType(Options{ProjectDir: dir, Stage: "prod"}); err == nil {
		t.Error("unknown stage: no error")
	}
}

// gochalice local serving an HTTP API stage answers a request no route
// takes as an HTTP API does, through the app's own server.
func TestRunHTTPAPIUnmatched(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an app")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	ln.Close()
	var stdout, stderr lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{ProjectDir: "testdata/authapp", Stage: "dev", APIType: "HTTP", Port: port, Stdout: &stdout, Stderr: &stderr})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run after cancel = %v", err)
		}
	}()
	base := "http://127.0.0.1:" + port
	waitForLog(t, &stdout, "Serving authapp on "+base)
	resp, err := http.Get(base + "/nowhere")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if got := strings.TrimSpace(string(b)); resp.StatusCode != http.StatusNotFound || got != `{"message":"Not Found"}` {
		t.Errorf("GET /nowhere = %d %s, want 404 {\"message\":\"Not Found\"}", resp.StatusCode, got)
	}
}
