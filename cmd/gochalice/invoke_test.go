package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/internal/local"
)

// invokeAppDir is the fixture app of the invoke --local tests: one
// function per event source, each logging what it got.
const invokeAppDir = "testdata/invoke/app"

// runInvokeLocal runs gochalice invoke --local on the fixture app.
func runInvokeLocal(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = runCLI(context.Background(), &out, &errOut, append([]string{"gochalice", "invoke", "--local", "--project-dir", invokeAppDir}, args...))
	return out.String(), errOut.String(), err
}

// TestInvokeLocalSampleEvents runs every event function of the fixture
// with the sample event of its own source (and one with another source's
// event, which is allowed but warned about): each handler runs with the
// stage's variables, logs to stderr, and the response is on stdout.
func TestInvokeLocalSampleEvents(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	for _, tc := range []struct {
		name string
		args []string
		// logs are lines the handler writes to stderr; warn is a warning
		// of gochalice's, "" for none.
		logs []string
		warn string
	}{
		{name: "nightly", logs: []string{"nightly: Scheduled Event from aws.events"}},
		{name: "order_events", logs: []string{"order_events: "}},
		{name: "worker", logs: []string{"worker: ", "invoke-orders (GREETING=hello)"}},
		{name: "notify", logs: []string{"notify: arn:aws:sns:", ":alerts"}},
		{name: "upload", logs: []string{"upload: invoke-bucket/"}},
		{name: "clicks", logs: []string{"clicks: "}},
		{name: "changes", logs: []string{"changes: "}},
		{name: "worker", args: []string{"--event", "sqs"}, logs: []string{"worker: "}},
		{name: "notify", args: []string{"--event", "sqs"}, logs: []string{"notify: "},
			warn: "gochalice: warning: --event sqs does not fit function notify (kind sns, which receives sns events); running it anyway"},
	} {
		t.Run(tc.name+strings.Join(tc.args, ""), func(t *testing.T) {
			stdout, stderr, err := runInvokeLocal(t, append([]string{"--name", tc.name}, tc.args...)...)
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			if !json.Valid([]byte(stdout)) {
				t.Errorf("stdout is not the JSON response: %q", stdout)
			}
			for _, l := range tc.logs {
				if !strings.Contains(stderr, l) {
					t.Errorf("stderr lacks %q:\n%s", l, stderr)
				}
			}
			if got := strings.Contains(stderr, "warning"); got != (tc.warn != "") || !strings.Contains(stderr, tc.warn) {
				t.Errorf("stderr = %q, want warning %q", stderr, tc.warn)
			}
		})
	}
}

// TestInvokeLocalPayload runs the SQS worker with given events: the
// partial batch response comes back on stdout, and a handler error makes
// the command fail with the handler's error on stderr.
func TestInvokeLocalPayload(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		event := `{"Records": [{"messageId": "m1", "body": "ok", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:invoke-orders"},
			{"messageId": "m2", "body": "` + body + `", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:invoke-orders"}]}`
		if err := os.WriteFile(p, []byte(event), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("partial batch failure", func(t *testing.T) {
		stdout, stderr, err := runInvokeLocal(t, "--name", "worker", "--payload", write("retry.json", "retry"))
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		var got map[string]any
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatalf("stdout %q: %v", stdout, err)
		}
		want := map[string]any{"batchItemFailures": []any{map[string]any{"itemIdentifier": "m2"}}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("response (-want +got):\n%s", diff)
		}
		if !strings.Contains(stderr, "worker: ok from arn:aws:sqs:us-east-1:123456789012:invoke-orders (GREETING=hello)") {
			t.Errorf("stderr = %q", stderr)
		}
	})

	t.Run("handler error", func(t *testing.T) {
		_, stderr, err := runInvokeLocal(t, "--name", "worker", "--payload", write("poison.json", "poison"))
		var he *local.HandlerError
		if !errors.As(err, &he) || he.Function != "worker" {
			t.Fatalf("err = %v, want a HandlerError of worker", err)
		}
		if !strings.Contains(stderr, "worker: poison message m2") {
			t.Errorf("stderr lacks the handler's error:\n%s", stderr)
		}
	})

	t.Run("missing file", func(t *testing.T) {
		_, _, err := runInvokeLocal(t, "--name", "worker", "--payload", filepath.Join(dir, "none.json"))
		if err == nil || !strings.Contains(err.Error(), "--payload") {
			t.Errorf("err = %v, want a --payload error", err)
		}
	})
}

// TestInvokeLocalErrors checks the mistakes invoke reports before running
// anything (or, for an unknown name, before running a handler).
func TestInvokeLocalErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		want  string
		build bool
	}{
		{name: "unknown function", args: []string{"invoke", "--local", "--project-dir", invokeAppDir, "--name", "nope"}, build: true,
			want: `the app has no function "nope": use --name with one of changes, clicks, nightly, notify, order_events, upload, worker`},
		{name: "event without local", args: []string{"invoke", "--name", "worker", "--event", "sqs"},
			want: "--event generates a sample event for --local: add --local, or give a deployed function its event with --payload FILE"},
		{name: "unknown event", args: []string{"invoke", "--local", "--project-dir", invokeAppDir, "--name", "worker", "--event", "carrier-pigeon"},
			want: "--event carrier-pigeon: no such sample event: use one of " + strings.Join(apptest.SampleEventKinds(), ", ")},
		{name: "no name", args: []string{"invoke", "--local"},
			want: "--name is missing: name the function to invoke, as the app registers it"},
		{name: "event and payload", args: []string{"invoke", "--local", "--name", "worker", "--event", "sqs", "--payload", "go.mod"},
			want: "--event and --payload both give the event: use one"},
		{name: "region", args: []string{"invoke", "--local", "--name", "worker", "--region", "us-east-1"},
			want: "--region and --profile do not apply to --local, which runs the function on this machine"},
		{name: "unknown stage", args: []string{"invoke", "--local", "--project-dir", invokeAppDir, "--name", "worker", "--stage", "qa"},
			want: "stage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.build && testing.Short() {
				t.Skip("builds the app")
			}
			var stdout, stderr bytes.Buffer
			err := runCLI(context.Background(), &stdout, &stderr, append([]string{"gochalice"}, tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestInvokeListEvents lists the sample event kinds, one a line.
func TestInvokeListEvents(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "invoke", "--local", "--list-events"}); err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(stdout.String())
	if diff := cmp.Diff(apptest.SampleEventKinds(), got); diff != "" {
		t.Errorf("kinds (-want +got):\n%s", diff)
	}
	for _, k := range []string{"schedule", "eventbridge", "sqs", "sns", "s3", "kinesis", "dynamodb"} {
		if !strings.Contains(stdout.String(), k+"\n") {
			t.Errorf("the list lacks %s:\n%s", k, stdout.String())
		}
	}
}
