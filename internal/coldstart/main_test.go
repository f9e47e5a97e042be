package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/scaffold/main.go from the scaffold's template")

// TestScaffoldCopy keeps testdata/scaffold/main.go equal to the main.go
// that `gochalice new coldstart` writes, so the benchmark measures what
// users start from. Run with -update after changing the template.
func TestScaffoldCopy(t *testing.T) {
	t.Parallel()
	text, err := os.ReadFile("../scaffold/template/main.go.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New("main.go").Option("missingkey=error").Parse(string(text))
	if err != nil {
		t.Fatal(err)
	}
	// The fields internal/scaffold gives its templates.
	data := struct{ Name, Module, Version, Replace, GoVersion string }{Name: "coldstart", Module: "coldstart", Version: "v0.0.0"}
	var want bytes.Buffer
	if err := tmpl.Execute(&want, data); err != nil {
		t.Fatal(err)
	}
	const copyPath = "testdata/scaffold/main.go"
	if *update {
		if err := os.WriteFile(copyPath, want.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(copyPath)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), string(got)); diff != "" {
		t.Errorf("%s differs from the rendered template (-template +copy); run go test ./internal/coldstart -run TestScaffoldCopy -update:\n%s", copyPath, diff)
	}
}

func TestParseInitTrace(t *testing.T) {
	t.Parallel()
	stderr := `init internal/bytealg @0.007 ms, 0 ms clock, 0 bytes, 0 allocs
init runtime @0.031 ms, 0.050 ms clock, 0 bytes, 0 allocs
a line the program printed
init github.com/gochalice/gochalice/manifest @1.2 ms, 0.001 ms clock, 16 bytes, 1 allocs
init github.com/gochalice/gochalice/app @1.3 ms, 9.5 ms clock, 1600000 bytes, 21942 allocs
init github.com/gochalice/gochalicex @1.4 ms, 1 ms clock, 8 bytes, 1 allocs
`
	tr := parseInitTrace([]byte(stderr))
	want := initTrace{
		{Package: "internal/bytealg"},
		{Package: "runtime", ClockMS: 0.05},
		{Package: "github.com/gochalice/gochalice/manifest", ClockMS: 0.001, Bytes: 16, Allocs: 1},
		{Package: "github.com/gochalice/gochalice/app", ClockMS: 9.5, Bytes: 1600000, Allocs: 21942},
		{Package: "github.com/gochalice/gochalicex", ClockMS: 1, Bytes: 8, Allocs: 1},
	}
	if diff := cmp.Diff(want, tr); diff != "" {
		t.Errorf("parseInitTrace (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[2:4], tr.module(modulePath)); diff != "" {
		t.Errorf("module (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(initLine{ClockMS: 10.551, Bytes: 1600024, Allocs: 21944}, tr.sum(), cmp.Comparer(func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 })); diff != "" {
		t.Errorf("sum (-want +got):\n%s", diff)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	ds := []time.Duration{5, 1, 4, 2, 3}
	tests := []struct {
		p    int
		want time.Duration
	}{{0, 1}, {10, 1}, {50, 3}, {90, 5}, {100, 5}}
	for _, tc := range tests {
		if got := percentile(ds, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %d) = %d, want %d", ds, tc.p, got, tc.want)
		}
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile(nil, 50) = %d, want 0", got)
	}
}

// TestFakeRuntime builds the bare hello and checks that a poll is seen,
// and that a program that never polls is reported, not waited for.
func TestFakeRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	ctx := context.Background()
	dir := t.TempDir()
	// With go build's defaults: the flags do not change what is checked
	// here, and these reuse what go test compiled already, where the
	// Lambda flags (-trimpath, no cgo) compile the standard library anew,
	// minutes on a cold cache.
	bin, err := build(ctx, dir, targets()[0], false)
	if err != nil {
		t.Fatal(err)
	}
	rt := newFakeRuntime()
	defer rt.Close()
	env := lambdaEnv(rt.Addr(), dir)
	for range 2 { // a second run sees its own poll, not the first one's
		d, err := rt.timeToFirstPoll(ctx, bin, env, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if d <= 0 || d > 10*time.Second {
			t.Errorf("time to first poll %s", d)
		}
	}
	tr, err := rt.initTrace(ctx, bin, env, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if tr[0].Package == "" || len(tr.module("github.com/aws/aws-lambda-go")) == 0 {
		t.Errorf("init trace without aws-lambda-go: %v", tr)
	}

	// Without a Runtime API address lambda.Start exits at once.
	noAPI := slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "AWS_LAMBDA_RUNTIME_API=") })
	if _, err := rt.timeToFirstPoll(ctx, bin, noAPI, 10*time.Second); err == nil || !strings.Contains(err.Error(), "exited before polling") {
		t.Errorf("binary without AWS_LAMBDA_RUNTIME_API: error %v, want exited before polling", err)
	}
	// Polling another Runtime API, it never polls this one.
	other := newFakeRuntime()
	defer other.Close()
	_, err = rt.timeToFirstPoll(ctx, bin, lambdaEnv(other.Addr(), dir), 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no poll") {
		t.Errorf("binary polling another Runtime API: error %v, want no poll", err)
	}
}
