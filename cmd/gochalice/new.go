package main

import (
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/scaffold"
)

func newCommand() *cli.Command {
	return &cli.Command{
		Name:      "new",
		Usage:     "create a new gochalice project in ./NAME",
		ArgsUsage: "NAME",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "module", Usage: "the new go.mod's module path (default NAME)"},
			&cli.StringFlag{Name: "gochalice-dir", Usage: "gochalice checkout to use with a replace directive (default: the checkout this gochalice was built from)", EnvVars: []string{"GOCHALICE_DIR"}},
			&cli.StringFlag{Name: "gochalice-version", Usage: "require this published gochalice version instead of a checkout (default for a release build of gochalice: its own version)"},
			&cli.BoolFlag{Name: "no-tidy", Usage: "do not run `go mod tidy` in the new project"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef(c, "new takes one argument, the new project's name (gochalice new NAME); got %d", c.NArg())
			}
			name := c.Args().First()
			dir := filepath.Clean(name)
			err := scaffold.Create(c.Context, dir, scaffold.Options{
				Name:         filepath.Base(dir),
				Module:       c.String("module"),
				GochaliceDir: c.String("gochalice-dir"),
				Version:      c.String("gochalice-version"),
				Tidy:         !c.Bool("no-tidy"),
				BuildVersion: releaseVersion(version, buildInfoVersion()),
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "Created %s. Next:\n  cd %s\n  go test ./...\n  gochalice local\n", dir, dir)
			return nil
		},
	}
}

// releaseVersion is the published gochalice version this program is, for
// new projects to require when there is no checkout to point at: the
// version a release build stamps (goreleaser's "0.3.0"), else the module
// version go install records ("v0.3.0"); "" for a development build.
func releaseVersion(stamped, module string) string {
	if stamped != "" && stamped != "dev" {
		return "v" + strings.TrimPrefix(stamped, "v")
	}
	if module == "" || module == "(devel)" || strings.Contains(module, "+dirty") {
		return ""
	}
	return module
}

// buildInfoVersion is the main module's version recorded in this binary.
func buildInfoVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		return bi.Main.Version
	}
	return ""
}
