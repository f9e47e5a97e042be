package scaffold

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSourceDirIsThisCheckout(t *testing.T) {
	t.Parallel()
	dir, ok := SourceDir()
	want, _ := filepath.Abs("../..")
	if !ok || dir != want {
		t.Errorf("SourceDir() = %q, %v; want %q", dir, ok, want)
	}
}

func TestCreate(t *testing.T) {
	t.Parallel()
	src, _ := filepath.Abs("../..")
	tests := []struct {
		name    string
		opts    Options
		wantMod []string
		noMod   []string
		goSum   bool
	}{
		{
			name:    "checkout",
			opts:    Options{Name: "demo", GochaliceDir: src, GoVersion: "1.26"},
			wantMod: []string{"module demo\n", "go 1.26\n", "require github.com/gochalice/gochalice v0.0.0\n", "replace github.com/gochalice/gochalice => " + filepath.ToSlash(src) + "\n"},
			goSum:   true,
		},
		{
			name:    "published version and module path",
			opts:    Options{Name: "shop-api", Module: "example.com/shop", Version: "v0.3.0", GoVersion: "1.26"},
			wantMod: []string{"module example.com/shop\n", "require github.com/gochalice/gochalice v0.3.0\n"},
			noMod:   []string{"replace"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), tc.opts.Name)
			if err := Create(context.Background(), dir, tc.opts); err != nil {
				t.Fatal(err)
			}
			gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
			for _, w := range tc.wantMod {
				if !strings.Contains(string(gomod), w) {
					t.Errorf("go.mod lacks %q:\n%s", w, gomod)
				}
			}
			for _, w := range tc.noMod {
				if strings.Contains(string(gomod), w) {
					t.Errorf("go.mod has %q:\n%s", w, gomod)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "go.sum")); (err == nil) != tc.goSum {
				t.Errorf("go.sum present = %v, want %v", err == nil, tc.goSum)
			}
			cfg, _ := os.ReadFile(filepath.Join(dir, ".chalice", "config.json"))
			if !strings.Contains(string(cfg), `"app_name": "`+tc.opts.Name+`"`) {
				t.Errorf("config.json:\n%s", cfg)
			}
			main, _ := os.ReadFile(filepath.Join(dir, "main.go"))
			if !strings.Contains(string(main), `app.New("`+tc.opts.Name+`")`) {
				t.Errorf("main.go does not name the app:\n%s", main)
			}
		})
	}
}

func TestCreateRejects(t *testing.T) {
	t.Parallel()
	notCheckout := t.TempDir()
	if err := os.WriteFile(filepath.Join(notCheckout, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"bad name", Options{Name: "my app"}, "use up to 46 letters"},
		{"long name", Options{Name: strings.Repeat("a", 47)}, "use up to 46 letters"},
		{"development build without a checkout", Options{Name: "demo", sourceDir: func() (string, bool) { return "", false }}, "pass --gochalice-dir"},
		{"not a checkout", Options{Name: "demo", GochaliceDir: notCheckout}, "is not a gochalice checkout"},
		{"missing checkout", Options{Name: "demo", GochaliceDir: filepath.Join(notCheckout, "nope")}, "is not a gochalice checkout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "x")
			err := Create(context.Background(), dir, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Create = %v, want %q", err, tc.want)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("Create wrote files despite the error")
			}
		})
	}
}

// TestCreateRelease scaffolds as a release build does (go install, or
// -trimpath): no checkout to point at, so go.mod requires the release.
func TestCreateRelease(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "demo")
	opts := Options{Name: "demo", GoVersion: "1.26", BuildVersion: "v0.3.0", sourceDir: func() (string, bool) { return "", false }}
	if err := Create(context.Background(), dir, opts); err != nil {
		t.Fatal(err)
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if want := "module demo\n\ngo 1.26\n\nrequire github.com/gochalice/gochalice v0.3.0\n"; string(gomod) != want {
		t.Errorf("go.mod = %q, want %q", gomod, want)
	}
	for _, f := range []string{"main.go", "main_test.go", ".chalice/config.json", "README.md", ".gitignore"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestCreateFailureLeavesNothing: when go mod tidy fails, neither the
// project folder nor anything beside it is left.
func TestCreateFailureLeavesNothing(t *testing.T) {
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOFLAGS", "-mod=mod")
	parent := t.TempDir()
	dir := filepath.Join(parent, "demo")
	err := Create(context.Background(), dir, Options{Name: "demo", Version: "v99.0.0", Tidy: true})
	if err == nil || !strings.Contains(err.Error(), "nothing was created") {
		t.Fatalf("Create = %v, want the go mod tidy failure", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestCreateIntoEmptyFolder fills an existing empty folder.
func TestCreateIntoEmptyFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := Create(context.Background(), dir, Options{Name: "demo", Version: "v0.3.0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "main.go")); err != nil {
		t.Error(err)
	}
}

// TestCheckName holds the name to what the template's longest function
// and role name allows: "<name>-<stage>-<function>" in 64 characters.
func TestCheckName(t *testing.T) {
	t.Parallel()
	suffix, err := longestSuffix()
	if err != nil {
		t.Fatal(err)
	}
	if suffix != "-dev-handle_stream" {
		t.Errorf("longest suffix %q; the template's stage is dev and its longest function handle_stream", suffix)
	}
	longest := strings.Repeat("a", maxNameLength-len(suffix))
	if err := CheckName(longest); err != nil {
		t.Errorf("CheckName(%d characters) = %v", len(longest), err)
	}
	if err := CheckName(longest + "a"); err == nil || !strings.Contains(err.Error(), longest+"a"+suffix) {
		t.Errorf("CheckName(%d characters) = %v, want an error naming the role that would not fit", len(longest)+1, err)
	}
}
