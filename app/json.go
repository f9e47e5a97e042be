package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// DefaultMaxBodyBytes is the request body limit of DecodeJSON: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// DecodeJSON decodes the request's JSON body into v, limited to
// DefaultMaxBodyBytes. See DecodeJSONLimit.
func DecodeJSON(r *http.Request, v any) error {
	return DecodeJSONLimit(r, v, DefaultMaxBodyBytes)
}

// DecodeJSONLimit decodes the request's JSON body into v. Its errors are
// *Error values ready for WriteError: 415 for a Content-Type other than
// JSON, 413 for a body over limit bytes, 400 for an empty body, malformed
// JSON (with the byte offset), a value of the wrong type (with the field),
// or data after the JSON value.
func DecodeJSONLimit(r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !isJSONType(ct) {
		return UnsupportedMediaType("Unsupported media type: %s; send application/json", ct)
	}
	if r.Body == nil || r.Body == http.NoBody {
		return BadRequest("the request body is empty; send a JSON document")
	}
	body := http.MaxBytesReader(nil, r.Body, limit)
	dec := json.NewDecoder(body)
	if err := dec.Decode(v); err != nil {
		return jsonError(err, limit)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		if err == nil || !errors.As(err, new(*http.MaxBytesError)) {
			return BadRequest("the request body has data after its JSON value")
		}
		return jsonError(err, limit)
	}
	return nil
}

func jsonError(err error, limit int64) error {
	var (
		maxErr    *http.MaxBytesError
		syntaxErr *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &maxErr):
		return RequestTooLarge("the request body is larger than %d bytes", limit)
	case errors.Is(err, io.EOF):
		return BadRequest("the request body is empty; send a JSON document")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return BadRequest("the request body is not valid JSON: it ends too early")
	case errors.As(err, &syntaxErr):
		return BadRequest("the request body is not valid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return BadRequest("field %q: want %s, got JSON %s", typeErr.Field, typeErr.Type, typeErr.Value)
		}
		return BadRequest("want %s, got JSON %s", typeErr.Type, typeErr.Value)
	default:
		return BadRequest("the request body is not valid JSON: %v", err)
	}
}

func isJSONType(ct string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// WriteJSON answers v as JSON with the given status. If v cannot be
// encoded it answers 500 and returns the error.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	body, err := jsonMarshal(v)
	if err != nil {
		writeInternalError(w)
		return fmt.Errorf("encode JSON response: %w", err)
	}
	writeRaw(w, status, "application/json", body)
	return nil
}

// jsonMarshal is json.Marshal without HTML escaping and with a trailing
// newline, as json.Encoder writes.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
