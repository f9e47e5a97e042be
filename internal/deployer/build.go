package deployer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// BuildError is a failed `go build`, with the compiler's output.
type BuildError struct {
	Dir    string
	Output string
	Err    error
}

func (e *BuildError) Error() string {
	return fmt.Sprintf("go build in %s: %v\n%s", e.Dir, e.Err, strings.TrimSpace(e.Output))
}

func (e *BuildError) Unwrap() error { return e.Err }

// BuildHost builds the main package in dir for this machine into out.
func BuildHost(ctx context.Context, dir, out string) error {
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
		return &BuildError{Dir: dir, Output: output.String(), Err: err}
	}
	return nil
}

// ManifestError is an app binary that failed to print its manifest: most
// often a registration panic ("gochalice: ...") in the user's code.
type ManifestError struct {
	Binary string
	Stderr string
	Err    error
}

func (e *ManifestError) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		return fmt.Sprintf("take the manifest of %s: %v", e.Binary, e.Err)
	}
	return fmt.Sprintf("take the manifest of %s: %v\n%s", e.Binary, e.Err, msg)
}

func (e *ManifestError) Unwrap() error { return e.Err }

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
	m, err := manifest.Parse(&stdout)
	if err != nil {
		return nil, &ManifestError{Binary: binary, Stderr: stderr.String(), Err: err}
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
