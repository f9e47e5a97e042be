package main

import (
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/local"
	"github.com/gochalice/gochalice/manifest"
	"github.com/gochalice/gochalice/stages"
)

func localCommand() *cli.Command {
	return &cli.Command{
		Name:  "local",
		Usage: "serve the app's routes on 127.0.0.1 with the stage's environment variables",
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage whose settings apply"},
			&cli.StringFlag{Name: "host", Value: "127.0.0.1", Usage: "address to listen on"},
			&cli.StringFlag{Name: "port", Value: "8000", Usage: "port to listen on"},
			&cli.BoolFlag{Name: "no-reload", Usage: "do not rebuild and restart when sources change"},
		},
		Action: func(c *cli.Context) error {
			dir, stage := c.String("project-dir"), c.String("stage")
			env := func() (map[string]string, error) {
				cfg, err := stages.Load(dir)
				if err != nil {
					return nil, err
				}
				s, err := cfg.Resolve(stage, manifest.APIHandlerName)
				if err != nil {
					return nil, err
				}
				return s.EnvironmentVariables, nil
			}
			// Configuration mistakes stop here, before anything is built.
			if _, err := env(); err != nil {
				return err
			}
			return local.Run(c.Context, local.Options{
				ProjectDir: dir,
				Stage:      stage,
				Host:       c.String("host"),
				Port:       c.String("port"),
				Env:        env,
				Reload:     !c.Bool("no-reload"),
				Stdout:     c.App.Writer,
				Stderr:     c.App.ErrWriter,
			})
		},
	}
}

func projectDirFlag() cli.Flag {
	return &cli.StringFlag{Name: "project-dir", Value: ".", Usage: "the folder that holds the app's main package and .chalice/"}
}
