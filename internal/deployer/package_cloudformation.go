package deployer

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// SAMTransform is the transform of a SAM template.
const SAMTransform = "AWS::Serverless-2016-10-31"

// cfnLogicalIDs returns the logical ID of every address of d: the
// function's own for "function:x", with Role, LogGroup,
// EventSourceMapping or InvokePermission after it for the others,
// RestAPI for the REST API and its deployment (one AWS::Serverless::Api)
// and HttpAPI for the HTTP API and its stage (one
// AWS::Serverless::HttpApi).
func cfnLogicalIDs(d *Desired, params []StreamParameter) (map[string]string, error) {
	out := map[string]string{}
	owner := map[string]string{}
	for _, prm := range params {
		owner[prm.Name] = "parameter " + prm.Name
	}
	for _, r := range d.Resources {
		fn := LogicalID(addressFunction(r.Address))
		k, ok := kindOf(r.Type)
		if !ok || k.cloudFormation == nil {
			return nil, fmt.Errorf("%s: gochalice package does not know the resource type %s", r.Address, r.Type)
		}
		id, shared := fn+k.logicalID, k.sharedLogicalID != ""
		if shared {
			// The app stage's one resource, named for no function, which
			// several addresses may make up (an API and its stage).
			id = k.sharedLogicalID
		}
		if fn == "" && !shared {
			return nil, fmt.Errorf("%s: the function name has no letter or digit to make a CloudFormation logical ID of", r.Address)
		}
		if other, dup := owner[id]; dup && !shared {
			return nil, fmt.Errorf("%s and %s both get the CloudFormation logical ID %s: rename one of the functions", other, r.Address, id)
		}
		owner[id] = r.Address
		out[r.Address] = id
	}
	return out, nil
}

// cfnSub turns a string holding placeholders of known names into the
// intrinsic that fills them in: {"Ref": name} for a whole "${name}",
// {"Fn::Sub": s} otherwise, with every other "${" escaped as "${!" so it
// stays literal. A string without known placeholders is returned as is.
func cfnSub(known map[string]bool) func(s string) any {
	return func(s string) any {
		if !strings.Contains(s, "${") {
			return s
		}
		found := false
		out := placeholders(s, func(t string) string { return t }, func(name string) string {
			if known[name] {
				found = true
				return "${" + name + "}"
			}
			if name == "" {
				return "${!"
			}
			return "${!" + name + "}"
		})
		if !found {
			return s
		}
		if isTemplateReference(s) {
			return map[string]any{"Ref": s[2 : len(s)-1]}
		}
		return map[string]any{"Fn::Sub": out}
	}
}

// cfnRefers reports whether v (a decoded JSON value) refers to the
// resource logical through Ref, Fn::GetAtt or Fn::Sub.
func cfnRefers(v any, logical string) bool {
	switch x := v.(type) {
	case map[string]any:
		if x["Ref"] == logical {
			return true
		}
		switch ga := x["Fn::GetAtt"].(type) {
		case []any:
			if len(ga) > 0 && ga[0] == logical {
				return true
			}
		case string:
			if strings.HasPrefix(ga, logical+".") {
				return true
			}
		}
		sub := x["Fn::Sub"]
		if a, ok := sub.([]any); ok && len(a) > 0 {
			sub = a[0]
		}
		if s, ok := sub.(string); ok && (strings.Contains(s, "${"+logical+"}") || strings.Contains(s, "${"+logical+".")) {
			return true
		}
		for _, e := range x {
			if cfnRefers(e, logical) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if cfnRefers(e, logical) {
				return true
			}
		}
	}
	return false
}

// normalize round-trips v through JSON, so that it holds only maps,
// slices, strings, json.Numbers, booleans and nils.
func normalize(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(data)
}

// CloudFormation returns the package as a SAM template: an
// AWS::Serverless::Function per function (CodeUri ./deployment.zip), an
// AWS::IAM::Role per managed role with its inline policy, an
// AWS::Logs::LogGroup where a retention is set, an
// AWS::Lambda::EventSourceMapping per stream, the REST API as an
// AWS::Serverless::Api whose DefinitionBody is deploy's OpenAPI document,
// and the API handler's AWS::Lambda::Permission scoped to the API by
// SourceArn. Event sources are explicit resources, as deploy makes them:
// AWS::Lambda::EventSourceMapping for queues and streams,
// AWS::Events::Rule (with the function as its target) for schedules and
// event patterns, AWS::SNS::Subscription for topics,
// AWS::Lambda::EventInvokeConfig for failure destinations, and an
// AWS::Lambda::Permission with SourceArn (and SourceAccount) for each
// push source. S3 sources cannot be packaged (ErrS3NotificationTemplate):
// CloudFormation manages notifications only of buckets it creates. Names are deploy's (FunctionName, RoleName), ARNs use the
// pseudo parameters, tables' streams are parameters; outputs give the
// API's URL and id and every function's name and ARN. Every resource's
// Metadata names the addresses of deploy's plan it stands for.
func (pk *Package) CloudFormation() (map[string]any, error) {
	d := pk.Desired
	ids, err := cfnLogicalIDs(d, pk.Parameters)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for k := range pseudoParameters() {
		known[k] = true
	}
	params := map[string]any{}
	for _, prm := range pk.Parameters {
		known[prm.Name] = true
		params[prm.Name] = map[string]any{
			"Type":           "String",
			"Description":    prm.Description(),
			"AllowedPattern": "^arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:[0-9]{12}:table/" + regexp.QuoteMeta(prm.Table) + "/stream/.+$",
		}
	}
	sub := cfnSub(known)
	subJSON := func(doc []byte) (any, error) {
		v, err := decodeJSON(doc)
		if err != nil {
			return nil, err
		}
		return walkStrings(v, sub), nil
	}

	resources := map[string]map[string]any{}
	addresses := map[string][]string{}
	deps := map[string][]string{}
	outputs := map[string]any{}
	for _, r := range d.Resources {
		id := ids[r.Address]
		addresses[id] = append(addresses[id], r.Address)
		deps[id] = append(deps[id], r.DependsOn...)
		k, _ := kindOf(r.Type) // cfnLogicalIDs refused unknown types
		c := &cfnContext{IDs: ids, Sub: sub, SubJSON: subJSON, Known: known, Outputs: outputs,
			Existing: func(id string) map[string]any { return resourceProps(resources, id) }}
		typ, props, err := k.cloudFormation(c, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address, err)
		}
		resources[id] = map[string]any{"Type": typ, "Properties": props}
	}

	out := map[string]any{}
	for id, res := range resources {
		props, err := normalize(res["Properties"])
		if err != nil {
			return nil, err
		}
		res["Properties"] = props
		var dependsOn []string
		for _, addr := range deps[id] {
			dep, ok := ids[addr]
			if !ok || dep == id || slices.Contains(dependsOn, dep) || cfnRefers(props, dep) {
				continue
			}
			dependsOn = append(dependsOn, dep)
		}
		if len(dependsOn) > 0 {
			slices.Sort(dependsOn)
			res["DependsOn"] = dependsOn
		}
		addrs := slices.Clone(addresses[id])
		slices.Sort(addrs)
		res["Metadata"] = map[string]any{AddressesMetadataKey: addrs}
		out[id] = res
	}
	t := map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Transform":                SAMTransform,
		"Description":              fmt.Sprintf("gochalice app %s, stage %s", d.App, d.Stage),
		"Resources":                out,
		"Outputs":                  outputs,
	}
	if len(params) > 0 {
		t["Parameters"] = params
	}
	return t, nil
}

// resourceProps returns the properties of a resource being built, for a
// second address that adds to them.
func resourceProps(resources map[string]map[string]any, id string) map[string]any {
	if r, ok := resources[id]; ok {
		return maps.Clone(r["Properties"].(map[string]any))
	}
	return map[string]any{}
}

func toAnySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
