package internal_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The module's import path, and its short form in the rules below.
const module = "github.com/gochalice/gochalice/"

// stdlib stands for every standard library package in an allow list.
const stdlib = "<stdlib>"

// awsServices are the AWS SDK's service packages.
const awsServices = "github.com/aws/aws-sdk-go-v2/service/"

// importRules are who may import whom (DESIGN.md's table, for the layout
// under internal/). A package's non-test imports must each start with an
// allowed prefix; packages are given by path relative to the module,
// "..." for a tree. policygen's rule admits execrole and names, which it
// is to take the execution-role baseline and the names from.
var importRules = []struct {
	pkg   string
	allow []string
}{
	{"app", []string{stdlib, "github.com/aws/aws-lambda-go/", "manifest", "internal/apigw"}},
	{"app/apptest", []string{stdlib, "github.com/aws/aws-lambda-go/", "manifest", "app", "internal/apigw", "internal/arn", "internal/stages"}},
	{"internal/apigw", []string{stdlib, "github.com/aws/aws-lambda-go/", "manifest"}},
	{"manifest", []string{stdlib}},
	{"internal/iam", []string{stdlib}},
	{"internal/arn", []string{stdlib}},
	{"internal/names", []string{stdlib}},
	{"internal/stages", []string{stdlib, "internal/iam", "internal/names", "manifest"}},
	{"internal/state", []string{stdlib, "internal/arn"}},
	{"internal/build", []string{stdlib, "manifest"}},
	{"internal/openapi", []string{stdlib, "internal/arn", "internal/iam", "manifest"}},
	{"internal/execrole", []string{stdlib, "internal/arn", "internal/iam", "internal/names", "manifest"}},
	{"internal/policygen/...", []string{stdlib, "golang.org/x/tools/", "internal/iam", "internal/arn", "internal/names",
		"internal/execrole", "internal/policygen/", "manifest"}},
}

// deniedDeps are packages that must not link others at all (their
// transitive dependencies): app links into every user's Lambda binary,
// and gochalice local needs neither the deployer nor the AWS SDK.
var deniedDeps = []struct {
	pkg  string
	deny []string
}{
	{"app/...", []string{"github.com/aws/aws-sdk-go-v2", "golang.org/x/tools", "github.com/urfave/cli", "internal/deployer", "internal/policygen", "cmd/"}},
	// apptest runs in users' tests, not in Lambda: it reads the stage's
	// settings (internal/stages) as the CLI does; app itself does not.
	{"app", []string{"internal/stages"}},
	{"internal/apigw", []string{"github.com/aws/aws-sdk-go-v2", "internal/deployer", "internal/stages", "cmd/"}},
	{"internal/local/...", []string{"github.com/aws/aws-sdk-go-v2", "internal/deployer"}},
}

// narrowImports are libraries only a few packages may import at all
// (each a path relative to the module, "x/" for a tree).
var narrowImports = []struct {
	prefix    string
	importers []string
	why       string
}{
	// The deployer, its fakes, the CLI (which makes the clients) and the
	// examples (apps that call AWS).
	{awsServices, []string{"internal/deployer", "internal/fakeaws", "cmd/", "examples/"},
		"AWS is called only from internal/deployer, behind its small interfaces (tests use internal/fakeaws)"},
	{"github.com/urfave/cli", []string{"cmd/"},
		"only cmd/ parses command lines; return values and errors instead"},
}

type pkgInfo struct {
	path          string
	imports, deps []string
}

// listPackages runs go list on the module.
func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	cmd := exec.Command(goTool, "list", "-e", "-f", "{{.ImportPath}}|{{join .Imports \" \"}}|{{join .Deps \" \"}}", "./...")
	cmd.Dir = ".."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkgInfo
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "|")
		if len(f) != 3 {
			continue
		}
		pkgs = append(pkgs, pkgInfo{path: f[0], imports: strings.Fields(f[1]), deps: strings.Fields(f[2])})
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

// matches reports whether the package path is pkg ("a/b", or "a/b/..."
// for the tree), pkg being relative to the module.
func matches(path, pkg string) bool {
	if tree, ok := strings.CutSuffix(pkg, "/..."); ok {
		return path == module+tree || strings.HasPrefix(path, module+tree+"/")
	}
	return path == module+pkg
}

// allowed reports whether imp is allowed by one of the prefixes (module
// paths relative to the module, others full).
func allowed(imp string, prefixes []string) bool {
	for _, a := range prefixes {
		switch {
		case a == stdlib:
			if first, _, _ := strings.Cut(imp, "/"); !strings.Contains(first, ".") {
				return true
			}
		case strings.Contains(strings.SplitN(a, "/", 2)[0], "."):
			if strings.HasPrefix(imp, a) || imp == strings.TrimSuffix(a, "/") {
				return true
			}
		default:
			if imp == module+strings.TrimSuffix(a, "/") || strings.HasPrefix(imp, module+a) && strings.HasSuffix(a, "/") {
				return true
			}
		}
	}
	return false
}

// TestImportRules enforces who may import whom.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	pkgs := listPackages(t)
	for _, r := range importRules {
		found := false
		for _, p := range pkgs {
			if !matches(p.path, r.pkg) {
				continue
			}
			found = true
			for _, imp := range p.imports {
				if !allowed(imp, r.allow) {
					t.Errorf("%s imports %s; it may import only %v", strings.TrimPrefix(p.path, module), imp, r.allow)
				}
			}
		}
		if !found {
			t.Errorf("no package %s", r.pkg)
		}
	}
	for _, r := range deniedDeps {
		for _, p := range pkgs {
			if !matches(p.path, r.pkg) {
				continue
			}
			for _, dep := range p.deps {
				for _, d := range r.deny {
					full := d
					if !strings.Contains(strings.SplitN(d, "/", 2)[0], ".") {
						full = module + d
					}
					if dep == strings.TrimSuffix(full, "/") || strings.HasPrefix(dep, strings.TrimSuffix(full, "/")+"/") {
						t.Errorf("%s links %s", strings.TrimPrefix(p.path, module), dep)
					}
				}
			}
		}
	}
	for _, n := range narrowImports {
		for _, p := range pkgs {
			rel := strings.TrimPrefix(p.path, module)
			if slices.ContainsFunc(n.importers, func(a string) bool { return rel == strings.TrimSuffix(a, "/") || strings.HasPrefix(rel, a) }) {
				continue
			}
			for _, imp := range p.imports {
				if imp == strings.TrimSuffix(n.prefix, "/") || strings.HasPrefix(imp, n.prefix) {
					t.Errorf("%s imports %s: only %v may (%s)", rel, imp, n.importers, n.why)
				}
			}
		}
	}
}

// TestAllowed checks the rules' matching itself.
func TestAllowed(t *testing.T) {
	tests := []struct {
		imp   string
		allow []string
		want  bool
	}{
		{"net/http", []string{stdlib}, true},
		{"github.com/aws/aws-lambda-go/events", []string{stdlib}, false},
		{"github.com/aws/aws-lambda-go/events", []string{"github.com/aws/aws-lambda-go/"}, true},
		{module + "manifest", []string{"manifest"}, true},
		{module + "manifests", []string{"manifest"}, false},
		{module + "internal/policygen/internal/awsdata", []string{"internal/policygen/"}, true},
		{module + "internal/deployer", []string{stdlib, "internal/arn"}, false},
	}
	for _, tc := range tests {
		if got := allowed(tc.imp, tc.allow); got != tc.want {
			t.Errorf("allowed(%q, %q) = %v, want %v", tc.imp, tc.allow, got, tc.want)
		}
	}
	if !matches(module+"internal/policygen/internal/awsdata", "internal/policygen/...") || matches(module+"internal/policygenx", "internal/policygen/...") {
		t.Error("matches of a tree")
	}
}
