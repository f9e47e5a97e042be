package deployer_test

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// The recorder's calls of Discover's listings and tag reads.

func (c iamRec) ListRoles(ctx context.Context, in *awsiam.ListRolesInput, o ...func(*awsiam.Options)) (*awsiam.ListRolesOutput, error) {
	c.r.add("iam", "ListRoles", "*", nil)
	return c.r.inner.IAM.ListRoles(ctx, in, o...)
}

func (c lambdaRec) ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, o ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	c.r.add("lambda", "ListFunctions", "*", nil)
	return c.r.inner.Lambda.ListFunctions(ctx, in, o...)
}

func (c lambdaRec) ListTags(ctx context.Context, in *lambda.ListTagsInput, o ...func(*lambda.Options)) (*lambda.ListTagsOutput, error) {
	c.r.add("lambda", "ListTags", deref(in.Resource), nil)
	return c.r.inner.Lambda.ListTags(ctx, in, o...)
}

func (c eventsRec) ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, o ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error) {
	c.r.add("events", "ListTagsForResource", deref(in.ResourceARN), nil)
	return c.r.inner.EventBridge.ListTagsForResource(ctx, in, o...)
}

func (c logsRec) ListTagsForResource(ctx context.Context, in *cloudwatchlogs.ListTagsForResourceInput, o ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	c.r.add("logs", "ListTagsForResource", strings.TrimSuffix(deref(in.ResourceArn), ":*"), nil)
	return c.r.inner.Logs.ListTagsForResource(ctx, in, o...)
}
