package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestStartupMakesNoAWSCall runs the built binary as Lambda does, against
// a fake Runtime API, with every AWS endpoint (the services' and the
// instance metadata service's) pointing at a server that counts requests:
// main builds its DynamoDB client before Run, and reaches its first poll
// for an event without a single network call, with credentials in the
// environment (as on Lambda) or none at all.
func TestStartupMakesNoAWSCall(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootstrap")
	if out, err := exec.Command(goTool, "build", "-tags", "lambda.norpc", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	var awsCalls atomic.Int32
	fakeAWS := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		awsCalls.Add(1)
		t.Errorf("AWS call at start-up: %s %s", r.Method, r.URL)
		http.Error(w, "no AWS here", http.StatusForbidden)
	}))
	defer fakeAWS.Close()
	polled := make(chan struct{}, 1)
	runtimeAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/2018-06-01/runtime/invocation/next" {
			http.NotFound(w, r)
			return
		}
		polled <- struct{}{}
		<-r.Context().Done() // the process is killed while it waits
	}))
	defer runtimeAPI.Close()

	base := []string{
		"HOME=" + dir, // no ~/.aws files
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(runtimeAPI.URL, "http://"),
		"AWS_ENDPOINT_URL=" + fakeAWS.URL,
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + fakeAWS.URL,
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + fakeAWS.URL + "/credentials",
		"TABLE_NAME=savealife-donors",
		"STREAM_ARN=" + testStream,
	}
	tests := []struct {
		name string
		env  []string
	}{
		{"Lambda environment", []string{"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=secret", "AWS_SESSION_TOKEN=token"}},
		{"no credentials or region", nil},
		{"stream function", []string{"AWS_REGION=us-east-1", "GOCHALICE_HANDLER=handle_stream"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := exec.Command(bin)
			cmd.Env = append(append([]string{}, base...), tc.env...)
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan struct{})
			go func() {
				_ = cmd.Wait()
				close(exited)
			}()
			defer func() {
				_ = cmd.Process.Kill()
				<-exited
			}()
			select {
			case <-polled:
			case <-exited:
				t.Fatalf("exited before polling for an event:\n%s", stderr.Bytes())
			case <-time.After(30 * time.Second):
				t.Fatalf("no poll for an event within 30s:\n%s", stderr.Bytes())
			}
			if n := awsCalls.Load(); n != 0 {
				t.Errorf("%d AWS calls before the first poll", n)
			}
		})
	}
}
