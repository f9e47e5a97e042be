package app

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// Handler returns the app's routes as one http.Handler: the same routing,
// CORS, content-type checks, error answers and panic recovery that serve
// requests on Lambda. The first call closes registration.
func (a *App) Handler() http.Handler {
	a.once.Do(func() {
		a.started = true
		a.handler = a.build()
	})
	return a.handler
}

// ServeHTTP serves a request through Handler.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.Handler().ServeHTTP(w, r)
}

func (a *App) build() http.Handler {
	mux := http.NewServeMux()
	a.mux = mux
	a.byPattern = map[string]*route{}
	a.byKey = map[string]*route{}
	a.direct = map[string]*directRoute{}
	a.binaryTypes = newMediaTypes(a.BinaryTypes)
	preflight := map[string]bool{}
	for _, rt := range a.routes {
		binary := append(slices.Clone(a.BinaryTypes), rt.config.binaryTypes...)
		var h http.Handler = rt.handler
		for i := len(rt.config.middleware) - 1; i >= 0; i-- {
			h = rt.config.middleware[i](h)
		}
		for i := len(a.middleware) - 1; i >= 0; i-- {
			h = a.middleware[i](h)
		}
		rh := &routeHandler{
			app:          a,
			next:         h,
			greedy:       rt.greedy(),
			contentTypes: newMediaTypes(rt.config.contentTypes),
			binaryTypes:  newMediaTypes(binary),
			corsHeaders:  corsHeaders(rt.cors),
		}
		mux.Handle(rt.muxPattern(), rh)
		a.byPattern[rt.muxPattern()] = rt
		a.byKey[rt.methodOrAny()+" "+rt.apiPath()] = rt
		a.direct[rt.methodOrAny()+" "+rt.apiPath()] = &directRoute{handler: rh, pattern: rt.muxPattern(), params: rt.wildcards()}
		if rt.cors != nil {
			path := rt.apiPath()
			if !preflight[path] {
				preflight[path] = true
				ph := a.preflightHandler(rt)
				mux.Handle(rt.preflightPattern(), ph)
				a.direct["OPTIONS "+path] = &directRoute{handler: ph, pattern: rt.preflightPattern(), params: rt.wildcards()}
			}
		}
	}
	// Requests no route matches get Chalice's 404 or 405 answer. An ANY
	// route "/{name...}" (API Gateway's "/{proxy+}") already matches every
	// path, and http.ServeMux refuses "/" beside it; its routeHandler
	// answers the one path it does not take, "/".
	if !slices.ContainsFunc(a.routes, func(rt *route) bool { return rt.method == "" && len(rt.segments) == 1 && rt.greedy() != "" }) {
		mux.Handle("/", http.HandlerFunc(a.noRoute))
	}
	return &recoverer{app: a, next: mux}
}

// directRoute is a route as API Gateway names it ("GET /donors/{id}"), for
// events whose resource or route key says which route API Gateway matched:
// they are served by that route without matching the path again.
type directRoute struct {
	handler http.Handler
	pattern string   // r.Pattern, as http.ServeMux would set it
	params  []string // the path parameter names, as in the resource
	tmpl    directTemplate
}

// lookupDirect returns the route API Gateway matched for method and
// resource, or nil when the event does not name one of the app's routes
// (a "$default" route, a proxy resource of another app).
func (a *App) lookupDirect(method, resource string) *directRoute {
	if d := a.direct[method+" "+resource]; d != nil {
		return d
	}
	return a.direct["ANY "+resource]
}

// serveDirect serves r with the route API Gateway matched, setting the path
// values from the event's path parameters (percent-encoded, as API Gateway
// passes them), with the same panic recovery as Handler.
func (a *App) serveDirect(w http.ResponseWriter, r *http.Request, d *directRoute, params map[string]string) {
	r.Pattern = d.pattern
	for _, name := range d.params {
		v := params[name]
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		r.SetPathValue(name, v)
	}
	a.serveRecovering(w, r, d.handler)
}

// routeHandler applies a route's CORS headers and content-type check
// before its handler.
type routeHandler struct {
	app          *App
	next         http.Handler
	greedy       string // name of the trailing {name...} wildcard
	contentTypes mediaTypes
	binaryTypes  mediaTypes
	corsHeaders  [][2]string
}

func (h *routeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.greedy != "" && r.PathValue(h.greedy) == "" {
		// http.ServeMux lets {name...} match nothing ("/files/"); API
		// Gateway's {name+} does not, so neither does the local server.
		h.app.noRoute(w, r)
		return
	}
	if lw, ok := w.(*responseWriter); ok {
		lw.binaryTypes = h.binaryTypes
	}
	if len(h.corsHeaders) > 0 {
		hdr := w.Header()
		for _, kv := range h.corsHeaders {
			hdr.Set(kv[0], kv[1])
		}
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength != 0 {
		ct = "application/json" // Chalice's default for a body without a type
	}
	if ct != "" && !h.contentTypes.match(ct) {
		WriteError(w, UnsupportedMediaType("Unsupported media type: %s", ct))
		return
	}
	h.next.ServeHTTP(w, r)
}

// corsHeaders are the headers Chalice adds to every response of a CORS
// route.
func corsHeaders(c *manifest.CORS) [][2]string {
	if c == nil {
		return nil
	}
	h := [][2]string{
		{"Access-Control-Allow-Origin", c.AllowOrigin},
		{"Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ",")},
	}
	if len(c.ExposeHeaders) > 0 {
		h = append(h, [2]string{"Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ",")})
	}
	if c.MaxAge > 0 {
		h = append(h, [2]string{"Access-Control-Max-Age", strconv.Itoa(c.MaxAge)})
	}
	if c.AllowCredentials {
		h = append(h, [2]string{"Access-Control-Allow-Credentials", "true"})
	}
	return h
}

// noRoute answers requests no route matched: 405 with Allow when the path
// matches a route of another method, 404 otherwise.
func (a *App) noRoute(w http.ResponseWriter, r *http.Request) {
	var allow []string
	path := r.URL.EscapedPath()
	for _, rt := range a.routes {
		if matchPath(rt.segments, path) {
			allow = append(allow, rt.methodOrAny())
		}
	}
	if len(allow) == 0 {
		WriteError(w, NotFound("no route matches %s %s", r.Method, r.URL.Path))
		return
	}
	slices.Sort(allow)
	w.Header().Set("Allow", strings.Join(slices.Compact(allow), ", "))
	WriteError(w, MethodNotAllowed("Unsupported method: %s", r.Method))
}

// preflightHandler answers the OPTIONS preflight of a CORS path with the
// methods of every route on it.
func (a *App) preflightHandler(rt *route) http.Handler {
	var methods []string
	for _, o := range a.routes {
		if sameShape(o.segments, rt.segments) {
			if o.method == "" {
				methods = append(methods, apiGatewayMethods...)
			} else {
				methods = append(methods, o.method)
			}
		}
	}
	methods = append(methods, "OPTIONS")
	slices.Sort(methods)
	methods = slices.Compact(methods)
	headers := corsHeaders(rt.cors)
	allow := strings.Join(methods, ",")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for _, kv := range headers {
			h.Set(kv[0], kv[1])
		}
		h.Set("Access-Control-Allow-Methods", allow)
		w.WriteHeader(http.StatusOK)
	})
}

// recoverer answers 500 for a panicking handler and keeps serving.
type recoverer struct {
	app  *App
	next http.Handler
}

func (rc *recoverer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.app.serveRecovering(w, r, rc.next)
}

// serveRecovering serves r with next, answering 500 if it panics.
func (a *App) serveRecovering(w http.ResponseWriter, r *http.Request, next http.Handler) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		stack := debug.Stack()
		a.logger().ErrorContext(r.Context(), "gochalice: handler panicked",
			"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(stack))
		if lw, ok := w.(*responseWriter); ok {
			lw.reset()
		}
		if a.Debug {
			body, _ := jsonMarshal(map[string]string{
				"Code": "InternalServerError", "Message": fmt.Sprintf("panic: %v", v), "Traceback": string(stack),
			})
			writeRaw(w, http.StatusInternalServerError, "application/json", body)
			return
		}
		writeInternalError(w)
	}()
	next.ServeHTTP(w, r)
}
