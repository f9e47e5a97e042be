package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/internal/build"
	"github.com/gochalice/gochalice/manifest"
)

// InvokeOptions configures Invoke.
type InvokeOptions struct {
	// ProjectDir holds the app's main package and .chalice/.
	ProjectDir string
	// Stage names the stage whose settings apply; it is passed to the app
	// as GOCHALICE_STAGE.
	Stage string
	// Function is the function to run, as the app registers it.
	Function string
	// Event is the event (JSON) to run the function with. When nil, a
	// sample event is generated: of EventKind when it is set, else of the
	// kind the function's event source sends.
	Event []byte
	// EventKind names the sample event to generate (see
	// apptest.SampleEventKinds); ignored when Event is set.
	EventKind string
	// Env returns a function's environment variables for the stage.
	Env func(function string) (map[string]string, error)
	// Stdout receives the function's response (JSON); Stderr its logs and
	// warnings about the event.
	Stdout, Stderr io.Writer
}

// HandlerError is a function that ran and failed: its handler returned an
// error (written to Stderr by the app) or it crashed.
type HandlerError struct {
	Function string
	Err      error
}

func (e *HandlerError) Error() string {
	return fmt.Sprintf("function %s failed (%v); its error is above", e.Function, e.Err)
}

func (e *HandlerError) Unwrap() error { return e.Err }

// UnknownFunctionError is an Invoke of a name the app does not register.
type UnknownFunctionError struct {
	Function string
	Known    []string
}

func (e *UnknownFunctionError) Error() string {
	return fmt.Sprintf("the app has no function %q: use --name with one of %s", e.Function, strings.Join(e.Known, ", "))
}

// EventKinds returns the sample event kinds (apptest.SampleEventKinds)
// that a function of kind k receives, the one its source usually sends
// first; none for a plain function, which takes any JSON.
func EventKinds(k manifest.Kind) []string {
	switch k {
	case manifest.KindAPI:
		return []string{"apigateway", "apigateway-v2"}
	case manifest.KindAuthorizer:
		return []string{"authorizer-request", "authorizer-token"}
	case manifest.KindSchedule:
		return []string{"schedule"}
	case manifest.KindEventBridge:
		return []string{"eventbridge"}
	case manifest.KindSQS:
		return []string{"sqs"}
	case manifest.KindSNS:
		return []string{"sns"}
	case manifest.KindS3:
		return []string{"s3"}
	case manifest.KindKinesis:
		return []string{"kinesis"}
	case manifest.KindDynamoDBStream:
		return []string{"dynamodb"}
	case manifest.KindFunction, manifest.KindWebSocketConnect, manifest.KindWebSocketMessage, manifest.KindWebSocketDisconnect:
		// A plain function takes any JSON; there are no sample
		// WebSocket events yet.
		return nil
	}
	return nil
}

// Invoke builds the project for this machine and runs one of its
// functions once, as Lambda would, with the event on standard input
// (manifest.EnvInvoke): the response goes to Stdout, the function's logs to
// Stderr. It returns a *HandlerError when the function fails and an
// *UnknownFunctionError when the app has no such function.
func Invoke(ctx context.Context, opts InvokeOptions) error {
	if opts.Env == nil {
		opts.Env = func(string) (map[string]string, error) { return nil, nil }
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	if opts.Event == nil && opts.EventKind != "" && !slices.Contains(apptest.SampleEventKinds(), opts.EventKind) {
		return fmt.Errorf("--event %s: no such sample event: use one of %s", opts.EventKind, strings.Join(apptest.SampleEventKinds(), ", "))
	}
	env, err := opts.Env(opts.Function)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "gochalice-invoke-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "app")
	if err := build.Host(ctx, opts.ProjectDir, bin); err != nil {
		return err
	}
	m, err := build.TakeManifest(ctx, bin, env)
	if err != nil {
		return err
	}
	fn, ok := m.Function(opts.Function)
	if !ok {
		var names []string
		for _, f := range m.Functions {
			names = append(names, f.Name)
		}
		return &UnknownFunctionError{Function: opts.Function, Known: names}
	}
	event := opts.Event
	if event == nil {
		if event, err = sampleEvent(fn, opts.EventKind, opts.Stderr); err != nil {
			return err
		}
		kind := opts.EventKind
		if kind == "" && fn.Kind == manifest.KindAPI {
			kind = "apigateway"
		}
		if rt, ok := sampleRoute(m.Routes); ok && (kind == "apigateway" || kind == "apigateway-v2") {
			if event, err = aimAtRoute(event, kind, rt); err != nil {
				return err
			}
			fmt.Fprintf(opts.Stderr, "gochalice: sample request %s %s (route %s); give --payload FILE for another\n", routeMethod(rt), samplePath(rt.Path), rt.Pattern)
		}
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = build.Environ(os.Environ(), env, map[string]string{
		manifest.EnvInvoke: fn.Name,
		manifest.EnvStage:  opts.Stage,
	})
	cmd.Stdin = bytes.NewReader(event)
	cmd.Stdout, cmd.Stderr = opts.Stdout, opts.Stderr
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return &HandlerError{Function: fn.Name, Err: err}
		}
		return fmt.Errorf("run function %s: %w", fn.Name, err)
	}
	return nil
}

// sampleEvent generates the event of kind (or of fn's source), warning
// when fn does not receive events of that kind.
func sampleEvent(fn manifest.Function, kind string, warn io.Writer) ([]byte, error) {
	if kind == "" {
		event, err := apptest.SampleEvent(fn)
		if err != nil {
			return nil, fmt.Errorf("function %s (%s): %w; give the event with --payload FILE or --event KIND", fn.Name, fn.Kind, err)
		}
		return event, nil
	}
	if own := EventKinds(fn.Kind); len(own) > 0 && !slices.Contains(own, kind) {
		fmt.Fprintf(warn, "gochalice: warning: --event %s does not fit function %s (kind %s, which receives %s events); running it anyway\n", kind, fn.Name, fn.Kind, strings.Join(own, " or "))
	}
	event, err := apptest.SampleEventOf(kind, fn)
	if err != nil {
		return nil, fmt.Errorf("function %s: sample %s event: %w", fn.Name, kind, err)
	}
	return event, nil
}

// sampleRoute picks the route a sample API request asks for: a GET route
// if there is one, the fewest path parameters first; else the first route.
func sampleRoute(routes []manifest.Route) (manifest.Route, bool) {
	if len(routes) == 0 {
		return manifest.Route{}, false
	}
	best := routes[0]
	score := func(r manifest.Route) int {
		s := strings.Count(r.Path, "{") * 2
		if r.Method != "GET" && r.Method != "ANY" {
			s += 100
		}
		if r.Authorizer != "" || r.APIKeyRequired {
			s++
		}
		return s
	}
	for _, r := range routes[1:] {
		if score(r) < score(best) {
			best = r
		}
	}
	return best, true
}

func routeMethod(r manifest.Route) string {
	if r.Method == "ANY" {
		return "GET"
	}
	return r.Method
}

// samplePath fills an API Gateway resource path's parameters: "{id}"
// becomes "1", a greedy "{path+}" becomes "sample".
func samplePath(resource string) string {
	parts := strings.Split(resource, "/")
	for i, p := range parts {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			parts[i] = "sample"
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			parts[i] = "1"
		}
	}
	return strings.Join(parts, "/")
}

// pathParameters are the values samplePath gives the route's parameters.
func pathParameters(resource string) map[string]string {
	params := map[string]string{}
	for _, p := range strings.Split(resource, "/") {
		switch {
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "+}"):
			params[strings.TrimSuffix(strings.TrimPrefix(p, "{"), "+}")] = "sample"
		case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
			params[strings.TrimSuffix(strings.TrimPrefix(p, "{"), "}")] = "1"
		}
	}
	if len(params) == 0 {
		return nil
	}
	return params
}

// aimAtRoute rewrites a sample API Gateway request (kind "apigateway",
// REST; or "apigateway-v2", HTTP API) to ask for rt, so that invoking the
// API handler with it reaches a route of the app rather than API
// Gateway's 403 for a path the app does not have.
func aimAtRoute(event []byte, kind string, rt manifest.Route) ([]byte, error) {
	method, path, params := routeMethod(rt), samplePath(rt.Path), pathParameters(rt.Path)
	var v any
	switch kind {
	case "apigateway":
		var req events.APIGatewayProxyRequest
		if err := json.Unmarshal(event, &req); err != nil {
			return nil, fmt.Errorf("sample apigateway event: %w", err)
		}
		req.HTTPMethod, req.Path, req.Resource, req.PathParameters = method, path, rt.Path, params
		req.RequestContext.HTTPMethod, req.RequestContext.ResourcePath = method, rt.Path
		req.RequestContext.Path = "/" + req.RequestContext.Stage + path
		v = req
	case "apigateway-v2":
		var req events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(event, &req); err != nil {
			return nil, fmt.Errorf("sample apigateway-v2 event: %w", err)
		}
		routeKey := method + " " + rt.Path
		req.RouteKey, req.RawPath, req.PathParameters = routeKey, path, params
		req.RequestContext.RouteKey, req.RequestContext.HTTP.Method, req.RequestContext.HTTP.Path = routeKey, method, path
		v = req
	default:
		return event, nil
	}
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
