package app

import (
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"

	"github.com/gochalice/gochalice/manifest"
)

// DefaultBinaryTypes returns the media types treated as binary unless
// changed, Chalice's default list. Each call returns a new slice.
func DefaultBinaryTypes() []string {
	return []string{
		"application/octet-stream", "application/x-tar", "application/zip",
		"audio/basic", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav", "audio/webm",
		"image/png", "image/jpg", "image/jpeg", "image/gif",
		"video/ogg", "video/mpeg", "video/webm",
	}
}

// App is a gochalice application: its routes, served by one Lambda
// function (the API handler), and its event handlers, each its own Lambda
// function. Register everything before calling Run or Handler; a
// registration mistake panics with a message starting "gochalice: ", as
// http.ServeMux does, so it shows at start-up and in the manifest build,
// never later.
type App struct {
	name string

	// Debug makes a 500 answer carry the panic or error text, as Chalice's
	// app.debug does. Never set it in production.
	Debug bool

	// Logger receives panics and internal errors; nil means slog.Default().
	// On Lambda, it reaches CloudWatch Logs through standard error.
	Logger *slog.Logger

	// BinaryTypes are the media types sent through API Gateway as base64.
	// New sets it to DefaultBinaryTypes(); change it before Run.
	BinaryTypes []string

	middleware []func(http.Handler) http.Handler
	// eventMiddleware wraps function invocations (UseEvents); empty costs
	// nothing on the invocation path.
	eventMiddleware []eventMiddleware
	defaults        []RouteOption
	routes          []*route
	functions       []*function
	names           map[string]bool

	// authorizers are the API's authorizers by name: custom ones as they
	// are registered, Cognito and IAM ones when a route first uses them.
	authorizers map[string]*manifest.Authorizer
	custom      map[string]*customAuthorizer
	probeMux    *http.ServeMux // checks routes as they are registered

	once    sync.Once
	handler http.Handler // built on first use; registration is then closed
	started bool
	writers sync.Pool               // *responseWriter, reused across API Gateway events
	direct  map[string]*directRoute // by "METHOD /resource", built with handler

	// Built with handler, for local mode: the router, and the routes by
	// their http.ServeMux pattern and by "METHOD /resource".
	mux       *http.ServeMux
	byPattern map[string]*route
	byKey     map[string]*route

	binaryTypes mediaTypes // BinaryTypes as a set, built with handler
}

// maxFunctionName is Lambda's limit on function names. A function is named
// "<app>-<stage>-<name>"; the stage is known only at deploy time, where the
// full name is checked again.
const maxFunctionName = 64

// New returns an app with the given name, which names its Lambda functions
// and roles ("<name>-<stage>-...").
func New(name string) *App {
	if !isName(name) {
		panic(fmt.Sprintf("gochalice: app name %q: use only letters, digits, '-' and '_'", name))
	}
	// "<app>-<stage>-<fn>" must fit 64 characters with at least a
	// one-letter stage and function name.
	if len(name)+4 > maxFunctionName {
		panic(fmt.Sprintf("gochalice: app name %q is %d characters; Lambda function names (\"<app>-<stage>-<function>\") allow 64 in all", name, len(name)))
	}
	return &App{
		name:        name,
		BinaryTypes: DefaultBinaryTypes(),
		names:       map[string]bool{},
	}
}

// Name returns the app's name.
func (a *App) Name() string { return a.name }

// Use adds middleware around every route handler. The first given is the
// outermost. Middleware is a plain func(http.Handler) http.Handler, as in
// chi and net/http.
func (a *App) Use(mw ...func(http.Handler) http.Handler) {
	a.mustBeOpen("Use")
	a.middleware = append(a.middleware, mw...)
}

// Route registers a handler function for a pattern in http.ServeMux's
// syntax, limited to what API Gateway can route too:
//
//	"GET /donors/{id}"     method and path, path values via r.PathValue("id")
//	"/health"              any method (API Gateway ANY)
//	"GET /files/{path...}" trailing wildcard (API Gateway {path+})
//
// Paths are matched exactly: a trailing "/" and "{$}" are not allowed.
func (a *App) Route(pattern string, handler func(http.ResponseWriter, *http.Request), opts ...RouteOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: route %q: nil handler", pattern))
	}
	a.handle(pattern, http.HandlerFunc(handler), handlerInfo(handler), opts)
}

// Handle registers an http.Handler for a pattern; see Route.
func (a *App) Handle(pattern string, handler http.Handler, opts ...RouteOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: route %q: nil handler", pattern))
	}
	info := handlerInfo(handler)
	if hf, ok := handler.(http.HandlerFunc); ok {
		info = handlerInfo((func(http.ResponseWriter, *http.Request))(hf))
	}
	a.handle(pattern, handler, info, opts)
}

func (a *App) handle(pattern string, h http.Handler, info manifest.Handler, opts []RouteOption) {
	a.mustBeOpen("Route")
	method, segments, err := parsePattern(pattern)
	if err != nil {
		panic(fmt.Sprintf("gochalice: route %q: %v", pattern, err))
	}
	r := &route{pattern: pattern, method: method, segments: segments, handler: h, info: info}
	for _, o := range slices.Concat(a.defaults, opts) {
		if o == nil {
			panic(fmt.Sprintf("gochalice: route %q: nil option", pattern))
		}
		o(&r.config)
	}
	r.auth = a.routeAuthorizer(pattern, &r.config)
	if r.config.contentTypes == nil {
		r.config.contentTypes = []string{"application/json"}
	}
	if r.config.cors != nil {
		r.cors = r.config.cors.manifest()
	}
	if r.cors != nil && r.method == http.MethodOptions {
		panic(fmt.Sprintf("gochalice: route %q: an OPTIONS route cannot have CORS: the CORS preflight answers OPTIONS for the path", pattern))
	}
	for _, o := range a.routes {
		same := sameShape(o.segments, r.segments)
		if same && o.method == r.method {
			panic(fmt.Sprintf("gochalice: route %q: a route for the same method and path is already registered: %q", pattern, o.pattern))
		}
		if wo, wr, ok := siblingWildcards(o.segments, r.segments); ok {
			panic(fmt.Sprintf("gochalice: route %q: its wildcard %s and the wildcard %s of route %q are siblings; API Gateway allows one variable path part per level, so give both routes the same wildcard there", pattern, wr, wo, o.pattern))
		}
		if !same {
			continue
		}
		if (o.cors == nil) != (r.cors == nil) || (o.cors != nil && !equalCORS(o.cors, r.cors)) {
			panic(fmt.Sprintf("gochalice: route %q: CORS differs from route %q on the same path; one OPTIONS preflight answers for a path, so give every route of the path the same CORS option", pattern, o.pattern))
		}
		if r.cors != nil && (r.method == "OPTIONS" || o.method == "OPTIONS") {
			panic(fmt.Sprintf("gochalice: route %q: an OPTIONS route conflicts with the CORS preflight of route %q", pattern, o.pattern))
		}
	}
	a.probe(r)
	a.routes = append(a.routes, r)
}

// probe registers the route's patterns with a scratch http.ServeMux, so
// that a pair of routes ServeMux cannot order (such as "/a/{x}/b" and
// "/a/b/{y}") is reported at registration, not when Handler builds the
// real mux.
func (a *App) probe(r *route) {
	if a.probeMux == nil {
		a.probeMux = http.NewServeMux()
	}
	patterns := []string{r.muxPattern()}
	if r.cors != nil && !slices.ContainsFunc(a.routes, func(o *route) bool { return o.cors != nil && sameShape(o.segments, r.segments) }) {
		patterns = append(patterns, r.preflightPattern())
	}
	for _, p := range patterns {
		func() {
			defer func() {
				if v := recover(); v != nil {
					panic(fmt.Sprintf("gochalice: route %q: %v", r.pattern, v))
				}
			}()
			a.probeMux.Handle(p, http.NotFoundHandler())
		}()
	}
}

func equalCORS(a, b *manifest.CORS) bool {
	return a.AllowOrigin == b.AllowOrigin && slices.Equal(a.AllowHeaders, b.AllowHeaders) &&
		slices.Equal(a.ExposeHeaders, b.ExposeHeaders) && a.MaxAge == b.MaxAge &&
		a.AllowCredentials == b.AllowCredentials
}

// registerName claims a function name, panicking on a name Lambda would
// reject or one already used.
func (a *App) registerName(kind, name string) {
	a.mustBeOpen(kind)
	if !isName(name) {
		panic(fmt.Sprintf("gochalice: %s %q: a function name may use only letters, digits, '-' and '_'", kind, name))
	}
	if name == manifest.APIHandlerName {
		panic(fmt.Sprintf("gochalice: %s %q: the name is reserved for the function that serves the routes", kind, name))
	}
	if n := len(a.name) + len(name) + 3; n > maxFunctionName {
		panic(fmt.Sprintf("gochalice: %s %q: the Lambda function name %q would be at least %d characters; Lambda allows 64: shorten the function or app name", kind, name, a.name+"-<stage>-"+name, n))
	}
	if a.names[name] {
		panic(fmt.Sprintf("gochalice: %s %q: a function with this name is already registered", kind, name))
	}
	a.names[name] = true
}

func (a *App) mustBeOpen(what string) {
	if a.started {
		panic(fmt.Sprintf("gochalice: %s called after the app started serving; register everything before Run or Handler", what))
	}
}

func (a *App) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}
