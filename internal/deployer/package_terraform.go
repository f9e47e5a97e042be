package deployer

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/build"
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
	// merge, when set, adds body to into, the body of an earlier block
	// with the same type and name: the block stands for a resource that
	// several addresses share.
	merge func(into, body map[string]any)
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
	for k, v := range pseudoParameters() {
		vars[k] = v
	}
	variables := map[string]any{}
	for _, prm := range pk.Parameters {
		vars[prm.Name] = "var." + prm.Variable
		variables[prm.Variable] = map[string]any{"type": "string", "description": prm.Description()}
	}
	expand := tfExpand(vars)
	tfNames := map[string]string{}
	var blocks []tfBlock
	byAddress := map[string][]tfBlock{}
	outputs := map[string]any{}
	for _, r := range d.Resources {
		k, ok := kindOf(r.Type)
		if !ok || k.terraform == nil {
			return nil, fmt.Errorf("%s: gochalice package does not know the resource type %s", r.Address, r.Type)
		}
		fn := terraformName(addressFunction(r.Address))
		n := fn
		if k.terraformName != "" {
			n = k.terraformName // the app stage's, not a function's
		}
		key := string(r.Type) + "." + n
		if other, dup := tfNames[key]; dup && other != r.Address {
			return nil, fmt.Errorf("%s and %s both get the Terraform name %s: rename one of the functions", other, r.Address, n)
		}
		tfNames[key] = r.Address
		bs, err := k.terraform(&tfContext{Name: n, Function: fn, Expand: expand, Outputs: outputs, Desired: d}, r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Address, err)
		}
		for i := range bs {
			bs[i].address = r.Address
		}
		byAddress[r.Address] = bs
		for _, b := range bs {
			// A second block of one resource (a bucket's notification
			// configuration) adds to the first, as its kind says.
			if j := slices.IndexFunc(blocks, func(o tfBlock) bool { return o.ref() == b.ref() }); j >= 0 && b.merge != nil {
				b.merge(blocks[j].body, b.body)
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
		"//": fmt.Sprintf("gochalice app %s, stage %s: written by gochalice package; %s is beside this file", d.App, d.Stage, build.ZipFile),
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
