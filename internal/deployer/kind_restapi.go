package deployer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	iampolicy "github.com/gochalice/gochalice/internal/iam"
)

// RestAPISpec is the REST API, imported from an OpenAPI (Swagger 2.0)
// document.
type RestAPISpec struct {
	// Description marks the API as this app's and stage's, so a deploy
	// interrupted before it recorded the API's id finds it again.
	Description  string `json:"description"`
	EndpointType string `json:"endpoint_type"`
	// Document is the OpenAPI document; DocumentSHA256 its hex SHA-256.
	Document       json.RawMessage `json:"-"`
	DocumentSHA256 string          `json:"document_sha256"`
	// MinimumCompressionSize is minimum_compression_size: the smallest
	// response body, in bytes, API Gateway compresses; nil leaves
	// compression off.
	MinimumCompressionSize *int `json:"minimum_compression_size,omitempty"`
}

const restAPIAddr = "rest_api"

// restAPILogicalID is the logical ID of the REST API and its stage (one
// AWS::Serverless::Api), Chalice's.
const restAPILogicalID = "RestAPI"

// restAPITerraformName is the Terraform name of the REST API's blocks and
// its usage plan's.
const restAPITerraformName = "rest_api"

// restAPIKind is the REST API (rest_api), imported from its OpenAPI
// document; its deployment to a stage is deploymentKind. A deploy
// interrupted before it recorded the API's id finds it again by name and
// description.
func restAPIKind() kind {
	return kind{
		discover: discoverRestAPI,
		attributes: func(r *Resource, _ *State) map[string]string {
			return map[string]string{
				"description":     r.RestAPI.Description,
				"endpoint_type":   r.RestAPI.EndpointType,
				"document_sha256": r.RestAPI.DocumentSHA256,
				// "" is compression off.
				"minimum_compression_size": itoaOr(r.RestAPI.MinimumCompressionSize, ""),
			}
		},
		apply: applyRestAPI,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.APIGateway.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: &prior.ID})
				return err
			})
			return ignore[*apigwtypes.NotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			name, desc, id, sha := "", "", "", ""
			if want != nil {
				name, desc = want.Name, want.RestAPI.Description
			} else {
				name, desc = rec.Name, rec.Attributes["description"]
			}
			if rec != nil {
				id, sha = rec.ID, rec.Attributes["document_sha256"]
			}
			return rd.d.readRestAPI(ctx, name, desc, id, sha)
		},
		sharedLogicalID: restAPILogicalID,
		cloudFormation: func(c *cfnContext, r Resource) (string, map[string]any, error) {
			body, err := c.SubJSON(r.RestAPI.Document)
			if err != nil {
				return "", nil, fmt.Errorf("OpenAPI document: %w", err)
			}
			props := c.Existing(restAPILogicalID)
			props["Name"] = r.Name
			props["Description"] = r.RestAPI.Description
			endpoint := map[string]any{"Type": r.RestAPI.EndpointType}
			if v := r.RestAPI.VPCEndpointIDs(); len(v) > 0 {
				endpoint["VPCEndpointIds"] = v
			}
			props["EndpointConfiguration"] = endpoint
			props["DefinitionBody"] = body
			if n := r.RestAPI.MinimumCompressionSize; n != nil {
				props["MinimumCompressionSize"] = *n
			}
			c.Outputs["RestAPIId"] = map[string]any{"Description": "id of the REST API", "Value": map[string]any{"Ref": restAPILogicalID}}
			return "AWS::Serverless::Api", props, nil
		},
		terraformName: restAPITerraformName,
		terraform: func(c *tfContext, r Resource) ([]tfBlock, error) {
			endpoint := map[string]any{"types": []string{r.RestAPI.EndpointType}}
			if v := r.RestAPI.VPCEndpointIDs(); len(v) > 0 {
				endpoint["vpc_endpoint_ids"] = v
			}
			c.Outputs["RestAPIId"] = map[string]any{"description": "id of the REST API", "value": "${aws_api_gateway_rest_api." + c.Name + ".id}"}
			body := map[string]any{
				"name":                   tfLiteral(r.Name),
				"description":            tfLiteral(r.RestAPI.Description),
				"body":                   c.Expand(string(r.RestAPI.Document)),
				"endpoint_configuration": endpoint,
			}
			if n := r.RestAPI.MinimumCompressionSize; n != nil {
				// A string since version 5 of the AWS provider.
				body["minimum_compression_size"] = itoa(*n)
			}
			return []tfBlock{{typ: "aws_api_gateway_rest_api", name: c.Name, body: body}}, nil
		},
		deployerPolicy: func(c *policyContext, want *Resource, _ *ResourceState) []iampolicy.Statement {
			out := restAPIStatements(c)
			if want != nil && want.RestAPI.hasPolicy() {
				restAPIs := c.t.APIGateway("/restapis")
				out = append(out, allow("SetRestAPIPolicy", []string{"apigateway:UpdateRestApiPolicy"}, iampolicy.Strings{restAPIs, restAPIs + "/*"}, nil))
			}
			return out
		},
	}
}

// restAPIStatements are what the deployer needs to import, update,
// deploy and delete REST APIs. API Gateway names them by ids it chooses,
// so its actions (the HTTP verbs of its control API on resource paths)
// cover every REST API of the region.
func restAPIStatements(c *policyContext) []iampolicy.Statement {
	restAPIs := c.t.APIGateway("/restapis")
	return []iampolicy.Statement{
		allow("ListAndImportRestAPIs", []string{"apigateway:GET", "apigateway:POST"}, iampolicy.Strings{restAPIs}, nil),
		allow("ManageRestAPIs", []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:PUT"},
			iampolicy.Strings{restAPIs + "/*"}, nil),
		allow("DeployRestAPIs", []string{"apigateway:POST"}, iampolicy.Strings{restAPIs + "/*/deployments"}, nil),
		listDomainNames(c),
	}
}

// hasPolicy reports whether the API's document carries a resource policy
// (x-amazon-apigateway-policy): api_gateway_policy_file's, or the one a
// PRIVATE API gets for its VPC endpoints.
func (s *RestAPISpec) hasPolicy() bool {
	var doc struct {
		Policy json.RawMessage `json:"x-amazon-apigateway-policy"`
	}
	return json.Unmarshal(s.Document, &doc) == nil && len(doc.Policy) > 0
}

func applyRestAPI(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.RestAPI
	rs, ok := a.get(r.Address)
	fresh := !ok
	if !ok {
		// One made by an earlier try whose answer was lost is adopted.
		api, err := d.findRestAPI(ctx, r.Name, spec.Description, "")
		if err != nil {
			return err
		}
		if api != nil {
			rs = restAPIState(r.Name, api, "")
		} else {
			var out *apigateway.ImportRestApiOutput
			adopted, err := d.createOnce(ctx, func() (err error) {
				out, err = d.Clients.APIGateway.ImportRestApi(ctx, &apigateway.ImportRestApiInput{
					Body:       spec.Document,
					Parameters: map[string]string{"endpointConfigurationTypes": spec.EndpointType},
				}, apigwOnce)
				return err
			}, func() (bool, error) {
				api, err = d.findRestAPI(ctx, r.Name, spec.Description, "")
				return api != nil, err
			})
			switch {
			case err != nil:
				return err
			case adopted:
				rs = restAPIState(r.Name, api, "")
			default:
				rs = restAPIState(r.Name, &apigwtypes.RestApi{Id: out.Id, Description: out.Description, EndpointConfiguration: out.EndpointConfiguration}, spec.DocumentSHA256)
			}
		}
		rs.ARN = a.target().APIGateway("/restapis/" + rs.ID)
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	old := rs.Attributes["endpoint_type"]
	if old == "PRIVATE" && spec.EndpointType != "PRIVATE" {
		// VPC endpoints belong to private APIs only: detach them first.
		if err := d.setRestAPIVPCEs(ctx, r, rs.ID, nil); err != nil {
			return err
		}
	}
	if old != spec.EndpointType && old != "" {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{
				RestApiId: &rs.ID,
				PatchOperations: []apigwtypes.PatchOperation{{
					Op: apigwtypes.OpReplace, Path: aws.String("/endpointConfiguration/types/" + old), Value: aws.String(spec.EndpointType),
				}},
			})
			return err
		}); err != nil {
			return err
		}
	}
	put := rs.Attributes["document_sha256"] != spec.DocumentSHA256
	if put {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.PutRestApi(ctx, &apigateway.PutRestApiInput{
				RestApiId: &rs.ID, Body: spec.Document, Mode: apigwtypes.PutModeOverwrite,
			})
			return err
		}); err != nil {
			return err
		}
	}
	// The minimum compression size is a property of the API, not of its
	// document; it is set again after an overwrite, which may reset it.
	if size := itoaOr(spec.MinimumCompressionSize, ""); rs.Attributes["minimum_compression_size"] != size || (put && size != "") {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{
				RestApiId: &rs.ID,
				// An empty value turns compression off.
				PatchOperations: []apigwtypes.PatchOperation{{Op: apigwtypes.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String(size)}},
			})
			return err
		}); err != nil {
			return fmt.Errorf("set the minimum compression size of REST API %s: %w", rs.ID, err)
		}
	}
	if spec.EndpointType == "PRIVATE" && (fresh || old != spec.EndpointType || rs.Attributes["document_sha256"] != spec.DocumentSHA256) {
		if err := d.setRestAPIVPCEs(ctx, r, rs.ID, spec.VPCEndpointIDs()); err != nil {
			return err
		}
	}
	rs.Attributes = r.Attributes(nil)
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

// VPCEndpointIDs returns the VPC endpoints of a PRIVATE REST API, as its
// document lists them (x-amazon-apigateway-endpoint-configuration),
// sorted.
func (s *RestAPISpec) VPCEndpointIDs() []string {
	var doc struct {
		Endpoint struct {
			VPCEndpointIDs []string `json:"vpcEndpointIds"`
		} `json:"x-amazon-apigateway-endpoint-configuration"`
	}
	if err := json.Unmarshal(s.Document, &doc); err != nil {
		return nil
	}
	return sortedCopy(doc.Endpoint.VPCEndpointIDs)
}

// setRestAPIVPCEs makes the REST API's VPC endpoints want: API Gateway
// takes them from the document on import, but a PutRestApi does not
// change them.
func (d *Deployer) setRestAPIVPCEs(ctx context.Context, r *Resource, id string, want []string) error {
	api, err := d.findRestAPI(ctx, r.Name, r.RestAPI.Description, id)
	if err != nil {
		return err
	}
	var have []string
	if api != nil && aws.ToString(api.Id) == id && api.EndpointConfiguration != nil {
		have = api.EndpointConfiguration.VpcEndpointIds
	}
	var ops []apigwtypes.PatchOperation
	for _, v := range sortedCopy(have) {
		if !slices.Contains(want, v) {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpRemove, Path: aws.String(vpcePatchPath), Value: aws.String(v)})
		}
	}
	for _, v := range want {
		if !slices.Contains(have, v) {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpAdd, Path: aws.String(vpcePatchPath), Value: aws.String(v)})
		}
	}
	if len(ops) == 0 {
		return nil
	}
	return d.retry(ctx, func() error {
		_, err := d.Clients.APIGateway.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: &id, PatchOperations: ops})
		return err
	})
}

// vpcePatchPath is the UpdateRestApi patch path of a REST API's VPC
// endpoints.
const vpcePatchPath = "/endpointConfiguration/vpcEndpointIds"

// findRestAPI returns the REST API with the recorded id, or else the one
// with this app's name and description.
func (d *Deployer) findRestAPI(ctx context.Context, name, desc, id string) (*apigwtypes.RestApi, error) {
	var byName *apigwtypes.RestApi
	var position *string
	for {
		var out *apigateway.GetRestApisOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.APIGateway.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(500), Position: position})
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range out.Items {
			api := &out.Items[i]
			if id != "" && aws.ToString(api.Id) == id {
				return api, nil
			}
			if byName == nil && aws.ToString(api.Name) == name && aws.ToString(api.Description) == desc {
				byName = api
			}
		}
		if out.Position == nil || len(out.Items) == 0 {
			break
		}
		position = out.Position
	}
	return byName, nil
}

func (d *Deployer) readRestAPI(ctx context.Context, name, desc, id, sha string) (ResourceState, bool, error) {
	api, err := d.findRestAPI(ctx, name, desc, id)
	if err != nil || api == nil {
		return ResourceState{}, false, err
	}
	if aws.ToString(api.Id) != id {
		sha = "" // not the API recorded: its document is unknown
	}
	return restAPIState(name, api, sha), true, nil
}

func restAPIState(name string, api *apigwtypes.RestApi, sha string) ResourceState {
	endpoint := ""
	if api.EndpointConfiguration != nil && len(api.EndpointConfiguration.Types) > 0 {
		endpoint = string(api.EndpointConfiguration.Types[0])
	}
	size := ""
	if api.MinimumCompressionSize != nil {
		size = itoa(int(*api.MinimumCompressionSize))
	}
	return ResourceState{Type: TypeRestAPI, Name: name, ID: aws.ToString(api.Id), Attributes: map[string]string{
		"description":              aws.ToString(api.Description),
		"endpoint_type":            endpoint,
		"document_sha256":          sha,
		"minimum_compression_size": size,
	}}
}
