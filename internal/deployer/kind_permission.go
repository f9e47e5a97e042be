package deployer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// PermissionStatementID is the Sid of the statement that lets API
// Gateway invoke the API handler.
const PermissionStatementID = "gochalice-rest-api"

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

func permissionAddr(fn string) string { return "permission:" + fn }

// invokePermission is the permission (address "permission:<fn>") that lets
// principal invoke fn, whose Lambda function name is name, from sourceARN
// ("" for a REST API handler's) and sourceAccount. It depends on the
// function and on deps.
func invokePermission(fn, name, sid, principal, sourceARN, sourceAccount string, deps ...string) Resource {
	return Resource{
		Address: permissionAddr(fn), Type: TypePermission, Name: sid,
		DependsOn: append([]string{functionAddr(fn)}, deps...),
		Permission: &PermissionSpec{FunctionName: name, StatementID: sid, Principal: principal, Action: "lambda:InvokeFunction",
			SourceARN: sourceARN, SourceAccount: sourceAccount},
	}
}

// permissionKind is the statement of a function's resource-based policy
// that lets its push source, its API or API Gateway's authorizer calls
// invoke it (lambda_permission, "permission:<function>"), always with a
// SourceArn condition (and SourceAccount for S3). Lambda cannot change a
// statement: apply removes and adds it again.
func permissionKind() kind {
	return kind{
		attributes: func(r *Resource, actual *State) map[string]string {
			pm := r.Permission
			attrs := map[string]string{
				"function_name": pm.FunctionName,
				"principal":     pm.Principal,
				"action":        pm.Action,
				"source_arn":    pm.sourceARN(actual, r.DependsOn),
			}
			if pm.SourceAccount != "" {
				attrs["source_account"] = pm.SourceAccount
			}
			return attrs
		},
		apply: applyPermission,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			fn := prior.Attributes["function_name"]
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: &fn, StatementId: &prior.Name})
				return err
			})
			return ignore[*lambdatypes.ResourceNotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			if want != nil {
				return rd.d.readPermission(ctx, want.Permission.FunctionName, want.Name)
			}
			return rd.d.readPermission(ctx, rec.Attributes["function_name"], rec.Name)
		},
		logicalID:      "InvokePermission",
		cloudFormation: permissionCloudFormation,
		terraform:      permissionTerraform,
		deployerPolicy: permissionDeployerPolicy,
	}
}

// permissionDeployerPolicy: the API handler's permission is API
// Gateway's; the other functions' are their push sources' and
// authorizers', for those services only (the lambda:Principal condition).
func permissionDeployerPolicy(c *policyContext, want *Resource, rec *ResourceState) []iam.Statement {
	fn, principal := "", ""
	if want != nil {
		fn, principal = want.Permission.FunctionName, want.Permission.Principal
	} else {
		fn, principal = rec.Attributes["function_name"], rec.Attributes["principal"]
	}
	if fn == c.stage.Prefix() {
		return []iam.Statement{
			allow("ReadAndRevokeAPIGatewayInvoke", []string{"lambda:GetPolicy", "lambda:RemovePermission"}, c.apiHandler(), nil),
			allow("LetAPIGatewayInvoke", []string{"lambda:AddPermission"}, c.apiHandler(),
				iam.Conditions{"StringEquals": {"lambda:Principal": {"apigateway.amazonaws.com"}}}),
		}
	}
	out := []iam.Statement{allow("ReadAndRevokeSourceInvoke", []string{"lambda:GetPolicy", "lambda:RemovePermission"}, c.otherFunctions(), nil)}
	if principal != "" {
		out = append(out, allow("LetSourcesInvoke", []string{"lambda:AddPermission"}, c.otherFunctions(),
			iam.Conditions{"StringEquals": {"lambda:Principal": {principal}}}))
	}
	return out
}

// permissionSourceARN is the SourceArn of the API's invoke permission: any
// stage, method and path of this REST API.
func permissionSourceARN(s *State) string {
	if s == nil {
		return KnownAfterApply
	}
	api, ok := s.Resources[restAPIAddr]
	if !ok || api.ID == "" {
		return KnownAfterApply
	}
	return s.Target.ExecuteAPI(api.ID) + "/*"
}

// sourceARN is the permission's SourceArn: its own with the API's id
// filled in from s, or the REST API's (permissionSourceARN);
// KnownAfterApply while the API is not recorded. The API is the one the
// permission depends on (deps), else the REST API, else the HTTP API.
func (pm *PermissionSpec) sourceARN(s *State, deps []string) string {
	switch {
	case pm.SourceARN == "":
		return permissionSourceARN(s)
	case !strings.Contains(pm.SourceARN, APIIDPlaceholder):
		return pm.SourceARN
	}
	if s == nil {
		return KnownAfterApply
	}
	api := s.Resources[permissionAPIAddr(deps, func(addr string) bool { return s.Resources[addr].ID != "" })]
	if api.ID == "" {
		return KnownAfterApply
	}
	return strings.ReplaceAll(pm.SourceARN, APIIDPlaceholder, api.ID)
}

// permissionAPIAddr returns the address of the API whose id fills a
// permission's APIIDPlaceholder: the API the permission depends on (deps),
// else the REST API when has reports it, else the HTTP API.
func permissionAPIAddr(deps []string, has func(addr string) bool) string {
	switch {
	case slices.Contains(deps, websocketAPIAddr):
		return websocketAPIAddr
	case slices.Contains(deps, httpAPIAddr):
		return httpAPIAddr
	case slices.Contains(deps, restAPIAddr), has(restAPIAddr):
		return restAPIAddr
	}
	return httpAPIAddr
}

func applyPermission(ctx context.Context, a *applier, r *Resource) error {
	d, p := a.d, r.Permission
	a.mu.Lock()
	source := p.sourceARN(a.state, r.DependsOn)
	a.mu.Unlock()
	if source == KnownAfterApply {
		return fmt.Errorf("the API is not recorded")
	}
	add := func() error {
		in := &lambda.AddPermissionInput{
			FunctionName: &p.FunctionName, StatementId: &p.StatementID,
			Action: &p.Action, Principal: &p.Principal, SourceArn: &source,
		}
		if p.SourceAccount != "" {
			in.SourceAccount = &p.SourceAccount
		}
		return d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.AddPermission(ctx, in)
			return err
		})
	}
	remove := func(sid string) error {
		err := d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: &p.FunctionName, StatementId: &sid})
			return err
		})
		return ignore[*lambdatypes.ResourceNotFoundException](err)
	}
	if rs, ok := a.get(r.Address); ok {
		// The recorded statement, which may have another id (the
		// function's source changed kind).
		if err := remove(rs.Name); err != nil {
			return err
		}
		if err := a.remove(r.Address); err != nil {
			return err
		}
	}
	err := add()
	var conflict *lambdatypes.ResourceConflictException
	if errors.As(err, &conflict) {
		// A statement with this id exists (an earlier try's): replace it.
		if err := remove(p.StatementID); err != nil {
			return err
		}
		err = add()
	}
	if err != nil {
		return err
	}
	attrs := r.Attributes(nil)
	attrs["source_arn"] = source
	return a.put(r.Address, ResourceState{Type: TypePermission, Name: p.StatementID, Attributes: attrs, DependsOn: r.DependsOn})
}

// lambdaPolicy is a function's resource-based policy as GetPolicy returns
// it. Other statements than ours may be there (a function URL's, with
// "Principal": "*"; conditions with lists), so only the shape common to
// all is decoded strictly; ours is interpreted by readPermission.
type lambdaPolicy struct {
	Statement []struct {
		Sid       string
		Action    any
		Principal json.RawMessage
		Condition map[string]map[string]any
	}
}

// policyPrincipal returns a statement's principal: a service's name, an
// "AWS" principal, or "*"; "" when it is none of these.
func policyPrincipal(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	if v := policyString(m["Service"]); v != "" {
		return v
	}
	return policyString(m["AWS"])
}

// policyString returns a policy value that is a string, or a list of one
// string; "" otherwise.
func policyString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if len(v) == 1 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

func (d *Deployer) readPermission(ctx context.Context, fn, sid string) (ResourceState, bool, error) {
	var out *lambda.GetPolicyOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.Lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &fn})
		return err
	})
	var missing *lambdatypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	var pol lambdaPolicy
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &pol); err != nil {
		return ResourceState{}, false, fmt.Errorf("policy of %s: %w", fn, err)
	}
	for _, st := range pol.Statement {
		if st.Sid != sid {
			continue
		}
		attrs := map[string]string{
			"function_name": fn,
			"principal":     policyPrincipal(st.Principal),
			"action":        policyString(st.Action),
			"source_arn":    policyString(st.Condition["ArnLike"]["AWS:SourceArn"]),
		}
		if acct := policyString(st.Condition["StringEquals"]["AWS:SourceAccount"]); acct != "" {
			attrs["source_account"] = acct
		}
		return ResourceState{Type: TypePermission, Name: sid, Attributes: attrs}, true, nil
	}
	return ResourceState{}, false, nil
}

// permissionCloudFormation makes the permission an
// AWS::Lambda::Permission whose SourceArn names the template's API, or
// the push source.
func permissionCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	p := r.Permission
	props := map[string]any{
		"FunctionName": map[string]any{"Ref": c.IDs[functionAddr(addressFunction(r.Address))]},
		"Action":       p.Action,
		"Principal":    p.Principal,
	}
	if !ownFunction(r) {
		props["FunctionName"] = p.FunctionName // an existing function's ARN (app.CustomAuthorizer)
	}
	switch {
	case p.SourceARN == "":
		props["SourceArn"] = map[string]any{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${" + restAPILogicalID + "}/*"}
	case strings.Contains(p.SourceARN, APIIDPlaceholder):
		api, ok := c.IDs[permissionAPIAddr(r.DependsOn, func(addr string) bool { _, ok := c.IDs[addr]; return ok })]
		if !ok {
			return "", nil, fmt.Errorf("its source is an API the template does not have")
		}
		known := maps.Clone(c.Known)
		known[api] = true
		props["SourceArn"] = cfnSub(known)(strings.ReplaceAll(p.SourceARN, APIIDPlaceholder, "${"+api+"}"))
	default:
		props["SourceArn"] = c.Sub(p.SourceARN)
	}
	if p.SourceAccount != "" {
		props["SourceAccount"] = c.Sub(p.SourceAccount)
	}
	return "AWS::Lambda::Permission", props, nil
}

// ownFunction says whether the permission is on a function of the app; a
// custom authorizer given by ARN has its permission on an existing one.
func ownFunction(r Resource) bool {
	return slices.Contains(r.DependsOn, functionAddr(addressFunction(r.Address)))
}

func permissionTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	p := r.Permission
	body := map[string]any{
		"function_name": "${aws_lambda_function." + c.Function + ".function_name}",
		"statement_id":  tfLiteral(p.StatementID),
		"action":        p.Action,
		"principal":     p.Principal,
		"source_arn":    "${aws_api_gateway_rest_api." + restAPITerraformName + ".execution_arn}/*",
	}
	if !ownFunction(r) {
		body["function_name"] = p.FunctionName // an existing function's ARN (app.CustomAuthorizer)
	}
	if p.SourceARN != "" {
		body["source_arn"] = tfPermissionSourceARN(c.Desired, r, c.Expand)
	}
	if p.SourceAccount != "" {
		body["source_account"] = c.Expand(p.SourceAccount)
	}
	return []tfBlock{{typ: "aws_lambda_permission", name: c.Name, body: body}}, nil
}

// tfPermissionSourceARN is a permission's source_arn. The id of the API
// it names (APIIDPlaceholder) is the API block's: an ARN of the API
// itself (arn:…:execute-api:…:{api_id}/…) is written from its
// execution_arn, as the REST API handler's is.
func tfPermissionSourceARN(d *Desired, r Resource, expand func(string) string) string {
	src := r.Permission.SourceARN
	if !strings.Contains(src, APIIDPlaceholder) {
		return expand(src)
	}
	api := "aws_api_gateway_rest_api." + restAPITerraformName
	switch permissionAPIAddr(r.DependsOn, func(addr string) bool { _, ok := d.Resource(addr); return ok }) {
	case httpAPIAddr:
		api = "aws_apigatewayv2_api." + httpAPITerraformName
	case websocketAPIAddr:
		api = "aws_apigatewayv2_api." + webSocketAPITerraformName
	}
	parts := strings.Split(src, APIIDPlaceholder)
	own := parts[0] == d.Target.ExecuteAPI("")
	for i := range parts {
		parts[i] = expand(parts[i])
	}
	if own {
		return "${" + api + ".execution_arn}" + strings.Join(parts[1:], "${"+api+".id}")
	}
	return strings.Join(parts, "${"+api+".id}")
}
