package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// allowUnscoped is the flag with which deploy and package accept a policy
// statement whose resource is "*" because a resource name comes from an
// environment variable the stage does not set.
const allowUnscoped = "allow-unscoped-resources"

func allowUnscopedFlag() cli.Flag {
	return &cli.BoolFlag{Name: allowUnscoped,
		Usage: "go ahead when a resource name comes from an environment variable the stage does not set (autogen_policy then allows that call on \"*\")"}
}

// policyRequest asks policygen for the policies of functions (all when
// empty) of p: named as deploy names them, resources scoped with each
// function's own variables, and the policy file of functions that name
// one next to autogen_policy added.
func policyRequest(p *deployer.Project, functions []string) policygen.Request {
	req := policygen.Request{
		Dir:       p.Dir,
		Manifest:  p.Manifest,
		Stage:     p.Stage,
		Names:     p.Names(),
		Env:       map[string]map[string]string{},
		Extra:     map[string]*iam.Policy{},
		VPC:       map[string]bool{},
		Functions: functions,
	}
	for name, s := range p.Settings {
		req.Env[name] = s.EnvironmentVariables
		if s.AutogenPolicy && s.Policy != nil {
			req.Extra[name] = s.Policy
		}
		req.VPC[name] = len(s.SubnetIDs) > 0 || len(s.SecurityGroupIDs) > 0
	}
	return req
}

// codePolicies is deploy's PolicySource: functions with autogen_policy get
// the policy generated from their code (with the deploy's partition,
// region and account filled in), the others their policy file. The
// analysis's findings go to w. It refuses, before any AWS call, an
// operation with no known IAM action (the function would fail at run
// time) and, unless allowUnscoped, a resource name read from an
// environment variable the stage does not set (the statement would allow
// every resource).
func codePolicies(ctx context.Context, p *deployer.Project, target deployer.Target, w io.Writer, allowUnscoped bool) (deployer.PolicySource, error) {
	var autogen []string
	for _, fn := range p.Manifest.Functions {
		if s := p.Settings[fn.Name]; s != nil && s.ManageIAMRole && s.AutogenPolicy {
			autogen = append(autogen, fn.Name)
		}
	}
	generated := map[string]*iam.Policy{}
	if len(autogen) > 0 {
		res, err := policygen.Generate(ctx, policyRequest(p, autogen))
		if err != nil {
			return nil, fmt.Errorf("generate policies (autogen_policy): %w", err)
		}
		if err := reportDiagnostics(w, res.Diagnostics); err != nil {
			return nil, err
		}
		if !allowUnscoped {
			if err := refuseUnscoped(p, res.Diagnostics); err != nil {
				return nil, err
			}
		}
		for name, r := range res.Functions {
			// The deployer adds the execution-role needs (logs, source,
			// failure destination, VPC) with the ARNs it resolves.
			generated[name] = policygen.Resolve(r.CodePolicy, target.Partition, target.Region, target.Account)
		}
	}
	return func(ctx context.Context, fn manifest.Function, s *stages.Settings) (*iam.Policy, error) {
		if pol, ok := generated[fn.Name]; ok {
			return pol, nil
		}
		return deployer.FilePolicies(ctx, fn, s)
	}, nil
}

// refuseUnscoped returns an error naming every resource of the code that
// comes from an environment variable the stage does not set for the
// function, with where the code reads it and the config key to set.
func refuseUnscoped(p *deployer.Project, diags []policygen.Diagnostic) error {
	var lines []string
	for _, d := range diags {
		if d.Code == policygen.CodeEnvUnset {
			lines = append(lines, "  "+d.String())
		}
	}
	if len(lines) == 0 {
		return nil
	}
	return fmt.Errorf("stage %s: %d resource(s) of autogen_policy would be \"*\", because they are named by environment variables the stage does not set:\n%s\nset them in %s (environment_variables of the stage, or of the function under lambda_functions), or give --%s to deploy with \"*\" anyway",
		p.Stage, len(lines), strings.Join(lines, "\n"), stages.ConfigFile, allowUnscoped)
}
