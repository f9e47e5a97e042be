package deployer

import (
	"strings"

	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// WebSocketPermissionStatementID is the Sid of the statement that lets the
// WebSocket API invoke a WebSocket handler.
const WebSocketPermissionStatementID = "gochalice-websocket-api"

// webSocketRouteKey is the route of the WebSocket API that invokes a
// function of kind k (Chalice's on_ws_connect, on_ws_message,
// on_ws_disconnect); "" for the other kinds.
func webSocketRouteKey(k manifest.Kind) string {
	return map[manifest.Kind]string{
		manifest.KindWebSocketConnect:    "$connect",
		manifest.KindWebSocketMessage:    "$default",
		manifest.KindWebSocketDisconnect: "$disconnect",
	}[k]
}

// webSocketFunctionResources are what a WebSocket handler fn, whose Lambda
// function is name, adds to its function: the API's integration with it,
// the route to that integration, and the permission that lets the API
// invoke it, from that route only.
func webSocketFunctionResources(t Target, fn manifest.Function, name string) []Resource {
	key := webSocketRouteKey(fn.Kind)
	return []Resource{
		{
			Address: webSocketIntegrationAddr(fn.Name), Type: TypeWebSocketIntegration, Name: name,
			DependsOn:            []string{websocketAPIAddr, functionAddr(fn.Name)},
			WebSocketIntegration: &WebSocketIntegrationSpec{Description: name, IntegrationURI: t.InvocationURI(t.Function(name))},
		},
		{
			Address: webSocketRouteAddr(fn.Name), Type: TypeWebSocketRoute, Name: key,
			DependsOn:      []string{websocketAPIAddr, webSocketIntegrationAddr(fn.Name)},
			WebSocketRoute: &WebSocketRouteSpec{RouteKey: key, Integration: webSocketIntegrationAddr(fn.Name)},
		},
		invokePermission(fn.Name, name, WebSocketPermissionStatementID, "apigateway.amazonaws.com",
			t.ExecuteAPI(APIIDPlaceholder)+"/*/"+key, "", websocketAPIAddr),
	}
}

// webSocketAPIResources are the app stage's WebSocket API and its stage
// (the stage's api_gateway_stage, as Chalice names it), made after every
// route (routes are the addresses of the routes).
func webSocketAPIResources(s *stages.Settings, routes []string) []Resource {
	n := stageNames(s)
	return []Resource{
		{
			Address: websocketAPIAddr, Type: TypeWebSocketAPI, Name: n.WebSocketAPI(),
			WebSocketAPI: &WebSocketAPISpec{Description: n.Description(), RouteSelectionExpression: webSocketRouteSelection},
		},
		{
			Address: webSocketStageAddr(s.APIGatewayStage), Type: TypeWebSocketStage, Name: s.APIGatewayStage,
			DependsOn:      append([]string{websocketAPIAddr}, routes...),
			WebSocketStage: &WebSocketStageSpec{StageName: s.APIGatewayStage, AutoDeploy: true},
		},
	}
}

// webSocketRoleDeps returns what the role of fn depends on because of its
// generated policy doc: the WebSocket API, when the policy lets fn manage
// the API's connections (WebSocketAPIIDPlaceholder, which deploy fills
// in). A policy file is the user's business, left as it is. A problem
// when the app has no WebSocket API whose id could fill it in.
func webSocketRoleDeps(m *manifest.Manifest, fn string, s *stages.Settings, doc string) ([]string, *Problem) {
	if !s.AutogenPolicy || !strings.Contains(doc, WebSocketAPIIDPlaceholder) {
		return nil, nil
	}
	if !m.HasWebSocket() {
		return nil, &Problem{
			Subject: "function " + fn,
			Problem: "its code posts to, disconnects or describes WebSocket connections (app/wsapi), but the app registers no WebSocket handler, so it has no WebSocket API whose connections gen-policy could scope execute-api:ManageConnections to",
			Fix:     "register the WebSocket handlers (OnWebSocketConnect/Message/Disconnect) in this app, or set autogen_policy to false and name a policy file (iam_policy_file) that grants execute-api:ManageConnections on the other API's @connections",
		}
	}
	return []string{websocketAPIAddr}, nil
}
