// Command gochalice scaffolds, runs locally, and deploys Go apps built with
// github.com/gochalice/gochalice/app. See the repository README.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// Set by the release build (-ldflags -X main.version=...).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

func main() {
	// Ctrl-C cancels the command's context: local stops its app, and
	// commands that change AWS stop between steps.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newCLI(os.Stdout, os.Stderr).RunContext(ctx, os.Args)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gochalice:", err)
		code := 1
		var ec cli.ExitCoder
		if errors.As(err, &ec) {
			code = ec.ExitCode()
		}
		os.Exit(code)
	}
}

// newCLI builds the command tree writing to the given streams, so tests can
// run commands in-process.
func newCLI(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:      "gochalice",
		Usage:     "AWS Chalice for Go: routes and event handlers on AWS Lambda",
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors are printed once, by main.
		ExitErrHandler:       func(*cli.Context, error) {},
		HideVersion:          true,
		EnableBashCompletion: true,
		Commands: []*cli.Command{
			// One constructor per command, each in its own file.
			newCommand(),
			localCommand(),
			configCommand(),
			genPolicyCommand(),
			deployCommand(),
			deleteCommand(),
			urlCommand(),
			invokeCommand(),
			packageCommand(),
			deployerPolicyCommand(),
			versionCommand(),
		},
	}
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the gochalice version",
		Action: func(c *cli.Context) error {
			fmt.Fprintf(c.App.Writer, "gochalice %s", version)
			if commit != "" {
				fmt.Fprintf(c.App.Writer, " (commit %s, built %s)", commit, date)
			}
			fmt.Fprintln(c.App.Writer)
			return nil
		},
	}
}
