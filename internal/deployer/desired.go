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

	"github.com/gochalice/gochalice/internal/execrole"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/internal/state"
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
	MaxNameLength = 64
	// PermissionStatementID is the Sid of the statement that lets API
	// Gateway invoke the API handler.
	PermissionStatementID = "gochalice-rest-api"
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
}

// RoleSpec is a function's execution role.
type RoleSpec struct {
	// TrustPolicy lets Lambda assume the role (canonical JSON).
	TrustPolicy string `json:"trust_policy"`
	// PolicyName is the name of the role's one inline policy.
	PolicyName string `json:"policy_name"`
	// Policy is the inline policy (canonical JSON).
	Policy string `json:"policy"`
	// Source says where the policy came from: the policy file's path, or
	// "autogen_policy".
	Source string `json:"source"`
}

// FunctionSpec is a Lambda function running the app's binary.
type FunctionSpec struct {
	Function            string            `json:"function"`
	RoleARN             string            `json:"role_arn"`
	Runtime             string            `json:"runtime"`
	Handler             string            `json:"handler"`
	Architecture        string            `json:"architecture"`
	MemorySize          int               `json:"memory_size"`
	Timeout             int               `json:"timeout"`
	Environment         map[string]string `json:"environment"`
	Tags                map[string]string `json:"tags"`
	ReservedConcurrency *int              `json:"reserved_concurrency,omitempty"`
	Layers              []string          `json:"layers,omitempty"`
	SubnetIDs           []string          `json:"subnet_ids,omitempty"`
	SecurityGroupIDs    []string          `json:"security_group_ids,omitempty"`
	Tracing             string            `json:"tracing"`
	CodeSHA256          string            `json:"code_sha256"`
}

// LogGroupSpec is a function's log group, managed only for its retention.
type LogGroupSpec struct {
	RetentionInDays int `json:"retention_in_days"`
}

// MappingSpec is an event source mapping of a pull source: a DynamoDB or
// Kinesis stream, or an SQS queue.
type MappingSpec struct {
	FunctionName   string `json:"function_name"`
	EventSourceARN string `json:"event_source_arn"`
	BatchSize      int    `json:"batch_size"`
	// StartingPosition is LATEST or TRIM_HORIZON for streams, "" for
	// queues.
	StartingPosition               string `json:"starting_position"`
	MaximumBatchingWindowInSeconds int    `json:"maximum_batching_window_in_seconds"`
	ReportBatchItemFailures        bool   `json:"report_batch_item_failures"`

	// MaximumConcurrency (ScalingConfig) is a queue's, 0 for no limit.
	MaximumConcurrency int `json:"maximum_concurrency,omitempty"`

	// Streams only: where failed batches go (an SQS queue or SNS topic),
	// how often a batch is retried (-1 forever; nil Lambda's default,
	// forever) and how old a record may get (-1 any age; nil Lambda's
	// default), and whether a failed batch is split in two.
	OnFailureARN               string `json:"on_failure_arn,omitempty"`
	MaximumRetryAttempts       *int   `json:"maximum_retry_attempts,omitempty"`
	MaximumRecordAgeInSeconds  *int   `json:"maximum_record_age_in_seconds,omitempty"`
	BisectBatchOnFunctionError bool   `json:"bisect_batch_on_function_error,omitempty"`
}

// isQueueSource reports whether a mapping's source is an SQS queue (an
// ARN, possibly with template placeholders).
func isQueueSource(arn string) bool { return strings.Contains(arn, ":sqs:") }

// RestAPISpec is the REST API, imported from an OpenAPI (Swagger 2.0)
// document.
type RestAPISpec struct {
	// Description marks the API as this app's and stage's, so a deploy
	// interrupted before it recorded the API's id finds it again.
	Description  string `json:"description"`
	EndpointType string `json:"endpoint_type"`
	// Document is the OpenAPI document; DocumentSHA256 its hex SHA-256.
	Document       json.RawMessage `json:"-"`
	DocumentSHA256 string          `json:"document_sha256"`
}

// DeploymentSpec is the REST API deployed to a stage.
type DeploymentSpec struct {
	StageName      string `json:"stage_name"`
	DocumentSHA256 string `json:"document_sha256"`
}

// PermissionSpec is a statement of a function's resource-based policy
// that lets one source invoke it: API Gateway from this REST (or HTTP)
// API, EventBridge from one rule, SNS from one topic, S3 from one bucket
// of one account.
type PermissionSpec struct {
	FunctionName string `json:"function_name"`
	StatementID  string `json:"statement_id"`
	Principal    string `json:"principal"`
	Action       string `json:"action"`
	// SourceARN is the ARN the source must have; "" means any stage,
	// method and path of the app's REST API (recorded). APIIDPlaceholder
	// in it is replaced by the recorded REST or HTTP API's id.
	SourceARN string `json:"source_arn,omitempty"`
	// SourceAccount is the account the source must belong to (S3, whose
	// bucket ARNs name no account); "" for no condition.
	SourceAccount string `json:"source_account,omitempty"`
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
func roleAddr(fn string) string       { return "role:" + fn }
func functionAddr(fn string) string   { return "function:" + fn }
func logGroupAddr(fn string) string   { return "log_group:" + fn }
func mappingAddr(fn string) string    { return "esm:" + fn }
func permissionAddr(fn string) string { return "permission:" + fn }

// deploymentAddr is the address of the REST API's deployment to a stage:
// a renamed stage is another resource, so the old stage is deleted.
func deploymentAddr(stage string) string { return state.DeploymentAddr(stage) }

const restAPIAddr = "rest_api"

// BuildDesired works out the desired state of an app stage. It checks
// everything it can before any AWS call — name lengths, event sources
// (set, and names or ARNs of the right service), their settings' ranges,
// and the read and failure-destination access a policy file must grant
// the pull sources — and reports every problem at once as a
// *ValidationError. See desired_events.go for each source's resources
// and permission model.
func BuildDesired(in Input) (*Desired, error) {
	m := in.Manifest
	d := &Desired{App: m.AppName, Target: in.Target, Code: in.Code}
	var problems []Problem
	add := func(subject, problem, fix string) {
		problems = append(problems, Problem{Subject: subject, Problem: problem, Fix: fix})
	}
	autogen := false
	for _, fn := range m.Functions {
		s := in.Settings[fn.Name]
		if s == nil {
			add(fn.Name, "no resolved settings", "resolve the stage for every function of the manifest")
			continue
		}
		d.Stage = s.Stage
		name := s.LambdaFunctionName
		if len(name) > MaxNameLength {
			add(fmt.Sprintf("function %s", fn.Name),
				fmt.Sprintf("the Lambda function and role name %q is %d characters, over AWS's limit of %d", name, len(name), MaxNameLength),
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
		src, ps := eventSource(in, fn, s, name)
		problems = append(problems, ps...)

		if s.ManageIAMRole {
			policy := in.Policies[fn.Name]
			if policy == nil {
				policy = &iam.Policy{Version: iam.Version}
			}
			vpc := len(s.SubnetIDs) > 0 || len(s.SecurityGroupIDs) > 0
			if s.AutogenPolicy {
				autogen = true
				policy = iam.Merge(policy, src.rolePolicy())
				if vpc {
					policy = iam.Merge(policy, execrole.Policy(execrole.AttachToVPC()))
				}
			} else {
				ps, ws := src.checkPolicy(policy, fn.Name, s.IAMPolicyFile)
				problems = append(problems, ps...)
				d.Warnings = append(d.Warnings, ws...)
				if n := execrole.AttachToVPC(); vpc && len(missingActions(policy, n)) > 0 {
					d.Warnings = append(d.Warnings, fmt.Sprintf("function %s: its policy file %s does not allow %s, which Lambda needs to attach the function to its VPC: add %s",
						fn.Name, s.IAMPolicyFile, strings.Join(missingActions(policy, n), ", "), needStatement(n)))
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
			role := s.AppName + "-" + s.Stage + "-" + fn.Name
			if len(role) > MaxNameLength {
				add(fmt.Sprintf("function %s", fn.Name),
					fmt.Sprintf("the IAM role name %q is %d characters, over AWS's limit of %d", role, len(role), MaxNameLength),
					"shorten app_name in .chalice/config.json, the stage name, or the name the app registers the function under")
				continue
			}
			d.Resources = append(d.Resources, Resource{
				Address: roleAddr(fn.Name), Type: TypeRole, Name: role,
				Role: &RoleSpec{TrustPolicy: trustPolicy, PolicyName: role, Policy: canonicalJSONString(string(doc)), Source: policySource(s)},
			})
			fs.RoleARN = fmt.Sprintf("arn:%s:iam::%s:role/%s", in.Target.Partition, in.Target.Account, role)
			deps = append(deps, roleAddr(fn.Name))
		} else {
			fs.RoleARN = s.IAMRoleARN
		}
		d.Resources = append(d.Resources, Resource{
			Address: functionAddr(fn.Name), Type: TypeFunction, Name: name, DependsOn: deps, Function: fs,
		})
		if s.LogRetentionInDays > 0 {
			d.Resources = append(d.Resources, Resource{
				Address: logGroupAddr(fn.Name), Type: TypeLogGroup, Name: "/aws/lambda/" + name,
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
			rs, stage, ps := apiResources(in, fn, s, name)
			problems = append(problems, ps...)
			if len(ps) == 0 {
				d.APIStage = stage
				d.Resources = append(d.Resources, rs...)
			}
		}
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
	tags["aws-chalice"] = fmt.Sprintf("version=gochalice:stage=%s:app=%s", s.Stage, s.AppName)
	return tags
}

func restAPIDescription(app, stage string) string {
	return fmt.Sprintf("gochalice app %s, stage %s", app, stage)
}

// trustPolicy lets Lambda assume a role.
var trustPolicy = canonicalJSONString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

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
