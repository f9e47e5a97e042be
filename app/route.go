package app

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// CORSConfig is Chalice's CORSConfig: the CORS headers a route answers
// with, and the OPTIONS preflight answered for its path.
type CORSConfig struct {
	// AllowOrigin is Access-Control-Allow-Origin; "*" when empty.
	AllowOrigin string
	// AllowHeaders are added to the default allowed headers
	// (Content-Type, X-Amz-Date, Authorization, X-Api-Key,
	// X-Amz-Security-Token), as in Chalice.
	AllowHeaders []string
	// ExposeHeaders is Access-Control-Expose-Headers.
	ExposeHeaders []string
	// MaxAge is Access-Control-Max-Age in seconds; 0 omits the header.
	MaxAge int
	// AllowCredentials sets Access-Control-Allow-Credentials: true.
	AllowCredentials bool
}

// defaultCORSHeaders are the headers Chalice always allows.
var defaultCORSHeaders = []string{"Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token", "X-Api-Key"}

func (c CORSConfig) manifest() *manifest.CORS {
	origin := c.AllowOrigin
	if origin == "" {
		origin = "*"
	}
	headers := append(slices.Clone(defaultCORSHeaders), c.AllowHeaders...)
	for i, h := range headers {
		headers[i] = http.CanonicalHeaderKey(strings.TrimSpace(h))
	}
	slices.Sort(headers)
	headers = slices.Compact(headers)
	expose := slices.Clone(c.ExposeHeaders)
	slices.Sort(expose)
	return &manifest.CORS{
		AllowOrigin:      origin,
		AllowHeaders:     headers,
		ExposeHeaders:    expose,
		MaxAge:           c.MaxAge,
		AllowCredentials: c.AllowCredentials,
	}
}

// RouteOption configures one route.
type RouteOption func(*routeConfig)

type routeConfig struct {
	cors         *CORSConfig
	contentTypes []string
	binaryTypes  []string
	middleware   []func(http.Handler) http.Handler
	authSet      bool // WithAuthorizer or WithoutAuthorizer given
	authorizer   Authorizer
	scopes       []string
	apiKey       bool
}

// WithCORS turns CORS on for the route with the given configuration. Every
// route of one path must use the same CORS configuration, because one
// OPTIONS preflight answers for the path (Chalice has the same rule).
func WithCORS(c CORSConfig) RouteOption {
	return func(rc *routeConfig) { rc.cors = &c }
}

// WithContentTypes sets the request media types the route accepts (default
// application/json, as in Chalice). A request whose Content-Type matches
// none is answered 415. Wildcards "type/*" and "*/*" are allowed. A request
// without a Content-Type counts as application/json.
func WithContentTypes(types ...string) RouteOption {
	return func(rc *routeConfig) { rc.contentTypes = types }
}

// WithBinaryTypes adds media types that this route sends or receives as
// binary (base64 through API Gateway) to the app's binary types.
func WithBinaryTypes(types ...string) RouteOption {
	return func(rc *routeConfig) { rc.binaryTypes = append(rc.binaryTypes, types...) }
}

// WithMiddleware wraps the route's handler, after the app's middleware
// (the first given is the outermost).
func WithMiddleware(mw ...func(http.Handler) http.Handler) RouteOption {
	return func(rc *routeConfig) { rc.middleware = append(rc.middleware, mw...) }
}

// route is a registered route.
type route struct {
	pattern  string   // as registered
	method   string   // "" for any method
	segments []string // path split on "/", wildcards kept as "{name}" / "{name...}"
	handler  http.Handler
	info     manifest.Handler
	config   routeConfig
	cors     *manifest.CORS
	auth     *manifest.Authorizer // nil for none
}

// apiPath is the API Gateway resource path: {name...} becomes {name+}.
func (r *route) apiPath() string {
	if len(r.segments) == 0 {
		return "/"
	}
	var b strings.Builder
	for _, s := range r.segments {
		b.WriteByte('/')
		if strings.HasSuffix(s, "...}") {
			b.WriteString(strings.TrimSuffix(s, "...}") + "+}")
		} else {
			b.WriteString(s)
		}
	}
	return b.String()
}

// muxPattern is the pattern registered with http.ServeMux: the root is
// exact ("/{$}") as on API Gateway, where "/" is not a prefix match.
func (r *route) muxPattern() string {
	path := "/" + strings.Join(r.segments, "/")
	if len(r.segments) == 0 {
		path = "/{$}"
	}
	if r.method == "" {
		return path
	}
	return r.method + " " + path
}

// preflightPattern is the http.ServeMux pattern of the path's CORS
// preflight.
func (r *route) preflightPattern() string {
	return http.MethodOptions + " " + strings.TrimPrefix(r.muxPattern(), r.method+" ")
}

// greedy returns the name of the route's trailing {name...} wildcard, or
// "".
func (r *route) greedy() string {
	if n := len(r.segments); n > 0 && strings.HasSuffix(r.segments[n-1], "...}") {
		return strings.TrimSuffix(strings.TrimPrefix(r.segments[n-1], "{"), "...}")
	}
	return ""
}

// wildcards returns the names of the route's wildcards, in order.
func (r *route) wildcards() []string {
	var names []string
	for _, seg := range r.segments {
		if isWildcard(seg) {
			names = append(names, strings.TrimSuffix(strings.TrimSuffix(seg[1:], "}"), "..."))
		}
	}
	return names
}

func (r *route) methodOrAny() string {
	if r.method == "" {
		return "ANY"
	}
	return r.method
}

// apiGatewayMethods are the methods API Gateway can route.
var apiGatewayMethods = []string{"DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"}

// parsePattern checks a pattern against what both http.ServeMux and API
// Gateway accept, so that a route matches the same requests locally and on
// Lambda.
func parsePattern(pattern string) (method string, segments []string, err error) {
	rest := pattern
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		method, rest = pattern[:i], strings.TrimLeft(pattern[i:], " \t")
		if !slices.Contains(apiGatewayMethods, method) {
			return "", nil, fmt.Errorf("method %q is not one API Gateway routes (want one of %s, or no method for any)", method, strings.Join(apiGatewayMethods, ", "))
		}
	}
	if !strings.HasPrefix(rest, "/") {
		return "", nil, fmt.Errorf(`path must start with "/" (host patterns are not supported)`)
	}
	if rest == "/" {
		return method, nil, nil
	}
	if strings.HasSuffix(rest, "/") {
		return "", nil, fmt.Errorf(`path must not end with "/": API Gateway has no prefix routes; use a trailing "{name...}" wildcard`)
	}
	names := map[string]bool{}
	segments = strings.Split(rest[1:], "/")
	for i, s := range segments {
		switch {
		case s == "":
			return "", nil, fmt.Errorf("empty path segment")
		case s == "." || s == "..":
			return "", nil, fmt.Errorf("path segment %q: paths must be clean", s)
		case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}"):
			name := s[1 : len(s)-1]
			if strings.HasSuffix(name, "...") {
				if i != len(segments)-1 {
					return "", nil, fmt.Errorf("wildcard %s must be the last segment", s)
				}
				name = strings.TrimSuffix(name, "...")
			}
			if name == "$" {
				return "", nil, fmt.Errorf(`"{$}" is not supported: paths are always matched exactly`)
			}
			if !isIdent(name) {
				return "", nil, fmt.Errorf("wildcard name %q must be a Go identifier of letters and digits", name)
			}
			if names[name] {
				return "", nil, fmt.Errorf("wildcard name %q is used twice", name)
			}
			names[name] = true
		case strings.ContainsAny(s, "{}"):
			return "", nil, fmt.Errorf("segment %q: a wildcard must be a whole segment, like {id}", s)
		default:
			for _, c := range s {
				if !validPathChar(c) {
					return "", nil, fmt.Errorf("segment %q: character %q is not allowed in an API Gateway path", s, c)
				}
			}
		}
	}
	return method, segments, nil
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// validPathChar reports whether c may appear in an API Gateway resource
// path part: letters, digits and -._~:@!$&'()*+,;=
func validPathChar(c rune) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.ContainsRune("-._~:@!$&'()*+,;=", c)
}

// sameShape reports whether two routes' paths match exactly the same
// requests (wildcard names aside).
func sameShape(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		wa, wb := isWildcard(a[i]), isWildcard(b[i])
		if wa != wb {
			return false
		}
		if wa {
			if strings.HasSuffix(a[i], "...}") != strings.HasSuffix(b[i], "...}") {
				return false
			}
			continue
		}
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isWildcard(seg string) bool { return strings.HasPrefix(seg, "{") }

// siblingWildcards reports two different wildcards at the same level of
// the API Gateway resource tree (after the same parent path), such as
// "/a/{id}" and "/a/{name}/b", or "/a/{id}" and "/a/{rest...}": API
// Gateway refuses to create the second resource.
func siblingWildcards(a, b []string) (wa, wb string, ok bool) {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		if isWildcard(a[i]) && isWildcard(b[i]) {
			return a[i], b[i], true
		}
		return "", "", false
	}
	return "", "", false
}

// matchPath reports whether the escaped request path matches segments.
func matchPath(segments []string, path string) bool {
	if path == "/" {
		return len(segments) == 0
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, s := range segments {
		if strings.HasSuffix(s, "...}") {
			// API Gateway's {name+} needs at least one character.
			return i < len(parts) && (i < len(parts)-1 || parts[i] != "")
		}
		if i >= len(parts) || parts[i] == "" {
			return false
		}
		if isWildcard(s) {
			continue
		}
		if p, err := url.PathUnescape(parts[i]); err != nil || p != s {
			return false
		}
	}
	return len(parts) == len(segments)
}

// handlerInfo names the Go code behind h for the manifest: a function, or
// the ServeHTTP method of an http.Handler, by its full runtime name
// ("example.com/m/api.(*Server).ServeHTTP").
func handlerInfo(h any) manifest.Handler {
	v := reflect.ValueOf(h)
	if v.Kind() == reflect.Func {
		if info, ok := funcInfo(v.Pointer()); ok {
			return info
		}
	}
	if m, ok := reflect.TypeOf(h).MethodByName("ServeHTTP"); ok {
		if info, ok := funcInfo(m.Func.Pointer()); ok {
			return info
		}
	}
	return manifest.Handler{Name: reflect.TypeOf(h).String() + ".ServeHTTP"}
}

// funcInfo names the function at pc. Compiler-generated wrappers (method
// values "...-fm", promoted methods) have no source position, so File and
// Line are left empty rather than "<autogenerated>:1".
func funcInfo(pc uintptr) (manifest.Handler, bool) {
	f := runtime.FuncForPC(pc)
	if f == nil {
		return manifest.Handler{}, false
	}
	file, line := f.FileLine(f.Entry())
	if file == "<autogenerated>" {
		file, line = "", 0
	}
	return manifest.Handler{Name: f.Name(), File: file, Line: line}, true
}

// mediaTypes is a set of media type patterns ("application/json",
// "image/*", "*/*") made once per route, so matching a request or a
// response is a map lookup rather than a scan.
type mediaTypes struct {
	any      bool
	exact    map[string]bool // lower case
	prefixes []string        // lower case, "image/"
}

func newMediaTypes(patterns []string) mediaTypes {
	m := mediaTypes{exact: make(map[string]bool, len(patterns))}
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "*/*":
			m.any = true
		case strings.HasSuffix(p, "/*"):
			m.prefixes = append(m.prefixes, p[:len(p)-1])
		default:
			m.exact[p] = true
		}
	}
	return m
}

// match reports whether the media type of ct (what comes before any
// parameters) is in the set, ignoring case.
func (m mediaTypes) match(ct string) bool {
	if m.any {
		return true
	}
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(mt)
	for i := 0; i < len(mt); i++ {
		if 'A' <= mt[i] && mt[i] <= 'Z' {
			mt = strings.ToLower(mt)
			break
		}
	}
	if m.exact[mt] {
		return true
	}
	for _, p := range m.prefixes {
		if len(mt) > len(p) && mt[:len(p)] == p {
			return true
		}
	}
	return false
}
