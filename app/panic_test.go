package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func newPanicApp(logs io.Writer) *App {
	a := New("panics")
	a.Logger = slog.New(slog.NewTextHandler(logs, nil))
	a.Route("GET /boom", func(http.ResponseWriter, *http.Request) { panic("secret detail") })
	a.Route("GET /partial", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Partial", "yes")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "half an answer")
		panic(errors.New("after writing"))
	})
	a.Route("GET /abort", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })
	a.Route("GET /ok", text("ok"))
	return a
}

var internalError = errorBody{Code: "InternalServerError", Message: "An internal server error occurred."}

func TestPanicLocalServer(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv := httptest.NewServer(newPanicApp(&logs))
	defer srv.Close()
	get := func(path string) (*http.Response, []byte, error) {
		resp, err := srv.Client().Get(srv.URL + path)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}
	for range 3 { // the server keeps serving after each panic
		resp, body, err := get("/boom")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 500 {
			t.Fatalf("status = %d", resp.StatusCode)
		}
		if diff := cmp.Diff(internalError, decodeError(t, body)); diff != "" {
			t.Errorf("body (-want +got):\n%s", diff)
		}
		if resp, body, err := get("/ok"); err != nil || resp.StatusCode != 200 || string(body) != "ok" {
			t.Fatalf("after a panic: %v %v %q", resp, err, body)
		}
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), "handler panicked") {
		t.Errorf("panic not logged: %s", logs.String())
	}

	// http.ErrAbortHandler goes on to net/http, which drops the
	// connection without logging.
	if _, _, err := get("/abort"); err == nil {
		t.Errorf("GET /abort succeeded; want the connection aborted")
	}
	if resp, body, err := get("/ok"); err != nil || resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("after an abort: %v %v %q", resp, err, body)
	}
}

func TestPanicAPIGateway(t *testing.T) {
	t.Parallel()
	a := newPanicApp(io.Discard)
	ctx := context.Background()
	get := func(path string) events.APIGatewayProxyResponse {
		t.Helper()
		resp, err := a.HandleProxyRequest(ctx, &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: path, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	for _, path := range []string{"/boom", "/partial", "/boom"} {
		resp := get(path)
		want := events.APIGatewayProxyResponse{
			StatusCode:        500,
			MultiValueHeaders: map[string][]string{"Content-Type": {"application/json"}},
			Body:              `{"Code":"InternalServerError","Message":"An internal server error occurred."}`,
		}
		// What /partial wrote before panicking (status, header, body) is gone.
		if diff := cmp.Diff(want, resp); diff != "" {
			t.Errorf("%s (-want +got):\n%s", path, diff)
		}
		if ok := get("/ok"); ok.StatusCode != 200 || ok.Body != "ok" {
			t.Errorf("after a panic: %+v", ok)
		}
	}

	// v2 as well.
	resp, err := a.HandleV2HTTPRequest(ctx, &events.APIGatewayV2HTTPRequest{
		RouteKey: "GET /partial", RawPath: "/partial",
		RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := events.APIGatewayV2HTTPResponse{
		StatusCode: 500,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       `{"Code":"InternalServerError","Message":"An internal server error occurred."}`,
	}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("v2 (-want +got):\n%s", diff)
	}

	// http.ErrAbortHandler is not turned into a 500.
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		get("/abort")
	}()
	if ok := get("/ok"); ok.StatusCode != 200 {
		t.Errorf("after an abort: %+v", ok)
	}
}

func TestPanicDebug(t *testing.T) {
	t.Parallel()
	a := newPanicApp(io.Discard)
	a.Debug = true
	for _, tc := range []struct{ path, message string }{
		{"/boom", "panic: secret detail"},
		{"/partial", "panic: after writing"},
	} {
		rec := do(a, "GET", tc.path, "")
		if tc.path == "/boom" && rec.Code != 500 {
			t.Errorf("status = %d", rec.Code)
		}
		e := decodeError(t, rec.Body.Bytes()[strings.IndexByte(rec.Body.String(), '{'):])
		if e.Code != "InternalServerError" || e.Message != tc.message || !strings.Contains(e.Traceback, "goroutine") {
			t.Errorf("%s: body = %+v", tc.path, e)
		}
	}
	resp, err := a.HandleProxyRequest(context.Background(), &events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/boom", Path: "/boom"})
	if err != nil {
		t.Fatal(err)
	}
	if e := decodeError(t, []byte(resp.Body)); resp.StatusCode != 500 || e.Message != "panic: secret detail" || e.Traceback == "" {
		t.Errorf("API Gateway: %d %+v", resp.StatusCode, e)
	}
}
