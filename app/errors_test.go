package app

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		helper func(string, ...any) *Error
		status int
		code   string
	}{
		{BadRequest, 400, "BadRequestError"},
		{Unauthorized, 401, "UnauthorizedError"},
		{Forbidden, 403, "ForbiddenError"},
		{NotFound, 404, "NotFoundError"},
		{MethodNotAllowed, 405, "MethodNotAllowedError"},
		{RequestTimeout, 408, "RequestTimeoutError"},
		{Conflict, 409, "ConflictError"},
		{RequestTooLarge, 413, "RequestTooLargeError"},
		{UnsupportedMediaType, 415, "UnsupportedMediaType"},
		{UnprocessableEntity, 422, "UnprocessableEntityError"},
		{TooManyRequests, 429, "TooManyRequestsError"},
		{InternalServerError, 500, "ChaliceViewError"},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			t.Parallel()
			err := tc.helper("donor %q: %d <items> & more", "ana", 3)
			want := &Error{Status: tc.status, Code: tc.code, Message: `donor "ana": 3 <items> & more`}
			if diff := cmp.Diff(want, err); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got, want := err.Error(), tc.code+`: donor "ana": 3 <items> & more`; got != want {
				t.Errorf("Error() = %q, want %q", got, want)
			}
			rec := httptest.NewRecorder()
			rec.Header().Set("Content-Length", "999") // a stale length must not survive
			WriteError(rec, err)
			if rec.Code != tc.status {
				t.Errorf("status = %d, want %d", rec.Code, tc.status)
			}
			wantBody := `{"Code":"` + tc.code + `","Message":"donor \"ana\": 3 <items> & more"}` + "\n"
			if got := rec.Body.String(); got != wantBody {
				t.Errorf("body = %q, want %q", got, wantBody)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cl := rec.Header().Get("Content-Length"); cl != "" {
				t.Errorf("Content-Length = %q, want none", cl)
			}
		})
	}
}

func TestWriteErrorOtherErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantBody   string
	}{
		{"plain error", errors.New("dial tcp 10.0.0.7:5432: password=hunter2"), 500,
			`{"Code":"InternalServerError","Message":"An internal server error occurred."}`},
		{"wrapped *Error", fmt.Errorf("load donor: %w", NotFound("donor 42")), 404,
			`{"Code":"NotFoundError","Message":"donor 42"}` + "\n"},
		{"joined", errors.Join(errors.New("secret"), Conflict("taken")), 409,
			`{"Code":"ConflictError","Message":"taken"}` + "\n"},
		{"nil *Error cause", fmt.Errorf("x: %w", fs.ErrNotExist), 500,
			`{"Code":"InternalServerError","Message":"An internal server error occurred."}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			WriteError(rec, tc.err)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if got := rec.Body.String(); got != tc.wantBody {
				t.Errorf("body = %q, want %q", got, tc.wantBody)
			}
			if strings.Contains(rec.Body.String(), "hunter2") || strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("body leaks the error text: %s", rec.Body)
			}
		})
	}
}

func TestErrorCauses(t *testing.T) {
	t.Parallel()
	errDB := errors.New("db down")
	tests := []struct {
		name    string
		err     *Error
		is      []error
		message string
	}{
		{"no cause", BadRequest("bad %s", "input"), nil, "bad input"},
		{"%w", InternalServerError("load donor: %w", errDB), []error{errDB}, "load donor: db down"},
		{"two %w", Conflict("%w and %w", errDB, fs.ErrExist), []error{errDB, fs.ErrExist}, "db down and file already exists"},
		{"wrapped path error", NotFound("open: %w", &fs.PathError{Op: "open", Path: "x", Err: fs.ErrNotExist}), []error{fs.ErrNotExist}, "open: open x: file does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.err.Message != tc.message {
				t.Errorf("Message = %q, want %q", tc.err.Message, tc.message)
			}
			if len(tc.is) == 0 && tc.err.Unwrap() != nil {
				t.Errorf("Unwrap() = %v, want nil", tc.err.Unwrap())
			}
			for _, target := range tc.is {
				if !errors.Is(tc.err, target) {
					t.Errorf("errors.Is(err, %v) = false", target)
				}
				// Through another wrapper too.
				if !errors.Is(fmt.Errorf("handler: %w", tc.err), target) {
					t.Errorf("errors.Is(wrapped err, %v) = false", target)
				}
			}
			var pe *fs.PathError
			if tc.name == "wrapped path error" && !errors.As(tc.err, &pe) {
				t.Errorf("errors.As(*fs.PathError) = false")
			}
			var e *Error
			if !errors.As(fmt.Errorf("x: %w", tc.err), &e) || e != tc.err {
				t.Errorf("errors.As(*Error) did not find the error")
			}
		})
	}
}
