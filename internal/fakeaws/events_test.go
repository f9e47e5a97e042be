package fakeaws_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

var (
	_ deployer.RuleAPI               = (*fakeaws.EventBridge)(nil)
	_ deployer.SubscriptionAPI       = (*fakeaws.SNS)(nil)
	_ deployer.BucketNotificationAPI = (*fakeaws.S3)(nil)
)

// TestEventSourceRules checks the rules of AWS the deployer depends on:
// a rule with targets cannot be deleted, S3 refuses a Lambda destination
// it may not invoke, SNS refuses a second subscription with other
// attributes.
func TestEventSourceRules(t *testing.T) {
	ctx := context.Background()
	c := fakeaws.New()

	eb := c.EventBridge()
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), ScheduleExpression: aws.String("rate(1 day)")}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), Targets: []ebtypes.Target{{Id: aws.String("t"), Arn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r")}); err == nil {
		t.Error("deleted a rule with targets")
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("nope"), EventPattern: aws.String("{}")}); err == nil {
		t.Error("made a rule on a bus that does not exist")
	}

	c.AddBucket("b", s3types.NotificationConfiguration{})
	put := func() error {
		_, err := c.S3().PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("b"),
			NotificationConfiguration: &s3types.NotificationConfiguration{LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{
				Id: aws.String("x"), LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"), Events: []s3types.Event{"s3:ObjectCreated:*"}}}}})
		return err
	}
	if err := put(); err == nil {
		t.Error("S3 accepted a function that does not exist")
	}
	if _, err := c.S3().GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("b"), ExpectedBucketOwner: aws.String("999999999999")}); err == nil {
		t.Error("S3 answered for a bucket of another owner")
	}
	role, err := c.IAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("role"), AssumeRolePolicyDocument: aws.String("{}")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lambda().CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Role: role.Role.Arn,
		Code: &lambdatypes.FunctionCode{ZipFile: []byte("zip")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lambda().AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("f"), StatementId: aws.String("s3"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::b")}); err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Errorf("S3 refused a function it may invoke: %v", err)
	}

	topic := c.AddTopic("t")
	sub := func(filter string) error {
		_, err := c.SNS().Subscribe(ctx, &sns.SubscribeInput{TopicArn: &topic, Protocol: aws.String("lambda"),
			Endpoint: aws.String("arn:aws:lambda:us-east-1:123456789012:function:f"), Attributes: map[string]string{"FilterPolicy": filter}})
		return err
	}
	if err := sub(`{"a":["b"]}`); err != nil {
		t.Fatal(err)
	}
	if err := sub(`{"a":["b"]}`); err != nil {
		t.Errorf("same subscription again: %v", err)
	}
	if err := sub(`{"a":["c"]}`); err == nil {
		t.Error("SNS accepted the subscription again with another filter policy")
	}
}
