package deployer

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// WebSocketIntegrationSpec is the WebSocket API's Lambda proxy integration
// with one of the app's WebSocket handlers.
type WebSocketIntegrationSpec struct {
	// Description names the function, which tells the API's integrations
	// apart (an earlier try's is adopted by it).
	Description string `json:"description"`
	// IntegrationURI is the function's invocation URI.
	IntegrationURI string `json:"integration_uri"`
}

// The settings of every WebSocket integration, Chalice's: a Lambda proxy
// integration, messages passed to the function as text.
const (
	webSocketIntegrationType    = apigwv2types.IntegrationTypeAwsProxy
	webSocketContentHandling    = apigwv2types.ContentHandlingStrategyConvertToText
	webSocketIntegrationTypeStr = string(webSocketIntegrationType)
	webSocketContentHandlingStr = string(webSocketContentHandling)
)

func webSocketIntegrationAddr(fn string) string { return "websocket_integration:" + fn }

// webSocketIntegrationKind is the WebSocket API's integration with one
// function (websocket_integration, "websocket_integration:<function>"). It
// goes with its API: deleted alone only when the API stays.
func webSocketIntegrationKind() kind {
	return kind{
		attributes: webSocketIntegrationAttributes,
		apply:      applyWebSocketIntegration,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			api, ok := a.get(websocketAPIAddr)
			if !ok || api.ID == "" || a.deleting[websocketAPIAddr] {
				return nil
			}
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.WebSocketAPI.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: &api.ID, IntegrationId: &prior.ID})
				return err
			})
			return ignore[*apigwv2types.NotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			api, ok := rd.get(websocketAPIAddr)
			if !ok || api.ID == "" {
				return ResourceState{}, false, nil
			}
			name, desc, id := "", "", ""
			if want != nil {
				name, desc = want.Name, want.WebSocketIntegration.Description
			} else {
				name, desc = rec.Name, rec.Attributes["description"]
			}
			if rec != nil {
				id = rec.ID
			}
			in, err := rd.d.findWebSocketIntegration(ctx, api.ID, desc, id)
			if err != nil || in == nil {
				return ResourceState{}, false, err
			}
			return webSocketIntegrationState(name, in), true, nil
		},
		readLate:       true,
		logicalID:      "Integration",
		cloudFormation: webSocketIntegrationCloudFormation,
		terraform:      webSocketIntegrationTerraform,
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement {
			return webSocketAPIStatements(c)
		},
	}
}

func webSocketIntegrationAttributes(r *Resource, _ *State) map[string]string {
	return map[string]string{
		"description":               r.WebSocketIntegration.Description,
		"integration_type":          webSocketIntegrationTypeStr,
		"integration_uri":           r.WebSocketIntegration.IntegrationURI,
		"content_handling_strategy": webSocketContentHandlingStr,
	}
}

func webSocketIntegrationState(name string, in *apigwv2types.Integration) ResourceState {
	return ResourceState{Type: TypeWebSocketIntegration, Name: name, ID: aws.ToString(in.IntegrationId), Attributes: map[string]string{
		"description":               aws.ToString(in.Description),
		"integration_type":          string(in.IntegrationType),
		"integration_uri":           aws.ToString(in.IntegrationUri),
		"content_handling_strategy": string(in.ContentHandlingStrategy),
	}}
}

func applyWebSocketIntegration(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.WebSocketIntegration
	api, ok := a.get(websocketAPIAddr)
	if !ok || api.ID == "" {
		return fmt.Errorf("the WebSocket API is not recorded")
	}
	rs, ok := a.get(r.Address)
	if !ok || rs.ID == "" {
		// One made by an earlier try whose answer was lost is adopted.
		in, err := d.findWebSocketIntegration(ctx, api.ID, spec.Description, "")
		if err != nil {
			return err
		}
		if in == nil {
			var out *apigatewayv2.CreateIntegrationOutput
			adopted, err := d.createOnce(ctx, func() (err error) {
				out, err = d.Clients.WebSocketAPI.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{
					ApiId: &api.ID, IntegrationType: webSocketIntegrationType, IntegrationUri: &spec.IntegrationURI,
					ContentHandlingStrategy: webSocketContentHandling, Description: &spec.Description,
				}, apigwv2Once)
				return err
			}, func() (bool, error) {
				in, err = d.findWebSocketIntegration(ctx, api.ID, spec.Description, "")
				return in != nil, err
			})
			switch {
			case err != nil:
				return err
			case !adopted:
				in = &apigwv2types.Integration{IntegrationId: out.IntegrationId, Description: out.Description, IntegrationType: out.IntegrationType,
					IntegrationUri: out.IntegrationUri, ContentHandlingStrategy: out.ContentHandlingStrategy}
			}
		}
		rs = webSocketIntegrationState(r.Name, in)
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	want := r.Attributes(nil)
	if !maps.Equal(rs.Attributes, want) {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.WebSocketAPI.UpdateIntegration(ctx, &apigatewayv2.UpdateIntegrationInput{
				ApiId: &api.ID, IntegrationId: &rs.ID, IntegrationType: webSocketIntegrationType, IntegrationUri: &spec.IntegrationURI,
				ContentHandlingStrategy: webSocketContentHandling, Description: &spec.Description,
			})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Name, rs.Attributes, rs.DependsOn = r.Name, want, r.DependsOn
	return a.put(r.Address, rs)
}

// findWebSocketIntegration returns the integration of the API with the
// recorded id, or else the one with the description; nil when there is
// none (or no API).
func (d *Deployer) findWebSocketIntegration(ctx context.Context, apiID, desc, id string) (*apigwv2types.Integration, error) {
	var byDesc *apigwv2types.Integration
	var token *string
	for {
		var out *apigatewayv2.GetIntegrationsOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.WebSocketAPI.GetIntegrations(ctx, &apigatewayv2.GetIntegrationsInput{ApiId: &apiID, MaxResults: aws.String("500"), NextToken: token})
			return err
		})
		var missing *apigwv2types.NotFoundException
		if errors.As(err, &missing) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for i := range out.Items {
			in := &out.Items[i]
			if id != "" && aws.ToString(in.IntegrationId) == id {
				return in, nil
			}
			if byDesc == nil && aws.ToString(in.Description) == desc {
				byDesc = in
			}
		}
		if out.NextToken == nil || len(out.Items) == 0 {
			break
		}
		token = out.NextToken
	}
	return byDesc, nil
}

// webSocketIntegrationCloudFormation makes the integration an
// AWS::ApiGatewayV2::Integration whose URI names the template's function.
func webSocketIntegrationCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	fn, ok := c.IDs[functionAddr(addressFunction(r.Address))]
	if !ok {
		return "", nil, fmt.Errorf("its function is not in the template")
	}
	return "AWS::ApiGatewayV2::Integration", map[string]any{
		"ApiId":                   map[string]any{"Ref": webSocketAPILogicalID},
		"Description":             r.WebSocketIntegration.Description,
		"IntegrationType":         webSocketIntegrationTypeStr,
		"ContentHandlingStrategy": webSocketContentHandlingStr,
		"IntegrationUri":          map[string]any{"Fn::Sub": "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${" + fn + ".Arn}/invocations"},
	}, nil
}

func webSocketIntegrationTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	return []tfBlock{{typ: "aws_apigatewayv2_integration", name: c.Name, body: map[string]any{
		"api_id":                    "${aws_apigatewayv2_api." + webSocketAPITerraformName + ".id}",
		"description":               tfLiteral(r.WebSocketIntegration.Description),
		"integration_type":          webSocketIntegrationTypeStr,
		"content_handling_strategy": webSocketContentHandlingStr,
		"integration_uri":           "${aws_lambda_function." + c.Function + ".invoke_arn}",
	}}}, nil
}
