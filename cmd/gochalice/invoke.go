package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/local"
	"github.com/gochalice/gochalice/internal/stages"
)

func invokeCommand() *cli.Command { return invokeCommandWith(defaultAWSEnv()) }

func invokeCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "invoke",
		Usage: "invoke a deployed function (or, with --local, run it on this machine) and print its response",
		Description: `Without --local, invokes the stage's deployed function and prints its response.

With --local, builds the app for this machine and runs the function once with the
stage's environment variables and an event: the --payload file, or a generated sample
of the event the function's source sends (--event picks another kind; --list-events
lists them). The response goes to standard output, the function's logs to standard
error; the command fails when the handler returns an error.`,
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage"},
			&cli.StringFlag{Name: "name", Usage: "the function, as the app registers it (handle_stream)"},
			&cli.StringFlag{Name: "payload", Usage: "a file holding the JSON event (- for standard input; default {}, or a sample event with --local)"},
			&cli.BoolFlag{Name: "local", Usage: "run the function on this machine instead of invoking the deployed one"},
			&cli.StringFlag{Name: "event", Usage: "with --local and no --payload: the sample event to generate (see --list-events; default: the function's own source)"},
			&cli.BoolFlag{Name: "list-events", Usage: "list the sample event kinds of --event and exit"},
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
			if c.Bool("list-events") {
				fmt.Fprintln(c.App.Writer, strings.Join(apptest.SampleEventKinds(), "\n"))
				return nil
			}
			if c.String("name") == "" {
				return usagef(c, "--name is missing: name the function to invoke, as the app registers it")
			}
			if c.Bool("local") {
				if c.IsSet("region") || c.IsSet("profile") {
					return usagef(c, "--region and --profile do not apply to --local, which runs the function on this machine")
				}
				if c.String("payload") != "" && c.String("event") != "" {
					return usagef(c, "--event and --payload both give the event: use one")
				}
			} else if c.String("event") != "" {
				return usagef(c, "--event generates a sample event for --local: add --local, or give a deployed function its event with --payload FILE")
			}
			payload, err := readPayload(c)
			if err != nil {
				return err
			}
			if c.Bool("local") {
				return invokeLocal(c, payload)
			}
			if payload == nil {
				payload = []byte("{}")
			}
			return invokeDeployed(c, env, payload)
		},
	}
}

// readPayload reads --payload, nil when it is not given.
func readPayload(c *cli.Context) ([]byte, error) {
	switch f := c.String("payload"); f {
	case "":
		return nil, nil
	case "-":
		return io.ReadAll(c.App.Reader)
	default:
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--payload: %w", err)
		}
		return data, nil
	}
}

func invokeLocal(c *cli.Context, payload []byte) error {
	dir, stage := c.String("project-dir"), c.String("stage")
	cfg, err := stages.Load(dir)
	if err != nil {
		return err
	}
	envFor := func(fn string) (map[string]string, error) {
		s, err := cfg.Resolve(stage, fn)
		if err != nil {
			return nil, err
		}
		return s.EnvironmentVariables, nil
	}
	// Configuration mistakes stop here, before anything is built.
	if _, err := envFor(c.String("name")); err != nil {
		return err
	}
	return local.Invoke(c.Context, local.InvokeOptions{
		ProjectDir: dir,
		Stage:      stage,
		Function:   c.String("name"),
		Event:      payload,
		EventKind:  c.String("event"),
		Env:        envFor,
		Stdout:     c.App.Writer,
		Stderr:     c.App.ErrWriter,
	})
}

func invokeDeployed(c *cli.Context, env *awsEnv, payload []byte) error {
	dir, stage, name := c.String("project-dir"), c.String("stage"), c.String("name")
	st, err := deployer.LoadState(env.statePath(dir, stage))
	if err != nil {
		return err
	}
	if st == nil {
		return fmt.Errorf("stage %s is not deployed: run gochalice deploy --stage %s", stage, stage)
	}
	fn, ok := deployer.FunctionName(st, name)
	if !ok {
		return fmt.Errorf("stage %s has no function %q", stage, name)
	}
	region := c.String("region")
	if region == "" {
		region = st.Target.Region
	}
	clients, _, err := env.connect(c.Context, c.String("profile"), region, false)
	if err != nil {
		return err
	}
	out, err := clients.Lambda.Invoke(c.Context, &lambda.InvokeInput{FunctionName: &fn, Payload: payload})
	if err != nil {
		return fmt.Errorf("invoke %s: %w", fn, err)
	}
	fmt.Fprintln(c.App.Writer, string(out.Payload))
	if out.FunctionError != nil {
		return fmt.Errorf("%s failed (%s)", fn, aws.ToString(out.FunctionError))
	}
	return nil
}
