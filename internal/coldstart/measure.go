package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

const modulePath = "github.com/gochalice/gochalice"

// nextPath is the Runtime API path a function polls for its next event.
const nextPath = "/2018-06-01/runtime/invocation/next"

// target is a program to measure.
type target struct {
	Name    string // short name, also the binary's file name
	Package string // import path, built by build
	Bin     string // or a binary built already
}

// targets are the binaries compared, the baseline first.
func targets() []target {
	return []target{
		{Name: "hello", Package: modulePath + "/internal/coldstart/testdata/hello"},
		{Name: "scaffold", Package: modulePath + "/internal/coldstart/testdata/scaffold"},
		{Name: "savealife", Package: modulePath + "/examples/savealife"},
	}
}

// build compiles t into dir and returns the binary's path. asLambda builds
// it as the deployer builds a Lambda binary (-tags lambda.norpc, -trimpath,
// CGO_ENABLED=0), but for the host; otherwise with go build's defaults.
func build(ctx context.Context, dir string, t target, asLambda bool) (string, error) {
	bin := filepath.Join(dir, t.Name)
	args := []string{"build", "-o", bin}
	env := os.Environ()
	if asLambda {
		args = append(args, "-tags", "lambda.norpc", "-trimpath")
		env = append(env, "CGO_ENABLED=0")
	}
	cmd := exec.CommandContext(ctx, "go", append(args, t.Package)...)
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", t.Package, err, out)
	}
	return bin, nil
}

// lambdaEnv is the environment of a function on Lambda, as far as start-up
// can tell: the Runtime API at addr, static credentials and a region (so
// the AWS SDK looks for nothing else), and a home without AWS config files.
func lambdaEnv(addr, home string) []string {
	return []string{
		"AWS_LAMBDA_RUNTIME_API=" + addr,
		"AWS_LAMBDA_FUNCTION_NAME=coldstart",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"AWS_SESSION_TOKEN=coldstart",
		"HOME=" + home,
		"TZ=:UTC",
		"TABLE_NAME=savealife-donors",
		"STREAM_ARN=arn:aws:dynamodb:us-east-1:123456789012:table/savealife-donors/stream/2026-01-01T00:00:00.000",
	}
}

// fakeRuntime is a Lambda Runtime API that notes the time of each poll
// for the next event and never answers it.
type fakeRuntime struct {
	srv   *httptest.Server
	polls chan time.Time
}

func newFakeRuntime() *fakeRuntime {
	rt := &fakeRuntime{polls: make(chan time.Time, 1)}
	rt.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != nextPath {
			http.NotFound(w, r)
			return
		}
		select {
		case rt.polls <- time.Now():
		default:
		}
		<-r.Context().Done() // the function is killed while it waits
	}))
	return rt
}

// Addr is the host:port for AWS_LAMBDA_RUNTIME_API.
func (rt *fakeRuntime) Addr() string { return strings.TrimPrefix(rt.srv.URL, "http://") }

// Close stops the server.
func (rt *fakeRuntime) Close() { rt.srv.Close() }

// timeToFirstPoll execs bin with env and returns the time until it polls
// for its first event; it then kills the process.
func (rt *fakeRuntime) timeToFirstPoll(ctx context.Context, bin string, env []string, timeout time.Duration) (time.Duration, error) {
	d, _, err := rt.start(ctx, bin, env, timeout)
	return d, err
}

// initTrace runs bin once with GODEBUG=inittrace=1 and returns what the Go
// runtime reports of its package initialisation.
func (rt *fakeRuntime) initTrace(ctx context.Context, bin string, env []string, timeout time.Duration) (initTrace, error) {
	_, stderr, err := rt.start(ctx, bin, append(slices.Clip(env), "GODEBUG=inittrace=1"), timeout)
	if err != nil {
		return nil, err
	}
	tr := parseInitTrace(stderr)
	if len(tr) == 0 {
		return nil, fmt.Errorf("no init trace on standard error:\n%s", stderr)
	}
	return tr, nil
}

func (rt *fakeRuntime) start(ctx context.Context, bin string, env []string, timeout time.Duration) (time.Duration, []byte, error) {
	select {
	case <-rt.polls: // none is expected; never let one count for this run
	default:
	}
	var stderr bytes.Buffer
	cmd := exec.Command(bin)
	cmd.Env = env
	cmd.Stdout = &stderr
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited // killed: the status says nothing
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case t := <-rt.polls:
		stop()
		return t.Sub(start), stderr.Bytes(), nil
	case <-exited:
		err := waitErr
		if err == nil {
			err = errors.New("exit status 0")
		}
		return 0, nil, fmt.Errorf("exited before polling for an event (%v):\n%s", err, stderr.Bytes())
	case <-timer.C:
		stop()
		return 0, nil, fmt.Errorf("no poll for an event within %s:\n%s", timeout, stderr.Bytes())
	case <-ctx.Done():
		stop()
		return 0, nil, ctx.Err()
	}
}

// initLine is one line of GODEBUG=inittrace=1 output:
//
//	init github.com/gochalice/gochalice/app @0.52 ms, 0.011 ms clock, 96 bytes, 3 allocs
type initLine struct {
	Package string
	ClockMS float64
	Bytes   int64
	Allocs  int64
}

type initTrace []initLine

// parseInitTrace reads the "init ..." lines of a program's standard error
// and skips any other line.
func parseInitTrace(stderr []byte) initTrace {
	var tr initTrace
	sc := bufio.NewScanner(bytes.NewReader(stderr))
	for sc.Scan() {
		var l initLine
		var at float64
		if _, err := fmt.Sscanf(sc.Text(), "init %s @%f ms, %f ms clock, %d bytes, %d allocs", &l.Package, &at, &l.ClockMS, &l.Bytes, &l.Allocs); err == nil {
			tr = append(tr, l)
		}
	}
	return tr
}

// sum adds up the lines; its Package is empty.
func (tr initTrace) sum() initLine {
	var s initLine
	for _, l := range tr {
		s.ClockMS += l.ClockMS
		s.Bytes += l.Bytes
		s.Allocs += l.Allocs
	}
	return s
}

// module returns the lines of the packages of the module at path.
func (tr initTrace) module(path string) initTrace {
	var out initTrace
	for _, l := range tr {
		if l.Package == path || strings.HasPrefix(l.Package, path+"/") {
			out = append(out, l)
		}
	}
	return out
}

// percentile returns the p-th percentile of ds by the nearest-rank method
// (for p = 50 and an odd count, the median).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(ds))
	i := (p*len(s)+99)/100 - 1
	return s[max(i, 0)]
}
