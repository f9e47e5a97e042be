package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/stages"
)

func deleteCommand() *cli.Command { return deleteCommandWith(defaultAWSEnv()) }

func deleteCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "delete",
		Usage: "delete everything a stage's deploys made, in reverse order",
		Description: "delete prints what it will delete (.chalice/deployed/<stage>.json records it; what an\n" +
			"interrupted deploy made without recording it is found in AWS by the stage's names and\n" +
			"tags) and asks before deleting; --yes deletes without asking (needed when standard\n" +
			"input is not a terminal, as in CI), --dry-run only prints.",
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage to delete"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print what would be deleted and delete nothing"},
			&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "delete without asking"},
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
			dir, stage := c.String("project-dir"), c.String("stage")
			out := c.App.Writer
			path := env.statePath(dir, stage)
			recorded, err := deployer.LoadState(path)
			if err != nil {
				return err
			}
			nothing := recorded == nil || len(recorded.Resources) == 0
			// A stage the config does not have is a mistake, unless it is
			// still deployed (its entry was removed before deleting it).
			cfg, err := stages.Load(dir)
			switch {
			case err != nil && nothing:
				return err
			case err == nil && nothing && !slices.Contains(cfg.Stages(), stage):
				return &stages.UnknownStageError{Stage: stage, Known: cfg.Stages()}
			}
			region := c.String("region")
			switch {
			case region != "":
			case !nothing:
				region = recorded.Target.Region
			default:
				// Where deploy would have made the stage: its config's
				// region, or the AWS configuration's.
				if s, err := cfg.Resolve(stage, names.APIHandler); err == nil {
					region = s.Region
				}
			}
			clients, target, err := env.connect(c.Context, c.String("profile"), region, false)
			if err != nil {
				return err
			}
			if err := deployer.CheckTarget("delete", recorded, target); err != nil {
				return err
			}
			if nothing {
				// Nothing recorded: what a deploy interrupted before it
				// recorded anything made is looked for all the same.
				app := ""
				if recorded != nil {
					app = recorded.App
				}
				if cfg != nil && cfg.AppName() != "" {
					app = cfg.AppName()
				}
				recorded = deployer.NewState(app, stage, target)
			}
			found, err := env.deployer(clients, nil).Discover(c.Context, recorded)
			if err != nil {
				return err
			}
			plan := deployer.PlanDestroy(found)
			if !plan.HasChanges() {
				fmt.Fprintf(out, "Nothing recorded for stage %s (%s), and nothing of it found in account %s, %s: nothing to delete.\n", stage, path, target.Account, target.Region)
				return nil
			}
			if err := deployer.WritePlan(out, plan); err != nil {
				return err
			}
			steps := countChanges(plan)
			if c.Bool("dry-run") {
				fmt.Fprintf(out, "\nDry run: %d %s of stage %s would be deleted; nothing was.\n", steps, plural(steps, "resource", "resources"), stage)
				return nil
			}
			if !c.Bool("yes") {
				if err := confirmDelete(c, stage, steps, target); err != nil {
					return err
				}
			}
			fmt.Fprintf(out, "\nDeleting %d %s:\n", steps, plural(steps, "resource", "resources"))
			d := env.deployer(clients, changePrinter(c, steps))
			st, err := d.Apply(c.Context, plan, deployer.StateFile(path))
			if err != nil {
				return fmt.Errorf("delete stopped (what is left is recorded in %s; delete again to finish): %w", path, err)
			}
			if len(st.Resources) == 0 {
				if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
			fmt.Fprintf(out, "\nStage %s deleted.\n", stage)
			return nil
		},
	}
}

// errNotDeleted is a delete the user declined.
var errNotDeleted = errors.New("nothing deleted")

// confirmDelete asks on the terminal before deleting; without one (CI,
// a pipe) it refuses and says to pass --yes.
func confirmDelete(c *cli.Context, stage string, n int, t deployer.Target) error {
	s := streamsOf(c)
	if !s.interactive {
		return usagef(c, "delete asks before deleting, and standard input is not a terminal: add --yes to delete stage %s without asking (or --dry-run to only see what it would delete)", stage)
	}
	fmt.Fprintf(s.stderr, "\nDelete these %d %s of stage %s in account %s, %s? [y/N] ", n, plural(n, "resource", "resources"), stage, t.Account, t.Region)
	line, err := bufio.NewReader(s.stdin).ReadString('\n')
	if err != nil && line == "" {
		return errNotDeleted
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return nil
	}
	return errNotDeleted
}
