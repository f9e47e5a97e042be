package stages

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gochalice/gochalice/manifest"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// TestBrokenConfigs runs every case of testdata/broken: a txtar archive
// holding a project's files (.chalice/config.json, policy files),
// optionally the app's manifest.json and a "resolve" list of "stage
// function" lines, and the exact diagnostics the case produces ("want").
func TestBrokenConfigs(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/broken/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 40 {
		t.Errorf("the corpus has %d cases; the issue asks for at least 40", len(files))
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			a := parseArchive(data)
			got := runArchive(t, a)
			if *update {
				a.set("want", []byte(got))
				if err := os.WriteFile(file, a.format(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, ok := a.file("want")
			if !ok {
				t.Fatal(`no "want" section; run go test -update`)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
			if strings.TrimSpace(got) == "" {
				t.Errorf("a broken config produced no diagnostic")
			}
		})
	}
}

// runArchive loads the project an archive holds and returns what a user
// would see: every diagnostic, one per line, then the result of each
// resolve line.
func runArchive(t *testing.T, a *archive) string {
	t.Helper()
	fsys := fstest.MapFS{}
	var m *manifest.Manifest
	var resolves [][]string
	for _, f := range a.files {
		switch f.name {
		case "want":
		case "manifest.json":
			var err error
			if m, err = manifest.Parse(bytes.NewReader(f.data)); err != nil {
				t.Fatalf("manifest.json: %v", err)
			}
		case "resolve":
			for _, line := range strings.Split(strings.TrimSpace(string(f.data)), "\n") {
				resolves = append(resolves, strings.Fields(line))
			}
		default:
			fsys[f.name] = &fstest.MapFile{Data: f.data}
		}
	}
	var out strings.Builder
	cfg, err := LoadFS(fsys)
	if err != nil {
		var ds Diagnostics
		if !errors.As(err, &ds) {
			t.Fatalf("LoadFS returned %T, not Diagnostics: %v", err, err)
		}
		if !ds.HasErrors() {
			t.Errorf("LoadFS failed with warnings only")
		}
		if cfg != nil {
			t.Errorf("LoadFS returned a Config with an error")
		}
		fmt.Fprintln(&out, ds.Error())
		return out.String()
	}
	for _, d := range cfg.Warnings() {
		fmt.Fprintln(&out, d)
	}
	if m != nil {
		for _, d := range cfg.CheckFunctions(m) {
			fmt.Fprintln(&out, d)
		}
	}
	for _, r := range resolves {
		s, err := cfg.Resolve(r[0], r[1])
		if err != nil {
			fmt.Fprintf(&out, "resolve %s %s: %v\n", r[0], r[1], err)
			continue
		}
		fmt.Fprintf(&out, "resolve %s %s: ok (%s)\n", r[0], r[1], s.LambdaFunctionName)
	}
	return out.String()
}
