// Package wsapi posts to, closes and describes the connections of an API
// Gateway WebSocket API (the API Gateway Management API), Chalice's
// websocket_api.send, close and info. A handler makes a client from the
// event it handles:
//
//	func onMessage(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
//		ws := wsapi.FromEvent(ev)
//		err := ws.Send(ctx, ev.RequestContext.ConnectionID, []byte("hello"))
//		...
//	}
//
// The package is separate from app so that apps without WebSockets do not
// link it. It uses only the standard library: requests are signed with
// Signature Version 4 using the credentials Lambda gives the function in
// its environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_REGION). The function's role needs
// execute-api:ManageConnections on the API's @connections, which the
// deployer grants to the functions of an app with a WebSocket API.
//
// Under gochalice local, the events carry the local server's address and
// requests go to it (unsigned when no credentials are set).
package wsapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// EnvEndpoint, when set, overrides the endpoint FromEvent derives from the
// event (gochalice local and apptest set it to their own server).
const EnvEndpoint = "GOCHALICE_WEBSOCKET_ENDPOINT"

// Client calls the Management API of one WebSocket API stage.
type Client struct {
	// Endpoint is "https://{domain}/{stage}" (or the local server's URL).
	Endpoint string
	// Region signs requests; "" takes AWS_REGION.
	Region string
	// HTTPClient sends requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Credentials sign requests; nil takes them from the environment at
	// each call, and sends unsigned requests when it has none.
	Credentials func() (Credentials, bool)
	// now is the signing time; nil means time.Now (tests set it).
	now func() time.Time
}

// Credentials are AWS credentials.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
}

// EnvCredentials returns the credentials in the environment, as Lambda
// sets them.
func EnvCredentials() (Credentials, bool) {
	c := Credentials{
		AccessKeyID:     os.Getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: os.Getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    os.Getenv("AWS_SESSION_TOKEN"),
	}
	return c, c.AccessKeyID != "" && c.SecretAccessKey != ""
}

// New returns a client of the Management API at endpoint,
// "https://{api-id}.execute-api.{region}.amazonaws.com/{stage}" or a
// custom domain's "https://{domain}/{base path}".
func New(endpoint string) *Client {
	return &Client{Endpoint: strings.TrimSuffix(endpoint, "/")}
}

// FromEvent returns a client for the API and stage that sent ev:
// https://{domainName}/{stage} from its request context, or the value of
// EnvEndpoint when set.
func FromEvent(ev events.APIGatewayWebsocketProxyRequest) *Client {
	if e := os.Getenv(EnvEndpoint); e != "" {
		return New(e)
	}
	return New(Endpoint(ev))
}

// Endpoint returns the Management API endpoint of the API and stage that
// sent ev: https://{domainName}/{stage}, or http:// for the local server
// (a domain of 127.0.0.1, [::1] or localhost).
func Endpoint(ev events.APIGatewayWebsocketProxyRequest) string {
	scheme := "https://"
	host := ev.RequestContext.DomainName
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "127.0.0.1" || host == "::1" || host == "localhost" {
		scheme = "http://"
	}
	return scheme + ev.RequestContext.DomainName + "/" + ev.RequestContext.Stage
}

// Error is an error answer of the Management API.
type Error struct {
	Op           string // Send, Close or Info
	ConnectionID string
	StatusCode   int
	Message      string
}

func (e *Error) Error() string {
	return fmt.Sprintf("wsapi: %s %s: %d %s", e.Op, e.ConnectionID, e.StatusCode, e.Message)
}

// ErrGone is matched (errors.Is) by the error of a call on a connection
// that no longer exists (410 GoneException): the client disconnected.
var ErrGone = errors.New("wsapi: connection gone")

// Is makes errors.Is(err, ErrGone) true for a 410 answer.
func (e *Error) Is(target error) bool { return target == ErrGone && e.StatusCode == http.StatusGone }

// Send posts data to the connection (PostToConnection).
func (c *Client) Send(ctx context.Context, connectionID string, data []byte) error {
	_, err := c.do(ctx, "Send", http.MethodPost, connectionID, data)
	return err
}

// Close disconnects the connection (DeleteConnection).
func (c *Client) Close(ctx context.Context, connectionID string) error {
	_, err := c.do(ctx, "Close", http.MethodDelete, connectionID, nil)
	return err
}

// Info describes a connection (GetConnection).
type Info struct {
	ConnectedAt  time.Time `json:"connectedAt"`
	LastActiveAt time.Time `json:"lastActiveAt"`
	Identity     struct {
		SourceIP  string `json:"sourceIp"`
		UserAgent string `json:"userAgent"`
	} `json:"identity"`
}

// Info describes the connection (GetConnection).
func (c *Client) Info(ctx context.Context, connectionID string) (*Info, error) {
	body, err := c.do(ctx, "Info", http.MethodGet, connectionID, nil)
	if err != nil {
		return nil, err
	}
	var info Info
	if err := json.Unmarshal(body, &info); err != nil {
		return nil, fmt.Errorf("wsapi: Info %s: decode answer: %w", connectionID, err)
	}
	return &info, nil
}

// ConnectionPath returns the path of a connection under the endpoint,
// "/@connections/{id}" with the id escaped.
func ConnectionPath(connectionID string) string {
	return "/@connections/" + escape(connectionID, false)
}

func (c *Client) do(ctx context.Context, op, method, connectionID string, data []byte) ([]byte, error) {
	if connectionID == "" {
		return nil, fmt.Errorf("wsapi: %s: empty connection id", op)
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("wsapi: %s: endpoint %q is not a URL like https://{domain}/{stage}", op, c.Endpoint)
	}
	raw := strings.TrimSuffix(u.EscapedPath(), "/") + ConnectionPath(connectionID)
	u.RawPath = raw
	u.Path, _ = url.PathUnescape(raw)
	var body io.Reader
	if data != nil {
		body = strings.NewReader(string(data))
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("wsapi: %s: %w", op, err)
	}
	creds := c.Credentials
	if creds == nil {
		creds = EnvCredentials
	}
	if cr, ok := creds(); ok {
		region := c.Region
		if region == "" {
			region = os.Getenv("AWS_REGION")
		}
		now := time.Now
		if c.now != nil {
			now = c.now
		}
		sign(req, data, cr, region, "execute-api", now().UTC())
	}
	hc := c.HTTPClient
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("wsapi: %s %s: %w", op, connectionID, err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("wsapi: %s %s: %w", op, connectionID, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct {
			Message string `json:"message"`
		}
		msg := strings.TrimSpace(string(answer))
		if json.Unmarshal(answer, &e) == nil && e.Message != "" {
			msg = e.Message
		}
		return nil, &Error{Op: op, ConnectionID: connectionID, StatusCode: resp.StatusCode, Message: msg}
	}
	return answer, nil
}
