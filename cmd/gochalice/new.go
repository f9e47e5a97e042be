package main

import (
	"fmt"
	"path/filepath"

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
			&cli.StringFlag{Name: "gochalice-version", Usage: "require this published gochalice version instead of a checkout"},
			&cli.BoolFlag{Name: "no-tidy", Usage: "do not run `go mod tidy` in the new project"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("usage: gochalice new NAME", 2)
			}
			name := c.Args().First()
			dir := filepath.Clean(name)
			err := scaffold.Create(c.Context, dir, scaffold.Options{
				Name:         filepath.Base(dir),
				Module:       c.String("module"),
				GochaliceDir: c.String("gochalice-dir"),
				Version:      c.String("gochalice-version"),
				Tidy:         !c.Bool("no-tidy"),
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "Created %s. Next:\n  cd %s\n  go test ./...\n  gochalice local\n", dir, dir)
			return nil
		},
	}
}
