package deployer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The AWS interfaces below are the deployer's view of each service: only
// the operations a step uses. The SDK clients satisfy them; tests use the
// in-memory fakes of internal/fakeaws.

// RoleAPI creates, reads and deletes IAM roles.
type RoleAPI interface {
	GetRole(ctx context.Context, in *iam.GetRoleInput, optFns ...func(*iam.Options)) (*iam.GetRoleOutput, error)
	CreateRole(ctx context.Context, in *iam.CreateRoleInput, optFns ...func(*iam.Options)) (*iam.CreateRoleOutput, error)
	UpdateAssumeRolePolicy(ctx context.Context, in *iam.UpdateAssumeRolePolicyInput, optFns ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error)
	DeleteRole(ctx context.Context, in *iam.DeleteRoleInput, optFns ...func(*iam.Options)) (*iam.DeleteRoleOutput, error)
	ListRoles(ctx context.Context, in *iam.ListRolesInput, optFns ...func(*iam.Options)) (*iam.ListRolesOutput, error)
}

// RolePolicyAPI manages a role's inline policies.
type RolePolicyAPI interface {
	GetRolePolicy(ctx context.Context, in *iam.GetRolePolicyInput, optFns ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error)
	PutRolePolicy(ctx context.Context, in *iam.PutRolePolicyInput, optFns ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error)
	DeleteRolePolicy(ctx context.Context, in *iam.DeleteRolePolicyInput, optFns ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error)
}

// IAMAPI is every IAM operation the deployer uses.
type IAMAPI interface {
	RoleAPI
	RolePolicyAPI
}

// FunctionAPI creates, reads, updates and deletes Lambda functions.
// GetFunction also drives the SDK's function waiters.
type FunctionAPI interface {
	GetFunction(ctx context.Context, in *lambda.GetFunctionInput, optFns ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error)
	CreateFunction(ctx context.Context, in *lambda.CreateFunctionInput, optFns ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error)
	UpdateFunctionCode(ctx context.Context, in *lambda.UpdateFunctionCodeInput, optFns ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error)
	UpdateFunctionConfiguration(ctx context.Context, in *lambda.UpdateFunctionConfigurationInput, optFns ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error)
	DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, optFns ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error)
	ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, optFns ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error)
}

// FunctionSettingsAPI changes the settings of a function that are not
// part of its configuration: tags and reserved concurrency.
type FunctionSettingsAPI interface {
	TagResource(ctx context.Context, in *lambda.TagResourceInput, optFns ...func(*lambda.Options)) (*lambda.TagResourceOutput, error)
	ListTags(ctx context.Context, in *lambda.ListTagsInput, optFns ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
	UntagResource(ctx context.Context, in *lambda.UntagResourceInput, optFns ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error)
	PutFunctionConcurrency(ctx context.Context, in *lambda.PutFunctionConcurrencyInput, optFns ...func(*lambda.Options)) (*lambda.PutFunctionConcurrencyOutput, error)
	DeleteFunctionConcurrency(ctx context.Context, in *lambda.DeleteFunctionConcurrencyInput, optFns ...func(*lambda.Options)) (*lambda.DeleteFunctionConcurrencyOutput, error)
}

// EventSourceMappingAPI manages event source mappings (pull-mode sources).
type EventSourceMappingAPI interface {
	ListEventSourceMappings(ctx context.Context, in *lambda.ListEventSourceMappingsInput, optFns ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error)
	GetEventSourceMapping(ctx context.Context, in *lambda.GetEventSourceMappingInput, optFns ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error)
	CreateEventSourceMapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput, optFns ...func(*lambda.Options)) (*lambda.CreateEventSourceMappingOutput, error)
	UpdateEventSourceMapping(ctx context.Context, in *lambda.UpdateEventSourceMappingInput, optFns ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error)
	DeleteEventSourceMapping(ctx context.Context, in *lambda.DeleteEventSourceMappingInput, optFns ...func(*lambda.Options)) (*lambda.DeleteEventSourceMappingOutput, error)
}

// PermissionAPI manages a function's resource-based policy (push-mode
// sources).
type PermissionAPI interface {
	GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, optFns ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	AddPermission(ctx context.Context, in *lambda.AddPermissionInput, optFns ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error)
	RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, optFns ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error)
}

// InvokeAPI invokes a function (gochalice invoke).
type InvokeAPI interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// EventInvokeConfigAPI manages a function's asynchronous invocation
// settings (failure destination and retry limits).
type EventInvokeConfigAPI interface {
	GetFunctionEventInvokeConfig(ctx context.Context, in *lambda.GetFunctionEventInvokeConfigInput, optFns ...func(*lambda.Options)) (*lambda.GetFunctionEventInvokeConfigOutput, error)
	PutFunctionEventInvokeConfig(ctx context.Context, in *lambda.PutFunctionEventInvokeConfigInput, optFns ...func(*lambda.Options)) (*lambda.PutFunctionEventInvokeConfigOutput, error)
	DeleteFunctionEventInvokeConfig(ctx context.Context, in *lambda.DeleteFunctionEventInvokeConfigInput, optFns ...func(*lambda.Options)) (*lambda.DeleteFunctionEventInvokeConfigOutput, error)
}

// LambdaAPI is every Lambda operation the deployer uses.
type LambdaAPI interface {
	FunctionAPI
	FunctionSettingsAPI
	EventSourceMappingAPI
	PermissionAPI
	EventInvokeConfigAPI
	InvokeAPI
}

// RuleAPI manages EventBridge rules and their targets (schedules and
// event patterns).
type RuleAPI interface {
	PutRule(ctx context.Context, in *eventbridge.PutRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error)
	DescribeRule(ctx context.Context, in *eventbridge.DescribeRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error)
	DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error)
	PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error)
	ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error)
	RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error)
	ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, optFns ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error)
}

// SubscriptionAPI manages SNS subscriptions of functions to topics.
type SubscriptionAPI interface {
	Subscribe(ctx context.Context, in *sns.SubscribeInput, optFns ...func(*sns.Options)) (*sns.SubscribeOutput, error)
	Unsubscribe(ctx context.Context, in *sns.UnsubscribeInput, optFns ...func(*sns.Options)) (*sns.UnsubscribeOutput, error)
	ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, optFns ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
	GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, optFns ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error)
	SetSubscriptionAttributes(ctx context.Context, in *sns.SetSubscriptionAttributesInput, optFns ...func(*sns.Options)) (*sns.SetSubscriptionAttributesOutput, error)
}

// BucketNotificationAPI reads and writes S3 bucket notification
// configurations.
type BucketNotificationAPI interface {
	GetBucketNotificationConfiguration(ctx context.Context, in *s3.GetBucketNotificationConfigurationInput, optFns ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error)
	PutBucketNotificationConfiguration(ctx context.Context, in *s3.PutBucketNotificationConfigurationInput, optFns ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error)
}

// RestAPIAPI manages REST APIs imported from an OpenAPI document.
type RestAPIAPI interface {
	GetRestApis(ctx context.Context, in *apigateway.GetRestApisInput, optFns ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error)
	ImportRestApi(ctx context.Context, in *apigateway.ImportRestApiInput, optFns ...func(*apigateway.Options)) (*apigateway.ImportRestApiOutput, error)
	PutRestApi(ctx context.Context, in *apigateway.PutRestApiInput, optFns ...func(*apigateway.Options)) (*apigateway.PutRestApiOutput, error)
	UpdateRestApi(ctx context.Context, in *apigateway.UpdateRestApiInput, optFns ...func(*apigateway.Options)) (*apigateway.UpdateRestApiOutput, error)
	DeleteRestApi(ctx context.Context, in *apigateway.DeleteRestApiInput, optFns ...func(*apigateway.Options)) (*apigateway.DeleteRestApiOutput, error)
}

// DeploymentAPI deploys a REST API to a stage, sets the stage's X-Ray
// tracing, and deletes a stage.
type DeploymentAPI interface {
	GetStage(ctx context.Context, in *apigateway.GetStageInput, optFns ...func(*apigateway.Options)) (*apigateway.GetStageOutput, error)
	UpdateStage(ctx context.Context, in *apigateway.UpdateStageInput, optFns ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error)
	CreateDeployment(ctx context.Context, in *apigateway.CreateDeploymentInput, optFns ...func(*apigateway.Options)) (*apigateway.CreateDeploymentOutput, error)
	DeleteStage(ctx context.Context, in *apigateway.DeleteStageInput, optFns ...func(*apigateway.Options)) (*apigateway.DeleteStageOutput, error)
}

// UsagePlanAPI manages the usage plan that lets API keys call a REST
// API's stage.
type UsagePlanAPI interface {
	GetUsagePlans(ctx context.Context, in *apigateway.GetUsagePlansInput, optFns ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error)
	CreateUsagePlan(ctx context.Context, in *apigateway.CreateUsagePlanInput, optFns ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanOutput, error)
	UpdateUsagePlan(ctx context.Context, in *apigateway.UpdateUsagePlanInput, optFns ...func(*apigateway.Options)) (*apigateway.UpdateUsagePlanOutput, error)
	DeleteUsagePlan(ctx context.Context, in *apigateway.DeleteUsagePlanInput, optFns ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanOutput, error)
}

// APIGatewayAPI is every API Gateway operation the deployer uses.
type APIGatewayAPI interface {
	RestAPIAPI
	DeploymentAPI
	UsagePlanAPI
}

// LogsAPI manages the retention of a function's log group.
type LogsAPI interface {
	DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error)
	CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error)
	PutRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error)
	DeleteLogGroup(ctx context.Context, in *cloudwatchlogs.DeleteLogGroupInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error)
	ListTagsForResource(ctx context.Context, in *cloudwatchlogs.ListTagsForResourceInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error)
}

// TableAPI resolves a DynamoDB table name to its latest stream.
type TableAPI interface {
	DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error)
}

// IdentityAPI tells which account the credentials belong to.
type IdentityAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, optFns ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

var (
	_ IAMAPI        = (*iam.Client)(nil)
	_ LambdaAPI     = (*lambda.Client)(nil)
	_ APIGatewayAPI = (*apigateway.Client)(nil)
	_ UsagePlanAPI  = (*apigateway.Client)(nil)
	_ LogsAPI       = (*cloudwatchlogs.Client)(nil)
	_ TableAPI      = (*dynamodb.Client)(nil)
	_ IdentityAPI   = (*sts.Client)(nil)

	_ RuleAPI               = (*eventbridge.Client)(nil)
	_ SubscriptionAPI       = (*sns.Client)(nil)
	_ BucketNotificationAPI = (*s3.Client)(nil)
)

// Clients are the AWS services a deploy talks to.
type Clients struct {
	IAM        IAMAPI
	Lambda     LambdaAPI
	APIGateway APIGatewayAPI
	HTTPAPI    HTTPAPIAPI
	// WebSocketAPI is needed only by apps with WebSocket handlers.
	WebSocketAPI WebSocketAPIAPI
	Logs         LogsAPI
	DynamoDB     TableAPI
	STS          IdentityAPI
	// EventBridge, SNS and S3 are needed only by apps with schedules or
	// event patterns, SNS subscriptions, or S3 notifications.
	EventBridge RuleAPI
	SNS         SubscriptionAPI
	S3          BucketNotificationAPI
	// Domains and HTTPDomains are needed only by stages with
	// api_gateway_custom_domain: a REST API's, an HTTP API's.
	Domains     DomainNameAPI
	HTTPDomains HTTPDomainNameAPI
}

// NewClients returns SDK clients for cfg. The SDK's standard retryer
// handles throttling; AWS_ENDPOINT_URL and its per-service variants are
// honoured by the SDK itself.
func NewClients(cfg aws.Config) *Clients {
	return &Clients{
		IAM:          iam.NewFromConfig(cfg),
		Lambda:       lambda.NewFromConfig(cfg),
		APIGateway:   apigateway.NewFromConfig(cfg),
		HTTPAPI:      apigatewayv2.NewFromConfig(cfg),
		WebSocketAPI: apigatewayv2.NewFromConfig(cfg),
		Logs:         cloudwatchlogs.NewFromConfig(cfg),
		DynamoDB:     dynamodb.NewFromConfig(cfg),
		STS:          sts.NewFromConfig(cfg),

		EventBridge: eventbridge.NewFromConfig(cfg),
		SNS:         sns.NewFromConfig(cfg),
		S3:          s3.NewFromConfig(cfg),
		Domains:     apigateway.NewFromConfig(cfg),
		HTTPDomains: apigatewayv2.NewFromConfig(cfg),
	}
}
