package deployer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/execrole"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// Lambda settings every gochalice function has.
const (
	// Runtime is the Lambda runtime of every function: the OS-only
	// runtime for a Go binary named bootstrap.
	Runtime = "provided.al2023"
	// Handler is the handler of every function (unused by the OS-only
	// runtime, but shown by the console).
	Handler = "bootstrap"
	// MaxNameLength is the longest name IAM and Lambda accept for roles
	// and functions.
	MaxNameLength = names.MaxLength
	// KnownAfterApply stands for a value AWS chooses (an API's id, say)
	// in a plan made before it exists.
	KnownAfterApply = "(known after apply)"
)

// Resource is one desired resource: an address that names it within the
// app ("function:handle_stream"), its physical name, the resources it
// needs to exist first, and exactly one typed spec.
type Resource struct {
	Address   string       `json:"address"`
	Type      ResourceType `json:"type"`
	Name      string       `json:"name"`
	DependsOn []string     `json:"depends_on,omitempty"`
	// Note is what a plan says about the resource besides its changes
	// (what a cross-account topic's owner must allow, say).
	Note string `json:"note,omitempty"`

	Role       *RoleSpec       `json:"role,omitempty"`
	Function   *FunctionSpec   `json:"function,omitempty"`
	LogGroup   *LogGroupSpec   `json:"log_group,omitempty"`
	Mapping    *MappingSpec    `json:"event_source_mapping,omitempty"`
	RestAPI    *RestAPISpec    `json:"rest_api,omitempty"`
	Deployment *DeploymentSpec `json:"deployment,omitempty"`
	Permission *PermissionSpec `json:"permission,omitempty"`

	Rule               *RuleSpec               `json:"rule,omitempty"`
	Subscription       *SubscriptionSpec       `json:"subscription,omitempty"`
	BucketNotification *BucketNotificationSpec `json:"bucket_notification,omitempty"`
	InvokeConfig       *InvokeConfigSpec       `json:"invoke_config,omitempty"`
	HTTPAPI            *HTTPAPISpec            `json:"http_api,omitempty"`
	HTTPStage          *HTTPStageSpec          `json:"http_stage,omitempty"`
	UsagePlan          *UsagePlanSpec          `json:"usage_plan,omitempty"`
	DomainName         *DomainNameSpec         `json:"domain_name,omitempty"`
	APIMapping         *APIMappingSpec         `json:"api_mapping,omitempty"`

	WebSocketAPI         *WebSocketAPISpec         `json:"websocket_api,omitempty"`
	WebSocketIntegration *WebSocketIntegrationSpec `json:"websocket_integration,omitempty"`
	WebSocketRoute       *WebSocketRouteSpec       `json:"websocket_route,omitempty"`
	WebSocketStage       *WebSocketStageSpec       `json:"websocket_stage,omitempty"`
}

// Desired is everything an app stage should have in AWS: a plain value,
// built without I/O.
type Desired struct {
	App    string `json:"app"`
	Stage  string `json:"stage"`
	Target Target `json:"target"`
	// Resources are sorted by address.
	Resources []Resource `json:"resources"`
	// Code is the zip every function runs.
	Code *Artifact `json:"-"`
	// APIStage is the REST API's stage name, "" without an API.
	APIStage string `json:"api_stage,omitempty"`
	// Warnings are problems that do not stop a deploy.
	Warnings []string `json:"warnings,omitempty"`
}

// Resource returns the desired resource at address.
func (d *Desired) Resource(address string) (Resource, bool) {
	for _, r := range d.Resources {
		if r.Address == address {
			return r, true
		}
	}
	return Resource{}, false
}

// Input is what a desired state is built from.
type Input struct {
	Manifest *manifest.Manifest
	// Settings are the resolved settings of every function of the
	// manifest, by function name.
	Settings map[string]*stages.Settings
	// Policies are the policies of the functions whose role gochalice
	// manages, by function name, as the PolicySource returned them (the
	// deployer adds the log and stream statements).
	Policies map[string]*iam.Policy
	// Streams maps a stream source that is a table name to the table's
	// latest stream ARN (see ResolveStreams). Sources that are ARNs are
	// used as registered.
	Streams map[string]string
	Target  Target
	Code    *Artifact
	// GeneratedPolicies is true when Policies holds, for functions with
	// autogen_policy, the policies generated from their code; otherwise
	// the desired state warns that autogen grants only logs and streams.
	GeneratedPolicies bool
}

// PolicySource returns the policy of a function whose role gochalice
// manages. The deployer adds CloudWatch Logs access for the function's log
// group, and, when s.AutogenPolicy is true, the stream statements.
type PolicySource func(ctx context.Context, fn manifest.Function, s *stages.Settings) (*iam.Policy, error)

// FilePolicies is the PolicySource of policy files: the file the stage
// names, or, with autogen_policy, an empty policy (code analysis is not
// wired in yet; see AutogenWarning).
func FilePolicies(_ context.Context, _ manifest.Function, s *stages.Settings) (*iam.Policy, error) {
	if s.AutogenPolicy || s.Policy == nil {
		return &iam.Policy{Version: iam.Version}, nil
	}
	return s.Policy, nil
}

// AutogenWarning is the warning of a deploy with autogen_policy while
// policies come from FilePolicies.
const AutogenWarning = "autogen_policy is true but code analysis is not wired into deploy yet: the generated roles allow only CloudWatch Logs and the stream reads; set autogen_policy to false and name a policy file (iam_policy_file) to grant what the code calls"

// Policies collects the policies of the functions of m through src.
func Policies(ctx context.Context, m *manifest.Manifest, settings map[string]*stages.Settings, src PolicySource) (map[string]*iam.Policy, error) {
	out := map[string]*iam.Policy{}
	for _, fn := range m.Functions {
		s := settings[fn.Name]
		if s == nil || !s.ManageIAMRole {
			continue
		}
		p, err := src(ctx, fn, s)
		if err != nil {
			return nil, fmt.Errorf("policy of %s: %w", fn.Name, err)
		}
		out[fn.Name] = p
	}
	return out, nil
}

// Problem is one reason a desired state cannot be built.
type Problem struct {
	// Subject is the function or config key concerned.
	Subject string `json:"subject"`
	Problem string `json:"problem"`
	Fix     string `json:"fix"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%s: %s; %s", p.Subject, p.Problem, p.Fix)
}

// ValidationError holds every problem found in an app stage before any
// change to AWS.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d problem(s) stop the deploy:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Address helpers.
func roleAddr(fn string) string     { return "role:" + fn }
func functionAddr(fn string) string { return "function:" + fn }
func logGroupAddr(fn string) string { return "log_group:" + fn }
func mappingAddr(fn string) string  { return "esm:" + fn }

// BuildDesired works out the desired state of an app stage. It checks
// everything it can before any AWS call — name lengths, event sources
// (set, and names or ARNs of the right service), their settings' ranges,
// and the read and failure-destination access a policy file must grant
// the pull sources — and reports every problem at once as a
// *ValidationError. See desired_events.go for each source's resources
// and permission model.
func BuildDesired(in Input) (*Desired, error) { return buildDesired(in, true) }

// stageNames are the names of the app stage s is resolved for: from
// config.json's app_name, the one app name every AWS name is made from.
func stageNames(s *stages.Settings) names.Stage { return names.Stage{App: s.AppName, Stage: s.Stage} }

// functionNames are the AWS names of the app function fn, resolved as s.
// The Lambda function's name is the resolved setting, which stages makes
// as names does.
func functionNames(s *stages.Settings, fn string) names.Function {
	n := stageNames(s).Function(fn)
	n.Lambda, n.LogGroup = s.LambdaFunctionName, arn.FunctionLogGroupName(s.LambdaFunctionName)
	return n
}

// Names returns the AWS names of every function of p (its Lambda
// function, role, log group, rule...), by the app's name for the
// function: what deploy makes, for gen-policy to scope its statements to.
func (p *Project) Names() map[string]names.Function {
	out := map[string]names.Function{}
	for fn, s := range p.Settings {
		out[fn] = functionNames(s, fn)
	}
	return out
}

// buildDesired is BuildDesired; checkPolicies false skips the checks of
// policy files against what the sources need (DeployerPolicy does not
// care what the roles allow).
func buildDesired(in Input, checkPolicies bool) (*Desired, error) {
	m := in.Manifest
	d := &Desired{App: m.AppName, Target: in.Target, Code: in.Code}
	var problems []Problem
	add := func(subject, problem, fix string) {
		problems = append(problems, Problem{Subject: subject, Problem: problem, Fix: fix})
	}
	autogen := false
	var wsSettings *stages.Settings // a WebSocket handler's, for the API's stage
	var wsRoutes []string
	for _, fn := range m.Functions {
		s := in.Settings[fn.Name]
		if s == nil {
			add(fn.Name, "no resolved settings", "resolve the stage for every function of the manifest")
			continue
		}
		d.App, d.Stage = s.AppName, s.Stage
		n := functionNames(s, fn.Name)
		name := n.Lambda
		if len(name) > names.MaxLength {
			add(fmt.Sprintf("function %s", fn.Name),
				fmt.Sprintf("the Lambda function and role name %q is %d characters, over AWS's limit of %d", name, len(name), names.MaxLength),
				"shorten app_name in .chalice/config.json, the stage name, or the name the app registers the function under")
			continue
		}
		env := maps.Clone(s.EnvironmentVariables)
		if env == nil {
			env = map[string]string{}
		}
		env[manifest.EnvHandler] = fn.Name
		env[manifest.EnvStage] = s.Stage
		fs := &FunctionSpec{
			Function:            fn.Name,
			Runtime:             Runtime,
			Handler:             Handler,
			Architecture:        s.LambdaArchitecture,
			MemorySize:          s.LambdaMemorySize,
			Timeout:             s.LambdaTimeout,
			Environment:         env,
			Tags:                functionTags(s),
			ReservedConcurrency: s.ReservedConcurrency,
			Layers:              s.Layers,
			SubnetIDs:           s.SubnetIDs,
			SecurityGroupIDs:    s.SecurityGroupIDs,
			Tracing:             "PassThrough",
		}
		if s.XRay {
			fs.Tracing = "Active"
		}
		if in.Code != nil {
			fs.CodeSHA256 = in.Code.SHA256
		}
		var deps []string

		// The event source first: the role needs its ARN.
		src, ps := eventSource(in, fn, s, n)
		problems = append(problems, ps...)
		if src.mapping != nil {
			if w := crossRegionWarning(fn.Name, src.mapping.EventSourceARN, in.Target.Region); w != "" {
				d.Warnings = append(d.Warnings, w)
			}
		}

		if s.ManageIAMRole {
			policy := in.Policies[fn.Name]
			if policy == nil {
				policy = &iam.Policy{Version: iam.Version}
			}
			vpc := len(s.SubnetIDs) > 0 || len(s.SecurityGroupIDs) > 0
			switch {
			case s.AutogenPolicy:
				autogen = true
				policy = iam.Merge(policy, src.rolePolicy())
				if vpc {
					policy = iam.Merge(policy, execrole.Policy(execrole.AttachToVPC()))
				}
			case checkPolicies:
				ps, ws := src.checkPolicy(policy, fn.Name, s.IAMPolicyFile)
				problems = append(problems, ps...)
				d.Warnings = append(d.Warnings, ws...)
				if need := execrole.AttachToVPC(); vpc && len(missingActions(policy, need)) > 0 {
					d.Warnings = append(d.Warnings, fmt.Sprintf("function %s: its policy file %s does not allow %s, which Lambda needs to attach the function to its VPC: add %s",
						fn.Name, s.IAMPolicyFile, strings.Join(missingActions(policy, need), ", "), needStatement(need)))
				}
			}
			policy = iam.Merge(policy, LogsPolicy(in.Target, name))
			doc, err := policy.MarshalCanonical()
			if err != nil {
				add(fmt.Sprintf("function %s", fn.Name), err.Error(), "fix the policy")
				continue
			}
			// Every function has its own role "<app>-<stage>-<function>",
			// the API handler's included, as Chalice names per-function
			// roles.
			role := n.Role
			if len(role) > names.MaxLength {
				add(fmt.Sprintf("function %s", fn.Name),
					fmt.Sprintf("the IAM role name %q is %d characters, over AWS's limit of %d", role, len(role), names.MaxLength),
					"shorten app_name in .chalice/config.json, the stage name, or the name the app registers the function under")
				continue
			}
			roleDeps, p := webSocketRoleDeps(m, fn.Name, s, string(doc))
			if p != nil {
				problems = append(problems, *p)
				continue
			}
			d.Resources = append(d.Resources, Resource{
				Address: roleAddr(fn.Name), Type: TypeRole, Name: role, Note: roleNote(fn.Name, policySource(s)), DependsOn: roleDeps,
				Role: &RoleSpec{TrustPolicy: trustPolicy(), PolicyName: role, Policy: canonicalJSONString(string(doc)), Source: policySource(s)},
			})
			fs.RoleARN = in.Target.Role(role)
			deps = append(deps, roleAddr(fn.Name))
		} else {
			fs.RoleARN = s.IAMRoleARN
		}
		d.Resources = append(d.Resources, Resource{
			Address: functionAddr(fn.Name), Type: TypeFunction, Name: name, DependsOn: deps, Function: fs,
		})
		if s.LogRetentionInDays > 0 {
			d.Resources = append(d.Resources, Resource{
				Address: logGroupAddr(fn.Name), Type: TypeLogGroup, Name: n.LogGroup,
				DependsOn: []string{functionAddr(fn.Name)},
				LogGroup:  &LogGroupSpec{RetentionInDays: s.LogRetentionInDays},
			})
		}
		if src.mapping != nil {
			d.Resources = append(d.Resources, Resource{
				Address: mappingAddr(fn.Name), Type: TypeEventSourceMapping, Name: name,
				DependsOn: []string{functionAddr(fn.Name)},
				Mapping:   src.mapping,
			})
		}
		d.Resources = append(d.Resources, src.resources...)
		if fn.Kind == manifest.KindAPI {
			rs, stage, ps := apiResources(in, fn, s, n)
			problems = append(problems, ps...)
			if len(ps) == 0 {
				d.APIStage = stage
				d.Resources = append(d.Resources, rs...)
			}
			if s.XRay && s.APIGatewayType == stages.APIGatewayTypeHTTP {
				d.Warnings = append(d.Warnings, httpXRayWarning)
			}
		}
		if fn.Kind.IsWebSocket() {
			wsSettings = s
			wsRoutes = append(wsRoutes, webSocketRouteAddr(fn.Name))
			d.Resources = append(d.Resources, webSocketFunctionResources(in.Target, fn, name)...)
		}
	}
	if wsSettings != nil {
		d.Resources = append(d.Resources, webSocketAPIResources(wsSettings, wsRoutes)...)
		domain, ps := webSocketDomainResources(wsSettings, in.Target)
		problems = append(problems, ps...)
		d.Resources = append(d.Resources, domain...)
	}
	if len(problems) > 0 {
		return nil, &ValidationError{Problems: problems}
	}
	if autogen && !in.GeneratedPolicies {
		d.Warnings = append(d.Warnings, AutogenWarning)
	}
	slices.SortFunc(d.Resources, func(a, b Resource) int { return strings.Compare(a.Address, b.Address) })
	return d, nil
}

// functionTags are the user's tags plus the ones that mark the function as
// this app's.
func functionTags(s *stages.Settings) map[string]string {
	tags := maps.Clone(s.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	tags[names.ChaliceTag] = stageNames(s).ChaliceTagValue()
	return tags
}

// canonicalJSONString re-encodes a JSON document with sorted keys and no
// insignificant space; it returns s unchanged when s is not JSON.
func canonicalJSONString(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return s
	}
	return strings.TrimSpace(buf.String())
}

// LogsPolicy allows a function to write to its own log group.
func LogsPolicy(t Target, functionName string) *iam.Policy {
	return execrole.Policy(execrole.FunctionLogs(t, functionName))
}

// StreamReadPolicy allows reading one DynamoDB stream, as an event source
// mapping needs. dynamodb:ListStreams is allowed on "*", the only resource
// IAM accepts for it.
func StreamReadPolicy(streamARN string) *iam.Policy {
	return execrole.Policy(execrole.ReadDynamoDBStream(streamARN)...)
}

// MissingStreamAccess returns the actions, of those an event source
// mapping needs to read streamARN, that p does not allow; nil when it
// allows them all. Deny statements and conditions are not evaluated: it
// checks that the access is granted, not that nothing takes it away.
func MissingStreamAccess(p *iam.Policy, streamARN string) []string {
	missing := missingActions(p, execrole.ReadDynamoDBStream(streamARN)[0])
	if !allows(p, "dynamodb:ListStreams", "*") {
		missing = append(missing, `dynamodb:ListStreams on "*"`)
	}
	return missing
}

// allows reports whether an Allow statement of p grants action on
// resource. A resource of "*" must be granted by a "*" resource.
func allows(p *iam.Policy, action, resource string) bool {
	for _, st := range p.Statement {
		if st.Effect != "Allow" || len(st.NotAction) > 0 || len(st.NotResource) > 0 {
			continue
		}
		if !slices.ContainsFunc(st.Action, func(pat string) bool { return globMatch(strings.ToLower(pat), strings.ToLower(action)) }) {
			continue
		}
		if slices.ContainsFunc(st.Resource, func(pat string) bool {
			if resource == "*" {
				return pat == "*"
			}
			return globMatch(pat, resource)
		}) {
			return true
		}
	}
	return false
}

// globMatch matches s against an IAM pattern: "*" matches any run of
// characters and "?" any one character.
func globMatch(pat, s string) bool {
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pat[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pat[1:], s[1:])
	}
	return s != "" && s[0] == pat[0] && globMatch(pat[1:], s[1:])
}

// isStreamARN reports whether s looks like a DynamoDB stream ARN.
func isStreamARN(s string) bool {
	parts := strings.SplitN(s, ":", 6)
	return len(parts) == 6 && parts[2] == "dynamodb" && strings.Contains(parts[5], "/stream/") && strings.HasPrefix(parts[5], "table/")
}

// itoa formats an int attribute.
func itoa(n int) string { return strconv.Itoa(n) }

func policySource(s *stages.Settings) string {
	if s.AutogenPolicy {
		return "autogen_policy"
	}
	return s.IAMPolicyFile
}
