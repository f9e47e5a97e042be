package main

import (
	"context"
	"fmt"
	"io"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/policygen"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// policyRequest asks policygen for the policies of functions (all when
// empty), scoping resources with each function's own variables and adding
// the policy file of functions that name one next to autogen_policy.
func policyRequest(dir, stage string, m *manifest.Manifest, settings map[string]*stages.Settings, functions []string) policygen.Request {
	req := policygen.Request{
		Dir:       dir,
		Manifest:  m,
		Stage:     stage,
		Env:       map[string]map[string]string{},
		Extra:     map[string]*iam.Policy{},
		Functions: functions,
	}
	for name, s := range settings {
		req.Env[name] = s.EnvironmentVariables
		if s.AutogenPolicy && s.Policy != nil {
			req.Extra[name] = s.Policy
		}
	}
	return req
}

// codePolicies is deploy's PolicySource: functions with autogen_policy get
// the policy generated from their code (with the deploy's partition,
// region and account filled in), the others their policy file. The
// analysis's findings go to w; an operation with no known IAM action stops
// the deploy before any change, since the function would fail at run time.
func codePolicies(ctx context.Context, p *deployer.Project, target deployer.Target, w io.Writer) (deployer.PolicySource, error) {
	var autogen []string
	for _, fn := range p.Manifest.Functions {
		if s := p.Settings[fn.Name]; s != nil && s.ManageIAMRole && s.AutogenPolicy {
			autogen = append(autogen, fn.Name)
		}
	}
	generated := map[string]*iam.Policy{}
	if len(autogen) > 0 {
		req := policyRequest(p.Dir, p.Stage, p.Manifest, p.Settings, autogen)
		req.OmitBaseline = true // the deployer adds logs and stream reads with resolved ARNs
		res, err := policygen.Generate(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("generate policies (autogen_policy): %w", err)
		}
		if err := reportDiagnostics(w, res.Diagnostics); err != nil {
			return nil, err
		}
		for name, r := range res.Functions {
			generated[name] = policygen.Resolve(r.Policy, target.Partition, target.Region, target.Account)
		}
	}
	return func(ctx context.Context, fn manifest.Function, s *stages.Settings) (*iam.Policy, error) {
		if pol, ok := generated[fn.Name]; ok {
			return pol, nil
		}
		return deployer.FilePolicies(ctx, fn, s)
	}, nil
}
