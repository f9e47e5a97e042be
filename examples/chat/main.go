// Command chat is gochalice's WebSocket example, Chalice's chat tutorial
// in Go: clients connect to the app's WebSocket API, pick a nickname with
// "/nick NAME", list who is here with "/who", and everything else they
// send goes to everyone. GET / serves a small page to chat from a browser.
//
// Run it locally with one command (see README.md):
//
//	go run ./cmd/gochalice local --project-dir examples/chat
package main

import (
	_ "embed"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/wsapi"
)

//go:embed page.html
var page []byte

func newApp(chat *Chat) *app.App {
	a := app.New("chat")
	a.Route("GET /", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	})
	a.OnWebSocketConnect(chat.Connect)
	a.OnWebSocketMessage(chat.Message)
	a.OnWebSocketDisconnect(chat.Disconnect)
	return a
}

func main() {
	newApp(NewChat(func(ev events.APIGatewayWebsocketProxyRequest) Sender { return wsapi.FromEvent(ev) })).Run()
}
