package app

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/gochalice/gochalice/manifest"
)

// function is a registered Lambda function other than the API handler.
type function struct {
	name   string
	kind   manifest.Kind
	info   manifest.Handler
	invoke func(ctx context.Context, payload []byte) ([]byte, error)

	// event is the EventKind event middleware matches; empty means the
	// one kind names (see eventKindOf). WebSocket handlers set it to
	// WebSocketEvents.
	event EventKind

	// source holds the event source fields of the function's manifest
	// entry (DynamoDBStream, SQS, ..., OnFailure).
	source manifest.Function
}

// StartingPosition is where a stream event source starts reading.
type StartingPosition string

// Starting positions of stream event sources.
const (
	// Latest reads only records added after the mapping is created
	// (the default, as in Chalice).
	Latest StartingPosition = "LATEST"
	// TrimHorizon reads from the oldest record still in the stream.
	TrimHorizon StartingPosition = "TRIM_HORIZON"
)

// String returns the position's AWS name.
func (p StartingPosition) String() string { return string(p) }

// eventInvoker decodes an event of type E and runs a handler that returns
// only an error; the function's result is JSON null.
func eventInvoker[E any](name, what string, handler func(context.Context, E) error) func(context.Context, []byte) ([]byte, error) {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev E
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("%s: decode %s: %w", name, what, err)
		}
		if err := handler(ctx, ev); err != nil {
			return nil, err
		}
		return []byte("null"), nil
	}
}

// batchInvoker decodes an event of type E and runs a handler that returns
// a response R (a partial batch response), the function's result.
func batchInvoker[E, R any](name, what string, handler func(context.Context, E) (R, error)) func(context.Context, []byte) ([]byte, error) {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var ev E
		if err := json.Unmarshal(payload, &ev); err != nil {
			return nil, fmt.Errorf("%s: decode %s: %w", name, what, err)
		}
		resp, err := handler(ctx, ev)
		if err != nil {
			return nil, err
		}
		return json.Marshal(resp)
	}
}

// OnDynamoDBRecord registers a function that reads a DynamoDB stream
// (Chalice's on_dynamodb_record). stream is the stream's ARN, or the table's
// name, whose latest stream the deployer looks up. It may be empty while
// running locally or in tests, when it comes from an environment variable
// the stage sets (os.Getenv("STREAM_ARN")); deploying needs it.
//
// A handler that returns an error fails the whole batch, which Lambda
// retries. To report single failed records instead, use OnDynamoDBBatch.
//
// Options: WithBatchSize (default 100), WithStartingPosition (default
// Latest), WithMaximumBatchingWindow, WithBisectBatchOnError, and the
// failure options WithOnFailure, WithMaximumRetryAttempts and
// WithMaximumEventAge.
func (a *App) OnDynamoDBRecord(name, stream string, handler func(context.Context, events.DynamoDBEvent) error, opts ...EventOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: OnDynamoDBRecord %q: nil handler", name))
	}
	a.onDynamoDB("OnDynamoDBRecord", name, stream, handler, false, eventInvoker(name, "DynamoDB stream event", handler), opts)
}

// OnDynamoDBBatch registers a function that reads a DynamoDB stream and
// reports partial batch failures: the handler returns the sequence numbers
// of the records that failed (events.DynamoDBEventResponse), and the
// deployer turns on ReportBatchItemFailures, so only those records and the
// ones after them are retried. Otherwise it is OnDynamoDBRecord.
//
// (Go has no generic methods, so the two handler signatures are two
// methods; each is checked by the compiler.)
func (a *App) OnDynamoDBBatch(name, stream string, handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), opts ...EventOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: OnDynamoDBBatch %q: nil handler", name))
	}
	a.onDynamoDB("OnDynamoDBBatch", name, stream, handler, true, batchInvoker(name, "DynamoDB stream event", handler), opts)
}

func (a *App) onDynamoDB(method, name, stream string, handler any, batch bool, invoke func(context.Context, []byte) ([]byte, error), opts []EventOption) {
	a.registerName(method, name)
	if stream != "" && !isStreamARN(stream) && !isTableName(stream) {
		panic(fmt.Sprintf("gochalice: %s %q: %q is neither a DynamoDB stream ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL) nor a table name", method, name, stream))
	}
	c := streamConfig(method, name, "DynamoDB streams", opts)
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindDynamoDBStream,
		info:   handlerInfo(handler),
		invoke: invoke,
		source: manifest.Function{
			DynamoDBStream: &manifest.DynamoDBStream{
				Stream:                         stream,
				BatchSize:                      c.batchSize,
				StartingPosition:               string(c.start),
				MaximumBatchingWindowInSeconds: int(c.window / time.Second),
				ReportBatchItemFailures:        batch,
			},
			OnFailure: onFailure(method, name, &c, true),
		},
	})
}

// streamConfig applies and checks the options of a stream source
// (DynamoDB or Kinesis).
func streamConfig(method, name, what string, opts []EventOption) eventConfig {
	c := eventOptions(method, name, streamOptions, opts)
	if !c.has("WithBatchSize") {
		c.batchSize = 100
	}
	if !c.has("WithStartingPosition") {
		c.start = Latest
	}
	if c.batchSize < 1 || c.batchSize > 10000 {
		panic(fmt.Sprintf("gochalice: %s %q: batch size %d is out of range; %s allow 1 to 10000", method, name, c.batchSize, what))
	}
	if c.start != Latest && c.start != TrimHorizon {
		panic(fmt.Sprintf("gochalice: %s %q: starting position %q: use app.Latest or app.TrimHorizon", method, name, c.start))
	}
	checkWindow(method, name, c.window)
	return c
}

// LambdaFunction registers a plain Lambda function invoked directly
// (Chalice's @app.lambda_function). The handler takes any of the forms
// lambda.Start accepts:
//
//	func()
//	func() error
//	func(TIn) error
//	func() (TOut, error)
//	func(TIn) (TOut, error)
//	func(context.Context) error
//	func(context.Context, TIn) error
//	func(context.Context) (TOut, error)
//	func(context.Context, TIn) (TOut, error)
//
// where TIn and TOut are JSON-encodable. Other forms panic at registration.
func (a *App) LambdaFunction(name string, handler any) {
	if err := checkLambdaSignature(handler); err != nil {
		panic(fmt.Sprintf("gochalice: LambdaFunction %q: %v", name, err))
	}
	a.registerName("LambdaFunction", name)
	h := lambda.NewHandler(handler)
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindFunction,
		info:   handlerInfo(handler),
		invoke: h.Invoke,
	})
}

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// checkLambdaSignature applies aws-lambda-go's rules at registration, where
// lambda.NewHandler would only fail at the first invocation.
func checkLambdaSignature(handler any) error {
	if handler == nil {
		return fmt.Errorf("nil handler")
	}
	t := reflect.TypeOf(handler)
	if t.Kind() != reflect.Func {
		return fmt.Errorf("handler is a %s, not a function", t)
	}
	switch t.NumIn() {
	case 0, 1:
	case 2:
		if !t.In(0).Implements(contextType) {
			return fmt.Errorf("handler %s takes two arguments, but the first is not a context.Context", t)
		}
	default:
		return fmt.Errorf("handler %s takes more than two arguments", t)
	}
	switch t.NumOut() {
	case 0:
	case 1:
		if !t.Out(0).Implements(errorType) {
			return fmt.Errorf("handler %s returns one value, which must be an error", t)
		}
	case 2:
		if !t.Out(1).Implements(errorType) {
			return fmt.Errorf("handler %s returns two values, and the second must be an error", t)
		}
	default:
		return fmt.Errorf("handler %s returns more than two values", t)
	}
	return nil
}

// Invoke runs the named function with a JSON payload, as Lambda does, and
// returns its JSON result. The API handler is named "api_handler" and takes
// API Gateway events. It is how the Lambda runtime, gochalice's local
// invoke and package apptest reach a function.
func (a *App) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	fn, err := a.lookup(name)
	if err != nil {
		return nil, err
	}
	return fn(ctx, payload)
}

func (a *App) lookup(name string) (func(context.Context, []byte) ([]byte, error), error) {
	if name == manifest.APIHandlerName && len(a.routes) > 0 {
		a.Handler()
		if len(a.eventMiddleware) == 0 {
			return a.invokeAPI, nil
		}
		return a.wrapEvents(name, HTTPEvents, a.invokeAPI), nil
	}
	for _, f := range a.functions {
		if f.name == name {
			if len(a.eventMiddleware) == 0 {
				return f.invoke, nil
			}
			return a.wrapEvents(name, f.eventKind(), f.invoke), nil
		}
	}
	return nil, &UnknownFunctionError{Name: name, Known: a.functionNames()}
}

func (a *App) functionNames() []string {
	var names []string
	if len(a.routes) > 0 {
		names = append(names, manifest.APIHandlerName)
	}
	for _, f := range a.functions {
		names = append(names, f.name)
	}
	return names
}

// UnknownFunctionError reports a function name the app did not register.
type UnknownFunctionError struct {
	Name  string
	Known []string
}

func (e *UnknownFunctionError) Error() string {
	return fmt.Sprintf("no function %q is registered (registered: %v)", e.Name, e.Known)
}
