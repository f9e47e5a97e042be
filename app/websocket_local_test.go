package app

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app/wsapi"
)

// wsTestClient is a minimal RFC 6455 client for the local server.
type wsTestClient struct {
	conn net.Conn
	br   *bufio.Reader
}

func dialWS(t *testing.T, addr, query string) (*wsTestClient, *http.Response) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	fmt.Fprintf(conn, "GET %s%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", WebSocketPath, query, addr, key)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &wsTestClient{conn: conn, br: br}, resp
}

func (c *wsTestClient) send(t *testing.T, msg string) {
	t.Helper()
	if err := writeFrame(c.conn, opText, []byte(msg), []byte{1, 2, 3, 4}); err != nil {
		t.Fatal(err)
	}
}

func (c *wsTestClient) receive(t *testing.T) (string, error) {
	t.Helper()
	_, data, err := readMessage(c.br, false, func(byte, []byte) {})
	return string(data), err
}

func TestLocalWebSocketConnectSendReceiveDisconnect(t *testing.T) {
	a := New("chat")
	var mu sync.Mutex
	var log []string
	disconnected := make(chan struct{})
	a.OnWebSocketConnect(func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		if ev.QueryStringParameters["name"] == "mallory" {
			return events.APIGatewayProxyResponse{StatusCode: 403, Body: "go away"}, nil
		}
		mu.Lock()
		log = append(log, ev.RequestContext.RouteKey+" "+ev.RequestContext.EventType+" "+ev.QueryStringParameters["name"])
		mu.Unlock()
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	})
	a.OnWebSocketMessage(func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		ws := wsapi.FromEvent(ev)
		// No keep-alive: a spare connection would hold up shutdown 5 s.
		ws.HTTPClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		id := ev.RequestContext.ConnectionID
		if ev.Body == "bye" {
			return events.APIGatewayProxyResponse{StatusCode: 200}, ws.Close(ctx, id)
		}
		info, err := ws.Info(ctx, id)
		if err != nil {
			return events.APIGatewayProxyResponse{}, err
		}
		return events.APIGatewayProxyResponse{StatusCode: 200}, ws.Send(ctx, id, []byte("echo "+ev.Body+" from "+info.Identity.SourceIP))
	})
	a.OnWebSocketDisconnect(func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		mu.Lock()
		log = append(log, ev.RequestContext.RouteKey+" "+ev.RequestContext.EventType)
		mu.Unlock()
		close(disconnected)
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, ln, "dev", func(string) string { return "" }) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	addr := ln.Addr().String()

	if _, resp := dialWS(t, addr, "?name=mallory"); resp.StatusCode != 403 {
		t.Errorf("refused connect: status %d", resp.StatusCode)
	}

	c, resp := dialWS(t, addr, "?name=ann")
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("upgrade: %d %s", resp.StatusCode, body)
	}
	c.send(t, "hello")
	got, err := c.receive(t)
	if err != nil || got != "echo hello from 127.0.0.1" {
		t.Fatalf("received %q, %v", got, err)
	}
	c.send(t, "bye")
	if got, err := c.receive(t); err != errClosed {
		t.Fatalf("after bye: %q, %v; want the server's close", got, err)
	}
	_ = writeFrame(c.conn, opClose, []byte{0x03, 0xe8}, []byte{1, 2, 3, 4})
	<-disconnected
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(log, "|") != "$connect CONNECT ann|$disconnect DISCONNECT" {
		t.Errorf("handler calls %q", log)
	}
}
