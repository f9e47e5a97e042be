package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// newSourcesApp registers a function of every event source kind; each
// handler appends what it saw to *seen.
func newSourcesApp(seen *[]string, mu *sync.Mutex) *App {
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		*seen = append(*seen, fmt.Sprintf(format, args...))
	}
	a := New("sources")
	a.Schedule("nightly", "rate(1 day)", func(_ context.Context, ev events.EventBridgeEvent) error {
		note("%s %s %s %s", ev.DetailType, ev.Source, ev.Resources[0], ev.Time.Format(time.RFC3339))
		return nil
	})
	a.OnEvent("on_stop", `{"source": ["aws.ec2"]}`, func(_ context.Context, ev events.EventBridgeEvent) error {
		var detail struct {
			ID    string `json:"instance-id"`
			State string `json:"state"`
		}
		if err := json.Unmarshal(ev.Detail, &detail); err != nil {
			return err
		}
		note("%s %s %s", ev.DetailType, detail.ID, detail.State)
		return nil
	})
	a.OnSQSMessage("worker", "SQSQueue", func(_ context.Context, ev events.SQSEvent) error {
		for _, m := range ev.Records {
			note("%s %q %s %s", m.MessageId, m.Body, m.EventSourceARN, *m.MessageAttributes["Attribute1"].StringValue)
		}
		return nil
	})
	a.OnSQSBatch("batch_worker", "", func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, m := range ev.Records {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
		}
		return resp, nil
	})
	a.OnSNSMessage("notified", "", func(_ context.Context, ev events.SNSEvent) error {
		for _, r := range ev.Records {
			note("%s %q %q %s", r.SNS.MessageID, r.SNS.Subject, r.SNS.Message, r.SNS.Timestamp.Format(time.RFC3339Nano))
		}
		return nil
	})
	a.OnS3Event("uploaded", "sourcebucket", func(_ context.Context, ev events.S3Event) error {
		for _, r := range ev.Records {
			note("%s %s %q %d", r.EventName, r.S3.Bucket.Name, r.S3.Object.URLDecodedKey, r.S3.Object.Size)
		}
		return nil
	})
	a.OnKinesisRecord("clicks", "simple-stream", func(_ context.Context, ev events.KinesisEvent) error {
		for _, r := range ev.Records {
			note("%s %s %q", r.Kinesis.PartitionKey, r.Kinesis.SequenceNumber, r.Kinesis.Data)
		}
		return nil
	})
	a.OnKinesisBatch("clicks_batch", "", func(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		var resp events.KinesisEventResponse
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: ev.Records[len(ev.Records)-1].Kinesis.SequenceNumber})
		return resp, nil
	})
	a.OnSQSMessage("failing", "", func(context.Context, events.SQSEvent) error { return errors.New("queue handler failed") })
	return a
}

func TestEventDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		function string
		fixture  string
		want     []string // what the handler saw
		out      string   // the function's result
	}{
		{"nightly", "eventbridge-scheduled-event.json",
			[]string{"Scheduled Event aws.events arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule 2015-10-08T16:53:06Z"}, "null"},
		{"on_stop", "eventbridge-ec2-event.json",
			[]string{"EC2 Instance State-change Notification i-abcd1111 stopped"}, "null"},
		{"worker", "sqs-event.json",
			[]string{`MessageID_1 "Message Body" arn:aws:sqs:us-west-2:123456789012:SQSQueue AttributeValue1`}, "null"},
		{"batch_worker", "sqs-event.json", nil, `{"batchItemFailures":[{"itemIdentifier":"MessageID_1"}]}`},
		{"notified", "sns-event.json",
			[]string{`95df01b4-ee98-5cb9-9903-4c221d41eb5e "TestInvoke" "Hello from SNS!" 2015-06-03T17:43:27.123Z`}, "null"},
		{"uploaded", "s3-event.json", []string{`ObjectCreated:Put sourcebucket "Happy Face.jpg" 1024`}, "null"},
		{"clicks", "kinesis-event.json", []string{
			`s1 49568167373333333333333333333333333333333333333333333333 "Hello World"`,
			`s1 49568167373333333334444444444444444444444444444444444444 "Hello World"`,
		}, "null"},
		{"clicks_batch", "kinesis-event.json", nil, `{"batchItemFailures":[{"itemIdentifier":"49568167373333333334444444444444444444444444444444444444"}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.function, func(t *testing.T) {
			t.Parallel()
			var (
				mu   sync.Mutex
				seen []string
			)
			a := newSourcesApp(&seen, &mu)
			out, err := a.Invoke(context.Background(), tc.function, readFixture(t, tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != tc.out {
				t.Errorf("result %s, want %s", out, tc.out)
			}
			if diff := cmp.Diff(tc.want, seen); diff != "" {
				t.Errorf("handler saw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEventDispatchErrors(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []string
	)
	a := newSourcesApp(&seen, &mu)
	ctx := context.Background()
	if _, err := a.Invoke(ctx, "failing", readFixture(t, "sqs-event.json")); err == nil || err.Error() != "queue handler failed" {
		t.Errorf("handler error: %v", err)
	}
	for fn, what := range map[string]string{
		"nightly": "EventBridge scheduled event", "on_stop": "EventBridge event", "worker": "SQS event",
		"batch_worker": "SQS event", "notified": "SNS event", "uploaded": "S3 event", "clicks": "Kinesis event",
		"clicks_batch": "Kinesis event",
	} {
		_, err := a.Invoke(ctx, fn, []byte(`{"Records": 7, "detail-type": 7}`))
		if want := fn + ": decode " + what + ":"; err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: malformed event: error %v, want it to start %q", fn, err, want)
		}
	}
}

func TestCheckScheduleExpression(t *testing.T) {
	t.Parallel()
	valid := []string{
		"rate(1 minute)", "rate(5 minutes)", "rate(1 hour)", "rate(12 hours)", "rate(1 day)", "rate(7 days)",
		"cron(0 12 * * ? *)", "cron(15 10 ? * 6L 2026-2030)", "cron(0/15 * ? * MON-FRI *)",
		"cron(0 18 ? * MON-FRI *)", "cron(0 8 1 * ? *)", "cron(0/10 * ? * MON-FRI *)",
		"cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 L * ? *)", "cron(0 0 15W * ? *)",
		"cron(30 2 ? JAN,JUL SUN *)", "cron(0 0 ? * FRI-MON *)", "cron(* * ? * * *)", "cron(0 12 * * ? 2199)",
	}
	for _, expr := range valid {
		if err := CheckScheduleExpression(expr); err != nil {
			t.Errorf("%s: %v", expr, err)
		}
	}
	invalid := []struct{ expr, want string }{
		{"", "use rate(...)"},
		{"every 5 minutes", "use rate(...)"},
		{"rate(5 minute)", "plural unit: rate(5 minutes)"},
		{"rate(1 minutes)", "singular unit: rate(1 minute)"},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(05 minutes)", "positive whole number"},
		{"rate(-1 minutes)", "rate(VALUE UNIT)"},
		{"rate(1 week)", `unit "week"`},
		{"rate(5  minutes)", "rate(VALUE UNIT)"},
		{"cron(0 12 * * *)", "6 fields"},
		{"cron(0 12 * * ? * *)", "6 fields"},
		{"cron(0 12 * * * *)", `exactly one of day-of-month (*) and day-of-week (*) must be "?"`},
		{"cron(0 12 ? * ? *)", "exactly one of"},
		{"cron(0 12 1 * MON *)", "exactly one of"},
		{"cron(60 12 * * ? *)", `minutes field "60"`},
		{"cron(0 24 * * ? *)", `hours field "24"`},
		{"cron(0 12 32 * ? *)", `day-of-month field "32"`},
		{"cron(0 12 * 13 ? *)", `month field "13"`},
		{"cron(0 12 * FOO ? *)", `month field "FOO"`},
		{"cron(0 12 ? * 8 *)", `day-of-week field "8"`},
		{"cron(0 12 ? * MON#6 *)", `day-of-week field "MON#6"`},
		{"cron(0 12 * * ? 1969)", `year field "1969"`},
		{"cron(? 12 * * ? *)", `minutes field: "?" is allowed only`},
		{"cron(0/0 12 * * ? *)", `minutes field "0/0"`},
		{"cron(10-5 12 * * ? *)", `minutes field "10-5"`},
		{"cron(0 12 * * ? *", "closing parenthesis"},
	}
	for _, tc := range invalid {
		err := CheckScheduleExpression(tc.expr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to contain %q", tc.expr, err, tc.want)
		}
	}
}

func nopSchedule(context.Context, events.EventBridgeEvent) error { return nil }
func nopSQS(context.Context, events.SQSEvent) error              { return nil }
func nopSQSBatch(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
	return events.SQSEventResponse{}, nil
}
func nopSNS(context.Context, events.SNSEvent) error         { return nil }
func nopS3(context.Context, events.S3Event) error           { return nil }
func nopKinesis(context.Context, events.KinesisEvent) error { return nil }
func nopDynamoDB(context.Context, events.DynamoDBEvent) error {
	return nil
}
func nopToken(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{}, nil
}
func nopRequest(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{}, nil
}

func TestEventRegistrationPanics(t *testing.T) {
	t.Parallel()
	pool := []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123"}
	tests := []struct {
		name     string
		register func(a *App)
		want     string
	}{
		// Schedules and EventBridge.
		{"bad cron", func(a *App) { a.Schedule("s", "cron(0 12 * * * *)", nopSchedule) },
			`gochalice: Schedule "s": schedule expression "cron(0 12 * * * *)": exactly one of day-of-month`},
		{"bad rate", func(a *App) { a.Schedule("s", "rate(2 hour)", nopSchedule) },
			`gochalice: Schedule "s": schedule expression "rate(2 hour)": a value above 1 takes the plural unit: rate(2 hours)`},
		{"nil schedule handler", func(a *App) { a.Schedule("s", "rate(1 day)", nil) }, `gochalice: Schedule "s": nil handler`},
		{"long description", func(a *App) { a.Schedule("s", "rate(1 day)", nopSchedule, WithDescription(strings.Repeat("x", 513))) },
			"EventBridge allows 512"},
		{"pattern not an object", func(a *App) { a.OnEvent("e", `["aws.ec2"]`, nopSchedule) },
			`gochalice: OnEvent "e": event pattern: ["aws.ec2"] is not a JSON object`},
		{"empty pattern", func(a *App) { a.OnEvent("e", map[string]any{}, nopSchedule) }, "the object is empty"},
		{"nil pattern", func(a *App) { a.OnEvent("e", nil, nopSchedule) }, "it is nil"},
		{"invalid JSON pattern", func(a *App) { a.OnEvent("e", []byte(`{"source":`), nopSchedule) }, "not valid JSON"},
		{"pattern scalar", func(a *App) { a.OnEvent("e", map[string]any{"source": "aws.ec2"}, nopSchedule) },
			`source is "aws.ec2"; EventBridge needs an array of values to match (e.g. ["aws.ec2"])`},
		{"pattern nested scalar", func(a *App) {
			a.OnEvent("e", json.RawMessage(`{"detail": {"state": "stopped"}}`), nopSchedule)
		}, `detail.state is "stopped"`},
		{"pattern empty array", func(a *App) { a.OnEvent("e", `{"source": []}`, nopSchedule) }, "source is an empty array"},
		{"bad bus", func(a *App) {
			a.OnEvent("e", `{"source":["x"]}`, nopSchedule, WithBus("arn:aws:sqs:us-east-1:123456789012:q"))
		},
			"is not an EventBridge event bus ARN"},

		// SQS.
		{"bad queue name", func(a *App) { a.OnSQSMessage("q", "my queue", nopSQS) }, `"my queue" is not a valid SQS queue name`},
		{"queue ARN of another service", func(a *App) { a.OnSQSMessage("q", "arn:aws:sns:us-east-1:123456789012:jobs", nopSQS) },
			"is not an SQS queue ARN"},
		{"SQS batch size without window", func(a *App) { a.OnSQSMessage("q", "jobs", nopSQS, WithBatchSize(11)) },
			"batch size 11 needs a batching window"},
		{"SQS batch size too big", func(a *App) {
			a.OnSQSBatch("q", "jobs", nopSQSBatch, WithBatchSize(10001), WithMaximumBatchingWindow(time.Second))
		}, "batch size 10001 is out of range"},
		{"FIFO batch size", func(a *App) { a.OnSQSMessage("q", "jobs.fifo", nopSQS, WithBatchSize(20)) }, "batch size 20 is out of range; a FIFO queue allows 1 to 10"},
		{"FIFO window", func(a *App) { a.OnSQSMessage("q", "jobs.fifo", nopSQS, WithMaximumBatchingWindow(time.Second)) }, "a FIFO queue takes no batching window"},
		{"SQS concurrency", func(a *App) { a.OnSQSMessage("q", "jobs", nopSQS, WithMaximumConcurrency(1)) },
			"maximum concurrency 1 is out of range; SQS event sources allow 2 to 1000"},
		{"SQS + WithOnFailure", func(a *App) { a.OnSQSMessage("q", "jobs", nopSQS, WithOnFailure(SQSDestination("dlq"))) },
			`gochalice: OnSQSMessage "q": WithOnFailure does not apply to SQS sources: Lambda does not retry SQS messages itself; give the queue a redrive policy`},
		{"SQS + retries", func(a *App) { a.OnSQSBatch("q", "jobs", nopSQSBatch, WithMaximumRetryAttempts(1)) },
			"WithMaximumRetryAttempts does not apply to SQS sources"},

		// Options given to the wrong method.
		{"batch size on a schedule", func(a *App) { a.Schedule("s", "rate(1 day)", nopSchedule, WithBatchSize(5)) },
			`gochalice: Schedule "s": WithBatchSize does not apply to Schedule; it is for OnSQSMessage, OnSQSBatch, OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and OnKinesisBatch`},
		{"bus on SNS", func(a *App) { a.OnSNSMessage("n", "topic", nopSNS, WithBus("ops")) }, "WithBus does not apply to OnSNSMessage; it is for OnEvent"},
		{"prefix on SQS", func(a *App) { a.OnSQSMessage("q", "", nopSQS, WithPrefix("a/")) }, "WithPrefix does not apply to OnSQSMessage"},
		{"filter policy on S3", func(a *App) { a.OnS3Event("b", "bucket", nopS3, WithFilterPolicy(`{"a":["b"]}`)) }, "WithFilterPolicy does not apply to OnS3Event"},
		{"starting position on SQS", func(a *App) { a.OnSQSMessage("q", "", nopSQS, WithStartingPosition(TrimHorizon)) },
			"WithStartingPosition does not apply to OnSQSMessage"},
		{"bisect on SNS", func(a *App) { a.OnSNSMessage("n", "", nopSNS, WithBisectBatchOnError()) }, "WithBisectBatchOnError does not apply to OnSNSMessage"},
		{"concurrency on Kinesis", func(a *App) { a.OnKinesisRecord("k", "", nopKinesis, WithMaximumConcurrency(5)) },
			"WithMaximumConcurrency does not apply to OnKinesisRecord"},
		{"description on DynamoDB", func(a *App) { a.OnDynamoDBRecord("d", "", nopDynamoDB, WithDescription("x")) },
			"WithDescription does not apply to OnDynamoDBRecord"},
		{"nil option", func(a *App) { a.OnSNSMessage("n", "", nopSNS, nil) }, `gochalice: OnSNSMessage "n": nil option`},

		// Failure destinations and limits.
		{"async retries", func(a *App) { a.OnSNSMessage("n", "", nopSNS, WithMaximumRetryAttempts(3)) },
			"WithMaximumRetryAttempts(3) is out of range; asynchronous invocations allow 0 to 2"},
		{"stream retries", func(a *App) { a.OnKinesisRecord("k", "", nopKinesis, WithMaximumRetryAttempts(-2)) },
			"WithMaximumRetryAttempts(-2) is out of range; streams allow -1 to 10000"},
		{"async age", func(a *App) { a.OnS3Event("b", "", nopS3, WithMaximumEventAge(7*time.Hour)) },
			"WithMaximumEventAge(7h0m0s) is out of range; asynchronous invocations allow whole seconds from 1m0s to 6h0m0s"},
		{"async age unlimited", func(a *App) { a.Schedule("s", "rate(1 day)", nopSchedule, WithMaximumEventAge(-time.Second)) },
			"WithMaximumEventAge(-1s) is out of range"},
		{"stream age", func(a *App) { a.OnDynamoDBBatch("d", "", nil, WithMaximumEventAge(30*time.Second)) }, "nil handler"},
		{"stream age short", func(a *App) { a.OnDynamoDBRecord("d", "", nopDynamoDB, WithMaximumEventAge(30*time.Second)) },
			"WithMaximumEventAge(30s) is out of range; streams allow whole seconds from 1m0s to 168h0m0s, or -time.Second for no limit"},
		{"destination of the wrong service", func(a *App) {
			a.OnEvent("e", `{"source":["x"]}`, nopSchedule, WithOnFailure(SQSDestination("arn:aws:sns:us-east-1:123456789012:t")))
		}, "WithOnFailure: \"arn:aws:sns:us-east-1:123456789012:t\" is not an SQS queue ARN"},
		{"empty destination", func(a *App) { a.OnSNSMessage("n", "", nopSNS, WithOnFailure(SNSDestination(""))) },
			"the destination's queue or topic is empty"},
		{"zero destination", func(a *App) { a.OnSNSMessage("n", "", nopSNS, WithOnFailure(Destination{})) },
			"use app.SQSDestination or app.SNSDestination"},

		// SNS, S3, Kinesis sources.
		{"bad topic", func(a *App) { a.OnSNSMessage("n", "arn:aws:sqs:us-east-1:123456789012:t", nopSNS) }, "is not an SNS topic ARN"},
		{"FIFO topic", func(a *App) { a.OnSNSMessage("n", "arn:aws:sns:us-east-1:123456789012:orders.fifo", nopSNS) }, "is a FIFO topic, which delivers only to SQS queues"},
		{"bad filter policy", func(a *App) { a.OnSNSMessage("n", "t", nopSNS, WithFilterPolicy("kind=donation")) },
			`gochalice: OnSNSMessage "n": WithFilterPolicy: not valid JSON`},
		{"filter policy value not an array", func(a *App) { a.OnSNSMessage("n", "t", nopSNS, WithFilterPolicy(`{"kind":"donation"}`)) },
			`gochalice: OnSNSMessage "n": WithFilterPolicy: kind is "donation"; SNS needs an array of values to match (e.g. ["donation"]) or a nested object`},
		{"bad bucket", func(a *App) { a.OnS3Event("b", "My_Bucket", nopS3) }, `"My_Bucket" is not a valid S3 bucket name`},
		{"bucket like an IP", func(a *App) { a.OnS3Event("b", "192.168.1.1", nopS3) }, "may not look like an IP address"},
		{"bucket ARN with a key", func(a *App) { a.OnS3Event("b", "arn:aws:s3:::bucket/key", nopS3) }, "is not an S3 bucket ARN"},
		{"bad S3 event", func(a *App) { a.OnS3Event("b", "bucket", nopS3, WithS3Events("ObjectCreated:*")) },
			`WithS3Events: "ObjectCreated:*" is not an S3 event type`},
		{"no S3 events", func(a *App) { a.OnS3Event("b", "bucket", nopS3, WithS3Events()) }, "WithS3Events without events"},
		{"bad stream", func(a *App) { a.OnKinesisRecord("k", "arn:aws:kinesis:us-east-1:123456789012:clicks", nopKinesis) },
			"is not a Kinesis stream ARN"},
		{"Kinesis batch size", func(a *App) { a.OnKinesisRecord("k", "", nopKinesis, WithBatchSize(0)) },
			"batch size 0 is out of range; Kinesis streams allow 1 to 10000"},
		{"Kinesis window", func(a *App) { a.OnKinesisRecord("k", "", nopKinesis, WithMaximumBatchingWindow(1500*time.Millisecond)) },
			"maximum batching window 1.5s: use whole seconds from 0 to 300"},

		// Names.
		{"duplicate name", func(a *App) {
			a.OnSQSMessage("worker", "", nopSQS)
			a.OnKinesisRecord("worker", "", nopKinesis)
		}, `gochalice: OnKinesisRecord "worker": a function with this name is already registered`},
		{"duplicate authorizer and function", func(a *App) {
			a.LambdaFunction("auth", func() {})
			a.TokenAuthorizer("auth", nopToken)
		}, `gochalice: TokenAuthorizer "auth": a function with this name is already registered`},

		// Authorizers.
		{"reserved authorizer name", func(a *App) { a.TokenAuthorizer("iam", nopToken) }, "the name is reserved for IAMAuthorizer"},
		{"token with two sources", func(a *App) {
			a.TokenAuthorizer("t", nopToken, WithIdentitySources("method.request.header.A", "method.request.header.B"))
		}, "this authorizer reads exactly one header"},
		{"token with a query source", func(a *App) {
			a.TokenAuthorizer("t", nopToken, WithIdentitySources("method.request.querystring.token"))
		},
			"this authorizer reads exactly one header"},
		{"request source", func(a *App) { a.RequestAuthorizer("r", nopRequest, WithIdentitySources("header.X")) }, `identity source "header.X"`},
		{"TTL", func(a *App) { a.TokenAuthorizer("t", nopToken, WithTTL(2*time.Hour)) }, "WithTTL(2h0m0s): use whole seconds from 0"},
		{"audience on a token authorizer", func(a *App) { a.TokenAuthorizer("t", nopToken, WithAudience("x")) },
			`gochalice: TokenAuthorizer "t": WithAudience does not apply to TokenAuthorizer; it is for CognitoAuthorizer`},
		{"TTL on Cognito", func(a *App) { CognitoAuthorizer("c", pool, WithTTL(time.Minute)) }, "WithTTL does not apply to CognitoAuthorizer"},
		{"Cognito without pools", func(a *App) { CognitoAuthorizer("c", nil) }, "no user pool"},
		{"Cognito bad pool", func(a *App) { CognitoAuthorizer("c", []string{"us-east-1_AbC123"}) }, "is not a Cognito user pool ARN"},
		{"zero authorizer", func(a *App) { a.Route("GET /x", text("x"), WithAuthorizer(Authorizer{})) }, "WithAuthorizer was given the zero Authorizer"},
		{"scopes on IAM", func(a *App) { a.Route("GET /x", text("x"), WithAuthorizer(IAMAuthorizer(), "read")) },
			`gochalice: route "GET /x": authorization scopes ["read"] need a Cognito authorizer; AWS_IAM authorizer "iam" takes none`},
		{"bad scope", func(a *App) { a.Route("GET /x", text("x"), WithAuthorizer(CognitoAuthorizer("c", pool), "a b")) }, `authorization scope "a b"`},
		{"authorizer of another app", func(a *App) {
			other := New("other").TokenAuthorizer("t", nopToken)
			a.Route("GET /x", text("x"), WithAuthorizer(other))
		}, `authorizer "t" was registered with another app`},
		{"two Cognito authorizers with one name", func(a *App) {
			a.Route("GET /x", text("x"), WithAuthorizer(CognitoAuthorizer("c", pool)))
			a.Route("GET /y", text("y"), WithAuthorizer(CognitoAuthorizer("c", pool, WithAudience("other"))))
		}, `another authorizer named "c" (type COGNITO_USER_POOLS) is already used`},
		{"custom authorizer named like a Cognito one", func(a *App) {
			a.Route("GET /x", text("x"), WithAuthorizer(CognitoAuthorizer("c", pool)))
			a.RequestAuthorizer("c", nopRequest)
		}, `gochalice: RequestAuthorizer "c": an authorizer of type COGNITO_USER_POOLS with this name is already used`},
		{"defaults after routes", func(a *App) {
			a.Route("GET /x", text("x"))
			a.Defaults(WithAPIKey())
		}, `gochalice: Defaults called after route "GET /x" was registered`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg := mustPanic(t, func() { tc.register(New("panics")) })
			if !strings.Contains(msg, tc.want) {
				t.Errorf("panic %q\ndoes not contain %q", msg, tc.want)
			}
		})
	}
}

// Options that apply are accepted on every method that takes them, and
// empty sources (set only at deploy) are fine.
func TestEventRegistrationAccepts(t *testing.T) {
	t.Parallel()
	a := New("accepts")
	fail := WithOnFailure(SQSDestination("arn:aws-cn:sqs:cn-north-1:123456789012:dlq.fifo"))
	a.Schedule("s", "rate(1 minute)", nopSchedule, fail, WithMaximumRetryAttempts(2), WithMaximumEventAge(6*time.Hour))
	a.OnEvent("e", map[string][]string{"source": {"aws.s3"}}, nopSchedule, WithBus("arn:aws:events:us-east-1:123456789012:event-bus/partner/x"), fail)
	a.OnSQSMessage("q", "", nopSQS, WithBatchSize(10000), WithMaximumBatchingWindow(300*time.Second), WithMaximumConcurrency(1000))
	a.OnSQSBatch("qb", "jobs.fifo", nopSQSBatch, WithBatchSize(10))
	a.OnSNSMessage("n", "arn:aws:sns:eu-west-1:210987654321:other-account", nopSNS, fail, WithFilterPolicy(struct {
		Kind []string `json:"kind"`
	}{[]string{"a"}}))
	a.OnS3Event("b", "arn:aws:s3:::my.bucket-1", nopS3, fail, WithS3Events("s3:ObjectCreated:Put", "s3:ObjectCreated:Put"))
	a.OnKinesisRecord("k", "", nopKinesis, WithMaximumEventAge(7*24*time.Hour), WithMaximumRetryAttempts(10000), WithBisectBatchOnError())
	a.OnDynamoDBRecord("d", "", nopDynamoDB, WithOnFailure(SNSDestination("alerts")), WithBisectBatchOnError())
	m := a.Manifest()
	b, _ := m.Function("b")
	if diff := cmp.Diff([]string{"s3:ObjectCreated:Put"}, b.S3.Events); diff != "" {
		t.Errorf("S3 events (-want +got):\n%s", diff)
	}
	d, _ := m.Function("d")
	if d.OnFailure == nil || !d.OnFailure.BisectBatchOnFunctionError || d.OnFailure.DestinationKind != "sns" || d.OnFailure.MaximumRetryAttempts != nil {
		t.Errorf("DynamoDB on failure: %+v", d.OnFailure)
	}
	n, _ := m.Function("n")
	if n.SNS.FilterPolicy != `{"kind":["a"]}` {
		t.Errorf("filter policy %s", n.SNS.FilterPolicy)
	}
}

// TestSQSBatchSizeDefaultsToOne follows Chalice's on_sqs_message, whose
// batch_size defaults to 1: a port that relies on one message per
// invocation must not silently get ten.
func TestSQSBatchSizeDefaultsToOne(t *testing.T) {
	a := New("sqsdefault")
	a.OnSQSMessage("one", "jobs", func(context.Context, events.SQSEvent) error { return nil })
	a.OnSQSBatch("many", "jobs", func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	}, WithBatchSize(10))
	m := a.Manifest()
	got := map[string]int{}
	for _, f := range m.Functions {
		if f.SQS != nil {
			got[f.Name] = f.SQS.BatchSize
		}
	}
	if want := map[string]int{"one": 1, "many": 10}; !cmp.Equal(got, want) {
		t.Errorf("SQS batch sizes = %v, want %v", got, want)
	}
}
