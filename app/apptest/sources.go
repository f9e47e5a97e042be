package apptest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/manifest"
)

// filler fills in what AWS fills in an event: ids, ARNs, times. The
// client's uses the clock and its counter; SampleEvent's a fixed time and
// its own counter, so that samples are the same on every run.
type filler struct {
	region, account string
	now             func() time.Time
	next            func() int
}

// uuid is a UUID-shaped id made from n, for message ids.
func uuid(n int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
}

// partition returns the partition of an ARN ("aws" when it is not one).
func partition(s string) string {
	if p, ok := arn.Parse(s); ok {
		return p.Partition
	}
	return "aws"
}

// target is where the client's sources are: their names become ARNs in
// its region and account as the deployer makes them (internal/arn), and
// an ARN is kept as is.
func (f *filler) target() arn.Target {
	return arn.Target{Partition: "aws", Region: f.region, Account: f.account}
}

// orDefault returns name, or def when name is empty (a source the stage
// does not set).
func orDefault(name, def string) string {
	if name == "" {
		return def
	}
	return name
}

func (f *filler) dynamoDB(fn manifest.Function, records []events.DynamoDBEventRecord) events.DynamoDBEvent {
	streamARN := ""
	if fn.DynamoDBStream != nil {
		streamARN = fn.DynamoDBStream.Stream
	}
	if !arn.IsARN(streamARN) {
		streamARN = f.target().TableStream(orDefault(streamARN, "table"), "2026-01-01T00:00:00.000")
	}
	ev := events.DynamoDBEvent{Records: make([]events.DynamoDBEventRecord, len(records))}
	for i, r := range records {
		n := f.next()
		r.EventID = fmt.Sprintf("apptest-%08d", n)
		r.EventVersion = "1.1"
		r.EventSource = "aws:dynamodb"
		r.AWSRegion = f.region
		r.EventSourceArn = streamARN
		r.Change.SequenceNumber = fmt.Sprintf("%021d", n)
		if r.Change.ApproximateCreationDateTime.IsZero() {
			r.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: f.now().Truncate(time.Second)}
		}
		ev.Records[i] = r
	}
	return ev
}

// MessageOption configures a generated SQS message.
type MessageOption func(*events.SQSMessage)

// WithMessageAttribute adds a String message attribute.
func WithMessageAttribute(name, value string) MessageOption {
	return func(m *events.SQSMessage) {
		if m.MessageAttributes == nil {
			m.MessageAttributes = map[string]events.SQSMessageAttribute{}
		}
		v := value
		m.MessageAttributes[name] = events.SQSMessageAttribute{DataType: "String", StringValue: &v}
	}
}

// WithMessageGroupID sets the message group of a FIFO queue's message
// (attribute MessageGroupId), and its MessageDeduplicationId.
func WithMessageGroupID(id string) MessageOption {
	return func(m *events.SQSMessage) {
		if m.Attributes == nil {
			m.Attributes = map[string]string{}
		}
		m.Attributes["MessageGroupId"] = id
		m.Attributes["MessageDeduplicationId"] = fmt.Sprintf("%x", md5.Sum([]byte(m.Body)))
	}
}

// Message returns an SQS message with the given body. The client fills in
// what SQS fills in: message id, receipt handle, MD5 of the body, the
// queue's ARN and the receive attributes.
func Message(body string, opts ...MessageOption) events.SQSMessage {
	m := events.SQSMessage{Body: body}
	for _, o := range opts {
		o(&m)
	}
	return m
}

func (f *filler) sqs(fn manifest.Function, msgs []events.SQSMessage) events.SQSEvent {
	queue := ""
	if fn.SQS != nil {
		queue = fn.SQS.Queue
	}
	queueARN := f.target().Queue(orDefault(queue, "queue"))
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(msgs))}
	for i, m := range msgs {
		n := f.next()
		sent := f.now().UnixMilli()
		if m.MessageId == "" {
			m.MessageId = uuid(n)
		}
		if m.ReceiptHandle == "" {
			m.ReceiptHandle = "AQEB" + hex.EncodeToString([]byte(m.MessageId))
		}
		if m.Md5OfBody == "" {
			m.Md5OfBody = fmt.Sprintf("%x", md5.Sum([]byte(m.Body)))
		}
		attrs := map[string]string{
			"ApproximateReceiveCount":          "1",
			"SentTimestamp":                    fmt.Sprint(sent),
			"SenderId":                         "AIDAIENQZJOLO23YVJ4VO",
			"ApproximateFirstReceiveTimestamp": fmt.Sprint(sent),
		}
		for k, v := range m.Attributes {
			attrs[k] = v
		}
		if strings.HasSuffix(queueARN, ".fifo") {
			if _, ok := attrs["MessageGroupId"]; !ok {
				attrs["MessageGroupId"] = "default"
				attrs["MessageDeduplicationId"] = fmt.Sprintf("%x", md5.Sum([]byte(m.Body)))
			}
			attrs["SequenceNumber"] = fmt.Sprintf("%020d", n)
		}
		m.Attributes = attrs
		if m.MessageAttributes == nil {
			m.MessageAttributes = map[string]events.SQSMessageAttribute{}
		}
		m.EventSource = "aws:sqs"
		m.EventSourceARN = queueARN
		m.AWSRegion = f.region
		ev.Records[i] = m
	}
	return ev
}

// NotificationOption configures a generated SNS notification.
type NotificationOption func(*events.SNSEventRecord)

// WithNotificationAttribute adds a String message attribute.
func WithNotificationAttribute(name, value string) NotificationOption {
	return func(r *events.SNSEventRecord) {
		if r.SNS.MessageAttributes == nil {
			r.SNS.MessageAttributes = map[string]any{}
		}
		r.SNS.MessageAttributes[name] = map[string]any{"Type": "String", "Value": value}
	}
}

// Notification returns an SNS notification with a subject (may be empty)
// and a message. The client fills in the message id, the topic's ARN, the
// subscription and the timestamp.
func Notification(subject, message string, opts ...NotificationOption) events.SNSEventRecord {
	r := events.SNSEventRecord{SNS: events.SNSEntity{Subject: subject, Message: message}}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func (f *filler) sns(fn manifest.Function, notes []events.SNSEventRecord) events.SNSEvent {
	topic := ""
	if fn.SNS != nil {
		topic = fn.SNS.Topic
	}
	topicARN := f.target().Topic(orDefault(topic, "topic"))
	ev := events.SNSEvent{Records: make([]events.SNSEventRecord, len(notes))}
	for i, r := range notes {
		n := f.next()
		r.EventVersion = "1.0"
		r.EventSource = "aws:sns"
		r.EventSubscriptionArn = topicARN + ":" + uuid(n)
		s := &r.SNS
		s.Type = "Notification"
		if s.MessageID == "" {
			s.MessageID = uuid(n)
		}
		s.TopicArn = topicARN
		if s.Timestamp.IsZero() {
			s.Timestamp = f.now().UTC()
		}
		s.SignatureVersion = "1"
		s.Signature = "EXAMPLE"
		s.SigningCertURL = fmt.Sprintf("https://sns.%s.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem", f.region)
		s.UnsubscribeURL = fmt.Sprintf("https://sns.%s.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=%s", f.region, r.EventSubscriptionArn)
		if s.MessageAttributes == nil {
			s.MessageAttributes = map[string]any{}
		}
		ev.Records[i] = r
	}
	return ev
}

// ObjectCreated returns an S3 "ObjectCreated:Put" record for the object
// key (as the user sees it; the event carries it URL-encoded, as S3
// sends it) of size bytes. The client fills in the bucket, times, ids and
// the object's ETag.
func ObjectCreated(key string, size int64) events.S3EventRecord {
	return s3Record("ObjectCreated:Put", key, size)
}

// ObjectRemoved returns an S3 "ObjectRemoved:Delete" record for the
// object key.
func ObjectRemoved(key string) events.S3EventRecord {
	return s3Record("ObjectRemoved:Delete", key, 0)
}

func s3Record(name, key string, size int64) events.S3EventRecord {
	return events.S3EventRecord{
		EventName: name,
		S3: events.S3Entity{Object: events.S3Object{
			Key:           strings.ReplaceAll(url.QueryEscape(key), "%2F", "/"),
			URLDecodedKey: key,
			Size:          size,
		}},
	}
}

// bucketName returns the bucket of an S3 source (a name or an
// arn:aws:s3:::name ARN).
func bucketName(fn manifest.Function) string {
	if fn.S3 == nil || fn.S3.Bucket == "" {
		return "bucket"
	}
	if i := strings.LastIndex(fn.S3.Bucket, ":"); i >= 0 {
		return fn.S3.Bucket[i+1:]
	}
	return fn.S3.Bucket
}

func (f *filler) s3(fn manifest.Function, records []events.S3EventRecord) events.S3Event {
	bucket := bucketName(fn)
	ev := events.S3Event{Records: make([]events.S3EventRecord, len(records))}
	for i, r := range records {
		n := f.next()
		r.EventVersion = "2.1"
		r.EventSource = "aws:s3"
		r.AWSRegion = f.region
		if r.EventTime.IsZero() {
			r.EventTime = f.now().UTC()
		}
		r.PrincipalID = events.S3UserIdentity{PrincipalID: "AWS:AIDAINPONIXQXHT3IKHL2"}
		r.RequestParameters = events.S3RequestParameters{SourceIPAddress: "127.0.0.1"}
		r.ResponseElements = map[string]string{
			"x-amz-request-id": fmt.Sprintf("APPTEST%09d", n),
			"x-amz-id-2":       "apptest/" + uuid(n),
		}
		r.S3.SchemaVersion = "1.0"
		r.S3.ConfigurationID = fn.Name
		r.S3.Bucket = events.S3Bucket{
			Name:          bucket,
			OwnerIdentity: events.S3UserIdentity{PrincipalID: "A3NL1KOZZKExample"},
			Arn:           arn.Target{Partition: partition(fnBucket(fn))}.Bucket(bucket),
		}
		o := &r.S3.Object
		if strings.HasPrefix(r.EventName, "ObjectCreated:") && o.ETag == "" {
			o.ETag = fmt.Sprintf("%x", md5.Sum([]byte(o.URLDecodedKey)))
		}
		o.Sequencer = fmt.Sprintf("%016X", n)
		ev.Records[i] = r
	}
	return ev
}

func fnBucket(fn manifest.Function) string {
	if fn.S3 == nil {
		return ""
	}
	return fn.S3.Bucket
}

// s3Delivered reports why S3 would not send a record to the function (its
// event types, prefix and suffix), "" when it would.
func s3Delivered(fn manifest.Function, r events.S3EventRecord) string {
	if fn.S3 == nil {
		return ""
	}
	name := "s3:" + r.EventName
	match := false
	for _, e := range fn.S3.Events {
		if ok, _ := path.Match(e, name); ok || e == name {
			match = true
		}
	}
	if !match {
		return fmt.Sprintf("event %s is not one of the function's S3 events %v", name, fn.S3.Events)
	}
	key := r.S3.Object.URLDecodedKey
	if !strings.HasPrefix(key, fn.S3.Prefix) {
		return fmt.Sprintf("key %q does not start with the function's prefix %q", key, fn.S3.Prefix)
	}
	if !strings.HasSuffix(key, fn.S3.Suffix) {
		return fmt.Sprintf("key %q does not end with the function's suffix %q", key, fn.S3.Suffix)
	}
	return ""
}

// Record returns a Kinesis record with a partition key and data. The
// client fills in the sequence number, the stream's ARN and the arrival
// time.
func Record(partitionKey string, data []byte) events.KinesisEventRecord {
	return events.KinesisEventRecord{Kinesis: events.KinesisRecord{PartitionKey: partitionKey, Data: data}}
}

func (f *filler) kinesis(fn manifest.Function, records []events.KinesisEventRecord) events.KinesisEvent {
	stream := ""
	if fn.Kinesis != nil {
		stream = fn.Kinesis.Stream
	}
	streamARN := f.target().KinesisStream(orDefault(stream, "stream"))
	ev := events.KinesisEvent{Records: make([]events.KinesisEventRecord, len(records))}
	for i, r := range records {
		n := f.next()
		seq := fmt.Sprintf("4959%052d", n)
		r.AwsRegion = f.region
		r.EventID = "shardId-000000000000:" + seq
		r.EventName = "aws:kinesis:record"
		r.EventSource = "aws:kinesis"
		r.EventSourceArn = streamARN
		r.EventVersion = "1.0"
		r.InvokeIdentityArn = f.target().Role("lambda-role")
		r.Kinesis.SequenceNumber = seq
		r.Kinesis.KinesisSchemaVersion = "1.0"
		if r.Kinesis.ApproximateArrivalTimestamp.IsZero() {
			r.Kinesis.ApproximateArrivalTimestamp = events.SecondsEpochTime{Time: f.now().Truncate(time.Millisecond)}
		}
		ev.Records[i] = r
	}
	return ev
}

// eventBridge returns an EventBridge event. A schedule's event is a
// "Scheduled Event" from "aws.events" naming the rule.
func (f *filler) eventBridge(fn manifest.Function, appName, detailType, source string, detail json.RawMessage) events.EventBridgeEvent {
	n := f.next()
	ev := events.EventBridgeEvent{
		Version:    "0",
		ID:         uuid(n),
		DetailType: detailType,
		Source:     source,
		AccountID:  f.account,
		Time:       f.now().UTC().Truncate(time.Second),
		Region:     f.region,
		Resources:  []string{},
		Detail:     detail,
	}
	if fn.Kind == manifest.KindSchedule {
		rule := fn.Name
		if appName != "" {
			rule = appName + "-" + fn.Name
		}
		ev.Resources = []string{f.target().Rule("default", rule)}
	}
	return ev
}

// function returns the named function, checking its kind.
func (c *Client) function(name string, kind manifest.Kind, what string) (manifest.Function, error) {
	fn, ok := c.manifest.Function(name)
	if !ok || fn.Kind != kind {
		return fn, fmt.Errorf("apptest: %q is not %s function of app %s", name, what, c.manifest.AppName)
	}
	return fn, nil
}

// SQS invokes the named SQS function with one event holding msgs (see
// Message), filled in as SQS fills them: message ids, receipt handles,
// the queue's ARN (built from its name for account 123456789012 in
// us-east-1). It returns the handler's batch response (empty for handlers
// registered with OnSQSMessage).
func (c *Client) SQS(ctx context.Context, name string, msgs ...events.SQSMessage) (events.SQSEventResponse, error) {
	fn, err := c.function(name, manifest.KindSQS, "an SQS")
	if err != nil {
		return events.SQSEventResponse{}, err
	}
	var resp events.SQSEventResponse
	err = c.invokeBatch(ctx, name, c.filler().sqs(fn, msgs), &resp)
	return resp, err
}

// SNS invokes the named SNS function with one event holding the
// notifications (see Notification). The client does not apply the
// subscription's filter policy.
func (c *Client) SNS(ctx context.Context, name string, notes ...events.SNSEventRecord) error {
	fn, err := c.function(name, manifest.KindSNS, "an SNS")
	if err != nil {
		return err
	}
	_, err = c.Invoke(ctx, name, c.filler().sns(fn, notes))
	return err
}

// S3 invokes the named S3 function with one event holding records (see
// ObjectCreated, ObjectRemoved). A record S3 would not send to the
// function, because of its event types, prefix or suffix, is an error.
func (c *Client) S3(ctx context.Context, name string, records ...events.S3EventRecord) error {
	fn, err := c.function(name, manifest.KindS3, "an S3")
	if err != nil {
		return err
	}
	for _, r := range records {
		if why := s3Delivered(fn, r); why != "" {
			return fmt.Errorf("apptest: S3 would not send this record to %s: %s", name, why)
		}
	}
	_, err = c.Invoke(ctx, name, c.filler().s3(fn, records))
	return err
}

// Kinesis invokes the named Kinesis function with one event holding
// records (see Record), filled in with increasing sequence numbers and
// the stream's ARN. It returns the handler's batch response (empty for
// handlers registered with OnKinesisRecord).
func (c *Client) Kinesis(ctx context.Context, name string, records ...events.KinesisEventRecord) (events.KinesisEventResponse, error) {
	fn, err := c.function(name, manifest.KindKinesis, "a Kinesis")
	if err != nil {
		return events.KinesisEventResponse{}, err
	}
	var resp events.KinesisEventResponse
	err = c.invokeBatch(ctx, name, c.filler().kinesis(fn, records), &resp)
	return resp, err
}

// Schedule invokes the named schedule function with a "Scheduled Event",
// as its EventBridge rule does.
func (c *Client) Schedule(ctx context.Context, name string) error {
	fn, err := c.function(name, manifest.KindSchedule, "a Schedule")
	if err != nil {
		return err
	}
	_, err = c.Invoke(ctx, name, c.filler().eventBridge(fn, c.manifest.AppName, "Scheduled Event", "aws.events", json.RawMessage(`{}`)))
	return err
}

// Event invokes the named EventBridge function (OnEvent) with an event of
// the given detail type and source, whose detail is detail encoded as
// JSON. The client does not apply the rule's event pattern.
func (c *Client) Event(ctx context.Context, name, detailType, source string, detail any) error {
	fn, err := c.function(name, manifest.KindEventBridge, "an EventBridge (OnEvent)")
	if err != nil {
		return err
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("apptest: encode detail: %w", err)
	}
	if detail == nil {
		raw = []byte(`{}`)
	}
	_, err = c.Invoke(ctx, name, c.filler().eventBridge(fn, c.manifest.AppName, detailType, source, raw))
	return err
}

// invokeBatch invokes a function and decodes its batch response ("null"
// for handlers without one).
func (c *Client) invokeBatch(ctx context.Context, name string, ev, resp any) error {
	out, err := c.Invoke(ctx, name, ev)
	if err != nil {
		return err
	}
	if string(out) != "null" {
		if err := json.Unmarshal(out, resp); err != nil {
			return fmt.Errorf("apptest: decode batch response: %w", err)
		}
	}
	return nil
}

func (c *Client) filler() *filler {
	return &filler{
		region:  c.region,
		account: c.account,
		now:     time.Now,
		next: func() int {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.seq++
			return c.seq
		},
	}
}
