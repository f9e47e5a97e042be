package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
)

func deleteCommand() *cli.Command { return deleteCommandWith(defaultAWSEnv()) }

func deleteCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "delete",
		Usage: "delete everything a stage's deploys recorded, in reverse order",
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage to delete"},
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
			dir, stage := c.String("project-dir"), c.String("stage")
			path := env.statePath(dir, stage)
			recorded, err := deployer.LoadState(path)
			if err != nil {
				return err
			}
			if recorded == nil || len(recorded.Resources) == 0 {
				fmt.Fprintf(c.App.Writer, "Nothing recorded for stage %s (%s): nothing to delete.\n", stage, path)
				return nil
			}
			region := c.String("region")
			if region == "" {
				region = recorded.Target.Region
			}
			clients, target, err := env.connect(c.Context, c.String("profile"), region, false)
			if err != nil {
				return err
			}
			if err := deployer.CheckTarget("delete", recorded, target); err != nil {
				return err
			}
			d := env.deployer(clients, progressPrinter(c.App.Writer))
			plan := deployer.PlanDestroy(recorded)
			if err := deployer.WritePlan(c.App.Writer, plan); err != nil {
				return err
			}
			fmt.Fprintln(c.App.Writer, "\nDeleting:")
			st, err := d.Apply(c.Context, plan, deployer.StateFile(path))
			if err != nil {
				return fmt.Errorf("delete stopped (what is left is recorded in %s; delete again to finish): %w", path, err)
			}
			if len(st.Resources) == 0 {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
			fmt.Fprintf(c.App.Writer, "\nStage %s deleted.\n", stage)
			return nil
		},
	}
}
