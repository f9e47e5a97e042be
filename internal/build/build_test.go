package build

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestTakeManifestSeesTheStageEnvironment(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "savealife")
	if err := Host(context.Background(), "../../examples/savealife", bin); err != nil {
		t.Fatal(err)
	}
	const stream = "arn:aws:dynamodb:eu-west-1:111122223333:table/donors/stream/2026-02-02T00:00:00.000"
	m, err := TakeManifest(context.Background(), bin, map[string]string{"STREAM_ARN": stream, "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	fn, ok := m.Function("handle_stream")
	if !ok || fn.DynamoDBStream == nil || fn.DynamoDBStream.Stream != stream {
		t.Fatalf("handle_stream = %+v; want its stream read from STREAM_ARN at registration", fn)
	}
	if m.AppName != "savealife" || len(m.Routes) == 0 {
		t.Errorf("manifest = %+v", m)
	}
	if !strings.HasSuffix(fn.Handler.Name, ".(*streamHandler).handle-fm") {
		t.Errorf("handler name = %q", fn.Handler.Name)
	}
}

func TestBuildAndManifestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := Host(context.Background(), "testdata/brokenapp", filepath.Join(dir, "broken"))
	var be *Error
	if !errors.As(err, &be) || !strings.Contains(be.Output, "main.go:5") {
		t.Errorf("Host(brokenapp) = %v; want a *Error with the compiler's file:line", err)
	}

	bin := filepath.Join(dir, "panicapp")
	if err := Host(context.Background(), "testdata/panicapp", bin); err != nil {
		t.Fatal(err)
	}
	_, err = TakeManifest(context.Background(), bin, nil)
	var me *ManifestError
	if !errors.As(err, &me) || !strings.Contains(me.Error(), `route "GET /x/{other}": a route for the same method and path is already registered`) {
		t.Errorf("TakeManifest(panicapp) = %v; want the registration panic's message", err)
	}
}

// TestRegistrationPanicWithoutTrace checks that a registration mistake is
// relayed as its gochalice message and the file:line of the user's call,
// without the goroutine trace, which --debug (ManifestError.Debug) keeps.
func TestRegistrationPanicWithoutTrace(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "panicapp")
	if err := Host(context.Background(), "testdata/panicapp", bin); err != nil {
		t.Fatal(err)
	}
	_, err := TakeManifest(context.Background(), bin, nil)
	var me *ManifestError
	if !errors.As(err, &me) {
		t.Fatalf("TakeManifest(panicapp) = %v; want a *ManifestError", err)
	}
	msg := me.Error()
	if !strings.HasPrefix(msg, `route "GET /x/{other}": a route for the same method and path is already registered`) {
		t.Errorf("message does not start with the panic's message:\n%s", msg)
	}
	if !strings.Contains(msg, "registered at ") || !strings.Contains(msg, filepath.Join("panicapp", "main.go")+":15") {
		t.Errorf("message does not name main.go:15, the second Route call:\n%s", msg)
	}
	for _, trace := range []string{"goroutine ", "+0x", "panic(", "app.(*App)"} {
		if strings.Contains(msg, trace) {
			t.Errorf("message holds the trace (%q):\n%s", trace, msg)
		}
	}
	me.Debug = true
	if !strings.Contains(me.Error(), "goroutine ") {
		t.Errorf("with Debug, the trace is missing:\n%s", me.Error())
	}
}

// TestMainWithoutRun checks that a main that never calls Run is told so,
// not "unexpected end of JSON input".
func TestMainWithoutRun(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "norunapp")
	if err := Host(context.Background(), "testdata/norunapp", bin); err != nil {
		t.Fatal(err)
	}
	_, err := TakeManifest(context.Background(), bin, nil)
	if err == nil {
		t.Fatal("TakeManifest(norunapp) succeeded")
	}
	for _, want := range []string{"printed no manifest", "must call Run()"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not say %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "JSON") {
		t.Errorf("error speaks of JSON:\n%v", err)
	}
}

func TestEnviron(t *testing.T) {
	t.Parallel()
	got := Environ([]string{"A=1", "B=2", "AWS_LAMBDA_RUNTIME_API=x", "EMPTY="}, map[string]string{"B": "3"}, map[string]string{"C": "4", "B": "5"})
	want := "A=1 B=5 C=4 EMPTY="
	if strings.Join(got, " ") != want {
		t.Errorf("Environ = %q, want %q", got, want)
	}
}

func TestNewArtifactIsReproducible(t *testing.T) {
	t.Parallel()
	a, err := NewArtifact([]byte("bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewArtifact([]byte("bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Zip) != string(b.Zip) || a.SHA256 != CodeSHA256(a.Zip) {
		t.Error("two zips of one binary differ, or the SHA-256 is not the zip's")
	}
	c, err := NewArtifact([]byte("other"))
	if err != nil {
		t.Fatal(err)
	}
	if c.SHA256 == a.SHA256 {
		t.Error("zips of two binaries have one SHA-256")
	}
}
