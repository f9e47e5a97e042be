package app

import (
	"context"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/manifest"
)

// WebSocketHandler handles one event of the app's API Gateway WebSocket API.
// For $connect, a response with a status code other than 2xx refuses the
// connection; for messages and $disconnect the response is ignored by API
// Gateway unless the route has a route response.
type WebSocketHandler func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error)

// Function names of the WebSocket handlers (Chalice's names), one Lambda
// function each: "<app>-<stage>-websocket_connect" and so on.
const (
	WebSocketConnectName    = string(manifest.KindWebSocketConnect)
	WebSocketMessageName    = string(manifest.KindWebSocketMessage)
	WebSocketDisconnectName = string(manifest.KindWebSocketDisconnect)
)

// OnWebSocketConnect registers the handler of the WebSocket API's $connect
// route (Chalice's on_ws_connect). It is optional; without it every
// connection is accepted.
func (a *App) OnWebSocketConnect(handler WebSocketHandler) {
	a.onWebSocket("OnWebSocketConnect", manifest.KindWebSocketConnect, handler)
}

// OnWebSocketMessage registers the handler of the WebSocket API's $default
// route: every message a client sends (Chalice's on_ws_message). To
// answer, post to the connection with package app/wsapi (wsapi.FromEvent).
func (a *App) OnWebSocketMessage(handler WebSocketHandler) {
	a.onWebSocket("OnWebSocketMessage", manifest.KindWebSocketMessage, handler)
}

// OnWebSocketDisconnect registers the handler of the WebSocket API's
// $disconnect route (Chalice's on_ws_disconnect). API Gateway calls it on a
// best-effort basis.
func (a *App) OnWebSocketDisconnect(handler WebSocketHandler) {
	a.onWebSocket("OnWebSocketDisconnect", manifest.KindWebSocketDisconnect, handler)
}

func (a *App) onWebSocket(method string, kind manifest.Kind, handler WebSocketHandler) {
	name := string(kind)
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s: nil handler", method))
	}
	if a.names[name] {
		panic(fmt.Sprintf("gochalice: %s: a WebSocket %s handler is already registered", method, name))
	}
	a.registerName(method, name)
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   kind,
		info:   handlerInfo(handler),
		invoke: batchInvoker(name, "WebSocket event", (func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error))(handler)),
	})
}
