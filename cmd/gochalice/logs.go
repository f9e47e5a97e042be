package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/names"
)

// logEventsAPI is the CloudWatch Logs call gochalice logs makes; the SDK's
// client has it, tests use an in-memory fake.
type logEventsAPI interface {
	FilterLogEvents(ctx context.Context, in *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// logsEnv is how gochalice logs reaches AWS; tests replace parts.
type logsEnv struct {
	aws *awsEnv
	// client returns the CloudWatch Logs client for a region.
	client func(ctx context.Context, profile, region string) (logEventsAPI, error)
	// now is the current time, for --since's relative forms.
	now func() time.Time
	// wait pauses between --follow's polls; it fails when ctx is done.
	wait func(ctx context.Context) error
}

// followInterval is how often --follow asks CloudWatch Logs for new events.
const followInterval = 2 * time.Second

func defaultLogsEnv() *logsEnv {
	env := &logsEnv{aws: defaultAWSEnv(), now: time.Now}
	env.client = func(ctx context.Context, profile, region string) (logEventsAPI, error) {
		clients, _, err := env.aws.connect(ctx, profile, region, false)
		if err != nil {
			return nil, err
		}
		api, ok := clients.Logs.(logEventsAPI)
		if !ok {
			return nil, errors.New("the CloudWatch Logs client cannot filter log events")
		}
		return api, nil
	}
	env.wait = func(ctx context.Context) error {
		t := time.NewTimer(followInterval)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}
	return env
}

func logsCommand() *cli.Command { return logsCommandWith(defaultLogsEnv()) }

func logsCommandWith(env *logsEnv) *cli.Command {
	return &cli.Command{
		Name:  "logs",
		Usage: "print a deployed function's CloudWatch logs (chalice logs)",
		Description: `Prints the log events of a deployed function of the stage, oldest first: the
time, the log stream's short id and the message. Lambda's own START, END, REPORT and
INIT_START lines are left out unless --include-lambda-messages is given. --since takes
a relative time (30s, 5m, 2h, 1d) or an ISO 8601 time (2026-01-02T15:04:05Z, 2026-01-02).
With --follow it keeps printing new events until interrupted (Ctrl-C).`,
		Flags: append([]cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage"},
			&cli.StringFlag{Name: "name", Value: names.APIHandler, Usage: "the function, as the app registers it"},
			&cli.StringFlag{Name: "since", Value: "10m", Usage: "print events since this time: 5m, 2h, 1d or ISO 8601"},
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep printing new events until interrupted"},
			&cli.BoolFlag{Name: "include-lambda-messages", Usage: "also print Lambda's START, END, REPORT and INIT_START lines"},
		}, awsFlags()...),
		Action: func(c *cli.Context) error {
			since, err := parseSince(c.String("since"), env.now())
			if err != nil {
				return usagef(c, "--since: %v", err)
			}
			dir, stage, fn := c.String("project-dir"), c.String("stage"), c.String("name")
			st, err := deployer.LoadState(env.aws.statePath(dir, stage))
			if err != nil {
				return err
			}
			if st == nil {
				return fmt.Errorf("stage %s is not deployed: run gochalice deploy --stage %s", stage, stage)
			}
			if _, ok := deployer.FunctionName(st, fn); !ok {
				return fmt.Errorf("stage %s has no function %q; its functions: %s", stage, fn, strings.Join(stateFunctions(st), ", "))
			}
			group := names.Stage{App: st.App, Stage: st.Stage}.Function(fn).LogGroup
			region := c.String("region")
			if region == "" {
				region = st.Target.Region
			}
			api, err := env.client(c.Context, c.String("profile"), region)
			if err != nil {
				return err
			}
			t := &logTail{
				api:         api,
				group:       group,
				w:           c.App.Writer,
				lambdaLines: c.Bool("include-lambda-messages"),
				seen:        map[string]bool{},
			}
			start := since.UnixMilli()
			for {
				next, err := t.print(c.Context, start)
				if err != nil {
					return err
				}
				if !c.Bool("follow") {
					return nil
				}
				start = next
				if err := env.wait(c.Context); err != nil {
					// Interrupted: the normal end of --follow.
					return nil
				}
			}
		},
	}
}

// stateFunctions are the app's names of the functions recorded in st.
func stateFunctions(st *deployer.State) []string {
	var fns []string
	for addr := range st.Resources {
		if fn, ok := strings.CutPrefix(addr, "function:"); ok {
			fns = append(fns, fn)
		}
	}
	slices.Sort(fns)
	if len(fns) == 0 {
		return []string{"none"}
	}
	return fns
}

// parseSince reads --since: a count of seconds, minutes, hours or days
// before now, or an ISO 8601 time (UTC when it has no zone).
func parseSince(s string, now time.Time) (time.Time, error) {
	if n := len(s); n > 1 {
		unit := map[byte]time.Duration{'s': time.Second, 'm': time.Minute, 'h': time.Hour, 'd': 24 * time.Hour}[s[n-1]]
		var count int
		if _, err := fmt.Sscanf(s[:n-1], "%d", &count); unit != 0 && err == nil && fmt.Sprint(count) == s[:n-1] && count >= 0 {
			return now.Add(-time.Duration(count) * unit), nil
		}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is neither a relative time (30s, 5m, 2h, 1d) nor an ISO 8601 time (2026-01-02T15:04:05Z)", s)
}

// logTail prints a log group's events, each once.
type logTail struct {
	api         logEventsAPI
	group       string
	w           io.Writer
	lambdaLines bool
	// seen are the ids of the events printed: a follow's next poll
	// starts at the last event's millisecond, which it prints again.
	seen map[string]bool
}

// print prints the group's events from start (Unix milliseconds), every
// page, and returns where the next poll starts: the newest event's time.
func (t *logTail) print(ctx context.Context, start int64) (int64, error) {
	in := &cloudwatchlogs.FilterLogEventsInput{LogGroupName: &t.group, StartTime: aws.Int64(start)}
	next := start
	for {
		out, err := t.api.FilterLogEvents(ctx, in)
		if err != nil {
			return 0, fmt.Errorf("read log group %s: %w", t.group, err)
		}
		for _, e := range out.Events {
			id := aws.ToString(e.EventId)
			if t.seen[id] {
				continue
			}
			t.seen[id] = true
			ts := aws.ToInt64(e.Timestamp)
			next = max(next, ts)
			msg := strings.TrimRight(aws.ToString(e.Message), "\n")
			if !t.lambdaLines && isLambdaMessage(msg) {
				continue
			}
			fmt.Fprintf(t.w, "%s %s %s\n", time.UnixMilli(ts).UTC().Format("2006-01-02 15:04:05.000"), shortStream(aws.ToString(e.LogStreamName)), msg)
		}
		if out.NextToken == nil || aws.ToString(out.NextToken) == aws.ToString(in.NextToken) {
			return next, nil
		}
		in.NextToken = out.NextToken
	}
}

// isLambdaMessage reports whether msg is one of the lines Lambda itself
// writes for each invocation or cold start.
func isLambdaMessage(msg string) bool {
	for _, p := range []string{"START RequestId:", "END RequestId:", "REPORT RequestId:", "INIT_START "} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// shortStream is a Lambda log stream's short id, as chalice logs prints
// it: the first 8 characters after "]" ("2026/01/02/[$LATEST]abcdef12...").
func shortStream(name string) string {
	if _, after, ok := strings.Cut(name, "]"); ok {
		name = after
	}
	if len(name) > 8 {
		name = name[:8]
	}
	return name
}
