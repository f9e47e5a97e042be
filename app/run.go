package app

import (
	"context"
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

	"github.com/gochalice/gochalice/manifest"
)

// Run serves the app, choosing what to do from the environment:
//
//   - GOCHALICE_MANIFEST set: print the manifest as JSON on standard output
//     and exit 0 (how the deployer learns what the app contains);
//   - AWS_LAMBDA_RUNTIME_API set (on Lambda): serve the function named by
//     GOCHALICE_HANDLER through the Lambda runtime API, the API handler
//     ("api_handler", every route) when it is unset;
//   - otherwise: serve the routes on http://127.0.0.1:8000, or on
//     GOCHALICE_HOST and GOCHALICE_PORT, until SIGINT or SIGTERM.
//
// Run exits the process with status 1 on an error.
func (a *App) Run() {
	if err := a.run(context.Background(), os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "gochalice:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func (a *App) run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	switch {
	case getenv(manifest.EnvManifest) != "":
		m := a.Manifest()
		data, err := m.MarshalIndent()
		if err != nil {
			return fmt.Errorf("encode manifest: %w", err)
		}
		_, err = stdout.Write(data)
		return err
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
		return a.Serve(ctx, ln, getenv(manifest.EnvStage))
	}
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
func (a *App) Serve(ctx context.Context, ln net.Listener, stage string) error {
	if stage == "" {
		stage = "local"
	}
	h := a.Handler()
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
		m.Routes = append(m.Routes, manifest.Route{
			Pattern:      rt.pattern,
			Method:       rt.methodOrAny(),
			Path:         rt.apiPath(),
			Handler:      rt.info,
			CORS:         rt.cors,
			ContentTypes: slices.Clone(rt.config.contentTypes),
			BinaryTypes:  slices.Clone(rt.config.binaryTypes),
		})
		for _, bt := range rt.config.binaryTypes {
			if !slices.Contains(m.BinaryTypes, bt) {
				m.BinaryTypes = append(m.BinaryTypes, bt)
			}
		}
	}
	if len(a.routes) > 0 {
		m.Functions = append(m.Functions, manifest.Function{Name: manifest.APIHandlerName, Kind: manifest.KindAPI})
	}
	for _, f := range a.functions {
		mf := manifest.Function{Name: f.name, Kind: f.kind, Handler: f.info}
		if f.dynamoDB != nil {
			d := *f.dynamoDB
			mf.DynamoDBStream = &d
		}
		m.Functions = append(m.Functions, mf)
	}
	m.Sort()
	return m
}
