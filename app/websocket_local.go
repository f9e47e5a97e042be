package app

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha1" //nolint:gosec // RFC 6455's handshake uses SHA-1; not a security use.
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// Local WebSocket API (gochalice local, App.Serve): the local server
// accepts WebSocket upgrades at WebSocketPath, runs the connect, message
// and disconnect handlers as API Gateway would, and serves the Management
// API (POST, DELETE and GET {stage}/@connections/{id}) so that app/wsapi
// sends to local connections: the events name the local server as their
// domain, which wsapi.FromEvent turns into an http:// endpoint.

// WebSocketPath is where the local server accepts WebSocket connections:
// ws://127.0.0.1:8000/ws by default.
const WebSocketPath = "/ws"

// wsMaxMessage is API Gateway's limit on a WebSocket message (128 KiB).
const wsMaxMessage = 128 << 10

type wsHub struct {
	a     *App
	stage string
	mu    sync.Mutex
	conns map[string]*wsConn
}

type wsConn struct {
	id          string
	conn        net.Conn
	br          *bufio.Reader
	wmu         sync.Mutex
	connectedAt time.Time
	lastActive  time.Time // guarded by hub.mu
	sourceIP    string
	userAgent   string
	closeOnce   sync.Once
}

func (a *App) hasWebSocket() bool {
	for _, f := range a.functions {
		if f.kind.IsWebSocket() {
			return true
		}
	}
	return false
}

// withWebSocket serves the WebSocket API and its Management API in front
// of next when the app has WebSocket handlers.
func (a *App) withWebSocket(stage string, next http.Handler) http.Handler {
	if !a.hasWebSocket() {
		return next
	}
	h := &wsHub{a: a, stage: stage, conns: map[string]*wsConn{}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == WebSocketPath && strings.EqualFold(r.Header.Get("Upgrade"), "websocket") {
			h.upgrade(w, r)
			return
		}
		if _, id, ok := strings.Cut(r.URL.Path, "/@connections/"); ok && id != "" && !strings.Contains(id, "/") {
			h.manage(w, r, id)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (h *wsHub) event(c *wsConn, r *http.Request, route, typ string) events.APIGatewayWebsocketProxyRequest {
	now := time.Now()
	var ev events.APIGatewayWebsocketProxyRequest
	rc := &ev.RequestContext
	rc.RouteKey, rc.EventType, rc.ConnectionID = route, typ, c.id
	rc.Stage, rc.APIID, rc.DomainName = h.stage, "local", r.Host
	rc.RequestID = randomID(8)
	rc.ExtendedRequestID = rc.RequestID
	rc.ConnectedAt = c.connectedAt.UnixMilli()
	rc.RequestTimeEpoch = now.UnixMilli()
	rc.RequestTime = now.UTC().Format("02/Jan/2006:15:04:05 -0700")
	rc.MessageDirection = "IN"
	rc.Identity.SourceIP = c.sourceIP
	rc.Identity.UserAgent = c.userAgent
	return ev
}

// call runs the handler of route (the function named name) if registered.
func (h *wsHub) call(ctx context.Context, name string, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, bool, error) {
	if !h.a.names[name] {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, false, nil
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return events.APIGatewayProxyResponse{}, true, err
	}
	out, err := h.a.Invoke(ctx, name, payload)
	if err != nil {
		return events.APIGatewayProxyResponse{}, true, err
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return resp, true, err
	}
	return resp, true, nil
}

func (h *wsHub) upgrade(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if r.Method != http.MethodGet || key == "" || r.Header.Get("Sec-WebSocket-Version") != "13" ||
		!strings.Contains(strings.ToLower(r.Header.Get("Connection")), "upgrade") {
		http.Error(w, "bad WebSocket handshake", http.StatusBadRequest)
		return
	}
	ip, _, _ := net.SplitHostPort(r.RemoteAddr)
	c := &wsConn{id: randomID(12), connectedAt: time.Now(), sourceIP: ip, userAgent: r.UserAgent()}
	c.lastActive = c.connectedAt
	ev := h.event(c, r, "$connect", "CONNECT")
	ev.Headers = map[string]string{}
	ev.MultiValueHeaders = map[string][]string{}
	for k, v := range r.Header {
		ev.Headers[k] = strings.Join(v, ",")
		ev.MultiValueHeaders[k] = v
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		ev.MultiValueQueryStringParameters = q
		for k, v := range q {
			ev.QueryStringParameters[k] = v[len(v)-1]
		}
	}
	resp, _, err := h.call(r.Context(), WebSocketConnectName, ev)
	if err != nil {
		h.a.logger().Error("gochalice: WebSocket $connect handler failed", "error", err)
		http.Error(w, `{"message": "Internal server error"}`, http.StatusInternalServerError)
		return
	}
	if resp.StatusCode != 0 && resp.StatusCode/100 != 2 {
		// API Gateway refuses the connection with the handler's status.
		w.WriteHeader(resp.StatusCode)
		_, _ = io.WriteString(w, resp.Body)
		return
	}
	conn, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "WebSocket upgrade not supported here", http.StatusInternalServerError)
		return
	}
	// The connection is registered before the client hears 101, as API
	// Gateway's is: once the client has it, the app may post to the
	// connection (another client's message). Its write lock, held until
	// the 101 is out, keeps such a post behind the handshake's answer.
	c.conn, c.br = conn, brw.Reader
	c.wmu.Lock()
	h.mu.Lock()
	h.conns[c.id] = c
	h.mu.Unlock()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")) //nolint:gosec // RFC 6455
	_, _ = brw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
		base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
	err = brw.Flush()
	c.wmu.Unlock()
	if err != nil {
		h.mu.Lock()
		delete(h.conns, c.id)
		h.mu.Unlock()
		_ = conn.Close()
		return
	}
	go h.read(c, r.Host, r.UserAgent())
}

// read runs the message handler for each message of c until it closes,
// then the disconnect handler.
func (h *wsHub) read(c *wsConn, host, ua string) {
	req := &http.Request{Host: host, Header: http.Header{"User-Agent": {ua}}}
	ctx := context.Background()
	status, reason := int64(1005), ""
	for {
		op, data, err := readMessage(c.br, true, func(op byte, payload []byte) {
			switch op {
			case opPing:
				_ = c.write(opPong, payload)
			case opClose:
				if len(payload) >= 2 {
					status, reason = int64(binary.BigEndian.Uint16(payload)), string(payload[2:])
				}
			}
		})
		if err != nil {
			break
		}
		h.mu.Lock()
		c.lastActive = time.Now()
		h.mu.Unlock()
		ev := h.event(c, req, "$default", "MESSAGE")
		ev.RequestContext.MessageID = randomID(8)
		if op == opBinary {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(data), true
		} else {
			ev.Body = string(data)
		}
		if _, ok, err := h.call(ctx, WebSocketMessageName, ev); err != nil {
			h.a.logger().Error("gochalice: WebSocket $default handler failed", "connection", c.id, "error", err)
		} else if !ok {
			h.a.logger().Warn("gochalice: WebSocket message but no OnWebSocketMessage handler", "connection", c.id)
		}
	}
	h.drop(c, status)
	ev := h.event(c, req, "$disconnect", "DISCONNECT")
	ev.RequestContext.DisconnectStatusCode = status
	ev.RequestContext.DisconnectReason = &reason
	if _, _, err := h.call(ctx, WebSocketDisconnectName, ev); err != nil {
		h.a.logger().Error("gochalice: WebSocket $disconnect handler failed", "connection", c.id, "error", err)
	}
}

func (h *wsHub) drop(c *wsConn, status int64) {
	h.mu.Lock()
	delete(h.conns, c.id)
	h.mu.Unlock()
	c.closeOnce.Do(func() {
		var p [2]byte
		binary.BigEndian.PutUint16(p[:], uint16(status)) //nolint:gosec // a close code
		if status == 1005 {
			_ = c.write(opClose, nil)
		} else {
			_ = c.write(opClose, p[:])
		}
		_ = c.conn.Close()
	})
}

// manage serves the Management API for connection id.
func (h *wsHub) manage(w http.ResponseWriter, r *http.Request, id string) {
	h.mu.Lock()
	c := h.conns[id]
	var last time.Time
	if c != nil {
		last = c.lastActive
	}
	h.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if c == nil {
		w.WriteHeader(http.StatusGone)
		_, _ = io.WriteString(w, `{"message":"GoneException: connection `+strconv.Quote(id)+` does not exist"}`)
		return
	}
	switch r.Method {
	case http.MethodPost:
		data, err := io.ReadAll(io.LimitReader(r.Body, wsMaxMessage+1))
		if err != nil || len(data) > wsMaxMessage {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			_, _ = io.WriteString(w, `{"message":"PayloadTooLargeException: 128 KiB at most"}`)
			return
		}
		op := byte(opText)
		if !utf8.Valid(data) {
			op = opBinary
		}
		if err := c.write(op, data); err != nil {
			h.drop(c, 1006)
			w.WriteHeader(http.StatusGone)
			_, _ = io.WriteString(w, `{"message":"GoneException"}`)
		}
	case http.MethodDelete:
		// The client's close answer ends read, which runs $disconnect.
		c.closeOnce.Do(func() {
			_ = c.write(opClose, []byte{0x03, 0xe8}) // 1000
			go func() {
				time.Sleep(2 * time.Second)
				_ = c.conn.Close()
			}()
		})
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		_ = json.NewEncoder(w).Encode(map[string]any{
			"connectedAt":  c.connectedAt.UTC().Format(time.RFC3339Nano),
			"lastActiveAt": last.UTC().Format(time.RFC3339Nano),
			"identity":     map[string]string{"sourceIp": c.sourceIP, "userAgent": c.userAgent},
		})
	default:
		w.Header().Set("Allow", "POST, DELETE, GET")
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

func (c *wsConn) write(op byte, data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return writeFrame(c.conn, op, data, nil)
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b) + "="
}

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

var errClosed = errors.New("websocket closed")

// readMessage reads one data message, reassembling fragments; control
// frames in between go to control, and a close frame ends with errClosed.
// masked says the peer must mask its frames (a client does).
func readMessage(r *bufio.Reader, masked bool, control func(op byte, payload []byte)) (byte, []byte, error) {
	var msgOp byte
	var msg []byte
	for {
		fin, op, payload, err := readFrame(r, masked)
		if err != nil {
			return 0, nil, err
		}
		if op >= opClose {
			control(op, payload)
			if op == opClose {
				return 0, nil, errClosed
			}
			continue
		}
		if op != opContinuation {
			msgOp, msg = op, nil
		}
		msg = append(msg, payload...)
		if len(msg) > wsMaxMessage {
			return 0, nil, fmt.Errorf("message over %d bytes", wsMaxMessage)
		}
		if fin {
			return msgOp, msg, nil
		}
	}
}

func readFrame(r *bufio.Reader, masked bool) (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(r, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0f
	if (h[1]&0x80 != 0) != masked {
		return false, 0, nil, errors.New("websocket: wrong masking")
	}
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
	if n > wsMaxMessage {
		return false, 0, nil, fmt.Errorf("websocket: frame of %d bytes", n)
	}
	var key [4]byte
	if masked {
		if _, err = io.ReadFull(r, key[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(r, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= key[i%4]
		}
	}
	return fin, op, payload, nil
}

// writeFrame writes one final frame, masked with key when key is not nil
// (a client's frames).
func writeFrame(w io.Writer, op byte, data []byte, key []byte) error {
	buf := make([]byte, 0, len(data)+14)
	buf = append(buf, 0x80|op)
	maskBit := byte(0)
	if key != nil {
		maskBit = 0x80
	}
	switch n := len(data); {
	case n < 126:
		buf = append(buf, maskBit|byte(n))
	case n <= 0xffff:
		buf = append(buf, maskBit|126, byte(n>>8), byte(n))
	default:
		buf = append(buf, maskBit|127)
		buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	}
	if key != nil {
		buf = append(buf, key[:4]...)
		for i, b := range data {
			buf = append(buf, b^key[i%4])
		}
	} else {
		buf = append(buf, data...)
	}
	_, err := w.Write(buf)
	return err
}
