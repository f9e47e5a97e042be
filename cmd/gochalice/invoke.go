package main

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/deployer"
)

func invokeCommand() *cli.Command { return invokeCommandWith(defaultAWSEnv()) }

func invokeCommandWith(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "invoke",
		Usage: "invoke a deployed function and print its response",
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage"},
			&cli.StringFlag{Name: "name", Required: true, Usage: "the function, as the app registers it (handle_stream)"},
			&cli.StringFlag{Name: "payload", Usage: "a file holding the JSON event (- for standard input; default {})"},
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
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
			payload := []byte("{}")
			switch f := c.String("payload"); f {
			case "":
			case "-":
				if payload, err = io.ReadAll(c.App.Reader); err != nil {
					return err
				}
			default:
				if payload, err = os.ReadFile(f); err != nil {
					return err
				}
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
		},
	}
}
