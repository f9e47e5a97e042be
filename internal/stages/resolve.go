package stages

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/manifest"
)

// Level is a level of config.json, and so where a resolved value came
// from. Later levels are more specific and win.
type Level int

const (
	// LevelDefault is a value nobody wrote: Chalice's (or gochalice's)
	// default.
	LevelDefault Level = iota
	// LevelTop is the top level of config.json.
	LevelTop
	// LevelTopFunction is lambda_functions.<fn> at the top level.
	LevelTopFunction
	// LevelStage is stages.<stage>.
	LevelStage
	// LevelStageFunction is stages.<stage>.lambda_functions.<fn>.
	LevelStageFunction
)

// String returns "default", "top-level", "top-level function", "stage" or
// "stage function".
func (l Level) String() string {
	switch l {
	case LevelDefault:
		return "default"
	case LevelTop:
		return "top-level"
	case LevelTopFunction:
		return "top-level function"
	case LevelStage:
		return "stage"
	case LevelStageFunction:
		return "stage function"
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// MarshalText writes the level as its String form.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// KeyPath returns the key path at which key is written at level l when
// resolving (stage, function): "lambda_timeout",
// "lambda_functions.<fn>.lambda_timeout", "stages.<stage>.lambda_timeout"
// or "stages.<stage>.lambda_functions.<fn>.lambda_timeout". It is "" for
// LevelDefault.
func (l Level) KeyPath(stage, function, key string) string {
	switch l {
	case LevelTop:
		return joinPath("", key)
	case LevelTopFunction:
		return joinPath(joinPath(joinPath("", "lambda_functions"), function), key)
	case LevelStage:
		return joinPath(joinPath("stages", stage), key)
	case LevelStageFunction:
		return joinPath(joinPath(joinPath(joinPath("stages", stage), "lambda_functions"), function), key)
	}
	return ""
}

// Defaults, as in Chalice, plus gochalice's own.
const (
	DefaultLambdaMemorySize       = 128
	DefaultLambdaTimeout          = 60
	DefaultAPIGatewayStage        = "api"
	DefaultAPIGatewayEndpointType = "EDGE"
	DefaultAPIGatewayType         = APIGatewayTypeREST
	DefaultLambdaArchitecture     = "arm64"
)

// The values of api_gateway_type.
const (
	// APIGatewayTypeREST is an API Gateway REST API (v1), as in Chalice.
	APIGatewayTypeREST = "REST"
	// APIGatewayTypeHTTP is an API Gateway HTTP API (v2): cheaper and
	// faster, regional only, with no resource policy and no API keys.
	APIGatewayTypeHTTP = "HTTP"
)

// Settings are the resolved settings of one function in one stage. Every
// value is filled in: from config.json where it is set, from the default
// otherwise. Origins says which level each value came from.
type Settings struct {
	// AppName is app_name.
	AppName string `json:"app_name"`
	// Stage is the stage resolved.
	Stage string `json:"stage"`
	// Function is the function resolved, as the app registers it.
	Function string `json:"function"`
	// LambdaFunctionName is the name of the Lambda function, as Chalice
	// names it: "<app>-<stage>" for the API handler, else
	// "<app>-<stage>-<function>".
	LambdaFunctionName string `json:"lambda_function_name"`

	// EnvironmentVariables are the function's variables, merged key by key
	// across levels. They do not include the GOCHALICE_* variables the
	// deployer adds.
	EnvironmentVariables map[string]string `json:"environment_variables"`
	// Tags are the function's tags, merged key by key across levels.
	Tags map[string]string `json:"tags"`

	// LambdaMemorySize is in MB (128 to 10240; default 128).
	LambdaMemorySize int `json:"lambda_memory_size"`
	// LambdaTimeout is in seconds (1 to 900; default 60).
	LambdaTimeout int `json:"lambda_timeout"`
	// LambdaArchitecture is "arm64" (default) or "x86_64".
	LambdaArchitecture string `json:"lambda_architecture"`
	// Region is the AWS region, "" to use the AWS configuration's.
	Region string `json:"region"`

	// ManageIAMRole is false when the function runs as IAMRoleARN.
	ManageIAMRole bool `json:"manage_iam_role"`
	// IAMRoleARN is the pre-made role; it is used only when ManageIAMRole
	// is false.
	IAMRoleARN string `json:"iam_role_arn"`
	// AutogenPolicy is true when gochalice generates the role's policy
	// from the code; it means nothing when ManageIAMRole is false.
	AutogenPolicy bool `json:"autogen_policy"`
	// IAMPolicyFile is the policy file's path relative to the project
	// folder, with forward slashes (".chalice/policy-dev.json"); "" when
	// the role is not managed, or when the policy is generated and no file
	// adds statements to it. With AutogenPolicy, the file's statements are
	// added to the generated policy.
	IAMPolicyFile string `json:"iam_policy_file"`
	// Policy is IAMPolicyFile, parsed; nil when IAMPolicyFile is "".
	Policy *iam.Policy `json:"policy"`

	// APIGatewayStage is the REST API's stage name (default "api").
	APIGatewayStage string `json:"api_gateway_stage"`
	// APIGatewayType is the kind of API the routes are served by: REST
	// (default) or HTTP.
	APIGatewayType string `json:"api_gateway_type"`
	// APIGatewayEndpointType is EDGE (default), REGIONAL or PRIVATE; it is
	// REGIONAL by default for an HTTP API, whose endpoints are all
	// regional.
	APIGatewayEndpointType string `json:"api_gateway_endpoint_type"`
	// APIGatewayEndpointVPCE are the VPC endpoint IDs of a PRIVATE API.
	APIGatewayEndpointVPCE []string `json:"api_gateway_endpoint_vpce"`
	// APIGatewayPolicyFile is the REST API resource policy's path relative
	// to the project folder, "" when there is none.
	APIGatewayPolicyFile string `json:"api_gateway_policy_file"`
	// APIGatewayPolicy is APIGatewayPolicyFile, parsed.
	APIGatewayPolicy *iam.Policy `json:"api_gateway_policy"`
	// APIGatewayCustomDomain is the REST API's custom domain, if any.
	APIGatewayCustomDomain *CustomDomain `json:"api_gateway_custom_domain"`
	// WebsocketAPICustomDomain is the WebSocket API's custom domain, if
	// any.
	WebsocketAPICustomDomain *CustomDomain `json:"websocket_api_custom_domain"`
	// MinimumCompressionSize is the REST API's minimum compression size
	// in bytes; nil leaves compression off.
	MinimumCompressionSize *int `json:"minimum_compression_size"`

	// ReservedConcurrency is the function's reserved concurrency; nil
	// reserves none.
	ReservedConcurrency *int `json:"reserved_concurrency"`
	// Layers are Lambda layer version ARNs.
	Layers []string `json:"layers"`
	// SubnetIDs and SecurityGroupIDs attach the function to a VPC; both
	// are set or neither is.
	SubnetIDs        []string `json:"subnet_ids"`
	SecurityGroupIDs []string `json:"security_group_ids"`
	// XRay turns on active tracing.
	XRay bool `json:"xray"`
	// LogRetentionInDays is the retention of the function's log group; 0
	// leaves the log group's retention alone (logs never expire).
	LogRetentionInDays int `json:"log_retention_in_days"`

	// Origins says where each value came from.
	Origins Origins `json:"origins"`
}

// Origins records, for each field of Settings, the level of config.json
// its value came from; for the merged maps, the level of each key.
type Origins struct {
	EnvironmentVariables     map[string]Level `json:"environment_variables"`
	Tags                     map[string]Level `json:"tags"`
	LambdaMemorySize         Level            `json:"lambda_memory_size"`
	LambdaTimeout            Level            `json:"lambda_timeout"`
	LambdaArchitecture       Level            `json:"lambda_architecture"`
	Region                   Level            `json:"region"`
	ManageIAMRole            Level            `json:"manage_iam_role"`
	IAMRoleARN               Level            `json:"iam_role_arn"`
	AutogenPolicy            Level            `json:"autogen_policy"`
	IAMPolicyFile            Level            `json:"iam_policy_file"`
	APIGatewayStage          Level            `json:"api_gateway_stage"`
	APIGatewayType           Level            `json:"api_gateway_type"`
	APIGatewayEndpointType   Level            `json:"api_gateway_endpoint_type"`
	APIGatewayEndpointVPCE   Level            `json:"api_gateway_endpoint_vpce"`
	APIGatewayPolicyFile     Level            `json:"api_gateway_policy_file"`
	APIGatewayCustomDomain   Level            `json:"api_gateway_custom_domain"`
	WebsocketAPICustomDomain Level            `json:"websocket_api_custom_domain"`
	MinimumCompressionSize   Level            `json:"minimum_compression_size"`
	ReservedConcurrency      Level            `json:"reserved_concurrency"`
	Layers                   Level            `json:"layers"`
	SubnetIDs                Level            `json:"subnet_ids"`
	SecurityGroupIDs         Level            `json:"security_group_ids"`
	XRay                     Level            `json:"xray"`
	LogRetentionInDays       Level            `json:"log_retention_in_days"`
}

// Field is one resolved value, for display: its config.json key, its
// value and where it came from.
type Field struct {
	// Key is the config.json key, or "environment_variables.<NAME>" and
	// "tags.<key>" for one entry of a merged map.
	Key string `json:"key"`
	// Value is the resolved value: a string, int, bool, []string, *int,
	// *CustomDomain, or nil.
	Value any `json:"value"`
	// Origin is the level the value came from.
	Origin Level `json:"origin"`
	// KeyPath is where in config.json the value is written; "" for a
	// default.
	KeyPath string `json:"key_path,omitempty"`
}

// Fields lists every resolved value with its origin, in the order
// Chalice's documentation lists the keys; the entries of the merged maps
// are sorted by name.
func (s *Settings) Fields() []Field {
	o := s.Origins
	var out []Field
	add := func(key string, v any, lv Level) {
		out = append(out, Field{Key: key, Value: v, Origin: lv, KeyPath: lv.KeyPath(s.Stage, s.Function, key)})
	}
	for _, k := range slices.Sorted(maps.Keys(s.EnvironmentVariables)) {
		lv := o.EnvironmentVariables[k]
		out = append(out, Field{Key: "environment_variables." + k, Value: s.EnvironmentVariables[k], Origin: lv,
			KeyPath: joinPath(lv.KeyPath(s.Stage, s.Function, "environment_variables"), k)})
	}
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		lv := o.Tags[k]
		out = append(out, Field{Key: "tags." + k, Value: s.Tags[k], Origin: lv,
			KeyPath: joinPath(lv.KeyPath(s.Stage, s.Function, "tags"), k)})
	}
	add("lambda_memory_size", s.LambdaMemorySize, o.LambdaMemorySize)
	add("lambda_timeout", s.LambdaTimeout, o.LambdaTimeout)
	add("lambda_architecture", s.LambdaArchitecture, o.LambdaArchitecture)
	add("region", s.Region, o.Region)
	add("manage_iam_role", s.ManageIAMRole, o.ManageIAMRole)
	add("iam_role_arn", s.IAMRoleARN, o.IAMRoleARN)
	add("autogen_policy", s.AutogenPolicy, o.AutogenPolicy)
	add("iam_policy_file", s.IAMPolicyFile, o.IAMPolicyFile)
	add("api_gateway_stage", s.APIGatewayStage, o.APIGatewayStage)
	add("api_gateway_type", s.APIGatewayType, o.APIGatewayType)
	add("api_gateway_endpoint_type", s.APIGatewayEndpointType, o.APIGatewayEndpointType)
	add("api_gateway_endpoint_vpce", s.APIGatewayEndpointVPCE, o.APIGatewayEndpointVPCE)
	add("api_gateway_policy_file", s.APIGatewayPolicyFile, o.APIGatewayPolicyFile)
	add("api_gateway_custom_domain", s.APIGatewayCustomDomain, o.APIGatewayCustomDomain)
	add("websocket_api_custom_domain", s.WebsocketAPICustomDomain, o.WebsocketAPICustomDomain)
	add("minimum_compression_size", s.MinimumCompressionSize, o.MinimumCompressionSize)
	add("reserved_concurrency", s.ReservedConcurrency, o.ReservedConcurrency)
	add("layers", s.Layers, o.Layers)
	add("subnet_ids", s.SubnetIDs, o.SubnetIDs)
	add("security_group_ids", s.SecurityGroupIDs, o.SecurityGroupIDs)
	add("xray", s.XRay, o.XRay)
	add("log_retention_in_days", s.LogRetentionInDays, o.LogRetentionInDays)
	return out
}

// UnknownStageError is the error of Resolve for a stage config.json does
// not have.
type UnknownStageError struct {
	// Stage is the stage asked for.
	Stage string
	// Known are the stages config.json has, sorted.
	Known []string
}

// Error names the stage, lists the known ones and suggests a fix.
func (e *UnknownStageError) Error() string {
	msg := fmt.Sprintf("%s: stage %q does not exist (stages: %s)", ConfigFile, e.Stage, strings.Join(e.Known, ", "))
	if s := didYouMean(e.Stage, e.Known); s != "" {
		return msg + fmt.Sprintf("; did you mean %q?", s)
	}
	return msg + fmt.Sprintf(`; pick one of them, or add %q: {} under "stages"`, e.Stage)
}

// Resolve returns the settings of function in stage. Precedence, most
// specific first: stages.<stage>.lambda_functions.<function>, then
// stages.<stage>, then lambda_functions.<function> at the top level, then
// the top level, then the defaults. environment_variables and tags are
// merged key by key with the same precedence. Keys that apply to a whole
// stage (api_gateway_*, region, ...) are read from the stage and the top
// level only. A stage config.json does not have is an
// *UnknownStageError; settings that are invalid for this function (and
// were not already reported by Load) are a Diagnostics error.
//
// Options change the resolution for one run (WithAutogenPolicy); a policy
// file that only an option makes necessary is read and checked here.
func (c *Config) Resolve(stage, function string, opts ...ResolveOption) (*Settings, error) {
	if _, ok := c.stages[stage]; !ok {
		return nil, &UnknownStageError{Stage: stage, Known: c.Stages()}
	}
	if function == "" {
		return nil, fmt.Errorf("resolve stage %s: the function name is empty (the API handler is %q)", stage, manifest.APIHandlerName)
	}
	var o resolveOptions
	for _, opt := range opts {
		opt(&o)
	}
	s, fs, refs := c.resolveWith(stage, function, o)
	policies := c.policies
	var fileDiags Diagnostics
	for _, r := range refs {
		if _, ok := policies[r.path]; ok {
			continue
		}
		if r.override == "" || c.fsys == nil {
			fs = append(fs, finding{sev: SeverityError, path: r.keyPath, off: r.off,
				problem: fmt.Sprintf("names %s, which was not loaded", r.path),
				fix:     "load the config again"})
			continue
		}
		// A file config.json alone does not need: read it now.
		l := &loader{fsys: c.fsys, policies: map[string]*iam.Policy{}, tried: map[string]bool{}}
		l.loadPolicy(r)
		fileDiags = append(fileDiags, l.diags...)
		if p, ok := l.policies[r.path]; ok {
			policies = maps.Clone(policies)
			policies[r.path] = p
		}
	}
	diags := sortDiagnostics(append(renderFindings(fs), fileDiags...))
	if diags.HasErrors() {
		return nil, diags.Errors()
	}
	if s.IAMPolicyFile != "" {
		s.Policy = clonePolicy(policies[s.IAMPolicyFile])
	}
	if s.APIGatewayPolicyFile != "" {
		s.APIGatewayPolicy = clonePolicy(c.policies[s.APIGatewayPolicyFile])
	}
	return s, nil
}

// src is where a value was found: its level and the byte offset of its
// key (-1 for a default).
type src struct {
	level Level
	off   int
}

// pick returns the most specific value of a key along chain.
func pick[T any](chain []*layer, get func(*layer) opt[T], def T) (T, src) {
	for _, l := range chain {
		if o := get(l); o.set {
			return o.v, src{l.level, o.off}
		}
	}
	return def, src{LevelDefault, -1}
}

// merge merges a map key along chain, most specific key winning. It also
// returns where the most specific level that sets the key is.
func merge(chain []*layer, get func(*layer) opt[map[string]string]) (map[string]string, map[string]Level, src) {
	out, lv := map[string]string{}, map[string]Level{}
	where := src{LevelDefault, -1}
	for i := len(chain) - 1; i >= 0; i-- {
		o := get(chain[i])
		if !o.set {
			continue
		}
		where = src{chain[i].level, o.off}
		for k, v := range o.v {
			out[k] = v
			lv[k] = chain[i].level
		}
	}
	return out, lv, where
}

// policyRef is a policy file a resolution needs.
type policyRef struct {
	path     string // project-relative
	keyPath  string // the key that names it (or implies it)
	off      int
	implied  bool   // the default policy-<stage>.json
	resource bool   // a resource policy (api_gateway_policy_file)
	override string // what made the file necessary when an option did (WithAutogenPolicy's by)
}

// ResolveOption changes how Config.Resolve resolves, for one run.
type ResolveOption func(*resolveOptions)

type resolveOptions struct {
	autogen   *bool
	autogenBy string
}

// WithAutogenPolicy makes autogen_policy autogen for every function,
// whatever config.json says, as Chalice's deploy --autogen-policy and
// --no-autogen-policy do. by names the override in diagnostics (such as
// "--no-autogen-policy"). With autogen false, a function with no
// iam_policy_file reads .chalice/policy-<stage>.json, and a missing file
// is an error naming it and the iam_policy_file key. Origins still say
// where config.json sets autogen_policy.
func WithAutogenPolicy(autogen bool, by string) ResolveOption {
	return func(o *resolveOptions) { o.autogen, o.autogenBy = &autogen, by }
}

// finding is a problem found while resolving one function. Problems that
// several functions share are reported once, naming them all: "{for}" in
// problem becomes "for function a" or "for functions a and b".
type finding struct {
	sev      Severity
	path     string
	off      int
	problem  string
	fix      string
	function string
}

// resolve computes the settings of (stage, function) as config.json
// alone gives them, and the problems with them, without I/O. stage must
// exist.
func (c *Config) resolve(stage, function string) (*Settings, []finding, []policyRef) {
	return c.resolveWith(stage, function, resolveOptions{})
}

// resolveWith is resolve with options.
func (c *Config) resolveWith(stage, function string, opts resolveOptions) (*Settings, []finding, []policyRef) {
	st := c.stages[stage]
	var chain []*layer // most specific first
	if fl := st.functions[function]; fl != nil {
		chain = append(chain, fl)
	}
	chain = append(chain, st)
	if fl := c.top.functions[function]; fl != nil {
		chain = append(chain, fl)
	}
	chain = append(chain, c.top)

	s := &Settings{AppName: c.appName, Stage: stage, Function: function}
	s.LambdaFunctionName = names.Stage{App: c.appName, Stage: stage}.Function(function).Lambda
	o := &s.Origins
	var envSrc, manageSrc, roleSrc, autogenSrc, fileSrc, subnetSrc, sgSrc, typeSrc, vpceSrc, apiFileSrc, apiTypeSrc src
	s.EnvironmentVariables, o.EnvironmentVariables, envSrc = merge(chain, func(l *layer) opt[map[string]string] { return l.env })
	s.Tags, o.Tags, _ = merge(chain, func(l *layer) opt[map[string]string] { return l.tags })
	var sv src
	s.LambdaMemorySize, sv = pick(chain, func(l *layer) opt[int] { return l.memory }, DefaultLambdaMemorySize)
	o.LambdaMemorySize = sv.level
	s.LambdaTimeout, sv = pick(chain, func(l *layer) opt[int] { return l.timeout }, DefaultLambdaTimeout)
	o.LambdaTimeout = sv.level
	s.LambdaArchitecture, sv = pick(chain, func(l *layer) opt[string] { return l.architecture }, DefaultLambdaArchitecture)
	o.LambdaArchitecture = sv.level
	s.Region, sv = pick(chain, func(l *layer) opt[string] { return l.region }, "")
	o.Region = sv.level
	s.ManageIAMRole, manageSrc = pick(chain, func(l *layer) opt[bool] { return l.manageRole }, true)
	o.ManageIAMRole = manageSrc.level
	s.IAMRoleARN, roleSrc = pick(chain, func(l *layer) opt[string] { return l.roleARN }, "")
	o.IAMRoleARN = roleSrc.level
	s.AutogenPolicy, autogenSrc = pick(chain, func(l *layer) opt[bool] { return l.autogen }, true)
	o.AutogenPolicy = autogenSrc.level
	if opts.autogen != nil {
		s.AutogenPolicy = *opts.autogen
	}
	policyFile, fileSrc := pick(chain, func(l *layer) opt[string] { return l.policyFile }, "")
	s.APIGatewayStage, sv = pick(chain, func(l *layer) opt[string] { return l.apiStage }, DefaultAPIGatewayStage)
	o.APIGatewayStage = sv.level
	s.APIGatewayType, apiTypeSrc = pick(chain, func(l *layer) opt[string] { return l.apiType }, DefaultAPIGatewayType)
	o.APIGatewayType = apiTypeSrc.level
	defaultEndpoint := DefaultAPIGatewayEndpointType
	if s.APIGatewayType == APIGatewayTypeHTTP {
		defaultEndpoint = "REGIONAL"
	}
	s.APIGatewayEndpointType, typeSrc = pick(chain, func(l *layer) opt[string] { return l.endpointType }, defaultEndpoint)
	o.APIGatewayEndpointType = typeSrc.level
	s.APIGatewayEndpointVPCE, vpceSrc = pick(chain, func(l *layer) opt[[]string] { return l.endpointVPCE }, nil)
	o.APIGatewayEndpointVPCE = vpceSrc.level
	apiFile, apiFileSrc := pick(chain, func(l *layer) opt[string] { return l.apiPolicyFile }, "")
	o.APIGatewayPolicyFile = apiFileSrc.level
	s.APIGatewayCustomDomain, sv = pick(chain, func(l *layer) opt[*CustomDomain] { return l.apiDomain }, nil)
	o.APIGatewayCustomDomain = sv.level
	s.WebsocketAPICustomDomain, sv = pick(chain, func(l *layer) opt[*CustomDomain] { return l.wsDomain }, nil)
	o.WebsocketAPICustomDomain = sv.level
	var n int
	if n, sv = pick(chain, func(l *layer) opt[int] { return l.minCompression }, 0); sv.level != LevelDefault {
		s.MinimumCompressionSize = &n
	}
	o.MinimumCompressionSize = sv.level
	var r int
	if r, sv = pick(chain, func(l *layer) opt[int] { return l.reserved }, 0); sv.level != LevelDefault {
		s.ReservedConcurrency = &r
	}
	o.ReservedConcurrency = sv.level
	s.Layers, sv = pick(chain, func(l *layer) opt[[]string] { return l.layers }, nil)
	o.Layers = sv.level
	s.SubnetIDs, subnetSrc = pick(chain, func(l *layer) opt[[]string] { return l.subnets }, nil)
	o.SubnetIDs = subnetSrc.level
	s.SecurityGroupIDs, sgSrc = pick(chain, func(l *layer) opt[[]string] { return l.securityGroups }, nil)
	o.SecurityGroupIDs = sgSrc.level
	s.XRay, sv = pick(chain, func(l *layer) opt[bool] { return l.xray }, false)
	o.XRay = sv.level
	s.LogRetentionInDays, sv = pick(chain, func(l *layer) opt[int] { return l.logRetention }, 0)
	o.LogRetentionInDays = sv.level
	// Copy slices and custom domains so that callers cannot change the
	// Config through the Settings.
	s.APIGatewayEndpointVPCE = slices.Clone(s.APIGatewayEndpointVPCE)
	s.Layers = slices.Clone(s.Layers)
	s.SubnetIDs = slices.Clone(s.SubnetIDs)
	s.SecurityGroupIDs = slices.Clone(s.SecurityGroupIDs)
	s.APIGatewayCustomDomain = cloneDomain(s.APIGatewayCustomDomain)
	s.WebsocketAPICustomDomain = cloneDomain(s.WebsocketAPICustomDomain)

	var fs []finding
	var refs []policyRef
	at := func(sv src, key string) string { return sv.level.KeyPath(stage, function, key) }
	add := func(sev Severity, sv src, key, problem, fix string) {
		fs = append(fs, finding{sev: sev, path: at(sv, key), off: sv.off, problem: problem, fix: fix, function: function})
	}

	// The IAM role and its policy, as Chalice's app graph decides them.
	switch {
	case invalid(chain, "manage_iam_role", "iam_role_arn", "autogen_policy", "iam_policy_file"):
		// Already reported; the role cannot be worked out.
	case !s.ManageIAMRole:
		o.IAMPolicyFile = fileSrc.level
		if s.IAMRoleARN == "" {
			add(SeverityError, manageSrc, "manage_iam_role", "is false, but no iam_role_arn is set {for}",
				`add "iam_role_arn": "arn:aws:iam::<account id>:role/<role name>" (the role the function runs as), or remove manage_iam_role to let gochalice manage the role`)
		}
		if fileSrc.level != LevelDefault && manageSrc.level <= fileSrc.level {
			add(SeverityWarning, fileSrc, "iam_policy_file", "is ignored because manage_iam_role is false {for}",
				"gochalice does not change a role it does not manage: remove iam_policy_file")
		}
	case s.AutogenPolicy:
		// A policy file next to autogen adds its statements to the
		// generated policy (Chalice can only choose one: aws/chalice#1198).
		o.IAMPolicyFile = fileSrc.level
		if fileSrc.level != LevelDefault {
			ref := policyRef{keyPath: at(fileSrc, "iam_policy_file"), off: fileSrc.off}
			ref.path, _ = chaliceFile(policyFile)
			s.IAMPolicyFile = ref.path
			refs = append(refs, ref)
		}
	default:
		name := policyFile
		ref := policyRef{keyPath: at(fileSrc, "iam_policy_file"), off: fileSrc.off}
		o.IAMPolicyFile = fileSrc.level
		if fileSrc.level == LevelDefault {
			name = "policy-" + stage + ".json"
			ref = policyRef{keyPath: at(autogenSrc, "autogen_policy"), off: autogenSrc.off, implied: true}
			if opts.autogen != nil {
				// The key to set is the stage's iam_policy_file.
				ref = policyRef{keyPath: LevelStage.KeyPath(stage, function, "iam_policy_file"), off: -1, implied: true, override: opts.autogenBy}
			}
		}
		ref.path, _ = chaliceFile(name) // checked when decoded; stage names are plain
		s.IAMPolicyFile = ref.path
		refs = append(refs, ref)
	}
	if s.ManageIAMRole && s.IAMRoleARN != "" && roleSrc.level >= manageSrc.level && !invalid(chain, "manage_iam_role") {
		add(SeverityWarning, roleSrc, "iam_role_arn", "is ignored because manage_iam_role is true {for}",
			`set "manage_iam_role": false next to it to run as this role`)
	}

	// VPC: Lambda needs both lists.
	vpcKnown := !invalid(chain, "subnet_ids", "security_group_ids")
	if vpcKnown && len(s.SubnetIDs) > 0 && len(s.SecurityGroupIDs) == 0 {
		add(SeverityError, subnetSrc, "subnet_ids", "is set but security_group_ids is not {for}",
			"Lambda needs both to attach a function to a VPC: add security_group_ids")
	}
	if vpcKnown && len(s.SecurityGroupIDs) > 0 && len(s.SubnetIDs) == 0 {
		add(SeverityError, sgSrc, "security_group_ids", "is set but subnet_ids is not {for}",
			"Lambda needs both to attach a function to a VPC: add subnet_ids")
	}

	// Lambda's 4 KB limit on a function's environment, counting the
	// variables gochalice adds.
	size := len(manifest.EnvHandler) + len(function) + len(manifest.EnvStage) + len(stage)
	for k, v := range s.EnvironmentVariables {
		size += len(k) + len(v)
	}
	if size > maxEnvBytes && envSrc.level != LevelDefault {
		add(SeverityError, envSrc, "environment_variables",
			fmt.Sprintf("the variables {for} total %d bytes (names plus values, counting the %s and %s variables gochalice sets)", size, manifest.EnvHandler, manifest.EnvStage),
			"Lambda allows 4096 bytes per function: keep large values in SSM Parameter Store or Secrets Manager and read them at startup")
	}

	// The REST API's endpoint and resource policy (stage-wide).
	apiKnown := !invalid(chain, "api_gateway_type", "api_gateway_endpoint_type", "api_gateway_endpoint_vpce", "api_gateway_policy_file")
	if apiKnown && s.APIGatewayType == APIGatewayTypeHTTP {
		// An HTTP API is regional, public, and has no resource policy.
		const useREST = `set "api_gateway_type": "REST"`
		httpAt := at(apiTypeSrc, "api_gateway_type") + ` is "HTTP"`
		if typeSrc.level != LevelDefault && s.APIGatewayEndpointType != "REGIONAL" {
			add(SeverityError, typeSrc, "api_gateway_endpoint_type", fmt.Sprintf(`is %q but %s`, s.APIGatewayEndpointType, httpAt),
				`HTTP APIs have regional endpoints only: remove api_gateway_endpoint_type (or set it to "REGIONAL"), or `+useREST+` to keep `+map[string]string{"EDGE": "an edge-optimized", "PRIVATE": "a private"}[s.APIGatewayEndpointType]+` endpoint`)
		}
		if len(s.APIGatewayEndpointVPCE) > 0 {
			add(SeverityError, vpceSrc, "api_gateway_endpoint_vpce", `is set but `+httpAt,
				`HTTP APIs cannot be private: remove api_gateway_endpoint_vpce, or `+useREST+` with "api_gateway_endpoint_type": "PRIVATE"`)
		}
		if apiFile != "" {
			add(SeverityError, apiFileSrc, "api_gateway_policy_file", `is set but `+httpAt,
				`HTTP APIs have no resource policy: remove api_gateway_policy_file and control access with an authorizer, or `+useREST)
		}
		return s, fs, refs
	}
	if apiFile != "" && apiKnown {
		p, _ := chaliceFile(apiFile)
		s.APIGatewayPolicyFile = p
		refs = append(refs, policyRef{path: p, keyPath: at(apiFileSrc, "api_gateway_policy_file"), off: apiFileSrc.off, resource: true})
	}
	if apiKnown && s.APIGatewayEndpointType == "PRIVATE" && len(s.APIGatewayEndpointVPCE) == 0 && apiFile == "" {
		add(SeverityError, typeSrc, "api_gateway_endpoint_type", `is "PRIVATE" but neither api_gateway_endpoint_vpce nor api_gateway_policy_file is set`,
			"a private API is reachable only through VPC endpoints: set api_gateway_endpoint_vpce to their IDs")
	}
	if apiKnown && s.APIGatewayEndpointType != "PRIVATE" && len(s.APIGatewayEndpointVPCE) > 0 {
		add(SeverityError, vpceSrc, "api_gateway_endpoint_vpce", fmt.Sprintf("is set but api_gateway_endpoint_type is %q", s.APIGatewayEndpointType),
			`set "api_gateway_endpoint_type": "PRIVATE", or remove api_gateway_endpoint_vpce`)
	}
	return s, fs, refs
}

func cloneDomain(d *CustomDomain) *CustomDomain {
	if d == nil {
		return nil
	}
	c := *d
	c.Tags = maps.Clone(d.Tags)
	return &c
}

// renderFindings turns findings into diagnostics, naming in one
// diagnostic every function that shares a problem.
func renderFindings(fs []finding) Diagnostics {
	type key struct {
		sev                Severity
		path, problem, fix string
		off                int
	}
	var order []key
	fns := map[key][]string{}
	for _, f := range fs {
		k := key{f.sev, f.path, f.problem, f.fix, f.off}
		if _, ok := fns[k]; !ok {
			order = append(order, k)
		}
		if !slices.Contains(fns[k], f.function) {
			fns[k] = append(fns[k], f.function)
		}
	}
	var ds Diagnostics
	for _, k := range order {
		names := fns[k]
		slices.Sort(names)
		phrase := "for function " + names[0]
		if len(names) > 1 {
			phrase = "for functions " + strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
		}
		ds = append(ds, Diagnostic{
			File: ConfigFile, KeyPath: k.path, Severity: k.sev, off: k.off,
			Problem: strings.ReplaceAll(k.problem, "{for}", phrase), Fix: k.fix,
		})
	}
	return ds
}
