package deployer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/iamdata"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/manifest"
)

// operationActions maps every AWS operation the deployer calls, as
// "service.Operation", to the IAM action that authorises it (AWS's Service
// Authorization Reference). API Gateway's control plane is authorised by
// HTTP verb on the resource path, not by operation name.
var operationActions = map[string]string{
	"iam.GetRole":                "iam:GetRole",
	"iam.CreateRole":             "iam:CreateRole",
	"iam.UpdateAssumeRolePolicy": "iam:UpdateAssumeRolePolicy",
	"iam.DeleteRole":             "iam:DeleteRole",
	"iam.GetRolePolicy":          "iam:GetRolePolicy",
	"iam.PutRolePolicy":          "iam:PutRolePolicy",
	"iam.DeleteRolePolicy":       "iam:DeleteRolePolicy",
	"iam.ListRoles":              "iam:ListRoles",

	"lambda.GetFunction":                 "lambda:GetFunction",
	"lambda.ListFunctions":               "lambda:ListFunctions",
	"lambda.ListTags":                    "lambda:ListTags",
	"lambda.CreateFunction":              "lambda:CreateFunction",
	"lambda.UpdateFunctionCode":          "lambda:UpdateFunctionCode",
	"lambda.UpdateFunctionConfiguration": "lambda:UpdateFunctionConfiguration",
	"lambda.DeleteFunction":              "lambda:DeleteFunction",
	"lambda.TagResource":                 "lambda:TagResource",
	"lambda.UntagResource":               "lambda:UntagResource",
	"lambda.PutFunctionConcurrency":      "lambda:PutFunctionConcurrency",
	"lambda.DeleteFunctionConcurrency":   "lambda:DeleteFunctionConcurrency",
	"lambda.ListEventSourceMappings":     "lambda:ListEventSourceMappings",
	"lambda.CreateEventSourceMapping":    "lambda:CreateEventSourceMapping",
	"lambda.UpdateEventSourceMapping":    "lambda:UpdateEventSourceMapping",
	"lambda.DeleteEventSourceMapping":    "lambda:DeleteEventSourceMapping",
	"lambda.GetEventSourceMapping":       "lambda:GetEventSourceMapping",
	"lambda.GetPolicy":                   "lambda:GetPolicy",
	"lambda.AddPermission":               "lambda:AddPermission",
	"lambda.RemovePermission":            "lambda:RemovePermission",
	"lambda.Invoke":                      "lambda:InvokeFunction",

	"lambda.PutFunctionEventInvokeConfig":    "lambda:PutFunctionEventInvokeConfig",
	"lambda.GetFunctionEventInvokeConfig":    "lambda:GetFunctionEventInvokeConfig",
	"lambda.DeleteFunctionEventInvokeConfig": "lambda:DeleteFunctionEventInvokeConfig",

	"events.PutRule":             "events:PutRule",
	"events.DescribeRule":        "events:DescribeRule",
	"events.DeleteRule":          "events:DeleteRule",
	"events.PutTargets":          "events:PutTargets",
	"events.ListTargetsByRule":   "events:ListTargetsByRule",
	"events.RemoveTargets":       "events:RemoveTargets",
	"events.ListTagsForResource": "events:ListTagsForResource",

	"sns.Subscribe":                 "sns:Subscribe",
	"sns.Unsubscribe":               "sns:Unsubscribe",
	"sns.ListSubscriptionsByTopic":  "sns:ListSubscriptionsByTopic",
	"sns.GetSubscriptionAttributes": "sns:GetSubscriptionAttributes",
	"sns.SetSubscriptionAttributes": "sns:SetSubscriptionAttributes",

	"s3.GetBucketNotificationConfiguration": "s3:GetBucketNotification",
	"s3.PutBucketNotificationConfiguration": "s3:PutBucketNotification",

	"apigateway.GetRestApis":      "apigateway:GET",
	"apigateway.ImportRestApi":    "apigateway:POST",
	"apigateway.PutRestApi":       "apigateway:PUT",
	"apigateway.UpdateRestApi":    "apigateway:PATCH",
	"apigateway.DeleteRestApi":    "apigateway:DELETE",
	"apigateway.GetStage":         "apigateway:GET",
	"apigateway.UpdateStage":      "apigateway:PATCH",
	"apigateway.CreateDeployment": "apigateway:POST",
	"apigateway.DeleteStage":      "apigateway:DELETE",
	"apigateway.GetUsagePlans":    "apigateway:GET",
	"apigateway.CreateUsagePlan":  "apigateway:POST",
	"apigateway.UpdateUsagePlan":  "apigateway:PATCH",
	"apigateway.DeleteUsagePlan":  "apigateway:DELETE",

	"apigatewayv2.GetApis":     "apigateway:GET",
	"apigatewayv2.ImportApi":   "apigateway:PUT",
	"apigatewayv2.ReimportApi": "apigateway:PUT",
	"apigatewayv2.DeleteApi":   "apigateway:DELETE",
	"apigatewayv2.GetStage":    "apigateway:GET",
	"apigatewayv2.CreateStage": "apigateway:POST",
	"apigatewayv2.UpdateStage": "apigateway:PATCH",
	"apigatewayv2.DeleteStage": "apigateway:DELETE",

	"apigatewayv2.CreateApi":         "apigateway:POST",
	"apigatewayv2.UpdateApi":         "apigateway:PATCH",
	"apigatewayv2.GetIntegrations":   "apigateway:GET",
	"apigatewayv2.CreateIntegration": "apigateway:POST",
	"apigatewayv2.UpdateIntegration": "apigateway:PATCH",
	"apigatewayv2.DeleteIntegration": "apigateway:DELETE",
	"apigatewayv2.GetRoutes":         "apigateway:GET",
	"apigatewayv2.CreateRoute":       "apigateway:POST",
	"apigatewayv2.UpdateRoute":       "apigateway:PATCH",
	"apigatewayv2.DeleteRoute":       "apigateway:DELETE",

	"logs.DescribeLogGroups":   "logs:DescribeLogGroups",
	"logs.CreateLogGroup":      "logs:CreateLogGroup",
	"logs.PutRetentionPolicy":  "logs:PutRetentionPolicy",
	"logs.DeleteLogGroup":      "logs:DeleteLogGroup",
	"logs.ListTagsForResource": "logs:ListTagsForResource",

	"dynamodb.DescribeTable": "dynamodb:DescribeTable",

	"sts.GetCallerIdentity": "sts:GetCallerIdentity",
}

// access is one authorisation a call needs: an action on a resource ARN
// ("*" for actions without resource-level permissions), with the values of
// the condition keys the request carries.
type access struct {
	Action, Resource string
	Context          map[string]string
}

func (a access) String() string {
	if len(a.Context) == 0 {
		return a.Action + " on " + a.Resource
	}
	return fmt.Sprintf("%s on %s with %v", a.Action, a.Resource, a.Context)
}

// call is one recorded AWS call and the authorisations it needs: the
// operation's own action, plus those AWS checks besides (iam:PassRole for
// a function's role, lambda:GetLayerVersion for its layers, the EC2 reads
// for its VPC, lambda:ListTags for the tags GetFunction returns).
type call struct {
	Service, Operation string
	Needs              []access
}

// recorder wraps the deployer's clients and records every call with the
// resources it touches, worked out from the call's input as IAM would.
type recorder struct {
	inner                      *deployer.Clients
	partition, region, account string

	mu    sync.Mutex
	calls []call
	// mappingFunction maps an event source mapping's UUID to its
	// function's ARN, learnt from Create and List answers.
	mappingFunction map[string]string
}

func newRecorder(c *fakeaws.Cloud) *recorder {
	return &recorder{inner: c.Clients(), partition: "aws", region: c.Region, account: c.Account, mappingFunction: map[string]string{}}
}

// clients returns the recording clients.
func (r *recorder) clients() *deployer.Clients {
	return &deployer.Clients{IAM: iamRec{r}, Lambda: lambdaRec{r}, APIGateway: apigwRec{r}, HTTPAPI: httpAPIRec{r}, WebSocketAPI: wsAPIRec{r}, Logs: logsRec{r}, DynamoDB: ddbRec{r}, STS: stsRec{r},
		EventBridge: eventsRec{r}, SNS: snsRec{r}, S3: s3Rec{r}, Domains: domainRec{r}, HTTPDomains: httpDomainRec{r}}
}

// take returns the calls recorded since the last take.
func (r *recorder) take() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

// add records a call of service.op needing the operation's action on
// resource (with ctx) and extra accesses. An operation missing from
// operationActions is recorded with an empty action, which the test
// reports.
func (r *recorder) add(service, op, resource string, ctx map[string]string, extra ...access) {
	needs := append([]access{{Action: operationActions[service+"."+op], Resource: resource, Context: ctx}}, extra...)
	r.mu.Lock()
	r.calls = append(r.calls, call{Service: service, Operation: op, Needs: needs})
	r.mu.Unlock()
}

func (r *recorder) arn(service, region, account, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", r.partition, service, region, account, resource)
}

func (r *recorder) role(name *string) string { return r.arn("iam", "", r.account, "role/"+deref(name)) }

// function returns the ARN of a function given by name or ARN.
func (r *recorder) function(nameOrARN *string) string {
	if s := deref(nameOrARN); strings.HasPrefix(s, "arn:") {
		return s
	}
	return r.arn("lambda", r.region, r.account, "function:"+deref(nameOrARN))
}

func (r *recorder) mapping(uuid *string) (string, map[string]string) {
	r.mu.Lock()
	fn, ok := r.mappingFunction[deref(uuid)]
	r.mu.Unlock()
	var ctx map[string]string
	if ok {
		ctx = map[string]string{"lambda:FunctionArn": fn}
	}
	return r.arn("lambda", r.region, r.account, "event-source-mapping:"+deref(uuid)), ctx
}

func (r *recorder) learnMapping(uuid, functionARN *string) {
	if uuid == nil || functionARN == nil {
		return
	}
	r.mu.Lock()
	r.mappingFunction[*uuid] = *functionARN
	r.mu.Unlock()
}

func (r *recorder) restAPI(path string) string { return r.arn("apigateway", r.region, "", path) }

func (r *recorder) logGroup(name *string) string {
	return r.arn("logs", r.region, r.account, "log-group:"+deref(name))
}

// functionSettings are what Lambda checks besides lambda:CreateFunction
// or UpdateFunctionConfiguration: passing the role, reading the layers,
// and describing the VPC.
func (r *recorder) functionSettings(role *string, layers []string, subnets, groups []string) []access {
	var out []access
	if role != nil {
		out = append(out, access{Action: "iam:PassRole", Resource: *role, Context: map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}})
	}
	for _, l := range layers {
		out = append(out, access{Action: "lambda:GetLayerVersion", Resource: l})
	}
	if len(subnets)+len(groups) > 0 {
		for _, a := range []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"} {
			out = append(out, access{Action: a, Resource: "*"})
		}
	}
	return out
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

type iamRec struct{ r *recorder }

func (c iamRec) GetRole(ctx context.Context, in *awsiam.GetRoleInput, o ...func(*awsiam.Options)) (*awsiam.GetRoleOutput, error) {
	c.r.add("iam", "GetRole", c.r.role(in.RoleName), nil)
	return c.r.inner.IAM.GetRole(ctx, in, o...)
}

func (c iamRec) CreateRole(ctx context.Context, in *awsiam.CreateRoleInput, o ...func(*awsiam.Options)) (*awsiam.CreateRoleOutput, error) {
	var extra []access
	if len(in.Tags) > 0 {
		extra = append(extra, access{Action: "iam:TagRole", Resource: c.r.role(in.RoleName)})
	}
	c.r.add("iam", "CreateRole", c.r.role(in.RoleName), nil, extra...)
	return c.r.inner.IAM.CreateRole(ctx, in, o...)
}

func (c iamRec) UpdateAssumeRolePolicy(ctx context.Context, in *awsiam.UpdateAssumeRolePolicyInput, o ...func(*awsiam.Options)) (*awsiam.UpdateAssumeRolePolicyOutput, error) {
	c.r.add("iam", "UpdateAssumeRolePolicy", c.r.role(in.RoleName), nil)
	return c.r.inner.IAM.UpdateAssumeRolePolicy(ctx, in, o...)
}

func (c iamRec) DeleteRole(ctx context.Context, in *awsiam.DeleteRoleInput, o ...func(*awsiam.Options)) (*awsiam.DeleteRoleOutput, error) {
	c.r.add("iam", "DeleteRole", c.r.role(in.RoleName), nil)
	return c.r.inner.IAM.DeleteRole(ctx, in, o...)
}

func (c iamRec) GetRolePolicy(ctx context.Context, in *awsiam.GetRolePolicyInput, o ...func(*awsiam.Options)) (*awsiam.GetRolePolicyOutput, error) {
	c.r.add("iam", "GetRolePolicy", c.r.role(in.RoleName), nil)
	return c.r.inner.IAM.GetRolePolicy(ctx, in, o...)
}

func (c iamRec) PutRolePolicy(ctx context.Context, in *awsiam.PutRolePolicyInput, o ...func(*awsiam.Options)) (*awsiam.PutRolePolicyOutput, error) {
	c.r.add("iam", "PutRolePolicy", c.r.role(in.RoleName), nil)
	return c.r.inner.IAM.PutRolePolicy(ctx, in, o...)
}

func (c iamRec) DeleteRolePolicy(ctx context.Context, in *awsiam.DeleteRolePolicyInput, o ...func(*awsiam.Options)) (*awsiam.DeleteRolePolicyOutput, error) {
	c.r.add("iam", "DeleteRolePolicy", c.r.role(in.RoleName), nil)
	return c.r.inner.IAM.DeleteRolePolicy(ctx, in, o...)
}

type lambdaRec struct{ r *recorder }

func (c lambdaRec) GetFunction(ctx context.Context, in *lambda.GetFunctionInput, o ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	fn := c.r.function(in.FunctionName)
	// GetFunction returns the tags only to a caller allowed ListTags.
	c.r.add("lambda", "GetFunction", fn, nil, access{Action: "lambda:ListTags", Resource: fn})
	return c.r.inner.Lambda.GetFunction(ctx, in, o...)
}

func (c lambdaRec) CreateFunction(ctx context.Context, in *lambda.CreateFunctionInput, o ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error) {
	var subnets, groups []string
	if in.VpcConfig != nil {
		subnets, groups = in.VpcConfig.SubnetIds, in.VpcConfig.SecurityGroupIds
	}
	extra := c.r.functionSettings(in.Role, in.Layers, subnets, groups)
	if len(in.Tags) > 0 {
		extra = append(extra, access{Action: "lambda:TagResource", Resource: c.r.function(in.FunctionName)})
	}
	c.r.add("lambda", "CreateFunction", c.r.function(in.FunctionName), nil, extra...)
	return c.r.inner.Lambda.CreateFunction(ctx, in, o...)
}

func (c lambdaRec) UpdateFunctionCode(ctx context.Context, in *lambda.UpdateFunctionCodeInput, o ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error) {
	c.r.add("lambda", "UpdateFunctionCode", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.UpdateFunctionCode(ctx, in, o...)
}

func (c lambdaRec) UpdateFunctionConfiguration(ctx context.Context, in *lambda.UpdateFunctionConfigurationInput, o ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error) {
	var subnets, groups []string
	if in.VpcConfig != nil {
		subnets, groups = in.VpcConfig.SubnetIds, in.VpcConfig.SecurityGroupIds
	}
	c.r.add("lambda", "UpdateFunctionConfiguration", c.r.function(in.FunctionName), nil, c.r.functionSettings(in.Role, in.Layers, subnets, groups)...)
	return c.r.inner.Lambda.UpdateFunctionConfiguration(ctx, in, o...)
}

func (c lambdaRec) DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, o ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error) {
	c.r.add("lambda", "DeleteFunction", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.DeleteFunction(ctx, in, o...)
}

func (c lambdaRec) TagResource(ctx context.Context, in *lambda.TagResourceInput, o ...func(*lambda.Options)) (*lambda.TagResourceOutput, error) {
	c.r.add("lambda", "TagResource", deref(in.Resource), nil)
	return c.r.inner.Lambda.TagResource(ctx, in, o...)
}

func (c lambdaRec) UntagResource(ctx context.Context, in *lambda.UntagResourceInput, o ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error) {
	c.r.add("lambda", "UntagResource", deref(in.Resource), nil)
	return c.r.inner.Lambda.UntagResource(ctx, in, o...)
}

func (c lambdaRec) PutFunctionConcurrency(ctx context.Context, in *lambda.PutFunctionConcurrencyInput, o ...func(*lambda.Options)) (*lambda.PutFunctionConcurrencyOutput, error) {
	c.r.add("lambda", "PutFunctionConcurrency", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.PutFunctionConcurrency(ctx, in, o...)
}

func (c lambdaRec) DeleteFunctionConcurrency(ctx context.Context, in *lambda.DeleteFunctionConcurrencyInput, o ...func(*lambda.Options)) (*lambda.DeleteFunctionConcurrencyOutput, error) {
	c.r.add("lambda", "DeleteFunctionConcurrency", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.DeleteFunctionConcurrency(ctx, in, o...)
}

func (c lambdaRec) ListEventSourceMappings(ctx context.Context, in *lambda.ListEventSourceMappingsInput, o ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error) {
	c.r.add("lambda", "ListEventSourceMappings", "*", nil)
	out, err := c.r.inner.Lambda.ListEventSourceMappings(ctx, in, o...)
	if err == nil {
		for _, m := range out.EventSourceMappings {
			c.r.learnMapping(m.UUID, m.FunctionArn)
		}
	}
	return out, err
}

func (c lambdaRec) CreateEventSourceMapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput, o ...func(*lambda.Options)) (*lambda.CreateEventSourceMappingOutput, error) {
	var extra []access
	if len(in.Tags) > 0 {
		// The new mapping's ARN, which its UUID ends.
		extra = append(extra, access{Action: "lambda:TagResource", Resource: c.r.arn("lambda", c.r.region, c.r.account, "event-source-mapping:new")})
	}
	c.r.add("lambda", "CreateEventSourceMapping", "*", map[string]string{"lambda:FunctionArn": c.r.function(in.FunctionName)}, extra...)
	out, err := c.r.inner.Lambda.CreateEventSourceMapping(ctx, in, o...)
	if err == nil {
		c.r.learnMapping(out.UUID, out.FunctionArn)
	}
	return out, err
}

func (c lambdaRec) UpdateEventSourceMapping(ctx context.Context, in *lambda.UpdateEventSourceMappingInput, o ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error) {
	res, cond := c.r.mapping(in.UUID)
	c.r.add("lambda", "UpdateEventSourceMapping", res, cond)
	return c.r.inner.Lambda.UpdateEventSourceMapping(ctx, in, o...)
}

func (c lambdaRec) DeleteEventSourceMapping(ctx context.Context, in *lambda.DeleteEventSourceMappingInput, o ...func(*lambda.Options)) (*lambda.DeleteEventSourceMappingOutput, error) {
	res, cond := c.r.mapping(in.UUID)
	c.r.add("lambda", "DeleteEventSourceMapping", res, cond)
	return c.r.inner.Lambda.DeleteEventSourceMapping(ctx, in, o...)
}

func (c lambdaRec) GetEventSourceMapping(ctx context.Context, in *lambda.GetEventSourceMappingInput, o ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error) {
	res, cond := c.r.mapping(in.UUID)
	c.r.add("lambda", "GetEventSourceMapping", res, cond)
	return c.r.inner.Lambda.GetEventSourceMapping(ctx, in, o...)
}

func (c lambdaRec) GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, o ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	c.r.add("lambda", "GetPolicy", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.GetPolicy(ctx, in, o...)
}

func (c lambdaRec) AddPermission(ctx context.Context, in *lambda.AddPermissionInput, o ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error) {
	c.r.add("lambda", "AddPermission", c.r.function(in.FunctionName), map[string]string{"lambda:Principal": deref(in.Principal)})
	return c.r.inner.Lambda.AddPermission(ctx, in, o...)
}

func (c lambdaRec) RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, o ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error) {
	c.r.add("lambda", "RemovePermission", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.RemovePermission(ctx, in, o...)
}

func (c lambdaRec) Invoke(ctx context.Context, in *lambda.InvokeInput, o ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	c.r.add("lambda", "Invoke", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.Invoke(ctx, in, o...)
}

func (c lambdaRec) PutFunctionEventInvokeConfig(ctx context.Context, in *lambda.PutFunctionEventInvokeConfigInput, o ...func(*lambda.Options)) (*lambda.PutFunctionEventInvokeConfigOutput, error) {
	c.r.add("lambda", "PutFunctionEventInvokeConfig", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.PutFunctionEventInvokeConfig(ctx, in, o...)
}

func (c lambdaRec) GetFunctionEventInvokeConfig(ctx context.Context, in *lambda.GetFunctionEventInvokeConfigInput, o ...func(*lambda.Options)) (*lambda.GetFunctionEventInvokeConfigOutput, error) {
	c.r.add("lambda", "GetFunctionEventInvokeConfig", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.GetFunctionEventInvokeConfig(ctx, in, o...)
}

func (c lambdaRec) DeleteFunctionEventInvokeConfig(ctx context.Context, in *lambda.DeleteFunctionEventInvokeConfigInput, o ...func(*lambda.Options)) (*lambda.DeleteFunctionEventInvokeConfigOutput, error) {
	c.r.add("lambda", "DeleteFunctionEventInvokeConfig", c.r.function(in.FunctionName), nil)
	return c.r.inner.Lambda.DeleteFunctionEventInvokeConfig(ctx, in, o...)
}

// eventsRec records EventBridge calls against the rule's ARN.
type eventsRec struct{ r *recorder }

func (c eventsRec) rule(bus, name *string) string {
	b := deref(bus)
	if i := strings.Index(b, ":event-bus/"); i >= 0 {
		b = b[i+len(":event-bus/"):]
	}
	if b == "" || b == "default" {
		return c.r.arn("events", c.r.region, c.r.account, "rule/"+deref(name))
	}
	return c.r.arn("events", c.r.region, c.r.account, "rule/"+b+"/"+deref(name))
}

func (c eventsRec) PutRule(ctx context.Context, in *eventbridge.PutRuleInput, o ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	var extra []access
	if len(in.Tags) > 0 {
		extra = append(extra, access{Action: "events:TagResource", Resource: c.rule(in.EventBusName, in.Name)})
	}
	c.r.add("events", "PutRule", c.rule(in.EventBusName, in.Name), nil, extra...)
	return c.r.inner.EventBridge.PutRule(ctx, in, o...)
}

func (c eventsRec) DescribeRule(ctx context.Context, in *eventbridge.DescribeRuleInput, o ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error) {
	c.r.add("events", "DescribeRule", c.rule(in.EventBusName, in.Name), nil)
	return c.r.inner.EventBridge.DescribeRule(ctx, in, o...)
}

func (c eventsRec) DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, o ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error) {
	c.r.add("events", "DeleteRule", c.rule(in.EventBusName, in.Name), nil)
	return c.r.inner.EventBridge.DeleteRule(ctx, in, o...)
}

func (c eventsRec) PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, o ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error) {
	c.r.add("events", "PutTargets", c.rule(in.EventBusName, in.Rule), nil)
	return c.r.inner.EventBridge.PutTargets(ctx, in, o...)
}

func (c eventsRec) ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, o ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	c.r.add("events", "ListTargetsByRule", c.rule(in.EventBusName, in.Rule), nil)
	return c.r.inner.EventBridge.ListTargetsByRule(ctx, in, o...)
}

func (c eventsRec) RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, o ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error) {
	c.r.add("events", "RemoveTargets", c.rule(in.EventBusName, in.Rule), nil)
	return c.r.inner.EventBridge.RemoveTargets(ctx, in, o...)
}

// snsRec records SNS calls against the topic's ARN (a subscription's
// actions are authorised on its topic).
type snsRec struct{ r *recorder }

func subscriptionTopic(arn *string) string {
	s := deref(arn)
	return s[:max(strings.LastIndex(s, ":"), 0)]
}

func (c snsRec) Subscribe(ctx context.Context, in *sns.SubscribeInput, o ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	c.r.add("sns", "Subscribe", deref(in.TopicArn), nil)
	return c.r.inner.SNS.Subscribe(ctx, in, o...)
}

func (c snsRec) Unsubscribe(ctx context.Context, in *sns.UnsubscribeInput, o ...func(*sns.Options)) (*sns.UnsubscribeOutput, error) {
	c.r.add("sns", "Unsubscribe", subscriptionTopic(in.SubscriptionArn), nil)
	return c.r.inner.SNS.Unsubscribe(ctx, in, o...)
}

func (c snsRec) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, o ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	c.r.add("sns", "ListSubscriptionsByTopic", deref(in.TopicArn), nil)
	return c.r.inner.SNS.ListSubscriptionsByTopic(ctx, in, o...)
}

func (c snsRec) GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, o ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	c.r.add("sns", "GetSubscriptionAttributes", subscriptionTopic(in.SubscriptionArn), nil)
	return c.r.inner.SNS.GetSubscriptionAttributes(ctx, in, o...)
}

func (c snsRec) SetSubscriptionAttributes(ctx context.Context, in *sns.SetSubscriptionAttributesInput, o ...func(*sns.Options)) (*sns.SetSubscriptionAttributesOutput, error) {
	c.r.add("sns", "SetSubscriptionAttributes", subscriptionTopic(in.SubscriptionArn), nil)
	return c.r.inner.SNS.SetSubscriptionAttributes(ctx, in, o...)
}

// s3Rec records S3 calls against the bucket's ARN.
type s3Rec struct{ r *recorder }

func (c s3Rec) GetBucketNotificationConfiguration(ctx context.Context, in *s3.GetBucketNotificationConfigurationInput, o ...func(*s3.Options)) (*s3.GetBucketNotificationConfigurationOutput, error) {
	c.r.add("s3", "GetBucketNotificationConfiguration", "arn:"+c.r.partition+":s3:::"+deref(in.Bucket), nil)
	return c.r.inner.S3.GetBucketNotificationConfiguration(ctx, in, o...)
}

func (c s3Rec) PutBucketNotificationConfiguration(ctx context.Context, in *s3.PutBucketNotificationConfigurationInput, o ...func(*s3.Options)) (*s3.PutBucketNotificationConfigurationOutput, error) {
	c.r.add("s3", "PutBucketNotificationConfiguration", "arn:"+c.r.partition+":s3:::"+deref(in.Bucket), nil)
	return c.r.inner.S3.PutBucketNotificationConfiguration(ctx, in, o...)
}

type apigwRec struct{ r *recorder }

// policyExtra is what importing or putting an OpenAPI document with a
// resource policy needs besides the verb.
func (c apigwRec) policyExtra(body []byte, res ...string) []access {
	if !strings.Contains(string(body), "x-amazon-apigateway-policy") {
		return nil
	}
	var out []access
	for _, r := range res {
		out = append(out, access{Action: "apigateway:UpdateRestApiPolicy", Resource: r})
	}
	return out
}

func (c apigwRec) GetRestApis(ctx context.Context, in *apigateway.GetRestApisInput, o ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error) {
	c.r.add("apigateway", "GetRestApis", c.r.restAPI("/restapis"), nil)
	return c.r.inner.APIGateway.GetRestApis(ctx, in, o...)
}

func (c apigwRec) ImportRestApi(ctx context.Context, in *apigateway.ImportRestApiInput, o ...func(*apigateway.Options)) (*apigateway.ImportRestApiOutput, error) {
	res := c.r.restAPI("/restapis")
	c.r.add("apigateway", "ImportRestApi", res, nil, c.policyExtra(in.Body, res)...)
	return c.r.inner.APIGateway.ImportRestApi(ctx, in, o...)
}

func (c apigwRec) PutRestApi(ctx context.Context, in *apigateway.PutRestApiInput, o ...func(*apigateway.Options)) (*apigateway.PutRestApiOutput, error) {
	res := c.r.restAPI("/restapis/" + deref(in.RestApiId))
	c.r.add("apigateway", "PutRestApi", res, nil, c.policyExtra(in.Body, res)...)
	return c.r.inner.APIGateway.PutRestApi(ctx, in, o...)
}

func (c apigwRec) UpdateRestApi(ctx context.Context, in *apigateway.UpdateRestApiInput, o ...func(*apigateway.Options)) (*apigateway.UpdateRestApiOutput, error) {
	c.r.add("apigateway", "UpdateRestApi", c.r.restAPI("/restapis/"+deref(in.RestApiId)), nil)
	return c.r.inner.APIGateway.UpdateRestApi(ctx, in, o...)
}

func (c apigwRec) DeleteRestApi(ctx context.Context, in *apigateway.DeleteRestApiInput, o ...func(*apigateway.Options)) (*apigateway.DeleteRestApiOutput, error) {
	c.r.add("apigateway", "DeleteRestApi", c.r.restAPI("/restapis/"+deref(in.RestApiId)), nil)
	return c.r.inner.APIGateway.DeleteRestApi(ctx, in, o...)
}

func (c apigwRec) GetStage(ctx context.Context, in *apigateway.GetStageInput, o ...func(*apigateway.Options)) (*apigateway.GetStageOutput, error) {
	c.r.add("apigateway", "GetStage", c.r.restAPI("/restapis/"+deref(in.RestApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.APIGateway.GetStage(ctx, in, o...)
}

func (c apigwRec) UpdateStage(ctx context.Context, in *apigateway.UpdateStageInput, o ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error) {
	c.r.add("apigateway", "UpdateStage", c.r.restAPI("/restapis/"+deref(in.RestApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.APIGateway.UpdateStage(ctx, in, o...)
}

func (c apigwRec) CreateDeployment(ctx context.Context, in *apigateway.CreateDeploymentInput, o ...func(*apigateway.Options)) (*apigateway.CreateDeploymentOutput, error) {
	c.r.add("apigateway", "CreateDeployment", c.r.restAPI("/restapis/"+deref(in.RestApiId)+"/deployments"), nil)
	return c.r.inner.APIGateway.CreateDeployment(ctx, in, o...)
}

func (c apigwRec) DeleteStage(ctx context.Context, in *apigateway.DeleteStageInput, o ...func(*apigateway.Options)) (*apigateway.DeleteStageOutput, error) {
	c.r.add("apigateway", "DeleteStage", c.r.restAPI("/restapis/"+deref(in.RestApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.APIGateway.DeleteStage(ctx, in, o...)
}

func (c apigwRec) GetUsagePlans(ctx context.Context, in *apigateway.GetUsagePlansInput, o ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error) {
	c.r.add("apigateway", "GetUsagePlans", c.r.restAPI("/usageplans"), nil)
	return c.r.inner.APIGateway.GetUsagePlans(ctx, in, o...)
}

func (c apigwRec) CreateUsagePlan(ctx context.Context, in *apigateway.CreateUsagePlanInput, o ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanOutput, error) {
	var extra []access
	if len(in.Tags) > 0 {
		extra = append(extra, access{Action: "apigateway:PUT", Resource: c.r.restAPI("/tags/new")})
	}
	c.r.add("apigateway", "CreateUsagePlan", c.r.restAPI("/usageplans"), nil, extra...)
	return c.r.inner.APIGateway.CreateUsagePlan(ctx, in, o...)
}

func (c apigwRec) UpdateUsagePlan(ctx context.Context, in *apigateway.UpdateUsagePlanInput, o ...func(*apigateway.Options)) (*apigateway.UpdateUsagePlanOutput, error) {
	c.r.add("apigateway", "UpdateUsagePlan", c.r.restAPI("/usageplans/"+deref(in.UsagePlanId)), nil)
	return c.r.inner.APIGateway.UpdateUsagePlan(ctx, in, o...)
}

func (c apigwRec) DeleteUsagePlan(ctx context.Context, in *apigateway.DeleteUsagePlanInput, o ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanOutput, error) {
	c.r.add("apigateway", "DeleteUsagePlan", c.r.restAPI("/usageplans/"+deref(in.UsagePlanId)), nil)
	return c.r.inner.APIGateway.DeleteUsagePlan(ctx, in, o...)
}

type httpAPIRec struct{ r *recorder }

// httpAPI is the ARN of an HTTP API control-plane path ("/apis/...").
func (c httpAPIRec) httpAPI(path string) string { return c.r.arn("apigateway", c.r.region, "", path) }

func (c httpAPIRec) GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	c.r.add("apigatewayv2", "GetApis", c.httpAPI("/apis"), nil)
	return c.r.inner.HTTPAPI.GetApis(ctx, in, o...)
}

func (c httpAPIRec) ImportApi(ctx context.Context, in *apigatewayv2.ImportApiInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.ImportApiOutput, error) {
	c.r.add("apigatewayv2", "ImportApi", c.httpAPI("/apis"), nil)
	return c.r.inner.HTTPAPI.ImportApi(ctx, in, o...)
}

func (c httpAPIRec) ReimportApi(ctx context.Context, in *apigatewayv2.ReimportApiInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.ReimportApiOutput, error) {
	c.r.add("apigatewayv2", "ReimportApi", c.httpAPI("/apis/"+deref(in.ApiId)), nil)
	return c.r.inner.HTTPAPI.ReimportApi(ctx, in, o...)
}

func (c httpAPIRec) DeleteApi(ctx context.Context, in *apigatewayv2.DeleteApiInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiOutput, error) {
	c.r.add("apigatewayv2", "DeleteApi", c.httpAPI("/apis/"+deref(in.ApiId)), nil)
	return c.r.inner.HTTPAPI.DeleteApi(ctx, in, o...)
}

func (c httpAPIRec) GetStage(ctx context.Context, in *apigatewayv2.GetStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStageOutput, error) {
	c.r.add("apigatewayv2", "GetStage", c.httpAPI("/apis/"+deref(in.ApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.HTTPAPI.GetStage(ctx, in, o...)
}

func (c httpAPIRec) CreateStage(ctx context.Context, in *apigatewayv2.CreateStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateStageOutput, error) {
	c.r.add("apigatewayv2", "CreateStage", c.httpAPI("/apis/"+deref(in.ApiId)+"/stages"), nil)
	return c.r.inner.HTTPAPI.CreateStage(ctx, in, o...)
}

func (c httpAPIRec) UpdateStage(ctx context.Context, in *apigatewayv2.UpdateStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateStageOutput, error) {
	c.r.add("apigatewayv2", "UpdateStage", c.httpAPI("/apis/"+deref(in.ApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.HTTPAPI.UpdateStage(ctx, in, o...)
}

func (c httpAPIRec) DeleteStage(ctx context.Context, in *apigatewayv2.DeleteStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteStageOutput, error) {
	c.r.add("apigatewayv2", "DeleteStage", c.httpAPI("/apis/"+deref(in.ApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.HTTPAPI.DeleteStage(ctx, in, o...)
}

type logsRec struct{ r *recorder }

func (c logsRec) DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	c.r.add("logs", "DescribeLogGroups", "*", nil)
	return c.r.inner.Logs.DescribeLogGroups(ctx, in, o...)
}

func (c logsRec) CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	var extra []access
	if len(in.Tags) > 0 {
		extra = append(extra, access{Action: "logs:TagResource", Resource: c.r.logGroup(in.LogGroupName)})
	}
	c.r.add("logs", "CreateLogGroup", c.r.logGroup(in.LogGroupName), nil, extra...)
	return c.r.inner.Logs.CreateLogGroup(ctx, in, o...)
}

func (c logsRec) PutRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	c.r.add("logs", "PutRetentionPolicy", c.r.logGroup(in.LogGroupName), nil)
	return c.r.inner.Logs.PutRetentionPolicy(ctx, in, o...)
}

func (c logsRec) DeleteLogGroup(ctx context.Context, in *cloudwatchlogs.DeleteLogGroupInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
	c.r.add("logs", "DeleteLogGroup", c.r.logGroup(in.LogGroupName), nil)
	return c.r.inner.Logs.DeleteLogGroup(ctx, in, o...)
}

type ddbRec struct{ r *recorder }

func (c ddbRec) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, o ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	c.r.add("dynamodb", "DescribeTable", c.r.arn("dynamodb", c.r.region, c.r.account, "table/"+deref(in.TableName)), nil)
	return c.r.inner.DynamoDB.DescribeTable(ctx, in, o...)
}

type stsRec struct{ r *recorder }

func (c stsRec) GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, o ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	c.r.add("sts", "GetCallerIdentity", "*", nil)
	return c.r.inner.STS.GetCallerIdentity(ctx, in, o...)
}

// allowingStatement returns the index of the first statement of p that
// allows a, or -1. It evaluates what gochalice's policies use: Allow
// statements with Action and Resource (IAM wildcards: actions case
// insensitive, "*" resources only granted by "*"), and the condition
// operators StringEquals, StringLike, ArnEquals and ArnLike, a key absent
// from the request failing its condition as in IAM.
func allowingStatement(p *iam.Policy, a access) int {
	for i, st := range p.Statement {
		if st.Effect != "Allow" || len(st.NotAction) > 0 || len(st.NotResource) > 0 {
			continue
		}
		if !slices.ContainsFunc(st.Action, func(pat string) bool { return wildcard(strings.ToLower(pat), strings.ToLower(a.Action)) }) {
			continue
		}
		if !slices.ContainsFunc(st.Resource, func(pat string) bool {
			if a.Resource == "*" {
				return pat == "*"
			}
			return wildcard(pat, a.Resource)
		}) {
			continue
		}
		if conditionsHold(st.Condition, a.Context) {
			return i
		}
	}
	return -1
}

func conditionsHold(cond iam.Conditions, ctx map[string]string) bool {
	for op, keys := range cond {
		for key, values := range keys {
			v, ok := ctx[key]
			if !ok {
				return false
			}
			var match func(pat string) bool
			switch op {
			case "StringEquals", "ArnEquals":
				match = func(pat string) bool { return pat == v }
			case "StringLike", "ArnLike":
				match = func(pat string) bool { return wildcard(pat, v) }
			default:
				return false
			}
			if !slices.ContainsFunc(values, match) {
				return false
			}
		}
	}
	return true
}

// wildcard matches s against an IAM pattern: "*" any run of characters,
// "?" any one.
func wildcard(pat, s string) bool {
	if pat == "" {
		return s == ""
	}
	switch pat[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcard(pat[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcard(pat[1:], s[1:])
	}
	return s != "" && s[0] == pat[0] && wildcard(pat[1:], s[1:])
}

func TestAllowingStatement(t *testing.T) {
	t.Parallel()
	p := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
		{Effect: "Allow", Action: iam.Strings{"lambda:GetFunction"}, Resource: iam.Strings{"arn:aws:lambda:us-east-1:1:function:app-dev-*"}},
		{Effect: "Allow", Action: iam.Strings{"lambda:CreateEventSourceMapping"}, Resource: iam.Strings{"*"},
			Condition: iam.Conditions{"ArnLike": {"lambda:FunctionArn": {"arn:aws:lambda:us-east-1:1:function:app-dev-*"}}}},
		{Effect: "Deny", Action: iam.Strings{"sts:GetCallerIdentity"}, Resource: iam.Strings{"*"}},
		{Effect: "Allow", Action: iam.Strings{"iam:GetRole"}, Resource: iam.Strings{"arn:aws:iam::1:role/app-dev-*"}},
	}}
	tests := []struct {
		name string
		a    access
		want int
	}{
		{"wildcard resource", access{Action: "lambda:GetFunction", Resource: "arn:aws:lambda:us-east-1:1:function:app-dev-x"}, 0},
		{"action is case insensitive", access{Action: "Lambda:getfunction", Resource: "arn:aws:lambda:us-east-1:1:function:app-dev-x"}, 0},
		{"other function", access{Action: "lambda:GetFunction", Resource: "arn:aws:lambda:us-east-1:1:function:other"}, -1},
		{"condition holds", access{Action: "lambda:CreateEventSourceMapping", Resource: "*", Context: map[string]string{"lambda:FunctionArn": "arn:aws:lambda:us-east-1:1:function:app-dev-s"}}, 1},
		{"condition fails", access{Action: "lambda:CreateEventSourceMapping", Resource: "*", Context: map[string]string{"lambda:FunctionArn": "arn:aws:lambda:us-east-1:1:function:x"}}, -1},
		{"condition key absent", access{Action: "lambda:CreateEventSourceMapping", Resource: "*"}, -1},
		{"deny never allows", access{Action: "sts:GetCallerIdentity", Resource: "*"}, -1},
		{"star resource needs star", access{Action: "iam:GetRole", Resource: "*"}, -1},
		{"role", access{Action: "iam:GetRole", Resource: "arn:aws:iam::1:role/app-dev-fn"}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := allowingStatement(p, tc.a); got != tc.want {
				t.Errorf("allowingStatement(%s) = %d, want %d", tc.a, got, tc.want)
			}
		})
	}
}

// TestDeployerPolicyCoversDeployer drives the deployer against the
// in-memory AWS through every path it has — first deploy (adopting a role
// left by an interrupted deploy, resolving a stream from a table name),
// unchanged redeploy, code and configuration updates, the sweep of a
// removed function, invoke, url and delete — recording every call with
// the resource it touches. Every call must be allowed by DeployerPolicy of
// the project and recorded state the step ran with, and every action of
// those policies must be needed by some call.
func TestDeployerPolicyCoversDeployer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, _ := newCloud()
	rec := newRecorder(cloud)
	d := fast(cloud)
	d.Clients = rec.clients()
	path := statePath(t)
	streamARN := cloud.AddTable("savealife-donors")

	// A role left by a deploy interrupted before it recorded it, with a
	// trust policy the deployer must correct.
	if _, err := cloud.IAM().CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: strp("savealife-dev-api_handler"),
		AssumeRolePolicyDocument: strp(`{"Version":"2012-10-17","Statement":[]}`),
		Tags:                     []iamtypes.Tag{{Key: strp(names.TagApp), Value: strp("savealife")}, {Key: strp(names.TagStage), Value: strp("dev")}}}); err != nil {
		t.Fatal(err)
	}

	// base is savealife's dev stage reading its stream by table name,
	// with a log group managed for its retention.
	base := func(code string) *deployer.Project {
		p := savealife(t)
		p.Code = mustArtifact(t, code)
		for i, fn := range p.Manifest.Functions {
			if fn.DynamoDBStream != nil {
				src := *fn.DynamoDBStream
				src.Stream = "savealife-donors"
				p.Manifest.Functions[i].DynamoDBStream = &src
			}
		}
		p.Settings["handle_stream"].LogRetentionInDays = 14
		p.Settings["handle_stream"].Tags = map[string]string{"team": "blood"}
		return p
	}
	updated := func() *deployer.Project {
		p := base("v2")
		s, api := p.Settings["handle_stream"], p.Settings["api_handler"]
		s.LambdaMemorySize = 512
		s.LogRetentionInDays = 30
		s.Tags = map[string]string{"owner": "ops"}
		s.ReservedConcurrency = new(int)
		*s.ReservedConcurrency = 5
		s.Layers = []string{"arn:aws:lambda:us-east-1:123456789012:layer:shared:3"}
		s.SubnetIDs, s.SecurityGroupIDs = []string{"subnet-1"}, []string{"sg-1"}
		api.APIGatewayEndpointType = "REGIONAL"
		api.APIGatewayStage = "v1" // the old stage is deleted
		api.APIGatewayPolicy = &iam.Policy{Version: iam.Version, Statement: []iam.Statement{{
			Effect: "Allow", Principal: "*", Action: iam.Strings{"execute-api:Invoke"}, Resource: iam.Strings{"execute-api:/*"},
		}}}
		for i, fn := range p.Manifest.Functions {
			if fn.DynamoDBStream != nil {
				src := *fn.DynamoDBStream
				src.BatchSize = 10
				p.Manifest.Functions[i].DynamoDBStream = &src
			}
		}
		return p
	}
	unset := func() *deployer.Project {
		p := updated()
		p.Settings["handle_stream"].ReservedConcurrency = nil
		p.Settings["handle_stream"].Layers = nil
		p.Settings["handle_stream"].SubnetIDs, p.Settings["handle_stream"].SecurityGroupIDs = nil, nil
		return p
	}
	replaced := func() *deployer.Project {
		p := unset()
		for i, fn := range p.Manifest.Functions {
			if fn.DynamoDBStream != nil {
				src := *fn.DynamoDBStream
				src.StartingPosition = "LATEST"
				p.Manifest.Functions[i].DynamoDBStream = &src
			}
		}
		return p
	}
	withoutStream := func() *deployer.Project {
		p := replaced()
		p.Manifest.Functions = slices.DeleteFunc(p.Manifest.Functions, func(f manifestFunction) bool { return f.Kind == manifest.KindDynamoDBStream })
		delete(p.Settings, "handle_stream")
		return p
	}

	run := newPolicyRun(t, cloud, rec, path)
	deployStep := func(t *testing.T, p *deployer.Project) *deployer.State {
		t.Helper()
		target, err := deployer.LookupTarget(ctx, d.Clients.STS, "us-east-1")
		if err != nil {
			t.Fatal(err)
		}
		recorded, err := deployer.LoadState(path)
		if err != nil {
			t.Fatal(err)
		}
		plan, err := d.PlanProject(ctx, p, target, nil, recorded)
		if err != nil {
			t.Fatal(err)
		}
		st, err := d.Apply(ctx, plan, deployer.StateFile(path))
		if err != nil {
			t.Fatal(err)
		}
		return st
	}

	run.step(t, "first deploy", base("v1"), func(t *testing.T, _ *deployer.State) {
		deployStep(t, base("v1"))
		if got := cloud.Snapshot().Mappings; len(got) != 1 || got[0].Source != streamARN {
			t.Errorf("mappings = %+v, want one on %s", got, streamARN)
		}
	})
	run.step(t, "unchanged redeploy", base("v1"), func(t *testing.T, _ *deployer.State) {
		deployStep(t, base("v1"))
		if m := cloud.Mutations(); len(m) != 0 {
			t.Errorf("mutating calls: %v", m)
		}
	})
	run.step(t, "code and configuration update", updated(), func(t *testing.T, _ *deployer.State) {
		deployStep(t, updated())
		fn := cloud.Snapshot().Functions["savealife-dev-handle_stream"]
		if fn.MemorySize != 512 || fn.Concurrency == nil || len(fn.Layers) != 1 {
			t.Errorf("handle_stream after update = %+v", fn)
		}
	})
	run.step(t, "settings removed", unset(), func(t *testing.T, _ *deployer.State) {
		deployStep(t, unset())
	})
	run.step(t, "mapping replaced", replaced(), func(t *testing.T, _ *deployer.State) {
		deployStep(t, replaced())
		if got := cloud.Snapshot().Mappings; len(got) != 1 || got[0].StartingPosition != "LATEST" {
			t.Errorf("mappings = %+v, want one starting at LATEST", got)
		}
	})
	run.step(t, "sweep of a removed function", withoutStream(), func(t *testing.T, _ *deployer.State) {
		deployStep(t, withoutStream())
		snap := cloud.Snapshot()
		if len(snap.Functions) != 1 || len(snap.Mappings) != 0 || len(snap.Roles) != 1 || len(snap.LogGroups) != 0 {
			t.Errorf("after the sweep: %+v", snap)
		}
	})
	run.step(t, "invoke and url", nil, func(t *testing.T, recorded *deployer.State) {
		fn, ok := deployer.FunctionName(recorded, "api_handler")
		if !ok {
			t.Fatal("api_handler not recorded")
		}
		if _, err := d.Clients.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: &fn, Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		if deployer.APIURL(recorded) == "" {
			t.Error("no API URL recorded")
		}
	})
	run.step(t, "delete", nil, func(t *testing.T, recorded *deployer.State) {
		found, err := d.Discover(ctx, recorded)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Apply(ctx, deployer.PlanDestroy(found), deployer.StateFile(path)); err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("after delete: %+v", cloud.Snapshot())
		}
	})
	run.step(t, "deployed again", base("v1"), func(t *testing.T, _ *deployer.State) {
		deployStep(t, base("v1"))
	})
	// A delete after a deploy killed before it recorded anything: every
	// resource is found by name and tags.
	run.step(t, "delete what an interrupted deploy left", nil, func(t *testing.T, recorded *deployer.State) {
		found, err := d.Discover(ctx, deployer.NewState(recorded.App, recorded.Stage, recorded.Target))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Apply(ctx, deployer.PlanDestroy(found), deployer.StateFile(path)); err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("after delete: %+v", cloud.Snapshot())
		}
	})

	// Every action every policy grants is one some call needed.
	run.checkUsed(t, nil)
}

func callNames(calls []fakeaws.Call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Service+"."+c.Operation)
	}
	slices.Sort(out)
	return out
}

func recordedNames(calls []call) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Service+"."+c.Operation)
	}
	slices.Sort(out)
	return out
}

func strp(s string) *string { return &s }

func mustArtifact(t testing.TB, code string) *deployer.Artifact {
	t.Helper()
	a, err := deployer.NewArtifact([]byte("bootstrap " + code))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestDeployerPolicyShape pins the policy's statements for savealife's dev
// stage and checks the variants: pre-made roles, placeholders, recorded
// resources the app no longer has.
func TestDeployerPolicyShape(t *testing.T) {
	t.Parallel()
	valid := iamActionValidator(t)
	sids := func(p *iam.Policy) []string {
		var out []string
		for _, st := range p.Statement {
			out = append(out, st.Sid)
		}
		return out
	}
	t.Run("savealife dev", func(t *testing.T) {
		pol, err := deployer.DeployerPolicy(savealife(t), nil, target)
		if err != nil {
			t.Fatal(err)
		}
		valid(t, pol)
		data, err := pol.MarshalCanonical()
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "savealife-deployer-policy.json", data)
	})
	t.Run("pre-made roles are passed, none managed", func(t *testing.T) {
		p := savealife(t)
		for _, s := range p.Settings {
			s.ManageIAMRole, s.IAMRoleARN = false, "arn:aws:iam::123456789012:role/team-lambda"
		}
		pol, err := deployer.DeployerPolicy(p, nil, target)
		if err != nil {
			t.Fatal(err)
		}
		valid(t, pol)
		if slices.Contains(sids(pol), "ManageRoles") {
			t.Error("ManageRoles granted without a managed role")
		}
		i := slices.Index(sids(pol), "PassRolesToLambda")
		if i < 0 {
			t.Fatal("no PassRolesToLambda")
		}
		if diff := cmp.Diff(iam.Strings{"arn:aws:iam::123456789012:role/team-lambda"}, pol.Statement[i].Resource); diff != "" {
			t.Errorf("PassRole resources (-want +got):\n%s", diff)
		}
	})
	t.Run("recorded resources keep their statements", func(t *testing.T) {
		p := savealife(t)
		p.Manifest.Functions = slices.DeleteFunc(p.Manifest.Functions, func(f manifestFunction) bool { return f.Kind == manifest.KindDynamoDBStream })
		without, err := deployer.DeployerPolicy(p, nil, target)
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(sids(without), "ChangeEventSourceMappings") {
			t.Error("mapping statements for an app without streams")
		}
		st := deployer.NewState("savealife", "dev", target)
		st.Resources["esm:handle_stream"] = deployer.ResourceState{Type: deployer.TypeEventSourceMapping, Name: "savealife-dev-handle_stream", ID: "u"}
		st.Resources["log_group:handle_stream"] = deployer.ResourceState{Type: deployer.TypeLogGroup, Name: "/aws/lambda/savealife-dev-handle_stream"}
		with, err := deployer.DeployerPolicy(p, st, target)
		if err != nil {
			t.Fatal(err)
		}
		for _, sid := range []string{"ChangeEventSourceMappings", "CreateEventSourceMappings", "ListEventSourceMappings", "ManageLogGroups", "ListLogGroups"} {
			if !slices.Contains(sids(with), sid) {
				t.Errorf("no %s with the mapping and log group recorded", sid)
			}
		}
	})
	t.Run("placeholders stay", func(t *testing.T) {
		pol, err := deployer.DeployerPolicy(savealife(t), nil, deployer.Target{Partition: "${AWS::Partition}", Region: "${AWS::Region}", Account: "${AWS::AccountId}"})
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(pol)
		if !strings.Contains(string(data), `arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:savealife-dev-*`) {
			t.Errorf("placeholders lost:\n%s", data)
		}
	})
	t.Run("errors", func(t *testing.T) {
		p := savealife(t)
		delete(p.Settings, "handle_stream")
		if _, err := deployer.DeployerPolicy(p, nil, target); err == nil || !strings.Contains(err.Error(), "handle_stream") {
			t.Errorf("err = %v, want one naming handle_stream", err)
		}
		if _, err := deployer.DeployerPolicy(&deployer.Project{}, nil, target); err == nil {
			t.Error("no error without a manifest")
		}
	})
}

// TestOperationActionsExist checks the operation table against AWS's
// published IAM action list.
func TestOperationActionsExist(t *testing.T) {
	t.Parallel()
	actions := iamActions(t)
	for _, op := range slices.Sorted(maps.Keys(operationActions)) {
		if a := operationActions[op]; !actions[strings.ToLower(a)] {
			t.Errorf("%s: %s is not an IAM action", op, a)
		}
	}
}

// iamDataDir is where `npm ci` puts AWS's published IAM action list.
var iamDataDir = filepath.Join("..", "..", iamdata.Dir)

// iamActions loads AWS's published IAM action list, lower-cased
// "prefix:action" -> true. It skips the test when the list is absent.
func iamActions(tb testing.TB) map[string]bool {
	tb.Helper()
	actions, err := iamdata.Load(filepath.Join("..", ".."))
	if errors.Is(err, os.ErrNotExist) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	all := make(map[string]bool, len(actions))
	for a := range actions {
		all[strings.ToLower(a)] = true
	}
	return all
}

// iamActionValidator returns a check that a policy has no wildcard action
// and, when the IAM action list is installed, only actions AWS defines.
func iamActionValidator(t *testing.T) func(*testing.T, *iam.Policy) {
	var actions map[string]bool
	if _, err := os.Stat(iamDataDir); err == nil {
		actions = iamActions(t)
	}
	return func(t *testing.T, p *iam.Policy) {
		t.Helper()
		for _, st := range p.Statement {
			if st.Effect != "Allow" || len(st.NotAction) > 0 || len(st.NotResource) > 0 {
				t.Errorf("statement %s: want Allow with Action and Resource", st.Sid)
			}
			for _, a := range st.Action {
				if strings.Contains(a, "*") {
					t.Errorf("statement %s: wildcard action %q", st.Sid, a)
				}
				if actions != nil && !actions[strings.ToLower(a)] {
					t.Errorf("statement %s: %q is not an action AWS defines", st.Sid, a)
				}
			}
		}
	}
}
