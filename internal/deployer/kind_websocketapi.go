package deployer

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// WebSocketAPISpec is the app stage's API Gateway WebSocket API (v2), whose
// $connect, $default and $disconnect routes invoke the app's WebSocket
// handlers (websocket_connect, websocket_message, websocket_disconnect).
type WebSocketAPISpec struct {
	// Description marks the API as this app's and stage's.
	Description string `json:"description"`
	// RouteSelectionExpression picks a message's route; the app has only
	// the $default route for messages, so it is Chalice's
	// "$request.body.action".
	RouteSelectionExpression string `json:"route_selection_expression"`
}

// webSocketRouteSelection is the route selection expression of every
// gochalice WebSocket API, Chalice's.
const webSocketRouteSelection = "$request.body.action"

const websocketAPIAddr = "websocket_api"

// webSocketAPILogicalID is the CloudFormation logical ID of the WebSocket
// API; generated policies' WebSocketAPIIDPlaceholder becomes
// "${WebSocketApi}" in a template.
const webSocketAPILogicalID = "WebSocketApi"

// webSocketAPITerraformName is the Terraform name of the WebSocket API's
// blocks (API and stage).
const webSocketAPITerraformName = "websocket_api"

// webSocketAPIKind is the WebSocket API itself (websocket_api). It is
// created before the roles, whose generated policies name its id
// (execute-api:ManageConnections on its @connections); its integrations,
// routes and stage, which need the functions, come after them.
func webSocketAPIKind() kind {
	return kind{
		apply: applyWebSocketAPI, delete: deleteWebSocketAPI, read: readWebSocketAPIKind, discover: discoverWebSocketAPI,
		attributes: func(r *Resource, _ *State) map[string]string {
			return map[string]string{"description": r.WebSocketAPI.Description, "route_selection_expression": r.WebSocketAPI.RouteSelectionExpression}
		},
		sharedLogicalID: webSocketAPILogicalID, cloudFormation: webSocketAPICloudFormation,
		terraformName: webSocketAPITerraformName, terraform: webSocketAPITerraform,
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement {
			return webSocketAPIStatements(c)
		},
	}
}

// webSocketAPIStatements are what the deployer needs to create, update and
// delete WebSocket APIs with their integrations, routes and stages:
// GetApis is GET /apis, CreateApi POST /apis, the rest are under
// /apis/<id>. API Gateway names them by ids it chooses, so its actions
// cover every API of the region.
func webSocketAPIStatements(c *policyContext) []iam.Statement {
	apis := c.t.APIGateway("/apis")
	return []iam.Statement{
		allow("ListAndCreateWebSocketAPIs", []string{"apigateway:GET", "apigateway:POST"}, iam.Strings{apis}, nil),
		allow("ManageWebSocketAPIs", []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH", "apigateway:POST"},
			iam.Strings{apis + "/*"}, nil),
		// Finding a websocket_api_custom_domain an interrupted deploy left
		// (discoverDomainNames): the stage's tagged domains, and the API
		// mappings that tell which API each serves (read only).
		listDomainNames(c),
		allow("ListDomainAPIMappings", []string{"apigateway:GET"}, iam.Strings{c.t.APIGateway("/domainnames/*/apimappings")}, nil),
	}
}

func applyWebSocketAPI(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.WebSocketAPI
	rs, ok := a.get(r.Address)
	if !ok || rs.ID == "" {
		// One made by an earlier try whose answer was lost is adopted.
		api, err := d.findWebSocketAPI(ctx, r.Name, spec.Description, "")
		if err != nil {
			return err
		}
		if api == nil {
			var out *apigatewayv2.CreateApiOutput
			adopted, err := d.createOnce(ctx, func() (err error) {
				out, err = d.Clients.WebSocketAPI.CreateApi(ctx, &apigatewayv2.CreateApiInput{
					Name: &r.Name, ProtocolType: apigwv2types.ProtocolTypeWebsocket, Description: &spec.Description,
					RouteSelectionExpression: &spec.RouteSelectionExpression,
				}, apigwv2Once)
				return err
			}, func() (bool, error) {
				api, err = d.findWebSocketAPI(ctx, r.Name, spec.Description, "")
				return api != nil, err
			})
			switch {
			case err != nil:
				return err
			case !adopted:
				api = &apigwv2types.Api{ApiId: out.ApiId, Name: out.Name, Description: out.Description, RouteSelectionExpression: out.RouteSelectionExpression}
			}
		}
		rs = webSocketAPIState(a.target(), r.Name, api)
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	if rs.Name != r.Name || !maps.Equal(rs.Attributes, r.Attributes(nil)) {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.WebSocketAPI.UpdateApi(ctx, &apigatewayv2.UpdateApiInput{ApiId: &rs.ID, Name: &r.Name,
				Description: &spec.Description, RouteSelectionExpression: &spec.RouteSelectionExpression})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Name, rs.Attributes, rs.DependsOn = r.Name, r.Attributes(nil), r.DependsOn
	return a.put(r.Address, rs)
}

func deleteWebSocketAPI(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	err := d.retry(ctx, func() error {
		_, err := d.Clients.WebSocketAPI.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: &prior.ID})
		return err
	})
	return ignore[*apigwv2types.NotFoundException](err)
}

func readWebSocketAPIKind(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	name, desc, id := "", "", ""
	if want != nil {
		name, desc = want.Name, want.WebSocketAPI.Description
	} else {
		name, desc = rec.Name, rec.Attributes["description"]
	}
	if rec != nil {
		id = rec.ID
	}
	api, err := rd.d.findWebSocketAPI(ctx, name, desc, id)
	if err != nil || api == nil {
		return ResourceState{}, false, err
	}
	return webSocketAPIState(rd.target, aws.ToString(api.Name), api), true, nil
}

func webSocketAPIState(t Target, name string, api *apigwv2types.Api) ResourceState {
	id := aws.ToString(api.ApiId)
	return ResourceState{Type: TypeWebSocketAPI, Name: name, ID: id, ARN: t.APIGateway("/apis/" + id), Attributes: map[string]string{
		"description":                aws.ToString(api.Description),
		"route_selection_expression": aws.ToString(api.RouteSelectionExpression),
	}}
}

// findWebSocketAPI returns the WebSocket API with the recorded id, or else
// the one with this app's name and description.
func (d *Deployer) findWebSocketAPI(ctx context.Context, name, desc, id string) (*apigwv2types.Api, error) {
	var byName *apigwv2types.Api
	var token *string
	for {
		var out *apigatewayv2.GetApisOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.WebSocketAPI.GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("500"), NextToken: token})
			return err
		}); err != nil {
			return nil, err
		}
		for i := range out.Items {
			api := &out.Items[i]
			if api.ProtocolType != apigwv2types.ProtocolTypeWebsocket {
				continue
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

func webSocketAPICloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	c.Outputs["WebSocketAPIId"] = map[string]any{"Description": "id of the WebSocket API", "Value": map[string]any{"Ref": webSocketAPILogicalID}}
	return "AWS::ApiGatewayV2::Api", map[string]any{
		"Name":                     r.Name,
		"Description":              r.WebSocketAPI.Description,
		"ProtocolType":             "WEBSOCKET",
		"RouteSelectionExpression": r.WebSocketAPI.RouteSelectionExpression,
	}, nil
}

func webSocketAPITerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	c.Outputs["WebSocketAPIId"] = map[string]any{"description": "id of the WebSocket API", "value": "${aws_apigatewayv2_api." + webSocketAPITerraformName + ".id}"}
	return []tfBlock{{typ: "aws_apigatewayv2_api", name: webSocketAPITerraformName, body: map[string]any{
		"name":                       tfLiteral(r.Name),
		"description":                tfLiteral(r.WebSocketAPI.Description),
		"protocol_type":              "WEBSOCKET",
		"route_selection_expression": tfLiteral(r.WebSocketAPI.RouteSelectionExpression),
	}}}, nil
}

// A generated role policy that lets a function post to, disconnect or
// describe the app's WebSocket connections names the API by
// WebSocketAPIIDPlaceholder; the role then depends on the API
// (websocketAPIAddr), whose id deploy fills in and a package refers to.

// fillWebSocketAPIID returns doc with WebSocketAPIIDPlaceholder replaced by
// the id of the WebSocket API recorded in s, when deps name the API and s
// has its id; doc unchanged otherwise.
func fillWebSocketAPIID(doc string, deps []string, s *State) string {
	if s == nil || !slices.Contains(deps, websocketAPIAddr) || !strings.Contains(doc, WebSocketAPIIDPlaceholder) {
		return doc
	}
	api, ok := s.Resources[websocketAPIAddr]
	if !ok || api.ID == "" {
		return doc
	}
	return strings.ReplaceAll(doc, WebSocketAPIIDPlaceholder, api.ID)
}

// webSocketSubJSON is c.SubJSON of a policy document in which
// WebSocketAPIIDPlaceholder is the template's WebSocket API.
func webSocketSubJSON(c *cfnContext, doc string) (any, error) {
	if !strings.Contains(doc, WebSocketAPIIDPlaceholder) {
		return c.SubJSON([]byte(doc))
	}
	if _, ok := c.IDs[websocketAPIAddr]; !ok {
		return nil, fmt.Errorf("it names the WebSocket API (%s), which the template does not have", WebSocketAPIIDPlaceholder)
	}
	v, err := decodeJSON([]byte(strings.ReplaceAll(doc, WebSocketAPIIDPlaceholder, "${"+webSocketAPILogicalID+"}")))
	if err != nil {
		return nil, err
	}
	known := maps.Clone(c.Known)
	known[webSocketAPILogicalID] = true
	return walkStrings(v, cfnSub(known)), nil
}

// webSocketExpand is c.Expand of a policy document in which
// WebSocketAPIIDPlaceholder is the WebSocket API block's id.
func webSocketExpand(c *tfContext, doc string) string {
	parts := strings.Split(doc, WebSocketAPIIDPlaceholder)
	for i := range parts {
		parts[i] = c.Expand(parts[i])
	}
	return strings.Join(parts, "${aws_apigatewayv2_api."+webSocketAPITerraformName+".id}")
}

// WebSocketURL returns the URL of the WebSocket API's stage in s, "" when
// s has none: wss://<id>.execute-api.<region>.amazonaws.com/<stage>.
func WebSocketURL(s *State) string {
	api, ok := s.Resources[websocketAPIAddr]
	if !ok || api.ID == "" {
		return ""
	}
	stage := ""
	for _, addr := range s.Addresses() {
		if st := s.Resources[addr]; st.Type == TypeWebSocketStage {
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
	return fmt.Sprintf("wss://%s.execute-api.%s.%s/%s", api.ID, s.Target.Region, suffix, stage)
}
