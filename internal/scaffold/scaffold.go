// Package scaffold writes a new gochalice project, as `gochalice new` does:
// a main.go with a route and a DynamoDB stream handler, its test,
// .chalice/config.json, a README and a go.mod that builds offline.
//
// gochalice is not published as a module, so a new project's go.mod points
// at a gochalice checkout with a replace directive: the checkout the CLI was
// built from (found through the CLI's own source path), or the one named
// by Options.GochaliceDir. A published version can be required instead with
// Options.Version.
package scaffold

import (
	"bufio"
	"bytes"
	"context"
	"embed"
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
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Create writes a new project into dir, which must not exist or be empty.
func Create(ctx context.Context, dir string, opts Options) error {
	if !namePattern.MatchString(opts.Name) || len(opts.Name) > 60 {
		return fmt.Errorf("app name %q: use up to 60 letters, digits, '-' and '_' (it names Lambda functions)", opts.Name)
	}
	if opts.Module == "" {
		opts.Module = opts.Name
	}
	if opts.GoVersion == "" {
		opts.GoVersion = goVersion()
	}
	data := struct {
		Name, Module, Version, Replace, GoVersion string
	}{Name: opts.Name, Module: opts.Module, Version: opts.Version, GoVersion: opts.GoVersion}
	var goSum []byte
	if opts.Version == "" {
		src := opts.GochaliceDir
		if src == "" {
			var ok bool
			if src, ok = SourceDir(); !ok {
				return errors.New("cannot tell where the gochalice source is (this gochalice was built with -trimpath or moved): pass --gochalice-dir pointing at a gochalice checkout, or --gochalice-version with a published version")
			}
		}
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
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s exists and is not empty: choose another name or an empty folder", dir)
	}
	err := fs.WalkDir(templates, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, "template/"), ".tmpl")
		if rel == "gitignore" {
			rel = ".gitignore"
		}
		text, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(rel).Parse(string(text))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := t.Execute(&out, data); err != nil {
			return fmt.Errorf("render %s: %w", rel, err)
		}
		return writeFile(filepath.Join(dir, filepath.FromSlash(rel)), out.Bytes())
	})
	if err != nil {
		return err
	}
	if goSum != nil {
		if err := writeFile(filepath.Join(dir, "go.sum"), goSum); err != nil {
			return err
		}
	}
	if opts.Tidy {
		cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go mod tidy in %s: %v\n%s", dir, err, out)
		}
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
// with -trimpath (releases) or whose checkout has gone.
func SourceDir() (string, bool) {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return "", false
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file)))
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
