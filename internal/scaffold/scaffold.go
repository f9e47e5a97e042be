// Package scaffold writes a new gochalice project, as `gochalice new` does:
// a main.go with a route and a DynamoDB stream handler, its test,
// .chalice/config.json, a README and a go.mod that builds offline.
//
// The files come from templates embedded in the program, so a release
// build (go install, -trimpath) scaffolds without the source checkout.
// While gochalice is not published as a module, a new project's go.mod
// points at a gochalice checkout with a replace directive: the one named
// by Options.GochaliceDir, or the checkout the CLI was built from (found
// through the CLI's own source path). A published version is required
// instead with Options.Version, and by default when there is no checkout
// to point at and the CLI knows its own release (Options.BuildVersion).
//
// Create writes into a temporary folder beside the target and renames it
// into place only when everything (go mod tidy included) succeeded, so a
// failed run leaves no half-made project.
package scaffold

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"text/template"
)

//go:embed all:template
var templates embed.FS

// ModulePath is gochalice's module path.
const ModulePath = "github.com/gochalice/gochalice"

// Options configures Create.
type Options struct {
	// Name is the app's name (app.New, .chalice/config.json app_name).
	Name string
	// Module is the new go.mod's module path (default Name).
	Module string
	// GochaliceDir is the gochalice checkout to use through a replace
	// directive. Empty means the checkout this program was built from.
	GochaliceDir string
	// Version, when set, requires this published gochalice version instead
	// of a checkout.
	Version string
	// GoVersion is the go directive (default: this toolchain's).
	GoVersion string
	// Tidy runs `go mod tidy` in the new project (needs the modules in the
	// module cache or a reachable proxy).
	Tidy bool
	// BuildVersion is the release of gochalice running Create ("v0.3.0"),
	// required when neither Version nor GochaliceDir is set and this
	// program was not built from a checkout; "" for a development build.
	BuildVersion string

	// sourceDir replaces SourceDir in tests.
	sourceDir func() (string, bool)
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Create writes a new project into dir, which must not exist or be empty.
func Create(ctx context.Context, dir string, opts Options) error {
	if err := CheckName(opts.Name); err != nil {
		return err
	}
	if opts.Module == "" {
		opts.Module = opts.Name
	}
	if opts.GoVersion == "" {
		opts.GoVersion = goVersion()
	}
	if opts.sourceDir == nil {
		opts.sourceDir = SourceDir
	}
	var goSum []byte
	src := opts.GochaliceDir
	if opts.Version == "" && src == "" {
		var ok bool
		if src, ok = opts.sourceDir(); !ok {
			if opts.BuildVersion == "" {
				return errors.New("cannot tell which gochalice the project should use (this gochalice is a development build without its source checkout): pass --gochalice-dir pointing at a gochalice checkout, or --gochalice-version with a published version")
			}
			opts.Version = opts.BuildVersion
		}
	}
	data := struct {
		Name, Module, Version, Replace, GoVersion string
	}{Name: opts.Name, Module: opts.Module, Version: opts.Version, GoVersion: opts.GoVersion}
	if opts.Version == "" {
		abs, err := checkCheckout(src)
		if err != nil {
			return err
		}
		data.Replace = filepath.ToSlash(abs)
		data.Version = "v0.0.0"
		// The checkout's go.sum covers every module a new project needs,
		// so `go mod tidy` and `go test` work without the checksum database.
		goSum, _ = os.ReadFile(filepath.Join(abs, "go.sum"))
	}
	entries, err := os.ReadDir(dir)
	switch {
	case err == nil && len(entries) > 0:
		return fmt.Errorf("%s exists and is not empty: choose another name or an empty folder", dir)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%s: %w", dir, err)
	}
	existed := err == nil
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	// Everything is written beside dir and renamed into place at the end.
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".gochalice-new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // nothing left once renamed
	err = fs.WalkDir(templates, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "template/"), ".tmpl")
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		out, err := render(p, data)
		if err != nil {
			return err
		}
		return writeFile(filepath.Join(tmp, filepath.FromSlash(rel)), out)
	})
	if err != nil {
		return err
	}
	if goSum != nil {
		if err := writeFile(filepath.Join(tmp, "go.sum"), goSum); err != nil {
			return err
		}
	}
	if opts.Tidy {
		cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go mod tidy in the new project: %v\n%s\nnothing was created; fix the above, or run gochalice new with --no-tidy and run go mod tidy yourself", err, out)
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if existed {
		// An empty folder is replaced; rename cannot overwrite it everywhere.
		if err := os.Remove(dir); err != nil {
			return err
		}
	}
	return os.Rename(tmp, dir)
}

// render executes the embedded template at path with data.
func render(path string, data any) ([]byte, error) {
	text, err := templates.ReadFile(path)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSuffix(strings.TrimPrefix(path, "template/"), ".tmpl")
	t, err := template.New(name).Parse(string(text))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := t.Execute(&out, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return out.Bytes(), nil
}

// maxNameLength is the longest function or role name AWS accepts.
const maxNameLength = 64

// registration matches a function the template's main.go registers by
// name: a.OnDynamoDBRecord("handle_stream", ...), a.Schedule("nightly", ...).
var registration = regexp.MustCompile(`\.(On[A-Za-z]+|Schedule|LambdaFunction|TokenAuthorizer|RequestAuthorizer)\(\s*"([^"]+)"`)

// longestSuffix is the longest "-<stage>-<function>" the template's
// project gets: its stages (from .chalice/config.json) and functions
// (api_handler's role, and each function main.go registers).
func longestSuffix() (string, error) {
	src, err := templates.ReadFile("template/main.go.tmpl")
	if err != nil {
		return "", err
	}
	functions := []string{"api_handler"}
	for _, m := range registration.FindAllStringSubmatch(string(src), -1) {
		functions = append(functions, m[2])
	}
	cfg, err := render("template/.chalice/config.json.tmpl", struct{ Name, Module, Version, Replace, GoVersion string }{Name: "x"})
	if err != nil {
		return "", err
	}
	var doc struct {
		Stages map[string]json.RawMessage `json:"stages"`
	}
	if err := json.Unmarshal(cfg, &doc); err != nil {
		return "", fmt.Errorf("template .chalice/config.json: %w", err)
	}
	longest := ""
	for stage := range doc.Stages {
		for _, fn := range functions {
			if s := "-" + stage + "-" + fn; len(s) > len(longest) || (len(s) == len(longest) && s < longest) {
				longest = s
			}
		}
	}
	return longest, nil
}

// CheckName refuses an app name that AWS would refuse in the names of
// the new project's functions and roles: "<name>-<stage>-<function>" must
// fit in 64 characters for every stage and function the project starts
// with, and only letters, digits, '-' and '_' are allowed.
func CheckName(name string) error {
	suffix, err := longestSuffix()
	if err != nil {
		return err
	}
	max := maxNameLength - len(suffix)
	if !namePattern.MatchString(name) || len(name) > max {
		return fmt.Errorf("app name %q: use up to %d letters, digits, '-' and '_': the name starts every Lambda function and IAM role name, and the longest the new project has, %s%s, must fit in %d characters", name, max, name, suffix, maxNameLength)
	}
	return nil
}

func writeFile(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	return os.WriteFile(name, data, 0o644)
}

// SourceDir returns the gochalice checkout this program was built from,
// found through this file's compile-time path. It fails for builds made
// with -trimpath (releases), from the module cache (go install
// ...@version), or whose checkout has gone.
func SourceDir() (string, bool) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", false
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	// A module cache copy (go install ...@version) is a release, not a
	// checkout to edit: its folder is named module@version.
	if strings.Contains(filepath.Base(dir), "@") {
		return "", false
	}
	if _, err := checkCheckout(dir); err != nil {
		return "", false
	}
	return dir, true
}

// checkCheckout verifies that dir holds gochalice's go.mod.
func checkCheckout(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	f, err := os.Open(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("%s is not a gochalice checkout: %v", abs, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); strings.HasPrefix(line, "module ") {
			if strings.TrimSpace(strings.TrimPrefix(line, "module ")) == ModulePath {
				return abs, nil
			}
			break
		}
	}
	return "", fmt.Errorf("%s is not a gochalice checkout: its go.mod is not module %s", abs, ModulePath)
}

// goVersion is this toolchain's language version, e.g. "1.26".
func goVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	}
	return v
}
