package app

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gochalice/gochalice/manifest"
)

// EventOption configures an event source: a stream, a queue, a topic, a
// bucket, a schedule or an EventBridge rule. Each option applies to some
// registration methods only (its documentation says which); given to
// another, it panics at registration, naming the option and the method.
type EventOption func(*eventConfig)

// StreamOption is the former name of EventOption, kept so that code
// written for DynamoDB streams still compiles.
type StreamOption = EventOption

// eventConfig collects the options of one registration. set records the
// options given, in order, so that the method can reject those that do not
// apply to it.
type eventConfig struct {
	set []string

	batchSize      int
	start          StartingPosition
	window         time.Duration
	maxConcurrency int
	bus            string
	s3Events       []string
	prefix         string
	suffix         string
	filterPolicy   any
	description    string
	destination    *Destination
	retries        int
	maxAge         time.Duration
	bisect         bool
}

func (c *eventConfig) mark(option string) { c.set = append(c.set, option) }

func (c *eventConfig) has(option string) bool { return slices.Contains(c.set, option) }

// WithBatchSize sets the largest number of records or messages per
// invocation: 1 to 10000 for DynamoDB and Kinesis streams (default 100, as
// in Chalice); 1 to 10 for SQS (default 1, as in Chalice), or up to 10000 for a
// standard queue with a batching window. For OnSQSMessage, OnSQSBatch,
// OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and OnKinesisBatch.
func WithBatchSize(n int) EventOption {
	return func(c *eventConfig) { c.mark("WithBatchSize"); c.batchSize = n }
}

// WithStartingPosition sets where a stream event source starts reading
// (default Latest). For OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord
// and OnKinesisBatch.
func WithStartingPosition(p StartingPosition) EventOption {
	return func(c *eventConfig) { c.mark("WithStartingPosition"); c.start = p }
}

// WithMaximumBatchingWindow sets how long Lambda gathers records before
// invoking, in whole seconds from 0 to 300 (default 0). For OnSQSMessage,
// OnSQSBatch, OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and
// OnKinesisBatch.
func WithMaximumBatchingWindow(d time.Duration) EventOption {
	return func(c *eventConfig) { c.mark("WithMaximumBatchingWindow"); c.window = d }
}

// WithMaximumConcurrency limits how many instances of the function an SQS
// event source mapping invokes at once, 2 to 1000 (default: no limit).
// For OnSQSMessage and OnSQSBatch.
func WithMaximumConcurrency(n int) EventOption {
	return func(c *eventConfig) { c.mark("WithMaximumConcurrency"); c.maxConcurrency = n }
}

// WithBus sets the EventBridge event bus of OnEvent's rule, by name or ARN
// (default "default", the account's default bus). A bus of another
// account is given by ARN.
func WithBus(nameOrARN string) EventOption {
	return func(c *eventConfig) { c.mark("WithBus"); c.bus = nameOrARN }
}

// WithS3Events sets the S3 event types OnS3Event's notification sends
// (default "s3:ObjectCreated:*"), such as "s3:ObjectRemoved:*" or
// "s3:ObjectCreated:Put".
func WithS3Events(events ...string) EventOption {
	return func(c *eventConfig) { c.mark("WithS3Events"); c.s3Events = append(c.s3Events, events...) }
}

// WithPrefix limits OnS3Event's notification to object keys starting
// with p, such as "uploads/".
func WithPrefix(p string) EventOption {
	return func(c *eventConfig) { c.mark("WithPrefix"); c.prefix = p }
}

// WithSuffix limits OnS3Event's notification to object keys ending with
// s, such as ".jpg".
func WithSuffix(s string) EventOption {
	return func(c *eventConfig) { c.mark("WithSuffix"); c.suffix = s }
}

// WithFilterPolicy sets OnSNSMessage's subscription filter policy: a JSON
// object, given as a map, a struct, a JSON string, []byte or
// json.RawMessage, such as map[string]any{"kind": []string{"donation"}}.
// The subscription then receives only messages whose attributes match.
func WithFilterPolicy(policy any) EventOption {
	return func(c *eventConfig) { c.mark("WithFilterPolicy"); c.filterPolicy = policy }
}

// WithDescription sets the description of the EventBridge rule of
// Schedule or OnEvent (at most 512 characters).
func WithDescription(s string) EventOption {
	return func(c *eventConfig) { c.mark("WithDescription"); c.description = s }
}

// Destination is where Lambda sends an event, or a stream batch's
// description, that the function failed to handle after its retries.
// Make one with SQSDestination or SNSDestination.
type Destination struct {
	kind   string // manifest.DestinationSQS or manifest.DestinationSNS
	target string
}

// SQSDestination is an SQS queue, by name (in the deploy's account and
// region) or ARN.
func SQSDestination(nameOrARN string) Destination {
	return Destination{kind: manifest.DestinationSQS, target: nameOrARN}
}

// SNSDestination is an SNS topic, by name (in the deploy's account and
// region) or ARN.
func SNSDestination(nameOrARN string) Destination {
	return Destination{kind: manifest.DestinationSNS, target: nameOrARN}
}

// WithOnFailure sends the events the function failed to handle after its
// retries to d (an on-failure destination; Chalice users know it as a
// dead-letter queue). For asynchronous sources (Schedule, OnEvent,
// OnSNSMessage, OnS3Event) and streams (OnDynamoDBRecord,
// OnDynamoDBBatch, OnKinesisRecord, OnKinesisBatch). SQS sources do not
// take it: give the queue a redrive policy instead.
func WithOnFailure(d Destination) EventOption {
	return func(c *eventConfig) { c.mark("WithOnFailure"); c.destination = &d }
}

// WithMaximumRetryAttempts sets how many times Lambda retries a failed
// invocation: 0 to 2 for asynchronous sources (Lambda's default 2), -1
// (until the record expires) to 10000 for streams (default -1). For the
// same methods as WithOnFailure.
func WithMaximumRetryAttempts(n int) EventOption {
	return func(c *eventConfig) { c.mark("WithMaximumRetryAttempts"); c.retries = n }
}

// WithMaximumEventAge sets the age of the oldest event Lambda still
// sends, in whole seconds: 60s to 6h for asynchronous sources (default
// 6h), 60s to 7 days for streams, or -time.Second for no limit (the
// streams' default). For the same methods as WithOnFailure.
func WithMaximumEventAge(d time.Duration) EventOption {
	return func(c *eventConfig) { c.mark("WithMaximumEventAge"); c.maxAge = d }
}

// WithBisectBatchOnError splits a failed stream batch in two and retries
// each half, so one bad record does not hold back the others. For
// OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and OnKinesisBatch.
func WithBisectBatchOnError() EventOption {
	return func(c *eventConfig) { c.mark("WithBisectBatchOnError"); c.bisect = true }
}

// optionUse says which methods take an option, for the panic message. (A
// switch, not a map: a package-level map is built at every cold start.)
func optionUse(opt string) string {
	const (
		batching = "OnSQSMessage, OnSQSBatch, OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and OnKinesisBatch"
		streams  = "OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and OnKinesisBatch"
		failure  = "Schedule, OnEvent, OnSNSMessage, OnS3Event, OnDynamoDBRecord, OnDynamoDBBatch, OnKinesisRecord and OnKinesisBatch"
	)
	switch opt {
	case "WithBatchSize", "WithMaximumBatchingWindow":
		return batching
	case "WithStartingPosition", "WithBisectBatchOnError":
		return streams
	case "WithMaximumConcurrency":
		return "OnSQSMessage and OnSQSBatch"
	case "WithBus":
		return "OnEvent"
	case "WithS3Events", "WithPrefix", "WithSuffix":
		return "OnS3Event"
	case "WithFilterPolicy":
		return "OnSNSMessage"
	case "WithDescription":
		return "Schedule and OnEvent"
	case "WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge":
		return failure
	}
	return ""
}

// Option sets of the registration methods, written out so that they are
// static data; the failure options end each set that takes them.
var (
	failureOptions = []string{"WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge"}
	streamOptions  = []string{"WithBatchSize", "WithStartingPosition", "WithMaximumBatchingWindow", "WithBisectBatchOnError", "WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge"}
	sqsOptions     = []string{"WithBatchSize", "WithMaximumBatchingWindow", "WithMaximumConcurrency"}
	scheduleOpts   = []string{"WithDescription", "WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge"}
	eventOpts      = []string{"WithDescription", "WithBus", "WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge"}
	snsOptions     = []string{"WithFilterPolicy", "WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge"}
	s3Options      = []string{"WithS3Events", "WithPrefix", "WithSuffix", "WithOnFailure", "WithMaximumRetryAttempts", "WithMaximumEventAge"}
)

// eventOptions applies opts and panics on one that method does not take.
func eventOptions(method, name string, allowed []string, opts []EventOption) eventConfig {
	var c eventConfig
	for _, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("gochalice: %s %q: nil option", method, name))
		}
		o(&c)
	}
	for _, opt := range c.set {
		if slices.Contains(allowed, opt) {
			continue
		}
		if slices.Contains(failureOptions, opt) && strings.HasPrefix(method, "OnSQS") {
			panic(fmt.Sprintf("gochalice: %s %q: %s does not apply to SQS sources: Lambda does not retry SQS messages itself; give the queue a redrive policy (a dead-letter queue and maxReceiveCount) instead", method, name, opt))
		}
		panic(fmt.Sprintf("gochalice: %s %q: %s does not apply to %s; it is for %s", method, name, opt, method, optionUse(opt)))
	}
	return c
}

// Names and ARNs of event sources are checked at registration (see
// names.go). Partitions: aws, aws-cn, aws-us-gov, aws-iso, ...

// checkQueue returns a problem with an SQS queue name or ARN, "" if none.
func checkQueue(q string) string {
	if strings.HasPrefix(q, "arn:") {
		name, ok := queueARN(q)
		if !ok {
			return fmt.Sprintf("%q is not an SQS queue ARN (arn:aws:sqs:REGION:ACCOUNT:QUEUE)", q)
		}
		q = name
	}
	if !isQueueName(strings.TrimSuffix(q, ".fifo")) || len(q) > 80 {
		return fmt.Sprintf("%q is not a valid SQS queue name: use 1 to 80 letters, digits, '-' and '_' (a FIFO queue's name ends in \".fifo\")", q)
	}
	return ""
}

// checkTopic returns a problem with an SNS topic name or ARN, "" if none.
func checkTopic(t string) string {
	if strings.HasPrefix(t, "arn:") {
		name, ok := topicARN(t)
		if !ok {
			return fmt.Sprintf("%q is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)", t)
		}
		t = name
	}
	if !isTopicName(strings.TrimSuffix(t, ".fifo")) || len(t) > 256 {
		return fmt.Sprintf("%q is not a valid SNS topic name: use 1 to 256 letters, digits, '-' and '_' (a FIFO topic's name ends in \".fifo\")", t)
	}
	return ""
}

// checkBucket returns a problem with an S3 bucket name or ARN, "" if none.
func checkBucket(b string) string {
	if strings.HasPrefix(b, "arn:") {
		name, ok := bucketARN(b)
		if !ok {
			return fmt.Sprintf("%q is not an S3 bucket ARN (arn:aws:s3:::BUCKET)", b)
		}
		b = name
	}
	switch {
	case !isBucketName(b):
		return fmt.Sprintf("%q is not a valid S3 bucket name: use 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit", b)
	case strings.Contains(b, ".."), strings.Contains(b, ".-"), strings.Contains(b, "-."):
		return fmt.Sprintf("%q is not a valid S3 bucket name: a '.' may not be next to another '.' or a '-'", b)
	case isDottedQuad(b):
		return fmt.Sprintf("%q is not a valid S3 bucket name: it may not look like an IP address", b)
	}
	return ""
}

// checkKinesis returns a problem with a Kinesis stream name or ARN, "" if
// none.
func checkKinesis(s string) string {
	if strings.HasPrefix(s, "arn:") {
		if !isKinesisARN(s) {
			return fmt.Sprintf("%q is not a Kinesis stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)", s)
		}
		return ""
	}
	if !isKinesisName(s) {
		return fmt.Sprintf("%q is not a valid Kinesis stream name: use 1 to 128 letters, digits, '.', '-' and '_'", s)
	}
	return ""
}

// checkBus returns a problem with an EventBridge bus name or ARN, "" if
// none.
func checkBus(b string) string {
	if strings.HasPrefix(b, "arn:") {
		if !isBusARN(b) {
			return fmt.Sprintf("%q is not an EventBridge event bus ARN (arn:aws:events:REGION:ACCOUNT:event-bus/NAME)", b)
		}
		return ""
	}
	if !isBusName(b) {
		return fmt.Sprintf("%q is not a valid EventBridge event bus name: use 1 to 256 letters, digits, '.', '-', '_' and '/'", b)
	}
	return ""
}

// onFailure checks the failure options against the kind of source
// (streams or asynchronous invocations) and returns the manifest's
// OnFailure, nil when none was given.
func onFailure(method, name string, c *eventConfig, stream bool) *manifest.OnFailure {
	if !c.has("WithOnFailure") && !c.has("WithMaximumRetryAttempts") && !c.has("WithMaximumEventAge") && !c.bisect {
		return nil
	}
	f := &manifest.OnFailure{BisectBatchOnFunctionError: c.bisect}
	if d := c.destination; d != nil {
		var problem string
		switch d.kind {
		case manifest.DestinationSQS:
			problem = checkQueue(d.target)
		case manifest.DestinationSNS:
			problem = checkTopic(d.target)
		default:
			problem = "the destination is empty: use app.SQSDestination or app.SNSDestination"
		}
		if d.kind != "" && d.target == "" {
			problem = "the destination's queue or topic is empty"
		}
		if problem != "" {
			panic(fmt.Sprintf("gochalice: %s %q: WithOnFailure: %s", method, name, problem))
		}
		f.Destination, f.DestinationKind = d.target, d.kind
	}
	if c.has("WithMaximumRetryAttempts") {
		lo, hi := 0, 2
		if stream {
			lo, hi = -1, 10000
		}
		if c.retries < lo || c.retries > hi {
			panic(fmt.Sprintf("gochalice: %s %q: WithMaximumRetryAttempts(%d) is out of range; %s allow %d to %d", method, name, c.retries, sourceKind(stream), lo, hi))
		}
		n := c.retries
		f.MaximumRetryAttempts = &n
	}
	if c.has("WithMaximumEventAge") {
		hi := 6 * time.Hour
		if stream {
			hi = 7 * 24 * time.Hour
		}
		d := c.maxAge
		ok := d%time.Second == 0 && d >= time.Minute && d <= hi || stream && d == -time.Second
		if !ok {
			extra := ""
			if stream {
				extra = ", or -time.Second for no limit"
			}
			panic(fmt.Sprintf("gochalice: %s %q: WithMaximumEventAge(%v) is out of range; %s allow whole seconds from 1m0s to %v%s", method, name, d, sourceKind(stream), hi, extra))
		}
		n := int(d / time.Second)
		f.MaximumAgeInSeconds = &n
	}
	return f
}

func sourceKind(stream bool) string {
	if stream {
		return "streams"
	}
	return "asynchronous invocations"
}

// checkWindow panics on a batching window Lambda rejects.
func checkWindow(method, name string, d time.Duration) {
	if d < 0 || d > 300*time.Second || d%time.Second != 0 {
		panic(fmt.Sprintf("gochalice: %s %q: maximum batching window %v: use whole seconds from 0 to 300", method, name, d))
	}
}
