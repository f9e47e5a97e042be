package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go/logging"
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/build"
	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/stages"
)

// awsEnv is how commands reach AWS and the project; tests replace parts.
type awsEnv struct {
	// connect returns clients and the target for a region ("" for the
	// AWS configuration's). With optional set, missing credentials are
	// not an error: it returns nil clients and a target whose account is
	// unknown.
	connect func(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error)
	// loadProject builds and resolves a project (deployer.LoadProject);
	// nil for that with a line of progress per step.
	loadProject func(ctx context.Context, dir, stage, buildDir string, opts ...stages.ResolveOption) (*deployer.Project, error)
	// resolveProject resolves a project without its Lambda build, for
	// commands that only read the app; nil for deployer.ResolveProject.
	resolveProject func(ctx context.Context, dir, stage, buildDir string, opts ...stages.ResolveOption) (*deployer.Project, error)
	// statePath is where a stage's state is recorded.
	statePath func(dir, stage string) string
	// tune adjusts a deployer before use.
	tune func(*deployer.Deployer)
}

func defaultAWSEnv() *awsEnv {
	return &awsEnv{connect: connectAWS, statePath: deployer.StatePath}
}

// resolve is resolveProject in a temporary folder, which it removes.
func (e *awsEnv) resolve(ctx context.Context, dir, stage string) (*deployer.Project, error) {
	tmp, err := os.MkdirTemp("", "gochalice-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if e.resolveProject != nil {
		return e.resolveProject(ctx, dir, stage, tmp)
	}
	return deployer.ResolveProject(ctx, dir, stage, tmp)
}

// load builds and resolves the project in a temporary folder, which
// cleanup removes, and prints the config's warnings to errw. On a
// terminal, each long step prints a line first. opts apply to every
// function's settings.
func (e *awsEnv) load(c *cli.Context, dir, stage string, errw io.Writer, opts ...stages.ResolveOption) (p *deployer.Project, cleanup func(), err error) {
	ctx := c.Context
	buildDir, cleanup, err := build.TempDir(ctx)
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	progressf(c, "Building the app for this machine and taking its manifest (stage %s)...", stage)
	if e.loadProject != nil {
		p, err = e.loadProject(ctx, dir, stage, buildDir, opts...)
	} else {
		p, err = loadProject(c, dir, stage, buildDir, opts...)
	}
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	progressf(c, "Built %s: %d %s in %s.", p.Manifest.AppName, len(p.Manifest.Functions), plural(len(p.Manifest.Functions), "function", "functions"), time.Since(start).Round(100*time.Millisecond))
	for _, w := range p.Config.Warnings() {
		fmt.Fprintf(errw, "warning: %s\n", w)
	}
	for _, w := range p.Config.CheckFunctions(p.Manifest) {
		fmt.Fprintf(errw, "warning: %s\n", w)
	}
	for _, w := range p.Manifest.Warnings() {
		fmt.Fprintf(errw, "warning: %s\n", w)
	}
	return p, cleanup, nil
}

// loadProject is deployer.LoadProject with a line of progress before the
// Lambda build.
func loadProject(c *cli.Context, dir, stage, buildDir string, opts ...stages.ResolveOption) (*deployer.Project, error) {
	p, err := deployer.ResolveProject(c.Context, dir, stage, buildDir, opts...)
	if err != nil {
		return nil, err
	}
	progressf(c, "Building the Lambda package (linux/%s, provided.al2023)...", p.Arch)
	if p.Code, err = build.Lambda(c.Context, dir, p.Arch, buildDir); err != nil {
		return nil, err
	}
	return p, nil
}

func (e *awsEnv) deployer(c *deployer.Clients, progress func(deployer.Event)) *deployer.Deployer {
	d := &deployer.Deployer{Clients: c, Progress: progress}
	if e.tune != nil {
		e.tune(d)
	}
	return d
}

// noRegion is the region of a dry run that has none: ARNs show it as a
// placeholder.
const noRegion = "<region>"

// connectAWS loads the AWS configuration the SDK's way (default credential
// chain, --profile, AWS_ENDPOINT_URL) and asks STS for the account. The
// SDK's own log lines (such as its fallbacks to EC2 instance metadata) are
// silenced: what went wrong is the returned error. With optional, a
// missing region or missing credentials are no error: it returns nil
// clients and a target whose region (noRegion) or account
// (deployer.UnknownAccount) is a placeholder.
func connectAWS(ctx context.Context, profile, region string, optional bool) (*deployer.Clients, deployer.Target, error) {
	cfg, err := loadAWSConfig(ctx, profile, region)
	if err != nil {
		if optional {
			return nil, deployer.NewTarget(orRegion(region), ""), nil
		}
		return nil, deployer.Target{}, fmt.Errorf("load the AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		if optional {
			return nil, deployer.NewTarget(noRegion, ""), nil
		}
		return nil, deployer.Target{}, errors.New("no AWS region: pass --region, set \"region\" in .chalice/config.json, or set AWS_REGION")
	}
	if region == "" {
		if err := checkRegion(cfg.Region, "the AWS configuration's region (AWS_REGION or the profile)"); err != nil {
			return nil, deployer.Target{}, err
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	_, err = cfg.Credentials.Retrieve(cctx)
	cancel()
	if err != nil {
		if optional {
			return nil, deployer.NewTarget(cfg.Region, ""), nil
		}
		return nil, deployer.Target{}, credentialsError(profile, err)
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

// loadAWSConfig loads the AWS configuration the SDK's way, with the
// --connection-timeout that ctx carries (withConnectionTimeout).
func loadAWSConfig(ctx context.Context, profile, region string) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithLogger(logging.Nop{})}
	if profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(profile))
	}
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	if d, ok := ctx.Value(connectionTimeoutKey{}).(time.Duration); ok && d > 0 {
		opts = append(opts, config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(d)))
	}
	opts = append(opts, config.WithRetryMaxAttempts(10))
	return config.LoadDefaultConfig(ctx, opts...)
}

type connectionTimeoutKey struct{}

// withConnectionTimeout returns ctx carrying the timeout of each HTTP
// request to AWS (--connection-timeout, Chalice's), 0 for the SDK's.
func withConnectionTimeout(ctx context.Context, d time.Duration) context.Context {
	return context.WithValue(ctx, connectionTimeoutKey{}, d)
}

func orRegion(region string) string {
	if region == "" {
		return noRegion
	}
	return region
}

// credentialsError says, in one sentence, that no credentials were found
// and how to provide them. The SDK's error chain, which ends at the EC2
// instance metadata service it tries last, says nothing useful when
// nothing is configured; a named profile's own problem is kept.
func credentialsError(profile string, err error) error {
	const fix = "run aws configure, set AWS_PROFILE (or --profile) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or plan without an account with --dry-run"
	if profile != "" {
		return fmt.Errorf("no AWS credentials from profile %s (%s): %s", profile, firstLine(err), fix)
	}
	return errors.New("no AWS credentials found: " + fix)
}

// firstLine is the innermost error's message, on one line.
func firstLine(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			break
		}
		err = next
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

func awsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "profile", Usage: "the AWS profile to use (default: the SDK's credential chain)"},
		&cli.StringFlag{Name: "region", Usage: "the AWS region (default: config.json's region, then the AWS configuration's)"},
	}
}

func deployCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "deploy",
		Usage: "build the app and make AWS match it: roles, functions, event sources, the REST API",
		Description: "deploy builds the app, takes its manifest, resolves the stage's settings, reads what exists in AWS\n" +
			"(the recorded state in .chalice/deployed/<stage>.json, refreshed), plans the changes and applies them.\n" +
			"With --dry-run it prints the plan and changes nothing; without AWS credentials a dry run plans\n" +
			"against the recorded state alone (nothing, for a first deploy) and makes no AWS call.\n" +
			"--autogen-policy or --no-autogen-policy sets config.json's autogen_policy for every function for\n" +
			"this run: the policy generated from the code, or the policy file (iam_policy_file, else\n" +
			".chalice/policy-<stage>.json), as chalice deploy's flags do.",
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage to deploy"},
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan and change nothing"},
			&cli.BoolFlag{Name: "json", Usage: "print the plan as JSON"},
			&cli.IntFlag{Name: "parallelism", Value: 8, Usage: "how many steps run at once"},
			&cli.StringFlag{Name: "api-gateway-stage", Usage: "the REST API's stage name, instead of config.json's api_gateway_stage"},
			&cli.IntFlag{Name: "connection-timeout", Usage: "the timeout of each HTTP request to AWS, in `SECONDS` (default: the SDK's)"},
			&cli.BoolFlag{Name: "autogen-policy", Usage: "generate every function's policy from the code for this run, whatever config.json's autogen_policy says"},
			&cli.BoolFlag{Name: "no-autogen-policy", Usage: "give every function its policy file for this run (iam_policy_file, else .chalice/policy-<stage>.json), whatever config.json's autogen_policy says"},
			allowUnscopedFlag(),
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
			ctx := c.Context
			dir, stage, dry, asJSON := c.String("project-dir"), c.String("stage"), c.Bool("dry-run"), c.Bool("json")
			if n := c.Int("parallelism"); n < 1 {
				return usagef(c, "--parallelism %d: give how many steps may run at once, 1 or more (default 8)", n)
			}
			if n := c.Int("connection-timeout"); n < 0 {
				return usagef(c, "--connection-timeout %d: give seconds, 1 or more", n)
			}
			apiStage := c.String("api-gateway-stage")
			if c.IsSet("api-gateway-stage") && !apiStagePattern.MatchString(apiStage) {
				return usagef(c, "--api-gateway-stage %q: API Gateway stage names are letters, digits and underscores, up to 128", apiStage)
			}
			opts, err := autogenOption(c)
			if err != nil {
				return err
			}
			ctx = withConnectionTimeout(ctx, time.Duration(c.Int("connection-timeout"))*time.Second)
			// With --json, standard output is the plan's JSON and nothing
			// else; everything said to people goes to standard error.
			out, errw := c.App.Writer, c.App.ErrWriter
			say := out
			if asJSON {
				say = errw
			}
			p, cleanup, err := env.load(c, dir, stage, errw, opts...)
			if err != nil {
				return err
			}
			defer cleanup()
			if apiStage != "" {
				// For this run, instead of config.json's api_gateway_stage.
				for _, s := range p.Settings {
					s.APIGatewayStage = apiStage
				}
			}
			region := c.String("region")
			if region == "" {
				if region = p.Region(); region != "" {
					if err := checkRegion(region, fmt.Sprintf("%s: stage %s: region", stages.ConfigFile, stage)); err != nil {
						return err
					}
				}
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
			d := env.deployer(clients, nil)
			d.Parallelism = c.Int("parallelism")
			policies, err := codePolicies(ctx, p, target, errw, c.Bool(allowUnscoped))
			if err != nil {
				return err
			}
			progressf(c, "Planning against %s...", planSource(clients != nil, recorded != nil))
			plan, err := d.PlanProject(ctx, p, target, policies, recorded)
			if err != nil {
				return err
			}
			if asJSON {
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
				if target.Region == noRegion {
					fmt.Fprintf(errw, "note: no AWS region: planned with %s and %s in the ARNs; pass --region or set \"region\" in %s for real ones\n", noRegion, deployer.UnknownAccount, stages.ConfigFile)
				} else if clients == nil {
					fmt.Fprintln(errw, "note: no AWS credentials: planned against the recorded state only")
				}
				return nil
			}
			steps := countChanges(plan)
			if steps == 0 {
				fmt.Fprintln(say, "\nNothing to change.")
			} else {
				fmt.Fprintf(say, "\nApplying %d %s:\n", steps, plural(steps, "change", "changes"))
			}
			d.Progress = changePrinter(c, steps)
			start := time.Now()
			st, err := d.Apply(ctx, plan, deployer.StateFile(statePath))
			if err != nil {
				return fmt.Errorf("deploy stopped (progress is recorded in %s; deploy again to finish): %w", statePath, err)
			}
			if steps > 0 {
				fmt.Fprintf(say, "Applied %d %s in %s.\n", steps, plural(steps, "change", "changes"), time.Since(start).Round(100*time.Millisecond))
			}
			if url := deployer.APIURL(st); url != "" {
				fmt.Fprintf(say, "\nREST API URL: %s\n", url)
			}
			if url := deployer.WebSocketURL(st); url != "" {
				fmt.Fprintf(say, "\nWebSocket URL: %s\n", url)
			}
			if cd, ok := deployer.RecordedCustomDomain(st); ok {
				fmt.Fprintf(say, "Custom domain: %s\n  Point DNS for %s at %s: a CNAME, or a Route 53 alias record (HostedZoneId %s).\n",
					cd.URL, cd.DomainName, cd.Target, cd.HostedZoneID)
			}
			if cd, ok := deployer.RecordedWebSocketCustomDomain(st); ok {
				fmt.Fprintf(say, "WebSocket custom domain: %s\n  Point DNS for %s at %s: a CNAME, or a Route 53 alias record (HostedZoneId %s).\n",
					cd.URL, cd.DomainName, cd.Target, cd.HostedZoneID)
			}
			return nil
		},
	}
}

// autogenOption is the resolve option of --autogen-policy or
// --no-autogen-policy (Chalice's pair), none when neither is given.
func autogenOption(c *cli.Context) ([]stages.ResolveOption, error) {
	on, off := c.IsSet("autogen-policy"), c.IsSet("no-autogen-policy")
	switch {
	case on && off:
		return nil, usagef(c, "--autogen-policy and --no-autogen-policy: give one of them (or neither, to follow config.json's autogen_policy)")
	case on:
		return []stages.ResolveOption{stages.WithAutogenPolicy(c.Bool("autogen-policy"), "--autogen-policy")}, nil
	case off:
		return []stages.ResolveOption{stages.WithAutogenPolicy(!c.Bool("no-autogen-policy"), "--no-autogen-policy")}, nil
	}
	return nil, nil
}

// apiStagePattern is what API Gateway accepts as a stage name.
var apiStagePattern = regexp.MustCompile(`^[A-Za-z0-9_]{1,128}$`)

// planSource says what a plan is compared with.
func planSource(connected, recorded bool) string {
	switch {
	case connected:
		return "what AWS reports"
	case recorded:
		return "the recorded state"
	}
	return "nothing (a first deploy)"
}

// countChanges is how many steps applying plan takes.
func countChanges(plan *deployer.Plan) int {
	n := 0
	for _, ch := range plan.Changes {
		if ch.Action != deployer.NoOp {
			n++
		}
	}
	return n
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

// changePrinter writes a line per finished AWS change, with its count
// ("[3/12]"), to standard error when it is a terminal; a failed change is
// always written, since the error that stops the command comes later.
func changePrinter(c *cli.Context, total int) func(deployer.Event) {
	var mu sync.Mutex
	done := 0
	s := streamsOf(c)
	return func(e deployer.Event) {
		if !e.Done {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		done++
		if e.Err == nil && !s.progress {
			return
		}
		status := "done"
		if e.Err != nil {
			status = "FAILED: " + e.Err.Error()
		}
		fmt.Fprintf(s.stderr, "[%d/%d] %s %s (%s) %s in %s\n", done, total, e.Action.Symbol(), e.Address, e.Name, status, e.Elapsed.Round(time.Millisecond))
	}
}
