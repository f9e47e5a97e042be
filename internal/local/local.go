// Package local runs a gochalice project on this machine, as `gochalice
// local` does: it builds the app for the host, takes its manifest, prints
// its routes and runs it with the stage's environment variables, serving on
// 127.0.0.1; with Reload, it rebuilds and restarts the app when its Go
// sources or .chalice/config.json change.
package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gochalice/gochalice/internal/apigw"
	"github.com/gochalice/gochalice/internal/build"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// Options configures Run.
type Options struct {
	// ProjectDir holds the app's main package and .chalice/.
	ProjectDir string
	// Stage names the stage whose settings apply; it is passed to the app
	// as GOCHALICE_STAGE.
	Stage string
	// Host and Port are where the app listens (default 127.0.0.1:8000).
	Host, Port string
	// Env returns the environment variables of the API handler for the
	// stage. It is called before every (re)start, so configuration changes
	// apply on reload.
	Env func() (map[string]string, error)
	// IAMIdentity is the IAM user or role ARN the app gives callers of
	// routes behind the IAM authorizer (manifest.EnvLocalIAMARN); "" for
	// manifest.DefaultLocalIAMARN.
	IAMIdentity string
	// APIType is the stage's api_gateway_type ("REST" or "HTTP"), which
	// decides API Gateway's answer to a request no route takes (REST: 403
	// Missing Authentication Token; HTTP: 404 Not Found). When "", it is
	// read from .chalice/config.json at every (re)start.
	APIType string
	// Reload rebuilds and restarts the app when its sources change.
	Reload bool
	// PollInterval is how often sources are checked (default 500ms).
	PollInterval time.Duration
	// Stdout receives the route listing and the app's standard output;
	// Stderr the app's standard error and reload messages.
	Stdout, Stderr io.Writer
}

// PortError is a listen address that cannot be used, usually because
// another program (or another gochalice local) holds the port.
type PortError struct {
	Addr string
	Err  error
}

func (e *PortError) Error() string {
	return fmt.Sprintf("cannot serve on %s (%v): the port is taken or not allowed; stop what uses it or pass another with --port", e.Addr, e.Err)
}

func (e *PortError) Unwrap() error { return e.Err }

// AppExitError is an app that stopped on its own while local served it,
// or before it began to serve.
type AppExitError struct {
	Err error
}

func (e *AppExitError) Error() string {
	return fmt.Sprintf("the app exited (%v); its output is above", e.Err)
}

func (e *AppExitError) Unwrap() error { return e.Err }

// Run serves the project until ctx is done, then stops the app gracefully
// and returns nil.
//
// Run listens on Host:Port itself, before building, and forwards requests
// to the app, which it runs on a free port of 127.0.0.1: a taken port is a
// *PortError at once, a reload keeps the address, and every request is
// logged to Stderr (method, path, status, duration). The route listing
// ("Serving ...") is printed once the app answers. Run returns an
// *AppExitError if the app exits on its own, and the build's error if the
// first build fails.
func Run(ctx context.Context, opts Options) error {
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == "" {
		opts.Port = "8000"
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	if opts.Env == nil {
		opts.Env = func() (map[string]string, error) { return nil, nil }
	}
	if opts.Stdout == nil {
		opts.Stdout = io.Discard
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	addr := net.JoinHostPort(opts.Host, opts.Port)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &PortError{Addr: addr, Err: err}
	}
	baseURL := "http://" + ln.Addr().String()
	fwd := &forwarder{log: opts.Stderr}
	srv := &http.Server{Handler: fwd, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	defer func() {
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if srv.Shutdown(shutdown) != nil {
			_ = srv.Close()
		}
		<-served
	}()

	tmp, err := os.MkdirTemp("", "gochalice-local-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	gen := 0
	start := func() (*process, error) {
		gen++
		bin := filepath.Join(tmp, fmt.Sprintf("app-%d", gen))
		if err := build.Host(ctx, opts.ProjectDir, bin); err != nil {
			return nil, err
		}
		env, err := opts.Env()
		if err != nil {
			return nil, err
		}
		m, err := build.TakeManifest(ctx, bin, env)
		if err != nil {
			return nil, err
		}
		for _, w := range m.Warnings() {
			fmt.Fprintf(opts.Stderr, "warning: %s\n", w)
		}
		appPort, err := freePort()
		if err != nil {
			return nil, err
		}
		appAddr := net.JoinHostPort("127.0.0.1", appPort)
		api, err := apiType(opts)
		if err != nil {
			return nil, err
		}
		vars := map[string]string{
			manifest.EnvHost:  "127.0.0.1",
			manifest.EnvPort:  appPort,
			manifest.EnvStage: opts.Stage,
			apigw.EnvAPIType:  api,
		}
		if opts.IAMIdentity != "" {
			vars[manifest.EnvLocalIAMARN] = opts.IAMIdentity
		}
		// The app announces the address it listens on, which is local's
		// own business: the user's address is baseURL.
		stderr := &lineFilter{w: opts.Stderr, drop: func(line []byte) bool {
			return bytes.Contains(line, []byte("gochalice: serving")) && bytes.Contains(line, []byte(appAddr))
		}}
		p, err := startProcess(bin, build.Environ(os.Environ(), env, vars), opts.Stdout, stderr)
		if err != nil {
			return nil, err
		}
		if err := p.waitListening(ctx, appAddr); err != nil {
			p.stop()
			return nil, err
		}
		fwd.setTarget(&url.URL{Scheme: "http", Host: appAddr})
		PrintRoutes(opts.Stdout, m, baseURL)
		return p, nil
	}

	stamp, _ := fingerprint(opts.ProjectDir)
	p, err := start()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer func() { p.stop() }()

	var tick <-chan time.Time
	if opts.Reload {
		t := time.NewTicker(opts.PollInterval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-p.done:
			if ctx.Err() != nil {
				return nil
			}
			return &AppExitError{Err: p.err}
		case <-tick:
			s, err := fingerprint(opts.ProjectDir)
			if err != nil || s == stamp {
				continue
			}
			stamp = s
			fmt.Fprintln(opts.Stderr, "gochalice: sources changed; rebuilding")
			// Stop first: the app's environment or routes may change.
			fwd.setTarget(nil)
			p.stop()
			next, err := start()
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				fmt.Fprintf(opts.Stderr, "gochalice: %v\ngochalice: fix the error and save again; nothing is serving until then\n", err)
				p = waitingProcess()
				continue
			}
			p = next
		}
	}
}

// apiType is the API type of the stage: opts.APIType, else the stage's
// api_gateway_type in .chalice/config.json (REST without one).
func apiType(opts Options) (string, error) {
	if opts.APIType != "" {
		return opts.APIType, nil
	}
	if _, err := os.Stat(filepath.Join(opts.ProjectDir, stages.ConfigFile)); errors.Is(err, fs.ErrNotExist) {
		return stages.DefaultAPIGatewayType, nil
	}
	cfg, err := stages.Load(opts.ProjectDir)
	if err != nil {
		return "", err
	}
	s, err := cfg.Resolve(opts.Stage, manifest.APIHandlerName)
	if err != nil {
		return "", err
	}
	return s.APIGatewayType, nil
}

// freePort returns a port of 127.0.0.1 that nothing listens on now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port for the app: %w", err)
	}
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	return port, err
}

// PrintRoutes writes the app's routes and functions as gochalice local
// shows them.
func PrintRoutes(w io.Writer, m *manifest.Manifest, baseURL string) {
	fmt.Fprintf(w, "Serving %s on %s\n", m.AppName, baseURL)
	for _, r := range m.Routes {
		fmt.Fprintf(w, "  %-7s %s\n", r.Method, r.Path)
	}
	for _, f := range m.Functions {
		switch f.Kind {
		case manifest.KindAPI:
		case manifest.KindAuthorizer:
			fmt.Fprintf(w, "  (authorizer %s runs for the routes it protects)\n", f.Name)
		default:
			fmt.Fprintf(w, "  (%s %s is not served; run it with gochalice invoke --local --name %s)\n", f.Kind, f.Name, f.Name)
		}
	}
}

// process is a running app.
type process struct {
	cmd *exec.Cmd
	// done is closed when the process has exited; err is then its
	// exit status.
	done chan struct{}
	err  error
}

func startProcess(bin string, env []string, stdout io.Writer, stderr *lineFilter) (*process, error) {
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the app: %w", err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		stderr.flush()
		close(p.done)
	}()
	return p, nil
}

// waitingProcess stands for no process, while a broken build waits to be
// fixed: it never exits.
func waitingProcess() *process { return &process{done: make(chan struct{})} }

// waitListening waits until the app accepts connections on addr. It fails
// if the app exits first, or after a minute.
func (p *process) waitListening(ctx context.Context, addr string) error {
	deadline := time.NewTimer(time.Minute)
	defer deadline.Stop()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		select {
		case <-p.done:
			return &AppExitError{Err: p.err}
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			return fmt.Errorf("the app did not listen on %s within a minute of starting", addr)
		case <-tick.C:
		}
	}
}

// stop asks the app to shut down (SIGINT), kills it after 5 s, and waits
// for it to exit. Stopping a process that has exited does nothing.
func (p *process) stop() {
	if p.cmd == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// fingerprint summarises the names, sizes and times of the project's Go
// files, go.mod, go.sum and .chalice/config.json.
func fingerprint(dir string) (string, error) {
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if path != dir && name != ".chalice" && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") && name != "go.mod" && name != "go.sum" && name != "config.json" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		fmt.Fprintf(h, "%s\x00%d\x00%d\n", path, info.Size(), info.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
