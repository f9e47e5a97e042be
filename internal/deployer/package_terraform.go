package deployer

import (
	"fmt"
	"slices"
	"strings"
)

// tfLiteral escapes s for a Terraform string: "${" and "%{" start
// interpolations and directives, "$${" and "%%{" are their literal forms.
func tfLiteral(s string) string {
	return strings.NewReplacer("${", "$${", "%{", "%%{").Replace(s)
}

// tfExpand returns s as a Terraform string in which the placeholders of
// vars become their interpolations ("${AWS::Region}" is
// "${data.aws_region.chalice.name}") and everything else is literal.
func tfExpand(vars map[string]string) func(s string) string {
	return func(s string) string {
		return placeholders(s, tfLiteral, func(name string) string {
			if expr, ok := vars[name]; ok {
				return "${" + expr + "}"
			}
			if name == "" {
				return "$${"
			}
			return "$${" + tfLiteral(name) + "}"
		})
	}
}

// tfBlock is one resource block of a Terraform configuration.
type tfBlock struct {
	typ, name string
	body      map[string]any
	address   string
}

// tfRef is the reference prefix of a block, "aws_iam_role.api_handler".
func (b tfBlock) ref() string { return b.typ + "." + b.name }

// Terraform returns the package as a Terraform JSON configuration for the
// AWS provider, with the resources of CloudFormation: aws_iam_role and
// aws_iam_role_policy, aws_lambda_function (filename deployment.zip,
// source_code_hash its hash), aws_cloudwatch_log_group where a retention
// is set, aws_lambda_event_source_mapping, aws_api_gateway_rest_api (body
// the OpenAPI document), aws_api_gateway_deployment and
// aws_api_gateway_stage, and aws_lambda_permission (source_arn the API's,
// or the push source's, with source_account for S3), and for event
// sources aws_cloudwatch_event_rule and aws_cloudwatch_event_target,
// aws_sns_topic_subscription, aws_lambda_function_event_invoke_config and
// aws_s3_bucket_notification — which owns the whole notification
// configuration of its bucket: applying it replaces the bucket's other
// notifications (NewPackage warns), unlike deploy, which merges.
// ARNs use the aws_partition, aws_region and aws_caller_identity data
// sources; tables' streams are variables. Every block's "//" comment
// names the address of deploy's plan it stands for.
func (pk *Package) Terraform() (map[string]any, error) {
	d := pk.Desired
	vars := map[string]string{}
	for k, v := range pseudoParameters {
		vars[k] = v
	}
	variables := map[string]any{}
	for _, prm := range pk.Parameters {
		vars[prm.Name] = "var." + prm.Variable
		variables[prm.Variable] = map[string]any{"type": "string", "description": prm.Description()}
	}
	expand := tfExpand(vars)
	names := map[string]string{}
	name := func(r Resource) (string, error) {
		n := terraformName(addressFunction(r.Address))
		if r.Type == TypeRestAPI || r.Type == TypeDeployment || r.Type == TypeUsagePlan {
			n = restAPITerraformName
		}
		key := string(r.Type) + "." + n
		if other, dup := names[key]; dup && other != r.Address {
			return "", fmt.Errorf("%s and %s both get the Terraform name %s: rename one of the functions", other, r.Address, n)
		}
		names[key] = r.Address
		return n, nil
	}
	const zip = "${path.module}/" + DeploymentZipFile
	var blocks []tfBlock
	byAddress := map[string][]tfBlock{}
	outputs := map[string]any{}
	for _, r := range d.Resources {
		n, err := name(r)
		if err != nil {
			return nil, err
		}
		fn := terraformName(addressFunction(r.Address))
		var bs []tfBlock
		switch r.Type {
		case TypeRole:
			bs = []tfBlock{
				{typ: "aws_iam_role", name: n, body: map[string]any{
					"name":               tfLiteral(r.Name),
					"assume_role_policy": tfLiteral(r.Role.TrustPolicy),
				}},
				{typ: "aws_iam_role_policy", name: n, body: map[string]any{
					"name":   tfLiteral(r.Role.PolicyName),
					"role":   "${aws_iam_role." + n + ".id}",
					"policy": expand(r.Role.Policy),
				}},
			}
		case TypeFunction:
			f := r.Function
			env := map[string]string{}
			for k, v := range f.Environment {
				env[k] = tfLiteral(v)
			}
			tags := map[string]string{}
			for k, v := range f.Tags {
				tags[k] = tfLiteral(v)
			}
			body := map[string]any{
				"function_name":    tfLiteral(r.Name),
				"filename":         zip,
				"source_code_hash": `${filebase64sha256("` + zip + `")}`,
				"runtime":          f.Runtime,
				"handler":          f.Handler,
				"architectures":    []string{f.Architecture},
				"memory_size":      f.MemorySize,
				"timeout":          f.Timeout,
				"tracing_config":   map[string]any{"mode": f.Tracing},
				"environment":      map[string]any{"variables": env},
				"tags":             tags,
			}
			if _, ok := d.Resource(roleAddr(f.Function)); ok {
				body["role"] = "${aws_iam_role." + fn + ".arn}"
			} else {
				body["role"] = expand(f.RoleARN)
			}
			if f.ReservedConcurrency != nil {
				body["reserved_concurrent_executions"] = *f.ReservedConcurrency
			}
			if len(f.Layers) > 0 {
				layers := make([]string, len(f.Layers))
				for i, l := range f.Layers {
					layers[i] = expand(l)
				}
				body["layers"] = layers
			}
			if len(f.SubnetIDs) > 0 || len(f.SecurityGroupIDs) > 0 {
				body["vpc_config"] = map[string]any{"subnet_ids": nonNil(f.SubnetIDs), "security_group_ids": nonNil(f.SecurityGroupIDs)}
			}
			bs = []tfBlock{{typ: "aws_lambda_function", name: n, body: body}}
			id := LogicalID(f.Function)
			outputs[id+"Name"] = map[string]any{"description": "name of the Lambda function of " + f.Function, "value": "${aws_lambda_function." + n + ".function_name}"}
			outputs[id+"Arn"] = map[string]any{"description": "ARN of the Lambda function of " + f.Function, "value": "${aws_lambda_function." + n + ".arn}"}
		case TypeLogGroup:
			bs = []tfBlock{{typ: "aws_cloudwatch_log_group", name: n, body: map[string]any{
				"name":              tfLiteral(r.Name),
				"retention_in_days": r.LogGroup.RetentionInDays,
			}}}
		case TypeEventSourceMapping:
			m := r.Mapping
			body := map[string]any{
				"function_name":                      "${aws_lambda_function." + fn + ".arn}",
				"event_source_arn":                   expand(m.EventSourceARN),
				"batch_size":                         m.BatchSize,
				"maximum_batching_window_in_seconds": m.MaximumBatchingWindowInSeconds,
			}
			if m.StartingPosition != "" {
				body["starting_position"] = m.StartingPosition
			}
			if m.ReportBatchItemFailures {
				body["function_response_types"] = []string{"ReportBatchItemFailures"}
			}
			if m.MaximumConcurrency > 0 {
				body["scaling_config"] = map[string]any{"maximum_concurrency": m.MaximumConcurrency}
			}
			if m.OnFailureARN != "" {
				body["destination_config"] = map[string]any{"on_failure": map[string]any{"destination_arn": expand(m.OnFailureARN)}}
			}
			if m.MaximumRetryAttempts != nil {
				body["maximum_retry_attempts"] = *m.MaximumRetryAttempts
			}
			if m.MaximumRecordAgeInSeconds != nil {
				body["maximum_record_age_in_seconds"] = *m.MaximumRecordAgeInSeconds
			}
			if m.BisectBatchOnFunctionError {
				body["bisect_batch_on_function_error"] = true
			}
			bs = []tfBlock{{typ: "aws_lambda_event_source_mapping", name: n, body: body}}
		case TypeRestAPI:
			endpoint := map[string]any{"types": []string{r.RestAPI.EndpointType}}
			if v := r.RestAPI.VPCEndpointIDs(); len(v) > 0 {
				endpoint["vpc_endpoint_ids"] = v
			}
			bs = []tfBlock{{typ: "aws_api_gateway_rest_api", name: n, body: map[string]any{
				"name":                   tfLiteral(r.Name),
				"description":            tfLiteral(r.RestAPI.Description),
				"body":                   expand(string(r.RestAPI.Document)),
				"endpoint_configuration": endpoint,
			}}}
			outputs["RestAPIId"] = map[string]any{"description": "id of the REST API", "value": "${aws_api_gateway_rest_api." + n + ".id}"}
		case TypeDeployment:
			bs = []tfBlock{
				{typ: "aws_api_gateway_deployment", name: n, body: map[string]any{
					"rest_api_id": "${aws_api_gateway_rest_api." + n + ".id}",
					// A new deployment whenever the document changes, as deploy
					// makes.
					"triggers":  map[string]any{"redeployment": "${sha256(aws_api_gateway_rest_api." + n + ".body)}"},
					"lifecycle": map[string]any{"create_before_destroy": true},
				}},
				{typ: "aws_api_gateway_stage", name: n, body: map[string]any{
					"stage_name":    tfLiteral(r.Deployment.StageName),
					"rest_api_id":   "${aws_api_gateway_rest_api." + n + ".id}",
					"deployment_id": "${aws_api_gateway_deployment." + n + ".id}",
				}},
			}
			outputs["EndpointURL"] = map[string]any{
				"description": "URL of the REST API's stage " + r.Deployment.StageName,
				"value":       "${aws_api_gateway_stage." + n + ".invoke_url}/",
			}
		case TypePermission:
			p := r.Permission
			body := map[string]any{
				"function_name": "${aws_lambda_function." + fn + ".function_name}",
				"statement_id":  tfLiteral(p.StatementID),
				"action":        p.Action,
				"principal":     p.Principal,
				"source_arn":    "${aws_api_gateway_rest_api.rest_api.execution_arn}/*",
			}
			if src := p.SourceARN; src != "" {
				body["source_arn"] = tfPermissionSourceARN(d, r, expand)
			}
			if p.SourceAccount != "" {
				body["source_account"] = expand(p.SourceAccount)
			}
			bs = []tfBlock{{typ: "aws_lambda_permission", name: n, body: body}}
		default:
			if k, ok := kindOf(r.Type); ok && k.terraform != nil {
				if bs, err = k.terraform(&tfContext{Name: n, Function: fn, Expand: expand, Outputs: outputs}, r); err != nil {
					return nil, fmt.Errorf("%s: %w", r.Address, err)
				}
				break
			}
			return nil, fmt.Errorf("%s: gochalice package does not know the resource type %s", r.Address, r.Type)
		}
		for i := range bs {
			bs[i].address = r.Address
		}
		byAddress[r.Address] = bs
		for _, b := range bs {
			// A second block of one bucket's notification adds its
			// functions to the first: Terraform allows one per bucket.
			if j := slices.IndexFunc(blocks, func(o tfBlock) bool { return o.ref() == b.ref() }); j >= 0 && b.typ == "aws_s3_bucket_notification" {
				fns, _ := blocks[j].body["lambda_function"].([]any)
				more, _ := b.body["lambda_function"].([]any)
				blocks[j].body["lambda_function"] = append(slices.Clone(fns), more...)
				blocks[j].address += " " + b.address
				continue
			}
			blocks = append(blocks, b)
		}
	}

	resources := map[string]map[string]any{}
	for _, b := range blocks {
		body, err := normalize(b.body)
		if err != nil {
			return nil, err
		}
		var deps []string
		for _, a := range strings.Fields(b.address) {
			r, _ := d.Resource(a)
			deps = append(deps, r.DependsOn...)
		}
		var dependsOn []string
		for _, addr := range deps {
			for _, dep := range byAddress[addr] {
				ref := dep.ref()
				if ref == b.ref() || slices.Contains(dependsOn, ref) || anyStrings(body, func(s string) bool { return strings.Contains(s, ref+".") }) {
					continue
				}
				dependsOn = append(dependsOn, ref)
			}
		}
		m := body.(map[string]any)
		if len(dependsOn) > 0 {
			slices.Sort(dependsOn)
			m["depends_on"] = dependsOn
		}
		m["//"] = "gochalice " + b.address
		if resources[b.typ] == nil {
			resources[b.typ] = map[string]any{}
		}
		resources[b.typ][b.name] = m
	}
	t := map[string]any{
		"//": fmt.Sprintf("gochalice app %s, stage %s: written by gochalice package; %s is beside this file", d.App, d.Stage, DeploymentZipFile),
		"terraform": map[string]any{
			"required_providers": map[string]any{"aws": map[string]any{"source": "hashicorp/aws", "version": ">= 5.0"}},
		},
		"data": map[string]any{
			"aws_caller_identity": map[string]any{"chalice": map[string]any{}},
			"aws_partition":       map[string]any{"chalice": map[string]any{}},
			"aws_region":          map[string]any{"chalice": map[string]any{}},
		},
		"resource": resources,
		"output":   outputs,
	}
	if len(variables) > 0 {
		t["variable"] = variables
	}
	return t, nil
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
	api := "aws_api_gateway_rest_api.rest_api"
	if permissionAPIAddr(r.DependsOn, func(addr string) bool { _, ok := d.Resource(addr); return ok }) == httpAPIAddr {
		api = "aws_apigatewayv2_api." + httpAPITerraformName
	}
	parts := strings.Split(src, APIIDPlaceholder)
	own := parts[0] == executeAPIARN(d.Target, "")
	for i := range parts {
		parts[i] = expand(parts[i])
	}
	if own {
		return "${" + api + ".execution_arn}" + strings.Join(parts[1:], "${"+api+".id}")
	}
	return strings.Join(parts, "${"+api+".id}")
}
