package app

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error a handler returns to answer with an HTTP status and
// Chalice's error body:
//
//	{"Code": "NotFoundError", "Message": "donor 42 not found"}
//
// Build one with the helpers (NotFound, BadRequest, ...) and answer it with
// WriteError.
type Error struct {
	// Status is the HTTP status code.
	Status int
	// Code is Chalice's error name, e.g. "NotFoundError".
	Code string
	// Message is shown to the client.
	Message string
	// Err is the cause when the message was formatted with %w; it is
	// reachable with errors.Is and errors.As.
	Err error
}

func (e *Error) Error() string {
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func newError(status int, code, format string, args []any) *Error {
	// fmt.Errorf formats like Sprintf and also keeps the causes of %w
	// verbs reachable through errors.Is/As.
	werr := fmt.Errorf(format, args...)
	e := &Error{Status: status, Code: code, Message: werr.Error()}
	switch werr.(type) {
	case interface{ Unwrap() error }, interface{ Unwrap() []error }:
		e.Err = werr
	}
	return e
}

// BadRequest is Chalice's BadRequestError (400).
func BadRequest(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, "BadRequestError", format, args)
}

// Unauthorized is Chalice's UnauthorizedError (401).
func Unauthorized(format string, args ...any) *Error {
	return newError(http.StatusUnauthorized, "UnauthorizedError", format, args)
}

// Forbidden is Chalice's ForbiddenError (403).
func Forbidden(format string, args ...any) *Error {
	return newError(http.StatusForbidden, "ForbiddenError", format, args)
}

// NotFound is Chalice's NotFoundError (404).
func NotFound(format string, args ...any) *Error {
	return newError(http.StatusNotFound, "NotFoundError", format, args)
}

// MethodNotAllowed is Chalice's MethodNotAllowedError (405).
func MethodNotAllowed(format string, args ...any) *Error {
	return newError(http.StatusMethodNotAllowed, "MethodNotAllowedError", format, args)
}

// RequestTimeout is Chalice's RequestTimeoutError (408).
func RequestTimeout(format string, args ...any) *Error {
	return newError(http.StatusRequestTimeout, "RequestTimeoutError", format, args)
}

// Conflict is Chalice's ConflictError (409).
func Conflict(format string, args ...any) *Error {
	return newError(http.StatusConflict, "ConflictError", format, args)
}

// RequestTooLarge is Chalice's RequestTooLargeError (413).
func RequestTooLarge(format string, args ...any) *Error {
	return newError(http.StatusRequestEntityTooLarge, "RequestTooLargeError", format, args)
}

// UnsupportedMediaType is Chalice's UnsupportedMediaType (415).
func UnsupportedMediaType(format string, args ...any) *Error {
	return newError(http.StatusUnsupportedMediaType, "UnsupportedMediaType", format, args)
}

// UnprocessableEntity is Chalice's UnprocessableEntityError (422).
func UnprocessableEntity(format string, args ...any) *Error {
	return newError(http.StatusUnprocessableEntity, "UnprocessableEntityError", format, args)
}

// TooManyRequests is Chalice's TooManyRequestsError (429).
func TooManyRequests(format string, args ...any) *Error {
	return newError(http.StatusTooManyRequests, "TooManyRequestsError", format, args)
}

// InternalServerError is Chalice's ChaliceViewError (500). Its message is
// shown to the client; WriteError uses a generic message for errors that
// are not an *Error.
func InternalServerError(format string, args ...any) *Error {
	return newError(http.StatusInternalServerError, "ChaliceViewError", format, args)
}

// internalError is what the client sees for an unexpected error or a
// panic, as Chalice answers.
var internalErrorBody = []byte(`{"Code":"InternalServerError","Message":"An internal server error occurred."}`)

// WriteError answers err with Chalice's error body. An *Error anywhere in
// err's chain gives the status, code and message; any other error answers
// 500 with a generic message, so internal details never reach the client.
func WriteError(w http.ResponseWriter, err error) {
	var e *Error
	if !errors.As(err, &e) {
		writeInternalError(w)
		return
	}
	body, _ := jsonMarshal(struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
	}{e.Code, e.Message})
	writeRaw(w, e.Status, "application/json", body)
}

func writeInternalError(w http.ResponseWriter) {
	writeRaw(w, http.StatusInternalServerError, "application/json", internalErrorBody)
}

func writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
