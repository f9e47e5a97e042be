package policygen

import (
	"fmt"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
)

// scopeTargets returns the resources action needs for call c with the
// condition IAM checks each under, or why the resource is "*". Only KMS
// calls that name their key by alias carry a condition; every other
// resource comes from scope.
func (fb *fnBuilder) scopeTargets(c *opCall, action string) ([]target, *scopeProblem) {
	if c.svc == "kms" && c.input != nil && hasField(c, "KeyId") &&
		fb.p.table.Accepts(action, "key") && !fb.p.table.Accepts(action, "alias") {
		return fb.kmsKeys(c, action)
	}
	arns, prob := fb.scope(c, action)
	if prob != nil {
		return nil, prob
	}
	out := make([]target, len(arns))
	for i, a := range arns {
		out[i] = target{arn: a}
	}
	return out, nil
}

// requestAlias is the condition key that holds the alias a KMS request
// names its key by.
const requestAlias = "kms:RequestAlias"

// kmsKeys scopes a KMS call on a key to the key its KeyId names. A key
// ID or key ARN names the key itself. An alias ("alias/app-data", or an
// alias ARN) is not the resource IAM authorises the call on: IAM checks
// the key the alias points to, which the code does not name, so the
// statement allows any key of the alias's account and region, and only
// for requests that use that alias (StringEquals kms:RequestAlias). The
// alias ARN itself would never match.
func (fb *fnBuilder) kmsKeys(c *opCall, action string) ([]target, *scopeProblem) {
	ids, state, prob := fb.fieldStrings(c, c.in(), "KeyId")
	if prob != nil {
		return nil, prob
	}
	if state != fieldSet {
		return nil, fb.notScoped(c, action)
	}
	var out []target
	for _, id := range ids {
		t, ok := kmsKeyTarget(id)
		if !ok {
			return nil, &scopeProblem{
				code: CodeUnresolved,
				pos:  fb.p.position(c.pos),
				msg:  fmt.Sprintf("%s.%s: KeyId %q is not a key ID, key ARN, alias name or alias ARN, so the statement's resource is \"*\"", c.svc, c.op, id),
				fix:  "set KeyId to a key ID, a key ARN, \"alias/NAME\" or an alias ARN",
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// kmsKeyTarget returns the resource and condition of one KeyId value.
func kmsKeyTarget(id string) (target, bool) {
	alias := func(name string) condition {
		return condition{op: "StringEquals", key: requestAlias, value: name}
	}
	if strings.ContainsAny(id, "*?") || id == "" {
		return target{}, false
	}
	if name, ok := strings.CutPrefix(id, "alias/"); ok && name != "" {
		return target{arn: regional("kms", "key/*"), cond: alias(id)}, true
	}
	if !arn.IsARN(id) {
		if strings.ContainsAny(id, ":/") {
			return target{}, false
		}
		return target{arn: regional("kms", "key/"+id)}, true
	}
	// arn:PARTITION:kms:REGION:ACCOUNT:key/ID or ...:alias/NAME
	p, ok := arn.Parse(id)
	if !ok || p.Service != "kms" {
		return target{}, false
	}
	switch kind, name, _ := strings.Cut(p.Resource, "/"); {
	case name == "":
		return target{}, false
	case kind == "key":
		return target{arn: id}, true
	case kind == "alias":
		keys := arn.Target{Partition: p.Partition, Region: p.Region, Account: p.Account}.Regional("kms", "key/*")
		return target{arn: keys, cond: alias(p.Resource)}, true
	}
	return target{}, false
}
