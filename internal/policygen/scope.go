package policygen

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// scopeProblem says why a statement's resource is "*".
type scopeProblem struct {
	msg, fix string
	pos      Position
}

func arn(service, resource string) string {
	return "arn:" + Partition + ":" + service + ":" + Region + ":" + AccountID + ":" + resource
}

// strings resolves a field of the call's input to concrete strings. set is
// false when the input is known and does not set the field.
func (fb *fnBuilder) fieldStrings(c *opCall, input located, field string) (vals []string, set bool, prob *scopeProblem) {
	locs, bad := fb.r.field(input.pkg, input.e, field, 0)
	if bad != nil {
		return nil, true, fb.unresolvedProblem(c, field, bad)
	}
	if len(locs) == 0 {
		return nil, false, nil
	}
	for _, l := range locs {
		got, prob := fb.evalExpr(c, l, field)
		if prob != nil {
			return nil, true, prob
		}
		vals = append(vals, got...)
	}
	return uniqueSorted(vals), true, nil
}

// evalExpr resolves one expression to concrete strings under the
// function's environment.
func (fb *fnBuilder) evalExpr(c *opCall, l located, field string) ([]string, *scopeProblem) {
	if l.pkg == nil {
		return nil, fb.unresolvedProblem(c, field, &unresolved{why: "a value the analysis cannot follow"})
	}
	syms, bad := fb.r.str(l.pkg, l.e)
	if bad != nil {
		return nil, fb.unresolvedProblem(c, field, bad)
	}
	var out []string
	for _, s := range syms {
		v, missing := s.eval(fb.env)
		if len(missing) > 0 {
			who := "function " + fb.name
			if fb.name == "" {
				who = "the function (no config: pass the environment to gen-policy --main)"
			}
			return nil, &scopeProblem{
				pos: fb.p.position(c.pos),
				msg: fmt.Sprintf("%s.%s: %s comes from environment variable %s, which is not set for %s, so the statement's resource is \"*\"", c.svc, c.op, field, strings.Join(missing, ", "), who),
				fix: fmt.Sprintf("set environment_variables.%s for %s in the stage config", missing[0], who),
			}
		}
		out = append(out, v)
	}
	return out, nil
}

func (fb *fnBuilder) unresolvedProblem(c *opCall, field string, bad *unresolved) *scopeProblem {
	why := bad.why
	if bad.pos.IsValid() && fb.p.fset.Position(bad.pos).Line != fb.p.fset.Position(c.pos).Line {
		why += " (" + fb.p.position(bad.pos).String() + ")"
	}
	return &scopeProblem{
		pos: fb.p.position(c.pos),
		msg: fmt.Sprintf("%s.%s: %s is %s, so the statement's resource is \"*\"", c.svc, c.op, field, why),
		fix: fmt.Sprintf("make %s a constant, or read it with os.Getenv(\"NAME\") (directly, or through a package-level variable or a constant name) and set NAME in the stage config", field),
	}
}

func (fb *fnBuilder) notScoped(c *opCall, action string) *scopeProblem {
	return &scopeProblem{
		pos: fb.p.position(c.pos),
		msg: fmt.Sprintf("%s.%s: the analysis does not scope %s to a resource, so the statement's resource is \"*\"", c.svc, c.op, action),
		fix: "narrow the resource with a statement in iam_policy_file and autogen_policy: false if \"*\" is too broad",
	}
}

// scope returns the ARNs action needs for call c, or why it is "*".
func (fb *fnBuilder) scope(c *opCall, action string) ([]string, *scopeProblem) {
	in := located{c.pkg, c.input}
	t := fb.p.table
	switch c.svc {
	case "dynamodb":
		tables, set, prob := fb.fieldStrings(c, in, "TableName")
		if prob != nil {
			return nil, prob
		}
		if !set {
			if c.op == "BatchGetItem" || c.op == "BatchWriteItem" {
				return fb.batchTables(c)
			}
			return nil, fb.notScoped(c, action)
		}
		var out []string
		tableARNs := make([]string, len(tables))
		for i, tb := range tables {
			tableARNs[i] = tb
			if !strings.HasPrefix(tb, "arn:") {
				tableARNs[i] = arn("dynamodb", "table/"+tb)
			}
		}
		if t.Accepts(action, "index") {
			idx, set, prob := fb.fieldStrings(c, in, "IndexName")
			if set {
				if prob != nil {
					idx = []string{"*"}
				}
				for _, ta := range tableARNs {
					for _, i := range idx {
						out = append(out, ta+"/index/"+i)
					}
				}
				return out, nil
			}
		}
		if t.Accepts(action, "table") {
			return tableARNs, nil
		}
	case "dynamodbstreams":
		streams, set, prob := fb.fieldStrings(c, in, "StreamArn")
		if prob != nil {
			return nil, prob
		}
		if set && t.Accepts(action, "stream") {
			return streams, nil
		}
	case "s3":
		buckets, set, prob := fb.fieldStrings(c, in, "Bucket")
		if prob != nil {
			return nil, prob
		}
		if !set {
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
				keys, kset, kprob := fb.fieldStrings(c, in, "Key")
				if !kset || kprob != nil {
					keys = []string{"*"}
				}
				for _, k := range keys {
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
		if urls, set, prob := fb.fieldStrings(c, in, "QueueUrl"); set || prob != nil {
			if prob != nil {
				return nil, prob
			}
			var out []string
			for _, u := range urls {
				out = append(out, queueARN(u))
			}
			return out, nil
		}
		if names, set, prob := fb.fieldStrings(c, in, "QueueName"); set || prob != nil {
			if prob != nil {
				return nil, prob
			}
			var out []string
			for _, n := range names {
				out = append(out, arn("sqs", n))
			}
			return out, nil
		}
	case "sns":
		arns, set, prob := fb.fieldStrings(c, in, "TopicArn")
		if prob != nil {
			return nil, prob
		}
		if set {
			return arns, nil
		}
	case "lambda":
		names, set, prob := fb.fieldStrings(c, in, "FunctionName")
		if prob != nil {
			return nil, prob
		}
		if set {
			var out []string
			for _, n := range names {
				if strings.HasPrefix(n, "arn:") {
					out = append(out, n)
				} else {
					out = append(out, arn("lambda", "function:"+n))
				}
			}
			return out, nil
		}
	case "secretsmanager":
		ids, set, prob := fb.fieldStrings(c, in, "SecretId")
		if prob != nil {
			return nil, prob
		}
		if set {
			var out []string
			for _, id := range ids {
				if strings.HasPrefix(id, "arn:") {
					out = append(out, id)
				} else {
					// Secrets Manager appends six random characters.
					out = append(out, arn("secretsmanager", "secret:"+id+"-??????"))
				}
			}
			return out, nil
		}
	case "ssm":
		for _, field := range []string{"Name", "Path"} {
			names, set, prob := fb.fieldStrings(c, in, field)
			if prob != nil {
				return nil, prob
			}
			if !set {
				continue
			}
			var out []string
			for _, n := range names {
				if strings.HasPrefix(n, "arn:") {
					out = append(out, n)
					continue
				}
				a := arn("ssm", "parameter/"+strings.TrimPrefix(n, "/"))
				out = append(out, a)
				if field == "Path" {
					out = append(out, strings.TrimSuffix(a, "/")+"/*")
				}
			}
			return out, nil
		}
	case "kinesis":
		if arns, set, prob := fb.fieldStrings(c, in, "StreamARN"); set || prob != nil {
			if prob == nil {
				return arns, nil
			}
		}
		names, set, prob := fb.fieldStrings(c, in, "StreamName")
		if prob != nil {
			return nil, prob
		}
		if set {
			var out []string
			for _, n := range names {
				out = append(out, arn("kinesis", "stream/"+n))
			}
			return out, nil
		}
	case "firehose":
		names, set, prob := fb.fieldStrings(c, in, "DeliveryStreamName")
		if prob != nil {
			return nil, prob
		}
		if set {
			var out []string
			for _, n := range names {
				out = append(out, arn("firehose", "deliverystream/"+n))
			}
			return out, nil
		}
	case "eventbridge", "cloudwatchevents":
		if c.op == "PutEvents" {
			return fb.eventBuses(c)
		}
	}
	return nil, fb.notScoped(c, action)
}

func (fb *fnBuilder) batchTables(c *opCall) ([]string, *scopeProblem) {
	items, bad := fb.r.field(c.pkg, c.input, "RequestItems", 0)
	if bad != nil {
		return nil, fb.unresolvedProblem(c, "RequestItems", bad)
	}
	if len(items) == 0 {
		return nil, fb.notScoped(c, "dynamodb:"+c.op)
	}
	var out []string
	for _, it := range items {
		keys, bad := fb.r.keys(it.pkg, it.e, 0)
		if bad != nil {
			return nil, fb.unresolvedProblem(c, "RequestItems", bad)
		}
		for _, k := range keys {
			names, prob := fb.evalExpr(c, k, "the RequestItems table name")
			if prob != nil {
				return nil, prob
			}
			for _, n := range names {
				out = append(out, arn("dynamodb", "table/"+n))
			}
		}
	}
	if len(out) == 0 {
		return nil, fb.notScoped(c, "dynamodb:"+c.op)
	}
	return uniqueSorted(out), nil
}

func (fb *fnBuilder) eventBuses(c *opCall) ([]string, *scopeProblem) {
	entries, bad := fb.r.field(c.pkg, c.input, "Entries", 0)
	if bad != nil {
		return nil, fb.unresolvedProblem(c, "Entries", bad)
	}
	var out []string
	for _, e := range entries {
		elems, bad := fb.r.elements(e.pkg, e.e, 0)
		if bad != nil {
			return nil, fb.unresolvedProblem(c, "Entries", bad)
		}
		for _, el := range elems {
			names, set, prob := fb.fieldStrings(c, el, "EventBusName")
			if prob != nil {
				return nil, prob
			}
			if !set {
				names = []string{"default"}
			}
			for _, n := range names {
				if strings.HasPrefix(n, "arn:") {
					out = append(out, n)
				} else {
					out = append(out, arn("events", "event-bus/"+n))
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fb.notScoped(c, "events:PutEvents")
	}
	return uniqueSorted(out), nil
}

// queueARN turns a queue URL (https://sqs.<region>.amazonaws.com/<account>/<name>)
// or a queue name into the queue's ARN.
func queueARN(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return arn("sqs", s)
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) != 2 {
		return arn("sqs", segs[len(segs)-1])
	}
	region := Region
	host := strings.Split(u.Hostname(), ".")
	switch {
	case len(host) >= 3 && host[0] == "sqs":
		region = host[1]
	case len(host) >= 3 && host[1] == "queue":
		region = host[0]
	}
	return "arn:" + Partition + ":sqs:" + region + ":" + segs[0] + ":" + segs[1]
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
