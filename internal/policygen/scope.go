package policygen

import (
	"fmt"
	"go/types"
	"regexp"
	"sort"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
)

// scopeProblem says why a statement's resource is "*".
type scopeProblem struct {
	code     Code
	msg, fix string
	pos      Position
}

// tpl builds ARNs with the placeholders Resolve fills in: the same forms
// the deployer builds for the deploy's partition, region and account.
var tpl = arn.Template()

// regional returns the ARN of a resource of service in the placeholder
// region and account.
func regional(service, resource string) string { return tpl.Regional(service, resource) }

// fieldState says whether a call's input sets a field.
type fieldState int

const (
	// fieldUnset: the input does not set the field.
	fieldUnset fieldState = iota
	// fieldSet: every path sets it.
	fieldSet
	// fieldMaybe: some paths set it and others leave it unset.
	fieldMaybe
)

// fieldStrings resolves a field of an input to concrete strings, and says
// whether the input sets it on every path.
func (fb *fnBuilder) fieldStrings(c *opCall, input located, field string) (vals []string, state fieldState, prob *scopeProblem) {
	fv, bad := fb.r.field(input, field)
	if bad != nil {
		return nil, fieldSet, fb.unresolvedProblem(c, field, bad)
	}
	if len(fv.vals) == 0 {
		return nil, fieldUnset, nil
	}
	for _, l := range fv.vals {
		got, prob := fb.evalExpr(c, l, field)
		if prob != nil {
			return nil, fieldSet, prob
		}
		vals = append(vals, got...)
	}
	state = fieldSet
	if fv.unset {
		state = fieldMaybe
	}
	return uniqueSorted(vals), state, nil
}

// evalExpr resolves one expression to concrete strings under the
// function's environment.
func (fb *fnBuilder) evalExpr(c *opCall, l located, field string) ([]string, *scopeProblem) {
	if l.pkg == nil {
		return nil, fb.unresolvedProblem(c, field, &unresolved{why: "a value the analysis cannot follow"})
	}
	syms, bad := fb.r.strAt(l)
	if bad != nil {
		return nil, fb.unresolvedProblem(c, field, bad)
	}
	var out []string
	for _, s := range syms {
		v, missing := s.eval(fb.env)
		if len(missing) > 0 {
			return nil, fb.envProblem(c, field, missing)
		}
		out = append(out, v)
	}
	return out, nil
}

func (fb *fnBuilder) envProblem(c *opCall, field string, missing []string) *scopeProblem {
	p := &scopeProblem{code: CodeEnvUnset, pos: fb.p.position(c.pos)}
	if fb.name == "" {
		p.msg = fmt.Sprintf("%s.%s: %s comes from environment variable %s, which gen-policy was not given, so the statement's resource is \"*\"", c.svc, c.op, field, strings.Join(missing, ", "))
		p.fix = fmt.Sprintf("pass its value: --env %s=VALUE (or --env-file FILE, or --stage with a .chalice/config.json that sets it)", missing[0])
		return p
	}
	p.msg = fmt.Sprintf("%s.%s: %s comes from environment variable %s, which is not set for function %s, so the statement's resource is \"*\"", c.svc, c.op, field, strings.Join(missing, ", "), fb.name)
	p.fix = fmt.Sprintf("set environment_variables.%s for function %s in the stage config", missing[0], fb.name)
	return p
}

func (fb *fnBuilder) unresolvedProblem(c *opCall, field string, bad *unresolved) *scopeProblem {
	why := bad.why
	if bad.pos.IsValid() && fb.p.fset.Position(bad.pos).Line != fb.p.fset.Position(c.pos).Line {
		why += " (" + fb.p.position(bad.pos).String() + ")"
	}
	return &scopeProblem{
		code: CodeUnresolved,
		pos:  fb.p.position(c.pos),
		msg:  fmt.Sprintf("%s.%s: %s is %s, so the statement's resource is \"*\"", c.svc, c.op, field, why),
		fix:  fmt.Sprintf("make %s a constant, or read it with os.Getenv(\"NAME\") (directly, or through a variable, a helper or a constant name) and set NAME in the stage config; or narrow the resource with a statement in iam_policy_file", field),
	}
}

func (fb *fnBuilder) notScoped(c *opCall, action string) *scopeProblem {
	return &scopeProblem{
		code: CodeNotScoped,
		pos:  fb.p.position(c.pos),
		msg:  fmt.Sprintf("%s.%s: the analysis does not scope %s to a resource, so the statement's resource is \"*\"", c.svc, c.op, action),
		fix:  "narrow the resource with a statement in iam_policy_file and autogen_policy: false if \"*\" is too broad",
	}
}

// scope returns the ARNs action needs for call c, or why it is "*".
func (fb *fnBuilder) scope(c *opCall, action string) ([]string, *scopeProblem) {
	in := c.in()
	t := fb.p.table
	if c.input == nil && c.fn != nil && c.fn.FullName() == assumeRoleProvider {
		return fb.assumeRole(c)
	}
	switch c.svc {
	case "dynamodb":
		tables, state, prob := fb.fieldStrings(c, in, "TableName")
		if prob != nil {
			return nil, prob
		}
		if state == fieldUnset {
			if c.op == "BatchGetItem" || c.op == "BatchWriteItem" {
				return fb.batchTables(c)
			}
			return nil, fb.notScoped(c, action)
		}
		tableARNs := make([]string, len(tables))
		for i, tb := range tables {
			tableARNs[i] = tb
			if !strings.HasPrefix(tb, "arn:") {
				tableARNs[i] = regional("dynamodb", "table/"+tb)
			}
		}
		var out []string
		if t.Accepts(action, "index") {
			idx, state, prob := fb.fieldStrings(c, in, "IndexName")
			if state != fieldUnset {
				if prob != nil {
					idx = []string{"*"}
				}
				for _, ta := range tableARNs {
					for _, i := range idx {
						out = append(out, ta+"/index/"+i)
					}
				}
				if state == fieldSet || !t.Accepts(action, "table") {
					return out, nil
				}
				// Some paths query the base table: it needs the action
				// too (too narrow fails at run time).
			}
		}
		if t.Accepts(action, "table") {
			return uniqueSorted(append(out, tableARNs...)), nil
		}
	case "dynamodbstreams":
		streams, state, prob := fb.fieldStrings(c, in, "StreamArn")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet && t.Accepts(action, "stream") {
			return streams, nil
		}
	case "s3":
		if action == "s3:GetObject" && hasField(c, "CopySource") {
			// CopyObject and UploadPartCopy read the source object.
			return fb.copySources(c, action)
		}
		buckets, state, prob := fb.fieldStrings(c, in, "Bucket")
		if prob != nil {
			return nil, prob
		}
		if state != fieldSet {
			break
		}
		var out []string
		for _, b := range buckets {
			base := b
			if !strings.HasPrefix(b, "arn:") {
				base = "arn:" + Partition + ":s3:::" + b
			}
			switch {
			case t.Accepts(action, "object"):
				for _, k := range fb.objectKeys(c) {
					out = append(out, base+"/"+k)
				}
			case t.Accepts(action, "bucket"):
				out = append(out, base)
			}
		}
		if len(out) > 0 {
			return out, nil
		}
	case "sqs":
		if urls, state, prob := fb.fieldStrings(c, in, "QueueUrl"); state != fieldUnset || prob != nil {
			if prob != nil {
				return nil, prob
			}
			var out []string
			for _, u := range urls {
				out = append(out, tpl.Queue(u))
			}
			return out, nil
		}
		if names, state, prob := fb.fieldStrings(c, in, "QueueName"); state != fieldUnset || prob != nil {
			if prob != nil {
				return nil, prob
			}
			var out []string
			for _, n := range names {
				out = append(out, regional("sqs", n))
			}
			return out, nil
		}
	case "sns":
		arns, state, prob := fb.fieldStrings(c, in, "TopicArn")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			return arns, nil
		}
	case "lambda":
		names, state, prob := fb.fieldStrings(c, in, "FunctionName")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			return fb.functionARNs(c, names), nil
		}
	case "secretsmanager":
		ids, state, prob := fb.fieldStrings(c, in, "SecretId")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			var out []string
			for _, id := range ids {
				if strings.HasPrefix(id, "arn:") {
					out = append(out, id)
				} else {
					// Secrets Manager appends six random characters.
					out = append(out, regional("secretsmanager", "secret:"+id+"-??????"))
				}
			}
			return out, nil
		}
	case "ssm":
		for _, field := range []string{"Name", "Path"} {
			names, state, prob := fb.fieldStrings(c, in, field)
			if prob != nil {
				return nil, prob
			}
			if state != fieldSet {
				continue
			}
			var out []string
			for _, n := range names {
				if strings.HasPrefix(n, "arn:") {
					out = append(out, n)
					continue
				}
				a := regional("ssm", "parameter/"+strings.TrimPrefix(n, "/"))
				out = append(out, a)
				if field == "Path" {
					out = append(out, strings.TrimSuffix(a, "/")+"/*")
				}
			}
			return out, nil
		}
	case "kinesis":
		if arns, state, prob := fb.fieldStrings(c, in, "StreamARN"); state == fieldSet && prob == nil {
			return arns, nil
		}
		names, state, prob := fb.fieldStrings(c, in, "StreamName")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			var out []string
			for _, n := range names {
				out = append(out, regional("kinesis", "stream/"+n))
			}
			return out, nil
		}
	case "firehose":
		names, state, prob := fb.fieldStrings(c, in, "DeliveryStreamName")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			var out []string
			for _, n := range names {
				out = append(out, regional("firehose", "deliverystream/"+n))
			}
			return out, nil
		}
	case "eventbridge", "cloudwatchevents":
		if c.op == "PutEvents" {
			return fb.eventBuses(c)
		}
	case "bedrockruntime":
		ids, state, prob := fb.fieldStrings(c, in, "ModelId")
		if prob != nil {
			return nil, prob
		}
		if state == fieldSet {
			var out []string
			for _, id := range ids {
				out = append(out, modelARNs(id)...)
			}
			return uniqueSorted(out), nil
		}
	case "ses", "sesv2":
		if t.Accepts(action, "identity") && strings.HasPrefix(c.op, "Send") && c.op != "SendCustomVerificationEmail" {
			return fb.sesSend(c, action)
		}
	case "athena":
		if t.Accepts(action, "workgroup") && hasField(c, "WorkGroup") {
			return fb.workGroups(c)
		}
	case "ecs":
		if t.Accepts(action, "task-definition") {
			for _, field := range []string{"TaskDefinition", "Family"} {
				if hasField(c, field) {
					return fb.taskDefinitions(c, action, field)
				}
			}
		}
	case "apigatewaymanagementapi":
		// The endpoint comes from the event at run time; an app's
		// WebSocket API is the one it answers (its id filled in by
		// deploy), a plain program's any API in this account and region.
		// The method is the operation's: POST sends, DELETE
		// disconnects, GET describes.
		api := "*"
		if fb.p.webSocketAPI {
			api = WebSocketAPIID
		}
		return []string{regional("execute-api", api+"/*/"+connectionMethods[c.op]+"/@connections/*")}, nil
	}
	return fb.generic(c, action)
}

// connectionMethods are the HTTP methods of the Management API's
// operations, which its execute-api ARNs name.
var connectionMethods = map[string]string{"PostToConnection": "POST", "DeleteConnection": "DELETE", "GetConnection": "GET"}

// assumeRoleProvider is the SDK helper that makes the function's role
// call sts:AssumeRole: the user's code asks for it explicitly, unlike the
// default credential chain.
const assumeRoleProvider = "github.com/aws/aws-sdk-go-v2/credentials/stscreds.NewAssumeRoleProvider"

func (fb *fnBuilder) assumeRole(c *opCall) ([]string, *scopeProblem) {
	if len(c.args) < 2 {
		return nil, fb.notScoped(c, "sts:AssumeRole")
	}
	vals, prob := fb.evalExpr(c, located{pkg: c.pkg, e: c.args[1]}, "the role ARN")
	if prob != nil {
		return nil, prob
	}
	return uniqueSorted(vals), nil
}

// functionARNs returns the ARNs Lambda authorises a call on the functions
// names stand for. A Qualifier (a version or an alias) makes the call act
// on the qualified ARN, function:<name>:<qualifier>, which the
// unqualified ARN does not match: when some paths set it, both; when its
// value is not known, the function and every qualifier of it.
func (fb *fnBuilder) functionARNs(c *opCall, names []string) []string {
	quals, state, prob := fb.fieldStrings(c, c.in(), "Qualifier")
	var out []string
	for _, n := range names {
		a := functionARN(n)
		if qualified(a) {
			out = append(out, a) // the name carries its qualifier
			continue
		}
		switch {
		case state == fieldUnset:
			out = append(out, a)
		case prob != nil:
			out = append(out, a, a+":*")
		default:
			if state == fieldMaybe {
				out = append(out, a)
			}
			for _, q := range quals {
				if q == "" {
					out = append(out, a)
				} else {
					out = append(out, a+":"+q)
				}
			}
		}
	}
	return uniqueSorted(out)
}

// functionARN returns the ARN of a Lambda FunctionName: a name, a name
// with a qualifier, a partial or a full ARN.
func functionARN(n string) string {
	switch {
	case strings.HasPrefix(n, "arn:"):
		return n
	case strings.Count(n, ":") >= 2: // account:function:name[:qualifier], a partial ARN
		return "arn:" + Partition + ":lambda:" + Region + ":" + n
	default:
		return regional("lambda", "function:"+n)
	}
}

// qualified says whether a function ARN names a version or an alias.
func qualified(functionARN string) bool {
	_, rest, _ := strings.Cut(functionARN, ":function:")
	return strings.Contains(rest, ":")
}

// modelARNs returns the resources Bedrock checks for a model ID: a
// foundation model in the stage's region; for a cross-region inference
// profile ("us.anthropic..."), the profile and the foundation model in
// every region it routes to; an ARN as it is.
func modelARNs(id string) []string {
	if strings.HasPrefix(id, "arn:") {
		return []string{id}
	}
	if geo, model, ok := strings.Cut(id, "."); ok && crossRegionPrefixes[geo] {
		return []string{
			regional("bedrock", "inference-profile/"+id),
			"arn:" + Partition + ":bedrock:*::foundation-model/" + model,
		}
	}
	return []string{"arn:" + Partition + ":bedrock:" + Region + "::foundation-model/" + id}
}

// crossRegionPrefixes are the geographies of Bedrock's system-defined
// inference profiles.
var crossRegionPrefixes = map[string]bool{"us": true, "eu": true, "apac": true, "us-gov": true, "ca": true, "jp": true, "au": true, "global": true}

// nameAliases are input fields named otherwise than the ARN format's
// variable they fill in.
var nameAliases = map[string]string{"WorkGroupName": "WorkGroup"}

var arnVar = regexp.MustCompile(`\$\{([A-Za-z]+)\}`)

// generic scopes an action of any service from the data: the action's
// resource types and their ARN formats. An input field whose name ends in
// "Arn" or "ARN" and whose value matches a format gives that ARN; a format
// whose every variable is an input field that holds a plain name or ID
// (UserPoolId, CollectionId, ...) is filled in from them.
func (fb *fnBuilder) generic(c *opCall, action string) ([]string, *scopeProblem) {
	if c.input == nil {
		return nil, fb.notScoped(c, action)
	}
	st := inputStruct(c.pkg.TypesInfo.TypeOf(c.input))
	if st == nil {
		return nil, fb.notScoped(c, action)
	}
	prefix, _, _ := strings.Cut(action, ":")
	rts, _ := fb.p.table.ResourceTypes(action)
	var formats []string
	for _, rt := range rts {
		if f, ok := fb.p.table.ARNFormat(prefix, strings.TrimSuffix(rt, "!")); ok {
			formats = append(formats, f)
		}
	}
	fields := map[string]bool{}
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if isStringish(f.Type()) {
			fields[f.Name()] = true
		}
	}
	in := c.in()
	var out []string
	// ARN fields.
	for name := range fields {
		if !strings.HasSuffix(name, "Arn") && !strings.HasSuffix(name, "ARN") {
			continue
		}
		vals, state, prob := fb.fieldStrings(c, in, name)
		if state == fieldUnset {
			continue
		}
		if prob != nil {
			return nil, prob
		}
		if state != fieldSet {
			continue
		}
		for _, v := range vals {
			for _, f := range formats {
				if fb.p.formatRE(f).MatchString(v) {
					out = append(out, v)
					break
				}
			}
		}
	}
	if len(out) > 0 {
		return uniqueSorted(out), nil
	}
	// Names and IDs filling in a format.
	for _, f := range formats {
		vars := arnVar.FindAllStringSubmatch(f, -1)
		values := map[string][]string{}
		ok := true
		for _, v := range vars {
			name := v[1]
			switch name {
			case "Partition", "Region", "Account":
				continue
			}
			field := name
			if !fields[field] {
				field = nameAliases[name]
			}
			if field == "" || !fields[field] {
				ok = false
				break
			}
			vals, state, prob := fb.fieldStrings(c, in, field)
			if prob != nil {
				return nil, prob
			}
			if state != fieldSet {
				ok = false
				break
			}
			for _, val := range vals {
				if val == "" || strings.ContainsAny(val, ":/*?") {
					ok = false
				}
			}
			values[name] = vals
		}
		if !ok || len(values) == 0 {
			continue
		}
		out = append(out, fillFormat(f, values)...)
	}
	if len(out) > 0 {
		return uniqueSorted(out), nil
	}
	if fb.optionalUnused(c, prefix, rts) {
		return []string{"*"}, nil
	}
	return nil, fb.notScoped(c, action)
}

// namesResource matches the input fields that may name a resource.
var namesResource = regexp.MustCompile(`(Arn|ARN|Arns|ARNs|Resource|Name|Names|Id|ID|Ids|IDs)$|^Resource`)

// fillFormat returns the ARNs of format f for every combination of the
// values of its variables. The resource's region is the stage's, except
// where the ID names its own (see idRegion).
func fillFormat(f string, values map[string][]string) []string {
	type arnRegion struct{ arn, region string }
	arns := []arnRegion{{f, Region}}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		var next []arnRegion
		for _, a := range arns {
			for _, val := range values[name] {
				region := a.region
				if r, ok := idRegion(name, val); ok {
					region = r
				}
				next = append(next, arnRegion{strings.ReplaceAll(a.arn, "${"+name+"}", val), region})
			}
		}
		arns = next
	}
	out := make([]string, len(arns))
	for i, a := range arns {
		out[i] = strings.NewReplacer("${Partition}", Partition, "${Region}", a.region, "${Account}", AccountID).Replace(a.arn)
	}
	return out
}

// regionPrefixed matches an ID that starts with the region it lives in:
// a Cognito user pool's "eu-west-1_AbCdEf123".
var regionPrefixed = regexp.MustCompile(`^([a-z]{2}(?:-[a-z]+)+-\d+)_`)

// idRegion returns the region an ID names, if it names one.
func idRegion(variable, id string) (string, bool) {
	if variable != "UserPoolId" {
		return "", false
	}
	m := regionPrefixed.FindStringSubmatch(id)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// optionalUnused says whether action's resource types are all optional
// and the call uses none of them (TranslateText without TerminologyNames):
// then IAM authorises the call on "*" alone. A resource type is unused
// when the input fields named after it ("TerminologyNames" for
// terminology) are unset, or, when no field is named after it, when no
// field could fill in its ARN format (TranslateText has nothing for
// parallel-data's ${ResourceName}). Anything else might be used, and so
// might a resource in any set field that looks like it names one
// (ListTags' Resource).
func (fb *fnBuilder) optionalUnused(c *opCall, prefix string, rts []string) bool {
	st := inputStruct(c.pkg.TypesInfo.TypeOf(c.input))
	for i := 0; i < st.NumFields(); i++ {
		f := st.Field(i)
		if !namesResource.MatchString(f.Name()) {
			continue
		}
		if fv, bad := fb.r.field(c.in(), f.Name()); bad != nil || len(fv.vals) > 0 {
			return false
		}
	}
	for _, rt := range rts {
		if strings.HasSuffix(rt, "!") {
			return false
		}
		word := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(rt))
		named := false
		for i := 0; i < st.NumFields(); i++ {
			f := st.Field(i)
			if !strings.Contains(strings.ToLower(f.Name()), word) {
				continue
			}
			named = true
			if fv, bad := fb.r.field(c.in(), f.Name()); bad != nil || len(fv.vals) > 0 {
				return false
			}
		}
		if named {
			continue
		}
		format, ok := fb.p.table.ARNFormat(prefix, rt)
		if !ok {
			return false
		}
		for _, v := range arnVar.FindAllStringSubmatch(format, -1) {
			switch v[1] {
			case "Partition", "Region", "Account":
				continue
			}
			for i := 0; i < st.NumFields(); i++ {
				f := st.Field(i).Name()
				if strings.HasPrefix(v[1], f) || strings.HasSuffix(v[1], f) || strings.HasPrefix(f, v[1]) {
					return false
				}
			}
		}
	}
	return len(rts) > 0
}

// formatRE matches the ARNs of an ARN format.
func (p *program) formatRE(f string) *regexp.Regexp {
	if re, ok := p.formats[f]; ok {
		return re
	}
	re := compileFormat(f)
	p.formats[f] = re
	return re
}

func compileFormat(f string) *regexp.Regexp {
	parts := arnVar.Split(f, -1)
	vars := arnVar.FindAllStringSubmatch(f, -1)
	var b strings.Builder
	b.WriteString("^")
	for i, p := range parts {
		b.WriteString(regexp.QuoteMeta(p))
		if i < len(vars) {
			switch vars[i][1] {
			case "Region", "Account":
				b.WriteString("[^:]*")
			case "Partition":
				b.WriteString("[^:]+")
			default:
				if i == len(vars)-1 && parts[i+1] == "" {
					b.WriteString(".+") // a trailing name may hold slashes and colons
				} else {
					b.WriteString("[^:]+")
				}
			}
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// inputStruct returns the struct of an *<Op>Input type.
func inputStruct(t types.Type) *types.Struct {
	if t == nil {
		return nil
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, _ := t.Underlying().(*types.Struct)
	return st
}

func isStringish(t types.Type) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.String
}

func (fb *fnBuilder) batchTables(c *opCall) ([]string, *scopeProblem) {
	items, bad := fb.r.field(c.in(), "RequestItems")
	if bad != nil {
		return nil, fb.unresolvedProblem(c, "RequestItems", bad)
	}
	if len(items.vals) == 0 {
		return nil, fb.notScoped(c, "dynamodb:"+c.op)
	}
	var out []string
	for _, it := range items.vals {
		keys, bad := fb.r.keys(it)
		if bad != nil {
			return nil, fb.unresolvedProblem(c, "RequestItems", bad)
		}
		for _, k := range keys {
			names, prob := fb.evalExpr(c, k, "the RequestItems table name")
			if prob != nil {
				return nil, prob
			}
			for _, n := range names {
				if strings.HasPrefix(n, "arn:") {
					out = append(out, n)
				} else {
					out = append(out, regional("dynamodb", "table/"+n))
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fb.notScoped(c, "dynamodb:"+c.op)
	}
	return uniqueSorted(out), nil
}

func (fb *fnBuilder) eventBuses(c *opCall) ([]string, *scopeProblem) {
	entries, bad := fb.r.field(c.in(), "Entries")
	if bad != nil {
		return nil, fb.unresolvedProblem(c, "Entries", bad)
	}
	var out []string
	for _, e := range entries.vals {
		elems, bad := fb.r.elements(e)
		if bad != nil {
			return nil, fb.unresolvedProblem(c, "Entries", bad)
		}
		for _, el := range elems {
			names, state, prob := fb.fieldStrings(c, el, "EventBusName")
			if prob != nil {
				return nil, prob
			}
			if state != fieldSet {
				names = append(names, "default")
			}
			for _, n := range names {
				if strings.HasPrefix(n, "arn:") {
					out = append(out, n)
				} else {
					out = append(out, regional("events", "event-bus/"+n))
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fb.notScoped(c, "events:PutEvents")
	}
	return uniqueSorted(out), nil
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
