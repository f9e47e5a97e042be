package apptest_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/manifest"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// sourcesApp registers one function per event source; each handler
// keeps the event it got.
type sourcesApp struct {
	*app.App
	mu   sync.Mutex
	seen map[string]any
}

func (s *sourcesApp) keep(name string, ev any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[name] = ev
}

func newSourcesApp() *sourcesApp {
	s := &sourcesApp{App: app.New("sources"), seen: map[string]any{}}
	s.Schedule("nightly", "cron(0 3 * * ? *)", func(_ context.Context, ev events.EventBridgeEvent) error {
		s.keep("nightly", ev)
		return nil
	})
	s.OnEvent("on_donation", map[string]any{
		"source": []string{"savealife.donations"}, "detail-type": []string{"Donation Made"},
		"detail": map[string]any{"blood_type": []any{"O-", "AB+"}, "amount": []any{map[string]any{"numeric": []any{">", 0}}}},
	}, func(_ context.Context, ev events.EventBridgeEvent) error {
		s.keep("on_donation", ev)
		return nil
	}, app.WithBus("donations"))
	s.OnSQSMessage("worker", "jobs", func(_ context.Context, ev events.SQSEvent) error {
		s.keep("worker", ev)
		return nil
	})
	s.OnSQSBatch("fifo_worker", "arn:aws:sqs:eu-west-1:210987654321:orders.fifo", func(_ context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		s.keep("fifo_worker", ev)
		var resp events.SQSEventResponse
		for _, m := range ev.Records {
			if m.Body == "bad" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
		}
		return resp, nil
	})
	s.OnSNSMessage("notified", "alerts", func(_ context.Context, ev events.SNSEvent) error {
		s.keep("notified", ev)
		return nil
	})
	s.OnS3Event("photos", "savealife-uploads", func(_ context.Context, ev events.S3Event) error {
		s.keep("photos", ev)
		return nil
	}, app.WithPrefix("photos/"), app.WithSuffix(".jpg"), app.WithS3Events("s3:ObjectCreated:*", "s3:ObjectRemoved:Delete"))
	s.OnKinesisBatch("clicks", "clickstream", func(_ context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
		s.keep("clicks", ev)
		return events.KinesisEventResponse{BatchItemFailures: []events.KinesisBatchItemFailure{{ItemIdentifier: ev.Records[len(ev.Records)-1].Kinesis.SequenceNumber}}}, nil
	})
	s.OnKinesisRecord("failing", "", func(context.Context, events.KinesisEvent) error { return errors.New("bad record") })
	return s
}

func TestGenerators(t *testing.T) {
	t.Parallel()
	s := newSourcesApp()
	c := apptest.New(s.App)
	ctx := context.Background()

	// SQS: ARN from the queue's name, ids, MD5 of the body, attributes.
	if resp, err := c.SQS(ctx, "worker", apptest.Message(`{"job":1}`, apptest.WithMessageAttribute("kind", "report"))); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("SQS: %v %v", resp, err)
	}
	m := s.seen["worker"].(events.SQSEvent).Records[0]
	if m.EventSourceARN != "arn:aws:sqs:us-east-1:123456789012:jobs" || m.EventSource != "aws:sqs" || m.AWSRegion != "us-east-1" ||
		m.Md5OfBody != fmt.Sprintf("%x", md5.Sum([]byte(`{"job":1}`))) || m.MessageId == "" || m.ReceiptHandle == "" ||
		m.Attributes["ApproximateReceiveCount"] != "1" || *m.MessageAttributes["kind"].StringValue != "report" {
		t.Errorf("SQS message %+v", m)
	}
	// A FIFO queue's ARN is kept; partial batch responses come back.
	resp, err := c.SQS(ctx, "fifo_worker", apptest.Message("ok"), apptest.Message("bad", apptest.WithMessageGroupID("g1")))
	if err != nil {
		t.Fatal(err)
	}
	ev := s.seen["fifo_worker"].(events.SQSEvent)
	if diff := cmp.Diff([]events.SQSBatchItemFailure{{ItemIdentifier: ev.Records[1].MessageId}}, resp.BatchItemFailures); diff != "" {
		t.Errorf("SQS batch response (-want +got):\n%s", diff)
	}
	if ev.Records[0].EventSourceARN != "arn:aws:sqs:eu-west-1:210987654321:orders.fifo" || ev.Records[0].Attributes["MessageGroupId"] != "default" ||
		ev.Records[1].Attributes["MessageGroupId"] != "g1" || ev.Records[0].MessageId == ev.Records[1].MessageId {
		t.Errorf("FIFO messages %+v", ev.Records)
	}

	// SNS.
	if err := c.SNS(ctx, "notified", apptest.Notification("Low stock", "O- below 10 units", apptest.WithNotificationAttribute("severity", "high"))); err != nil {
		t.Fatal(err)
	}
	n := s.seen["notified"].(events.SNSEvent).Records[0]
	if n.SNS.TopicArn != "arn:aws:sns:us-east-1:123456789012:alerts" || !strings.HasPrefix(n.EventSubscriptionArn, n.SNS.TopicArn+":") ||
		n.SNS.Subject != "Low stock" || n.SNS.Message != "O- below 10 units" || n.SNS.Type != "Notification" || n.SNS.Timestamp.IsZero() ||
		!reflect.DeepEqual(n.SNS.MessageAttributes["severity"], map[string]any{"Type": "String", "Value": "high"}) {
		t.Errorf("SNS record %+v", n)
	}

	// S3: keys URL-encoded as S3 sends them; filters applied.
	if err := c.S3(ctx, "photos", apptest.ObjectCreated("photos/Happy Face.jpg", 2048), apptest.ObjectRemoved("photos/old+one.jpg")); err != nil {
		t.Fatal(err)
	}
	rs := s.seen["photos"].(events.S3Event).Records
	got := []string{}
	for _, r := range rs {
		got = append(got, fmt.Sprintf("%s %s %s %q %q %d", r.EventName, r.S3.Bucket.Name, r.S3.Bucket.Arn, r.S3.Object.Key, r.S3.Object.URLDecodedKey, r.S3.Object.Size))
	}
	want := []string{
		`ObjectCreated:Put savealife-uploads arn:aws:s3:::savealife-uploads "photos/Happy+Face.jpg" "photos/Happy Face.jpg" 2048`,
		`ObjectRemoved:Delete savealife-uploads arn:aws:s3:::savealife-uploads "photos/old%2Bone.jpg" "photos/old+one.jpg" 0`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("S3 records (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		rec  events.S3EventRecord
		want string
	}{
		{apptest.ObjectCreated("docs/a.jpg", 1), `key "docs/a.jpg" does not start with the function's prefix "photos/"`},
		{apptest.ObjectCreated("photos/a.png", 1), `key "photos/a.png" does not end with the function's suffix ".jpg"`},
		{events.S3EventRecord{EventName: "ObjectRestore:Completed", S3: events.S3Entity{Object: events.S3Object{URLDecodedKey: "photos/a.jpg"}}},
			"event s3:ObjectRestore:Completed is not one of the function's S3 events"},
	} {
		if err := c.S3(ctx, "photos", tc.rec); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("S3 record S3 would not send: %v, want %q", err, tc.want)
		}
	}

	// Kinesis: increasing sequence numbers, the stream's ARN, partial
	// batch responses.
	kresp, err := c.Kinesis(ctx, "clicks", apptest.Record("user-1", []byte("click 1")), apptest.Record("user-2", []byte("click 2")))
	if err != nil {
		t.Fatal(err)
	}
	ks := s.seen["clicks"].(events.KinesisEvent).Records
	if ks[0].EventSourceArn != "arn:aws:kinesis:us-east-1:123456789012:stream/clickstream" || ks[0].Kinesis.SequenceNumber >= ks[1].Kinesis.SequenceNumber ||
		string(ks[1].Kinesis.Data) != "click 2" || ks[1].Kinesis.PartitionKey != "user-2" || ks[0].EventID != "shardId-000000000000:"+ks[0].Kinesis.SequenceNumber {
		t.Errorf("Kinesis records %+v", ks)
	}
	if diff := cmp.Diff([]events.KinesisBatchItemFailure{{ItemIdentifier: ks[1].Kinesis.SequenceNumber}}, kresp.BatchItemFailures); diff != "" {
		t.Errorf("Kinesis batch response (-want +got):\n%s", diff)
	}
	if _, err := c.Kinesis(ctx, "failing", apptest.Record("k", nil)); err == nil || err.Error() != "bad record" {
		t.Errorf("handler error: %v", err)
	}

	// Schedules and EventBridge events.
	if err := c.Schedule(ctx, "nightly"); err != nil {
		t.Fatal(err)
	}
	sch := s.seen["nightly"].(events.EventBridgeEvent)
	if sch.DetailType != "Scheduled Event" || sch.Source != "aws.events" || string(sch.Detail) != "{}" ||
		!reflect.DeepEqual(sch.Resources, []string{"arn:aws:events:us-east-1:123456789012:rule/sources-nightly"}) || sch.Time.IsZero() {
		t.Errorf("scheduled event %+v", sch)
	}
	if err := c.Event(ctx, "on_donation", "Donation Made", "savealife.donations", map[string]any{"blood_type": "O-", "amount": 2}); err != nil {
		t.Fatal(err)
	}
	don := s.seen["on_donation"].(events.EventBridgeEvent)
	if don.DetailType != "Donation Made" || don.Source != "savealife.donations" || string(don.Detail) != `{"amount":2,"blood_type":"O-"}` || don.AccountID != "123456789012" {
		t.Errorf("event %+v", don)
	}

	// Wrong kinds.
	for _, err := range []error{
		c.Schedule(ctx, "worker"),
		c.SNS(ctx, "nope"),
		c.Event(ctx, "nightly", "x", "y", nil),
	} {
		if err == nil || !strings.Contains(err.Error(), "function of app sources") {
			t.Errorf("wrong kind: %v", err)
		}
	}
	if _, err := c.SQS(ctx, "clicks"); err == nil || err.Error() != `apptest: "clicks" is not an SQS function of app sources` {
		t.Errorf("wrong kind: %v", err)
	}
}

// sampleApp has one function of every kind.
func sampleApp() *app.App {
	s := newSourcesApp()
	a := s.App
	a.Route("GET /", func(http.ResponseWriter, *http.Request) {})
	a.OnDynamoDBRecord("stream", "donors", func(context.Context, events.DynamoDBEvent) error { return nil })
	a.LambdaFunction("plain", func(context.Context, map[string]any) (map[string]any, error) { return map[string]any{"ok": true}, nil })
	a.TokenAuthorizer("token_auth", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		if req.AuthorizationToken != "allow" || req.MethodArn == "" {
			return events.APIGatewayCustomAuthorizerResponse{}, app.ErrUnauthorized
		}
		return allow("sample", req.MethodArn, nil), nil
	})
	a.RequestAuthorizer("request_auth", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		return allow(req.Headers["Authorization"], req.MethodArn, nil), nil
	})
	return a
}

// eventType is the aws-lambda-go type of each sample event.
var eventType = map[string]func() any{
	"apigateway":         func() any { return new(events.APIGatewayProxyRequest) },
	"apigateway-v2":      func() any { return new(events.APIGatewayV2HTTPRequest) },
	"authorizer-request": func() any { return new(events.APIGatewayCustomAuthorizerRequestTypeRequest) },
	"authorizer-token":   func() any { return new(events.APIGatewayCustomAuthorizerRequest) },
	"dynamodb":           func() any { return new(events.DynamoDBEvent) },
	"eventbridge":        func() any { return new(events.EventBridgeEvent) },
	"kinesis":            func() any { return new(events.KinesisEvent) },
	"s3":                 func() any { return new(events.S3Event) },
	"schedule":           func() any { return new(events.EventBridgeEvent) },
	"sns":                func() any { return new(events.SNSEvent) },
	"sqs":                func() any { return new(events.SQSEvent) },
}

// sampleFunction is the function each sample event is made for.
var sampleFunction = map[string]string{
	"apigateway": "api_handler", "apigateway-v2": "api_handler", "authorizer-request": "request_auth",
	"authorizer-token": "token_auth", "dynamodb": "stream", "eventbridge": "on_donation", "kinesis": "clicks",
	"s3": "photos", "schedule": "nightly", "sns": "notified", "sqs": "worker",
}

func jsonEqual(t *testing.T, a, b []byte) string {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	return cmp.Diff(x, y)
}

// Every sample event is golden, reads into its aws-lambda-go type and back
// to the same JSON, and is accepted by a function of its kind.
func TestSampleEvents(t *testing.T) {
	a := sampleApp()
	m := a.Manifest()
	if diff := cmp.Diff(sortedKeys(eventType), apptest.SampleEventKinds()); diff != "" {
		t.Errorf("SampleEventKinds (-want +got):\n%s", diff)
	}
	for _, kind := range apptest.SampleEventKinds() {
		t.Run(kind, func(t *testing.T) {
			fn, ok := m.Function(sampleFunction[kind])
			if !ok {
				t.Fatalf("no function %s", sampleFunction[kind])
			}
			got, err := apptest.SampleEventOf(kind, fn)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := apptest.SampleEventOf(kind, fn)
			if !bytes.Equal(got, again) {
				t.Errorf("two samples differ:\n%s\n%s", got, again)
			}
			golden := filepath.Join("testdata", "sample-"+kind+".json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("sample differs from %s (-want +got); run go test -run TestSampleEvents -update if intended:\n%s", golden, diff)
			}

			// Round trip through the aws-lambda-go type.
			v := eventType[kind]()
			dec := json.NewDecoder(bytes.NewReader(want))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Fatalf("decode into %T: %v", v, err)
			}
			back, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := jsonEqual(t, want, back); diff != "" {
				t.Errorf("%T round trip (-fixture +re-encoded):\n%s", v, diff)
			}

			// The function takes it.
			if _, err := a.Invoke(context.Background(), fn.Name, want); err != nil {
				t.Errorf("invoke %s: %v", fn.Name, err)
			}
		})
	}
}

func sortedKeys[V any](m map[string]V) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestSampleEventDefaults(t *testing.T) {
	t.Parallel()
	m := sampleApp().Manifest()
	for _, fn := range m.Functions {
		got, err := apptest.SampleEvent(fn)
		if err != nil {
			t.Errorf("%s: %v", fn.Name, err)
			continue
		}
		var want []byte
		switch fn.Kind {
		case manifest.KindFunction:
			want = []byte("{}\n")
		case manifest.KindAuthorizer:
			want, _ = apptest.SampleEventOf("authorizer-request", fn)
		default:
			kind := map[manifest.Kind]string{
				manifest.KindAPI: "apigateway", manifest.KindDynamoDBStream: "dynamodb", manifest.KindEventBridge: "eventbridge",
				manifest.KindKinesis: "kinesis", manifest.KindS3: "s3", manifest.KindSchedule: "schedule", manifest.KindSNS: "sns", manifest.KindSQS: "sqs",
			}[fn.Kind]
			want, _ = apptest.SampleEventOf(kind, fn)
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%s: SampleEvent differs from its kind's sample", fn.Name)
		}
	}
	// A TOKEN authorizer answers the default (REQUEST) sample too.
	fn, _ := m.Function("token_auth")
	ev, _ := apptest.SampleEvent(fn)
	if out, err := sampleApp().Invoke(context.Background(), "token_auth", ev); err != nil || !bytes.Contains(out, []byte(`"principalId":"sample"`)) {
		t.Errorf("token authorizer on the default sample: %s %v", out, err)
	}
	if _, err := apptest.SampleEventOf("carrier-pigeon", fn); err == nil || !strings.HasPrefix(err.Error(), `unknown event "carrier-pigeon": use one of apigateway, apigateway-v2, authorizer-request`) {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := apptest.SampleEvent(manifest.Function{Name: "x", Kind: "teleport"}); err == nil || !strings.Contains(err.Error(), `of kind "teleport"`) {
		t.Errorf("unknown function kind: %v", err)
	}
	// The sample of a source without a name still has an ARN; times are
	// fixed.
	sqs, _ := apptest.SampleEventOf("sqs", manifest.Function{Name: "q", Kind: manifest.KindSQS, SQS: &manifest.SQS{}})
	var e events.SQSEvent
	if err := json.Unmarshal(sqs, &e); err != nil || e.Records[0].EventSourceARN != "arn:aws:sqs:us-east-1:123456789012:queue" ||
		e.Records[0].Attributes["SentTimestamp"] != fmt.Sprint(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()) {
		t.Errorf("SQS sample without a queue: %s %v", sqs, err)
	}
}
