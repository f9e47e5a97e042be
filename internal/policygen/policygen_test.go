package policygen_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/manifest"
)

var update = flag.Bool("update", false, "rewrite the want/ sections of testdata/cases/*.txtar")

// goEnv makes the go command work offline from the module cache: fixture
// modules use only module versions listed in the repository's go.sum and
// testdata/fixtures.sum.
var goEnv = []string{"GOFLAGS=-mod=mod -buildvcs=false", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local"}

// gochaliceModule is required by fixtures that use the app library; the
// harness points it at this checkout.
const gochaliceModule = "github.com/gochalice/gochalice"

// fixture is one txtar case written out to a directory.
type fixture struct {
	dir     string
	archive *txtar.Archive
	opts    map[string]string // "key: value" lines of the archive comment
	files   map[string][]byte
}

func loadFixture(tb testing.TB, path, dir string) *fixture {
	tb.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	goSum, err := os.ReadFile("../../go.sum")
	if err != nil {
		tb.Fatal(err)
	}
	extra, err := os.ReadFile("testdata/fixtures.sum")
	if err != nil {
		tb.Fatal(err)
	}
	f := &fixture{dir: dir, archive: a, opts: map[string]string{}, files: map[string][]byte{}}
	sc := bufio.NewScanner(bytes.NewReader(a.Comment))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok && !strings.Contains(k, " ") {
			f.opts[k] = v
		}
	}
	for _, file := range a.Files {
		f.files[file.Name] = file.Data
		if strings.HasPrefix(file.Name, "want/") {
			continue
		}
		data := file.Data
		if file.Name == "go.mod" && bytes.Contains(data, []byte(gochaliceModule+" ")) {
			// A fixture app on gochalice's own app library: this checkout.
			root, err := filepath.Abs("../..")
			if err != nil {
				tb.Fatal(err)
			}
			data = fmt.Appendf(bytes.Clone(data), "\nreplace %s => %s\n", gochaliceModule, root)
		}
		p := filepath.Join(dir, file.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), append(goSum, extra...), 0o644); err != nil {
		tb.Fatal(err)
	}
	return f
}

// request builds the Generate request of an app fixture.
func (f *fixture) request(tb testing.TB) policygen.Request {
	tb.Helper()
	m, err := manifest.Parse(bytes.NewReader(f.files["manifest.json"]))
	if err != nil {
		tb.Fatalf("manifest.json: %v", err)
	}
	req := policygen.Request{Dir: filepath.Join(f.dir, f.opt("dir", ".")), Manifest: m, Stage: "dev", GoEnv: goEnv}
	if data, ok := f.files["env.json"]; ok {
		if err := json.Unmarshal(data, &req.Env); err != nil {
			tb.Fatalf("env.json: %v", err)
		}
	}
	for name, data := range f.files {
		if fn, ok := strings.CutPrefix(name, "extra/"); ok {
			p, err := iam.Parse(data)
			if err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			if req.Extra == nil {
				req.Extra = map[string]*iam.Policy{}
			}
			req.Extra[strings.TrimSuffix(fn, ".json")] = p
		}
	}
	return req
}

func (f *fixture) opt(k, def string) string {
	if v, ok := f.opts[k]; ok {
		return v
	}
	return def
}

// outputs renders what a case checks: each function's policy, the
// explanations and the diagnostics.
func outputs(tb testing.TB, fns []*policygen.FunctionResult) map[string]string {
	tb.Helper()
	out := map[string]string{}
	var diags, explain strings.Builder
	for _, fr := range fns {
		name := fr.Name
		if name == "" {
			name = "main"
		}
		data, err := fr.Policy.MarshalCanonical()
		if err != nil {
			tb.Fatal(err)
		}
		out["want/"+name+".json"] = string(data)
		actions := make([]string, 0, len(fr.Explain))
		for a := range fr.Explain {
			actions = append(actions, a)
		}
		sort.Strings(actions)
		fmt.Fprintf(&explain, "%s:\n", name)
		for _, a := range actions {
			fmt.Fprintf(&explain, "  %s\n", a)
			for _, r := range fr.Explain[a] {
				fmt.Fprintf(&explain, "    %s\n", r)
			}
		}
		for _, n := range fr.Notes {
			fmt.Fprintf(&explain, "  note: %s\n", n)
		}
		for _, d := range fr.Diagnostics {
			fmt.Fprintln(&diags, d)
		}
	}
	out["want/explain.txt"] = explain.String()
	out["want/diagnostics.txt"] = diags.String()
	return out
}

func run(tb testing.TB, f *fixture) []*policygen.FunctionResult {
	tb.Helper()
	ctx := context.Background()
	if f.opt("mode", "app") == "main" {
		var env map[string]string
		if data, ok := f.files["env.json"]; ok {
			if err := json.Unmarshal(data, &env); err != nil {
				tb.Fatalf("env.json: %v", err)
			}
		}
		fr, err := policygen.GenerateMain(ctx, policygen.MainRequest{
			Dir: filepath.Join(f.dir, f.opt("dir", ".")), Env: env, FunctionName: f.opts["function-name"], GoEnv: goEnv,
		})
		if err != nil {
			tb.Fatal(err)
		}
		return []*policygen.FunctionResult{fr}
	}
	res, err := policygen.Generate(ctx, f.request(tb))
	if err != nil {
		tb.Fatal(err)
	}
	var fns []*policygen.FunctionResult
	for _, n := range res.Names() {
		fns = append(fns, res.Functions[n])
	}
	return fns
}

func cases(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob("testdata/cases/*.txtar")
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

func TestCases(t *testing.T) {
	files := cases(t)
	if len(files) < 30 {
		t.Errorf("%d cases, want at least 30", len(files))
	}
	validate := iamValidator(t)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txtar")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := loadFixture(t, file, t.TempDir())
			fns := run(t, f)
			for _, fr := range fns {
				validate(t, fr.Name, fr.Policy)
			}
			got := outputs(t, fns)
			if *update {
				writeWant(t, file, f.archive, got)
				return
			}
			want := map[string]string{}
			for name, data := range f.files {
				if strings.HasPrefix(name, "want/") {
					want[name] = string(data)
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("outputs differ (-want +got; rerun with -update to accept):\n%s", diff)
			}
		})
	}
}

func writeWant(t *testing.T, file string, a *txtar.Archive, got map[string]string) {
	t.Helper()
	var files []txtar.File
	for _, f := range a.Files {
		if !strings.HasPrefix(f.Name, "want/") {
			files = append(files, f)
		}
	}
	names := make([]string, 0, len(got))
	for n := range got {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		files = append(files, txtar.File{Name: n, Data: []byte(got[n])})
	}
	a.Files = files
	if err := os.WriteFile(file, txtar.Format(a), 0o644); err != nil {
		t.Fatal(err)
	}
}
