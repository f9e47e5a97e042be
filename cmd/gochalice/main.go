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
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/build"
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
	err := execute(ctx, streams{
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		interactive: isTerminal(os.Stdin),
		progress:    isTerminal(os.Stderr),
	}, defaultAWSEnv(), os.Args)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gochalice:", err)
		if hint := helpHint(err); hint != "" {
			fmt.Fprintln(os.Stderr, hint)
		}
	}
	os.Exit(exitCode(err))
}

// debugFlag removes --debug, which every command takes, from args (before
// any "--") and reports whether it was there.
func debugFlag(args []string) ([]string, bool) {
	out, debug := make([]string, 0, len(args)), false
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...), debug
		}
		if a == "--debug" || a == "-debug" {
			debug = true
			continue
		}
		out = append(out, a)
	}
	return out, debug
}

// execute runs the command line args (args[0] is the program's name),
// reaching AWS and building projects through env, and returns what failed;
// exitCode turns it into the exit status: 2 for a usage error, 1 for any
// other.
func execute(ctx context.Context, s streams, env *awsEnv, args []string) error {
	args, debug := debugFlag(args)
	app := newApp(s, env)
	err := app.RunContext(ctx, normalizeArgs(app, args))
	// A registration panic is shown as its message and file:line; --debug
	// shows the app's whole standard error, goroutine trace included.
	var me *build.ManifestError
	if debug && errors.As(err, &me) {
		me.Debug = true
	}
	// urfave/cli's help command answers an unknown topic with status 3.
	var ec cli.ExitCoder
	if errors.As(err, &ec) && ec.ExitCode() == 3 && strings.HasPrefix(err.Error(), "No help topic") {
		return &usageError{err: err}
	}
	return err
}

// newCLI builds the command tree writing to the given streams, with no
// standard input and no terminal, so tests can run commands in-process.
func newCLI(stdout, stderr io.Writer) *cli.App {
	return newApp(streams{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr}, defaultAWSEnv())
}

// newApp builds the command tree for a run on the given streams, with the
// commands that build the app or call AWS using env.
func newApp(s streams, env *awsEnv) *cli.App {
	app := &cli.App{
		Name:      "gochalice",
		Usage:     "AWS Chalice for Go: routes and event handlers on AWS Lambda",
		Reader:    s.stdin,
		Writer:    s.stdout,
		ErrWriter: s.stderr,
		Metadata:  map[string]any{streamsKey: s},
		// Errors are printed once, by main.
		ExitErrHandler:       func(*cli.Context, error) {},
		HideVersion:          true,
		EnableBashCompletion: true,
		Suggest:              true,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "version", Usage: "print the version and exit"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("version") {
				printVersion(c.App.Writer)
				return nil
			}
			if c.NArg() > 0 {
				return unknownCommand(c, c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands: []*cli.Command{
			// One constructor per command, each in its own file.
			newCommand(),
			localCommand(),
			configCommand(),
			genPolicyCommand(),
			deployCommandWith(env),
			deleteCommand(),
			urlCommand(),
			invokeCommand(),
			logsCommand(),
			generateModelsCommand(env),
			packageCommandWith(env),
			deployerPolicyCommand(env),
			completionCommand(),
			versionCommand(),
		},
	}
	configure(app)
	return app
}

// configure gives every command of app gochalice's conventions: usage
// errors exit with status 2 and name the fix, stray arguments and bad
// --region values are refused before anything runs, the project folder is
// found from a subfolder, and an unknown subcommand gets a suggestion.
func configure(app *cli.App) {
	app.OnUsageError = onUsageError
	var walk func([]*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, cmd := range cmds {
			cmd.OnUsageError = onUsageError
			if before := cmd.Before; before != nil {
				cmd.Before = func(c *cli.Context) error {
					if err := checkFlags(c); err != nil {
						return err
					}
					return before(c)
				}
			} else {
				cmd.Before = checkFlags
			}
			if len(cmd.Subcommands) > 0 && cmd.Action == nil {
				cmd.Action = func(c *cli.Context) error {
					if c.NArg() > 0 {
						return unknownCommand(c, c.Args().First())
					}
					return cli.ShowSubcommandHelp(c)
				}
			}
			walk(cmd.Subcommands)
		}
	}
	walk(app.Commands)
}

// onUsageError turns urfave/cli's flag errors into usage errors, with a
// suggestion for a mistyped flag.
func onUsageError(c *cli.Context, err error, _ bool) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimLeft(name, "-")
		var names []string
		for _, f := range c.Command.Flags {
			names = append(names, f.Names()...)
		}
		if c.Command.Name == "" {
			for _, f := range c.App.Flags {
				names = append(names, f.Names()...)
			}
		}
		msg = fmt.Sprintf("unknown flag --%s", name)
		if s := suggest(name, names); s != "" {
			msg += fmt.Sprintf("; did you mean --%s?", s)
		}
	}
	return usagef(c, "%s", msg)
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name:  "version",
		Usage: "print the gochalice version (also gochalice --version)",
		Action: func(c *cli.Context) error {
			printVersion(c.App.Writer)
			return nil
		},
	}
}

func printVersion(w io.Writer) {
	fmt.Fprintf(w, "gochalice %s", version)
	if commit != "" {
		fmt.Fprintf(w, " (commit %s, built %s)", commit, date)
	}
	fmt.Fprintln(w)
}
