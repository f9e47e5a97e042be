package main

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
)

// fakeLogs is CloudWatch Logs' FilterLogEvents in memory: the events of
// each group, two a page, from StartTime on (inclusive, as AWS does).
type fakeLogs struct {
	groups map[string][]types.FilteredLogEvent
	calls  int
	// onCall runs before each answer (a follow test adds events here).
	onCall func(calls int)
}

func (f *fakeLogs) FilterLogEvents(_ context.Context, in *cloudwatchlogs.FilterLogEventsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error) {
	f.calls++
	if f.onCall != nil {
		f.onCall(f.calls)
	}
	events, ok := f.groups[aws.ToString(in.LogGroupName)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("The specified log group does not exist.")}
	}
	var match []types.FilteredLogEvent
	for _, e := range events {
		if aws.ToInt64(e.Timestamp) >= aws.ToInt64(in.StartTime) {
			match = append(match, e)
		}
	}
	from := 0
	if in.NextToken != nil {
		if _, err := fmt.Sscanf(*in.NextToken, "%d", &from); err != nil {
			return nil, err
		}
	}
	out := &cloudwatchlogs.FilterLogEventsOutput{}
	end := min(from+2, len(match))
	out.Events = match[from:end]
	if end < len(match) {
		out.NextToken = aws.String(fmt.Sprint(end))
	}
	return out, nil
}

var logsNow = time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)

func logEvent(id string, at time.Time, msg string) types.FilteredLogEvent {
	return types.FilteredLogEvent{EventId: aws.String(id), Timestamp: aws.Int64(at.UnixMilli()), Message: aws.String(msg + "\n"),
		LogStreamName: aws.String("2026/01/02/[$LATEST]abcdef1234567890")}
}

// runLogs runs gochalice logs against fake, with a deployed savealife dev
// stage that has an API handler and a stream function.
func runLogs(t *testing.T, fake *fakeLogs, cancelAfter int, args ...string) (string, error) {
	t.Helper()
	stateDir := t.TempDir()
	st := deployer.NewState("savealife", "dev", deployer.NewTarget("us-east-1", "123456789012"))
	st.Resources["function:api_handler"] = deployer.ResourceState{Type: deployer.TypeFunction, Name: "savealife-dev"}
	st.Resources["function:handle_stream"] = deployer.ResourceState{Type: deployer.TypeFunction, Name: "savealife-dev-handle_stream"}
	if err := deployer.SaveState(filepath.Join(stateDir, "dev.json"), st); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waits := 0
	env := &logsEnv{
		aws: &awsEnv{statePath: func(_, stage string) string { return filepath.Join(stateDir, stage+".json") }},
		client: func(_ context.Context, _, region string) (logEventsAPI, error) {
			if region != "us-east-1" {
				t.Errorf("region %q, want the state's us-east-1", region)
			}
			return fake, nil
		},
		now: func() time.Time { return logsNow },
		wait: func(ctx context.Context) error {
			waits++
			if waits == cancelAfter {
				cancel()
			}
			return ctx.Err()
		},
	}
	var stdout, stderr bytes.Buffer
	app := testApp(&stdout, &stderr, logsCommandWith(env))
	err := app.RunContext(ctx, append([]string{"gochalice", "logs", "--project-dir", savealifeDir}, args...))
	return stdout.String(), err
}

func TestLogs(t *testing.T) {
	events := map[string][]types.FilteredLogEvent{
		"/aws/lambda/savealife-dev": {
			logEvent("1", logsNow.Add(-time.Hour), "too old"),
			logEvent("2", logsNow.Add(-5*time.Minute), "INIT_START Runtime Version: provided:al2023"),
			logEvent("3", logsNow.Add(-5*time.Minute), "START RequestId: r1 Version: $LATEST"),
			logEvent("4", logsNow.Add(-4*time.Minute), "GET /users"),
			logEvent("5", logsNow.Add(-4*time.Minute), "END RequestId: r1"),
			logEvent("6", logsNow.Add(-4*time.Minute), "REPORT RequestId: r1 Duration: 1 ms"),
			logEvent("7", logsNow.Add(-3*time.Minute), "GET /stats"),
		},
		"/aws/lambda/savealife-dev-handle_stream": {
			logEvent("8", logsNow.Add(-2*time.Minute), "2 records"),
		},
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{name: "default", want: "2026-01-02 14:56:00.000 abcdef12 GET /users\n2026-01-02 14:57:00.000 abcdef12 GET /stats\n"},
		{name: "since", args: []string{"--since", "2h"},
			want: "2026-01-02 14:00:00.000 abcdef12 too old\n2026-01-02 14:56:00.000 abcdef12 GET /users\n2026-01-02 14:57:00.000 abcdef12 GET /stats\n"},
		{name: "since ISO", args: []string{"--since", "2026-01-02T14:56:30Z"}, want: "2026-01-02 14:57:00.000 abcdef12 GET /stats\n"},
		{name: "lambda lines", args: []string{"--since", "5m", "--include-lambda-messages"},
			want: "2026-01-02 14:55:00.000 abcdef12 INIT_START Runtime Version: provided:al2023\n" +
				"2026-01-02 14:55:00.000 abcdef12 START RequestId: r1 Version: $LATEST\n" +
				"2026-01-02 14:56:00.000 abcdef12 GET /users\n2026-01-02 14:56:00.000 abcdef12 END RequestId: r1\n" +
				"2026-01-02 14:56:00.000 abcdef12 REPORT RequestId: r1 Duration: 1 ms\n2026-01-02 14:57:00.000 abcdef12 GET /stats\n"},
		{name: "name", args: []string{"--name", "handle_stream"}, want: "2026-01-02 14:58:00.000 abcdef12 2 records\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := &fakeLogs{groups: events}
			got, err := runLogs(t, fake, 0, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLogsFollow polls until interrupted, printing each new event once
// although each poll starts at the last event's millisecond.
func TestLogsFollow(t *testing.T) {
	fake := &fakeLogs{groups: map[string][]types.FilteredLogEvent{
		"/aws/lambda/savealife-dev": {logEvent("1", logsNow.Add(-time.Minute), "first")},
	}}
	fake.onCall = func(calls int) {
		if calls == 2 {
			g := fake.groups["/aws/lambda/savealife-dev"]
			fake.groups["/aws/lambda/savealife-dev"] = append(g, logEvent("2", logsNow.Add(-time.Minute), "same millisecond"), logEvent("3", logsNow, "second"))
		}
	}
	got, err := runLogs(t, fake, 3, "--follow")
	if err != nil {
		t.Fatal(err)
	}
	want := "2026-01-02 14:59:00.000 abcdef12 first\n2026-01-02 14:59:00.000 abcdef12 same millisecond\n2026-01-02 15:00:00.000 abcdef12 second\n"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if fake.calls < 3 {
		t.Errorf("%d polls, want 3 or more", fake.calls)
	}
}

func TestLogsErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"--name", "nightly"}, want: `stage dev has no function "nightly"; its functions: api_handler, handle_stream`},
		{args: []string{"--since", "yesterday"}, want: `--since: "yesterday" is neither a relative time`},
		{args: []string{"--stage", "prod"}, want: "stage prod is not deployed"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			fake := &fakeLogs{}
			_, err := runLogs(t, fake, 0, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if fake.calls != 0 {
				t.Errorf("%d AWS calls, want none", fake.calls)
			}
		})
	}
}
