package deployer

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// HTTPAPISpec is an API Gateway HTTP API (v2), imported from an OpenAPI 3
// document, that invokes the API handler with payload format 2.0.
type HTTPAPISpec struct {
	// Description marks the API as this app's and stage's.
	Description string `json:"description"`
	// Document is the OpenAPI 3 document; DocumentSHA256 its hex SHA-256.
	Document       json.RawMessage `json:"-"`
	DocumentSHA256 string          `json:"document_sha256"`
}

const httpAPIAddr = "http_api"

// httpAPILogicalID is the CloudFormation logical ID of the HTTP API and
// its stage (one AWS::Serverless::HttpApi).
const httpAPILogicalID = "HttpAPI"

// httpAPITerraformName is the Terraform name of the HTTP API's blocks.
const httpAPITerraformName = "http_api"

// httpAPIKind is the HTTP API (http_api) imported from its OpenAPI 3
// document; its stage, which deploys every change automatically, is
// httpStageKind.
func httpAPIKind() kind {
	return kind{
		apply: applyHTTPAPI, delete: deleteHTTPAPI, read: readHTTPAPIKind, attributes: httpAPIAttributes,
		discover:        discoverHTTPAPI,
		sharedLogicalID: httpAPILogicalID, cloudFormation: httpAPICloudFormation,
		terraformName: httpAPITerraformName, terraform: httpAPITerraform,
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement { return httpAPIStatements(c) },
	}
}

// httpAPIStatements are what the deployer needs to import, update and
// delete HTTP APIs and their stages: GetApis is GET /apis, ImportApi PUT
// /apis. API Gateway names them by ids it chooses, so its actions cover
// every HTTP API of the region.
func httpAPIStatements(c *policyContext) []iam.Statement {
	httpAPIs := c.t.APIGateway("/apis")
	return []iam.Statement{
		allow("ListAndImportHTTPAPIs", []string{"apigateway:GET", "apigateway:PUT"}, iam.Strings{httpAPIs}, nil),
		allow("ManageHTTPAPIs", []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST", "apigateway:PUT"},
			iam.Strings{httpAPIs + "/*"}, nil),
		listDomainNames(c),
	}
}

func applyHTTPAPI(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.HTTPAPI
	rs, ok := a.get(r.Address)
	if !ok {
		// One made by an earlier try whose answer was lost is adopted.
		api, err := d.findHTTPAPI(ctx, r.Name, spec.Description, "")
		if err != nil {
			return err
		}
		if api != nil {
			rs = httpAPIState(a.target(), r.Name, api, "")
		} else {
			var out *apigatewayv2.ImportApiOutput
			adopted, err := d.createOnce(ctx, func() (err error) {
				out, err = d.Clients.HTTPAPI.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(string(spec.Document))}, apigwv2Once)
				return err
			}, func() (bool, error) {
				api, err = d.findHTTPAPI(ctx, r.Name, spec.Description, "")
				return api != nil, err
			})
			switch {
			case err != nil:
				return err
			case adopted:
				rs = httpAPIState(a.target(), r.Name, api, "")
			default:
				rs = httpAPIState(a.target(), r.Name, &apigwv2types.Api{ApiId: out.ApiId, Name: out.Name, Description: out.Description}, spec.DocumentSHA256)
			}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	if rs.Attributes["document_sha256"] != spec.DocumentSHA256 {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.HTTPAPI.ReimportApi(ctx, &apigatewayv2.ReimportApiInput{ApiId: &rs.ID, Body: aws.String(string(spec.Document))})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = httpAPIAttributes(r, nil)
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

func deleteHTTPAPI(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	err := d.retry(ctx, func() error {
		_, err := d.Clients.HTTPAPI.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: &prior.ID})
		return err
	})
	return ignore[*apigwv2types.NotFoundException](err)
}

func readHTTPAPIKind(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	name, desc, id, sha := "", "", "", ""
	if want != nil {
		name, desc = want.Name, want.HTTPAPI.Description
	} else {
		name, desc = rec.Name, rec.Attributes["description"]
	}
	if rec != nil {
		id, sha = rec.ID, rec.Attributes["document_sha256"]
	}
	api, err := rd.d.findHTTPAPI(ctx, name, desc, id)
	if err != nil || api == nil {
		return ResourceState{}, false, err
	}
	if aws.ToString(api.ApiId) != id {
		sha = "" // not the API recorded: its document is unknown
	}
	return httpAPIState(rd.target, name, api, sha), true, nil
}

func httpAPIAttributes(r *Resource, _ *State) map[string]string {
	return map[string]string{"description": r.HTTPAPI.Description, "document_sha256": r.HTTPAPI.DocumentSHA256}
}

func httpAPIState(t Target, name string, api *apigwv2types.Api, sha string) ResourceState {
	id := aws.ToString(api.ApiId)
	return ResourceState{Type: TypeHTTPAPI, Name: name, ID: id, ARN: t.APIGateway("/apis/" + id), Attributes: map[string]string{
		"description":     aws.ToString(api.Description),
		"document_sha256": sha,
	}}
}

// findHTTPAPI returns the HTTP API with the recorded id, or else the one
// with this app's name and description.
func (d *Deployer) findHTTPAPI(ctx context.Context, name, desc, id string) (*apigwv2types.Api, error) {
	var byName *apigwv2types.Api
	var token *string
	for {
		var out *apigatewayv2.GetApisOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.HTTPAPI.GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("500"), NextToken: token})
			return err
		}); err != nil {
			return nil, err
		}
		for i := range out.Items {
			api := &out.Items[i]
			if api.ProtocolType != "" && api.ProtocolType != apigwv2types.ProtocolTypeHttp {
				continue // a WebSocket API
			}
			if id != "" && aws.ToString(api.ApiId) == id {
				return api, nil
			}
			if byName == nil && aws.ToString(api.Name) == name && aws.ToString(api.Description) == desc {
				byName = api
			}
		}
		if out.NextToken == nil || len(out.Items) == 0 {
			break
		}
		token = out.NextToken
	}
	return byName, nil
}

// httpAPICloudFormation makes the HTTP API an AWS::Serverless::HttpApi
// whose DefinitionBody is deploy's document; its stage adds StageName.
func httpAPICloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	body, err := c.SubJSON(r.HTTPAPI.Document)
	if err != nil {
		return "", nil, fmt.Errorf("OpenAPI document: %w", err)
	}
	props := c.Existing(httpAPILogicalID)
	props["Description"] = r.HTTPAPI.Description
	props["DefinitionBody"] = body
	c.Outputs["HttpAPIId"] = map[string]any{"Description": "id of the HTTP API", "Value": map[string]any{"Ref": httpAPILogicalID}}
	return "AWS::Serverless::HttpApi", props, nil
}

// httpAPITerraform makes the HTTP API an aws_apigatewayv2_api whose body
// is deploy's document.
func httpAPITerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	c.Outputs["HttpAPIId"] = map[string]any{"description": "id of the HTTP API", "value": "${aws_apigatewayv2_api." + httpAPITerraformName + ".id}"}
	return []tfBlock{{typ: "aws_apigatewayv2_api", name: httpAPITerraformName, body: map[string]any{
		"name":          tfLiteral(r.Name),
		"description":   tfLiteral(r.HTTPAPI.Description),
		"protocol_type": "HTTP",
		"body":          c.Expand(string(r.HTTPAPI.Document)),
	}}}, nil
}
