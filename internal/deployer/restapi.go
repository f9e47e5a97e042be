package deployer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

// The REST API's resources: the API imported from its OpenAPI document and
// its deployment to a stage.

func (a *applier) applyRestAPI(ctx context.Context, r *Resource) error {
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
			err := d.retry(ctx, func() (err error) {
				out, err = d.Clients.APIGateway.ImportRestApi(ctx, &apigateway.ImportRestApiInput{
					Body:       spec.Document,
					Parameters: map[string]string{"endpointConfigurationTypes": spec.EndpointType},
				})
				return err
			})
			if err != nil {
				return err
			}
			rs = restAPIState(r.Name, &apigwtypes.RestApi{Id: out.Id, Description: out.Description, EndpointConfiguration: out.EndpointConfiguration}, spec.DocumentSHA256)
		}
		t := a.target()
		rs.ARN = fmt.Sprintf("arn:%s:apigateway:%s::/restapis/%s", t.Partition, t.Region, rs.ID)
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
	if rs.Attributes["document_sha256"] != spec.DocumentSHA256 {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.PutRestApi(ctx, &apigateway.PutRestApiInput{
				RestApiId: &rs.ID, Body: spec.Document, Mode: apigwtypes.PutModeOverwrite,
			})
			return err
		}); err != nil {
			return err
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

func (a *applier) applyDeployment(ctx context.Context, r *Resource) error {
	d := a.d
	api, ok := a.get(restAPIAddr)
	if !ok {
		return fmt.Errorf("the REST API is not recorded")
	}
	var out *apigateway.CreateDeploymentOutput
	if err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.APIGateway.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{
			RestApiId: &api.ID, StageName: &r.Deployment.StageName,
		})
		return err
	}); err != nil {
		return err
	}
	return a.put(r.Address, ResourceState{Type: TypeDeployment, Name: r.Name, ID: aws.ToString(out.Id),
		Attributes: r.Attributes(nil), DependsOn: r.DependsOn})
}

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
	return ResourceState{Type: TypeRestAPI, Name: name, ID: aws.ToString(api.Id), Attributes: map[string]string{
		"description":     aws.ToString(api.Description),
		"endpoint_type":   endpoint,
		"document_sha256": sha,
	}}
}

func (d *Deployer) readDeployment(ctx context.Context, apiID, stage string, rec *ResourceState) (ResourceState, bool, error) {
	var out *apigateway.GetStageOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.APIGateway.GetStage(ctx, &apigateway.GetStageInput{RestApiId: &apiID, StageName: &stage})
		return err
	})
	var missing *apigwtypes.NotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	sha := ""
	if rec != nil && rec.ID == aws.ToString(out.DeploymentId) {
		sha = rec.Attributes["document_sha256"]
	}
	return ResourceState{Type: TypeDeployment, Name: stage, ID: aws.ToString(out.DeploymentId), Attributes: map[string]string{
		"stage_name": stage, "document_sha256": sha,
	}}, true, nil
}
