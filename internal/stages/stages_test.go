package stages

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gochalice/gochalice/manifest"
	"github.com/google/go-cmp/cmp"
)

// golden compares got with testdata/<name>, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestSavealife resolves the Chalice workshop's savealife config for its
// two functions: both see TABLE_NAME, only handle_stream sees STREAM_ARN,
// and each has its own policy file.
func TestSavealife(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/savealife")
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) > 0 {
		t.Errorf("warnings: %v", w)
	}
	if got, want := c.AppName(), "savealife"; got != want {
		t.Errorf("AppName() = %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"dev"}, c.Stages()); diff != "" {
		t.Errorf("Stages() (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"api_handler", "handle_stream"}, c.Functions("dev")); diff != "" {
		t.Errorf("Functions() (-want +got):\n%s", diff)
	}
	var all []*Settings
	for _, fn := range []string{manifest.APIHandlerName, "handle_stream"} {
		s, err := c.Resolve("dev", fn)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, s)
	}
	api, stream := all[0], all[1]
	if api.EnvironmentVariables["TABLE_NAME"] != "savealife-donors" || stream.EnvironmentVariables["TABLE_NAME"] != "savealife-donors" {
		t.Errorf("TABLE_NAME: api_handler %q, handle_stream %q", api.EnvironmentVariables["TABLE_NAME"], stream.EnvironmentVariables["TABLE_NAME"])
	}
	if _, ok := api.EnvironmentVariables["STREAM_ARN"]; ok {
		t.Errorf("api_handler has STREAM_ARN")
	}
	if !strings.HasPrefix(stream.EnvironmentVariables["STREAM_ARN"], "arn:aws:dynamodb:") {
		t.Errorf("handle_stream STREAM_ARN = %q", stream.EnvironmentVariables["STREAM_ARN"])
	}
	if api.IAMPolicyFile != ".chalice/policy-dev.json" || stream.IAMPolicyFile != ".chalice/policy-handle-stream.json" {
		t.Errorf("policy files: %q, %q", api.IAMPolicyFile, stream.IAMPolicyFile)
	}
	if api.Policy == nil || stream.Policy == nil {
		t.Fatalf("policies not parsed")
	}
	data, err := json.MarshalIndent(all, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "savealife.golden.json", append(data, '\n'))
}

// TestResolveIsolated checks that Settings are copies: changing one does
// not change the next resolution.
func TestResolveIsolated(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/savealife")
	if err != nil {
		t.Fatal(err)
	}
	s, err := c.Resolve("dev", "handle_stream")
	if err != nil {
		t.Fatal(err)
	}
	s.EnvironmentVariables["TABLE_NAME"] = "changed"
	s.Policy.Statement[0].Action[0] = "changed"
	again, err := c.Resolve("dev", "handle_stream")
	if err != nil {
		t.Fatal(err)
	}
	if again.EnvironmentVariables["TABLE_NAME"] != "savealife-donors" || again.Policy.Statement[0].Action[0] == "changed" {
		t.Errorf("a change to Settings reached the Config")
	}
}

func TestResolveErrors(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/savealife")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, stage, fn string
		want            string
		unknownStage    bool
	}{
		{name: "unknown stage", stage: "prod", fn: "api_handler", unknownStage: true,
			want: `.chalice/config.json: stage "prod" does not exist (stages: dev); pick one of them, or add "prod": {} under "stages"`},
		{name: "near miss", stage: "dve", fn: "api_handler", unknownStage: true,
			want: `.chalice/config.json: stage "dve" does not exist (stages: dev); did you mean "dev"?`},
		{name: "empty function", stage: "dev", fn: "",
			want: `resolve stage dev: the function name is empty (the API handler is "api_handler")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := c.Resolve(tc.stage, tc.fn)
			if err == nil {
				t.Fatal("Resolve succeeded")
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("error = %q, want %q", got, tc.want)
			}
			var use *UnknownStageError
			if errors.As(err, &use) != tc.unknownStage {
				t.Errorf("errors.As(*UnknownStageError) = %v, want %v", !tc.unknownStage, tc.unknownStage)
			}
		})
	}
}

// TestResolveUnconfiguredFunction resolves a function config.json does
// not name: it gets the stage's settings, and its own checks.
func TestResolveUnconfiguredFunction(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("v", 4000)
	c := mustLoad(t, project(t, map[string]any{
		"version": "2.0", "app_name": "app",
		"stages": map[string]any{"dev": map[string]any{"environment_variables": map[string]any{"BIG": long}}},
	}))
	s, err := c.Resolve("dev", "short")
	if err != nil {
		t.Fatal(err)
	}
	if s.LambdaFunctionName != "app-dev-short" || s.EnvironmentVariables["BIG"] != long {
		t.Errorf("got %q with %d bytes of BIG", s.LambdaFunctionName, len(s.EnvironmentVariables["BIG"]))
	}
	// A longer function name adds to GOCHALICE_HANDLER and goes over 4 KB.
	_, err = c.Resolve("dev", strings.Repeat("f", 64))
	var ds Diagnostics
	if !errors.As(err, &ds) || len(ds) != 1 || !strings.Contains(ds[0].Problem, "4102 bytes") {
		t.Errorf("Resolve with a long name: %v", err)
	}
}

func TestDiagnosticString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		d    Diagnostic
		want string
	}{
		{
			name: "key path",
			d:    Diagnostic{File: ConfigFile, Line: 9, Column: 31, KeyPath: "stages.dev.lambda_functions.handle_stream.lambda_timeout", Problem: "1200 is out of range", Fix: "Lambda allows 1 to 900 seconds"},
			want: ".chalice/config.json: stages.dev.lambda_functions.handle_stream.lambda_timeout: 1200 is out of range; Lambda allows 1 to 900 seconds",
		},
		{
			name: "syntax",
			d:    Diagnostic{File: ConfigFile, Line: 3, Column: 5, Problem: "malformed JSON: x", Fix: "fix it"},
			want: ".chalice/config.json:3:5: malformed JSON: x; fix it",
		},
		{
			name: "warning without fix",
			d:    Diagnostic{File: ".chalice/p.json", KeyPath: "Statement[0]", Problem: "odd", Severity: SeverityWarning},
			want: ".chalice/p.json: Statement[0]: warning: odd",
		},
		{
			name: "whole file",
			d:    Diagnostic{File: ConfigFile, Problem: "no such file"},
			want: ".chalice/config.json: no such file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.d.String(); got != tc.want {
				t.Errorf("String() =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestDiagnosticsJSON checks the JSON form tools read.
func TestDiagnosticsJSON(t *testing.T) {
	t.Parallel()
	_, err := LoadFS(fstest.MapFS{ConfigFile: {Data: []byte(`{"version": "2.0", "app_name": "a", "stages": {"dev": {"lambda_timeout": 0}}}`)}})
	var ds Diagnostics
	if !errors.As(err, &ds) {
		t.Fatalf("LoadFS: %v", err)
	}
	got, err := json.Marshal(ds)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"file":".chalice/config.json","line":1,"column":74,"key_path":"stages.dev.lambda_timeout","problem":"0 is out of range","fix":"Lambda allows 1 to 900 seconds","severity":"error"}]`
	if string(got) != want {
		t.Errorf("JSON =\n%s\nwant\n%s", got, want)
	}
}

func TestDidYouMean(t *testing.T) {
	t.Parallel()
	keys := make([]string, 0, len(keySpecs()))
	for _, k := range keySpecs() {
		keys = append(keys, k.name)
	}
	tests := []struct{ in, want string }{
		{"enviroment_variables", "environment_variables"},
		{"environment-variables", "environment_variables"},
		{"Environment_Variables", "environment_variables"},
		{"lambda_timout", "lambda_timeout"},
		{"lambda_tiemout", "lambda_timeout"},
		{"lambda_memory", "lambda_memory_size"},
		{"memory_size", ""},
		{"tag", "tags"},
		{"stage", "stages"},
		{"api_gateway_policy", "api_gateway_policy_file"},
		{"iam_role", "iam_role_arn"},
		{"lambda", ""},
		{"x", ""},
		{"", ""},
		{"frobnicate", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			if got := didYouMean(tc.in, keys); got != tc.want {
				t.Errorf("didYouMean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestComparePaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"Statement[2]", "Statement[10]", -1},
		{"Statement[10].Action", "Statement[9].Action", 1},
		{"a.b", "a.b", 0},
		{"a", "a.b", -1},
		{"x[007]", "x[7]", 0},
	}
	for _, tc := range tests {
		t.Run(tc.a+" "+tc.b, func(t *testing.T) {
			t.Parallel()
			if got := comparePaths(tc.a, tc.b); got != tc.want {
				t.Errorf("comparePaths = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestLineCol(t *testing.T) {
	t.Parallel()
	data := []byte("{\n  \"é\": 1,\n  x\n}")
	tests := []struct {
		off, line, col int
	}{
		{0, 1, 1},
		{2, 2, 1},
		{4, 2, 3},
		{bytes.IndexByte(data, 'x'), 3, 3},
		{len(data), 4, 2},
		{-5, 1, 1},
		{999, 4, 2},
	}
	for _, tc := range tests {
		line, col := lineCol(data, tc.off)
		if line != tc.line || col != tc.col {
			t.Errorf("lineCol(%d) = %d:%d, want %d:%d", tc.off, line, col, tc.line, tc.col)
		}
	}
}

// TestLoadDeterministic loads a config with many problems repeatedly:
// the diagnostics come out in the same order every time, though they are
// collected from maps.
func TestLoadDeterministic(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/broken/wrong-level.txtar")
	if err != nil {
		t.Fatal(err)
	}
	a := parseArchive(data)
	first := runArchive(t, a)
	for range 20 {
		if got := runArchive(t, a); got != first {
			t.Fatalf("run differs:\n%s\nfirst:\n%s", got, first)
		}
	}
}

// TestCheckFunctionsClean checks that a config matching its app has no
// warnings.
func TestCheckFunctionsClean(t *testing.T) {
	t.Parallel()
	c, err := Load("testdata/savealife")
	if err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "savealife", Functions: []manifest.Function{
		{Name: "api_handler", Kind: manifest.KindAPI},
		{Name: "handle_stream", Kind: manifest.KindDynamoDBStream},
	}}
	if ds := c.CheckFunctions(m); len(ds) != 0 {
		t.Errorf("CheckFunctions: %v", ds)
	}
}

// TestVersionsChaliceAccepts loads configs with the versions Chalice
// reads: "1.0" and "2.0", quoted or not.
func TestVersionsChaliceAccepts(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`"1.0"`, `"2.0"`, `1.0`, `2.0`, `2`} {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			data := `{"version": ` + v + `, "app_name": "app", "stages": {"dev": {}}}`
			if _, err := LoadFS(fstest.MapFS{ConfigFile: {Data: []byte(data)}}); err != nil {
				t.Errorf("LoadFS(%s): %v", data, err)
			}
		})
	}
}
