package deployer

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/internal/state"
)

// DeploymentSpec is the REST API deployed to a stage.
type DeploymentSpec struct {
	StageName      string `json:"stage_name"`
	DocumentSHA256 string `json:"document_sha256"`
	// TracingEnabled is xray: X-Ray traces requests through the stage.
	TracingEnabled bool `json:"tracing_enabled"`
}

// deploymentAddr is the address of the REST API's deployment to a stage:
// a renamed stage is another resource, so the old stage is deleted.
func deploymentAddr(stage string) string { return state.DeploymentAddr(stage) }

// deploymentKind is the REST API deployed to its stage
// (rest_api_deployment, "deployment:<stage>"): a new deployment whenever
// the document changes. In a template the stage is a property of the
// REST API's one resource.
func deploymentKind() kind {
	return kind{
		attributes: func(r *Resource, _ *State) map[string]string {
			return map[string]string{"stage_name": r.Deployment.StageName, "document_sha256": r.Deployment.DocumentSHA256,
				"tracing_enabled": strconv.FormatBool(r.Deployment.TracingEnabled)}
		},
		apply: applyDeployment,
		// A stage goes with its REST API: delete it alone only when the
		// API stays (the stage was renamed).
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			api, ok := a.get(restAPIAddr)
			if !ok || api.ID == "" || a.deleting[restAPIAddr] {
				return nil
			}
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.APIGateway.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: &api.ID, StageName: &prior.Name})
				return err
			})
			return ignore[*apigwtypes.NotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			api, ok := rd.get(restAPIAddr)
			if !ok {
				return ResourceState{}, false, nil
			}
			name := ""
			if want != nil {
				name = want.Name
			} else {
				name = rec.Name
			}
			return rd.d.readDeployment(ctx, api.ID, name, rec)
		},
		readLate:        true,
		sharedLogicalID: restAPILogicalID,
		cloudFormation: func(c *cfnContext, r Resource) (string, map[string]any, error) {
			props := c.Existing(restAPILogicalID)
			props["StageName"] = r.Deployment.StageName
			if r.Deployment.TracingEnabled {
				props["TracingEnabled"] = true
			}
			c.Outputs["EndpointURL"] = map[string]any{
				"Description": "URL of the REST API's stage " + r.Deployment.StageName,
				"Value":       map[string]any{"Fn::Sub": "https://${" + restAPILogicalID + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + r.Deployment.StageName + "/"},
			}
			return "AWS::Serverless::Api", props, nil
		},
		terraformName: restAPITerraformName,
		terraform: func(c *tfContext, r Resource) ([]tfBlock, error) {
			n := c.Name
			stage := map[string]any{
				"stage_name":    tfLiteral(r.Deployment.StageName),
				"rest_api_id":   "${aws_api_gateway_rest_api." + n + ".id}",
				"deployment_id": "${aws_api_gateway_deployment." + n + ".id}",
			}
			if r.Deployment.TracingEnabled {
				stage["xray_tracing_enabled"] = true
			}
			c.Outputs["EndpointURL"] = map[string]any{
				"description": "URL of the REST API's stage " + r.Deployment.StageName,
				"value":       "${aws_api_gateway_stage." + n + ".invoke_url}/",
			}
			return []tfBlock{
				{typ: "aws_api_gateway_deployment", name: n, body: map[string]any{
					"rest_api_id": "${aws_api_gateway_rest_api." + n + ".id}",
					// A new deployment whenever the document changes, as deploy
					// makes.
					"triggers":  map[string]any{"redeployment": "${sha256(aws_api_gateway_rest_api." + n + ".body)}"},
					"lifecycle": map[string]any{"create_before_destroy": true},
				}},
				{typ: "aws_api_gateway_stage", name: n, body: stage},
			}, nil
		},
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement { return restAPIStatements(c) },
	}
}

// applyDeployment deploys the document to the stage when it changed (or
// the stage is new), and sets the stage's X-Ray tracing when it differs.
func applyDeployment(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.Deployment
	api, ok := a.get(restAPIAddr)
	if !ok {
		return fmt.Errorf("the REST API is not recorded")
	}
	prior, exists := a.get(r.Address)
	id, tracing := prior.ID, prior.Attributes["tracing_enabled"] == "true"
	if !exists || prior.Attributes["document_sha256"] != spec.DocumentSHA256 {
		var out *apigateway.CreateDeploymentOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.APIGateway.CreateDeployment(ctx, &apigateway.CreateDeploymentInput{
				RestApiId: &api.ID, StageName: &spec.StageName,
				// Taken by a stage the deployment creates only.
				TracingEnabled: aws.Bool(spec.TracingEnabled),
			})
			return err
		}); err != nil {
			return err
		}
		id = aws.ToString(out.Id)
		if !exists {
			tracing = spec.TracingEnabled
		}
	}
	if tracing != spec.TracingEnabled {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.UpdateStage(ctx, &apigateway.UpdateStageInput{
				RestApiId: &api.ID, StageName: &spec.StageName,
				PatchOperations: []apigwtypes.PatchOperation{{
					Op: apigwtypes.OpReplace, Path: aws.String("/tracingEnabled"), Value: aws.String(strconv.FormatBool(spec.TracingEnabled)),
				}},
			})
			return err
		}); err != nil {
			return fmt.Errorf("set X-Ray tracing of stage %s: %w", spec.StageName, err)
		}
	}
	return a.put(r.Address, ResourceState{Type: TypeDeployment, Name: r.Name, ID: id,
		Attributes: r.Attributes(nil), DependsOn: r.DependsOn})
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
		"stage_name": stage, "document_sha256": sha, "tracing_enabled": strconv.FormatBool(out.TracingEnabled),
	}}, true, nil
}

// restAPIURL returns the URL of the REST API's stage in s, "" when s has
// no REST API: https://<id>.execute-api.<region>.amazonaws.com/<stage>/.
func restAPIURL(s *State) string {
	api, ok := s.Resources[restAPIAddr]
	if !ok || api.ID == "" {
		return ""
	}
	stage := stages.DefaultAPIGatewayStage
	for _, addr := range s.Addresses() {
		if dep := s.Resources[addr]; dep.Type == TypeDeployment {
			stage = dep.Name
			break
		}
	}
	suffix := "amazonaws.com"
	if s.Target.Partition == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("https://%s.execute-api.%s.%s/%s/", api.ID, s.Target.Region, suffix, stage)
}
