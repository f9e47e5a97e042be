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

// WebSocketRouteSpec is a route of the WebSocket API ($connect, $default or
// $disconnect) to its function's integration.
type WebSocketRouteSpec struct {
	RouteKey string `json:"route_key"`
	// Integration is the address of the integration the route targets.
	Integration string `json:"integration"`
}

func webSocketRouteAddr(fn string) string { return "websocket_route:" + fn }

// webSocketRouteKind is a route of the WebSocket API (websocket_route,
// "websocket_route:<function>"). It goes with its API: deleted alone only
// when the API stays.
func webSocketRouteKind() kind {
	return kind{
		attributes: webSocketRouteAttributes,
		apply:      applyWebSocketRoute,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			api, ok := a.get(websocketAPIAddr)
			if !ok || api.ID == "" || a.deleting[websocketAPIAddr] {
				return nil
			}
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.WebSocketAPI.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: &api.ID, RouteId: &prior.ID})
				return err
			})
			return ignore[*apigwv2types.NotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			api, ok := rd.get(websocketAPIAddr)
			if !ok || api.ID == "" {
				return ResourceState{}, false, nil
			}
			key, id := "", ""
			if want != nil {
				key = want.WebSocketRoute.RouteKey
			} else {
				key = rec.Attributes["route_key"]
			}
			if rec != nil {
				id = rec.ID
			}
			route, err := rd.d.findWebSocketRoute(ctx, api.ID, key, id)
			if err != nil || route == nil {
				return ResourceState{}, false, err
			}
			return webSocketRouteState(route), true, nil
		},
		readLate:       true,
		logicalID:      "Route",
		cloudFormation: webSocketRouteCloudFormation,
		terraform:      webSocketRouteTerraform,
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement {
			return webSocketAPIStatements(c)
		},
	}
}

// webSocketRouteAttributes: the target is the integration's id, known once
// the integration is recorded.
func webSocketRouteAttributes(r *Resource, actual *State) map[string]string {
	target := KnownAfterApply
	if actual != nil {
		if in, ok := actual.Resources[r.WebSocketRoute.Integration]; ok && in.ID != "" {
			target = "integrations/" + in.ID
		}
	}
	return map[string]string{"route_key": r.WebSocketRoute.RouteKey, "target": target}
}

func webSocketRouteState(route *apigwv2types.Route) ResourceState {
	key := aws.ToString(route.RouteKey)
	return ResourceState{Type: TypeWebSocketRoute, Name: key, ID: aws.ToString(route.RouteId), Attributes: map[string]string{
		"route_key": key, "target": aws.ToString(route.Target),
	}}
}

func applyWebSocketRoute(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.WebSocketRoute
	api, ok := a.get(websocketAPIAddr)
	if !ok || api.ID == "" {
		return fmt.Errorf("the WebSocket API is not recorded")
	}
	a.mu.Lock()
	want := r.Attributes(a.state)
	a.mu.Unlock()
	target := want["target"]
	if target == KnownAfterApply {
		return fmt.Errorf("its integration %s is not recorded", spec.Integration)
	}
	rs, ok := a.get(r.Address)
	if !ok || rs.ID == "" {
		// One made by an earlier try whose answer was lost is adopted.
		route, err := d.findWebSocketRoute(ctx, api.ID, spec.RouteKey, "")
		if err != nil {
			return err
		}
		if route == nil {
			var out *apigatewayv2.CreateRouteOutput
			adopted, err := d.createOnce(ctx, func() (err error) {
				out, err = d.Clients.WebSocketAPI.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: &api.ID, RouteKey: &spec.RouteKey, Target: &target}, apigwv2Once)
				return err
			}, func() (bool, error) {
				route, err = d.findWebSocketRoute(ctx, api.ID, spec.RouteKey, "")
				return route != nil, err
			})
			switch {
			case err != nil:
				return err
			case !adopted:
				route = &apigwv2types.Route{RouteId: out.RouteId, RouteKey: out.RouteKey, Target: out.Target}
			}
		}
		rs = webSocketRouteState(route)
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	if !maps.Equal(rs.Attributes, want) {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.WebSocketAPI.UpdateRoute(ctx, &apigatewayv2.UpdateRouteInput{ApiId: &api.ID, RouteId: &rs.ID, RouteKey: &spec.RouteKey, Target: &target})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Name, rs.Attributes, rs.DependsOn = r.Name, want, r.DependsOn
	return a.put(r.Address, rs)
}

// findWebSocketRoute returns the route of the API with the recorded id, or
// else the one with the route key; nil when there is none (or no API).
func (d *Deployer) findWebSocketRoute(ctx context.Context, apiID, key, id string) (*apigwv2types.Route, error) {
	var byKey *apigwv2types.Route
	var token *string
	for {
		var out *apigatewayv2.GetRoutesOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.WebSocketAPI.GetRoutes(ctx, &apigatewayv2.GetRoutesInput{ApiId: &apiID, MaxResults: aws.String("500"), NextToken: token})
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
			route := &out.Items[i]
			if id != "" && aws.ToString(route.RouteId) == id {
				return route, nil
			}
			if byKey == nil && aws.ToString(route.RouteKey) == key {
				byKey = route
			}
		}
		if out.NextToken == nil || len(out.Items) == 0 {
			break
		}
		token = out.NextToken
	}
	return byKey, nil
}

// webSocketRouteCloudFormation makes the route an AWS::ApiGatewayV2::Route
// targeting the template's integration.
func webSocketRouteCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	in, ok := c.IDs[r.WebSocketRoute.Integration]
	if !ok {
		return "", nil, fmt.Errorf("its integration %s is not in the template", r.WebSocketRoute.Integration)
	}
	return "AWS::ApiGatewayV2::Route", map[string]any{
		"ApiId":    map[string]any{"Ref": webSocketAPILogicalID},
		"RouteKey": r.WebSocketRoute.RouteKey,
		"Target":   map[string]any{"Fn::Join": []any{"/", []any{"integrations", map[string]any{"Ref": in}}}},
	}, nil
}

func webSocketRouteTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	in := terraformName(addressFunction(r.WebSocketRoute.Integration))
	return []tfBlock{{typ: "aws_apigatewayv2_route", name: c.Name, body: map[string]any{
		"api_id":    "${aws_apigatewayv2_api." + webSocketAPITerraformName + ".id}",
		"route_key": tfLiteral(r.WebSocketRoute.RouteKey),
		"target":    "integrations/${aws_apigatewayv2_integration." + in + ".id}",
	}}}, nil
}
