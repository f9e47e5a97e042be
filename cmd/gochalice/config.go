package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/stages"
)

// configCommand is "gochalice config": looking at .chalice/config.json.
func configCommand() *cli.Command {
	return &cli.Command{
		Name:  "config",
		Usage: "inspect .chalice/config.json",
		Subcommands: []*cli.Command{
			{
				Name:  "show",
				Usage: "print the resolved settings of a stage's functions, and where each value comes from",
				Description: "Resolves .chalice/config.json for the stage, for the API handler and every function\n" +
					"named under lambda_functions (or only --function), and prints each setting with the\n" +
					"level it came from: default, top-level, top-level function, stage or stage function.",
				Flags: []cli.Flag{
					projectDirFlag(),
					&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage to resolve"},
					&cli.StringFlag{Name: "function", Usage: "show only this function"},
					&cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"},
				},
				Action: func(c *cli.Context) error {
					return configShow(c.App.Writer, c.App.ErrWriter, configShowArgs{
						projectDir: c.String("project-dir"),
						stage:      c.String("stage"),
						function:   c.String("function"),
						json:       c.Bool("json"),
					})
				},
			},
		},
	}
}

// configShowArgs are the flags of "config show".
type configShowArgs struct {
	projectDir string
	stage      string
	function   string
	json       bool
}

// configShow loads the config, resolves the functions asked for and
// prints them to stdout; diagnostics go to stderr.
func configShow(stdout, stderr io.Writer, args configShowArgs) error {
	cfg, err := stages.Load(args.projectDir)
	var diags stages.Diagnostics
	if errors.As(err, &diags) {
		for _, d := range diags {
			fmt.Fprintln(stderr, d)
		}
		n := len(diags.Errors())
		return fmt.Errorf("config show: %d %s in .chalice/ (listed above); fix them and run it again", n, plural(n, "problem", "problems"))
	}
	if err != nil {
		return err
	}
	functions := cfg.Functions(args.stage)
	if args.function != "" {
		if !slices.Contains(functions, args.function) {
			fmt.Fprintf(stderr, "note: %s names no function %q under lambda_functions; it gets the stage's settings\n", stages.ConfigFile, args.function)
		}
		functions = []string{args.function}
	}
	var all []*stages.Settings
	for _, fn := range functions {
		s, err := cfg.Resolve(args.stage, fn)
		if errors.As(err, &diags) {
			for _, d := range diags {
				fmt.Fprintln(stderr, d)
			}
			return fmt.Errorf("config show: function %s cannot be resolved (see above)", fn)
		}
		if err != nil {
			return err
		}
		all = append(all, s)
	}
	if args.json {
		return writeConfigJSON(stdout, cfg, args.stage, all)
	}
	for _, w := range cfg.Warnings() {
		fmt.Fprintln(stderr, w)
	}
	return writeConfigTable(stdout, cfg, args.stage, all)
}

// writeConfigTable prints one table per function.
func writeConfigTable(w io.Writer, cfg *stages.Config, stage string, all []*stages.Settings) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "app %s, stage %s (%s)\n", cfg.AppName(), stage, stages.ConfigFile)
	for _, s := range all {
		fmt.Fprintf(&b, "\nfunction %s (Lambda function %s)\n", s.Function, s.LambdaFunctionName)
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  SETTING\tVALUE\tFROM")
		for _, f := range s.Fields() {
			from := f.Origin.String()
			if f.KeyPath != "" {
				from += " (" + f.KeyPath + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", f.Key, displayValue(f.Value), from)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// displayValue writes a value as JSON, so that strings are quoted and an
// unset value reads null.
func displayValue(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// configJSON is the document "config show --json" prints.
type configJSON struct {
	AppName   string              `json:"app_name"`
	Stage     string              `json:"stage"`
	Functions []functionJSON      `json:"functions"`
	Warnings  []stages.Diagnostic `json:"warnings"`
}

type functionJSON struct {
	Function           string         `json:"function"`
	LambdaFunctionName string         `json:"lambda_function_name"`
	Settings           map[string]any `json:"settings"`
}

// valueJSON is one setting: its value and where it came from.
type valueJSON struct {
	Value   any          `json:"value"`
	Origin  stages.Level `json:"origin"`
	KeyPath string       `json:"key_path,omitempty"`
}

func writeConfigJSON(w io.Writer, cfg *stages.Config, stage string, all []*stages.Settings) error {
	doc := configJSON{AppName: cfg.AppName(), Stage: stage, Functions: []functionJSON{}, Warnings: cfg.Warnings()}
	if doc.Warnings == nil {
		doc.Warnings = []stages.Diagnostic{}
	}
	for _, s := range all {
		env, tags := map[string]valueJSON{}, map[string]valueJSON{}
		settings := map[string]any{"environment_variables": env, "tags": tags}
		for _, f := range s.Fields() {
			v := valueJSON{Value: f.Value, Origin: f.Origin, KeyPath: f.KeyPath}
			switch {
			case strings.HasPrefix(f.Key, "environment_variables."):
				env[strings.TrimPrefix(f.Key, "environment_variables.")] = v
			case strings.HasPrefix(f.Key, "tags."):
				tags[strings.TrimPrefix(f.Key, "tags.")] = v
			default:
				settings[f.Key] = v
			}
		}
		doc.Functions = append(doc.Functions, functionJSON{Function: s.Function, LambdaFunctionName: s.LambdaFunctionName, Settings: settings})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
