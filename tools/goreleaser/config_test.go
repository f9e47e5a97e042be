// Package goreleaser pins goreleaser for the release configuration and
// checks that configuration without building goreleaser: its own strict
// loader (the one `goreleaser check` uses, which refuses unknown keys)
// reads ../../.goreleaser.yml, and the test holds the settings that matter
// against the CLI's main package. scripts/release-check.sh runs goreleaser
// itself (check and a snapshot build).
package goreleaser

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goreleaser/goreleaser/v2/pkg/config"
)

// root is the gochalice checkout, two folders up.
const root = "../.."

func TestReleaseConfig(t *testing.T) {
	cfg, err := config.Load(filepath.Join(root, ".goreleaser.yml"))
	if err != nil {
		t.Fatalf(".goreleaser.yml: %v", err)
	}
	if cfg.Version != 2 {
		t.Errorf(".goreleaser.yml: version %d, want 2", cfg.Version)
	}
	if cfg.ProjectName != "gochalice" {
		t.Errorf("project_name %q, want gochalice", cfg.ProjectName)
	}
	if len(cfg.Builds) != 1 {
		t.Fatalf("builds: %d, want the CLI's one", len(cfg.Builds))
	}
	b := cfg.Builds[0]
	if b.Main != "./cmd/gochalice" || b.Binary != "gochalice" {
		t.Errorf("builds[0]: main %q binary %q, want ./cmd/gochalice and gochalice", b.Main, b.Binary)
	}
	stamped := mainStringVars(t, filepath.Join(root, filepath.FromSlash(b.Main)))
	xflag := regexp.MustCompile(`-X\s+(?:=)?([^=\s]+)=`)
	var set []string
	for _, ld := range b.Ldflags {
		for _, m := range xflag.FindAllStringSubmatch(ld, -1) {
			set = append(set, m[1])
			pkg, name, _ := strings.Cut(m[1], ".")
			if pkg != "main" || !stamped[name] {
				t.Errorf("ldflags -X %s: %s has no package-level string variable %s", m[1], b.Main, name)
			}
		}
	}
	for _, want := range []string{"main.version", "main.commit", "main.date"} {
		if !slices.Contains(set, want) {
			t.Errorf("ldflags do not stamp %s (gochalice version prints it): %q", want, b.Ldflags)
		}
	}
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("flags %q lack -trimpath (reproducible, path-free builds)", b.Flags)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("env %q lacks CGO_ENABLED=0 (static binaries)", b.Env)
	}
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("goos %q lacks %s", b.Goos, os)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("goarch %q lacks %s", b.Goarch, arch)
		}
	}
	if len(cfg.Archives) == 0 {
		t.Error("no archives")
	}
	for i, a := range cfg.Archives {
		for _, id := range a.IDs {
			if id != b.ID {
				t.Errorf("archives[%d]: ids names %q; the build is %q", i, id, b.ID)
			}
		}
		for _, f := range a.Files {
			if _, err := os.Stat(filepath.Join(root, f.Source)); err != nil {
				t.Errorf("archives[%d]: file %s: %v", i, f.Source, err)
			}
		}
	}
	if cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum algorithm %q, want sha256 (the README's sha256sum --check)", cfg.Checksum.Algorithm)
	}
}

// mainStringVars returns the package-level string variables of the main
// package in dir: what -ldflags -X can set.
func mainStringVars(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, ok := pkgs["main"]
	if !ok {
		t.Fatalf("%s is not a main package", dir)
	}
	vars := map[string]bool{}
	for _, f := range pkg.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				isString := false
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "string" {
					isString = true
				}
				for i, name := range vs.Names {
					if vs.Type == nil && i < len(vs.Values) {
						lit, ok := vs.Values[i].(*ast.BasicLit)
						isString = ok && lit.Kind == token.STRING
					}
					if isString {
						vars[name.Name] = true
					}
				}
			}
		}
	}
	return vars
}
