package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// The API handler receives API Gateway events: REST API (and HTTP API
// payload 1.0) proxy events, or HTTP API payload 2.0 events. Both become an
// *http.Request served by Handler, and the response becomes the event's
// response. The original event stays reachable from the handler through
// ProxyRequest, V2HTTPRequest and Context.

type eventKey struct{}

type localKey struct{}

// RequestContext is what API Gateway knows about a request, the same for
// REST and HTTP APIs, and filled in by the local server as well.
type RequestContext struct {
	// Stage is the API Gateway stage ("api"), or the gochalice stage when
	// running locally.
	Stage string
	// RequestID is API Gateway's request id.
	RequestID string
	// APIID is the API's id ("local" locally).
	APIID string
	// SourceIP is the client's address as API Gateway saw it.
	SourceIP string
	// Claims are the authorizer's JWT / Cognito claims, when there are
	// any.
	Claims map[string]string
	// Authorizer is the raw authorizer context (v1: requestContext.authorizer;
	// v2: requestContext.authorizer.lambda).
	Authorizer map[string]any
	// PrincipalID is a custom authorizer's principal id.
	PrincipalID string
	// UserARN is the caller's IAM identity on a route with the IAM
	// authorizer.
	UserARN string
}

// Context returns the API Gateway request context of a request served by
// the app. It returns the zero RequestContext for a request that did not
// come through API Gateway or the local server.
func Context(r *http.Request) RequestContext {
	switch ev := r.Context().Value(eventKey{}).(type) {
	case *events.APIGatewayProxyRequest:
		rc := RequestContext{
			Stage:      ev.RequestContext.Stage,
			RequestID:  ev.RequestContext.RequestID,
			APIID:      ev.RequestContext.APIID,
			SourceIP:   ev.RequestContext.Identity.SourceIP,
			Authorizer: ev.RequestContext.Authorizer,
			UserARN:    ev.RequestContext.Identity.UserArn,
		}
		if p, ok := ev.RequestContext.Authorizer["principalId"].(string); ok {
			rc.PrincipalID = p
		}
		if claims, ok := ev.RequestContext.Authorizer["claims"].(map[string]any); ok {
			rc.Claims = make(map[string]string, len(claims))
			for k, v := range claims {
				rc.Claims[k] = fmt.Sprint(v)
			}
		}
		return rc
	case *events.APIGatewayV2HTTPRequest:
		rc := RequestContext{
			Stage:     ev.RequestContext.Stage,
			RequestID: ev.RequestContext.RequestID,
			APIID:     ev.RequestContext.APIID,
			SourceIP:  ev.RequestContext.HTTP.SourceIP,
		}
		if a := ev.RequestContext.Authorizer; a != nil {
			if a.JWT != nil {
				rc.Claims = a.JWT.Claims
			}
			rc.Authorizer = a.Lambda
			if p, ok := a.Lambda["principalId"].(string); ok {
				rc.PrincipalID = p
			}
			if a.IAM != nil {
				rc.UserARN = a.IAM.UserARN
			}
		}
		return rc
	}
	if rc, ok := r.Context().Value(localKey{}).(*RequestContext); ok {
		c := *rc
		c.SourceIP = r.RemoteAddr
		if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
			c.SourceIP = host
		}
		return c
	}
	return RequestContext{}
}

// ProxyRequest returns the REST API proxy event (payload 1.0) a request
// came from.
func ProxyRequest(r *http.Request) (*events.APIGatewayProxyRequest, bool) {
	ev, ok := r.Context().Value(eventKey{}).(*events.APIGatewayProxyRequest)
	return ev, ok
}

// V2HTTPRequest returns the HTTP API event (payload 2.0) a request came
// from.
func V2HTTPRequest(r *http.Request) (*events.APIGatewayV2HTTPRequest, bool) {
	ev, ok := r.Context().Value(eventKey{}).(*events.APIGatewayV2HTTPRequest)
	return ev, ok
}

// HandleProxyRequest serves a REST API proxy event (payload 1.0) through
// the app's routes. It takes ev over: the request's Header is
// ev.MultiValueHeaders, its keys made canonical in place, so serving an
// event copies none of its headers.
func (a *App) HandleProxyRequest(ctx context.Context, ev *events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	h := a.Handler()
	d := a.lookupDirect(ev.HTTPMethod, ev.Resource)
	req, err := requestFromV1(ctx, ev, d.template())
	if err != nil {
		return badEventV1(err), nil
	}
	w := a.newResponseWriter()
	if d != nil {
		a.serveDirect(w, req, d, ev.PathParameters)
	} else {
		h.ServeHTTP(w, req)
	}
	status, header, body, b64 := w.result()
	a.releaseResponseWriter(w)
	return events.APIGatewayProxyResponse{
		StatusCode:        status,
		MultiValueHeaders: header,
		Body:              body,
		IsBase64Encoded:   b64,
	}, nil
}

// HandleV2HTTPRequest serves an HTTP API event (payload 2.0) through the
// app's routes.
func (a *App) HandleV2HTTPRequest(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	h := a.Handler()
	method, resource, _ := strings.Cut(ev.RouteKey, " ")
	var d *directRoute
	if resource != "" {
		d = a.lookupDirect(method, resource)
	}
	req, err := requestFromV2(ctx, ev, d.template())
	if err != nil {
		r := badEventV1(err)
		return events.APIGatewayV2HTTPResponse{StatusCode: r.StatusCode, Headers: map[string]string{"Content-Type": "application/json"}, Body: r.Body}, nil
	}
	w := a.newResponseWriter()
	if d != nil {
		a.serveDirect(w, req, d, ev.PathParameters)
	} else {
		h.ServeHTTP(w, req)
	}
	status, header, body, b64 := w.result()
	a.releaseResponseWriter(w)
	resp := events.APIGatewayV2HTTPResponse{StatusCode: status, Body: body, IsBase64Encoded: b64}
	if len(header) > 0 {
		resp.Headers = make(map[string]string, len(header))
		for k, vs := range header {
			if k == "Set-Cookie" {
				resp.Cookies = vs
				continue
			}
			resp.Headers[k] = strings.Join(vs, ",")
		}
	}
	return resp, nil
}

func badEventV1(err error) events.APIGatewayProxyResponse {
	e := BadRequest("%v", err)
	body, _ := jsonMarshal(struct {
		Code    string `json:"Code"`
		Message string `json:"Message"`
	}{e.Code, e.Message})
	return events.APIGatewayProxyResponse{
		StatusCode:        e.Status,
		MultiValueHeaders: map[string][]string{"Content-Type": {"application/json"}},
		Body:              string(body),
	}
}

// invokeAPI is the API handler's Lambda entry point: it tells a payload
// 2.0 event from a 1.0 one by its "version" field, then decodes it once.
func (a *App) invokeAPI(ctx context.Context, payload []byte) ([]byte, error) {
	if payloadVersion(payload) == "2.0" {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("API handler: decode HTTP API event: %w", err)
		}
		resp, err := a.HandleV2HTTPRequest(ctx, &ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
	var ev events.APIGatewayProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("API handler: decode API Gateway event: %w", err)
	}
	resp, err := a.HandleProxyRequest(ctx, &ev)
	if err != nil {
		return nil, err
	}
	return json.Marshal(resp)
}

// requestFromV1 returns the request of a REST API event; tmpl, when not
// nil, is the template of the route that serves it (directRoute.template).
func requestFromV1(ctx context.Context, ev *events.APIGatewayProxyRequest, tmpl *http.Request) (*http.Request, error) {
	path, rawPath, err := routePath(ev.Resource, ev.PathParameters, ev.Path)
	if err != nil {
		return nil, err
	}
	er := &eventRequest{url: url.URL{Path: path, RawPath: rawPath}, ctx: eventContext{Context: ctx, ev: ev}}
	u := &er.url
	// RequestURI and RawQuery share one string.
	p := requestPath(u)
	uri := p
	if len(ev.MultiValueQueryStringParameters) > 0 {
		uri = encodeQuery(p, ev.MultiValueQueryStringParameters, nil)
	} else if len(ev.QueryStringParameters) > 0 {
		uri = encodeQuery(p, nil, ev.QueryStringParameters)
	}
	u.RawQuery = uri[min(len(p)+1, len(uri)):]
	var header http.Header
	if len(ev.MultiValueHeaders) > 0 {
		header = canonicalHeader(ev.MultiValueHeaders)
	} else {
		header = make(http.Header, len(ev.Headers))
		for k, v := range ev.Headers {
			header[http.CanonicalHeaderKey(k)] = []string{v}
		}
	}
	body, n, err := er.eventBody(ev.Body, ev.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	host := headerValue(header, "Host")
	if host == "" {
		host = ev.RequestContext.DomainName
	}
	return newRequest(&er.ctx, tmpl, ev.HTTPMethod, u, uri, header, body, n, host, ev.RequestContext.Identity.SourceIP), nil
}

// headerValue is header.Get(key) for a canonical key.
func headerValue(header http.Header, key string) string {
	if vs := header[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// canonicalHeader turns API Gateway's multi-value headers into an
// http.Header in place, without copying: keys that are not canonical
// ("cache-control", "CloudFront-Is-Desktop-Viewer") are moved, and values
// of keys that differ only in case are merged.
func canonicalHeader(m map[string][]string) http.Header {
	header := http.Header(m)
	for k, vs := range m {
		if isCanonicalKey(k) {
			continue
		}
		c, ok := cloudFrontHeaderKey(k)
		if !ok {
			c = http.CanonicalHeaderKey(k)
		}
		if c != k {
			delete(header, k)
			if prev, ok := header[c]; ok {
				header[c] = slices.Concat(prev, vs)
			} else {
				header[c] = vs
			}
		}
	}
	return header
}

// cloudFrontHeaderKey returns the canonical form of the headers CloudFront
// adds to every REST API event, which API Gateway spells "CloudFront-...":
// a constant, where CanonicalHeaderKey would allocate the same string for
// every request.
func cloudFrontHeaderKey(k string) (string, bool) {
	switch k {
	case "CloudFront-Forwarded-Proto":
		return "Cloudfront-Forwarded-Proto", true
	case "CloudFront-Is-Desktop-Viewer":
		return "Cloudfront-Is-Desktop-Viewer", true
	case "CloudFront-Is-Mobile-Viewer":
		return "Cloudfront-Is-Mobile-Viewer", true
	case "CloudFront-Is-SmartTV-Viewer":
		return "Cloudfront-Is-Smarttv-Viewer", true
	case "CloudFront-Is-Tablet-Viewer":
		return "Cloudfront-Is-Tablet-Viewer", true
	case "CloudFront-Viewer-ASN":
		return "Cloudfront-Viewer-Asn", true
	case "CloudFront-Viewer-Country":
		return "Cloudfront-Viewer-Country", true
	}
	return "", false
}

// isCanonicalKey reports whether k is already in http.CanonicalHeaderKey's
// form, for the common case of letters, digits and '-'; it answers false
// for anything else, which CanonicalHeaderKey then decides. Most keys API
// Gateway sends are canonical, and this check is much cheaper.
func isCanonicalKey(k string) bool {
	upper := true
	for i := 0; i < len(k); i++ {
		c := k[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				return false
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				return false
			}
		case c == '-', '0' <= c && c <= '9':
		default:
			return false
		}
		upper = c == '-'
	}
	return true
}

// requestPath is the path part of u.RequestURI(), which the query
// parameters are appended to. Like EscapedPath, it allocates only when the
// path needs escaping.
func requestPath(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// encodeQuery returns path, "?" and API Gateway's decoded query parameters
// (multi or single) encoded as url.Values.Encode does, sorted by key,
// without building a url.Values: the request's RequestURI, whose tail is
// its URL's RawQuery, in one string.
func encodeQuery(path string, multi map[string][]string, single map[string]string) string {
	// One parameter with one value, the common case: no sorting, no
	// builder, one allocation.
	if len(multi)+len(single) == 1 {
		for k, vs := range multi {
			if len(vs) == 1 {
				return path + "?" + url.QueryEscape(k) + "=" + url.QueryEscape(vs[0])
			}
		}
		for k, v := range single {
			return path + "?" + url.QueryEscape(k) + "=" + url.QueryEscape(v)
		}
	}
	keys := make([]string, 0, len(multi)+len(single))
	for k := range multi {
		keys = append(keys, k)
	}
	for k := range single {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	b.WriteString(path)
	b.WriteByte('?')
	start := b.Len()
	add := func(k, v string) {
		if b.Len() > start {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(k))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	for _, k := range keys {
		if multi != nil {
			for _, v := range multi[k] {
				add(k, v)
			}
		} else {
			add(k, single[k])
		}
	}
	if b.Len() == start {
		return path // keys without values: no query
	}
	return b.String()
}

// requestFromV2 returns the request of an HTTP API event; tmpl is as for
// requestFromV1.
func requestFromV2(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, tmpl *http.Request) (*http.Request, error) {
	resource := ""
	if _, p, ok := strings.Cut(ev.RouteKey, " "); ok {
		resource = p
	}
	path, rawPath, err := routePath(resource, ev.PathParameters, ev.RawPath)
	if err != nil {
		return nil, err
	}
	er := &eventRequest{url: url.URL{Path: path, RawPath: rawPath, RawQuery: ev.RawQueryString}, ctx: eventContext{Context: ctx, ev: ev}}
	u := &er.url
	uri := requestPath(u)
	if u.RawQuery != "" {
		uri += "?" + u.RawQuery
	}
	header := make(http.Header, len(ev.Headers)+1)
	for k, v := range ev.Headers {
		header[http.CanonicalHeaderKey(k)] = []string{v}
	}
	if len(ev.Cookies) > 0 {
		header["Cookie"] = []string{strings.Join(ev.Cookies, "; ")}
	}
	body, n, err := er.eventBody(ev.Body, ev.IsBase64Encoded)
	if err != nil {
		return nil, err
	}
	host := headerValue(header, "Host")
	if host == "" {
		host = ev.RequestContext.DomainName
	}
	return newRequest(&er.ctx, tmpl, ev.RequestContext.HTTP.Method, u, uri, header, body, n, host, ev.RequestContext.HTTP.SourceIP), nil
}

// newRequest returns the request for an event: a Clone of tmpl when there
// is one, which keeps its pattern match. requestURI is u.RequestURI(),
// computed by the caller with the query; body holds n bytes.
func newRequest(ctx context.Context, tmpl *http.Request, method string, u *url.URL, requestURI string, header http.Header, body io.ReadCloser, n int, host, remote string) *http.Request {
	if tmpl != nil {
		r := tmpl.Clone(ctx)
		setRequest(r, method, u, requestURI, header, body, n, host, remote)
		return r
	}
	var r http.Request
	setRequest(&r, method, u, requestURI, header, body, n, host, remote)
	return r.WithContext(ctx)
}

// setRequest sets the request fields of an event's request.
func setRequest(r *http.Request, method string, u *url.URL, requestURI string, header http.Header, body io.ReadCloser, n int, host, remote string) {
	if method == "" {
		method = http.MethodGet
	}
	r.Method = method
	r.URL = u
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	r.Header = header
	r.Host = host
	r.RemoteAddr = remote
	r.RequestURI = requestURI
	r.Body = body
	r.ContentLength = int64(n)
}

// eventBody returns the request body of an event's body and its length:
// the body string itself, read in place, or its base64 decoding.
func (er *eventRequest) eventBody(body string, b64 bool) (io.ReadCloser, int, error) {
	if !b64 {
		if body == "" {
			return http.NoBody, 0, nil
		}
		er.body.Reset(body)
		return &er.body, len(body), nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil, 0, fmt.Errorf("the event's body is marked base64 but does not decode: %v", err)
	}
	if len(b) == 0 {
		return http.NoBody, 0, nil
	}
	return io.NopCloser(bytes.NewReader(b)), len(b), nil
}

// routePath gives the path to route: the resource template with its path
// parameters filled in, so that a base path mapping of a custom domain (in
// the event's path, not its resource) does not change routing; or the
// event's path when there is no template.
func routePath(resource string, params map[string]string, eventPath string) (path, rawPath string, err error) {
	if resource == "" || !strings.Contains(resource, "{") {
		if resource != "" && resource != "$default" {
			eventPath = resource
		}
		if eventPath == "" {
			eventPath = "/"
		}
		if strings.HasPrefix(eventPath, "/") && !strings.Contains(eventPath, "%") {
			return eventPath, "", nil
		}
		u, err := url.Parse(eventPath)
		if err != nil || !strings.HasPrefix(eventPath, "/") {
			// The event path is the decoded path; keep it as is.
			return eventPath, "", nil
		}
		return u.Path, u.RawPath, nil
	}
	if path, ok := plainRoutePath(resource, params, eventPath); ok {
		return path, "", nil
	}
	var dec, enc strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(resource, "/"), "/") {
		dec.WriteByte('/')
		enc.WriteByte('/')
		if !strings.HasPrefix(seg, "{") || !strings.HasSuffix(seg, "}") {
			dec.WriteString(seg)
			enc.WriteString(seg)
			continue
		}
		name := seg[1 : len(seg)-1]
		greedy := strings.HasSuffix(name, "+")
		name = strings.TrimSuffix(name, "+")
		v, ok := params[name]
		if !ok {
			return "", "", fmt.Errorf("the event's resource %q has no value for path parameter %q", resource, name)
		}
		// API Gateway passes path parameters as they were in the URL,
		// percent-encoded ("Los%20Angeles"); http.Request.PathValue gives
		// them decoded. A greedy value's "/" separate segments, while an
		// encoded "%2F" stays inside its segment.
		if !greedy {
			writeParam(&dec, &enc, v)
			continue
		}
		for i, p := range strings.Split(v, "/") {
			if i > 0 {
				dec.WriteByte('/')
				enc.WriteByte('/')
			}
			writeParam(&dec, &enc, p)
		}
	}
	path, rawPath = dec.String(), enc.String()
	if rawPath == path {
		rawPath = ""
	}
	return path, rawPath, nil
}

// plainRoutePath is routePath's fast path, for path parameters that need
// no escaping: the usual case, where the decoded and the escaped path are
// the same string. That string is usually the event's path itself (no base
// path mapping), which is then returned rather than built again.
func plainRoutePath(resource string, params map[string]string, eventPath string) (string, bool) {
	same := true // so far, the path is eventPath's prefix
	rest, ev := strings.TrimPrefix(resource, "/"), eventPath
	n := 0
	for {
		seg, more, found := strings.Cut(rest, "/")
		if len(seg) > 1 && seg[0] == '{' && seg[len(seg)-1] == '}' {
			name := seg[1 : len(seg)-1]
			greedy := strings.HasSuffix(name, "+")
			v, ok := params[strings.TrimSuffix(name, "+")]
			if !ok || !plainParam(v, greedy) {
				return "", false
			}
			seg = v
		}
		n += 1 + len(seg)
		if same {
			after, ok := strings.CutPrefix(ev, "/")
			if ok {
				after, ok = strings.CutPrefix(after, seg)
			}
			same, ev = ok, after
		}
		if !found {
			break
		}
		rest = more
	}
	if same && ev == "" {
		return eventPath, true
	}
	var b strings.Builder
	b.Grow(n)
	rest = strings.TrimPrefix(resource, "/")
	for {
		seg, more, found := strings.Cut(rest, "/")
		b.WriteByte('/')
		if len(seg) > 1 && seg[0] == '{' && seg[len(seg)-1] == '}' {
			b.WriteString(params[strings.TrimSuffix(seg[1:len(seg)-1], "+")])
		} else {
			b.WriteString(seg)
		}
		if !found {
			return b.String(), true
		}
		rest = more
	}
}

// plainParam reports whether a path parameter value reads the same
// escaped and unescaped: only characters allowed in a path segment, no
// '%', and '/' only in a greedy parameter.
func plainParam(v string, greedy bool) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		switch c {
		case '-', '.', '_', '~', ':', '@', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=':
			continue
		case '/':
			if greedy {
				continue
			}
		}
		return false
	}
	return true
}

// writeParam writes one percent-encoded path parameter value to the
// decoded and the escaped path. A value that does not decode is taken
// literally.
func writeParam(dec, enc *strings.Builder, v string) {
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	dec.WriteString(v)
	enc.WriteString(url.PathEscape(v))
}

// responseWriter buffers a response for API Gateway.
type responseWriter struct {
	header      http.Header
	status      int
	body        bytes.Buffer
	binaryTypes mediaTypes
}

// newResponseWriter returns a writer from the app's pool; release returns
// it once its result has been taken. Its header map goes out with the
// response, so each writer gets a new one.
func (a *App) newResponseWriter() *responseWriter {
	w, _ := a.writers.Get().(*responseWriter)
	if w == nil {
		w = &responseWriter{}
	}
	w.header = make(http.Header, 4)
	w.binaryTypes = a.binaryTypes
	return w
}

func (a *App) releaseResponseWriter(w *responseWriter) {
	w.status = 0
	w.header = nil
	w.binaryTypes = mediaTypes{}
	if w.body.Cap() > 64<<10 {
		return // keep the pool from holding large bodies
	}
	w.body.Reset()
	a.writers.Put(w)
}

func (w *responseWriter) Header() http.Header { return w.header }

func (w *responseWriter) WriteHeader(status int) {
	// As in net/http, 1xx informational answers (103 Early Hints) come
	// before the final status; API Gateway has no way to send them.
	if status >= 100 && status < 200 && status != http.StatusSwitchingProtocols {
		return
	}
	if w.status == 0 {
		w.status = status
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

// WriteString is Write without the copy io.WriteString makes of s for a
// writer without it.
func (w *responseWriter) WriteString(s string) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.WriteString(s)
}

// reset drops what a panicking handler wrote, so the 500 answer is clean.
func (w *responseWriter) reset() {
	w.status = 0
	w.body.Reset()
	clear(w.header)
}

// result gives the response for API Gateway: binary bodies (by
// Content-Type, or any body that is not UTF-8) are base64.
func (w *responseWriter) result() (status int, header map[string][]string, body string, b64 bool) {
	status = w.status
	if status == 0 {
		status = http.StatusOK
	}
	raw := w.body.Bytes()
	ct := headerValue(w.header, "Content-Type")
	if ct == "" && len(raw) > 0 {
		ct = http.DetectContentType(raw)
		w.header.Set("Content-Type", ct)
	}
	if len(raw) > 0 && (w.binaryTypes.match(ct) || !utf8.Valid(raw)) {
		return status, w.header, base64.StdEncoding.EncodeToString(raw), true
	}
	return status, w.header, string(raw), false
}

// payloadVersion returns the top-level "version" string of a JSON object
// without decoding it: a byte scan that skips the other members, so an
// event is parsed once, not twice. It returns "" for anything it does not
// understand; the full decode then reports what is wrong.
func payloadVersion(data []byte) string {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ""
	}
	i++
	for {
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != '"' {
			return ""
		}
		keyStart := i + 1
		i = skipString(data, i)
		if i < 0 {
			return ""
		}
		key := data[keyStart : i-1]
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ':' {
			return ""
		}
		i = skipSpace(data, i+1)
		if string(key) == "version" {
			if i >= len(data) || data[i] != '"' {
				return ""
			}
			end := skipString(data, i)
			if end < 0 {
				return ""
			}
			return string(data[i+1 : end-1])
		}
		if i = skipValue(data, i); i < 0 {
			return ""
		}
		i = skipSpace(data, i)
		if i >= len(data) || data[i] != ',' {
			return ""
		}
		i++
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at data[i]
// (a '"'), or -1.
func skipString(data []byte, i int) int {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}

// skipValue returns the index after the JSON value starting at data[i], or
// -1. Objects and arrays are skipped by depth, minding strings.
func skipValue(data []byte, i int) int {
	if i >= len(data) {
		return -1
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for ; i < len(data); i++ {
			switch data[i] {
			case '"':
				if i = skipString(data, i); i < 0 {
					return -1
				}
				i--
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return -1
	default: // number, true, false, null
		for ; i < len(data); i++ {
			switch data[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
		}
		return i
	}
}
