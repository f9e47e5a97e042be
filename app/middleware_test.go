package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/manifest"
)

// TestUseEvents registers a function of every kind, an all-events
// middleware and one per kind, and checks each invocation passes through
// the ones that match it, outermost first, with the function's name, kind
// and event.
func TestUseEvents(t *testing.T) {
	var seen []string
	note := func(tag string) EventMiddleware {
		return func(next InvokeFunc) InvokeFunc {
			return func(ctx context.Context, inv Invocation) ([]byte, error) {
				seen = append(seen, fmt.Sprintf("%s>%s:%s", tag, inv.Function, inv.Kind))
				out, err := next(ctx, inv)
				if err != nil {
					seen = append(seen, tag+" saw "+err.Error())
				}
				return out, err
			}
		}
	}
	a := New("mw")
	a.Route("GET /ping", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("pong")) })
	a.OnSQSMessage("jobs", "", func(context.Context, events.SQSEvent) error { return errors.New("job failed") })
	a.OnSNSMessage("news", "", func(context.Context, events.SNSEvent) error { return nil })
	a.Schedule("nightly", "rate(1 day)", func(context.Context, events.EventBridgeEvent) error { return nil })
	a.LambdaFunction("plain", func(_ context.Context, in string) (string, error) { return "hi " + in, nil })
	a.UseEvents(AllEvents, note("all"))
	a.UseEvents(SQSEvents, note("sqs"))
	a.UseEvents(LambdaEvents, note("lambda"))

	ctx := context.Background()
	if out, err := a.Invoke(ctx, "plain", []byte(`"ana"`)); err != nil || string(out) != `"hi ana"` {
		t.Errorf("plain = %s, %v", out, err)
	}
	if _, err := a.Invoke(ctx, "jobs", []byte(`{"Records":[]}`)); err == nil || !strings.Contains(err.Error(), "job failed") {
		t.Errorf("jobs error = %v, want job failed", err)
	}
	if _, err := a.Invoke(ctx, "news", []byte(`{"Records":[]}`)); err != nil {
		t.Errorf("news: %v", err)
	}
	if _, err := a.Invoke(ctx, "nightly", []byte(`{"source":"aws.events"}`)); err != nil {
		t.Errorf("nightly: %v", err)
	}
	ev := `{"httpMethod":"GET","path":"/ping","resource":"/ping","requestContext":{"resourcePath":"/ping","httpMethod":"GET","stage":"dev"}}`
	if out, err := a.Invoke(ctx, "api_handler", []byte(ev)); err != nil || !strings.Contains(string(out), "pong") {
		t.Errorf("api_handler = %s, %v", out, err)
	}
	want := []string{
		"all>plain:pure_lambda", "lambda>plain:pure_lambda",
		"all>jobs:sqs", "sqs>jobs:sqs", "sqs saw job failed", "all saw job failed",
		"all>news:sns",
		"all>nightly:scheduled",
		"all>api_handler:http",
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("middleware calls (-want +got):\n%s", diff)
	}
}

func TestUseEventsRejects(t *testing.T) {
	mustPanic := func(name, want string, f func()) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(fmt.Sprint(r), want) {
				t.Errorf("%s: panic %v, want one containing %q", name, r, want)
			}
		}()
		f()
	}
	a := New("mw")
	mustPanic("kind", `unknown event kind "sqs_message"`, func() { a.UseEvents("sqs_message", func(n InvokeFunc) InvokeFunc { return n }) })
	mustPanic("nil", "middleware 0 is nil", func() { a.UseEvents(AllEvents, nil) })
}

// TestEventKindOfWebSocket is the hook the WebSocket handlers plug into:
// a function of a manifest WebSocket kind, or that sets its event field,
// is a WebSocketEvents invocation.
func TestEventKindOfWebSocket(t *testing.T) {
	if got := eventKindOf(manifest.KindWebSocketMessage); got != WebSocketEvents {
		t.Errorf("eventKindOf(websocket_message) = %q", got)
	}
	if got := (&function{kind: "anything", event: WebSocketEvents}).eventKind(); got != WebSocketEvents {
		t.Errorf("eventKind with event set = %q", got)
	}
	if got := eventKindOf("authorizer"); got != "" {
		t.Errorf("authorizers are not wrapped, got kind %q", got)
	}
}

// BenchmarkInvokeEventMiddleware measures an invocation without event
// middleware and with one pass-through middleware: both allocate the same
// (5 allocs/op at the time of writing), since Invocation is passed by value.
func BenchmarkInvokeEventMiddleware(b *testing.B) {
	for _, with := range []bool{false, true} {
		b.Run(fmt.Sprint("middleware=", with), func(b *testing.B) {
			a := New("bench")
			a.LambdaFunction("plain", func(context.Context) error { return nil })
			if with {
				a.UseEvents(AllEvents, func(next InvokeFunc) InvokeFunc { return next })
			}
			fn, err := a.lookup("plain")
			if err != nil {
				b.Fatal(err)
			}
			ctx, payload := context.Background(), []byte(`{}`)
			b.ReportAllocs()
			for b.Loop() {
				_, _ = fn(ctx, payload)
			}
		})
	}
}
