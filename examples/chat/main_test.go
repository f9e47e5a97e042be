package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app/wsapi"
)

type fakeSender struct {
	mu   sync.Mutex
	sent []string
	gone map[string]bool
}

func (f *fakeSender) Send(_ context.Context, id string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.gone[id] {
		return &wsapi.Error{Op: "Send", ConnectionID: id, StatusCode: 410}
	}
	f.sent = append(f.sent, id+" <- "+string(data))
	return nil
}

func wsEvent(id, body string) events.APIGatewayWebsocketProxyRequest {
	var ev events.APIGatewayWebsocketProxyRequest
	ev.RequestContext.ConnectionID = id
	ev.Body = body
	return ev
}

func TestChatRoom(t *testing.T) {
	f := &fakeSender{gone: map[string]bool{}}
	c := NewChat(func(events.APIGatewayWebsocketProxyRequest) Sender { return f })
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		if _, err := c.Connect(ctx, wsEvent(id, "")); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct{ id, body string }{{"a", "/nick ann"}, {"b", "hi"}, {"a", "/who"}, {"a", "/nick "}}
	for _, s := range steps {
		if _, err := c.Message(ctx, wsEvent(s.id, s.body)); err != nil {
			t.Fatal(err)
		}
	}
	f.gone["c"] = true
	_, _ = c.Message(ctx, wsEvent("a", "still here?"))
	_, _ = c.Disconnect(ctx, wsEvent("b", ""))
	want := []string{
		"a <- * guest-1 is now ann", "b <- * guest-1 is now ann", "c <- * guest-1 is now ann",
		"a <- guest-2: hi", "b <- guest-2: hi", "c <- guest-2: hi",
		"a <- * here: ann, guest-2, guest-3",
		"a <- ! a nickname is 1-32 characters",
		"a <- ann: still here?", "b <- ann: still here?",
		"a <- * guest-2 left",
	}
	if got := strings.Join(f.sent, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("sent\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
}

// TestChatOverLocalWebSockets runs the app as gochalice local does and
// chats over real WebSocket connections: the handlers answer through
// wsapi, which the local server serves.
func TestChatOverLocalWebSockets(t *testing.T) {
	// No keep-alive: a spare connection the transport dials but never
	// uses would hold up the server's shutdown for 5 s (net/http treats
	// a new connection as busy that long).
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	a := newApp(NewChat(func(ev events.APIGatewayWebsocketProxyRequest) Sender {
		c := wsapi.FromEvent(ev)
		c.HTTPClient = hc
		return c
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln, "dev") }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	addr := ln.Addr().String()
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `new WebSocket("ws://" + location.host + "/ws")`) {
		t.Fatalf("GET / = %d %.80s", resp.StatusCode, body)
	}
	ann, bob := dial(t, addr), dial(t, addr)
	ann.send(t, "/nick ann")
	for _, c := range []*client{ann, bob} {
		if got := c.receive(t); got != "* guest-1 is now ann" {
			t.Fatalf("received %q", got)
		}
	}
	bob.send(t, "hello ann")
	for _, c := range []*client{ann, bob} {
		if got := c.receive(t); got != "guest-2: hello ann" {
			t.Fatalf("received %q", got)
		}
	}
}

// client is a minimal WebSocket client (RFC 6455: text frames, masked).
type client struct {
	conn net.Conn
	br   *bufio.Reader
}

func dial(t *testing.T, addr string) *client {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef"))
	fmt.Fprintf(conn, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", addr, key)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade: %v %v", resp, err)
	}
	return &client{conn: conn, br: br}
}

func (c *client) send(t *testing.T, msg string) {
	t.Helper()
	if len(msg) > 125 {
		t.Fatal("test client sends short messages only")
	}
	frame := []byte{0x81, 0x80 | byte(len(msg)), 0, 0, 0, 0} // zero mask key
	if _, err := c.conn.Write(append(frame, msg...)); err != nil {
		t.Fatal(err)
	}
}

func (c *client) receive(t *testing.T) string {
	t.Helper()
	// A message that never comes fails the test instead of hanging it.
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		t.Fatal(err)
	}
	n := int(h[1] & 0x7f)
	if n == 126 {
		var b [2]byte
		_, _ = io.ReadFull(c.br, b[:])
		n = int(binary.BigEndian.Uint16(b[:]))
	}
	data := make([]byte, n)
	if _, err := io.ReadFull(c.br, data); err != nil {
		t.Fatal(err)
	}
	return string(data)
}
