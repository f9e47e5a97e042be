package deployer_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
)

// apiPackageCases are authapp's two APIs: a PRIVATE REST API (dev) and an
// HTTP API (http), each with custom Lambda authorizers.
var apiPackageCases = []struct {
	name, stage string
	rest        bool
	// The SourceArn of the API handler's and of an authorizer's invoke
	// permission, in the SAM template and the Terraform configuration.
	cfnHandler, cfnAuthorizer, tfHandler, tfAuthorizer string
}{
	{
		"authapp-rest", "dev", true,
		"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPI}/*",
		"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPI}/authorizers/*",
		"${aws_api_gateway_rest_api.rest_api.execution_arn}/*",
		"${aws_api_gateway_rest_api.rest_api.execution_arn}/authorizers/*",
	},
	{
		"authapp-http", "http", false,
		"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpAPI}/*",
		"arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpAPI}/authorizers/*",
		"${aws_apigatewayv2_api.http_api.execution_arn}/*",
		"${aws_apigatewayv2_api.http_api.execution_arn}/authorizers/*",
	},
}

func apiPackageProject(t *testing.T, stage string, rest bool) *deployer.Project {
	if rest {
		return authProject(t, authConfig, restAuthManifest(), stage)
	}
	return authProject(t, authConfig, authManifest(), stage)
}

// TestAPIPackage pins the SAM templates and Terraform configurations of
// authapp's PRIVATE REST API and HTTP API (the private API's VPC
// endpoints, the authorizers' invoke permissions scoped to the API's
// authorizers), checks that they define exactly what deploy would create,
// and validates the SAM templates against the published resource schemas.
func TestAPIPackage(t *testing.T) {
	t.Parallel()
	cfn := maps.Clone(cfnTypes)
	cfn[deployer.TypeHTTPAPI] = []string{"AWS::Serverless::HttpApi"}
	cfn[deployer.TypeHTTPStage] = []string{"AWS::Serverless::HttpApi"} // its StageName
	cfn[deployer.TypeUsagePlan] = []string{"AWS::ApiGateway::UsagePlan"}
	tf := maps.Clone(tfTypes)
	tf[deployer.TypeHTTPAPI] = []string{"aws_apigatewayv2_api"}
	tf[deployer.TypeHTTPStage] = []string{"aws_apigatewayv2_stage"}
	tf[deployer.TypeUsagePlan] = []string{"aws_api_gateway_usage_plan"}
	sam := map[string][]byte{}
	for _, tc := range apiPackageCases {
		for _, f := range []struct {
			format, ext string
			list        func(*testing.T, map[string]any) []templateResource
			types       map[deployer.ResourceType][]string
		}{
			{deployer.FormatCloudFormation, ".sam.json", cfnResources, cfn},
			{deployer.FormatTerraform, ".tf.json", tfResources, tf},
		} {
			p := apiPackageProject(t, tc.stage, tc.rest)
			tpl, err := newPackage(t, p).Template(f.format)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.name, f.format, err)
			}
			data := marshal(t, tpl)
			t.Run(tc.name+f.ext, func(t *testing.T) {
				golden(t, "api/"+tc.name+f.ext, data)
			})
			var doc struct {
				Resources map[string]struct {
					Properties struct{ SourceArn map[string]string }
				}
				Resource struct {
					Permission map[string]struct {
						SourceARN string `json:"source_arn"`
					} `json:"aws_lambda_permission"`
				}
			}
			remarshal(t, tpl, &doc)
			got := map[string]string{}
			want := map[string]string{"api_handler": tc.tfHandler, "token_auth": tc.tfAuthorizer, "request_auth": tc.tfAuthorizer}
			if f.format == deployer.FormatCloudFormation {
				sam[tc.name+f.ext] = data
				for _, id := range []string{"APIHandler", "TokenAuth", "RequestAuth"} {
					got[id] = doc.Resources[id+"InvokePermission"].Properties.SourceArn["Fn::Sub"]
				}
				want = map[string]string{"APIHandler": tc.cfnHandler, "TokenAuth": tc.cfnAuthorizer, "RequestAuth": tc.cfnAuthorizer}
			} else {
				for name, p := range doc.Resource.Permission {
					got[name] = p.SourceARN
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s: invoke permissions' source ARNs (-want +got):\n%s", tc.name, f.format, diff)
			}

			t.Run(tc.name+f.ext+" covers deploy", func(t *testing.T) {
				checkCoversDeploy(t, p, f.list(t, tpl), f.types)
			})
		}
	}
	for name, problems := range validateTemplates(t, sam) {
		if len(problems) > 0 {
			t.Errorf("%s breaks the schema:\n%s", name, strings.Join(problems, "\n"))
		}
	}
}

// checkCoversDeploy checks that a template's resources (got) define
// exactly what a first deploy of p would create: each deploy resource as
// the template types types gives for its type, nothing else.
func checkCoversDeploy(t *testing.T, p *deployer.Project, got []templateResource, types map[deployer.ResourceType][]string) {
	t.Helper()
	plan, err := (&deployer.Deployer{}).PlanProject(context.Background(), p, target, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string][]string{}
	for _, r := range got {
		for _, a := range r.Addresses {
			covered[a] = append(covered[a], r.Type)
		}
	}
	for _, c := range plan.Changes {
		have := slices.Sorted(slices.Values(covered[c.Address]))
		want := slices.Sorted(slices.Values(types[c.Type]))
		if !slices.Equal(have, want) {
			t.Errorf("deploy's %s (%s) is %v in the template, want %v", c.Address, c.Type, have, want)
		}
		delete(covered, c.Address)
	}
	for a := range covered {
		t.Errorf("the template has %s, which deploy does not create", a)
	}
}
