package app

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestImports keeps app light: a user's Lambda binary links it, so it
// must not pull in the AWS SDK, x/tools, the CLI or the deployer side.
func TestImports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found")
	}
	pkgs := []string{"github.com/gochalice/gochalice/app"}
	if _, err := os.Stat("apptest"); err == nil {
		pkgs = append(pkgs, "github.com/gochalice/gochalice/app/apptest")
	}
	forbidden := []string{
		"github.com/aws/aws-sdk-go-v2",
		"golang.org/x/tools",
		"github.com/urfave/cli",
		"github.com/gochalice/gochalice/internal/deployer",
		"github.com/gochalice/gochalice/internal/policygen",
		"github.com/gochalice/gochalice/cmd",
	}
	// apptest runs in tests, not in Lambda: it reads the stage's settings
	// (WithStage) as the CLI does. app itself must not.
	appOnly := []string{"github.com/gochalice/gochalice/internal/stages"}
	for _, pkg := range pkgs {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command(goTool, "list", "-e", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			deps := strings.Fields(string(out))
			if len(deps) < 10 {
				t.Fatalf("go list found only %v", deps)
			}
			denied := forbidden
			if pkg == "github.com/gochalice/gochalice/app" {
				denied = append(append([]string(nil), forbidden...), appOnly...)
			}
			for _, dep := range deps {
				for _, f := range denied {
					if dep == f || strings.HasPrefix(dep, f+"/") {
						t.Errorf("%s depends on %s", pkg, dep)
					}
				}
			}
		})
	}
}
