package app

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

type testDonor struct {
	Name    string `json:"name"`
	Address struct {
		Zip string `json:"zip"`
	} `json:"address"`
	Tags []string `json:"tags,omitempty"`
}

func TestDecodeJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		ct      string
		body    string
		noBody  bool
		limit   int64
		status  int    // 0: no error
		message string // exact when status != 0
	}{
		{name: "ok", ct: "application/json", body: `{"name":"Ana","address":{"zip":"10115"}}`},
		{name: "no content type", body: `{"name":"Ana"}`},
		{name: "charset", ct: "application/json; charset=utf-8", body: `{"name":"Ana"}`},
		{name: "+json", ct: "application/vnd.api+json", body: `{"name":"Ana"}`},
		{name: "trailing whitespace", body: "{\"name\":\"Ana\"}\n\t \n"},
		{name: "exactly the limit", body: `{"name":"Ana"}`, limit: int64(len(`{"name":"Ana"}`))},
		{name: "over the limit", body: `{"name":"Ana"}`, limit: 10, status: 413,
			message: "the request body is larger than 10 bytes"},
		{name: "trailing data over the limit", body: `{"name":"Ana"}` + strings.Repeat(" ", 20) + "1", limit: 30, status: 413,
			message: "the request body is larger than 30 bytes"},
		{name: "default limit", body: `{"name":"` + strings.Repeat("a", DefaultMaxBodyBytes) + `"}`, status: 413,
			message: "the request body is larger than 1048576 bytes"},
		{name: "empty body", body: "", status: 400, message: "the request body is empty; send a JSON document"},
		{name: "nil body", noBody: true, status: 400, message: "the request body is empty; send a JSON document"},
		{name: "only whitespace", body: "  \n", status: 400, message: "the request body is empty; send a JSON document"},
		{name: "syntax error", body: `{"name": "Ana",}`, status: 400,
			message: "the request body is not valid JSON at byte 16: invalid character '}' looking for beginning of object key string"},
		{name: "truncated", body: `{"name": "An`, status: 400, message: "the request body is not valid JSON: it ends too early"},
		{name: "type error", body: `{"name": 5}`, status: 400, message: `field "name": want string, got JSON number`},
		{name: "nested type error", body: `{"address": {"zip": true}}`, status: 400, message: `field "address.zip": want string, got JSON bool`},
		{name: "top-level type error", body: `[1]`, status: 400, message: `want app.testDonor, got JSON array`},
		{name: "trailing value", body: `{"name":"Ana"} {"name":"Ben"}`, status: 400, message: "the request body has data after its JSON value"},
		{name: "trailing garbage", body: `{"name":"Ana"}x`, status: 400, message: "the request body has data after its JSON value"},
		{name: "trailing array", body: `{"name":"Ana"}[1]`, status: 400, message: "the request body has data after its JSON value"},
		{name: "not JSON", ct: "text/plain", body: `{"name":"Ana"}`, status: 415,
			message: "Unsupported media type: text/plain; send application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := httptest.NewRequest("POST", "/donors", strings.NewReader(tc.body))
			if tc.noBody {
				req.Body = nil
			}
			if tc.ct != "" {
				req.Header.Set("Content-Type", tc.ct)
			}
			var d testDonor
			var err error
			if tc.limit > 0 {
				err = DecodeJSONLimit(req, &d, tc.limit)
			} else {
				err = DecodeJSON(req, &d)
			}
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("error: %v", err)
				}
				if d.Name != "Ana" {
					t.Errorf("decoded %+v", d)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not an *Error", err, err)
			}
			if e.Status != tc.status || e.Message != tc.message {
				t.Errorf("error = %d %q, want %d %q", e.Status, e.Message, tc.status, tc.message)
			}
		})
	}
}

// TestDecodeJSONInRoute shows the intended use: the error goes straight to
// WriteError, through the local server's request body.
func TestDecodeJSONInRoute(t *testing.T) {
	t.Parallel()
	a := New("json")
	a.Route("POST /donors", func(w http.ResponseWriter, r *http.Request) {
		var d testDonor
		if err := DecodeJSONLimit(r, &d, 64); err != nil {
			WriteError(w, err)
			return
		}
		_ = WriteJSON(w, http.StatusCreated, d)
	})
	rec := do(a, "POST", "/donors", `{"name":"Ana <&>","tags":["o+"]}`)
	if rec.Code != 201 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got, want := rec.Body.String(), `{"name":"Ana <&>","address":{"zip":""},"tags":["o+"]}`+"\n"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	rec = do(a, "POST", "/donors", `{"name":"`+strings.Repeat("x", 100)+`"}`)
	if diff := cmp.Diff(errorBody{Code: "RequestTooLargeError", Message: "the request body is larger than 64 bytes"}, decodeError(t, rec.Body.Bytes())); diff != "" || rec.Code != 413 {
		t.Errorf("status %d, body (-want +got):\n%s", rec.Code, diff)
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	if err := WriteJSON(rec, http.StatusAccepted, map[string]any{"id": "42", "html": "<b>"}); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 202 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != `{"html":"<b>","id":"42"}`+"\n" {
		t.Errorf("got %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
	}

	rec = httptest.NewRecorder()
	err := WriteJSON(rec, http.StatusOK, map[string]any{"ch": make(chan int)})
	if err == nil || !strings.HasPrefix(err.Error(), "encode JSON response: ") {
		t.Errorf("error = %v", err)
	}
	if rec.Code != 500 || decodeError(t, rec.Body.Bytes()).Code != "InternalServerError" {
		t.Errorf("got %d %s", rec.Code, rec.Body)
	}
}
