package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/stages"
)

// usageError is a command line gochalice does not understand: an unknown
// command or flag, a missing or extra argument, a flag value out of range.
// It exits with status 2, and main adds how to get the command's help.
type usageError struct {
	// command is the command's full name ("deploy", "config show"), ""
	// for the top level.
	command string
	err     error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// ExitCode makes a usageError a cli.ExitCoder.
func (e *usageError) ExitCode() int { return 2 }

func usagef(c *cli.Context, format string, args ...any) error {
	return &usageError{command: commandName(c), err: fmt.Errorf(format, args...)}
}

// commandName is the full name of c's command ("config show"), "" at
// the top level.
func commandName(c *cli.Context) string {
	var names []string
	for _, ctx := range c.Lineage() {
		if ctx.Command != nil && ctx.Command.Name != "" && ctx.Command.Name != ctx.App.Name {
			names = append([]string{ctx.Command.Name}, names...)
		}
	}
	return strings.Join(slices.Compact(names), " ")
}

// exitCode is the process's exit status for the error a command returned.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ec cli.ExitCoder
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 1
}

// helpHint says how to get help after a usage error.
func helpHint(err error) string {
	var ue *usageError
	if !errors.As(err, &ue) {
		return ""
	}
	if ue.command == "" {
		return "Run 'gochalice --help' for the commands."
	}
	return fmt.Sprintf("Run 'gochalice %s --help' for its usage.", ue.command)
}

// completionFlag is the flag urfave/cli's shell completion adds last.
const completionFlag = "--generate-bash-completion"

// normalizeArgs moves flags given after positional arguments before them,
// so that "gochalice new demo --no-tidy" and "gochalice package out/
// --stage prod" mean what they say: urfave/cli v2 stops parsing flags at
// the first positional argument. It knows each command's flags, so a
// flag's value is never taken for a positional argument; positional
// arguments that look like flags follow a "--".
func normalizeArgs(app *cli.App, args []string) []string {
	if len(args) < 2 || args[len(args)-1] == completionFlag {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	i := 0
	// The top level has only boolean flags (--help, --version).
	for i < len(rest) && strings.HasPrefix(rest[i], "-") && rest[i] != "--" {
		out = append(out, rest[i])
		i++
	}
	if i == len(rest) {
		return out
	}
	cmd := findCommand(app.Commands, rest[i])
	if cmd == nil {
		return append(out, rest[i:]...)
	}
	out = append(out, rest[i])
	return append(out, reorder(cmd, rest[i+1:])...)
}

func reorder(cmd *cli.Command, args []string) []string {
	var flags, positional []string
	for j := 0; j < len(args); j++ {
		a := args[j]
		if a == "--" {
			positional = append(positional, args[j+1:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if f := findFlag(cmd.Flags, name); f != nil && takesValue(f) && j+1 < len(args) {
				flags = append(flags, args[j+1])
				j++
			}
			continue
		}
		if len(positional) == 0 && len(cmd.Subcommands) > 0 {
			if sub := findCommand(cmd.Subcommands, a); sub != nil {
				return append(append(flags, a), reorder(sub, args[j+1:])...)
			}
		}
		positional = append(positional, a)
	}
	if slices.ContainsFunc(positional, func(p string) bool { return len(p) > 1 && p[0] == '-' }) {
		positional = append([]string{"--"}, positional...)
	}
	return append(flags, positional...)
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if slices.Contains(c.Names(), name) {
			return c
		}
	}
	return nil
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	for _, f := range flags {
		if slices.Contains(f.Names(), name) {
			return f
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	if d, ok := f.(cli.DocGenerationFlag); ok {
		return d.TakesValue()
	}
	return true
}

// suggest returns the name among names closest to s, if it is close
// enough to be a likely typo (an edit or two, one for short words), or the
// one s begins.
func suggest(s string, names []string) string {
	best, bestDist := "", 3
	if len(s) <= 4 {
		bestDist = 2
	}
	for _, n := range names {
		if d := editDistance(s, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best == "" && len(s) >= 3 {
		for _, n := range names {
			if strings.HasPrefix(n, s) {
				return n
			}
		}
	}
	return best
}

// editDistance is the Damerau-Levenshtein distance (optimal string
// alignment) of a and b: typos such as "deplyo" are one transposition.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// unknownCommand is the usage error of a command name c's command does
// not have.
func unknownCommand(c *cli.Context, name string) error {
	cmds := c.App.Commands
	where := "gochalice"
	if n := commandName(c); n != "" {
		cmds = c.Command.Subcommands
		where += " " + n
	}
	var names []string
	for _, cmd := range cmds {
		if !cmd.Hidden && cmd.Name != "help" {
			names = append(names, cmd.Name)
		}
	}
	msg := fmt.Sprintf("%s has no command %q", where, name)
	if s := suggest(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else {
		msg += fmt.Sprintf(" (commands: %s)", strings.Join(names, ", "))
	}
	return &usageError{command: commandName(c), err: errors.New(msg)}
}

// noArguments refuses positional arguments for a command that takes none.
func noArguments(c *cli.Context) error {
	if c.NArg() == 0 {
		return nil
	}
	msg := fmt.Sprintf("unexpected argument %q: %s takes no arguments", c.Args().First(), commandName(c))
	if findFlag(c.Command.Flags, "stage") != nil {
		msg += " (one stage per run: --stage NAME)"
	}
	return usagef(c, "%s", msg)
}

// regionPattern matches the region names of the partitions gochalice
// deploys to: aws, aws-cn and aws-us-gov (as the SDK's partition data
// names them).
var regionPattern = regexp.MustCompile(`^((us|eu|ap|sa|ca|me|af|il|mx)|cn|us-gov)-[a-z]+-[0-9]+$`)

// knownRegions are AWS's regions, for "did you mean" on a near miss. A
// region not listed but of the right shape is accepted (AWS adds regions).
var knownRegions = []string{
	"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
	"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
	"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1",
	"cn-north-1", "cn-northwest-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1",
	"eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
	"me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-gov-east-1",
	"us-gov-west-1", "us-west-1", "us-west-2",
}

// regionDirections are the middle words of AWS's region names.
var regionDirections = []string{"central", "east", "north", "northeast", "northwest", "south", "southeast", "southwest", "west"}

// checkRegion refuses a region name AWS cannot have, before any AWS call
// is made with it. from says where it came from ("--region", a config
// key, AWS_REGION). A name of the right shape that is not known yet is
// accepted: AWS adds regions.
func checkRegion(region, from string) error {
	if slices.Contains(knownRegions, region) {
		return nil
	}
	if m := regionPattern.FindStringSubmatch(region); m != nil {
		parts := strings.Split(region, "-")
		if slices.Contains(regionDirections, parts[len(parts)-2]) {
			return nil
		}
	}
	if s := suggest(region, knownRegions); s != "" {
		return fmt.Errorf("%s %q is not an AWS region; did you mean %q?", from, region, s)
	}
	return fmt.Errorf("%s %q is not an AWS region: use a name such as us-east-1 or eu-west-3", from, region)
}

// checkFlags is every command's Before: it refuses stray arguments and
// bad --region values, and finds the project folder, all before the
// command does anything.
func checkFlags(c *cli.Context) error {
	if c.Command.ArgsUsage == "" && !hasSubcommands(c.Command) {
		if err := noArguments(c); err != nil {
			return err
		}
	}
	if findFlag(c.Command.Flags, "region") != nil && c.IsSet("region") {
		if err := checkRegion(c.String("region"), "--region"); err != nil {
			return usagef(c, "%v", err)
		}
	}
	if findFlag(c.Command.Flags, "project-dir") != nil {
		if findFlag(c.Command.Flags, "main") != nil && c.String("main") != "" {
			return nil // gen-policy --main reads a plain program, no project
		}
		return findProjectDir(c)
	}
	return nil
}

// hasSubcommands reports whether cmd has subcommands other than the
// "help" urfave/cli adds.
func hasSubcommands(cmd *cli.Command) bool {
	return slices.ContainsFunc(cmd.Subcommands, func(sub *cli.Command) bool { return sub.Name != "help" })
}

// findProjectDir checks --project-dir, or, when it is not given, looks for
// .chalice/config.json in the current folder and then in each folder
// above it, as git looks for .git, and sets --project-dir to the folder
// found (leaving it "." when there is none).
func findProjectDir(c *cli.Context) error {
	config := filepath.FromSlash(stages.ConfigFile)
	if c.IsSet("project-dir") {
		dir := c.String("project-dir")
		info, err := os.Stat(dir)
		switch {
		case err != nil:
			return usagef(c, "--project-dir %s: no such folder", dir)
		case !info.IsDir():
			return usagef(c, "--project-dir %s is a file: give the folder that holds main.go and .chalice/", dir)
		}
		if _, err := os.Stat(filepath.Join(dir, config)); err != nil {
			return fmt.Errorf("--project-dir %s has no %s: give the folder that holds main.go and .chalice/ (gochalice new NAME makes one)", dir, stages.ConfigFile)
		}
		return nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return err
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, config)); err == nil {
			if dir == wd {
				return nil
			}
			rel, err := filepath.Rel(wd, dir)
			if err != nil {
				rel = dir
			}
			return c.Set("project-dir", rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	// Not in a project: the command says what is missing when it needs
	// the project (some, like invoke --list-events, do not).
	return nil
}

// isTerminal reports whether f is a terminal (a character device).
func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	info, err := file.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// streams are where a run of the command line reads and writes, and
// whether a person is at the other end.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// interactive is true when stdin is a terminal: delete may ask.
	interactive bool
	// progress is true when stderr is a terminal: long steps print a line
	// each there.
	progress bool
}

// streamsKey is where newApp keeps the streams in cli.App.Metadata.
const streamsKey = "gochalice.streams"

// streamsOf returns the streams of the run c belongs to.
func streamsOf(c *cli.Context) streams {
	if s, ok := c.App.Metadata[streamsKey].(streams); ok {
		return s
	}
	return streams{stdin: c.App.Reader, stdout: c.App.Writer, stderr: c.App.ErrWriter}
}

// progressf prints one line of progress to stderr when it is a terminal.
func progressf(c *cli.Context, format string, args ...any) {
	if s := streamsOf(c); s.progress {
		fmt.Fprintf(s.stderr, format+"\n", args...)
	}
}
