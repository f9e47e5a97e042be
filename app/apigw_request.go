package app

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
)

// eventRequest holds, in one allocation, what the request of an API
// Gateway event points to besides the event itself: its URL, its context
// (the caller's, carrying the event) and its body reader.
type eventRequest struct {
	url  url.URL
	ctx  eventContext
	body stringBody
}

// eventContext is context.WithValue(parent, eventKey{}, ev) without an
// allocation of its own: it lives in the eventRequest.
type eventContext struct {
	context.Context
	ev any // *events.APIGatewayProxyRequest or *events.APIGatewayV2HTTPRequest
}

func (c *eventContext) Value(key any) any {
	if _, ok := key.(eventKey); ok {
		return c.ev
	}
	return c.Context.Value(key)
}

func (c *eventContext) String() string {
	return "gochalice.eventContext"
}

// stringBody is a request body read from the event's body string, without
// copying it.
type stringBody struct{ strings.Reader }

func (*stringBody) Close() error { return nil }

// matchedTemplate is a directRoute's request template: a request that
// http.ServeMux matched against the route's pattern, carrying nothing but
// that match. The request of an event served directly is its Clone, which
// keeps the pattern's wildcards (issue 61410), so that SetPathValue stores
// a path parameter in the request's match rather than in a map of its own
// that every event would allocate. req is nil when no template could be
// made; the request is then built without one.
type matchedTemplate struct {
	req *http.Request
}

// directTemplate is a directRoute's lazily made template.
type directTemplate struct {
	p atomic.Pointer[matchedTemplate]
}

// template returns d's request template, or nil.
func (d *directRoute) template() *http.Request {
	if d == nil {
		return nil
	}
	t := d.tmpl.p.Load()
	if t == nil {
		t = &matchedTemplate{req: matchedRequest(d.pattern, d.params)}
		d.tmpl.p.Store(t)
	}
	return t.req
}

// matchedRequest serves a request for a path made from pattern (each
// wildcard "x") through a ServeMux holding only that pattern, and returns
// it, emptied of all but the match, once it has checked that every name in
// params is one of the match's wildcards. It returns nil if anything is
// unexpected.
func matchedRequest(pattern string, params []string) (tmpl *http.Request) {
	defer func() {
		if recover() != nil {
			tmpl = nil
		}
	}()
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = http.MethodGet, pattern
	}
	var b strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		b.WriteByte('/')
		switch {
		case seg == "{$}":
		case strings.HasPrefix(seg, "{"):
			b.WriteByte('x')
		default:
			b.WriteString(seg)
		}
	}
	var matched *http.Request
	mux := http.NewServeMux()
	mux.HandleFunc(pattern, func(_ http.ResponseWriter, r *http.Request) { matched = r })
	r := &http.Request{Method: method, URL: &url.URL{Path: b.String()}, Header: http.Header{}}
	mux.ServeHTTP(&responseWriter{header: http.Header{}}, r)
	if matched != r || r.Pattern != pattern {
		return nil
	}
	for _, name := range params {
		if r.PathValue(name) != "x" {
			return nil
		}
		r.SetPathValue(name, "")
	}
	r.Method, r.URL, r.Header, r.Pattern = "", nil, nil, ""
	return r
}
