package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
)

func urlCommand() *cli.Command { return urlCommandWith(defaultAWSEnv()) }

func urlCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "url",
		Usage: "print the URL of a stage's REST API (or, with --websocket, its WebSocket API), as recorded by the last deploy",
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage"},
			&cli.BoolFlag{Name: "websocket", Usage: "print the wss:// URL of the stage's WebSocket API"},
		},
		Action: func(c *cli.Context) error {
			dir, stage := c.String("project-dir"), c.String("stage")
			st, err := deployer.LoadState(env.statePath(dir, stage))
			if err != nil {
				return err
			}
			if st == nil {
				return fmt.Errorf("stage %s is not deployed: run gochalice deploy --stage %s", stage, stage)
			}
			url := deployer.APIURL(st)
			if c.Bool("websocket") {
				if url = deployer.WebSocketURL(st); url == "" {
					return fmt.Errorf("stage %s has no WebSocket API", stage)
				}
			}
			if url == "" {
				return fmt.Errorf("stage %s has no REST API", stage)
			}
			fmt.Fprintln(c.App.Writer, url)
			return nil
		},
	}
}
