package apptest_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/app/wsapi"
)

// TestWebSocket connects to an app's WebSocket API through apptest: the
// connect handler admits or refuses, messages run the message handler,
// whose answers posted with wsapi (to the sender, or to another
// connection) arrive, and closing runs the disconnect handler.
func TestWebSocket(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var first string
	connected := make(chan string, 2)
	gone := make(chan string, 2)
	a := app.New("echo")
	a.OnWebSocketConnect(func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		if ev.QueryStringParameters["token"] == "bad" || ev.Headers["User-Agent"] == "" {
			return events.APIGatewayProxyResponse{StatusCode: http.StatusForbidden, Body: "go away"}, nil
		}
		connected <- ev.RequestContext.ConnectionID
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	})
	a.OnWebSocketMessage(func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		to := ev.RequestContext.ConnectionID
		if ev.Body == "to first" {
			to = first
		}
		err := wsapi.FromEvent(ev).Send(ctx, to, []byte(ev.RequestContext.Stage+": "+ev.Body))
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, err
	})
	a.OnWebSocketDisconnect(func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		gone <- ev.RequestContext.ConnectionID
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	})
	c := apptest.New(a)
	defer func() {
		if err := c.Close(); err != nil {
			t.Error(err)
		}
	}()

	one, err := c.WebSocket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	first = <-connected
	if err := one.Send(ctx, []byte("hello")); err != nil {
		t.Fatal(err)
	}
	if got, err := one.Receive(ctx); err != nil || string(got) != "api: hello" {
		t.Errorf("Receive = %q, %v; want the echo", got, err)
	}

	two, err := c.WebSocket(ctx)
	if err != nil {
		t.Fatal(err)
	}
	<-connected
	if err := two.Send(ctx, []byte("to first")); err != nil {
		t.Fatal(err)
	}
	if got, err := one.Receive(ctx); err != nil || string(got) != "api: to first" {
		t.Errorf("first connection received %q, %v; want the second's message", got, err)
	}

	short, stop := context.WithTimeout(ctx, 50*time.Millisecond)
	defer stop()
	if got, err := two.Receive(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Receive with nothing sent = %q, %v; want the context's deadline", got, err)
	}

	if err := two.Close(); err != nil {
		t.Error(err)
	}
	if id := <-gone; id == first {
		t.Errorf("disconnect of %s, want the second connection", id)
	}
}

// TestWebSocketRefused: a connection the connect handler refuses is a
// *RefusedError with its status and body.
func TestWebSocketRefused(t *testing.T) {
	t.Parallel()
	a := app.New("guarded")
	a.OnWebSocketConnect(func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusUnauthorized, Body: "who are you?"}, nil
	})
	c := apptest.New(a)
	defer func() { _ = c.Close() }()
	_, err := c.WebSocket(context.Background())
	var refused *apptest.RefusedError
	if !errors.As(err, &refused) || refused.StatusCode != http.StatusUnauthorized || refused.Body != "who are you?" {
		t.Errorf("err = %v, want a refusal 401 who are you?", err)
	}
}
