// Package execrole is what a function's execution role needs whatever its
// code calls: CloudWatch Logs for its own log group, the reads of its pull
// source (a DynamoDB or Kinesis stream, an SQS queue) that its event
// source mapping makes with the role, the sends to its failure
// destination, and the network interfaces of a function in a VPC. Each
// need is a statement and the reason for it, so the deployer (which
// grants or checks them) and policy generation (which explains them)
// state the same facts.
//
// Push sources (schedules, EventBridge rules, SNS, S3, authorizers)
// invoke the function through a resource-based permission instead; the
// role needs nothing for them, and Role.Notes says so.
package execrole

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/manifest"
)

// Purpose is what a Need is for.
type Purpose int

// The purposes of a role's needs.
const (
	// Logs is the function's own log group, which every role writes to.
	Logs Purpose = iota
	// DynamoDBStream is a DynamoDB stream source.
	DynamoDBStream
	// Queue is an SQS queue source.
	Queue
	// KinesisStream is a Kinesis data stream source.
	KinesisStream
	// FailureDestination is where Lambda sends failed events and batches.
	FailureDestination
	// VPC is the network interfaces of a function attached to a VPC.
	VPC
)

// String returns the purpose's name, "logs", "dynamodb-stream", ....
func (p Purpose) String() string {
	switch p {
	case Logs:
		return "logs"
	case DynamoDBStream:
		return "dynamodb-stream"
	case Queue:
		return "sqs-queue"
	case KinesisStream:
		return "kinesis-stream"
	case FailureDestination:
		return "failure-destination"
	case VPC:
		return "vpc"
	}
	return "Purpose(" + strconv.Itoa(int(p)) + ")"
}

// Source names what the need is about, for messages: "DynamoDB
// stream", "SQS queue", ....
func (p Purpose) Source() string {
	switch p {
	case Logs:
		return "log group"
	case DynamoDBStream:
		return "DynamoDB stream"
	case Queue:
		return "SQS queue"
	case KinesisStream:
		return "Kinesis stream"
	case FailureDestination:
		return "failure destination"
	case VPC:
		return "VPC"
	}
	return p.String()
}

// Need is one statement an execution role needs: actions on one resource,
// and why.
type Need struct {
	Purpose Purpose
	// Sid is the statement's id in the deployer's policies
	// ("WriteOwnLogs").
	Sid string
	// Actions are sorted.
	Actions []string
	// Resource is an ARN, or "*".
	Resource string
	// Reason says why, for people: "CloudWatch Logs for the function's
	// log group".
	Reason string
	// What completes "Lambda needs to ... <Resource>" in a message about
	// a policy that lacks the need ("read the queue").
	What string
	// Unknown is true when the manifest does not name the source (an
	// environment variable the stage does not set): Resource is then "*".
	Unknown bool
}

// Statement returns the need as an Allow statement with its Sid.
func (n Need) Statement() iam.Statement {
	return iam.Statement{Sid: n.Sid, Effect: "Allow", Action: iam.Strings(slices.Clone(n.Actions)), Resource: iam.Strings{n.Resource}}
}

// Policy returns the needs as a canonical policy, a statement each.
func Policy(needs ...Need) *iam.Policy {
	p := &iam.Policy{Version: iam.Version}
	for _, n := range needs {
		p.Statement = append(p.Statement, n.Statement())
	}
	return p.Canonical()
}

// FunctionLogs is the need of every function: writing to its own log
// group, /aws/lambda/<its Lambda name>, in t.
func FunctionLogs(t arn.Target, lambdaName string) Need {
	return Need{Purpose: Logs, Sid: "WriteOwnLogs",
		Actions:  []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: t.LogGroup(arn.FunctionLogGroupName(lambdaName)),
		Reason:   "CloudWatch Logs for the function's log group", What: "write to its log group"}
}

// dynamoDBStreamReason is the reason of both needs of a DynamoDB stream.
const dynamoDBStreamReason = "event source: DynamoDB stream"

// ReadDynamoDBStream is what an event source mapping needs to read a
// DynamoDB stream: the stream's reads on its ARN, and
// dynamodb:ListStreams on "*", the only resource IAM accepts for it.
func ReadDynamoDBStream(streamARN string) []Need {
	return []Need{
		{Purpose: DynamoDBStream, Sid: "ReadStream",
			Actions:  []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"},
			Resource: streamARN, Reason: dynamoDBStreamReason, What: "read the stream"},
		{Purpose: DynamoDBStream, Sid: "ListStreams", Actions: []string{"dynamodb:ListStreams"}, Resource: "*",
			Reason: dynamoDBStreamReason, What: "find the stream"},
	}
}

// ReadQueue is what an event source mapping needs to read an SQS queue.
func ReadQueue(queueARN string) Need {
	return Need{Purpose: Queue, Sid: "ReadQueue",
		Actions:  []string{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
		Resource: queueARN, Reason: "event source: SQS queue (pull: the event source mapping reads it with the function's role)",
		What: "read the queue"}
}

// ReadKinesisStream is what an event source mapping needs to read a
// Kinesis data stream (shared-throughput consumers only: enhanced
// fan-out consumers, which need kinesis:SubscribeToShard, are not
// supported).
func ReadKinesisStream(streamARN string) Need {
	return Need{Purpose: KinesisStream, Sid: "ReadKinesisStream",
		Actions:  []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
		Resource: streamARN, Reason: "event source: Kinesis stream (pull: the event source mapping reads it with the function's role)",
		What: "read the stream"}
}

// SendFailedEvents is what Lambda needs to send failed events to a
// failure destination of kind manifest.DestinationSQS or DestinationSNS;
// ok is false for another kind.
func SendFailedEvents(kind, destinationARN string) (n Need, ok bool) {
	n = Need{Purpose: FailureDestination, Sid: "SendFailedEvents", Resource: destinationARN, What: "send failed events to"}
	switch kind {
	case manifest.DestinationSQS:
		n.Actions, n.Reason = []string{"sqs:SendMessage"}, "failure destination: SQS queue"
	case manifest.DestinationSNS:
		n.Actions, n.Reason = []string{"sns:Publish"}, "failure destination: SNS topic"
	default:
		return Need{}, false
	}
	return n, true
}

// AttachToVPC is what Lambda needs to attach a function to its VPC's
// subnets: the network interface actions of AWS's
// AWSLambdaVPCAccessExecutionRole, which work only on "*".
func AttachToVPC() Need {
	return Need{Purpose: VPC, Sid: "ManageNetworkInterfaces",
		Actions: []string{"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
			"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"},
		Resource: "*", Reason: "VPC: Lambda makes the function's network interfaces in its subnets with the function's role",
		What: "attach the function to its VPC on"}
}

// Options are what For needs to know beyond the manifest.
type Options struct {
	// StreamARN returns the ARN of the stream of a DynamoDB table that a
	// stream function names instead of a stream ARN; "" (or a nil
	// StreamARN) means any stream of the table.
	StreamARN func(table string) string
	// VPC is true when the function is attached to a VPC (subnet_ids,
	// security_group_ids).
	VPC bool
}

// Role is what a function's execution role needs beyond its code's calls.
type Role struct {
	// Needs are in a fixed order: logs, the source, the failure
	// destination, the VPC.
	Needs []Need
	// Notes say what a push source needs outside the role.
	Notes []string
}

// For returns what the execution role of fn, whose resources are named
// n, needs in t. Sources are resolved as the deployer resolves them: a
// name becomes the ARN of that name in t, an ARN is kept, a queue URL
// gives its region and account. A source the manifest leaves empty is
// "*" (Need.Unknown); a failure destination of another kind than SQS or
// SNS gets no need (the deployer refuses it).
func For(fn manifest.Function, n names.Function, t arn.Target, o Options) Role {
	r := Role{Needs: []Need{FunctionLogs(t, n.Lambda)}}
	unknown := func(name string, res func(string) string) (string, bool) {
		if name == "" {
			return "*", true
		}
		return res(name), false
	}
	switch fn.Kind {
	case manifest.KindDynamoDBStream:
		stream := ""
		if fn.DynamoDBStream != nil {
			stream = fn.DynamoDBStream.Stream
		}
		res, unk := unknown(stream, func(s string) string {
			if arn.IsARN(s) {
				return s
			}
			if o.StreamARN != nil {
				if a := o.StreamARN(s); a != "" {
					return a
				}
			}
			return t.TableStream(s, "*")
		})
		needs := ReadDynamoDBStream(res)
		needs[0].Unknown = unk
		r.Needs = append(r.Needs, needs...)
	case manifest.KindSQS:
		queue := ""
		if fn.SQS != nil {
			queue = fn.SQS.Queue
		}
		res, unk := unknown(queue, t.Queue)
		need := ReadQueue(res)
		need.Unknown = unk
		r.Needs = append(r.Needs, need)
	case manifest.KindKinesis:
		stream := ""
		if fn.Kinesis != nil {
			stream = fn.Kinesis.Stream
		}
		res, unk := unknown(stream, t.KinesisStream)
		need := ReadKinesisStream(res)
		need.Unknown = unk
		r.Needs = append(r.Needs, need)
	case manifest.KindSchedule:
		expr := ""
		if fn.Schedule != nil {
			expr = fn.Schedule.Expression
		}
		r.Notes = append(r.Notes, pushNote("EventBridge schedule "+expr, "events.amazonaws.com", "the schedule's rule", ""))
	case manifest.KindEventBridge:
		bus := ""
		if fn.EventBridge != nil {
			bus = fn.EventBridge.Bus
		}
		r.Notes = append(r.Notes, pushNote("EventBridge rule on bus "+t.Bus(bus), "events.amazonaws.com", "the rule", ""))
	case manifest.KindSNS:
		topic := ""
		if fn.SNS != nil {
			topic = fn.SNS.Topic
		}
		r.Notes = append(r.Notes, pushNote("SNS topic "+orUnknown(topic, t.Topic), "sns.amazonaws.com", "the topic", ""))
		if arn.IsARN(topic) {
			r.Notes = append(r.Notes, "if the topic belongs to another account, its topic policy must allow this account sns:Subscribe (a Lambda subscription is confirmed automatically)")
		}
	case manifest.KindS3:
		bucket := ""
		if fn.S3 != nil {
			bucket = fn.S3.Bucket
		}
		r.Notes = append(r.Notes, pushNote("S3 bucket "+orUnknown(bucket, t.Bucket), "s3.amazonaws.com", "the bucket", "the bucket owner's account"))
	case manifest.KindAuthorizer:
		r.Notes = append(r.Notes, pushNote("API Gateway authorizer "+fn.Name, "apigateway.amazonaws.com",
			t.ExecuteAPI(arn.APIIDPlaceholder)+"/authorizers/*", ""))
	case manifest.KindAPI, manifest.KindFunction,
		manifest.KindWebSocketConnect, manifest.KindWebSocketMessage, manifest.KindWebSocketDisconnect:
		// Invoked by API Gateway through the permission the deployer
		// makes, or directly: the role needs nothing for it. (Sending to
		// WebSocket connections is a call the code makes: gen-policy
		// grants it where the code calls app/wsapi.)
	}
	if d := fn.OnFailure; d != nil && d.Destination != "" {
		res := t.Queue(d.Destination)
		if d.DestinationKind == manifest.DestinationSNS {
			res = t.Topic(d.Destination)
		}
		if need, ok := SendFailedEvents(d.DestinationKind, res); ok {
			r.Needs = append(r.Needs, need)
		}
	}
	if o.VPC {
		r.Needs = append(r.Needs, AttachToVPC())
	}
	return r
}

func orUnknown(name string, toARN func(string) string) string {
	if name == "" {
		return "(not known: empty in the manifest)"
	}
	return toARN(name)
}

// pushNote says that a push source needs no role statement.
func pushNote(source, principal, sourceARN, sourceAccount string) string {
	n := fmt.Sprintf("event source: %s is push mode: %s invokes the function through a resource-based permission (lambda:InvokeFunction, SourceArn = %s", source, principal, sourceARN)
	if sourceAccount != "" {
		n += ", SourceAccount = " + sourceAccount
	}
	return n + "), so the role needs no statement for it"
}
