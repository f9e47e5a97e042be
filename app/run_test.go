package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestRunManifest(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	if err := newManifestApp().run(context.Background(), env("GOCHALICE_MANIFEST", "1"), nil, &out); err != nil {
		t.Fatal(err)
	}
	want, err := newManifestApp().Manifest().MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestRunLambdaUnknownFunction(t *testing.T) {
	t.Parallel()
	err := newManifestApp().run(context.Background(), env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9", "GOCHALICE_HANDLER", "nope"), nil, io.Discard)
	var ue *UnknownFunctionError
	if !errors.As(err, &ue) || !strings.HasPrefix(err.Error(), `GOCHALICE_HANDLER="nope": no function "nope"`) {
		t.Errorf("error = %v", err)
	}
}

// urlLogger is a slog.Handler that reports the "url" attribute of the
// local server's start-up message.
type urlLogger chan string

func (h urlLogger) Enabled(context.Context, slog.Level) bool { return true }
func (h urlLogger) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == "url" {
			h <- a.Value.String()
		}
		return true
	})
	return nil
}
func (h urlLogger) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h urlLogger) WithGroup(string) slog.Handler      { return h }

func getEcho(t *testing.T, url string) echo {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var e echo
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return e
}

func TestRunLocal(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	urls := make(urlLogger, 1)
	a.Logger = slog.New(urls)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- a.run(ctx, env("GOCHALICE_HOST", "127.0.0.1", "GOCHALICE_PORT", "0", "GOCHALICE_STAGE", "dev"), nil, io.Discard)
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-errc:
		t.Fatalf("run returned early: %v", err)
	}
	e := getEcho(t, base+"/donors/a%20b?x=1")
	if e.Context.RequestID == "" {
		t.Errorf("no request id")
	}
	e.Context.RequestID = ""
	want := RequestContext{Stage: "dev", APIID: "local", SourceIP: "127.0.0.1"}
	if diff := cmp.Diff(want, e.Context); diff != "" || e.Params["id"] != "a b" {
		t.Errorf("context (-want +got):\n%s\nparams %v", diff, e.Params)
	}
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("run: %v", err)
	}
}

func TestServe(t *testing.T) {
	t.Parallel()
	started, release := make(chan struct{}), make(chan struct{})
	a := newAPIApp()
	a.Route("GET /slow", func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		if err := r.Context().Err(); err != nil {
			io.WriteString(w, "context: "+err.Error())
			return
		}
		io.WriteString(w, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Serve(ctx, ln, "") }()

	e := getEcho(t, base+"/")
	if e.Context.Stage != "local" || e.Context.APIID != "local" || e.Context.SourceIP != "127.0.0.1" {
		t.Errorf("context %+v", e.Context)
	}
	if e2 := getEcho(t, base+"/"); e2.Context.RequestID == e.Context.RequestID {
		t.Errorf("two requests with request id %q", e.Context.RequestID)
	}

	// Graceful shutdown: a request in flight when ctx is cancelled
	// finishes, with a live context; Serve then returns nil.
	type result struct {
		body string
		err  error
	}
	slow := make(chan result, 1)
	go func() {
		resp, err := http.Get(base + "/slow")
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		slow <- result{string(b), err}
	}()
	<-started
	cancel()
	// New connections are refused once the listener is closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still open after cancel")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-errc:
		t.Fatalf("Serve returned %v before the request in flight finished", err)
	default:
	}
	close(release)
	if r := <-slow; r.err != nil || r.body != "finished" {
		t.Errorf("request in flight: %q %v", r.body, r.err)
	}
	if err := <-errc; err != nil {
		t.Errorf("Serve: %v", err)
	}
}

func TestServeClosedListener(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := newAPIApp().Serve(context.Background(), ln, "dev"); err == nil {
		t.Errorf("Serve on a closed listener returned nil")
	}
}

// The Lambda tests run the test binary itself as a Lambda function
// (lambda.Start never returns), against a fake Lambda Runtime API.

const helperEnv = "GOCHALICE_TEST_LAMBDA_HELPER"

func newLambdaApp() *App {
	a := New("savealife")
	a.Route("GET /donors/{id}", echoHandler([]string{"id"}))
	a.OnDynamoDBBatch("handle_batch", testStreamARN, func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, r := range ev.Records {
			if r.EventName != "INSERT" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			}
		}
		return resp, nil
	})
	a.LambdaFunction("fails", func(context.Context) error { return errors.New("report failed") })
	a.OnSQSBatch("queue_batch", "SQSQueue", func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ev.Records[0].MessageId}}}, nil
	})
	a.TokenAuthorizer("token_auth", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("token %q: %w", req.AuthorizationToken, ErrUnauthorized)
	})
	return a
}

// TestLambdaHelperProcess is not a test: it is the Lambda function the
// tests below start.
func TestLambdaHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	newLambdaApp().Run()
}

type invocation struct {
	kind string // "response" or "error"
	id   string
	body []byte
}

// fakeRuntime is the Lambda Runtime API serving one event.
func fakeRuntime(t *testing.T, event []byte) (addr string, results <-chan invocation) {
	t.Helper()
	ch := make(chan invocation, 4)
	done := make(chan struct{})
	served := make(chan struct{}, 1)
	served <- struct{}{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-served:
		default: // one event only: hold the next poll until the end
			select {
			case <-r.Context().Done():
			case <-done:
			}
			return
		}
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(time.Minute).UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:savealife-dev")
		h.Set("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
		h.Set("Content-Type", "application/json")
		w.Write(event)
	})
	for _, kind := range []string{"response", "error"} {
		mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/"+kind, func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			ch <- invocation{kind: kind, id: r.PathValue("id"), body: body}
			w.WriteHeader(http.StatusAccepted)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ch <- invocation{kind: "unexpected " + r.Method + " " + r.URL.Path, body: body}
		w.WriteHeader(http.StatusNotFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	return srv.Listener.Addr().String(), ch
}

func helperCommand(t *testing.T, kv ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestLambdaHelperProcess$")
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GOCHALICE_") && !strings.HasPrefix(e, "AWS_LAMBDA_") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, helperEnv+"=1")
	for i := 0; i+1 < len(kv); i += 2 {
		cmd.Env = append(cmd.Env, kv[i]+"="+kv[i+1])
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	cmd.Stdout = stderr
	return cmd, stderr
}

func TestLambdaRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	tests := []struct {
		name    string
		handler string // GOCHALICE_HANDLER; "" leaves it unset
		event   []byte
		kind    string
		check   func(t *testing.T, body []byte)
	}{
		{
			name: "API handler by default", event: readFixture(t, "apigw-v1-get-donor.json"), kind: "response",
			check: func(t *testing.T, body []byte) {
				var resp events.APIGatewayProxyResponse
				if err := json.Unmarshal(body, &resp); err != nil {
					t.Fatal(err)
				}
				var e echo
				if err := json.Unmarshal([]byte(resp.Body), &e); err != nil || resp.StatusCode != 200 {
					t.Fatalf("%d %s: %v", resp.StatusCode, resp.Body, err)
				}
				if e.Params["id"] != "Los Angeles" || e.Context.RequestID != "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" {
					t.Errorf("request %+v", e)
				}
			},
		},
		{
			name: "API handler v2", handler: "api_handler", event: readFixture(t, "apigw-v2-get-donor.json"), kind: "response",
			check: func(t *testing.T, body []byte) {
				var resp events.APIGatewayV2HTTPResponse
				if err := json.Unmarshal(body, &resp); err != nil || resp.StatusCode != 200 || resp.Headers["Content-Type"] != "application/json" {
					t.Fatalf("%s: %v", body, err)
				}
			},
		},
		{
			name: "stream handler", handler: "handle_batch", event: readFixture(t, "dynamodb-stream-event.json"), kind: "response",
			check: func(t *testing.T, body []byte) {
				want := `{"batchItemFailures":[{"itemIdentifier":"222200000000012345678902"},{"itemIdentifier":"333300000000012345678903"}]}`
				if string(body) != want {
					t.Errorf("response %s, want %s", body, want)
				}
			},
		},
		{
			name: "SQS partial batch", handler: "queue_batch", event: readFixture(t, "sqs-event.json"), kind: "response",
			check: func(t *testing.T, body []byte) {
				if want := `{"batchItemFailures":[{"itemIdentifier":"MessageID_1"}]}`; string(body) != want {
					t.Errorf("response %s, want %s", body, want)
				}
			},
		},
		{
			// API Gateway answers 401 when the error message is exactly "Unauthorized".
			name: "authorizer refuses", handler: "token_auth", event: readFixture(t, "authorizer-token-event.json"), kind: "error",
			check: func(t *testing.T, body []byte) {
				var e struct{ ErrorMessage string }
				if err := json.Unmarshal(body, &e); err != nil || e.ErrorMessage != "Unauthorized" {
					t.Errorf("error body %s: %v", body, err)
				}
			},
		},
		{
			name: "function error", handler: "fails", event: []byte(`{}`), kind: "error",
			check: func(t *testing.T, body []byte) {
				var e struct{ ErrorMessage string }
				if err := json.Unmarshal(body, &e); err != nil || e.ErrorMessage != "report failed" {
					t.Errorf("error body %s: %v", body, err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, results := fakeRuntime(t, tc.event)
			kv := []string{"AWS_LAMBDA_RUNTIME_API", addr}
			if tc.handler != "" {
				kv = append(kv, "GOCHALICE_HANDLER", tc.handler)
			}
			cmd, out := helperCommand(t, kv...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				_ = cmd.Process.Kill()
				<-exited
			}()
			select {
			case inv := <-results:
				if inv.kind != tc.kind || inv.id != "8476a536-e9f4-11e8-9739-2dfe598c3fcd" {
					t.Fatalf("got %s for %q: %s", inv.kind, inv.id, inv.body)
				}
				tc.check(t, inv.body)
			case err := <-exited:
				t.Fatalf("function exited: %v\n%s", err, out)
			case <-time.After(60 * time.Second):
				t.Fatalf("no answer from the function\n%s", out)
			}
		})
	}
}

func TestLambdaRuntimeUnknownFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	addr, results := fakeRuntime(t, []byte(`{}`))
	cmd, out := helperCommand(t, "AWS_LAMBDA_RUNTIME_API", addr, "GOCHALICE_HANDLER", "nope")
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v\n%s", err, out)
	}
	want := `gochalice: GOCHALICE_HANDLER="nope": no function "nope" is registered (registered: [api_handler handle_batch fails queue_batch token_auth])`
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("output %q, want %q", got, want)
	}
	select {
	case inv := <-results:
		t.Errorf("the runtime API was called: %s", fmt.Sprint(inv))
	default:
	}
}

// GOCHALICE_INVOKE runs one function in a process: the response on
// standard output and status 0, or the error on standard error and
// status 1.
func TestInvokeProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	t.Parallel()
	tests := []struct {
		name, function, stdin string
		code                  int
		stdout, stderr        string
	}{
		{"response", "queue_batch", string(readFixture(t, "sqs-event.json")), 0, `{"batchItemFailures":[{"itemIdentifier":"MessageID_1"}]}` + "\n", ""},
		{"error", "token_auth", string(readFixture(t, "authorizer-token-event.json")), 1, "", "gochalice: Unauthorized\n"},
		{"unknown", "nope", "{}", 1, "", `gochalice: GOCHALICE_INVOKE="nope": no function "nope" is registered (registered: [api_handler handle_batch fails queue_batch token_auth])` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cmd, _ := helperCommand(t, "GOCHALICE_INVOKE", tc.function)
			var stdout, stderr bytes.Buffer
			cmd.Stdin = strings.NewReader(tc.stdin)
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.code || stdout.String() != tc.stdout || stderr.String() != tc.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, stdout.String(), stderr.String(), tc.code, tc.stdout, tc.stderr)
			}
		})
	}
}
