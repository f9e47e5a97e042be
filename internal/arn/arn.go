// Package arn builds the Amazon Resource Names gochalice needs from the
// names an app uses: one place for the ARN form of every resource type,
// for a Target's partition, region and account — real ones, or the
// CloudFormation pseudo-parameter placeholders of templates and
// generated policies. It imports only the standard library.
package arn

import (
	"net/url"
	"strings"
)

// The placeholders of templates and generated policies, CloudFormation's
// pseudo parameters. Template() is a Target made of them; Resolve fills
// them in.
const (
	PartitionPlaceholder = "${AWS::Partition}"
	RegionPlaceholder    = "${AWS::Region}"
	AccountPlaceholder   = "${AWS::AccountId}"
	// URLSuffixPlaceholder is the partition's DNS suffix
	// ("amazonaws.com"), for URLs in templates.
	URLSuffixPlaceholder = "${AWS::URLSuffix}"
	// APIIDPlaceholder stands for the id of an app's API (REST or HTTP),
	// known only once it exists: ExecuteAPI(APIIDPlaceholder).
	APIIDPlaceholder = "{api_id}"
	// WebSocketAPIIDPlaceholder stands for the id of an app's WebSocket
	// API, known only once it exists: gen-policy scopes
	// execute-api:ManageConnections to
	// ExecuteAPI(WebSocketAPIIDPlaceholder)+"/*/POST/@connections/*",
	// and deploy fills in the id it recorded.
	WebSocketAPIIDPlaceholder = "{websocket_api_id}"
)

// UnknownAccount stands for the account ID in the ARNs of a plan made
// without AWS credentials.
const UnknownAccount = "<account>"

// Target is where ARNs point: a partition, a region and an account.
type Target struct {
	// Partition is "aws" unless the region is in another partition.
	Partition string `json:"partition"`
	// Region is the AWS region.
	Region string `json:"region"`
	// Account is the account ID, UnknownAccount when not known.
	Account string `json:"account"`
}

// NewTarget returns the target of a region and account, with the
// region's partition (PartitionOf); an empty account is UnknownAccount.
func NewTarget(region, account string) Target {
	if account == "" {
		account = UnknownAccount
	}
	return Target{Partition: PartitionOf(region), Region: region, Account: account}
}

// PartitionOf returns the partition of a region: "aws-cn" for cn-*,
// "aws-us-gov" for us-gov-*, else "aws".
func PartitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Template returns the target of templates and generated policies: its
// partition, region and account are the placeholders, left for
// CloudFormation (or Terraform, or Resolve) to fill in.
func Template() Target {
	return Target{Partition: PartitionPlaceholder, Region: RegionPlaceholder, Account: AccountPlaceholder}
}

// Resolve returns s with the placeholders of Template() replaced by t's
// partition, region and account.
func (t Target) Resolve(s string) string {
	return strings.NewReplacer(PartitionPlaceholder, t.Partition, RegionPlaceholder, t.Region, AccountPlaceholder, t.Account).Replace(s)
}

// ARN returns the ARN of a resource of service in t's partition. Region
// and account are given, as global services leave them empty (IAM has no
// region, S3 neither region nor account).
func (t Target) ARN(service, region, account, resource string) string {
	return "arn:" + t.Partition + ":" + service + ":" + region + ":" + account + ":" + resource
}

// Regional returns the ARN of a resource of service in t's region and
// account.
func (t Target) Regional(service, resource string) string {
	return t.ARN(service, t.Region, t.Account, resource)
}

// IsARN reports whether s is written as an ARN (starts with "arn:").
func IsARN(s string) bool { return strings.HasPrefix(s, "arn:") }

// orName returns nameOrARN when it is an ARN, else build(nameOrARN).
func orName(nameOrARN string, build func(string) string) string {
	if IsARN(nameOrARN) {
		return nameOrARN
	}
	return build(nameOrARN)
}

// Function returns the ARN of a Lambda function given by name or ARN.
func (t Target) Function(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.Regional("lambda", "function:"+n) })
}

// Role returns the ARN of an IAM role given by name.
func (t Target) Role(name string) string { return t.ARN("iam", "", t.Account, "role/"+name) }

// LogGroup returns the ARN of a CloudWatch Logs log group as AWS reports
// it and as policies grant it: with ":*", its log streams.
func (t Target) LogGroup(name string) string {
	return t.Regional("logs", "log-group:"+name+":*")
}

// FunctionLogGroupName returns the name of the log group of a Lambda
// function: "/aws/lambda/<function>".
func FunctionLogGroupName(functionName string) string { return "/aws/lambda/" + functionName }

// Table returns the ARN of a DynamoDB table given by name or ARN.
func (t Target) Table(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.Regional("dynamodb", "table/"+n) })
}

// TableIndex returns the ARN of an index of a DynamoDB table given by
// name.
func (t Target) TableIndex(table, index string) string {
	return t.Regional("dynamodb", "table/"+table+"/index/"+index)
}

// TableStream returns the ARN of a stream of a DynamoDB table given by
// name: label is the stream's label (a time), or "*" for any stream of
// the table.
func (t Target) TableStream(table, label string) string {
	return t.Regional("dynamodb", "table/"+table+"/stream/"+label)
}

// Queue returns the ARN of an SQS queue given by name, by URL
// (https://sqs.<region>.amazonaws.com/<account>/<name>, or the legacy
// https://<region>.queue.amazonaws.com/...: the region and account are
// the URL's) or by ARN.
func (t Target) Queue(nameURLOrARN string) string {
	if IsARN(nameURLOrARN) {
		return nameURLOrARN
	}
	u, err := url.Parse(nameURLOrARN)
	if err != nil || u.Host == "" {
		return t.Regional("sqs", nameURLOrARN)
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(segs) != 2 {
		return t.Regional("sqs", segs[len(segs)-1])
	}
	region := t.Region
	host := strings.Split(u.Hostname(), ".")
	switch {
	case len(host) >= 3 && host[0] == "sqs":
		region = host[1]
	case len(host) >= 3 && host[1] == "queue":
		region = host[0]
	}
	return t.ARN("sqs", region, segs[0], segs[1])
}

// Topic returns the ARN of an SNS topic given by name or ARN.
func (t Target) Topic(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.Regional("sns", n) })
}

// KinesisStream returns the ARN of a Kinesis data stream given by name
// or ARN.
func (t Target) KinesisStream(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.Regional("kinesis", "stream/"+n) })
}

// DeliveryStream returns the ARN of a Firehose delivery stream given by
// name.
func (t Target) DeliveryStream(name string) string {
	return t.Regional("firehose", "deliverystream/"+name)
}

// Bucket returns the ARN of an S3 bucket given by name or ARN. Bucket
// ARNs name no region and no account.
func (t Target) Bucket(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.ARN("s3", "", "", n) })
}

// Bus returns the ARN of an EventBridge event bus given by name or ARN;
// "" is the default bus.
func (t Target) Bus(nameOrARN string) string {
	if nameOrARN == "" {
		nameOrARN = "default"
	}
	return orName(nameOrARN, func(n string) string { return t.Regional("events", "event-bus/"+n) })
}

// Rule returns the ARN of an EventBridge rule on a bus of t's account,
// given by name ("" or "default" for the default bus, whose rules' ARNs
// do not name it).
func (t Target) Rule(bus, name string) string {
	if bus == "" || bus == "default" {
		return t.Regional("events", "rule/"+name)
	}
	return t.Regional("events", "rule/"+bus+"/"+name)
}

// Secret returns the ARN pattern of a Secrets Manager secret given by
// name or ARN: Secrets Manager appends six random characters to a
// secret's name in its ARN, which the pattern matches ("-??????").
func (t Target) Secret(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.Regional("secretsmanager", "secret:"+n+"-??????") })
}

// Parameter returns the ARN of an SSM parameter given by name (with or
// without its leading "/") or ARN.
func (t Target) Parameter(nameOrARN string) string {
	return orName(nameOrARN, func(n string) string { return t.Regional("ssm", "parameter/"+strings.TrimPrefix(n, "/")) })
}

// ExecuteAPI returns the execute-api ARN of an API Gateway API
// (APIIDPlaceholder while its id is unknown); invoke permissions add
// "/*" (any stage, method and path) or "/authorizers/*".
func (t Target) ExecuteAPI(apiID string) string { return t.Regional("execute-api", apiID) }

// APIGateway returns the ARN of an API Gateway control-plane resource,
// given by path: "/restapis/<id>", "/apis/<id>", "/usageplans".
func (t Target) APIGateway(path string) string { return t.ARN("apigateway", t.Region, "", path) }

// InvocationURI returns the URI through which API Gateway invokes a
// Lambda function (an integration's or an authorizer's).
func (t Target) InvocationURI(functionARN string) string {
	return t.ARN("apigateway", t.Region, "lambda", "path/2015-03-31/functions/"+functionARN+"/invocations")
}

// Parts are the six parts of an ARN.
type Parts struct {
	Partition, Service, Region, Account string
	// Resource is everything after the account, colons included.
	Resource string
}

// Parse splits an ARN into its parts; ok is false when s is not an ARN.
func Parse(s string) (p Parts, ok bool) {
	f := strings.SplitN(s, ":", 6)
	if len(f) != 6 || f[0] != "arn" {
		return Parts{}, false
	}
	return Parts{Partition: f[1], Service: f[2], Region: f[3], Account: f[4], Resource: f[5]}, true
}
