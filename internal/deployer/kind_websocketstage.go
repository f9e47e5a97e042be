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

// WebSocketStageSpec is the WebSocket API's stage, the stage's
// api_gateway_stage.
type WebSocketStageSpec struct {
	StageName string `json:"stage_name"`
	// AutoDeploy deploys every change of the API's routes and
	// integrations to the stage at once; gochalice always sets it.
	AutoDeploy bool `json:"auto_deploy"`
}

// webSocketStageAddr is the address of the WebSocket API's stage: a
// renamed stage is another resource, so the old stage is deleted.
func webSocketStageAddr(stage string) string { return "websocket_stage:" + stage }

// webSocketStageLogicalID is the CloudFormation logical ID of the
// WebSocket API's stage.
const webSocketStageLogicalID = "WebSocketApiStage"

// webSocketStageKind is the WebSocket API's stage (websocket_api_stage,
// "websocket_stage:<stage>"), made after the routes so that its first
// automatic deployment has them, and deploying every later change at once.
func webSocketStageKind() kind {
	return kind{
		attributes: func(r *Resource, _ *State) map[string]string {
			return map[string]string{"stage_name": r.WebSocketStage.StageName, "auto_deploy": strconv.FormatBool(r.WebSocketStage.AutoDeploy)}
		},
		apply: applyWebSocketStage,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			api, ok := a.get(websocketAPIAddr)
			if !ok || api.ID == "" || a.deleting[websocketAPIAddr] {
				return nil
			}
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.WebSocketAPI.DeleteStage(ctx, &apigatewayv2.DeleteStageInput{ApiId: &api.ID, StageName: &prior.Name})
				return err
			})
			return ignore[*apigwv2types.NotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			api, ok := rd.get(websocketAPIAddr)
			if !ok || api.ID == "" {
				return ResourceState{}, false, nil
			}
			stage := ""
			if want != nil {
				stage = want.WebSocketStage.StageName
			} else {
				stage = rec.Name
			}
			return rd.d.readWebSocketStage(ctx, api.ID, stage)
		},
		readLate:        true,
		sharedLogicalID: webSocketStageLogicalID, cloudFormation: webSocketStageCloudFormation,
		terraformName: webSocketAPITerraformName, terraform: webSocketStageTerraform,
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement {
			return webSocketAPIStatements(c)
		},
	}
}

func applyWebSocketStage(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.WebSocketStage
	api, ok := a.get(websocketAPIAddr)
	if !ok || api.ID == "" {
		return fmt.Errorf("the WebSocket API is not recorded")
	}
	rs, ok := a.get(r.Address)
	var autoDeploy bool
	if !ok || rs.ID != api.ID {
		err := d.retry(ctx, func() error {
			_, err := d.Clients.WebSocketAPI.CreateStage(ctx, &apigatewayv2.CreateStageInput{
				ApiId: &api.ID, StageName: &spec.StageName, AutoDeploy: aws.Bool(spec.AutoDeploy),
			})
			return err
		})
		var conflict *apigwv2types.ConflictException
		switch {
		case errors.As(err, &conflict):
			// It exists (an earlier try's answer was lost): adopt it.
			got, found, rerr := d.readWebSocketStage(ctx, api.ID, spec.StageName)
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
			_, err := d.Clients.WebSocketAPI.UpdateStage(ctx, &apigatewayv2.UpdateStageInput{
				ApiId: &api.ID, StageName: &spec.StageName, AutoDeploy: aws.Bool(spec.AutoDeploy),
			})
			return err
		}); err != nil {
			return err
		}
	}
	return a.put(r.Address, ResourceState{Type: TypeWebSocketStage, Name: r.Name, ID: api.ID,
		Attributes: r.Attributes(nil), DependsOn: r.DependsOn})
}

func (d *Deployer) readWebSocketStage(ctx context.Context, apiID, stage string) (ResourceState, bool, error) {
	var out *apigatewayv2.GetStageOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.WebSocketAPI.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: &apiID, StageName: &stage})
		return err
	})
	var missing *apigwv2types.NotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	return ResourceState{Type: TypeWebSocketStage, Name: stage, ID: apiID, Attributes: map[string]string{
		"stage_name": stage, "auto_deploy": strconv.FormatBool(aws.ToBool(out.AutoDeploy)),
	}}, true, nil
}

func webSocketStageCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	c.Outputs["WebSocketConnectEndpointURL"] = map[string]any{
		"Description": "URL of the WebSocket API's stage " + r.WebSocketStage.StageName,
		"Value":       map[string]any{"Fn::Sub": "wss://${" + webSocketAPILogicalID + "}.execute-api.${AWS::Region}.${AWS::URLSuffix}/" + r.WebSocketStage.StageName},
	}
	return "AWS::ApiGatewayV2::Stage", map[string]any{
		"ApiId":      map[string]any{"Ref": webSocketAPILogicalID},
		"StageName":  r.WebSocketStage.StageName,
		"AutoDeploy": r.WebSocketStage.AutoDeploy,
	}, nil
}

func webSocketStageTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	c.Outputs["WebSocketConnectEndpointURL"] = map[string]any{
		"description": "URL of the WebSocket API's stage " + r.WebSocketStage.StageName,
		"value":       "${aws_apigatewayv2_stage." + webSocketAPITerraformName + ".invoke_url}",
	}
	return []tfBlock{{typ: "aws_apigatewayv2_stage", name: webSocketAPITerraformName, body: map[string]any{
		"api_id":      "${aws_apigatewayv2_api." + webSocketAPITerraformName + ".id}",
		"name":        tfLiteral(r.WebSocketStage.StageName),
		"auto_deploy": r.WebSocketStage.AutoDeploy,
	}}}, nil
}
