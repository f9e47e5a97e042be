package deployer

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// The HTTP API's resources: the API imported from its OpenAPI 3 document
// (http_api) and its stage, which deploys every change automatically
// (http_stage:<stage>).

// httpAPILogicalID is the CloudFormation logical ID of the HTTP API and
// its stage (one AWS::Serverless::HttpApi).
const httpAPILogicalID = "HttpAPI"

// httpAPITerraformName is the Terraform name of the HTTP API's blocks.
const httpAPITerraformName = "http_api"

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
			if err := d.retry(ctx, func() (err error) {
				out, err = d.Clients.HTTPAPI.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(string(spec.Document))})
				return err
			}); err != nil {
				return err
			}
			rs = httpAPIState(a.target(), r.Name, &apigwv2types.Api{ApiId: out.ApiId, Name: out.Name, Description: out.Description}, spec.DocumentSHA256)
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

func readHTTPAPIKind(ctx context.Context, d *Deployer, actual *State, _ *sync.Mutex, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	name, desc, id, sha := "", "", "", ""
	if want != nil {
		name, desc = want.Name, want.HTTPAPI.Description
	} else {
		name, desc = rec.Name, rec.Attributes["description"]
	}
	if rec != nil {
		id, sha = rec.ID, rec.Attributes["document_sha256"]
	}
	api, err := d.findHTTPAPI(ctx, name, desc, id)
	if err != nil || api == nil {
		return ResourceState{}, false, err
	}
	if aws.ToString(api.ApiId) != id {
		sha = "" // not the API recorded: its document is unknown
	}
	// actual.Target is set before refresh starts and never changed.
	return httpAPIState(actual.Target, name, api, sha), true, nil
}

func httpAPIAttributes(r *Resource, _ *State) map[string]string {
	return map[string]string{"description": r.HTTPAPI.Description, "document_sha256": r.HTTPAPI.DocumentSHA256}
}

func httpAPIState(t Target, name string, api *apigwv2types.Api, sha string) ResourceState {
	id := aws.ToString(api.ApiId)
	return ResourceState{Type: TypeHTTPAPI, Name: name, ID: id, ARN: t.ARN("apigateway", t.Region, "", "/apis/"+id), Attributes: map[string]string{
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

func applyHTTPStage(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.HTTPStage
	api, ok := a.get(httpAPIAddr)
	if !ok || api.ID == "" {
		return fmt.Errorf("the HTTP API is not recorded")
	}
	rs, ok := a.get(r.Address)
	autoDeploy := false
	if !ok || rs.ID != api.ID {
		err := d.retry(ctx, func() error {
			_, err := d.Clients.HTTPAPI.CreateStage(ctx, &apigatewayv2.CreateStageInput{
				ApiId: &api.ID, StageName: &spec.StageName, AutoDeploy: aws.Bool(spec.AutoDeploy),
			})
			return err
		})
		var conflict *apigwv2types.ConflictException
		switch {
		case errors.As(err, &conflict):
			// It exists (an earlier try's answer was lost): adopt it.
			got, found, rerr := d.readHTTPStage(ctx, api.ID, spec.StageName)
			if rerr != nil {
				return rerr
			}
			if !found {
				return err
			}
			autoDeploy = got.Attributes["auto_deploy"] == "true"
		case err != nil:
			return err
		default:
			autoDeploy = spec.AutoDeploy
		}
	} else {
		autoDeploy = rs.Attributes["auto_deploy"] == "true"
	}
	if autoDeploy != spec.AutoDeploy {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.HTTPAPI.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{
				ApiId: &api.ID, StageName: &spec.StageName, AutoDeploy: aws.Bool(spec.AutoDeploy),
			})
			return err
		}); err != nil {
			return err
		}
	}
	return a.put(r.Address, ResourceState{Type: TypeHTTPStage, Name: r.Name, ID: api.ID,
		Attributes: httpStageAttributes(r, nil), DependsOn: r.DependsOn})
}

func deleteHTTPStage(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	// A stage goes with its API: delete it alone only when the API stays
	// (the stage was renamed).
	d := a.d
	api, ok := a.get(httpAPIAddr)
	if !ok || api.ID == "" || a.deleting[httpAPIAddr] {
		return nil
	}
	err := d.retry(ctx, func() error {
		_, err := d.Clients.HTTPAPI.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: &api.ID, StageName: &prior.Name})
		return err
	})
	return ignore[*apigwv2types.NotFoundException](err)
}

func readHTTPStageKind(ctx context.Context, d *Deployer, actual *State, mu *sync.Mutex, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	stage := ""
	if want != nil {
		stage = want.HTTPStage.StageName
	} else {
		stage = rec.Name
	}
	// The API as refreshed (refresh looks stages up after it): a stage
	// goes with its API.
	mu.Lock()
	api, ok := actual.Resources[httpAPIAddr]
	mu.Unlock()
	if !ok || api.ID == "" {
		return ResourceState{}, false, nil
	}
	return d.readHTTPStage(ctx, api.ID, stage)
}

func (d *Deployer) readHTTPStage(ctx context.Context, apiID, stage string) (ResourceState, bool, error) {
	var out *apigatewayv2.GetStageOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.HTTPAPI.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: &stage})
		return err
	})
	var missing *apigwv2types.NotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	return ResourceState{Type: TypeHTTPStage, Name: stage, ID: apiID, Attributes: map[string]string{
		"stage_name": stage, "auto_deploy": strconv.FormatBool(aws.ToBool(out.AutoDeploy)),
	}}, true, nil
}

func httpStageAttributes(r *Resource, _ *State) map[string]string {
	return map[string]string{"stage_name": r.HTTPStage.StageName, "auto_deploy": strconv.FormatBool(r.HTTPStage.AutoDeploy)}
}

// HTTPAPIURL returns the URL of the HTTP API's stage in s, "" when s has
// no HTTP API: https://<id>.execute-api.<region>.amazonaws.com/<stage>/.
func HTTPAPIURL(s *State) string {
	api, ok := s.Resources[httpAPIAddr]
	if !ok || api.ID == "" {
		return ""
	}
	stage := ""
	for _, addr := range s.Addresses() {
		if st := s.Resources[addr]; st.Type == TypeHTTPStage {
			stage = st.Name
			break
		}
	}
	if stage == "" {
		return ""
	}
	suffix := "amazonaws.com"
	if s.Target.Partition == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("https://%s.execute-api.%s.%s/%s/", api.ID, s.Target.Region, suffix, stage)
}

func httpAPILogicalIDOf(string, Resource) string { return httpAPILogicalID }

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

func httpStageCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	props := c.Existing(httpAPILogicalID)
	props["StageName"] = r.HTTPStage.StageName
	c.Outputs["EndpointURL"] = map[string]any{
		"Description": "URL of the HTTP API's stage " + r.HTTPStage.StageName,
		"Value":       map[string]any{"Fn::Sub": "https://${" + httpAPILogicalID + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + r.HTTPStage.StageName + "/"},
	}
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

func httpStageTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	c.Outputs["EndpointURL"] = map[string]any{
		"description": "URL of the HTTP API's stage " + r.HTTPStage.StageName,
		"value":       "${aws_apigatewayv2_stage." + httpAPITerraformName + ".invoke_url}/",
	}
	return []tfBlock{{typ: "aws_apigatewayv2_stage", name: httpAPITerraformName, body: map[string]any{
		"api_id":      "${aws_apigatewayv2_api." + httpAPITerraformName + ".id}",
		"name":        tfLiteral(r.HTTPStage.StageName),
		"auto_deploy": r.HTTPStage.AutoDeploy,
	}}}, nil
}
