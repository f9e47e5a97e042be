package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gochalice/gochalice/internal/apigw"
	"github.com/gochalice/gochalice/manifest"
)

// Run serves the app, choosing what to do from the environment:
//
//   - GOCHALICE_MANIFEST set: print the manifest as JSON on standard output
//     and exit 0 (how the deployer learns what the app contains);
//   - GOCHALICE_INVOKE set to a function's name: read one JSON event from
//     standard input, run that function with it, print its JSON response on
//     standard output and exit 0, or print the error on standard error and
//     exit 1 (how gochalice invoke --local runs a function);
//   - AWS_LAMBDA_RUNTIME_API set (on Lambda): serve the function named by
//     GOCHALICE_HANDLER through the Lambda runtime API, the API handler
//     ("api_handler", every route) when it is unset;
//   - otherwise: serve the routes on http://127.0.0.1:8000, or on
//     GOCHALICE_HOST and GOCHALICE_PORT, until SIGINT or SIGTERM, with
//     authorizers applied in local mode (see the package documentation).
//
// Run exits the process with status 1 on an error.
func (a *App) Run() {
	if err := a.run(context.Background(), os.Getenv, os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gochalice:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func (a *App) run(ctx context.Context, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	switch {
	case getenv(manifest.EnvManifest) != "":
		m := a.Manifest()
		data, err := m.MarshalIndent()
		if err != nil {
			return fmt.Errorf("encode manifest: %w", err)
		}
		_, err = stdout.Write(data)
		return err
	case getenv(manifest.EnvInvoke) != "":
		return a.invokeOnce(ctx, getenv(manifest.EnvInvoke), stdin, stdout)
	case getenv("AWS_LAMBDA_RUNTIME_API") != "":
		name := getenv(manifest.EnvHandler)
		if name == "" {
			name = manifest.APIHandlerName
		}
		fn, err := a.lookup(name)
		if err != nil {
			return fmt.Errorf("%s=%q: %w", manifest.EnvHandler, name, err)
		}
		lambda.StartWithOptions(lambdaHandler(fn), lambda.WithContext(ctx))
		return nil
	default:
		host, port := getenv(manifest.EnvHost), getenv(manifest.EnvPort)
		if host == "" {
			host = "127.0.0.1"
		}
		if port == "" {
			port = "8000"
		}
		ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
		defer stop()
		ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
		if err != nil {
			return fmt.Errorf("local server: %w (set %s to use another port)", err, manifest.EnvPort)
		}
		a.logger().Info("gochalice: serving "+a.name, "url", "http://"+ln.Addr().String())
		return a.serve(ctx, ln, getenv(manifest.EnvStage), getenv)
	}
}

// invokeOnce runs one function with the event read from stdin and writes
// its response, followed by a newline, to stdout.
func (a *App) invokeOnce(ctx context.Context, name string, stdin io.Reader, stdout io.Writer) error {
	fn, err := a.lookup(name)
	if err != nil {
		return fmt.Errorf("%s=%q: %w", manifest.EnvInvoke, name, err)
	}
	payload, err := io.ReadAll(stdin)
	if err != nil {
		return fmt.Errorf("%s: read the event from standard input: %w", name, err)
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		return fmt.Errorf("%s: no event on standard input: give a JSON event (gochalice invoke --local makes one with --event)", name)
	}
	if !json.Valid(payload) {
		return fmt.Errorf("%s: the event on standard input is not valid JSON", name)
	}
	out, err := fn(ctx, payload)
	if err != nil {
		return err
	}
	_, err = stdout.Write(append(out, '\n'))
	return err
}

// lambdaHandler adapts an invoke function to lambda.Handler.
type lambdaHandler func(context.Context, []byte) ([]byte, error)

func (h lambdaHandler) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return h(ctx, payload)
}

// Serve serves the routes on ln as the local server does until ctx is
// done, then shuts down gracefully (waiting up to 5 s for requests in
// flight). Requests carry a RequestContext with the given stage ("local"
// when empty), API id "local" and a random request id.
//
// Routes with an authorizer or an API key are served in local mode (see
// the package documentation); the identity of IAM callers is
// GOCHALICE_LOCAL_IAM_ARN, or manifest.DefaultLocalIAMARN. A request no
// route takes gets API Gateway's answer for the stage's API type, which
// gochalice local passes as GOCHALICE_LOCAL_API_TYPE ("HTTP", else REST).
func (a *App) Serve(ctx context.Context, ln net.Listener, stage string) error {
	return a.serve(ctx, ln, stage, os.Getenv)
}

func (a *App) serve(ctx context.Context, ln net.Listener, stage string, getenv func(string) string) error {
	if stage == "" {
		stage = "local"
	}
	h := a.localHandler(apigw.ParseAPI(getenv(apigw.EnvAPIType)), apigw.Config{Stage: stage, IAMARN: getenv(manifest.EnvLocalIAMARN)})
	h = a.withWebSocket(stage, h)
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		// Requests keep ctx's values but not its cancellation: Shutdown
		// lets requests in flight finish.
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := &RequestContext{Stage: stage, APIID: "local", RequestID: strconv.FormatUint(rand.Uint64(), 16)}
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localKey{}, rc)))
		}),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		_ = srv.Close()
		return fmt.Errorf("local server shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Manifest describes what the app contains: the contract with the
// deployer (see package manifest).
func (a *App) Manifest() *manifest.Manifest {
	m := &manifest.Manifest{
		SchemaVersion: manifest.SchemaVersion,
		AppName:       a.name,
		BinaryTypes:   slices.Clone(a.BinaryTypes),
		Routes:        []manifest.Route{},
		Functions:     []manifest.Function{},
	}
	for _, rt := range a.routes {
		mr := manifest.Route{
			Pattern:        rt.pattern,
			Method:         rt.methodOrAny(),
			Path:           rt.apiPath(),
			Handler:        rt.info,
			CORS:           cloneCORS(rt.cors),
			ContentTypes:   slices.Clone(rt.config.contentTypes),
			BinaryTypes:    slices.Clone(rt.config.binaryTypes),
			APIKeyRequired: rt.config.apiKey,
		}
		if rt.auth != nil {
			mr.Authorizer = rt.auth.Name
			mr.AuthorizationScopes = slices.Clone(rt.config.scopes)
		}
		m.Routes = append(m.Routes, mr)
		for _, bt := range rt.config.binaryTypes {
			if !slices.Contains(m.BinaryTypes, bt) {
				m.BinaryTypes = append(m.BinaryTypes, bt)
			}
		}
	}
	for _, au := range a.authorizers {
		c := *au
		c.ProviderARNs = slices.Clone(au.ProviderARNs)
		c.Audience = slices.Clone(au.Audience)
		c.IdentitySources = slices.Clone(au.IdentitySources)
		m.Authorizers = append(m.Authorizers, c)
	}
	if len(a.routes) > 0 {
		m.Functions = append(m.Functions, manifest.Function{Name: manifest.APIHandlerName, Kind: manifest.KindAPI})
	}
	for _, f := range a.functions {
		mf := cloneSource(f.source)
		mf.Name, mf.Kind, mf.Handler = f.name, f.kind, f.info
		m.Functions = append(m.Functions, mf)
	}
	m.Sort()
	return m
}

func cloneCORS(c *manifest.CORS) *manifest.CORS {
	if c == nil {
		return nil
	}
	d := *c
	d.AllowHeaders = slices.Clone(c.AllowHeaders)
	d.ExposeHeaders = slices.Clone(c.ExposeHeaders)
	return &d
}

// cloneSource copies the event source fields of a function's manifest
// entry, so that a Manifest is a snapshot the caller may change.
func cloneSource(f manifest.Function) manifest.Function {
	out := manifest.Function{
		DynamoDBStream: clonePtr(f.DynamoDBStream),
		Schedule:       clonePtr(f.Schedule),
		EventBridge:    clonePtr(f.EventBridge),
		SQS:            clonePtr(f.SQS),
		SNS:            clonePtr(f.SNS),
		S3:             clonePtr(f.S3),
		Kinesis:        clonePtr(f.Kinesis),
		OnFailure:      clonePtr(f.OnFailure),
	}
	if out.S3 != nil {
		out.S3.Events = slices.Clone(out.S3.Events)
	}
	if o := out.OnFailure; o != nil {
		o.MaximumRetryAttempts = clonePtr(o.MaximumRetryAttempts)
		o.MaximumAgeInSeconds = clonePtr(o.MaximumAgeInSeconds)
	}
	return out
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
