// Package apigw is the one local emulation of API Gateway's front door,
// shared by gochalice local (through app's local server) and package
// apptest: it picks the route a request reaches as API Gateway does and
// gives API Gateway's answer to a request no route takes.
//
// API Gateway's answer to a request that matches no route depends on the
// API's type, and both tools follow it:
//
//   - A REST API (what gochalice deploys, and apptest's default) answers a
//     path it has no resource for, and a method the resource does not
//     have, with 403 {"message":"Missing Authentication Token"}
//     (x-amzn-ErrorType MissingAuthenticationTokenException).
//   - An HTTP API (apptest.WithHTTPAPI) answers both with 404
//     {"message":"Not Found"}.
//
// The app's own 404 and 405 (Chalice's NotFoundError and
// MethodNotAllowedError) are never seen through API Gateway: it does not
// invoke the function for a request no route takes.
//
// It depends on the standard library and package manifest only.
package apigw

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// API is the type of API Gateway API being emulated.
type API int

const (
	// REST is a REST API (payload 1.0 proxy events), what gochalice
	// deploys.
	REST API = iota
	// HTTP is an HTTP API (payload 2.0 events).
	HTTP
)

// Answer is API Gateway's own answer to a request, given without invoking
// the app.
type Answer struct {
	Status int
	// ErrorType is the x-amzn-ErrorType header ("" for none).
	ErrorType string
	// Body is the JSON body.
	Body string
}

// Header returns the answer's headers, with requestID as
// x-amzn-RequestId when it is not "".
func (a Answer) Header(requestID string) http.Header {
	h := http.Header{
		"Content-Type":   {"application/json"},
		"Content-Length": {strconv.Itoa(len(a.Body))},
	}
	if a.ErrorType != "" {
		h.Set("X-Amzn-Errortype", a.ErrorType)
	}
	if requestID != "" {
		h.Set("X-Amzn-Requestid", requestID)
	}
	return h
}

// Write writes the answer to w.
func (a Answer) Write(w http.ResponseWriter) {
	for k, v := range a.Header("") {
		w.Header()[k] = v
	}
	w.WriteHeader(a.Status)
	_, _ = w.Write([]byte(a.Body))
}

// Unmatched is API Gateway's answer to a request that no route takes: an
// unknown path, or a method its resource does not have.
func Unmatched(api API) Answer {
	if api == HTTP {
		return Answer{Status: http.StatusNotFound, Body: `{"message":"Not Found"}`}
	}
	return Answer{Status: http.StatusForbidden, ErrorType: "MissingAuthenticationTokenException", Body: `{"message":"Missing Authentication Token"}`}
}

// Match finds the route API Gateway would pick for method and the request
// path (escaped, as sent): literal segments before {param} before
// {proxy+}, a method before ANY; a path of a route with CORS also answers
// OPTIONS (the preflight). Path parameters are percent-encoded, as API
// Gateway passes them. ok is false when no route takes the request.
func Match(routes []manifest.Route, method, escapedPath string) (rt manifest.Route, params map[string]string, ok bool) {
	parts := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	if escapedPath == "/" || escapedPath == "" {
		parts = nil
	}
	type candidate struct {
		route  manifest.Route
		params map[string]string
		score  []int
	}
	var best *candidate
	for _, rt := range routes {
		methodOK := rt.Method == method || rt.Method == "ANY" || (method == http.MethodOptions && rt.CORS != nil)
		if !methodOK {
			continue
		}
		p, score, ok := matchResource(rt.Path, parts)
		if !ok {
			continue
		}
		if rt.Method == method {
			score = append(score, 1)
		} else {
			score = append(score, 0)
		}
		if best == nil || slices.Compare(score, best.score) > 0 {
			best = &candidate{route: rt, params: p, score: score}
		}
	}
	if best == nil {
		return manifest.Route{}, nil, false
	}
	return best.route, best.params, true
}

// matchResource matches path parts against an API Gateway resource path,
// scoring each segment 2 for a literal, 1 for {param}, 0 for {proxy+}.
func matchResource(resource string, parts []string) (map[string]string, []int, bool) {
	var segs []string
	if resource != "/" {
		segs = strings.Split(strings.TrimPrefix(resource, "/"), "/")
	}
	params := map[string]string{}
	var score []int
	for i, s := range segs {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "+}") {
			if i >= len(parts) {
				return nil, nil, false
			}
			params[s[1:len(s)-2]] = strings.Join(parts[i:], "/")
			return params, append(score, 0), true
		}
		if i >= len(parts) || parts[i] == "" {
			return nil, nil, false
		}
		if strings.HasPrefix(s, "{") {
			params[s[1:len(s)-1]] = parts[i]
			score = append(score, 1)
			continue
		}
		if s != parts[i] {
			return nil, nil, false
		}
		score = append(score, 2)
	}
	if len(parts) != len(segs) {
		return nil, nil, false
	}
	return params, score, true
}

// EnvAPIType is the environment variable through which gochalice local
// tells the app's local server the API type of the stage
// (api_gateway_type: "REST" or "HTTP"); REST when unset.
const EnvAPIType = "GOCHALICE_LOCAL_API_TYPE"

// ParseAPI returns the API type a stage's api_gateway_type names: HTTP
// for "HTTP" (any case), REST otherwise.
func ParseAPI(s string) API {
	if strings.EqualFold(s, "HTTP") {
		return HTTP
	}
	return REST
}
