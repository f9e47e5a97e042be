package apptest

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gochalice/gochalice/app"
)

// wsServer is the app served as gochalice local serves it, for WebSocket
// connections: on 127.0.0.1, a port of its own.
type wsServer struct {
	addr  string
	stop  context.CancelFunc
	done  chan error
	conns []*WebSocketConn // guarded by the Client's mu
}

// WebSocket connects to the app's WebSocket API as gochalice local serves
// it, over a real connection to 127.0.0.1: the app's OnWebSocketConnect
// handler runs first (a connection it refuses is a *RefusedError with the
// handler's status), each Send runs OnWebSocketMessage, what the app
// posts to the connection with app/wsapi (wsapi.FromEvent(ev).Send)
// arrives for Receive, and Close runs OnWebSocketDisconnect. Connections
// of one Client share one API, so the app can post from one to another (a
// chat). The first call starts the server; Client.Close stops it.
//
// Events carry the Client's stage (WithStage, default "api"); the stage's
// environment variables are not set around these handlers, unlike
// Invoke's.
func (c *Client) WebSocket(ctx context.Context) (*WebSocketConn, error) {
	srv, err := c.wsServer()
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", srv.addr)
	if err != nil {
		return nil, err
	}
	if deadline, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(deadline)
	}
	var key [16]byte
	_, _ = rand.Read(key[:])
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\nUser-Agent: gochalice-apptest\r\n\r\n",
		app.WebSocketPath, srv.addr, base64.StdEncoding.EncodeToString(key[:]))
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("WebSocket handshake: %w", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		body, _ := io.ReadAll(resp.Body)
		_ = conn.Close()
		return nil, &RefusedError{StatusCode: resp.StatusCode, Body: string(body)}
	}
	_ = conn.SetDeadline(time.Time{})
	w := &WebSocketConn{conn: conn, br: br}
	c.mu.Lock()
	srv.conns = append(srv.conns, w)
	c.mu.Unlock()
	return w, nil
}

func (c *Client) wsServer() (*wsServer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ws != nil {
		return c.ws, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	srv := &wsServer{addr: ln.Addr().String(), stop: stop, done: make(chan error, 1)}
	go func() { srv.done <- c.app.Serve(ctx, ln, c.stage) }()
	c.ws = srv
	return srv, nil
}

// Close drops the WebSocket connections still open (the app's disconnect
// handler runs for each) and stops the server that WebSocket started; it
// does nothing when WebSocket was not called.
func (c *Client) Close() error {
	c.mu.Lock()
	srv := c.ws
	c.ws = nil
	c.mu.Unlock()
	if srv == nil {
		return nil
	}
	for _, w := range srv.conns {
		_ = w.conn.Close()
	}
	srv.stop()
	return <-srv.done
}

// RefusedError is a WebSocket connection the app's connect handler
// refused, with the status and body of its answer.
type RefusedError struct {
	StatusCode int
	Body       string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("WebSocket connection refused: %d %s", e.StatusCode, e.Body)
}

// WebSocketConn is a client's connection to the app's WebSocket API.
type WebSocketConn struct {
	conn net.Conn
	br   *bufio.Reader
	wmu  sync.Mutex
	rmu  sync.Mutex
}

// ErrWebSocketClosed is Receive's error once the app has closed the
// connection (wsapi's Close).
var ErrWebSocketClosed = errors.New("apptest: WebSocket connection closed")

// Send sends a text message, which runs the app's OnWebSocketMessage
// handler.
func (w *WebSocketConn) Send(ctx context.Context, message []byte) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if deadline, ok := ctx.Deadline(); ok {
		_ = w.conn.SetWriteDeadline(deadline)
		defer func() { _ = w.conn.SetWriteDeadline(time.Time{}) }()
	}
	return writeClientFrame(w.conn, 0x1, message)
}

// Receive returns the next message the app posted to the connection; it
// waits until one comes, ctx is done, or the connection closes
// (ErrWebSocketClosed).
func (w *WebSocketConn) Receive(ctx context.Context) ([]byte, error) {
	w.rmu.Lock()
	defer w.rmu.Unlock()
	stop := context.AfterFunc(ctx, func() { _ = w.conn.SetReadDeadline(time.Now()) })
	defer func() {
		if !stop() {
			_ = w.conn.SetReadDeadline(time.Time{})
		}
	}()
	var msg []byte
	for {
		fin, op, payload, err := readServerFrame(w.br)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, err
		}
		switch op {
		case 0x8: // close
			return nil, ErrWebSocketClosed
		case 0x9: // ping
			w.wmu.Lock()
			err := writeClientFrame(w.conn, 0xa, payload)
			w.wmu.Unlock()
			if err != nil {
				return nil, err
			}
			continue
		case 0xa: // pong
			continue
		}
		msg = append(msg, payload...)
		if fin {
			return msg, nil
		}
	}
}

// Close closes the connection as a client would (close code 1000), which
// runs the app's OnWebSocketDisconnect handler.
func (w *WebSocketConn) Close() error {
	w.wmu.Lock()
	err := writeClientFrame(w.conn, 0x8, []byte{0x03, 0xe8})
	w.wmu.Unlock()
	// The server answers the close and drops the connection.
	_ = w.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, _ = io.Copy(io.Discard, w.br)
	return errors.Join(err, w.conn.Close())
}

// writeClientFrame writes one final frame, masked as a client's must be.
func writeClientFrame(wr io.Writer, op byte, data []byte) error {
	buf := []byte{0x80 | op}
	switch n := len(data); {
	case n < 126:
		buf = append(buf, 0x80|byte(n))
	case n <= 0xffff:
		buf = append(buf, 0x80|126, byte(n>>8), byte(n))
	default:
		buf = append(buf, 0x80|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	var key [4]byte
	_, _ = rand.Read(key[:])
	buf = append(buf, key[:]...)
	for i, b := range data {
		buf = append(buf, b^key[i%4])
	}
	_, err := wr.Write(buf)
	return err
}

// readServerFrame reads one unmasked frame.
func readServerFrame(r *bufio.Reader) (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0f
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(r, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return false, 0, nil, fmt.Errorf("WebSocket frame of %d bytes", n)
	}
	payload = make([]byte, n)
	_, err = io.ReadFull(r, payload)
	return fin, op, payload, err
}
