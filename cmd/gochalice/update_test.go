package main

import (
	"context"
	"flag"
	"io"
	"sync"
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
// (args[0] is the program name).
func runCLI(ctx context.Context, stdout, stderr io.Writer, args []string) error {
	cliMu.Lock()
	defer cliMu.Unlock()
	return newCLI(stdout, stderr).RunContext(ctx, args)
}
