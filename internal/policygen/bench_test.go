package policygen_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/manifest"
)

// BenchmarkGenerateSavealife is gen-policy on the savealife app with a warm
// build cache: both functions, every route.
func BenchmarkGenerateSavealife(b *testing.B) {
	f := loadFixture(b, "testdata/cases/savealife.txtar", b.TempDir())
	benchGenerate(b, f.request(b))
}

// BenchmarkGenerateSynthetic10x is the same on a module with ten times
// savealife's user code: ten packages of its handlers, all routes of one
// API handler. Its time over BenchmarkGenerateSavealife's shows how the
// cost grows with the user's code.
func BenchmarkGenerateSynthetic10x(b *testing.B) {
	dir := b.TempDir()
	f := loadFixture(b, "testdata/cases/savealife.txtar", dir)
	src := string(f.files["main.go"])
	// Turn main.go into package hN: drop main, keep the handlers.
	body := regexp.MustCompile(`(?s)func main\(\) \{.*?\n\}\n`).ReplaceAllString(src, "")
	body = strings.Replace(body, `	"example.com/x/app"`+"\n", "", 1)
	body = strings.Replace(body, `"github.com/aws/aws-sdk-go-v2/config"`+"\n", "", 1)
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "synthetic"}
	var imports, uses strings.Builder
	for i := range 10 {
		pkg := fmt.Sprintf("h%d", i)
		code := strings.Replace(body, "package main", "package "+pkg, 1) +
			"\nvar Handlers = []any{getDonor, createDonor, listDonors, deleteDonor, handleStream}\n"
		writeFile(b, filepath.Join(dir, pkg, "handlers.go"), code)
		fmt.Fprintf(&imports, "\t%q\n", "example.com/x/"+pkg)
		fmt.Fprintf(&uses, "\t_ = %s.Handlers\n", pkg)
		for _, h := range []string{"getDonor", "createDonor", "listDonors", "deleteDonor"} {
			m.Routes = append(m.Routes, manifest.Route{
				Pattern: "GET /" + pkg + "/" + h, Method: "GET", Path: "/" + pkg + "/" + h,
				Handler: manifest.Handler{Name: "example.com/x/" + pkg + "." + h},
			})
		}
	}
	writeFile(b, filepath.Join(dir, "main.go"), "package main\n\nimport (\n\t_ \"github.com/aws/aws-sdk-go-v2/config\"\n\t_ \"example.com/x/app\"\n"+imports.String()+")\n\nfunc main() {\n"+uses.String()+"}\n")
	m.Functions = []manifest.Function{{Name: manifest.APIHandlerName, Kind: manifest.KindAPI}}
	benchGenerate(b, policygen.Request{
		Dir: dir, Manifest: m, Stage: "dev", GoEnv: goEnv,
		Env: map[string]map[string]string{manifest.APIHandlerName: {"TABLE_NAME": "donors"}},
	})
}

func benchGenerate(b *testing.B, req policygen.Request) {
	b.Helper()
	ctx := context.Background()
	// Warm the build cache (export data of the SDK) before timing.
	if _, err := policygen.Generate(ctx, req); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		res, err := policygen.Generate(ctx, req)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Functions) == 0 {
			b.Fatal("no functions")
		}
	}
}

func writeFile(tb testing.TB, path, data string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		tb.Fatal(err)
	}
}
