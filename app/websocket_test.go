package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/manifest"
)

func echoWS(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: ev.RequestContext.RouteKey + ":" + ev.RequestContext.ConnectionID + ":" + ev.Body}, nil
}

func TestWebSocketHandlersInManifestAndInvoke(t *testing.T) {
	a := app.New("chat")
	a.OnWebSocketConnect(echoWS)
	a.OnWebSocketMessage(echoWS)
	a.OnWebSocketDisconnect(echoWS)
	m := a.Manifest()
	if !m.HasWebSocket() {
		t.Fatal("HasWebSocket = false")
	}
	for _, k := range []manifest.Kind{manifest.KindWebSocketConnect, manifest.KindWebSocketMessage, manifest.KindWebSocketDisconnect} {
		f, ok := m.Function(string(k))
		if !ok || f.Kind != k || !strings.HasSuffix(f.Handler.Name, "echoWS") {
			t.Errorf("function %s = %+v, %v", k, f, ok)
		}
	}
	ev := events.APIGatewayWebsocketProxyRequest{Body: `{"action":"x"}`}
	ev.RequestContext.RouteKey = "$default"
	ev.RequestContext.ConnectionID = "c1"
	payload, _ := json.Marshal(ev)
	out, err := a.Invoke(context.Background(), app.WebSocketMessageName, payload)
	if err != nil {
		t.Fatal(err)
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Body != `$default:c1:{"action":"x"}` {
		t.Errorf("response = %+v", resp)
	}
}

func TestWebSocketRegistrationMistakes(t *testing.T) {
	for name, f := range map[string]func(a *app.App){
		"nil handler": func(a *app.App) { a.OnWebSocketMessage(nil) },
		"twice": func(a *app.App) {
			a.OnWebSocketConnect(echoWS)
			a.OnWebSocketConnect(echoWS)
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(r.(string), "gochalice: OnWebSocketConnect") && !strings.HasPrefix(r.(string), "gochalice: OnWebSocketMessage") {
					t.Errorf("panic = %v", r)
				}
			}()
			f(app.New("chat"))
		})
	}
}
