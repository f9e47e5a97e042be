package deployer

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// HTTPStageSpec is the HTTP API's stage.
type HTTPStageSpec struct {
	StageName string `json:"stage_name"`
	// AutoDeploy deploys every change of the API to the stage at once;
	// gochalice always sets it.
	AutoDeploy bool `json:"auto_deploy"`
}

// httpStageAddr is the address of the HTTP API's stage: a renamed stage
// is another resource, so the old stage is deleted.
func httpStageAddr(stage string) string { return "http_stage:" + stage }

// httpStageKind is the HTTP API's stage (http_api_stage,
// "http_stage:<stage>"), which deploys every change of the API at once.
// In a template it is a property of the HTTP API's one resource.
func httpStageKind() kind {
	return kind{
		apply: applyHTTPStage, delete: deleteHTTPStage, read: readHTTPStageKind, attributes: httpStageAttributes,
		readLate:        true,
		sharedLogicalID: httpAPILogicalID, cloudFormation: httpStageCloudFormation,
		terraformName: httpAPITerraformName, terraform: httpStageTerraform,
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement { return httpAPIStatements(c) },
	}
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

func readHTTPStageKind(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	stage := ""
	if want != nil {
		stage = want.HTTPStage.StageName
	} else {
		stage = rec.Name
	}
	// The API as refreshed (refresh looks stages up after it): a stage
	// goes with its API.
	api, ok := rd.get(httpAPIAddr)
	if !ok || api.ID == "" {
		return ResourceState{}, false, nil
	}
	return rd.d.readHTTPStage(ctx, api.ID, stage)
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

func httpStageCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	props := c.Existing(httpAPILogicalID)
	props["StageName"] = r.HTTPStage.StageName
	c.Outputs["EndpointURL"] = map[string]any{
		"Description": "URL of the HTTP API's stage " + r.HTTPStage.StageName,
		"Value":       map[string]any{"Fn::Sub": "https://${" + httpAPILogicalID + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + r.HTTPStage.StageName + "/"},
	}
	return "AWS::Serverless::HttpApi", props, nil
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
