// Package build builds a gochalice app: for the host (gochalice local,
// and taking the manifest) and for Lambda (the zip every function runs),
// and takes the app's manifest by running the host build. It needs only
// the go command and the standard library, so gochalice local links
// neither the deployer nor the AWS SDK.
package build

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// Error is a failed `go build`, with the compiler's output.
type Error struct {
	Dir    string
	Output string
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("go build in %s: %v\n%s", e.Dir, e.Err, strings.TrimSpace(e.Output))
}

func (e *Error) Unwrap() error { return e.Err }

// Host builds the main package in dir for this machine into out.
func Host(ctx context.Context, dir, out string) error {
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	if runtime.GOOS == "windows" && !strings.HasSuffix(abs, ".exe") {
		abs += ".exe"
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", abs, ".")
	cmd.Dir = dir
	var output bytes.Buffer
	cmd.Stdout, cmd.Stderr = &output, &output
	if err := cmd.Run(); err != nil {
		return &Error{Dir: dir, Output: output.String(), Err: err}
	}
	return nil
}

// ManifestError is an app binary that failed to print its manifest: most
// often a registration panic ("gochalice: ...") in the user's code, or a
// main that never calls Run.
type ManifestError struct {
	Binary string
	// Stderr is all the binary wrote to standard error, with a panic's
	// goroutine trace; Error shows it only if Debug is set.
	Stderr string
	// NoManifest is a binary that exited without printing anything.
	NoManifest bool
	Debug      bool
	Err        error
}

func (e *ManifestError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if e.Debug {
		if msg == "" {
			return fmt.Sprintf("take the manifest of %s: %v", e.Binary, e.Err)
		}
		return fmt.Sprintf("take the manifest of %s: %v\n%s", e.Binary, e.Err, msg)
	}
	if p, ok := registrationPanic(msg); ok {
		return p + "\n(the Go trace is shown with --debug)"
	}
	if e.NoManifest {
		s := fmt.Sprintf("take the manifest of %s: the program printed no manifest: the app's main must call Run() on its app (app.New(...).Run()) after registering every route and handler", e.Binary)
		if msg != "" {
			s += "\n" + msg
		}
		return s
	}
	if msg == "" {
		return fmt.Sprintf("take the manifest of %s: %v", e.Binary, e.Err)
	}
	return fmt.Sprintf("take the manifest of %s: %v\n%s", e.Binary, e.Err, msg)
}

func (e *ManifestError) Unwrap() error { return e.Err }

// appPackage is the import path of the app library: its frames in a
// registration panic's trace are gochalice's, not the user's.
const appPackage = "github.com/gochalice/gochalice/app"

// registrationPanic reads what a binary wrote to standard error when
// registration panicked with a "gochalice: " message, and returns that
// message (without the prefix, which main prints) with the file:line of the user's call that registered the
// mistake, the first frame of the trace outside the app library and the
// runtime.
func registrationPanic(stderr string) (string, bool) {
	const prefix = "panic: gochalice: "
	i := strings.Index(stderr, prefix)
	if i < 0 {
		return "", false
	}
	// gochalice's main prints errors after "gochalice: " already.
	rest := stderr[i+len(prefix):]
	msg, trace, _ := strings.Cut(rest, "\n\ngoroutine ")
	msg = strings.TrimSuffix(strings.TrimSpace(msg), " [recovered]")
	// The first line is the rest of "goroutine 1 [running]:".
	lines := strings.Split(trace, "\n")
	for j := 1; j+1 < len(lines); j++ {
		fn := lines[j]
		if fn == "" || strings.HasPrefix(fn, "\t") || strings.HasPrefix(fn, "panic(") ||
			strings.HasPrefix(fn, "runtime.") || strings.HasPrefix(fn, appPackage+".") || strings.HasPrefix(fn, appPackage+"/") {
			continue
		}
		loc := strings.TrimSpace(lines[j+1])
		if k := strings.LastIndex(loc, " +0x"); k >= 0 {
			loc = loc[:k]
		}
		if loc != "" {
			return fmt.Sprintf("%s\n\tregistered at %s", msg, loc), true
		}
		break
	}
	return msg, true
}

// TakeManifest runs an app binary with GOCHALICE_MANIFEST set and the given
// environment variables added to this process's, and parses the manifest it
// prints. AWS_LAMBDA_RUNTIME_API is removed so the binary cannot mistake
// itself for a Lambda function.
func TakeManifest(ctx context.Context, binary string, env map[string]string) (*manifest.Manifest, error) {
	cmd := exec.CommandContext(ctx, binary)
	cmd.Env = Environ(os.Environ(), env, map[string]string{manifest.EnvManifest: "1"})
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &ManifestError{Binary: binary, Stderr: stderr.String(), Err: err}
	}
	if len(bytes.TrimSpace(stdout.Bytes())) == 0 {
		return nil, &ManifestError{Binary: binary, Stderr: stderr.String(), NoManifest: true, Err: errors.New("no manifest printed")}
	}
	m, err := manifest.Parse(&stdout)
	if err != nil {
		return nil, &ManifestError{Binary: binary, Stderr: stderr.String(), Err: err}
	}
	return m, nil
}

// StageManifest takes the manifest of an app binary with base set, then
// takes it again for every function whose variables (from env) differ,
// and uses that function's entry from its own run: a stream ARN a
// function reads with os.Getenv at registration resolves to its stage's
// value.
func StageManifest(ctx context.Context, binary string, env func(function string) (map[string]string, error), base map[string]string) (*manifest.Manifest, error) {
	m, err := TakeManifest(ctx, binary, base)
	if err != nil {
		return nil, err
	}
	key := func(e map[string]string) string { data, _ := json.Marshal(e); return string(data) }
	runs := map[string]*manifest.Manifest{key(base): m}
	for i, fn := range m.Functions {
		e, err := env(fn.Name)
		if err != nil {
			return nil, err
		}
		k := key(e)
		other, ok := runs[k]
		if !ok {
			if other, err = TakeManifest(ctx, binary, e); err != nil {
				return nil, err
			}
			runs[k] = other
		}
		if f, ok := other.Function(fn.Name); ok {
			m.Functions[i] = f
		}
	}
	return m, nil
}

// Environ returns base (KEY=VALUE entries) with the variables of each
// overlay set in order, later ones winning, sorted, and without
// AWS_LAMBDA_RUNTIME_API.
func Environ(base []string, overlays ...map[string]string) []string {
	vars := map[string]string{}
	for _, kv := range base {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	for _, o := range overlays {
		for k, v := range o {
			vars[k] = v
		}
	}
	delete(vars, "AWS_LAMBDA_RUNTIME_API")
	out := make([]string, 0, len(vars))
	for k, v := range vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}
