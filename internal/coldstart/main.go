// Command coldstart measures what a gochalice app costs at a Lambda cold
// start: the time from exec to the function's first poll of the Lambda
// Runtime API (GET /2018-06-01/runtime/invocation/next), which is when
// Lambda can hand it its first event.
//
// It builds three binaries as the deployer does (go build -tags
// lambda.norpc -trimpath, CGO_ENABLED=0, for the host), serves a fake
// Runtime API on a loopback port, and runs them in turn, interleaved so that
// a change of machine load hits all three alike:
//
//   - hello: a bare aws-lambda-go function (testdata/hello), the baseline;
//   - scaffold: the main.go of `gochalice new` (testdata/scaffold, kept
//     equal to the template by TestScaffoldCopy);
//   - savealife: examples/savealife, which also builds a DynamoDB client.
//
// It prints the median, the 10th and 90th percentiles and each median's
// ratio to hello's, then one GODEBUG=inittrace=1 run of each binary:
// the sum over all packages and the gochalice packages' own lines.
//
// Run it from anywhere in the repository:
//
//	go run ./internal/coldstart -runs 31
//
// To compare with an earlier state, build that state's binaries with the
// same flags and add them with -also, e.g. -also savealife-old=/tmp/savealife.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

func main() {
	runs := flag.Int("runs", 31, "runs of each binary")
	timeout := flag.Duration("timeout", 10*time.Second, "longest wait for one binary's first poll")
	var also []target
	flag.Func("also", "also measure a built binary, as `name=path` (repeatable), e.g. one built before a change", func(s string) error {
		name, path, ok := strings.Cut(s, "=")
		if !ok || name == "" || path == "" {
			return fmt.Errorf("want name=path")
		}
		also = append(also, target{Name: name, Bin: path})
		return nil
	})
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *runs, *timeout, also); err != nil {
		fmt.Fprintln(os.Stderr, "coldstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, runs int, timeout time.Duration, also []target) error {
	if runs < 1 {
		return fmt.Errorf("-runs %d: give at least 1", runs)
	}
	dir, err := os.MkdirTemp("", "coldstart")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	ts := append(targets(), also...)
	bins := make([]string, len(ts))
	for i, t := range ts {
		if t.Bin != "" {
			bins[i] = t.Bin
			continue
		}
		if bins[i], err = build(ctx, dir, t, true); err != nil {
			return err
		}
	}
	rt := newFakeRuntime()
	defer rt.Close()
	env := lambdaEnv(rt.Addr(), dir)

	times := make([][]time.Duration, len(ts))
	for range runs {
		for i, bin := range bins {
			d, err := rt.timeToFirstPoll(ctx, bin, env, timeout)
			if err != nil {
				return fmt.Errorf("%s: %w", ts[i].Name, err)
			}
			times[i] = append(times[i], d)
		}
	}
	traces := make([]initTrace, len(ts))
	for i, bin := range bins {
		if traces[i], err = rt.initTrace(ctx, bin, env, timeout); err != nil {
			return fmt.Errorf("%s: %w", ts[i].Name, err)
		}
	}

	fmt.Fprintf(w, "exec → first GET /runtime/invocation/next, %d runs each, %s %s/%s\n\n", runs, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	fmt.Fprintf(w, "%-14s %9s %9s %9s %7s %7s\n", "binary", "median", "p10", "p90", "ratio", "size")
	base := percentile(times[0], 50)
	for i, t := range ts {
		med := percentile(times[i], 50)
		fi, err := os.Stat(bins[i])
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-14s %9s %9s %9s %6.2f× %5.1fMB\n", t.Name, ms(med), ms(percentile(times[i], 10)), ms(percentile(times[i], 90)),
			float64(med)/float64(base), float64(fi.Size())/(1<<20))
	}
	fmt.Fprintf(w, "\npackage init, GODEBUG=inittrace=1, one run each\n\n")
	fmt.Fprintf(w, "%-14s %-40s %6s %9s %10s %8s\n", "binary", "package", "count", "clock", "bytes", "allocs")
	for i, t := range ts {
		sum := traces[i].sum()
		fmt.Fprintf(w, "%-14s %-40s %6d %7.2fms %10d %8d\n", t.Name, "(all)", len(traces[i]), sum.ClockMS, sum.Bytes, sum.Allocs)
		for _, l := range traces[i].module(modulePath) {
			fmt.Fprintf(w, "%-14s %-40s %6s %7.2fms %10d %8d\n", "", l.Package, "", l.ClockMS, l.Bytes, l.Allocs)
		}
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }
