package deployer

// Desired state of the event sources other than DynamoDB streams: the
// EventBridge rules of schedules and event patterns, SNS subscriptions, S3
// bucket notifications, and asynchronous invocation settings (failure
// destinations). Pull sources (SQS, Kinesis) are event source mappings
// (MappingSpec); push sources also get a PermissionSpec with SourceArn.

// RuleSpec is an EventBridge rule with one target: the function.
type RuleSpec struct {
	// EventBusName is "default" or a custom bus's name or ARN.
	EventBusName string `json:"event_bus_name"`
	// ScheduleExpression is set for schedules, EventPattern (canonical
	// JSON) for event patterns; exactly one is set.
	ScheduleExpression string `json:"schedule_expression,omitempty"`
	EventPattern       string `json:"event_pattern,omitempty"`
	Description        string `json:"description"`
	// FunctionName is the target function; TargetID the target's id.
	FunctionName string `json:"function_name"`
	TargetID     string `json:"target_id"`
}

// SubscriptionSpec is an SNS subscription of the function to a topic.
type SubscriptionSpec struct {
	TopicARN     string `json:"topic_arn"`
	FunctionName string `json:"function_name"`
	FilterPolicy string `json:"filter_policy,omitempty"`
}

// BucketNotificationSpec is one Lambda function configuration of a
// bucket's notification configuration, identified by ID; the bucket's
// other configurations are kept.
type BucketNotificationSpec struct {
	Bucket       string   `json:"bucket"`
	ID           string   `json:"id"`
	FunctionName string   `json:"function_name"`
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

// The kinds of the event source resources (see kinds.go).
var (
	ruleKind               = kind{}
	subscriptionKind       = kind{}
	bucketNotificationKind = kind{}
	invokeConfigKind       = kind{}
)
