package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/manifest"
)

// Schedule registers a function that EventBridge runs on a schedule
// (Chalice's @app.schedule). expr is an EventBridge schedule expression,
// checked at registration:
//
//	rate(1 minute), rate(5 minutes), rate(1 hour), rate(12 hours), rate(1 day), rate(7 days)
//	cron(MINUTES HOURS DAY-OF-MONTH MONTH DAY-OF-WEEK YEAR), e.g.
//	cron(0 12 * * ? *)      every day at 12:00 UTC
//	cron(0/15 * ? * MON-FRI *)  every 15 minutes on weekdays
//
// In a cron expression one of day-of-month and day-of-week must be "?".
// The handler receives a "Scheduled Event" (events.EventBridgeEvent,
// source "aws.events"). Options: WithDescription and the failure options
// WithOnFailure, WithMaximumRetryAttempts and WithMaximumEventAge.
func (a *App) Schedule(name, expr string, handler func(context.Context, events.EventBridgeEvent) error, opts ...EventOption) {
	const method = "Schedule"
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s %q: nil handler", method, name))
	}
	if err := CheckScheduleExpression(expr); err != nil {
		panic(fmt.Sprintf("gochalice: %s %q: %v", method, name, err))
	}
	a.registerName(method, name)
	c := eventOptions(method, name, scheduleOpts, opts)
	checkDescription(method, name, c.description)
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindSchedule,
		info:   handlerInfo(handler),
		invoke: eventInvoker(name, "EventBridge scheduled event", handler),
		source: manifest.Function{
			Schedule:  &manifest.Schedule{Expression: expr, Description: c.description},
			OnFailure: onFailure(method, name, &c, false),
		},
	})
}

// OnEvent registers a function that runs for every event matching an
// EventBridge event pattern (Chalice's on_cw_event), on the account's
// default bus or the bus WithBus names. pattern is a JSON object given as a
// map, a struct, a JSON string, []byte or json.RawMessage, such as
//
//	map[string]any{"source": []string{"aws.ec2"}, "detail-type": []string{"EC2 Instance State-change Notification"}}
//
// Every value of a pattern is an array of values to match or a nested
// object, as EventBridge requires. Options: WithBus, WithDescription and
// the failure options WithOnFailure, WithMaximumRetryAttempts and
// WithMaximumEventAge.
func (a *App) OnEvent(name string, pattern any, handler func(context.Context, events.EventBridgeEvent) error, opts ...EventOption) {
	const method = "OnEvent"
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s %q: nil handler", method, name))
	}
	canonical, err := canonicalObject(pattern)
	if err == nil {
		err = checkPattern(canonical, "EventBridge")
	}
	if err != nil {
		panic(fmt.Sprintf("gochalice: %s %q: event pattern: %v", method, name, err))
	}
	a.registerName(method, name)
	c := eventOptions(method, name, eventOpts, opts)
	checkDescription(method, name, c.description)
	bus := c.bus
	if !c.has("WithBus") {
		bus = "default"
	}
	if problem := checkBus(bus); problem != "" {
		panic(fmt.Sprintf("gochalice: %s %q: WithBus: %s", method, name, problem))
	}
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindEventBridge,
		info:   handlerInfo(handler),
		invoke: eventInvoker(name, "EventBridge event", handler),
		source: manifest.Function{
			EventBridge: &manifest.EventBridge{Bus: bus, Pattern: canonical, Description: c.description},
			OnFailure:   onFailure(method, name, &c, false),
		},
	})
}

// OnSQSMessage registers a function that reads an SQS queue through an
// event source mapping (Chalice's on_sqs_message). queue is the queue's
// name (in the deploy's account and region) or ARN; it may be empty while
// running locally or in tests, when it comes from an environment variable
// the stage sets. A handler that returns an error fails the whole batch:
// its messages become visible again after the queue's visibility timeout.
// To report single failed messages, use OnSQSBatch.
//
// Options: WithBatchSize (default 1, as in Chalice), WithMaximumBatchingWindow and
// WithMaximumConcurrency. Lambda does not retry SQS messages itself, so
// the failure options do not apply: give the queue a redrive policy.
func (a *App) OnSQSMessage(name, queue string, handler func(context.Context, events.SQSEvent) error, opts ...EventOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: OnSQSMessage %q: nil handler", name))
	}
	a.onSQS("OnSQSMessage", name, queue, handler, false, eventInvoker(name, "SQS event", handler), opts)
}

// OnSQSBatch registers a function that reads an SQS queue and reports
// partial batch failures: the handler returns the message ids of the
// messages that failed (events.SQSEventResponse), the deployer turns on
// ReportBatchItemFailures, and only those messages return to the queue.
// Otherwise it is OnSQSMessage.
func (a *App) OnSQSBatch(name, queue string, handler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), opts ...EventOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: OnSQSBatch %q: nil handler", name))
	}
	a.onSQS("OnSQSBatch", name, queue, handler, true, batchInvoker(name, "SQS event", handler), opts)
}

func (a *App) onSQS(method, name, queue string, handler any, batch bool, invoke func(context.Context, []byte) ([]byte, error), opts []EventOption) {
	if queue != "" {
		if problem := checkQueue(queue); problem != "" {
			panic(fmt.Sprintf("gochalice: %s %q: %s", method, name, problem))
		}
	}
	a.registerName(method, name)
	c := eventOptions(method, name, sqsOptions, opts)
	if !c.has("WithBatchSize") {
		// Chalice's on_sqs_message defaults batch_size to 1: one message per
		// invocation, so a failing message never takes others down with it.
		c.batchSize = 1
	}
	checkWindow(method, name, c.window)
	fifo := strings.HasSuffix(queue, ".fifo")
	switch {
	case fifo && c.window > 0:
		panic(fmt.Sprintf("gochalice: %s %q: a FIFO queue takes no batching window: remove WithMaximumBatchingWindow", method, name))
	case c.batchSize < 1 || c.batchSize > 10000:
		panic(fmt.Sprintf("gochalice: %s %q: batch size %d is out of range; SQS allows 1 to 10 (up to 10000 for a standard queue with a batching window)", method, name, c.batchSize))
	case c.batchSize > 10 && fifo:
		panic(fmt.Sprintf("gochalice: %s %q: batch size %d is out of range; a FIFO queue allows 1 to 10", method, name, c.batchSize))
	case c.batchSize > 10 && c.window == 0:
		panic(fmt.Sprintf("gochalice: %s %q: batch size %d needs a batching window; add WithMaximumBatchingWindow (1 to 300 seconds) or use a batch size of 10 or less", method, name, c.batchSize))
	}
	if c.has("WithMaximumConcurrency") && (c.maxConcurrency < 2 || c.maxConcurrency > 1000) {
		panic(fmt.Sprintf("gochalice: %s %q: maximum concurrency %d is out of range; SQS event sources allow 2 to 1000", method, name, c.maxConcurrency))
	}
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindSQS,
		info:   handlerInfo(handler),
		invoke: invoke,
		source: manifest.Function{SQS: &manifest.SQS{
			Queue:                          queue,
			BatchSize:                      c.batchSize,
			MaximumBatchingWindowInSeconds: int(c.window / time.Second),
			MaximumConcurrency:             c.maxConcurrency,
			ReportBatchItemFailures:        batch,
		}},
	})
}

// OnSNSMessage registers a function subscribed to an SNS topic (Chalice's
// on_sns_message). topic is the topic's name (in the deploy's account and
// region) or ARN; it may be empty while running locally or in tests.
//
// A topic of another account is given by ARN. Its owner must let this
// account subscribe: the topic's access policy must allow the deploying
// account (or role) sns:Subscribe on the topic. The deployer subscribes
// the function and gives SNS permission to invoke it for that topic only.
//
// Options: WithFilterPolicy and the failure options WithOnFailure,
// WithMaximumRetryAttempts and WithMaximumEventAge.
func (a *App) OnSNSMessage(name, topic string, handler func(context.Context, events.SNSEvent) error, opts ...EventOption) {
	const method = "OnSNSMessage"
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s %q: nil handler", method, name))
	}
	if topic != "" {
		if problem := checkTopic(topic); problem != "" {
			panic(fmt.Sprintf("gochalice: %s %q: %s", method, name, problem))
		}
		if strings.HasSuffix(topic, ".fifo") {
			panic(fmt.Sprintf("gochalice: %s %q: %q is a FIFO topic, which delivers only to SQS queues, not to Lambda: subscribe an SQS FIFO queue to it and read that with OnSQSMessage", method, name, topic))
		}
	}
	a.registerName(method, name)
	c := eventOptions(method, name, snsOptions, opts)
	var policy string
	if c.has("WithFilterPolicy") {
		p, err := canonicalObject(c.filterPolicy)
		if err == nil {
			err = checkPattern(p, "SNS")
		}
		if err != nil {
			panic(fmt.Sprintf("gochalice: %s %q: WithFilterPolicy: %v", method, name, err))
		}
		policy = p
	}
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindSNS,
		info:   handlerInfo(handler),
		invoke: eventInvoker(name, "SNS event", handler),
		source: manifest.Function{
			SNS:       &manifest.SNS{Topic: topic, FilterPolicy: policy},
			OnFailure: onFailure(method, name, &c, false),
		},
	})
}

// OnS3Event registers a function that runs for S3 bucket notifications
// (Chalice's on_s3_event). bucket is the bucket's name or ARN
// (arn:aws:s3:::NAME); it may be empty while running locally or in tests.
// The deployer adds the function's notification to the bucket's
// notification configuration, keeping the configurations already there,
// and lets S3 invoke the function for that bucket and its owner's account
// only.
//
// Options: WithS3Events (default "s3:ObjectCreated:*"), WithPrefix,
// WithSuffix and the failure options WithOnFailure,
// WithMaximumRetryAttempts and WithMaximumEventAge.
func (a *App) OnS3Event(name, bucket string, handler func(context.Context, events.S3Event) error, opts ...EventOption) {
	const method = "OnS3Event"
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s %q: nil handler", method, name))
	}
	if bucket != "" {
		if problem := checkBucket(bucket); problem != "" {
			panic(fmt.Sprintf("gochalice: %s %q: %s", method, name, problem))
		}
	}
	a.registerName(method, name)
	c := eventOptions(method, name, s3Options, opts)
	evs := slices.Clone(c.s3Events)
	if len(evs) == 0 {
		if c.has("WithS3Events") {
			panic(fmt.Sprintf("gochalice: %s %q: WithS3Events without events: name at least one, such as \"s3:ObjectCreated:*\"", method, name))
		}
		evs = []string{"s3:ObjectCreated:*"}
	}
	for _, e := range evs {
		if !isS3EventName(e) {
			panic(fmt.Sprintf("gochalice: %s %q: WithS3Events: %q is not an S3 event type; use names such as \"s3:ObjectCreated:*\", \"s3:ObjectCreated:Put\" or \"s3:ObjectRemoved:*\"", method, name, e))
		}
	}
	slices.Sort(evs)
	evs = slices.Compact(evs)
	for _, kv := range [][2]string{{"WithPrefix", c.prefix}, {"WithSuffix", c.suffix}} {
		if len(kv[1]) > 1024 {
			panic(fmt.Sprintf("gochalice: %s %q: %s: S3 allows at most 1024 characters", method, name, kv[0]))
		}
	}
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindS3,
		info:   handlerInfo(handler),
		invoke: eventInvoker(name, "S3 event", handler),
		source: manifest.Function{
			S3:        &manifest.S3{Bucket: bucket, Events: evs, Prefix: c.prefix, Suffix: c.suffix},
			OnFailure: onFailure(method, name, &c, false),
		},
	})
}

// OnKinesisRecord registers a function that reads a Kinesis data stream
// through an event source mapping. stream is the stream's name (in the
// deploy's account and region) or ARN; it may be empty while running
// locally or in tests. A handler that returns an error fails the whole
// batch, which Lambda retries; to report single failed records, use
// OnKinesisBatch.
//
// Options: WithBatchSize (default 100), WithStartingPosition (default
// Latest), WithMaximumBatchingWindow, WithBisectBatchOnError and the
// failure options WithOnFailure, WithMaximumRetryAttempts and
// WithMaximumEventAge.
func (a *App) OnKinesisRecord(name, stream string, handler func(context.Context, events.KinesisEvent) error, opts ...EventOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: OnKinesisRecord %q: nil handler", name))
	}
	a.onKinesis("OnKinesisRecord", name, stream, handler, false, eventInvoker(name, "Kinesis event", handler), opts)
}

// OnKinesisBatch registers a function that reads a Kinesis data stream
// and reports partial batch failures: the handler returns the sequence
// numbers of the records that failed (events.KinesisEventResponse), and
// the deployer turns on ReportBatchItemFailures. Otherwise it is
// OnKinesisRecord.
func (a *App) OnKinesisBatch(name, stream string, handler func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error), opts ...EventOption) {
	if handler == nil {
		panic(fmt.Sprintf("gochalice: OnKinesisBatch %q: nil handler", name))
	}
	a.onKinesis("OnKinesisBatch", name, stream, handler, true, batchInvoker(name, "Kinesis event", handler), opts)
}

func (a *App) onKinesis(method, name, stream string, handler any, batch bool, invoke func(context.Context, []byte) ([]byte, error), opts []EventOption) {
	if stream != "" {
		if problem := checkKinesis(stream); problem != "" {
			panic(fmt.Sprintf("gochalice: %s %q: %s", method, name, problem))
		}
	}
	a.registerName(method, name)
	c := streamConfig(method, name, "Kinesis streams", opts)
	a.functions = append(a.functions, &function{
		name:   name,
		kind:   manifest.KindKinesis,
		info:   handlerInfo(handler),
		invoke: invoke,
		source: manifest.Function{
			Kinesis: &manifest.Kinesis{
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

func checkDescription(method, name, d string) {
	if len(d) > 512 {
		panic(fmt.Sprintf("gochalice: %s %q: WithDescription: the description is %d characters; EventBridge allows 512", method, name, len(d)))
	}
}

// canonicalObject turns v (a map, a struct, a JSON string, []byte or
// json.RawMessage) into canonical JSON: a non-empty object, keys sorted,
// no insignificant space, numbers as written.
func canonicalObject(v any) (string, error) {
	var raw []byte
	switch v := v.(type) {
	case nil:
		return "", fmt.Errorf("it is nil; give a JSON object")
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	case json.RawMessage:
		raw = v
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("encode %T as JSON: %v", v, err)
		}
		raw = b
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj any
	if err := dec.Decode(&obj); err != nil {
		return "", fmt.Errorf("not valid JSON: %v", err)
	}
	if dec.More() {
		return "", fmt.Errorf("not valid JSON: more than one value")
	}
	m, ok := obj.(map[string]any)
	if !ok {
		return "", fmt.Errorf("%s is not a JSON object", bytes.TrimSpace(raw))
	}
	if len(m) == 0 {
		return "", fmt.Errorf("the object is empty; name at least one field to match")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return "", err
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// checkPattern applies the shape rule of EventBridge event patterns and
// SNS filter policies (service names which, in the error) to a canonical
// pattern: every value is an array of match values or a non-empty object.
func checkPattern(canonical, service string) error {
	dec := json.NewDecoder(strings.NewReader(canonical))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return err
	}
	var walk func(path string, m map[string]any) error
	walk = func(path string, m map[string]any) error {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			switch v := m[k].(type) {
			case []any:
				if len(v) == 0 {
					return fmt.Errorf("%s%s is an empty array; list at least one value to match", path, k)
				}
			case map[string]any:
				if len(v) == 0 {
					return fmt.Errorf("%s%s is an empty object", path, k)
				}
				if err := walk(path+k+".", v); err != nil {
					return err
				}
			default:
				return fmt.Errorf("%s%s is %s; %s needs an array of values to match (e.g. [%s]) or a nested object", path, k, jsonText(v), service, jsonText(v))
			}
		}
		return nil
	}
	return walk("", m)
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
