// Package apptest is an in-process test client for gochalice apps, like
// Chalice's chalice.test.Client. HTTP requests go through the same API
// Gateway event adapter that serves them on Lambda (not just the router):
// the client matches the request to a route as API Gateway does, builds the
// proxy event, invokes the app's API handler with its JSON and turns the
// response event back into an *http.Response. Routes' authorizers and API
// keys are applied in app's local mode (see package app). Event handlers
// are invoked with generated events, filled in as AWS fills them (ids,
// ARNs built from the sources' names for account 123456789012 in
// us-east-1, sequence numbers, times):
//
//	c := apptest.New(a)
//	resp, err := c.HTTPClient().Get("/donors/42")
//	out, err := c.DynamoDB(ctx, "handle_stream", apptest.Insert(donor, apptest.WithKeys("id")))
//	resp, err := c.SQS(ctx, "worker", apptest.Message(`{"job":1}`))
//	err = c.SNS(ctx, "alerts", apptest.Notification("subject", "message"))
//	err = c.S3(ctx, "photos", apptest.ObjectCreated("img/a.jpg", 1024))
//	resp, err := c.Kinesis(ctx, "clicks", apptest.Record("user-1", data))
//	err = c.Schedule(ctx, "nightly")
//	err = c.Event(ctx, "on_donation", "Donation Made", "savealife", detail)
//
// A request no route takes gets API Gateway's own answer without invoking
// the app, the same as under gochalice local (one implementation, the
// module's internal/apigw): a REST API answers an unknown path, and a
// method its resource does not have, with 403 {"message":"Missing
// Authentication Token"}; an HTTP API (WithHTTPAPI, or a stage whose
// api_gateway_type is HTTP) with 404 {"message":"Not Found"}.
//
// WithStage runs handlers with the stage's environment variables from
// .chalice/config.json, like Chalice's Client(app, stage_name=...), and
// Lambda returns a LambdaFunction's result:
//
//	c := apptest.New(a, apptest.WithStage("dev"))
//	var r Report
//	raw, err := c.Lambda(ctx, "report", req, &r)
//
// SampleEvent and SampleEventOf make a deterministic sample event of any
// kind for a function, as gochalice invoke --local --event does.
package apptest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/internal/apigw"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// Client invokes an app's functions in-process.
type Client struct {
	app      *app.App
	manifest *manifest.Manifest
	stage    string
	httpAPI  bool
	claims   map[string]string
	region   string
	account  string
	iamARN   string

	// stageName, config and stageErr are WithStage's stage, its project's
	// configuration (nil when none was found) and why it cannot be used.
	stageName string
	config    *stages.Config
	stageErr  error

	mu  sync.Mutex
	seq int
	ws  *wsServer // WebSocket's server, started by its first call
}

// Option configures a Client.
type Option func(*Client)

// WithStage runs the app as the named stage of its project, like
// Chalice's Client(app, stage_name=...): the project's
// .chalice/config.json, found from the test's working directory upward as
// the CLI finds it, gives each function's environment variables (set for
// the duration of each call to that function, then restored), the API
// Gateway stage name in events (api_gateway_stage) and the API type
// (api_gateway_type HTTP sends HTTP API events). A configuration that does
// not load or has no such stage fails every call with the error naming
// file, key and fix. Without a .chalice/config.json above the test, stage
// only names the API Gateway stage in events (default "api").
//
// Environment variables are process-wide: calls of clients with a stage
// are serialized, and the test must not be parallel with others that read
// the same variables.
func WithStage(stage string) Option {
	return func(c *Client) { c.stage, c.stageName = stage, stage }
}

// WithHTTPAPI sends HTTP API (payload 2.0) events instead of REST API
// proxy events.
func WithHTTPAPI() Option { return func(c *Client) { c.httpAPI = true } }

// WithClaims sets authorizer claims on every request (REST:
// requestContext.authorizer.claims, as a Cognito authorizer sends; HTTP
// API: requestContext.authorizer.jwt.claims).
func WithClaims(claims map[string]string) Option {
	return func(c *Client) { c.claims = claims }
}

// WithIAMIdentity sets the identity (an IAM user or role ARN) of callers
// of routes protected by app.IAMAuthorizer (default
// manifest.DefaultLocalIAMARN).
func WithIAMIdentity(arn string) Option { return func(c *Client) { c.iamARN = arn } }

// New returns a client for a. It closes a's registration, as serving does.
func New(a *app.App, opts ...Option) *Client {
	c := &Client{app: a, manifest: a.Manifest(), stage: "api", region: "us-east-1", account: "123456789012"}
	for _, o := range opts {
		o(c)
	}
	if c.stageName != "" {
		c.loadStage()
	}
	return c
}

// HTTPClient returns an *http.Client whose requests go through the API
// Gateway adapter. Relative URLs ("/donors/42") are fine; the host is
// ignored.
func (c *Client) HTTPClient() *http.Client {
	return &http.Client{Transport: c}
}

// api is the type of API the client emulates.
func (c *Client) api() apigw.API {
	if c.httpAPI {
		return apigw.HTTP
	}
	return apigw.REST
}

// RoundTrip serves req as API Gateway and Lambda would. A request that
// matches no route is answered as API Gateway answers it, without invoking
// the app: a REST API with 403 {"message":"Missing Authentication Token"},
// an HTTP API (WithHTTPAPI) with 404 {"message":"Not Found"}. A route's authorizer
// and API key requirement are applied in local mode, as gochalice local
// applies them (see package app): custom authorizers run, Cognito tokens
// are decoded without checking their signature, IAM requests need a SigV4
// Authorization header; the caller's identity reaches the handler in the
// event's request context.
func (c *Client) RoundTrip(req *http.Request) (*http.Response, error) {
	if c.stageErr != nil {
		return nil, c.stageErr
	}
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("apptest: read request body: %w", err)
		}
		body = b
	}
	rt, params, ok := apigw.Match(c.manifest.Routes, req.Method, req.URL.EscapedPath())
	if !ok {
		ans := apigw.Unmatched(c.api())
		return c.response(req, ans.Status, ans.Header(c.requestID()), []byte(ans.Body)), nil
	}
	resource := rt.Path
	auth := apigw.Authorize(req, rt, params, apigw.Config{
		Stage: c.stage, APIID: "apptest", Region: c.region, Account: c.account, IAMARN: c.iamARN,
		Authorizers: c.manifest.Authorizers, Invoke: c.invoke, Logger: c.app.Logger,
	})
	if auth.Refused() {
		ans := apigw.Answer{Status: auth.Status, ErrorType: auth.ErrorType, Body: auth.Body}
		return c.response(req, ans.Status, ans.Header(c.requestID()), []byte(ans.Body)), nil
	}
	var payload []byte
	var err error
	if c.httpAPI {
		payload, err = json.Marshal(c.v2Event(req, resource, params, body, &auth))
	} else {
		payload, err = json.Marshal(c.v1Event(req, resource, params, body, &auth))
	}
	if err != nil {
		return nil, fmt.Errorf("apptest: encode event: %w", err)
	}
	out, err := c.invoke(req.Context(), manifest.APIHandlerName, payload)
	if err != nil {
		// Lambda answers API Gateway with an error; API Gateway answers 502.
		return c.response(req, http.StatusBadGateway, http.Header{"Content-Type": {"application/json"}},
			[]byte(`{"message": "Internal server error"}`)), nil
	}
	if c.httpAPI {
		var resp events.APIGatewayV2HTTPResponse
		if err := json.Unmarshal(out, &resp); err != nil {
			return nil, fmt.Errorf("apptest: decode response: %w", err)
		}
		h := http.Header{}
		for k, v := range resp.Headers {
			h.Set(k, v)
		}
		for _, ck := range resp.Cookies {
			h.Add("Set-Cookie", ck)
		}
		b, err := responseBody(resp.Body, resp.IsBase64Encoded)
		if err != nil {
			return nil, err
		}
		return c.response(req, resp.StatusCode, h, b), nil
	}
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		return nil, fmt.Errorf("apptest: decode response: %w", err)
	}
	h := http.Header{}
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		h[http.CanonicalHeaderKey(k)] = vs
	}
	b, err := responseBody(resp.Body, resp.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	return c.response(req, resp.StatusCode, h, b), nil
}

func responseBody(body string, b64 bool) ([]byte, error) {
	if !b64 {
		return []byte(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, fmt.Errorf("apptest: response is marked base64 but does not decode: %w", err)
	}
	return b, nil
}

func (c *Client) response(req *http.Request, status int, h http.Header, body []byte) *http.Response {
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", status, http.StatusText(status)),
		StatusCode:    status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

func (c *Client) requestID() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return fmt.Sprintf("apptest-%08d", c.seq)
}

func (c *Client) isBinary(contentType string) bool {
	mt := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return mt != "" && slices.Contains(c.manifest.BinaryTypes, mt)
}

func (c *Client) v1Event(req *http.Request, resource string, params map[string]string, body []byte, auth *apigw.Auth) *events.APIGatewayProxyRequest {
	headers := map[string]string{}
	multi := map[string][]string{}
	for k, vs := range req.Header {
		headers[k] = vs[len(vs)-1]
		multi[k] = vs
	}
	if req.Host != "" {
		headers["Host"] = req.Host
		multi["Host"] = []string{req.Host}
	}
	var query map[string]string
	var multiQuery map[string][]string
	if q := req.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			query[k] = vs[len(vs)-1]
			multiQuery[k] = vs
		}
	}
	if len(params) == 0 {
		params = nil
	}
	ev := &events.APIGatewayProxyRequest{
		Resource:                        resource,
		Path:                            req.URL.Path,
		HTTPMethod:                      req.Method,
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  params,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:    c.account,
			ResourceID:   "apptest",
			Stage:        c.stage,
			RequestID:    c.requestID(),
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: req.UserAgent()},
			ResourcePath: resource,
			Path:         "/" + c.stage + req.URL.Path,
			HTTPMethod:   req.Method,
			APIID:        "apptest",
			DomainName:   "apptest.execute-api." + c.region + ".amazonaws.com",
			RequestTime:  time.Now().UTC().Format("02/Jan/2006:15:04:05 -0700"),
		},
	}
	if c.claims != nil {
		claims := map[string]any{}
		for k, v := range c.claims {
			claims[k] = v
		}
		ev.RequestContext.Authorizer = map[string]any{"claims": claims}
	}
	auth.ApplyProxy(&ev.RequestContext)
	if len(body) > 0 {
		if c.isBinary(req.Header.Get("Content-Type")) {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		} else {
			ev.Body = string(body)
		}
	}
	return ev
}

func (c *Client) v2Event(req *http.Request, resource string, params map[string]string, body []byte, auth *apigw.Auth) *events.APIGatewayV2HTTPRequest {
	headers := map[string]string{}
	var cookies []string
	for k, vs := range req.Header {
		if k == "Cookie" {
			for _, v := range vs {
				for _, ck := range strings.Split(v, ";") {
					if ck = strings.TrimSpace(ck); ck != "" {
						cookies = append(cookies, ck)
					}
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if req.Host != "" {
		headers["host"] = req.Host
	}
	if len(params) == 0 {
		params = nil
	}
	now := time.Now().UTC()
	ev := &events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       req.Method + " " + resource,
		RawPath:        "/" + c.stage + req.URL.EscapedPath(),
		RawQueryString: req.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		PathParameters: params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   req.Method + " " + resource,
			AccountID:  c.account,
			Stage:      c.stage,
			RequestID:  c.requestID(),
			APIID:      "apptest",
			DomainName: "apptest.execute-api." + c.region + ".amazonaws.com",
			Time:       now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    req.Method,
				Path:      "/" + c.stage + req.URL.Path,
				Protocol:  "HTTP/1.1",
				SourceIP:  "127.0.0.1",
				UserAgent: req.UserAgent(),
			},
		},
	}
	if len(req.URL.Query()) > 0 {
		ev.QueryStringParameters = map[string]string{}
		for k, vs := range req.URL.Query() {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if c.claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: c.claims},
		}
	}
	auth.ApplyV2(&ev.RequestContext)
	if len(body) > 0 {
		if c.isBinary(req.Header.Get("Content-Type")) {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		} else {
			ev.Body = string(body)
		}
	}
	return ev
}

// Invoke runs the named function with payload encoded as JSON and returns
// its JSON result, as a direct Lambda invocation does.
func (c *Client) Invoke(ctx context.Context, name string, payload any) (json.RawMessage, error) {
	in, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("apptest: encode payload: %w", err)
	}
	out, err := c.invoke(ctx, name, in)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(out), nil
}

// DynamoDB invokes the named DynamoDB stream function with one event
// holding records (see Insert, Modify, Remove). It fills in what Lambda
// fills in: event ids, increasing sequence numbers, the region and the
// function's stream ARN. It returns the handler's batch response (empty for
// handlers registered with OnDynamoDBRecord).
func (c *Client) DynamoDB(ctx context.Context, name string, records ...events.DynamoDBEventRecord) (events.DynamoDBEventResponse, error) {
	fn, ok := c.manifest.Function(name)
	if !ok || fn.DynamoDBStream == nil {
		return events.DynamoDBEventResponse{}, fmt.Errorf("apptest: %q is not a DynamoDB stream function of app %s", name, c.manifest.AppName)
	}
	ev := c.filler().dynamoDB(fn, records)
	out, err := c.Invoke(ctx, name, ev)
	if err != nil {
		return events.DynamoDBEventResponse{}, err
	}
	var resp events.DynamoDBEventResponse
	if string(out) != "null" {
		if err := json.Unmarshal(out, &resp); err != nil {
			return resp, fmt.Errorf("apptest: decode batch response: %w", err)
		}
	}
	return resp, nil
}
