package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/policygen"
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
			&cli.StringSliceFlag{Name: "function", Usage: "only this function (repeatable)"},
			&cli.BoolFlag{Name: "explain", Usage: "list, for every action, the call sites that need it, instead of JSON"},
			&cli.StringFlag{Name: "main", Usage: "analyse this plain aws-lambda-go main package instead of a gochalice app"},
			&cli.StringFlag{Name: "region", Usage: "fill in the region (and partition) placeholders"},
			&cli.StringFlag{Name: "account", Usage: "fill in the account placeholder"},
		},
		Action: func(c *cli.Context) error {
			var results []*policygen.FunctionResult
			var diags []policygen.Diagnostic
			if dir := c.String("main"); dir != "" {
				r, err := policygen.GenerateMain(c.Context, policygen.MainRequest{Dir: dir})
				if err != nil {
					return err
				}
				results, diags = append(results, r), r.Diagnostics
			} else {
				res, err := generateAppPolicies(c)
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

func orPlaceholder(v, placeholder string) string {
	if v == "" {
		return placeholder
	}
	return v
}

// generateAppPolicies takes the app's manifest with the stage's variables
// and generates every function's policy, with each function's policy file
// (when autogen_policy is true and one is set) added.
func generateAppPolicies(c *cli.Context) (*policygen.Result, error) {
	p, err := resolveProject(c.Context, c.String("project-dir"), c.String("stage"))
	if err != nil {
		return nil, err
	}
	req := policyRequest(p.Dir, p.Stage, p.Manifest, p.Settings, c.StringSlice("function"))
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
		if d.Severity == policygen.Error {
			errs++
		}
	}
	if errs > 0 {
		return fmt.Errorf("%d call(s) have no known IAM action; the policy above lacks them", errs)
	}
	return nil
}
