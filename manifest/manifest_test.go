package manifest

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMarshalIndentSortsAndRoundTrips(t *testing.T) {
	t.Parallel()
	m := &Manifest{
		SchemaVersion: SchemaVersion,
		AppName:       "demo",
		BinaryTypes:   []string{"image/png", "application/zip"},
		Routes: []Route{
			{Pattern: "POST /b", Method: "POST", Path: "/b", ContentTypes: []string{"application/json"}},
			{Pattern: "GET /b", Method: "GET", Path: "/b", ContentTypes: []string{"application/json"}},
			{Pattern: "GET /a/{id}", Method: "GET", Path: "/a/{id}", ContentTypes: []string{"application/json"}},
		},
		Functions: []Function{
			{Name: "zeta", Kind: KindFunction, Handler: Handler{Name: "main.zeta"}},
			{Name: APIHandlerName, Kind: KindAPI},
			{Name: "handle_stream", Kind: KindDynamoDBStream, Handler: Handler{Name: "main.h"}, DynamoDBStream: &DynamoDBStream{Stream: "t1", BatchSize: 100, StartingPosition: "LATEST"}},
		},
	}
	data, err := m.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	if m.Routes[0].Pattern != "POST /b" {
		t.Error("MarshalIndent reordered its receiver")
	}
	got, err := Parse(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	var paths, names []string
	for _, r := range got.Routes {
		paths = append(paths, r.Method+" "+r.Path)
	}
	for _, f := range got.Functions {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"GET /a/{id}", "GET /b", "POST /b"}, paths); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"api_handler", "handle_stream", "zeta"}, names); diff != "" {
		t.Errorf("functions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"application/zip", "image/png"}, got.BinaryTypes); diff != "" {
		t.Errorf("binary types (-want +got):\n%s", diff)
	}
	again, _ := got.MarshalIndent()
	if string(again) != string(data) {
		t.Errorf("not stable:\n%s\nvs\n%s", data, again)
	}
	if f, ok := got.Function("handle_stream"); !ok || f.DynamoDBStream.Stream != "t1" {
		t.Errorf("Function(handle_stream) = %+v, %v", f, ok)
	}
	if _, ok := got.Function("nope"); ok {
		t.Error("Function(nope) found something")
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, doc, want string
	}{
		{"newer version", `{"schema_version": 2, "app_name": "x"}`, "schema_version 2 is not supported"},
		{"no version", `{"app_name": "x"}`, "schema_version 0 is not supported"},
		{"unknown field", `{"schema_version": 1, "app_name": "x", "routez": []}`, `unknown field "routez"`},
		{"no app name", `{"schema_version": 1}`, "app_name is empty"},
		{"not JSON", `schema_version: 1`, "parse manifest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	var ve *VersionError
	if _, err := Parse(strings.NewReader(`{"schema_version": 9, "app_name": "x"}`)); !errors.As(err, &ve) || ve.Got != 9 {
		t.Errorf("want a *VersionError with Got 9, got %v", err)
	}
}

func TestWarningsColonSegments(t *testing.T) {
	m := &Manifest{Routes: []Route{
		{Pattern: "GET /users/:id", Method: "GET", Path: "/users/:id", Handler: Handler{Name: "main.getUser", File: "main.go", Line: 42}},
		{Pattern: "GET /users/{id}", Method: "GET", Path: "/users/{id}", Handler: Handler{Name: "main.getUser"}},
		{Pattern: "GET /time/12:00", Method: "GET", Path: "/time/12:00", Handler: Handler{Name: "main.noon"}},
		{Pattern: "GET /a/:", Method: "GET", Path: "/a/:", Handler: Handler{Name: "main.colon"}},
	}}
	got := m.Warnings()
	want := []string{`route "GET /users/:id" (main.getUser, main.go:42): the segment ":id" matches only the literal text ":id"; a path parameter is written {id}, as in "GET /users/{id}"`}
	if len(got) != len(want) || got[0] != want[0] {
		t.Errorf("Warnings() =\n%q\nwant\n%q", got, want)
	}
}
