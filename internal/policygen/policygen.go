package policygen

import (
	"context"
	"fmt"
	"go/ast"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/policygen/internal/awsdata"
	"github.com/gochalice/gochalice/manifest"
)

// ARN placeholders in generated documents, resolved by Resolve at deploy
// time. They follow CloudFormation's pseudo parameters (internal/arn).
const (
	Partition = arn.PartitionPlaceholder
	Region    = arn.RegionPlaceholder
	AccountID = arn.AccountPlaceholder
	// WebSocketAPIID stands for the id of the app's WebSocket API, which
	// deploy fills in once the API exists.
	WebSocketAPIID = arn.WebSocketAPIIDPlaceholder
)

// Request says what to generate policies for.
type Request struct {
	// Dir is the directory of the user's main package, inside their
	// module.
	Dir string
	// Manifest is the app's manifest; its handlers are the roots of the
	// analysis.
	Manifest *manifest.Manifest
	// Stage is the stage the policies are for; with the app name it forms
	// the Lambda function (and log group) names, unless Names gives them.
	Stage string
	// Names are the AWS names of each function's resources (Lambda
	// function, role, log group) as deploy makes them, from the resolved
	// settings (deployer's Project.Names). A function missing here is
	// named from the manifest's app name and Stage.
	Names map[string]names.Function
	// VPC lists the functions attached to a VPC (subnet_ids,
	// security_group_ids), whose roles manage network interfaces.
	VPC map[string]bool
	// Env maps a function name to the environment variables the stage
	// config gives it. A resource name read with os.Getenv is scoped only
	// when the variable is set here for that function.
	Env map[string]map[string]string
	// Extra maps a function name to statements the user adds
	// (iam_policy_file next to autogen_policy); the function's policy is
	// the union.
	Extra map[string]*iam.Policy
	// Functions, when not empty, limits generation to these functions.
	Functions []string
	// GoEnv is appended to the environment of the go command that loads the
	// packages (e.g. GOFLAGS=-mod=mod, GOOS=linux).
	GoEnv []string
	// BuildFlags are passed to the go command (e.g. -tags=lambda.norpc).
	BuildFlags []string
}

// MainRequest asks for the policy of a plain aws-lambda-go program.
type MainRequest struct {
	// Dir is the directory of the main package.
	Dir string
	// Env are the function's environment variables, if known; without
	// them, names read from the environment are not scoped.
	Env map[string]string
	// FunctionName is the Lambda function's name. When set, the policy
	// grants CloudWatch Logs access to its log group.
	FunctionName string
	// GoEnv and BuildFlags are as in Request.
	GoEnv      []string
	BuildFlags []string
}

// Result is the outcome of Generate.
type Result struct {
	// ModuleDir is the root of the user's module; the files of positions
	// inside it are relative to it.
	ModuleDir string
	// Functions maps a function name to its policy.
	Functions map[string]*FunctionResult
	// Diagnostics are the problems found in the user's code, for every
	// function, sorted by position.
	Diagnostics []Diagnostic
}

// Names returns the function names of r, sorted.
func (r *Result) Names() []string {
	names := make([]string, 0, len(r.Functions))
	for n := range r.Functions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// FunctionResult is the generated policy of one function.
type FunctionResult struct {
	// Name is the function's name within the app ("api_handler" for the
	// API handler; empty for a plain main package).
	Name string
	// LambdaName is the Lambda function's name ("<app>-<stage>" for the API
	// handler, "<app>-<stage>-<name>" otherwise).
	LambdaName string
	// RoleName is the name of the function's own role,
	// "<app>-<stage>-<name>": every function gets one when its policy is
	// generated.
	RoleName string
	// Policy is the policy document, canonical, with ARN placeholders
	// (see Resolve): CodePolicy and what every role needs whatever its code
	// calls (internal/execrole: its log group, its pull source, its
	// failure destination, its VPC).
	Policy *iam.Policy
	// CodePolicy is the statements for the code's calls and the user's
	// extra statements only: deploy merges it with the execution-role
	// needs it resolves itself (a stream's exact ARN, say).
	CodePolicy *iam.Policy
	// Explain maps every action of Policy to the reasons for it.
	Explain map[string][]Reason
	// Diagnostics are this function's problems, sorted by position.
	Diagnostics []Diagnostic
	// Notes say what the function's event source needs outside its role:
	// a push source (schedule, EventBridge, SNS, S3, authorizer) invokes
	// the function through a resource-based permission the deployer
	// creates, so the policy has no statement for it.
	Notes []string
}

// Reason is why a policy grants an action.
type Reason struct {
	// Pos is the call site that needs the action; zero for actions every
	// function of its kind needs (logs, event source reads).
	Pos Position `json:"pos,omitzero"`
	// Operation is the SDK operation called, e.g. "dynamodb.GetItem", or
	// a description such as "CloudWatch Logs for the function's log group".
	Operation string `json:"operation"`
	// Resources are the resources this call needs the action on.
	Resources []string `json:"resources"`
	// Condition narrows the grant on Resources: a KMS call that names its
	// key by alias is allowed on any key of the account, but only when the
	// request uses that alias (StringEquals kms:RequestAlias).
	Condition iam.Conditions `json:"condition,omitempty"`
}

// String formats r as "file:line: operation on resources", followed by
// its condition's keys and values in parentheses:
// "(kms:RequestAlias alias/app-data)".
func (r Reason) String() string {
	s := r.Operation
	if r.Pos.File != "" {
		s = r.Pos.String() + ": " + s
	}
	s += " on " + strings.Join(r.Resources, ", ")
	if c := conditionString(r.Condition); c != "" {
		s += " (" + c + ")"
	}
	return s
}

// conditionString formats a condition as "key value, ...", naming the
// operator where it is not StringEquals; "" for none.
func conditionString(c iam.Conditions) string {
	var parts []string
	for _, op := range slices.Sorted(maps.Keys(c)) {
		for _, k := range slices.Sorted(maps.Keys(c[op])) {
			part := k + " " + strings.Join(c[op][k], " | ")
			if op != "StringEquals" {
				part = op + " " + part
			}
			parts = append(parts, part)
		}
	}
	return strings.Join(parts, "; ")
}

// Position is a place in the user's source.
type Position struct {
	// File is relative to the module root for files in the user's module,
	// "module@version/path" for files of dependencies in the module cache,
	// and absolute otherwise.
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// String formats p as file:line:column.
func (p Position) String() string {
	if p.File == "" {
		return "-"
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Severity says how bad a diagnostic is.
type Severity int

// Severities.
const (
	// Info: worth knowing, nothing wrong (a function that calls no AWS).
	Info Severity = iota - 1
	// Warning: the policy is valid but broader than needed (a "*"
	// resource).
	Warning
	// Error: the policy lacks something the code needs (an operation with
	// no known IAM action).
	Error
)

// String returns "note", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Info:
		return "note"
	case Error:
		return "error"
	case Warning:
	}
	return "warning"
}

// Code says what kind of problem a diagnostic reports, for callers that
// treat some differently (deploy refuses CodeEnvUnset).
type Code string

// Codes.
const (
	// CodeNoAction: an SDK operation has no known IAM action.
	CodeNoAction Code = "no-action"
	// CodeEnvUnset: a resource name comes from an environment variable
	// the function is not given, so its resource is "*".
	CodeEnvUnset Code = "env-unset"
	// CodeUnresolved: a resource name is not a constant or an environment
	// variable the analysis can follow, so its resource is "*".
	CodeUnresolved Code = "unresolved"
	// CodeNotScoped: the analysis does not know how to scope the action.
	CodeNotScoped Code = "not-scoped"
	// CodeBadManifest: the manifest holds something this version does not
	// understand.
	CodeBadManifest Code = "bad-manifest"
	// CodeNoCalls: the function's code reaches no AWS call (Info).
	CodeNoCalls Code = "no-calls"
)

// Diagnostic is a positioned problem in the user's code or config.
type Diagnostic struct {
	Pos      Position
	Severity Severity
	Code     Code
	// Function is the function whose policy the problem affects.
	Function string
	// Message says what is wrong; Fix how to fix it.
	Message string
	Fix     string
}

// String formats d as "file:line:col: severity: message (fix)".
func (d Diagnostic) String() string {
	s := fmt.Sprintf("%s: %s: %s", d.Pos, d.Severity, d.Message)
	if d.Function != "" {
		s += " [" + d.Function + "]"
	}
	if d.Fix != "" {
		s += "; fix: " + d.Fix
	}
	return s
}

// Generate analyses the user's module and returns the policy of every
// function of the manifest (or of req.Functions). Problems in the user's
// code are diagnostics in the result; an error means the analysis could
// not run (the code does not load or type-check, a handler is not found).
func Generate(ctx context.Context, req Request) (*Result, error) {
	if req.Manifest == nil {
		return nil, fmt.Errorf("policygen: no manifest")
	}
	table, err := awsdata.Load()
	if err != nil {
		return nil, err
	}
	m := req.Manifest
	fns := m.Functions
	if len(req.Functions) > 0 {
		fns = nil
		for _, name := range req.Functions {
			f, ok := m.Function(name)
			if !ok {
				return nil, fmt.Errorf("policygen: function %q is not in the manifest of %s", name, m.AppName)
			}
			fns = append(fns, f)
		}
	}
	var all []manifest.Handler // every function's, to tell handlers apart
	for _, r := range m.Routes {
		all = append(all, r.Handler)
	}
	for _, f := range m.Functions {
		if f.Kind != manifest.KindAPI {
			all = append(all, f.Handler)
		}
	}
	prog, err := load(ctx, loadConfig{dir: req.Dir, goEnv: req.GoEnv, buildFlags: req.BuildFlags, handlers: all}, table)
	if err != nil {
		return nil, err
	}
	prog.webSocketAPI = m.HasWebSocket()
	// The handlers of every function: registering one names it without
	// calling it, so each is reachable only from its own function.
	handlerRoots := map[string][]root{}
	skip := map[ast.Node]bool{}
	for _, f := range m.Functions {
		var hs []manifest.Handler
		if f.Kind == manifest.KindAPI {
			for _, r := range m.Routes {
				hs = append(hs, r.Handler)
			}
		} else {
			hs = append(hs, f.Handler)
		}
		for _, h := range hs {
			rs, err := prog.findHandler(h)
			if err != nil {
				return nil, fmt.Errorf("policygen: function %s: %w", f.Name, err)
			}
			handlerRoots[f.Name] = append(handlerRoots[f.Name], rs...)
			for _, r := range rs {
				skip[r.node()] = true
			}
		}
	}
	startup := prog.startupRoots()
	middleware := prog.middlewareRoots()
	for _, r := range middleware {
		skip[r.node()] = true
	}
	res := &Result{ModuleDir: prog.modDir, Functions: map[string]*FunctionResult{}}
	calls := false
	for _, f := range fns {
		roots := append([]root(nil), handlerRoots[f.Name]...)
		if f.Kind == manifest.KindAPI {
			roots = append(roots, middleware...)
		}
		roots = append(roots, startup...)
		n, ok := req.Names[f.Name]
		if !ok {
			n = names.Stage{App: m.AppName, Stage: req.Stage}.Function(f.Name)
		}
		fr := prog.function(f.Name, roots, skip, req.Env[f.Name], sourceOf(f))
		fr.result.LambdaName = n.Lambda
		fr.result.RoleName = n.Role
		calls = calls || len(fr.grants) > 0
		fr.result.CodePolicy = iam.Merge(fr.policy(), req.Extra[f.Name]).Canonical()
		fr.addBaseline(f, n, req.VPC[f.Name])
		fr.finish(req.Extra[f.Name])
		res.Functions[f.Name] = fr.result
		res.Diagnostics = append(res.Diagnostics, fr.result.Diagnostics...)
	}
	if !calls {
		what := "the code of every function"
		if len(fns) == 1 {
			what = "the code of function " + fns[0].Name
		}
		res.Diagnostics = append(res.Diagnostics, noCalls(what))
	}
	sortDiagnostics(res.Diagnostics)
	return res, nil
}

// GenerateMain analyses a plain aws-lambda-go main package: everything
// main and the packages' initialisation reach, with the handler passed to
// lambda.Start, lambda.StartWithOptions or lambda.StartHandlerFunc and
// whatever else main hands to code that calls it (an HTTP router behind
// an API Gateway adapter, say). It returns one policy document.
func GenerateMain(ctx context.Context, req MainRequest) (*FunctionResult, error) {
	table, err := awsdata.Load()
	if err != nil {
		return nil, err
	}
	prog, err := load(ctx, loadConfig{dir: req.Dir, goEnv: req.GoEnv, buildFlags: req.BuildFlags, mainOnly: true}, table)
	if err != nil {
		return nil, err
	}
	fr := prog.function("", prog.startupRoots(), nil, req.Env, eventSource{})
	fr.result.LambdaName = req.FunctionName
	if len(fr.grants) == 0 {
		fr.diags = append(fr.diags, noCalls("package main ("+prog.main.PkgPath+")"))
	}
	fr.result.CodePolicy = fr.policy()
	fr.addLogs(req.FunctionName)
	if !prog.callsLambdaStart() {
		fr.result.Notes = append(fr.result.Notes, fmt.Sprintf("package main (%s) calls no lambda.Start: the policy covers what main and the packages' initialisation reach", prog.main.PkgPath))
	}
	fr.finish(nil)
	return fr.result, nil
}

// Resolve returns a copy of p with the ARN placeholders (Partition,
// Region, AccountID) replaced in resources and condition values.
func Resolve(p *iam.Policy, partition, region, account string) *iam.Policy {
	r := strings.NewReplacer(Partition, partition, Region, region, AccountID, account)
	sub := func(s iam.Strings) iam.Strings {
		if s == nil {
			return nil
		}
		out := make(iam.Strings, len(s))
		for i, v := range s {
			out[i] = r.Replace(v)
		}
		return out
	}
	c := &iam.Policy{Version: p.Version, ID: p.ID}
	for _, st := range p.Statement {
		st.Action = append(iam.Strings(nil), st.Action...)
		st.NotAction = append(iam.Strings(nil), st.NotAction...)
		st.Resource = sub(st.Resource)
		st.NotResource = sub(st.NotResource)
		if st.Condition != nil {
			cond := make(iam.Conditions, len(st.Condition))
			for op, kv := range st.Condition {
				cond[op] = make(map[string]iam.Strings, len(kv))
				for k, v := range kv {
					cond[op][k] = sub(v)
				}
			}
			st.Condition = cond
		}
		c.Statement = append(c.Statement, st)
	}
	return c
}

func sortDiagnostics(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Pos.File != b.Pos.File {
			return a.Pos.File < b.Pos.File
		}
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line < b.Pos.Line
		}
		if a.Pos.Column != b.Pos.Column {
			return a.Pos.Column < b.Pos.Column
		}
		if a.Function != b.Function {
			return a.Function < b.Function
		}
		return a.Message < b.Message
	})
}
