package apptest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/manifest"
)

// sampleKinds maps the event names SampleEventOf accepts to what they
// build.
var sampleKinds = map[string]func(f *filler, fn manifest.Function) any{
	"apigateway":         sampleAPIGateway,
	"apigateway-v2":      sampleAPIGatewayV2,
	"authorizer-request": sampleRequestAuthorizer,
	"authorizer-token":   sampleTokenAuthorizer,
	"dynamodb":           sampleDynamoDB,
	"eventbridge":        sampleEventBridge,
	"kinesis": func(f *filler, fn manifest.Function) any {
		return f.kinesis(fn, []events.KinesisEventRecord{Record("partition-1", []byte(`{"hello":"world"}`))})
	},
	"s3": sampleS3,
	"schedule": func(f *filler, fn manifest.Function) any {
		fn.Kind = manifest.KindSchedule
		return f.eventBridge(fn, "", "Scheduled Event", "aws.events", json.RawMessage(`{}`))
	},
	"sns": func(f *filler, fn manifest.Function) any {
		return f.sns(fn, []events.SNSEventRecord{Notification("Sample notification", `{"hello":"world"}`)})
	},
	"sqs": func(f *filler, fn manifest.Function) any {
		return f.sqs(fn, []events.SQSMessage{Message(`{"hello":"world"}`)})
	},
}

// defaultSample is the sample event of each function kind.
var defaultSample = map[manifest.Kind]string{
	manifest.KindAPI:            "apigateway",
	manifest.KindAuthorizer:     "authorizer-request",
	manifest.KindDynamoDBStream: "dynamodb",
	manifest.KindEventBridge:    "eventbridge",
	manifest.KindKinesis:        "kinesis",
	manifest.KindS3:             "s3",
	manifest.KindSchedule:       "schedule",
	manifest.KindSNS:            "sns",
	manifest.KindSQS:            "sqs",
}

// SampleEventKinds returns the event names SampleEventOf accepts, sorted.
func SampleEventKinds() []string {
	kinds := make([]string, 0, len(sampleKinds))
	for k := range sampleKinds {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// SampleEvent returns a realistic event (JSON) for a function of any
// kind, as AWS would send it: an SQS message from the function's queue, an
// object created in its bucket under its prefix and suffix, an
// EventBridge event built from its pattern's first values, a "Scheduled
// Event", a REST API request "GET /", ... A plain function
// (manifest.KindFunction) gets {}. An authorizer gets a REQUEST event whose
// Authorization header is "allow", which a TOKEN authorizer's handler
// receives as a TOKEN request. The event is the same on every call: ids
// are counters and times 2026-01-01T00:00:00Z. gochalice invoke --local
// uses it.
func SampleEvent(fn manifest.Function) ([]byte, error) {
	if fn.Kind == manifest.KindFunction {
		return []byte("{}\n"), nil
	}
	kind, ok := defaultSample[fn.Kind]
	if !ok {
		return nil, fmt.Errorf("no sample event for function %s of kind %q; give an event name (one of %s)", fn.Name, fn.Kind, strings.Join(SampleEventKinds(), ", "))
	}
	return SampleEventOf(kind, fn)
}

// SampleEventOf returns the sample event named kind (one of
// SampleEventKinds) for fn, whatever fn's kind: fn's source (queue,
// topic, bucket, stream, pattern) is used when it has one of that kind.
func SampleEventOf(kind string, fn manifest.Function) ([]byte, error) {
	build, ok := sampleKinds[kind]
	if !ok {
		return nil, fmt.Errorf("unknown event %q: use one of %s", kind, strings.Join(SampleEventKinds(), ", "))
	}
	n := 0
	f := &filler{
		region:  "us-east-1",
		account: "123456789012",
		now:     func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) },
		next:    func() int { n++; return n },
	}
	data, err := json.MarshalIndent(build(f, fn), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode %s sample event: %w", kind, err)
	}
	return append(data, '\n'), nil
}

func sampleS3(f *filler, fn manifest.Function) any {
	key, removed := "sample.txt", false
	if fn.S3 != nil {
		suffix := fn.S3.Suffix
		if suffix == "" {
			suffix = ".txt"
		}
		key = fn.S3.Prefix + "sample" + suffix
		removed = len(fn.S3.Events) > 0 && strings.HasPrefix(fn.S3.Events[0], "s3:ObjectRemoved")
	}
	r := ObjectCreated(key, 1024)
	if removed {
		r = ObjectRemoved(key)
	}
	return f.s3(fn, []events.S3EventRecord{r})
}

func sampleDynamoDB(f *filler, fn manifest.Function) any {
	return f.dynamoDB(fn, []events.DynamoDBEventRecord{
		Insert(map[string]any{"id": "1", "name": "sample"}, WithKeys("id")),
	})
}

// sampleEventBridge builds an event that matches the function's pattern
// where the pattern lists plain values: its source, detail type and
// detail take the first value of each.
func sampleEventBridge(f *filler, fn manifest.Function) any {
	source, detailType := "com.example.app", "Sample Event"
	detail := json.RawMessage(`{}`)
	if fn.EventBridge != nil {
		var pattern map[string]any
		if json.Unmarshal([]byte(fn.EventBridge.Pattern), &pattern) == nil {
			if s, ok := firstString(pattern["source"]); ok {
				source = s
			}
			if s, ok := firstString(pattern["detail-type"]); ok {
				detailType = s
			}
			if d, ok := pattern["detail"].(map[string]any); ok {
				if b, err := json.Marshal(sampleDetail(d)); err == nil {
					detail = b
				}
			}
		}
	}
	return f.eventBridge(fn, "", detailType, source, detail)
}

func firstString(v any) (string, bool) {
	if list, ok := v.([]any); ok && len(list) > 0 {
		s, ok := list[0].(string)
		return s, ok
	}
	return "", false
}

// sampleDetail takes the first plain value of each array of a pattern,
// skipping content filters ({"prefix": ...}, ...).
func sampleDetail(pattern map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range pattern {
		switch v := v.(type) {
		case map[string]any:
			out[k] = sampleDetail(v)
		case []any:
			for _, x := range v {
				if _, filter := x.(map[string]any); !filter {
					out[k] = x
					break
				}
			}
		}
	}
	return out
}

const sampleMethodARN = "arn:aws:execute-api:us-east-1:123456789012:abcdef1234/api/GET/"

func sampleTokenAuthorizer(f *filler, fn manifest.Function) any {
	return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: "allow", MethodArn: sampleMethodARN}
}

func sampleRequestAuthorizer(f *filler, fn manifest.Function) any {
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:              "REQUEST",
		MethodArn:         sampleMethodARN,
		Resource:          "/",
		Path:              "/",
		HTTPMethod:        "GET",
		Headers:           map[string]string{"Authorization": "allow", "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com"},
		MultiValueHeaders: map[string][]string{"Authorization": {"allow"}, "Host": {"abcdef1234.execute-api.us-east-1.amazonaws.com"}},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         "/api/",
			AccountID:    f.account,
			ResourceID:   "abc123",
			Stage:        "api",
			RequestID:    uuid(f.next()),
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: "127.0.0.1"},
			ResourcePath: "/",
			HTTPMethod:   "GET",
			APIID:        "abcdef1234",
		},
	}
}

func sampleAPIGateway(f *filler, fn manifest.Function) any {
	now := f.now().UTC()
	headers := map[string]string{"Accept": "application/json", "Host": "abcdef1234.execute-api.us-east-1.amazonaws.com", "User-Agent": "gochalice"}
	multi := map[string][]string{}
	for k, v := range headers {
		multi[k] = []string{v}
	}
	return events.APIGatewayProxyRequest{
		Resource:          "/",
		Path:              "/",
		HTTPMethod:        "GET",
		Headers:           headers,
		MultiValueHeaders: multi,
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:        f.account,
			ResourceID:       "abc123",
			Stage:            "api",
			DomainName:       "abcdef1234.execute-api.us-east-1.amazonaws.com",
			DomainPrefix:     "abcdef1234",
			RequestID:        uuid(f.next()),
			Protocol:         "HTTP/1.1",
			Identity:         events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: "gochalice"},
			ResourcePath:     "/",
			Path:             "/api/",
			HTTPMethod:       "GET",
			RequestTime:      now.Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(),
			APIID:            "abcdef1234",
		},
	}
}

func sampleAPIGatewayV2(f *filler, fn manifest.Function) any {
	now := f.now().UTC()
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "$default",
		RawPath:  "/",
		Headers:  map[string]string{"accept": "application/json", "host": "abcdef1234.execute-api.us-east-1.amazonaws.com", "user-agent": "gochalice"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     "$default",
			AccountID:    f.account,
			Stage:        "$default",
			RequestID:    uuid(f.next()),
			APIID:        "abcdef1234",
			DomainName:   "abcdef1234.execute-api.us-east-1.amazonaws.com",
			DomainPrefix: "abcdef1234",
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    "GET",
				Path:      "/",
				Protocol:  "HTTP/1.1",
				SourceIP:  "127.0.0.1",
				UserAgent: "gochalice",
			},
		},
	}
}
