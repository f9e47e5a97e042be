package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// suite is what a test needs to run gochalice as a user would: the CLI
// built from this checkout, moto, the proxy between them, and the app to
// deploy as a module of its own.
type suite struct {
	cli      string
	moto     *moto
	proxy    *proxy
	template string   // the app, copied once as its own module
	env      []string // the CLI's environment
	tmp      string   // the CLI's TMPDIR
	// setup prepares moto for a fresh copy of the app (what the app reads
	// but does not deploy) and may edit the copy's config.json.
	setup func(t *testing.T, s *suite, dir string)
}

// newSuite starts moto and the proxy, builds the CLI and copies
// examples/app into a module of its own.
func newSuite(t *testing.T, app string) *suite {
	t.Helper()
	root := repoRoot(t)
	s := &suite{moto: startMoto(t, root)}
	s.proxy = newProxy(t, s.moto.url)
	s.cli = buildCLI(t, root)
	s.template = copyApp(t, root, app)
	s.tmp = t.TempDir()
	s.env = cliEnv(t, s.proxy.url, s.tmp)
	return s
}

// buildCLI builds ./cmd/gochalice into a temporary folder, once per test.
func buildCLI(t *testing.T, root string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "gochalice")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/gochalice")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/gochalice: %v\n%s", err, out)
	}
	return bin
}

// copyApp copies examples/app (its non-test Go files and .chalice, not
// its recorded deploys) into a temporary folder as a module of its own
// that requires this checkout through a replace, as gochalice new makes
// them, so the checkout's example is never touched.
func copyApp(t *testing.T, root, app string) string {
	t.Helper()
	src := filepath.Join(root, "examples", app)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		switch {
		case d.IsDir() && rel == ".":
			return nil
		case d.IsDir() && rel == ".chalice":
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		case d.IsDir():
			return filepath.SkipDir // the main package only; .chalice/deployed neither
		case filepath.Dir(rel) == ".chalice" && strings.HasSuffix(rel, ".json"),
			filepath.Dir(rel) == "." && strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("copy %s: %v", src, err)
	}
	goVersion := "1.26"
	if data, err := os.ReadFile(filepath.Join(root, "go.mod")); err == nil {
		if m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(data); m != nil {
			goVersion = string(m[1])
		}
	}
	gomod := fmt.Sprintf("module %s\n\ngo %s\n\nrequire github.com/gochalice/gochalice v0.0.0\n\nreplace github.com/gochalice/gochalice => %s\n", app, goVersion, root)
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
	// Offline: every module the app needs is the checkout's, so it is in
	// the module cache already.
	cmd := exec.Command("go", "mod", "tidy")
	cmd.Dir = dst
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy in the copy of %s: %v\n%s", app, err, out)
	}
	return dst
}

// cliEnv is the environment the CLI runs in: AWS through the proxy with
// test credentials, an empty HOME (no ~/.aws of the user's), its own
// TMPDIR, and the user's Go caches, so that building the app is a cache
// hit after the first time.
func cliEnv(t *testing.T, endpoint, tmp string) []string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		t.Fatalf("go env: %v", err)
	}
	goenv := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(goenv) != 3 {
		t.Fatalf("go env printed %q", out)
	}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") || name == "HOME" || name == "TMPDIR" || name == "GOFLAGS" {
			continue
		}
		env = append(env, kv)
	}
	home := t.TempDir()
	return append(env,
		"HOME="+home, "TMPDIR="+tmp,
		"GOCACHE="+goenv[0], "GOMODCACHE="+goenv[1], "GOPATH="+goenv[2], "GOPROXY=off",
		"AWS_CONFIG_FILE="+filepath.Join(home, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "no-aws-credentials"),
		"AWS_ENDPOINT_URL="+endpoint, "AWS_REGION="+region,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
	)
}

// project wipes moto and returns a fresh copy of the app, with what it
// reads (not deploys) made in moto.
func (s *suite) project(t *testing.T) string {
	t.Helper()
	s.moto.reset(t)
	dir := t.TempDir()
	err := filepath.WalkDir(s.template, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(s.template, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if s.setup != nil {
		s.setup(t, s, dir)
	}
	return dir
}

// editConfig changes the project's .chalice/config.json.
func editConfig(t *testing.T, dir string, edit func(cfg map[string]any)) {
	t.Helper()
	path := filepath.Join(dir, ".chalice", "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	edit(cfg)
	if data, err = json.MarshalIndent(cfg, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// object returns cfg's object at the key path, making it if missing.
func object(cfg map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		next, ok := cfg[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			cfg[k] = next
		}
		cfg = next
	}
	return cfg
}

// runOpts are what the proxy does during one run of the CLI.
type runOpts struct {
	killAt int // SIGKILL the CLI after this many mutating calls (moto did the last)
}

// result is one run of the CLI.
type result struct {
	args     []string
	out      string // standard output and error
	err      error
	killed   bool
	mutating []call
}

// String is the command, its error and the end of its output (the plan
// before it can be long).
func (r result) String() string {
	lines := strings.Split(strings.TrimRight(r.out, "\n"), "\n")
	if n := len(lines) - 40; n > 0 {
		lines = append([]string{fmt.Sprintf("[%d lines]", n)}, lines[n:]...)
	}
	return fmt.Sprintf("gochalice %s: %v\n%s", strings.Join(r.args, " "), r.err, strings.Join(lines, "\n"))
}

// run runs the CLI in dir with args.
func (s *suite) run(t *testing.T, dir string, o runOpts, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.cli, args...)
	cmd.Dir, cmd.Env = dir, s.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	var mu sync.Mutex
	mu.Lock()
	s.proxy.start(o.killAt, func() {
		mu.Lock()
		defer mu.Unlock()
		_ = cmd.Process.Kill()
	})
	err := cmd.Start()
	mu.Unlock()
	if err == nil {
		err = cmd.Wait()
	}
	return result{args: args, out: out.String(), err: err, killed: s.proxy.wasKilled(), mutating: s.proxy.mutating()}
}

// ok runs the CLI and fails the test if it fails.
func (s *suite) ok(t *testing.T, dir string, args ...string) result {
	t.Helper()
	r := s.run(t, dir, runOpts{}, args...)
	if r.err != nil {
		t.Fatalf("%s", r)
	}
	return r
}
