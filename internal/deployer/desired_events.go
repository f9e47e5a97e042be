package deployer

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/execrole"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// Desired state of the event sources other than DynamoDB streams: the
// EventBridge rules of schedules and event patterns, SNS subscriptions, S3
// bucket notifications, and asynchronous invocation settings (failure
// destinations). Pull sources (SQS, Kinesis) are event source mappings
// (MappingSpec); push sources also get a PermissionSpec with SourceArn.
//
// The permission model of each source:
//
//   - Pull (SQS, Kinesis, DynamoDB streams): Lambda reads the source with
//     the function's execution role, which gets the read actions on that
//     source's ARN only (with autogen_policy; a policy file is checked for
//     them). No resource-based permission.
//   - Push (schedules and event patterns, SNS, S3): the source invokes the
//     function, which gets a permission for the source's service principal
//     limited by SourceArn to that rule, topic or bucket, and for S3 also
//     by SourceAccount to the deploying account (a bucket name can be
//     taken by another account after ours is deleted: the confused-deputy
//     case).
//   - Failure destinations (OnFailure): Lambda sends failed events with
//     the execution role, which gets sqs:SendMessage or sns:Publish on
//     that destination only.
//
// An SNS topic of another account is subscribed to from the function's
// account: the deployer calls sns:Subscribe on the topic, which the topic
// owner must allow in the topic's access policy, e.g.
// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::<our account>:root"},
// "Action": "sns:Subscribe", "Resource": "<topic ARN>"}.

// Statement ids of the push sources' permissions.
const (
	EventsStatementID = "gochalice-events"
	SNSStatementID    = "gochalice-sns"
	S3StatementID     = "gochalice-s3"
)

// RuleTargetID is the id of the function among its rule's targets.
const RuleTargetID = "gochalice"

// RuleSpec is an EventBridge rule with one target: the function.
type RuleSpec struct {
	// EventBusName is "default" or a custom bus's name (of the deploying
	// account).
	EventBusName string `json:"event_bus_name"`
	// ScheduleExpression is set for schedules, EventPattern (canonical
	// JSON) for event patterns; exactly one is set.
	ScheduleExpression string `json:"schedule_expression,omitempty"`
	EventPattern       string `json:"event_pattern,omitempty"`
	Description        string `json:"description"`
	// FunctionName and FunctionARN are the target function; TargetID the
	// target's id.
	FunctionName string `json:"function_name"`
	FunctionARN  string `json:"function_arn"`
	TargetID     string `json:"target_id"`
}

// SubscriptionSpec is an SNS subscription of the function to a topic.
type SubscriptionSpec struct {
	TopicARN     string `json:"topic_arn"`
	FunctionName string `json:"function_name"`
	FunctionARN  string `json:"function_arn"`
	FilterPolicy string `json:"filter_policy,omitempty"`
}

// BucketNotificationSpec is one Lambda function configuration of a
// bucket's notification configuration, identified by ID; the bucket's
// other configurations are kept.
type BucketNotificationSpec struct {
	Bucket       string   `json:"bucket"`
	ID           string   `json:"id"`
	FunctionName string   `json:"function_name"`
	FunctionARN  string   `json:"function_arn"`
	Events       []string `json:"events"`
	Prefix       string   `json:"prefix,omitempty"`
	Suffix       string   `json:"suffix,omitempty"`
}

// InvokeConfigSpec is a function's asynchronous invocation settings.
type InvokeConfigSpec struct {
	FunctionName             string `json:"function_name"`
	OnFailureARN             string `json:"on_failure_arn,omitempty"`
	MaximumRetryAttempts     *int   `json:"maximum_retry_attempts,omitempty"`
	MaximumEventAgeInSeconds *int   `json:"maximum_event_age_in_seconds,omitempty"`
}

// Addresses of the event source resources.
func ruleAddr(fn string) string               { return "rule:" + fn }
func subscriptionAddr(fn string) string       { return "subscription:" + fn }
func bucketNotificationAddr(fn string) string { return "s3_notification:" + fn }
func invokeConfigAddr(fn string) string       { return "invoke_config:" + fn }

// needStatement is the statement of n to add to a policy file, as JSON.
func needStatement(n execrole.Need) string {
	acts, _ := json.Marshal(n.Actions)
	return fmt.Sprintf(`{"Effect": "Allow", "Action": %s, "Resource": %q}`, strings.ReplaceAll(string(acts), `","`, `", "`), n.Resource)
}

// missingActions returns the actions of n that p does not allow on its
// resource.
func missingActions(p *iam.Policy, n execrole.Need) []string {
	var out []string
	for _, act := range n.Actions {
		if !allows(p, act, n.Resource) {
			out = append(out, act)
		}
	}
	return out
}

// QueueReadPolicy allows an event source mapping to read one SQS queue.
func QueueReadPolicy(queueARN string) *iam.Policy {
	return execrole.Policy(execrole.ReadQueue(queueARN))
}

// KinesisReadPolicy allows an event source mapping to read one Kinesis
// data stream (shared-throughput consumers only: enhanced fan-out
// consumers, which need kinesis:SubscribeToShard, are not supported).
func KinesisReadPolicy(streamARN string) *iam.Policy {
	return execrole.Policy(execrole.ReadKinesisStream(streamARN))
}

// FailureDestinationPolicy allows Lambda to send failed events to an SQS
// queue or SNS topic (kind manifest.DestinationSQS or DestinationSNS).
func FailureDestinationPolicy(kind, arn string) *iam.Policy {
	n, _ := execrole.SendFailedEvents(kind, arn)
	return execrole.Policy(n)
}

// source is what a function's event source adds to its desired state.
type source struct {
	// dynamoStream is a DynamoDB stream function's stream ARN, whose
	// policy statements (StreamReadPolicy) differ in shape from the
	// others'.
	dynamoStream string
	// access is what the execution role needs besides.
	access []execrole.Need
	// mapping is a pull source's event source mapping.
	mapping *MappingSpec
	// resources are the push source's resources and the invoke config.
	resources []Resource
}

// sourceARN returns the ARN of a source given by name or ARN: a name is
// made an ARN by build; an ARN must be of service and its resource must
// satisfy resource. what names the source in problems ("SQS queue").
func sourceARN(nameOrARN, service, what, example string, build func(name string) string, resource func(string) bool) (string, string) {
	if !strings.HasPrefix(nameOrARN, "arn:") {
		if strings.ContainsAny(nameOrARN, ":/ ") {
			return "", fmt.Sprintf("%q is neither an %s name nor an ARN", nameOrARN, what)
		}
		return build(nameOrARN), ""
	}
	parts, ok := arn.Parse(nameOrARN)
	if !ok || parts.Service != service || !resource(parts.Resource) {
		return "", fmt.Sprintf("%q is not an %s ARN (%s)", nameOrARN, what, example)
	}
	return nameOrARN, ""
}

// asyncKinds are invoked asynchronously: their failures go to the
// invoke config's destination.
func asyncKind(k manifest.Kind) bool {
	switch k {
	case manifest.KindSchedule, manifest.KindEventBridge, manifest.KindSNS, manifest.KindS3, manifest.KindFunction:
		return true
	}
	return false
}

func streamKind(k manifest.Kind) bool {
	return k == manifest.KindDynamoDBStream || k == manifest.KindKinesis
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// eventSource works out the event source resources of fn, whose names are
// n, and what its role needs for them.
func eventSource(in Input, fn manifest.Function, s *stages.Settings, n names.Function) (*source, []Problem) {
	t := in.Target
	name := n.Lambda
	src := &source{}
	var problems []Problem
	subject := "function " + fn.Name
	add := func(problem, fix string) {
		problems = append(problems, Problem{Subject: subject, Problem: problem, Fix: fix})
	}
	unset := func(what, value string) {
		add(fmt.Sprintf("its %s is empty: the app reads it from an environment variable that the stage does not set", what),
			fmt.Sprintf("set it under stages.%s.lambda_functions.%s.environment_variables in .chalice/config.json (%s)", s.Stage, fn.Name, value))
	}
	fnARN := t.Function(name)
	queue := func(nameOrARN string) (string, string) {
		return sourceARN(nameOrARN, "sqs", "SQS queue", "arn:aws:sqs:<region>:<account>:<queue>", t.Queue,
			func(r string) bool { return r != "" && !strings.Contains(r, "/") })
	}
	topic := func(nameOrARN string) (string, string) {
		return sourceARN(nameOrARN, "sns", "SNS topic", "arn:aws:sns:<region>:<account>:<topic>", t.Topic,
			func(r string) bool { return r != "" && !strings.Contains(r, "/") && !strings.Contains(r, ":") })
	}
	permission := func(sid, principal, sourceARN, sourceAccount string) Resource {
		return invokePermission(fn.Name, name, sid, principal, sourceARN, sourceAccount)
	}
	pushDeps := []string{functionAddr(fn.Name), permissionAddr(fn.Name)}

	// The failure destination and retry limits.
	var destARN string
	if of := fn.OnFailure; of != nil {
		async, stream := asyncKind(fn.Kind), streamKind(fn.Kind)
		switch {
		case !async && !stream:
			fix := "remove the failure destination"
			if fn.Kind == manifest.KindSQS {
				fix = "give the queue a redrive policy (a dead-letter queue) instead: SQS sources do not take a failure destination"
			}
			add(fmt.Sprintf("a function of kind %s cannot have a failure destination or retry limits", fn.Kind), fix)
		case async:
			if r := of.MaximumRetryAttempts; r != nil && (*r < 0 || *r > 2) {
				add(fmt.Sprintf("maximum retry attempts %d is out of range for asynchronous invocations", *r), "use 0 to 2")
			}
			if a := of.MaximumAgeInSeconds; a != nil && (*a < 60 || *a > 21600) {
				add(fmt.Sprintf("maximum event age %ds is out of range for asynchronous invocations", *a), "use 60s to 6h")
			}
		case stream:
			if r := of.MaximumRetryAttempts; r != nil && (*r < -1 || *r > 10000) {
				add(fmt.Sprintf("maximum retry attempts %d is out of range for a stream", *r), "use -1 (forever) to 10000")
			}
			if a := of.MaximumAgeInSeconds; a != nil && *a != -1 && (*a < 60 || *a > 604800) {
				add(fmt.Sprintf("maximum record age %ds is out of range for a stream", *a), "use -1 (any age) or 60s to 7 days")
			}
		}
		if of.Destination != "" {
			var problem string
			switch of.DestinationKind {
			case manifest.DestinationSQS:
				destARN, problem = queue(of.Destination)
			case manifest.DestinationSNS:
				destARN, problem = topic(of.Destination)
			default:
				problem = fmt.Sprintf("the failure destination's kind %q is neither %q nor %q", of.DestinationKind, manifest.DestinationSQS, manifest.DestinationSNS)
			}
			if problem != "" {
				add(problem, "name an SQS queue or SNS topic of the deploying account, or its ARN")
			} else {
				n, _ := execrole.SendFailedEvents(of.DestinationKind, destARN)
				src.access = append(src.access, n)
			}
		}
	}
	streamFailure := func(m *MappingSpec) {
		if of := fn.OnFailure; of != nil {
			m.OnFailureARN = destARN
			m.MaximumRetryAttempts = of.MaximumRetryAttempts
			m.MaximumRecordAgeInSeconds = of.MaximumAgeInSeconds
			m.BisectBatchOnFunctionError = of.BisectBatchOnFunctionError
		}
	}

	switch fn.Kind {
	case manifest.KindDynamoDBStream:
		ds := fn.DynamoDBStream
		table := ""
		switch {
		case ds == nil || ds.Stream == "":
			unset("DynamoDB stream", "a stream ARN, or the table's name")
		case strings.HasPrefix(ds.Stream, "arn:"):
			if !isStreamARN(ds.Stream) {
				add(fmt.Sprintf("%q is not a DynamoDB stream ARN", ds.Stream),
					"use arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>, or just the table's name")
			} else {
				src.dynamoStream = ds.Stream
			}
		default:
			if a, ok := in.Streams[ds.Stream]; ok {
				src.dynamoStream = a
			} else {
				src.dynamoStream = t.TableStream(ds.Stream, KnownAfterApply)
			}
			table = ds.Stream
		}
		if src.dynamoStream != "" {
			src.mapping = &MappingSpec{
				FunctionName: name, EventSourceARN: src.dynamoStream, Table: table,
				BatchSize: ds.BatchSize, StartingPosition: ds.StartingPosition,
				MaximumBatchingWindowInSeconds: ds.MaximumBatchingWindowInSeconds,
				ReportBatchItemFailures:        ds.ReportBatchItemFailures,
			}
			streamFailure(src.mapping)
		}

	case manifest.KindSQS:
		q := fn.SQS
		if q == nil || q.Queue == "" {
			unset("SQS queue", "the queue's name or ARN")
			break
		}
		qa, problem := queue(q.Queue)
		if problem != "" {
			add(problem, "name the queue, or give its ARN")
			break
		}
		if q.MaximumConcurrency != 0 && (q.MaximumConcurrency < 2 || q.MaximumConcurrency > 1000) {
			add(fmt.Sprintf("maximum concurrency %d is out of range", q.MaximumConcurrency), "use 2 to 1000, or 0 for no limit")
		}
		if q.BatchSize > 10 && q.MaximumBatchingWindowInSeconds < 1 {
			add(fmt.Sprintf("batch size %d is over 10 without a batching window", q.BatchSize), "set a maximum batching window of at least 1 second, or a batch size of at most 10")
		}
		src.access = append(src.access, execrole.ReadQueue(qa))
		src.mapping = &MappingSpec{
			FunctionName: name, EventSourceARN: qa, BatchSize: q.BatchSize,
			MaximumBatchingWindowInSeconds: q.MaximumBatchingWindowInSeconds,
			ReportBatchItemFailures:        q.ReportBatchItemFailures,
			MaximumConcurrency:             q.MaximumConcurrency,
		}

	case manifest.KindKinesis:
		k := fn.Kinesis
		if k == nil || k.Stream == "" {
			unset("Kinesis stream", "the stream's name or ARN")
			break
		}
		sa, problem := sourceARN(k.Stream, "kinesis", "Kinesis stream", "arn:aws:kinesis:<region>:<account>:stream/<stream>",
			t.KinesisStream,
			func(r string) bool { return strings.HasPrefix(r, "stream/") && len(r) > len("stream/") })
		if problem != "" {
			add(problem, "name the stream, or give its ARN")
			break
		}
		src.access = append(src.access, execrole.ReadKinesisStream(sa))
		src.mapping = &MappingSpec{
			FunctionName: name, EventSourceARN: sa, BatchSize: k.BatchSize, StartingPosition: k.StartingPosition,
			MaximumBatchingWindowInSeconds: k.MaximumBatchingWindowInSeconds,
			ReportBatchItemFailures:        k.ReportBatchItemFailures,
		}
		streamFailure(src.mapping)

	case manifest.KindSchedule, manifest.KindEventBridge:
		rule := n.Rule
		if len(rule) > MaxNameLength {
			add(fmt.Sprintf("the EventBridge rule name %q is %d characters, over AWS's limit of %d", rule, len(rule), MaxNameLength),
				"shorten app_name in .chalice/config.json, the stage name, or the name the app registers the function under")
			break
		}
		spec := &RuleSpec{EventBusName: "default", FunctionName: name, FunctionARN: fnARN, TargetID: RuleTargetID,
			Description: n.RuleDescription}
		if fn.Kind == manifest.KindSchedule {
			if fn.Schedule == nil || fn.Schedule.Expression == "" {
				add("it has no schedule expression", "register it with app.Schedule(name, \"rate(...)\" or \"cron(...)\", ...)")
				break
			}
			spec.ScheduleExpression = fn.Schedule.Expression
			if fn.Schedule.Description != "" {
				spec.Description = fn.Schedule.Description
			}
		} else {
			eb := fn.EventBridge
			if eb == nil || eb.Pattern == "" {
				add("it has no event pattern", "register it with app.OnEvent(name, pattern, ...)")
				break
			}
			spec.EventPattern = canonicalJSONString(eb.Pattern)
			if eb.Description != "" {
				spec.Description = eb.Description
			}
			if bus := eb.Bus; bus != "" && bus != "default" {
				if strings.HasPrefix(bus, "arn:") {
					parts, ok := arn.Parse(bus)
					if !ok || parts.Service != "events" || !strings.HasPrefix(parts.Resource, "event-bus/") {
						add(fmt.Sprintf("%q is not an EventBridge event bus ARN", bus), "use arn:aws:events:<region>:<account>:event-bus/<bus>, or just the bus's name")
						break
					}
					if known(t.Account) && !strings.Contains(t.Account, "${") && parts.Account != t.Account {
						add(fmt.Sprintf("the event bus %s is of account %s, not the deploying account %s", bus, parts.Account, t.Account),
							"rules can be made only on a bus of the deploying account: forward the events to a bus of this account with a rule on the other account's bus")
						break
					}
					bus = strings.TrimPrefix(parts.Resource, "event-bus/")
				}
				spec.EventBusName = bus
			}
		}
		ruleARN := t.Rule(spec.EventBusName, rule)
		src.resources = append(src.resources,
			permission(EventsStatementID, "events.amazonaws.com", ruleARN, ""),
			Resource{Address: ruleAddr(fn.Name), Type: TypeRule, Name: rule, DependsOn: pushDeps, Rule: spec})

	case manifest.KindSNS:
		if fn.SNS == nil || fn.SNS.Topic == "" {
			unset("SNS topic", "the topic's name or ARN")
			break
		}
		ta, problem := topic(fn.SNS.Topic)
		if problem != "" {
			add(problem, "name the topic, or give its ARN")
			break
		}
		sub := Resource{Address: subscriptionAddr(fn.Name), Type: TypeSubscription, Name: ta[strings.LastIndex(ta, ":")+1:], DependsOn: pushDeps,
			Subscription: &SubscriptionSpec{TopicARN: ta, FunctionName: name, FunctionARN: fnARN, FilterPolicy: canonicalJSONString(fn.SNS.FilterPolicy)}}
		if parts, _ := arn.Parse(ta); parts.Account != t.Account {
			sub.Note = fmt.Sprintf("topic of account %s: its access policy must allow this account (%s) sns:Subscribe on %s", parts.Account, t.Account, ta)
		}
		src.resources = append(src.resources, permission(SNSStatementID, "sns.amazonaws.com", ta, ""), sub)

	case manifest.KindS3:
		if fn.S3 == nil || fn.S3.Bucket == "" {
			unset("S3 bucket", "the bucket's name")
			break
		}
		b := fn.S3.Bucket
		if strings.HasPrefix(b, "arn:") {
			parts, ok := arn.Parse(b)
			if !ok || parts.Service != "s3" || parts.Region != "" || parts.Account != "" || strings.Contains(parts.Resource, "/") {
				add(fmt.Sprintf("%q is not an S3 bucket ARN", b), "use arn:aws:s3:::<bucket>, or just the bucket's name")
				break
			}
			b = parts.Resource
		}
		if !bucketName.MatchString(b) {
			add(fmt.Sprintf("%q is not a valid S3 bucket name", b), "use the bucket's name: 3-63 lower-case letters, digits, dots and hyphens")
			break
		}
		events := slices.Clone(fn.S3.Events)
		if len(events) == 0 {
			events = []string{"s3:ObjectCreated:*"}
		}
		slices.Sort(events)
		for _, e := range events {
			if !strings.HasPrefix(e, "s3:") {
				add(fmt.Sprintf("%q is not an S3 event type", e), "use S3's event types, e.g. s3:ObjectCreated:* or s3:ObjectRemoved:Delete")
			}
		}
		bucketARN := t.Bucket(b)
		src.resources = append(src.resources,
			permission(S3StatementID, "s3.amazonaws.com", bucketARN, t.Account),
			Resource{Address: bucketNotificationAddr(fn.Name), Type: TypeBucketNotification, Name: b, DependsOn: pushDeps,
				Note: "merged into the bucket's notification configuration as " + n.BucketNotificationID + "; its other configurations are kept",
				BucketNotification: &BucketNotificationSpec{Bucket: b, ID: n.BucketNotificationID, FunctionName: name, FunctionARN: fnARN,
					Events: events, Prefix: fn.S3.Prefix, Suffix: fn.S3.Suffix}})
	}

	if of := fn.OnFailure; of != nil && asyncKind(fn.Kind) {
		src.resources = append(src.resources, Resource{
			Address: invokeConfigAddr(fn.Name), Type: TypeInvokeConfig, Name: name,
			DependsOn: []string{functionAddr(fn.Name)},
			InvokeConfig: &InvokeConfigSpec{FunctionName: name, OnFailureARN: destARN,
				MaximumRetryAttempts: of.MaximumRetryAttempts, MaximumEventAgeInSeconds: of.MaximumAgeInSeconds},
		})
	}
	return src, problems
}

// rolePolicy returns what the role needs for the source.
func (src *source) rolePolicy() *iam.Policy {
	var ps []*iam.Policy
	if src.dynamoStream != "" {
		ps = append(ps, StreamReadPolicy(src.dynamoStream))
	}
	ps = append(ps, execrole.Policy(src.access...))
	return iam.Merge(ps...)
}

// checkPolicy checks that a policy file grants what the source needs; a
// resource only the template or the deploy knows is not checked, and
// warned about.
func (src *source) checkPolicy(policy *iam.Policy, fn, file string) (problems []Problem, warnings []string) {
	unknown := func(r string) bool { return strings.Contains(r, KnownAfterApply) || strings.Contains(r, "${") }
	if ds := src.dynamoStream; ds != "" && !unknown(ds) {
		if missing := MissingStreamAccess(policy, ds); len(missing) > 0 {
			problems = append(problems, Problem{Subject: fmt.Sprintf("function %s (%s)", fn, file),
				Problem: fmt.Sprintf("the policy does not allow %s, which Lambda needs to read the stream %s", strings.Join(missing, ", "), ds),
				Fix:     fmt.Sprintf(`add {"Effect": "Allow", "Action": ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"], "Resource": %q} and {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"} to %s`, ds, file)})
		}
	}
	for _, a := range src.access {
		if unknown(a.Resource) {
			warnings = append(warnings, fmt.Sprintf("function %s: its policy file %s cannot be checked against %s before deploy: make sure it has %s", fn, file, a.Resource, needStatement(a)))
			continue
		}
		if missing := missingActions(policy, a); len(missing) > 0 {
			problems = append(problems, Problem{Subject: fmt.Sprintf("function %s (%s)", fn, file),
				Problem: fmt.Sprintf("the policy does not allow %s, which Lambda needs to %s %s", strings.Join(missing, ", "), a.What, a.Resource),
				Fix:     fmt.Sprintf("add %s to %s", needStatement(a), file)})
		}
	}
	return problems, warnings
}
