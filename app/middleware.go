package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// EventKind names a kind of function invocation for event middleware, as
// the event_type of Chalice's register_middleware does.
type EventKind string

// The event kinds of UseEvents. AllEvents matches every kind.
const (
	AllEvents        EventKind = "all"
	HTTPEvents       EventKind = "http"        // the API handler: one API Gateway event
	S3Events         EventKind = "s3"          // OnS3Event
	SNSEvents        EventKind = "sns"         // OnSNSMessage
	SQSEvents        EventKind = "sqs"         // OnSQSMessage, OnSQSBatch
	CloudWatchEvents EventKind = "cloudwatch"  // OnEvent (Chalice's on_cw_event)
	ScheduledEvents  EventKind = "scheduled"   // Schedule
	KinesisEvents    EventKind = "kinesis"     // OnKinesisRecord, OnKinesisBatch
	DynamoDBEvents   EventKind = "dynamodb"    // OnDynamoDBRecord, OnDynamoDBBatch
	LambdaEvents     EventKind = "pure_lambda" // LambdaFunction
	WebSocketEvents  EventKind = "websocket"   // WebSocket connect, message and disconnect handlers
)

var eventKinds = []EventKind{AllEvents, HTTPEvents, S3Events, SNSEvents, SQSEvents, CloudWatchEvents,
	ScheduledEvents, KinesisEvents, DynamoDBEvents, LambdaEvents, WebSocketEvents}

// Invocation is one call of a function, as event middleware sees it.
type Invocation struct {
	// Function is the function's registered name ("api_handler" for the
	// routes).
	Function string
	// Kind is the function's event kind, never AllEvents.
	Kind EventKind
	// Event is the event as Lambda delivered it. Decode it into the
	// kind's aws-lambda-go events type to read it; do not modify it.
	Event json.RawMessage
}

// InvokeFunc runs one invocation and returns the function's JSON result.
type InvokeFunc func(ctx context.Context, inv Invocation) ([]byte, error)

// EventMiddleware wraps function invocations: it gets the next InvokeFunc
// and returns one that may run code before and after it, change the
// context, or replace the result or error.
type EventMiddleware func(next InvokeFunc) InvokeFunc

type eventMiddleware struct {
	kind EventKind
	mw   EventMiddleware
}

// UseEvents registers middleware that wraps every invocation of the
// functions of one kind, or of all functions with AllEvents (Chalice's
// register_middleware(fn, event_type)). The first registered is the
// outermost. It wraps the Lambda invocation: on Lambda, in Invoke (and so
// in apptest and gochalice invoke --local). HTTPEvents middleware wraps
// the API handler's invocation with one API Gateway event; the local
// server (Serve, gochalice local) serves routes without a Lambda
// invocation, so for per-request code that also runs there use Use.
// Custom authorizers are not wrapped (as in Chalice).
//
// With no event middleware registered, an invocation costs exactly what
// it did without this feature.
func (a *App) UseEvents(kind EventKind, mw ...EventMiddleware) {
	a.mustBeOpen("UseEvents")
	if !isEventKind(kind) {
		panic(fmt.Sprintf("gochalice: UseEvents: unknown event kind %q; use one of %s", kind, eventKindList()))
	}
	for i, m := range mw {
		if m == nil {
			panic(fmt.Sprintf("gochalice: UseEvents(%q): middleware %d is nil", kind, i))
		}
		a.eventMiddleware = append(a.eventMiddleware, eventMiddleware{kind: kind, mw: m})
	}
}

func isEventKind(k EventKind) bool {
	for _, e := range eventKinds {
		if e == k {
			return true
		}
	}
	return false
}

func eventKindList() string {
	s := make([]string, len(eventKinds))
	for i, k := range eventKinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// eventKind is the kind event middleware matches for f; empty for
// functions it does not wrap (authorizers).
func (f *function) eventKind() EventKind {
	if f.event != "" {
		return f.event
	}
	return eventKindOf(f.kind)
}

func eventKindOf(k manifest.Kind) EventKind {
	switch k {
	case manifest.KindAPI:
		return HTTPEvents
	case manifest.KindS3:
		return S3Events
	case manifest.KindSNS:
		return SNSEvents
	case manifest.KindSQS:
		return SQSEvents
	case manifest.KindEventBridge:
		return CloudWatchEvents
	case manifest.KindSchedule:
		return ScheduledEvents
	case manifest.KindKinesis:
		return KinesisEvents
	case manifest.KindDynamoDBStream:
		return DynamoDBEvents
	case manifest.KindFunction:
		return LambdaEvents
	case manifest.KindWebSocketConnect, manifest.KindWebSocketMessage, manifest.KindWebSocketDisconnect:
		return WebSocketEvents
	case manifest.KindAuthorizer:
		return "" // not wrapped, as in Chalice
	}
	return ""
}

// wrapEvents wraps fn in the event middleware that matches kind; fn
// itself when none does.
func (a *App) wrapEvents(name string, kind EventKind, fn func(context.Context, []byte) ([]byte, error)) func(context.Context, []byte) ([]byte, error) {
	if kind == "" {
		return fn
	}
	var next InvokeFunc
	for i := len(a.eventMiddleware) - 1; i >= 0; i-- {
		m := a.eventMiddleware[i]
		if m.kind != AllEvents && m.kind != kind {
			continue
		}
		if next == nil {
			next = func(ctx context.Context, inv Invocation) ([]byte, error) { return fn(ctx, inv.Event) }
		}
		next = m.mw(next)
	}
	if next == nil {
		return fn
	}
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		return next(ctx, Invocation{Function: name, Kind: kind, Event: payload})
	}
}
