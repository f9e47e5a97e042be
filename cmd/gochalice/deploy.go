package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
)

// awsEnv is how commands reach AWS and the project; tests replace parts.
type awsEnv struct {
	// connect returns clients and the target for a region ("" for the
	// AWS configuration's). With optional set, missing credentials are
	// not an error: it returns nil clients and a target whose account is
	// unknown.
	connect func(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error)
	// loadProject builds and resolves a project.
	loadProject func(ctx context.Context, dir, stage, buildDir string) (*deployer.Project, error)
	// statePath is where a stage's state is recorded.
	statePath func(dir, stage string) string
	// tune adjusts a deployer before use.
	tune func(*deployer.Deployer)
}

func defaultAWSEnv() *awsEnv {
	return &awsEnv{connect: connectAWS, loadProject: deployer.LoadProject, statePath: deployer.StatePath}
}

// load builds and resolves the project in a temporary folder, which
// cleanup removes, and prints the config's warnings to errw.
func (e *awsEnv) load(ctx context.Context, dir, stage string, errw io.Writer) (p *deployer.Project, cleanup func(), err error) {
	buildDir, err := os.MkdirTemp("", "gochalice-build-")
	if err != nil {
		return nil, nil, err
	}
	cleanup = func() { os.RemoveAll(buildDir) }
	if p, err = e.loadProject(ctx, dir, stage, buildDir); err != nil {
		cleanup()
		return nil, nil, err
	}
	for _, w := range p.Config.Warnings() {
		fmt.Fprintf(errw, "warning: %s\n", w)
	}
	for _, w := range p.Config.CheckFunctions(p.Manifest) {
		fmt.Fprintf(errw, "warning: %s\n", w)
	}
	return p, cleanup, nil
}

func (e *awsEnv) deployer(c *deployer.Clients, progress func(deployer.Event)) *deployer.Deployer {
	d := &deployer.Deployer{Clients: c, Progress: progress}
	if e.tune != nil {
		e.tune(d)
	}
	return d
}

// connectAWS loads the AWS configuration the SDK's way (default credential
// chain, --profile, AWS_ENDPOINT_URL) and asks STS for the account.
func connectAWS(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error) {
	var opts []func(*config.LoadOptions) error
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	opts = append(opts, config.WithRetryMaxAttempts(10))
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if optional {
			return nil, deployer.NewTarget(region, ""), nil
		}
		return nil, deployer.Target{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, deployer.Target{}, errors.New("no AWS region: pass --region, set \"region\" in .chalice/config.json, or set AWS_REGION")
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err = cfg.Credentials.Retrieve(cctx)
	cancel()
	if err != nil {
		if optional {
			return nil, deployer.NewTarget(cfg.Region, ""), nil
		}
		return nil, deployer.Target{}, fmt.Errorf("no AWS credentials: configure them (aws configure, AWS_PROFILE or --profile, or environment variables), or plan without an account with --dry-run: %w", err)
	}
	clients := deployer.NewClients(cfg)
	t, err := deployer.LookupTarget(ctx, clients.STS, cfg.Region)
	if err != nil {
		if optional {
			return nil, deployer.NewTarget(cfg.Region, ""), nil
		}
		return nil, deployer.Target{}, err
	}
	return clients, t, nil
}

func awsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "the AWS profile to use (default: the SDK's credential chain)"},
		&cli.StringFlag{Name: "region", Usage: "the AWS region (default: config.json's region, then the AWS configuration's)"},
	}
}

func deployCommand() *cli.Command { return deployCommandWith(defaultAWSEnv()) }

func deployCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "deploy",
		Usage: "build the app and make AWS match it: roles, functions, event sources, the REST API",
		Description: "deploy builds the app, takes its manifest, resolves the stage's settings, reads what exists in AWS\n" +
			"(the recorded state in .chalice/deployed/<stage>.json, refreshed), plans the changes and applies them.\n" +
			"With --dry-run it prints the plan and changes nothing; without AWS credentials a dry run plans\n" +
			"against the recorded state alone (nothing, for a first deploy) and makes no AWS call.",
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage to deploy"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan and change nothing"},
			&cli.BoolFlag{Name: "json", Usage: "print the plan as JSON"},
			&cli.IntFlag{Name: "parallelism", Value: 8, Usage: "how many steps run at once"},
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
			ctx := c.Context
			dir, stage, dry := c.String("project-dir"), c.String("stage"), c.Bool("dry-run")
			out, errw := c.App.Writer, c.App.ErrWriter
			p, cleanup, err := env.load(ctx, dir, stage, errw)
			if err != nil {
				return err
			}
			defer cleanup()
			region := c.String("region")
			if region == "" {
				region = p.Region()
			}
			clients, target, err := env.connect(ctx, c.String("profile"), region, dry)
			if err != nil {
				return err
			}
			statePath := env.statePath(dir, stage)
			recorded, err := deployer.LoadState(statePath)
			if err != nil {
				return err
			}
			if clients == nil {
				target = recordedAccount(target, recorded)
			}
			d := env.deployer(clients, progressPrinter(out))
			d.Parallelism = c.Int("parallelism")
			policies, err := codePolicies(ctx, p, target, errw)
			if err != nil {
				return err
			}
			plan, err := d.PlanProject(ctx, p, target, policies, recorded)
			if err != nil {
				return err
			}
			if c.Bool("json") {
				data, err := deployer.MarshalPlan(plan)
				if err != nil {
					return err
				}
				if _, err := out.Write(data); err != nil {
					return err
				}
			} else if err := deployer.WritePlan(out, plan); err != nil {
				return err
			}
			if dry {
				if clients == nil {
					fmt.Fprintln(errw, "note: no AWS credentials: planned against the recorded state only")
				}
				return nil
			}
			if !plan.HasChanges() {
				fmt.Fprintln(out, "\nNothing to change.")
			} else {
				fmt.Fprintln(out, "\nApplying:")
			}
			st, err := d.Apply(ctx, plan, deployer.StateFile(statePath))
			if err != nil {
				return fmt.Errorf("deploy stopped (progress is recorded in %s; deploy again to finish): %w", statePath, err)
			}
			if url := deployer.APIURL(st); url != "" {
				fmt.Fprintf(out, "\nREST API URL: %s\n", url)
			}
			return nil
		},
	}
}

// recordedAccount returns t, planned without credentials (its account
// unknown), with the account of the stage's recorded state when that state
// is in t's region and partition, so the plan's ARNs match the recorded
// ones. A state recorded elsewhere lends nothing: PlanProject refuses it.
func recordedAccount(t deployer.Target, recorded *deployer.State) deployer.Target {
	if recorded == nil || t.Account != deployer.UnknownAccount {
		return t
	}
	r := recorded.Target
	if r.Region == t.Region && r.Partition == t.Partition && r.Account != "" {
		t.Account = r.Account
	}
	return t
}

// progressPrinter writes one line per finished step.
func progressPrinter(w io.Writer) func(deployer.Event) {
	return func(e deployer.Event) {
		if !e.Done {
			return
		}
		status := "done"
		if e.Err != nil {
			status = "FAILED: " + e.Err.Error()
		}
		fmt.Fprintf(w, "%3s %s (%s) %s in %s\n", e.Action.Symbol(), e.Address, e.Name, status, e.Elapsed.Round(time.Millisecond))
	}
}
