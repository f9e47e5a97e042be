package app

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestPayloadVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
	}{
		{`{"version":"2.0","routeKey":"GET /"}`, "2.0"},
		{` { "headers" : {"version": "1.0", "a": [1, {"b": "}"}]}, "body": "{\"version\":\"2.0\"}", "version" : "2.0" } `, "2.0"},
		{`{"resource":"/","httpMethod":"GET","version":"1.0"}`, "1.0"},
		{`{"n": -1.5e3, "t": true, "z": null, "version": "2.0"}`, "2.0"},
		{`{"resource":"/"}`, ""},
		{`{"version": 2}`, ""},
		{`[{"version":"2.0"}]`, ""},
		{`{"a":"unterminated`, ""},
		{`{"a" "b"}`, ""},
		{``, ""},
	}
	for _, tc := range tests {
		if got := payloadVersion([]byte(tc.in)); got != tc.want {
			t.Errorf("payloadVersion(%s) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzPayloadVersion checks the byte scan against encoding/json on valid
// objects (with one "version" key and no escapes, where the two read the
// same thing by definition).
func FuzzPayloadVersion(f *testing.F) {
	for _, name := range []string{"apigw-v1-get-donor.json", "apigw-v2-get-donor.json", "apigw-v1-post-file.json", "apigw-v2-post-file.json"} {
		if data, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"version":"2.0"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got := payloadVersion(data)
		if !json.Valid(data) || bytes.Contains(data, []byte(`\`)) || bytes.Count(data, []byte(`"version"`)) != 1 {
			return
		}
		var probe struct {
			Version any `json:"version"`
		}
		if err := json.Unmarshal(data, &probe); err != nil {
			return // not an object
		}
		want, _ := probe.Version.(string)
		if got != want {
			t.Errorf("payloadVersion(%s) = %q, encoding/json reads %q", data, got, want)
		}
	})
}
