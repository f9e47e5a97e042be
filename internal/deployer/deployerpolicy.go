package deployer

import (
	"errors"
	"fmt"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
)

// DeployerPolicy returns the least-privilege IAM policy of the identity
// that runs gochalice deploy, delete and invoke for p's app stage in t:
// the actions the deployer calls, each scoped to the app stage's own
// names — roles "<app>-<stage>-*", functions "<app>-<stage>" and
// "<app>-<stage>-*", their log groups, rules "<app>-<stage>-*" on the
// default bus and on the app's buses — or to the sources the app names:
// the topics it subscribes to, the buckets whose notifications it merges
// into; and iam:PassRole limited to those roles (and the pre-made roles
// the stage names) passed to Lambda.
//
// It is derived from the desired state deploy would make (BuildDesired,
// without the checks of policy files) and from recorded (the stage's
// recorded state, nil for none), so that a deploy that sweeps what the
// app no longer has, or a delete, can remove it: every resource's kind
// declares what the deployer needs to manage it (kind.deployerPolicy, next
// to the calls), and the statements of one Sid are merged. So the REST
// API statements come only with a REST API, the HTTP API ones only with
// an HTTP API, lambda:AddPermission on the functions other than the API
// handler only for the services of their push sources and authorizers
// (the lambda:Principal condition), and so on.
//
// Some actions cannot be scoped further: sts:GetCallerIdentity,
// logs:DescribeLogGroups and lambda:ListEventSourceMappings accept only
// "*"; lambda:CreateEventSourceMapping accepts only "*" and is limited to
// the app's functions by the lambda:FunctionArn condition; API Gateway
// names REST and HTTP APIs by ids it chooses, so its actions (the HTTP
// verbs of its control API) cover every API of the region. The pull
// sources' reads are the functions' execution roles' business, not the
// deployer's. The partition, region and account come from t verbatim, so
// placeholders such as "${AWS::Region}" stay as they are.
func DeployerPolicy(p *Project, recorded *State, t Target) (*iam.Policy, error) {
	if p == nil || p.Manifest == nil {
		return nil, errors.New("deployer policy: no manifest")
	}
	app := p.Manifest.AppName
	if p.Config != nil && p.Config.AppName() != "" {
		app = p.Config.AppName()
	}
	if app == "" || p.Stage == "" {
		return nil, errors.New("deployer policy: the app name and the stage are needed")
	}
	d, err := buildDesired(Input{Manifest: p.Manifest, Settings: p.Settings, Target: t}, false)
	if err != nil {
		return nil, fmt.Errorf("deployer policy: %w", err)
	}
	c := &policyContext{t: t, stage: names.Stage{App: app, Stage: p.Stage}}
	// The deploy asks STS which account it deploys to.
	sts := []iam.Statement{allow("FindAccount", []string{"sts:GetCallerIdentity"}, iam.Strings{"*"}, nil)}
	for i := range d.Resources {
		r := &d.Resources[i]
		k, ok := kindOf(r.Type)
		if !ok {
			return nil, fmt.Errorf("deployer policy: %s: unknown resource type %q", r.Address, r.Type)
		}
		sts = append(sts, k.deployerPolicy(c, r, nil)...)
	}
	if recorded != nil {
		for _, addr := range recorded.Addresses() {
			rs := recorded.Resources[addr]
			if k, ok := kindOf(rs.Type); ok {
				sts = append(sts, k.deployerPolicy(c, nil, &rs)...)
			}
		}
	}
	// What delete and deploy need to find the stage's untracked
	// resources, but what the kinds' statements grant already.
	sts = append(sts, uncovered(discoveryPolicy(c), mergeBySid(sts).Statement)...)
	return mergeBySid(sts), nil
}
