// Package local runs a gochalice project on this machine, as `gochalice
// local` does: it builds the app for the host, takes its manifest, prints
// its routes and runs it with the stage's environment variables, serving on
// 127.0.0.1; with Reload, it rebuilds and restarts the app when its Go
// sources or .chalice/config.json change.
package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gochalice/gochalice/internal/deployer"
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
	// Reload rebuilds and restarts the app when its sources change.
	Reload bool
	// PollInterval is how often sources are checked (default 500ms).
	PollInterval time.Duration
	// Stdout receives the route listing and the app's standard output;
	// Stderr the app's standard error and reload messages.
	Stdout, Stderr io.Writer
}

// Run serves the project until ctx is done, then stops the app gracefully
// and returns nil. It returns an error if the first build fails, or if the
// app exits on its own (for example because the port is taken).
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
	tmp, err := os.MkdirTemp("", "gochalice-local-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	gen := 0
	start := func() (*process, error) {
		gen++
		bin := filepath.Join(tmp, fmt.Sprintf("app-%d", gen))
		if err := deployer.BuildHost(ctx, opts.ProjectDir, bin); err != nil {
			return nil, err
		}
		env, err := opts.Env()
		if err != nil {
			return nil, err
		}
		m, err := deployer.TakeManifest(ctx, bin, env)
		if err != nil {
			return nil, err
		}
		vars := map[string]string{
			manifest.EnvHost:  opts.Host,
			manifest.EnvPort:  opts.Port,
			manifest.EnvStage: opts.Stage,
		}
		if opts.IAMIdentity != "" {
			vars[manifest.EnvLocalIAMARN] = opts.IAMIdentity
		}
		p, err := startProcess(bin, deployer.Environ(os.Environ(), env, vars), opts.Stdout, opts.Stderr)
		if err != nil {
			return nil, err
		}
		PrintRoutes(opts.Stdout, m, "http://"+net.JoinHostPort(opts.Host, opts.Port))
		return p, nil
	}

	stamp, _ := fingerprint(opts.ProjectDir)
	p, err := start()
	if err != nil {
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
		case err := <-p.exited:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("the app exited: %v", err)
		case <-tick:
			s, err := fingerprint(opts.ProjectDir)
			if err != nil || s == stamp {
				continue
			}
			stamp = s
			fmt.Fprintln(opts.Stderr, "gochalice: sources changed; rebuilding")
			// Stop first: the new process needs the port.
			p.stop()
			next, err := start()
			if err != nil {
				fmt.Fprintf(opts.Stderr, "gochalice: %v\ngochalice: fix the error and save again; nothing is serving until then\n", err)
				p = waitingProcess()
				continue
			}
			p = next
		}
	}
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

type process struct {
	cmd    *exec.Cmd
	exited chan error
}

func startProcess(bin string, env []string, stdout, stderr io.Writer) (*process, error) {
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the app: %w", err)
	}
	p := &process{cmd: cmd, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	return p, nil
}

// waitingProcess stands for no process, while a broken build waits to be
// fixed.
func waitingProcess() *process { return &process{exited: make(chan error)} }

// stop asks the app to shut down (SIGINT), and kills it after 5 s.
func (p *process) stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.cmd = nil
	p.exited = make(chan error)
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
