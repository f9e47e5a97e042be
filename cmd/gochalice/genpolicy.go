package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

func genPolicyCommand() *cli.Command {
	return &cli.Command{
		Name:  "gen-policy",
		Usage: "print the least-privilege IAM policy each function needs, worked out from the Go code",
		Description: `Reads the app's Go code with type information and finds, per function, every AWS SDK
operation its handler can reach. Resource names that are constants, or environment
variables the stage sets for that function, scope statements to real ARNs; the
partition, region and account stay as ${AWS::...} placeholders unless --region and
--account are given (deploy fills them in).

Every role also gets its function's CloudWatch Logs writes, the reads of a pull event
source (SQS queue, Kinesis or DynamoDB stream) and the send to a failure destination.
Push sources (schedules, EventBridge, SNS, S3, authorizers) invoke the function through
a resource-based permission instead; --explain says so for each.

With --main, analyses a plain aws-lambda-go program (no gochalice app or config):
the function passed to lambda.Start is the handler, and one policy is printed.`,
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage whose environment variables scope resources"},
			&cli.StringSliceFlag{Name: "function", Usage: "only this function (repeatable); with --main, the config's function whose variables apply"},
			&cli.BoolFlag{Name: "explain", Usage: "list, for every action, the call sites that need it, instead of JSON"},
			&cli.StringFlag{Name: "main", Usage: "analyse this plain aws-lambda-go main package instead of a gochalice app"},
			&cli.StringSliceFlag{Name: "env", Usage: "an environment variable of the function, `NAME=VALUE` (repeatable; over the config's and --env-file's)"},
			&cli.StringFlag{Name: "env-file", Usage: "environment variables of the function from a dotenv `FILE` (NAME=VALUE lines)"},
			&cli.StringFlag{Name: "function-name", Usage: "with --main: the Lambda function's `NAME`, to scope its log group"},
			&cli.StringFlag{Name: "region", Usage: "fill in the region (and partition) placeholders"},
			&cli.StringFlag{Name: "account", Usage: "fill in the account placeholder"},
		},
		Action: func(c *cli.Context) error {
			env, err := envFlags(c)
			if err != nil {
				return err
			}
			var results []*policygen.FunctionResult
			var diags []policygen.Diagnostic
			if dir := c.String("main"); dir != "" {
				r, err := generateMainPolicy(c, dir, env)
				if err != nil {
					return err
				}
				results, diags = append(results, r), r.Diagnostics
			} else {
				if c.IsSet("function-name") {
					return usagef(c, "--function-name names the Lambda function of a --main program; an app's functions are named by deploy (use --function to choose among them)")
				}
				res, err := generateAppPolicies(c, env)
				if err != nil {
					return err
				}
				for _, name := range res.Names() {
					results = append(results, res.Functions[name])
				}
				diags = res.Diagnostics
			}
			if region := c.String("region"); region != "" || c.String("account") != "" {
				t := deployer.NewTarget(region, c.String("account"))
				for _, r := range results {
					r.Policy = policygen.Resolve(r.Policy, t.Partition, orPlaceholder(region, policygen.Region), orPlaceholder(c.String("account"), policygen.AccountID))
				}
			}
			if err := printPolicies(c.App.Writer, results, c.String("main") != "", c.Bool("explain")); err != nil {
				return err
			}
			return reportDiagnostics(c.App.ErrWriter, diags)
		},
	}
}

// envFlags returns the variables of --env-file, then --env (later wins).
func envFlags(c *cli.Context) (map[string]string, error) {
	env := map[string]string{}
	if file := c.String("env-file"); file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--env-file: %w", err)
		}
		vars, err := parseDotenv(file, data)
		if err != nil {
			return nil, err
		}
		maps.Copy(env, vars)
	}
	for _, kv := range c.StringSlice("env") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !validEnvName(k) {
			return nil, usagef(c, "--env %q: give NAME=VALUE, NAME being letters, digits and _ (e.g. --env TABLE_NAME=orders)", kv)
		}
		env[k] = v
	}
	return env, nil
}

// parseDotenv reads NAME=VALUE lines, as docker's and most dotenv
// loaders do: blank lines and # comments skipped, an optional "export ",
// a value in single or double quotes taken without them.
func parseDotenv(file string, data []byte) (map[string]string, error) {
	env := map[string]string{}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || !validEnvName(k) {
			return nil, fmt.Errorf("%s:%d: %q is not NAME=VALUE: write one variable per line, NAME being letters, digits and _", file, i+1, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		env[k] = v
	}
	return env, nil
}

func validEnvName(k string) bool {
	if k == "" || k[0] >= '0' && k[0] <= '9' {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// generateMainPolicy analyses a plain aws-lambda-go main package. When
// the project folder has a .chalice/config.json, the stage's variables
// (those of the --function given, else the stage-wide ones) scope its
// resources, under --env-file's and --env's.
func generateMainPolicy(c *cli.Context, dir string, flagEnv map[string]string) (*policygen.FunctionResult, error) {
	fns := c.StringSlice("function")
	if len(fns) > 1 {
		return nil, usagef(c, "--main analyses one program: give at most one --function (the config's function whose variables apply)")
	}
	env := map[string]string{}
	projectDir := c.String("project-dir")
	if _, err := os.Stat(filepath.Join(projectDir, filepath.FromSlash(stages.ConfigFile))); err == nil {
		cfg, err := stages.Load(projectDir)
		if err != nil {
			return nil, err
		}
		fn := names.APIHandler
		if len(fns) == 1 {
			fn = fns[0]
		}
		s, err := cfg.Resolve(c.String("stage"), fn)
		if err != nil {
			return nil, err
		}
		maps.Copy(env, s.EnvironmentVariables)
	} else if c.IsSet("stage") || len(fns) > 0 {
		return nil, fmt.Errorf("--stage and --function read %s, and %s has none: give the program's variables with --env NAME=VALUE or --env-file FILE instead", stages.ConfigFile, projectDir)
	}
	maps.Copy(env, flagEnv)
	return policygen.GenerateMain(c.Context, policygen.MainRequest{Dir: dir, Env: env, FunctionName: c.String("function-name")})
}

func orPlaceholder(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

// generateAppPolicies takes the app's manifest with the stage's variables
// (and env over them) and generates every function's policy, with each function's policy file
// (when autogen_policy is true and one is set) added.
func generateAppPolicies(c *cli.Context, env map[string]string) (*policygen.Result, error) {
	p, err := resolveProject(c.Context, c.String("project-dir"), c.String("stage"))
	if err != nil {
		return nil, err
	}
	for _, w := range p.Manifest.Warnings() {
		fmt.Fprintf(c.App.ErrWriter, "warning: %s\n", w)
	}
	req := policyRequest(p, c.StringSlice("function"))
	if len(env) > 0 {
		// --env and --env-file apply to every function, over the config.
		for fn, vars := range req.Env {
			merged := maps.Clone(vars)
			if merged == nil {
				merged = map[string]string{}
			}
			maps.Copy(merged, env)
			req.Env[fn] = merged
		}
	}
	for _, fn := range req.Functions {
		if _, ok := p.Manifest.Function(fn); !ok {
			return nil, fmt.Errorf("--function %s: the app has no such function (it has %s)", fn, strings.Join(functionNames(p.Manifest), ", "))
		}
	}
	return policygen.Generate(c.Context, req)
}

func functionNames(m *manifest.Manifest) []string {
	var names []string
	for _, f := range m.Functions {
		names = append(names, f.Name)
	}
	return names
}

// printPolicies writes one policy document (single) or an object of them
// by function name; with explain, the call sites of every action.
func printPolicies(w io.Writer, results []*policygen.FunctionResult, single, explain bool) error {
	if explain {
		for _, r := range results {
			fmt.Fprintf(w, "%s (role %s):\n", r.Name, r.RoleName)
			for _, action := range slices.Sorted(maps.Keys(r.Explain)) {
				fmt.Fprintf(w, "  %s\n", action)
				for _, reason := range r.Explain[action] {
					fmt.Fprintf(w, "    %s\n", reason)
				}
			}
			for _, n := range r.Notes {
				fmt.Fprintf(w, "  note: %s\n", n)
			}
		}
		return nil
	}
	if single && len(results) == 1 {
		data, err := results[0].Policy.MarshalCanonical()
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	out := map[string]*iam.Policy{}
	for _, r := range results {
		out[r.Name] = r.Policy.Canonical()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// reportDiagnostics writes the analysis's findings; operations with no
// known IAM action make the command fail, since a policy without them
// would fail at run time.
func reportDiagnostics(w io.Writer, diags []policygen.Diagnostic) error {
	errs := 0
	for _, d := range diags {
		fmt.Fprintln(w, d.String())
		if d.Severity == policygen.Info {
			continue
		}
		if d.Severity == policygen.Error {
			errs++
		}
	}
	if errs > 0 {
		return fmt.Errorf("%d call(s) have no known IAM action; the policy above lacks them", errs)
	}
	return nil
}
