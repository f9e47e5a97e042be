package stages

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// scope is the set of levels of config.json at which a key may appear.
type scope uint8

const (
	scopeTop      scope = 1 << iota // the top level of config.json
	scopeStage                      // stages.<stage>
	scopeFunction                   // lambda_functions.<fn>, at either level

	// scopeStageWide keys vary per stage but not per function.
	scopeStageWide = scopeTop | scopeStage
	// scopeAll keys vary per stage and per function.
	scopeAll = scopeTop | scopeStage | scopeFunction
)

// opt is one optional value of a layer, with the byte offset of its key.
type opt[T any] struct {
	v   T
	set bool
	off int
}

// layer is the settings written at one level of config.json: the top
// level, a stage, or a function inside either.
type layer struct {
	level Level
	path  string // key path of the layer ("" for the top level)
	off   int    // offset of the layer's key

	env            opt[map[string]string]
	tags           opt[map[string]string]
	memory         opt[int]
	timeout        opt[int]
	policyFile     opt[string]
	autogen        opt[bool]
	manageRole     opt[bool]
	roleARN        opt[string]
	apiStage       opt[string]
	apiType        opt[string]
	endpointType   opt[string]
	endpointVPCE   opt[[]string]
	apiPolicyFile  opt[string]
	apiDomain      opt[*CustomDomain]
	wsDomain       opt[*CustomDomain]
	minCompression opt[int]
	reserved       opt[int]
	layers         opt[[]string]
	subnets        opt[[]string]
	securityGroups opt[[]string]
	xray           opt[bool]
	logRetention   opt[int]
	automaticLayer opt[bool]
	architecture   opt[string]
	region         opt[string]

	// functions are lambda_functions.<fn> of the top level or a stage.
	functions map[string]*layer
	// written holds the keys written at this level with a value that is
	// not null; true when the value is invalid (and so was not decoded).
	written map[string]bool
}

// invalid reports whether the value of key that chain resolves to is one
// that failed to decode, in which case checks that depend on it are
// skipped: the key already has its own diagnostic.
func invalid(chain []*layer, keys ...string) bool {
	for _, key := range keys {
		for _, l := range chain {
			if bad, ok := l.written[key]; ok {
				if bad {
					return true
				}
				break
			}
		}
	}
	return false
}

// keyPath returns the key path of key inside the layer.
func (l *layer) keyPath(key string) string { return joinPath(l.path, key) }

// keySpec describes one key of config.json.
type keySpec struct {
	name  string
	scope scope
	// python is set for keys that only make sense for Python apps: they
	// load, with a warning that says why gochalice ignores them.
	python string
	decode func(d *decoder, l *layer, n *node, path string, off int)
}

// A CustomDomain is api_gateway_custom_domain or
// websocket_api_custom_domain: a custom domain name for the stage's API.
type CustomDomain struct {
	// DomainName is the host name, e.g. "api.example.com".
	DomainName string `json:"domain_name"`
	// CertificateARN is the ARN of the domain's ACM certificate.
	CertificateARN string `json:"certificate_arn"`
	// TLSVersion is TLS_1_0 or TLS_1_2 (the default, as in Chalice).
	TLSVersion string `json:"tls_version"`
	// URLPrefix is the base path the API is mapped to ("" for the root,
	// which config.json may also write "/").
	URLPrefix string `json:"url_prefix,omitempty"`
	// Tags are the custom domain's tags.
	Tags map[string]string `json:"tags,omitempty"`
}

// Limits Lambda, API Gateway and CloudWatch Logs enforce.
const (
	minMemory      = 128
	maxMemory      = 10240
	minTimeout     = 1
	maxTimeout     = 900
	maxLayers      = 5
	maxEnvBytes    = 4096
	maxCompression = 10485760
	maxTagKey      = 128
	maxTagValue    = 256
)

// logRetentionDays are the values CloudWatch Logs accepts for a log
// group's retention.
var logRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// reservedEnv are the environment variables the Lambda runtime defines;
// Lambda rejects a function configuration that sets them.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION",
	"AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME",
	"AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
	"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API",
	"LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// gochaliceEnv are the environment variables gochalice sets on every
// function; the user must not set them.
var gochaliceEnv = []string{"GOCHALICE_HANDLER", "GOCHALICE_MANIFEST", "GOCHALICE_STAGE"}

var (
	envNameRE   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]+$`)
	nameRE      = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)
	apiStageRE  = regexp.MustCompile(`^[a-zA-Z0-9_]{1,128}$`)
	regionRE    = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	subnetRE    = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	sgRE        = regexp.MustCompile(`^sg-[0-9a-f]+$`)
	vpceRE      = regexp.MustCompile(`^vpce-[0-9a-f]+$`)
	roleARNRE   = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\x21-\x7e]+/)*[\w+=,.@-]{1,64}$`)
	layerARNRE  = regexp.MustCompile(`^arn:aws(-[a-z]+)*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:layer:[a-zA-Z0-9_-]{1,140}:[0-9]+$`)
	certARNRE   = regexp.MustCompile(`^arn:aws(-[a-z]+)*:acm:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:certificate/[a-zA-Z0-9-]+$`)
	domainRE    = regexp.MustCompile(`^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$`)
	urlPrefixRE = regexp.MustCompile(`^[a-zA-Z0-9$_.+!*'()-]+(/[a-zA-Z0-9$_.+!*'()-]+)*$`)
	envLikeRE   = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
)

// keySpecs returns every key config.json may hold, in the order Chalice's
// documentation lists them. It is a function, not a variable, so that the
// package has no mutable state.
func keySpecs() []keySpec {
	return []keySpec{
		{name: "version", scope: scopeTop, decode: decodeVersion},
		{name: "app_name", scope: scopeTop, decode: decodeAppName},
		{name: "stages", scope: scopeTop, decode: nil}, // decoded by decodeConfig
		{name: "lambda_functions", scope: scopeTop | scopeStage, decode: nil},
		{name: "environment_variables", scope: scopeAll, decode: decodeEnv},
		{name: "tags", scope: scopeAll, decode: func(d *decoder, l *layer, n *node, path string, off int) {
			if m, ok := d.tags(n, path); ok {
				l.tags = opt[map[string]string]{m, true, off}
			}
		}},
		{name: "lambda_memory_size", scope: scopeAll, decode: intKey(func(l *layer) *opt[int] { return &l.memory }, minMemory, maxMemory, "Lambda allows 128 to 10240 MB")},
		{name: "lambda_timeout", scope: scopeAll, decode: intKey(func(l *layer) *opt[int] { return &l.timeout }, minTimeout, maxTimeout, "Lambda allows 1 to 900 seconds")},
		{name: "iam_policy_file", scope: scopeAll, decode: fileKey(func(l *layer) *opt[string] { return &l.policyFile })},
		{name: "autogen_policy", scope: scopeAll, decode: boolKey(func(l *layer) *opt[bool] { return &l.autogen })},
		{name: "manage_iam_role", scope: scopeAll, decode: boolKey(func(l *layer) *opt[bool] { return &l.manageRole })},
		{name: "iam_role_arn", scope: scopeAll, decode: patternKey(func(l *layer) *opt[string] { return &l.roleARN }, roleARNRE,
			"is not an IAM role ARN", `write it as "arn:aws:iam::<12-digit account id>:role/<role name>"`, `"arn:aws:iam::123456789012:role/my-role"`)},
		{name: "api_gateway_stage", scope: scopeStageWide, decode: patternKey(func(l *layer) *opt[string] { return &l.apiStage }, apiStageRE,
			"is not a valid API Gateway stage name", "use 1 to 128 letters, digits and underscores", `"api"`)},
		{name: "api_gateway_type", scope: scopeStageWide, decode: enumKey(func(l *layer) *opt[string] { return &l.apiType }, APIGatewayTypeREST, APIGatewayTypeHTTP)},
		{name: "api_gateway_endpoint_type", scope: scopeStageWide, decode: enumKey(func(l *layer) *opt[string] { return &l.endpointType }, "EDGE", "REGIONAL", "PRIVATE")},
		{name: "api_gateway_endpoint_vpce", scope: scopeStageWide, decode: decodeVPCE},
		{name: "api_gateway_policy_file", scope: scopeStageWide, decode: fileKey(func(l *layer) *opt[string] { return &l.apiPolicyFile })},
		{name: "api_gateway_custom_domain", scope: scopeStageWide, decode: domainKey(func(l *layer) *opt[*CustomDomain] { return &l.apiDomain })},
		{name: "websocket_api_custom_domain", scope: scopeStageWide, decode: domainKey(func(l *layer) *opt[*CustomDomain] { return &l.wsDomain })},
		{name: "minimum_compression_size", scope: scopeStageWide, decode: intKey(func(l *layer) *opt[int] { return &l.minCompression }, 0, maxCompression, "API Gateway allows 0 to 10485760 bytes")},
		{name: "reserved_concurrency", scope: scopeAll, decode: intKey(func(l *layer) *opt[int] { return &l.reserved }, 0, math.MaxInt32, "use 0 (which stops all invocations) or more")},
		{name: "layers", scope: scopeAll, decode: decodeLayers},
		{name: "subnet_ids", scope: scopeAll, decode: listKey(func(l *layer) *opt[[]string] { return &l.subnets }, subnetRE, "is not a subnet ID", `subnet IDs look like "subnet-0123456789abcdef0"`, `["subnet-0123456789abcdef0"]`)},
		{name: "security_group_ids", scope: scopeAll, decode: listKey(func(l *layer) *opt[[]string] { return &l.securityGroups }, sgRE, "is not a security group ID", `security group IDs look like "sg-0123456789abcdef0"`, `["sg-0123456789abcdef0"]`)},
		{name: "xray", scope: scopeAll, decode: boolKey(func(l *layer) *opt[bool] { return &l.xray })},
		{name: "log_retention_in_days", scope: scopeAll, decode: decodeLogRetention},
		{name: "automatic_layer", scope: scopeStageWide, decode: boolKey(func(l *layer) *opt[bool] { return &l.automaticLayer }),
			python: "Chalice puts an app's Python dependencies in a managed Lambda layer; a gochalice function is one static Go binary with no dependencies to put in a layer"},
		{name: "lambda_architecture", scope: scopeStageWide, decode: enumKey(func(l *layer) *opt[string] { return &l.architecture }, "arm64", "x86_64")},
		{name: "region", scope: scopeStageWide, decode: patternKey(func(l *layer) *opt[string] { return &l.region }, regionRE,
			"is not an AWS region name", `write a region such as "us-east-1"`, `"us-east-1"`)},
	}
}

// decoder turns the JSON tree of config.json into layers, collecting
// every problem on the way.
type decoder struct {
	file  string
	diags Diagnostics
}

func (d *decoder) add(sev Severity, off int, path, problem, fix string) {
	d.diags = append(d.diags, Diagnostic{
		File: d.file, KeyPath: path, Problem: problem, Fix: fix, Severity: sev, off: off,
	})
}

func (d *decoder) errorf(off int, path, problem, fix string) {
	d.add(SeverityError, off, path, problem, fix)
}

func (d *decoder) warnf(off int, path, problem, fix string) {
	d.add(SeverityWarning, off, path, problem, fix)
}

// wrongType reports a value of the wrong JSON type, with a fix that
// rewrites the value when the intent is clear (a quoted number).
func (d *decoder) wrongType(n *node, path, want, example string) {
	fix := "for example " + example
	if n.kind == kindString {
		if _, err := strconv.Atoi(n.str); err == nil && strings.Contains(want, "number") {
			fix = "write the number without quotes: " + n.str
		}
		if (n.str == "true" || n.str == "false") && want == "true or false" {
			fix = "write " + n.str + " without quotes"
		}
	}
	if n.kind == kindNumber && want == "a string" {
		fix = fmt.Sprintf("put the value in quotes: %q", n.num.String())
	}
	if n.kind == kindBool && want == "a string" {
		fix = fmt.Sprintf("put the value in quotes: \"%t\"", n.b)
	}
	d.errorf(n.off, path, fmt.Sprintf("want %s, got %s", want, describe(n)), fix)
}

// describe names a value for an error message: its type and, for short
// scalars, the value itself.
func describe(n *node) string {
	switch n.kind {
	case kindString:
		s := n.str
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return fmt.Sprintf("a string (%q)", s)
	case kindNumber:
		return "a number (" + n.num.String() + ")"
	case kindBool:
		return fmt.Sprintf("a boolean (%t)", n.b)
	}
	return n.kind.String()
}

func (d *decoder) str(n *node, path, example string) (string, bool) {
	if n.kind != kindString {
		d.wrongType(n, path, "a string", example)
		return "", false
	}
	return n.str, true
}

func (d *decoder) boolean(n *node, path string) (bool, bool) {
	if n.kind != kindBool {
		d.wrongType(n, path, "true or false", "true")
		return false, false
	}
	return n.b, true
}

func (d *decoder) integer(n *node, path string) (int, bool) {
	if n.kind != kindNumber {
		d.wrongType(n, path, "a whole number", "128")
		return 0, false
	}
	s := n.num.String()
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		if i < math.MinInt32 || i > math.MaxInt32 {
			d.errorf(n.off, path, s+" is out of range", "use a number between 0 and 2147483647")
			return 0, false
		}
		return int(i), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err == nil && f == math.Trunc(f) && math.Abs(f) <= math.MaxInt32 {
		return int(f), true
	}
	if err == nil && f == math.Trunc(f) {
		d.errorf(n.off, path, s+" is out of range", "use a number between 0 and 2147483647")
		return 0, false
	}
	d.errorf(n.off, path, "want a whole number, got "+s, "drop the fraction: "+strconv.FormatFloat(math.Trunc(f), 'f', -1, 64))
	return 0, false
}

func (d *decoder) stringList(n *node, path, example string) ([]string, bool) {
	if n.kind != kindArray {
		if n.kind == kindString {
			d.errorf(n.off, path, "want an array of strings, got "+describe(n), fmt.Sprintf("put it in brackets: [%q]", n.str))
			return nil, false
		}
		d.wrongType(n, path, "an array of strings", example)
		return nil, false
	}
	out := make([]string, 0, len(n.elems))
	ok := true
	for i, e := range n.elems {
		p := indexPath(path, i)
		if e.kind != kindString {
			d.wrongType(e, p, "a string", `"`+strings.Trim(example, `[]"`)+`"`)
			ok = false
			continue
		}
		out = append(out, e.str)
	}
	return out, ok
}

// object checks that n is an object and reports duplicate keys.
func (d *decoder) object(n *node, path, example string) bool {
	if n.kind != kindObject {
		d.wrongType(n, path, "an object", example)
		return false
	}
	seen := make(map[string]bool, len(n.members))
	for _, m := range n.members {
		if seen[m.key] {
			d.errorf(m.keyOff, joinPath(path, m.key), "duplicate key", "remove one of them (Chalice silently keeps the last)")
		}
		seen[m.key] = true
	}
	return true
}

func decodeVersion(d *decoder, l *layer, n *node, path string, off int) {
	// Chalice reads "1.0" and "2.0" alike (the version only names the
	// schema its "new-project" wrote) and does not care whether it is
	// quoted; so does gochalice.
	const fix = `gochalice reads Chalice's versions "1.0" and "2.0": set "version": "2.0"`
	if n.kind == kindNumber {
		switch n.num.String() {
		case "1", "1.0", "2", "2.0":
		default:
			d.errorf(n.off, path, fmt.Sprintf("%s is not a config schema version gochalice reads", n.num.String()), fix)
		}
		return
	}
	v, ok := d.str(n, path, `"2.0"`)
	if !ok {
		return
	}
	if v != "1.0" && v != "2.0" {
		d.errorf(n.off, path, fmt.Sprintf("%q is not a config schema version gochalice reads", v), fix)
	}
}

func decodeAppName(d *decoder, l *layer, n *node, path string, off int) {
	// The value is read by decodeConfig; this only checks it.
	v, ok := d.str(n, path, `"savealife"`)
	if !ok {
		return
	}
	if !nameRE.MatchString(v) {
		d.errorf(n.off, path, fmt.Sprintf("%q is not a valid app name", v), "use letters, digits, hyphens and underscores: it becomes part of every Lambda function and IAM role name")
	}
}

func decodeEnv(d *decoder, l *layer, n *node, path string, off int) {
	if !d.object(n, path, `{"TABLE_NAME": "donors"}`) {
		return
	}
	m := make(map[string]string, len(n.members))
	for _, mem := range n.members {
		p := joinPath(path, mem.key)
		switch {
		case slices.Contains(reservedEnv, mem.key):
			d.errorf(mem.keyOff, p, "is reserved by the Lambda runtime", "Lambda sets it itself and rejects functions that set it: rename the variable")
		case slices.Contains(gochaliceEnv, mem.key):
			d.errorf(mem.keyOff, p, "is set by gochalice", "gochalice sets it on every function to run the right handler: rename the variable")
		case !envNameRE.MatchString(mem.key):
			fix := "Lambda requires a letter followed by one or more letters, digits or underscores"
			if r := envNameSuggestion(mem.key); r != "" {
				fix = fmt.Sprintf("%s, e.g. %q", fix, r)
			}
			d.errorf(mem.keyOff, p, fmt.Sprintf("%q is not a valid environment variable name", mem.key), fix)
		}
		v, ok := d.str(mem.val, p, `"value"`)
		if ok {
			m[mem.key] = v
		}
	}
	l.env = opt[map[string]string]{m, true, off}
}

// envNameSuggestion rewrites an invalid variable name into a valid one, or
// returns "".
func envNameSuggestion(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		case r == '-', r == '.', r == ' ':
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == s || !envNameRE.MatchString(out) {
		return ""
	}
	return out
}

func (d *decoder) tags(n *node, path string) (map[string]string, bool) {
	if !d.object(n, path, `{"team": "donors"}`) {
		return nil, false
	}
	m := make(map[string]string, len(n.members))
	for _, mem := range n.members {
		p := joinPath(path, mem.key)
		switch {
		case mem.key == "":
			d.errorf(mem.keyOff, p, "a tag key is empty", "give the tag a name")
		case len(mem.key) > maxTagKey:
			d.errorf(mem.keyOff, p, fmt.Sprintf("tag key is %d characters long", len(mem.key)), "AWS allows at most 128")
		case strings.HasPrefix(strings.ToLower(mem.key), "aws:"):
			d.errorf(mem.keyOff, p, "tag keys starting with \"aws:\" are reserved for AWS", "rename the tag")
		}
		v, ok := d.str(mem.val, p, `"value"`)
		if !ok {
			continue
		}
		if len(v) > maxTagValue {
			d.errorf(mem.val.off, p, fmt.Sprintf("tag value is %d characters long", len(v)), "AWS allows at most 256")
		}
		m[mem.key] = v
	}
	return m, true
}

func intKey(field func(*layer) *opt[int], lo, hi int, allowed string) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		v, ok := d.integer(n, path)
		if !ok {
			return
		}
		if v < lo || v > hi {
			d.errorf(n.off, path, fmt.Sprintf("%d is out of range", v), allowed)
			return
		}
		*field(l) = opt[int]{v, true, off}
	}
}

func boolKey(field func(*layer) *opt[bool]) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		if v, ok := d.boolean(n, path); ok {
			*field(l) = opt[bool]{v, true, off}
		}
	}
}

func patternKey(field func(*layer) *opt[string], re *regexp.Regexp, problem, fix, example string) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		v, ok := d.str(n, path, example)
		if !ok {
			return
		}
		if !re.MatchString(v) {
			d.errorf(n.off, path, fmt.Sprintf("%q %s", v, problem), fix)
			return
		}
		*field(l) = opt[string]{v, true, off}
	}
}

func enumKey(field func(*layer) *opt[string], values ...string) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		v, ok := d.str(n, path, fmt.Sprintf("%q", values[0]))
		if !ok {
			return
		}
		if !slices.Contains(values, v) {
			fix := "use one of " + quoteList(values)
			if s := enumSuggestion(v, values); s != "" {
				fix = fmt.Sprintf("did you mean %q? (one of %s)", s, quoteList(values))
			}
			d.errorf(n.off, path, fmt.Sprintf("%q is not allowed", v), fix)
			return
		}
		*field(l) = opt[string]{v, true, off}
	}
}

// enumSuggestion maps common spellings to an allowed value.
func enumSuggestion(v string, values []string) string {
	switch strings.ToLower(v) {
	case "amd64", "x86-64", "x64", "x86":
		if slices.Contains(values, "x86_64") {
			return "x86_64"
		}
	case "aarch64", "arm":
		if slices.Contains(values, "arm64") {
			return "arm64"
		}
	}
	for _, a := range values {
		if strings.EqualFold(a, v) {
			return a
		}
	}
	return didYouMean(v, values)
}

func fileKey(field func(*layer) *opt[string]) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		v, ok := d.str(n, path, `"policy-dev.json"`)
		if !ok {
			return
		}
		if _, err := chaliceFile(v); err != nil {
			d.errorf(n.off, path, fmt.Sprintf("%q %v", v, err), "name a file inside .chalice/, relative to it, e.g. \"policy-dev.json\"")
			return
		}
		*field(l) = opt[string]{v, true, off}
	}
}

func listKey(field func(*layer) *opt[[]string], re *regexp.Regexp, problem, fix, example string) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		vs, ok := d.stringList(n, path, example)
		for i, v := range vs {
			if !re.MatchString(v) {
				d.errorf(n.elems[i].off, indexPath(path, i), fmt.Sprintf("%q %s", v, problem), fix)
				ok = false
			}
		}
		if ok {
			*field(l) = opt[[]string]{vs, true, off}
		}
	}
}

func decodeLayers(d *decoder, l *layer, n *node, path string, off int) {
	vs, ok := d.stringList(n, path, `["arn:aws:lambda:us-east-1:123456789012:layer:my-layer:1"]`)
	for i, v := range vs {
		if !layerARNRE.MatchString(v) {
			d.errorf(n.elems[i].off, indexPath(path, i), fmt.Sprintf("%q is not a Lambda layer version ARN", v), `write it as "arn:aws:lambda:<region>:<account id>:layer:<name>:<version>"`)
			ok = false
		}
	}
	if ok && len(vs) > maxLayers {
		d.errorf(n.off, path, fmt.Sprintf("%d layers", len(vs)), "Lambda allows at most 5 layers per function")
		ok = false
	}
	if ok {
		l.layers = opt[[]string]{vs, true, off}
	}
}

func decodeVPCE(d *decoder, l *layer, n *node, path string, off int) {
	var vs []string
	if n.kind == kindString {
		vs = []string{n.str}
		if !vpceRE.MatchString(n.str) {
			d.errorf(n.off, path, fmt.Sprintf("%q is not a VPC endpoint ID", n.str), `VPC endpoint IDs look like "vpce-0123456789abcdef0"`)
			return
		}
	} else {
		var ok bool
		if n.kind != kindArray {
			d.wrongType(n, path, "a string or an array of strings", `"vpce-0123456789abcdef0"`)
			return
		}
		vs, ok = d.stringList(n, path, `["vpce-0123456789abcdef0"]`)
		for i, v := range vs {
			if !vpceRE.MatchString(v) {
				d.errorf(n.elems[i].off, indexPath(path, i), fmt.Sprintf("%q is not a VPC endpoint ID", v), `VPC endpoint IDs look like "vpce-0123456789abcdef0"`)
				ok = false
			}
		}
		if !ok {
			return
		}
	}
	l.endpointVPCE = opt[[]string]{vs, true, off}
}

func decodeLogRetention(d *decoder, l *layer, n *node, path string, off int) {
	v, ok := d.integer(n, path)
	if !ok {
		return
	}
	if !slices.Contains(logRetentionDays, v) {
		vals := make([]string, len(logRetentionDays))
		for i, x := range logRetentionDays {
			vals[i] = strconv.Itoa(x)
		}
		d.errorf(n.off, path, fmt.Sprintf("%d is not a retention CloudWatch Logs offers", v), "use one of "+strings.Join(vals, ", "))
		return
	}
	l.logRetention = opt[int]{v, true, off}
}

func domainKey(field func(*layer) *opt[*CustomDomain]) func(*decoder, *layer, *node, string, int) {
	return func(d *decoder, l *layer, n *node, path string, off int) {
		if !d.object(n, path, `{"domain_name": "api.example.com", "certificate_arn": "arn:aws:acm:..."}`) {
			return
		}
		cd := &CustomDomain{TLSVersion: "TLS_1_2"}
		ok := true
		fields := []string{"domain_name", "certificate_arn", "tls_version", "url_prefix", "tags"}
		seen := map[string]bool{}
		for _, m := range n.members {
			p := joinPath(path, m.key)
			seen[m.key] = true
			var good bool
			switch m.key {
			case "domain_name":
				cd.DomainName, good = d.str(m.val, p, `"api.example.com"`)
				if good && !domainRE.MatchString(cd.DomainName) {
					d.errorf(m.val.off, p, fmt.Sprintf("%q is not a domain name", cd.DomainName), `write a host name such as "api.example.com"`)
					good = false
				}
			case "certificate_arn":
				cd.CertificateARN, good = d.str(m.val, p, `"arn:aws:acm:us-east-1:123456789012:certificate/<id>"`)
				if good && !certARNRE.MatchString(cd.CertificateARN) {
					d.errorf(m.val.off, p, fmt.Sprintf("%q is not an ACM certificate ARN", cd.CertificateARN), `write it as "arn:aws:acm:<region>:<account id>:certificate/<id>"`)
					good = false
				}
			case "tls_version":
				var v string
				v, good = d.str(m.val, p, `"TLS_1_2"`)
				if good && v != "TLS_1_0" && v != "TLS_1_2" {
					d.errorf(m.val.off, p, fmt.Sprintf("%q is not allowed", v), `use "TLS_1_2" (the default) or "TLS_1_0"`)
					good = false
				}
				cd.TLSVersion = v
			case "url_prefix":
				cd.URLPrefix, good = d.str(m.val, p, `"v1"`)
				if cd.URLPrefix == "/" {
					cd.URLPrefix = "" // the root, as Chalice reads it
				}
				if good && cd.URLPrefix != "" && !urlPrefixRE.MatchString(cd.URLPrefix) {
					d.errorf(m.val.off, p, fmt.Sprintf("%q is not a valid base path", cd.URLPrefix), `use path segments without a leading or trailing "/", e.g. "v1"`)
					good = false
				}
			case "tags":
				cd.Tags, good = d.tags(m.val, p)
			default:
				fix := "remove it; a custom domain takes " + quoteList(fields)
				if s := didYouMean(m.key, fields); s != "" {
					fix = fmt.Sprintf("did you mean %q?", s)
				}
				d.errorf(m.keyOff, p, "unknown key", fix)
			}
			if !good {
				ok = false
			}
		}
		for _, req := range []string{"domain_name", "certificate_arn"} {
			if !seen[req] {
				d.errorf(n.off, path, req+" is missing", fmt.Sprintf("add %q: a custom domain needs domain_name and certificate_arn", req))
				ok = false
			}
		}
		if ok {
			*field(l) = opt[*CustomDomain]{cd, true, off}
		}
	}
}

// quoteList formats values as "a", "b" or "c".
func quoteList(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	switch len(q) {
	case 0:
		return ""
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}

// joinPath appends key to a key path, quoting keys that would make the
// path ambiguous.
func joinPath(base, key string) string {
	if key == "" || !nameRE.MatchString(key) {
		key = "[" + strconv.Quote(key) + "]"
		return base + key
	}
	if base == "" {
		return key
	}
	return base + "." + key
}

func indexPath(base string, i int) string {
	return fmt.Sprintf("%s[%d]", base, i)
}
