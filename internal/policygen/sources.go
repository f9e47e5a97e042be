package policygen

import (
	"fmt"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// The ARN forms of event sources, with the placeholders Resolve fills in.
// They match the ARNs the deployer builds from names for the deploy's
// partition, region and account.

// sourceQueueARN returns the ARN of an SQS queue given by name, URL or
// ARN.
func sourceQueueARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return queueARN(nameOrARN)
}

// topicARN returns the ARN of an SNS topic given by name or ARN.
func topicARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return arn("sns", nameOrARN)
}

// kinesisStreamARN returns the ARN of a Kinesis data stream given by name
// or ARN.
func kinesisStreamARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return arn("kinesis", "stream/"+nameOrARN)
}

// bucketARN returns the ARN of an S3 bucket given by name or ARN.
func bucketARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	return "arn:" + Partition + ":s3:::" + nameOrARN
}

// busARN returns the ARN of an EventBridge event bus given by name or ARN.
func busARN(nameOrARN string) string {
	if strings.HasPrefix(nameOrARN, "arn:") {
		return nameOrARN
	}
	if nameOrARN == "" {
		nameOrARN = "default"
	}
	return arn("events", "event-bus/"+nameOrARN)
}

// addEventSource grants what the function's event source needs from its
// role: pull sources (event source mappings) read the queue or stream with
// the function's role; push sources invoke the function through a
// resource-based permission, which the role does not need, and get a note
// saying so.
func (fb *fnBuilder) addEventSource(f manifest.Function) {
	switch f.Kind {
	case manifest.KindDynamoDBStream:
		fb.addStream(f)
	case manifest.KindSQS:
		queue := ""
		if f.SQS != nil {
			queue = f.SQS.Queue
		}
		res := fb.sourceResource(f, "SQS queue", queue, sourceQueueARN)
		r := Reason{Operation: "event source: SQS queue (pull: the event source mapping reads it with the function's role)"}
		for _, a := range []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"} {
			fb.grant(a, []string{res}, r)
		}
	case manifest.KindKinesis:
		stream := ""
		if f.Kinesis != nil {
			stream = f.Kinesis.Stream
		}
		res := fb.sourceResource(f, "Kinesis stream", stream, kinesisStreamARN)
		r := Reason{Operation: "event source: Kinesis stream (pull: the event source mapping reads it with the function's role)"}
		for _, a := range []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"} {
			fb.grant(a, []string{res}, r)
		}
	case manifest.KindSchedule:
		expr := ""
		if f.Schedule != nil {
			expr = f.Schedule.Expression
		}
		fb.push(fmt.Sprintf("EventBridge schedule %s", expr), "events.amazonaws.com", "the schedule's rule", "")
	case manifest.KindEventBridge:
		bus := "default"
		if f.EventBridge != nil && f.EventBridge.Bus != "" {
			bus = f.EventBridge.Bus
		}
		fb.push("EventBridge rule on bus "+busARN(bus), "events.amazonaws.com", "the rule", "")
	case manifest.KindSNS:
		topic := ""
		if f.SNS != nil {
			topic = f.SNS.Topic
		}
		fb.push("SNS topic "+orUnknown(topic, topicARN), "sns.amazonaws.com", "the topic", "")
		if strings.HasPrefix(topic, "arn:") {
			fb.result.Notes = append(fb.result.Notes, "if the topic belongs to another account, its topic policy must allow this account sns:Subscribe (a Lambda subscription is confirmed automatically)")
		}
	case manifest.KindS3:
		bucket := ""
		if f.S3 != nil {
			bucket = f.S3.Bucket
		}
		fb.push("S3 bucket "+orUnknown(bucket, bucketARN), "s3.amazonaws.com", "the bucket", "the bucket owner's account")
	case manifest.KindAuthorizer:
		fb.push("API Gateway authorizer "+f.Name, "apigateway.amazonaws.com",
			"arn:"+Partition+":execute-api:"+Region+":"+AccountID+":{api_id}/authorizers/*", "")
	}
}

func orUnknown(name string, toARN func(string) string) string {
	if name == "" {
		return "(not known: empty in the manifest)"
	}
	return toARN(name)
}

// sourceResource returns the ARN of a pull source, or "*" with a warning
// when the manifest does not name it (an environment variable the stage
// does not set).
func (fb *fnBuilder) sourceResource(f manifest.Function, what, nameOrARN string, toARN func(string) string) string {
	if nameOrARN != "" {
		return toARN(nameOrARN)
	}
	fb.diag(Warning, CodeEnvUnset, Position{}, fmt.Sprintf("function %s: the %s is not known (empty in the manifest), so the %s statement's resource is \"*\"", f.Name, what, what),
		"set the environment variable that names the "+what+" for function "+f.Name+" in the stage config")
	return "*"
}

// push notes that a push source needs no role statement.
func (fb *fnBuilder) push(source, principal, sourceARN, sourceAccount string) {
	n := fmt.Sprintf("event source: %s is push mode: %s invokes the function through a resource-based permission (lambda:InvokeFunction, SourceArn = %s", source, principal, sourceARN)
	if sourceAccount != "" {
		n += ", SourceAccount = " + sourceAccount
	}
	n += "), so the role needs no statement for it"
	fb.result.Notes = append(fb.result.Notes, n)
}

// addOnFailure grants sending to the function's failure destination:
// Lambda sends failed asynchronous events and stream batches there with
// the function's role.
func (fb *fnBuilder) addOnFailure(f manifest.Function) {
	d := f.OnFailure
	if d == nil || d.Destination == "" {
		return
	}
	switch d.DestinationKind {
	case manifest.DestinationSQS:
		fb.grant("sqs:SendMessage", []string{sourceQueueARN(d.Destination)}, Reason{Operation: "failure destination: SQS queue"})
	case manifest.DestinationSNS:
		fb.grant("sns:Publish", []string{topicARN(d.Destination)}, Reason{Operation: "failure destination: SNS topic"})
	default:
		fb.diag(Warning, CodeBadManifest, Position{}, fmt.Sprintf("function %s: the failure destination %s has kind %q, which is neither %q nor %q, so the role has no statement for it", f.Name, d.Destination, d.DestinationKind, manifest.DestinationSQS, manifest.DestinationSNS),
			"rebuild the app against the same gochalice version as the CLI")
	}
}
