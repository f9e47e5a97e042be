package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"
)

// update rewrites the golden files under testdata; every test file of the
// command shares it.
var update = flag.Bool("update", false, "rewrite the golden files under testdata")

func updating() bool { return *update }

// cliMu serialises in-process runs of the command line: urfave/cli v2
// writes to its package-level help flag on every run, which races when
// parallel tests run commands at once.
var cliMu sync.Mutex

// runCLI runs the command line in-process with the given arguments
// (args[0] is the program name), as main does but with no terminal.
func runCLI(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	cliMu.Lock()
	defer cliMu.Unlock()
	return execute(ctx, streams{stdin: strings.NewReader(""), stdout: stdout, stderr: stderr}, testEnv(), args)
}

// testApp is the command line with only the given commands (built with
// test doubles), configured as newApp configures the real one.
func testApp(stdout, stderr io.Writer, cmds ...*cli.Command) *cli.App {
	app := &cli.App{Name: "gochalice", Writer: stdout, ErrWriter: stderr, Reader: strings.NewReader(""),
		ExitErrHandler: func(*cli.Context, error) {}, Commands: cmds}
	configure(app)
	return app
}
