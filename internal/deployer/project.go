package deployer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/gochalice/gochalice/internal/build"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// Project is an app stage built and resolved: what a plan is made from,
// before anything is asked of AWS.
type Project struct {
	Dir      string
	Stage    string
	Config   *stages.Config
	Manifest *manifest.Manifest
	// Settings are the resolved settings of every function of the
	// manifest, by function name.
	Settings map[string]*stages.Settings
	// Code is the Lambda package; nil when not built.
	Code *Artifact
	// Arch is the Lambda architecture every function runs (they share one
	// binary): the functions' lambda_architecture, or the API handler's
	// resolved setting when the manifest has no function.
	Arch string
}

// LoadProject is ResolveProject followed by building the Lambda package
// into buildDir.
func LoadProject(ctx context.Context, dir, stage, buildDir string, opts ...stages.ResolveOption) (*Project, error) {
	p, err := ResolveProject(ctx, dir, stage, buildDir, opts...)
	if err != nil {
		return nil, err
	}
	if p.Code, err = build.Lambda(ctx, dir, p.Arch, buildDir); err != nil {
		return nil, err
	}
	return p, nil
}

// ResolveProject loads the stage's config, builds the app for the host
// into buildDir and takes its manifest with the stage's environment
// variables set (each function's own entry is taken with that function's
// variables, so a stream ARN read with os.Getenv at registration
// resolves), and resolves every function's settings. It does not build the
// Lambda package (Project.Code is nil). opts apply to every function's
// settings (deploy --no-autogen-policy).
func ResolveProject(ctx context.Context, dir, stage, buildDir string, opts ...stages.ResolveOption) (*Project, error) {
	cfg, err := stages.Load(dir)
	if err != nil {
		return nil, err
	}
	base, err := cfg.Resolve(stage, manifest.APIHandlerName, opts...)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(buildDir, 0o755); err != nil {
		return nil, err
	}
	host := filepath.Join(buildDir, "host-app")
	if err := build.Host(ctx, dir, host); err != nil {
		return nil, err
	}
	m, err := build.StageManifest(ctx, host, func(fn string) (map[string]string, error) {
		s, err := cfg.Resolve(stage, fn, opts...)
		if err != nil {
			return nil, err
		}
		return s.EnvironmentVariables, nil
	}, base.EnvironmentVariables)
	if err != nil {
		return nil, err
	}
	p := &Project{Dir: dir, Stage: stage, Config: cfg, Manifest: m, Settings: map[string]*stages.Settings{}}
	arch := ""
	var problems []Problem
	for _, fn := range m.Functions {
		s, err := cfg.Resolve(stage, fn.Name, opts...)
		if err != nil {
			return nil, err
		}
		p.Settings[fn.Name] = s
		if arch == "" {
			arch = s.LambdaArchitecture
		} else if s.LambdaArchitecture != arch {
			problems = append(problems, Problem{Subject: "function " + fn.Name,
				Problem: fmt.Sprintf("lambda_architecture is %s but other functions use %s; every function runs the same binary", s.LambdaArchitecture, arch),
				Fix:     "set lambda_architecture once, at the top level or in the stage"})
		}
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	if arch == "" {
		arch = base.LambdaArchitecture
	}
	p.Arch = arch
	return p, nil
}

// Region returns the stage's region setting, "" when config.json sets
// none.
func (p *Project) Region() string {
	if s, ok := p.Settings[manifest.APIHandlerName]; ok {
		return s.Region
	}
	for _, s := range p.Settings {
		return s.Region
	}
	return ""
}

// TargetMismatchError is the error of a deploy or delete of a stage whose
// recorded state is in another region or account than the one the
// command would act on.
type TargetMismatchError struct {
	// Op is "deploy" or "delete".
	Op    string
	Stage string
	// Recorded is where the stage's resources are; Target where the
	// command was about to act.
	Recorded, Target Target
}

func (e *TargetMismatchError) Error() string {
	fix := fmt.Sprintf("%s with --region %s, or delete it there first", e.Op, e.Recorded.Region)
	if e.Op == "delete" {
		fix = fmt.Sprintf("delete with --region %s", e.Recorded.Region)
	}
	if e.Recorded.Region == e.Target.Region {
		fix = fmt.Sprintf("%s with credentials of account %s (--profile)", e.Op, e.Recorded.Account)
		if e.Op == "deploy" {
			fix += ", or delete it there first"
		}
	}
	return fmt.Sprintf("stage %s is recorded in %s (account %s), not %s (account %s): %s",
		e.Stage, e.Recorded.Region, e.Recorded.Account, e.Target.Region, e.Target.Account, fix)
}

// CheckTarget returns a *TargetMismatchError when recorded has resources
// and t is another region, or a known account other than the recorded
// one. op ("deploy" or "delete") words the error. A nil or empty recorded
// state fits any target.
func CheckTarget(op string, recorded *State, t Target) error {
	if recorded == nil || len(recorded.Resources) == 0 {
		return nil
	}
	r := recorded.Target
	otherAccount := known(t.Account) && known(r.Account) && t.Account != r.Account
	if r.Region != t.Region || otherAccount {
		return &TargetMismatchError{Op: op, Stage: recorded.Stage, Recorded: r, Target: t}
	}
	return nil
}

func known(account string) bool { return account != "" && account != UnknownAccount }

// LookupTarget asks STS which account the credentials belong to.
func LookupTarget(ctx context.Context, c IdentityAPI, region string) (Target, error) {
	out, err := c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Target{}, fmt.Errorf("find the AWS account: %w", err)
	}
	return NewTarget(region, aws.ToString(out.Account)), nil
}

// ResolveStreams finds the latest stream of every table that a stream
// function of m names instead of a stream ARN. A table without a stream is
// an error that says how to turn it on.
func ResolveStreams(ctx context.Context, c TableAPI, m *manifest.Manifest) (map[string]string, error) {
	out := map[string]string{}
	var errs []error
	for _, fn := range m.Functions {
		if fn.DynamoDBStream == nil || fn.DynamoDBStream.Stream == "" || strings.HasPrefix(fn.DynamoDBStream.Stream, "arn:") {
			continue
		}
		table := fn.DynamoDBStream.Stream
		if _, done := out[table]; done {
			continue
		}
		desc, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
		var missing *ddbtypes.ResourceNotFoundException
		switch {
		case errors.As(err, &missing):
			errs = append(errs, fmt.Errorf("function %s reads the stream of table %s, which does not exist in this account and region", fn.Name, table))
		case err != nil:
			errs = append(errs, fmt.Errorf("describe table %s: %w", table, err))
		case desc.Table == nil || aws.ToString(desc.Table.LatestStreamArn) == "":
			errs = append(errs, fmt.Errorf("function %s reads the stream of table %s, which has no stream: enable it (aws dynamodb update-table --table-name %s --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES)", fn.Name, table, table))
		default:
			out[table] = aws.ToString(desc.Table.LatestStreamArn)
		}
	}
	return out, errors.Join(errs...)
}

// PlanProject builds the desired state of a project for target, and plans
// it against what exists: the recorded state refreshed against AWS, or,
// when d.Clients is nil (a dry run without credentials), the recorded
// state as it is. A nil policies means FilePolicies: functions with
// autogen_policy then get only the log and stream statements, and the plan
// carries AutogenWarning; a non-nil source is trusted to give those
// functions their generated policies (gochalice's CLI passes policygen's).
//
// A stage recorded in another region or account is an error
// (*TargetMismatchError), returned before any AWS call: refreshing it in
// target would find none of its resources and plan them all anew.
func (d *Deployer) PlanProject(ctx context.Context, p *Project, target Target, policies PolicySource, recorded *State) (*Plan, error) {
	if err := CheckTarget("deploy", recorded, target); err != nil {
		return nil, err
	}
	generated := policies != nil
	if policies == nil {
		policies = FilePolicies
	}
	pol, err := Policies(ctx, p.Manifest, p.Settings, policies)
	if err != nil {
		return nil, err
	}
	var streams map[string]string
	if d.Clients != nil {
		if streams, err = ResolveStreams(ctx, d.Clients.DynamoDB, p.Manifest); err != nil {
			return nil, err
		}
	}
	desired, err := BuildDesired(Input{Manifest: p.Manifest, Settings: p.Settings, Policies: pol, Streams: streams, Target: target, Code: p.Code, GeneratedPolicies: generated})
	if err != nil {
		return nil, err
	}
	if desired.Stage == "" {
		desired.Stage = p.Stage
	}
	actual := recorded
	if d.Clients != nil {
		if actual, err = d.Refresh(ctx, desired, recorded); err != nil {
			return nil, err
		}
	}
	return PlanChanges(desired, actual), nil
}

// APIURL returns the URL of the app's API in s: the HTTP API's stage when
// the stage has an HTTP API, else the REST API's, "" when s has neither.
func APIURL(s *State) string {
	if u := HTTPAPIURL(s); u != "" {
		return u
	}
	return restAPIURL(s)
}

// FunctionName returns the Lambda function name of an app function in s.
func FunctionName(s *State, function string) (string, bool) {
	r, ok := s.Resources[functionAddr(function)]
	return r.Name, ok
}
