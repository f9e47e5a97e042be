package deployer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// bucketNotificationKind is one Lambda function configuration, with a
// stable id, in an existing bucket's notification configuration. S3 has
// one notification configuration per bucket, replaced as a whole by
// PutBucketNotificationConfiguration: the deployer reads it, replaces or
// adds its own configuration (by id) and writes it back, so the bucket's
// other configurations — queues, topics, EventBridge, other functions —
// are kept; deleting removes only its own the same way. The writes of one
// apply to one bucket are serialised.
//
// A package cannot express this: CloudFormation manages a bucket's
// notification configuration only as a property of the bucket it
// creates, so the SAM template refuses an app with S3 sources (deploy
// it with gochalice deploy, or package it for Terraform), and
// Terraform's aws_s3_bucket_notification owns the whole configuration of
// its bucket (the package warns).
func bucketNotificationKind() kind {
	return kind{
		apply:          applyBucketNotification,
		delete:         deleteBucketNotification,
		discover:       discoverBucketNotifications,
		read:           readBucketNotification,
		attributes:     bucketNotificationAttributes,
		replace:        []string{"bucket"},
		logicalID:      "BucketNotification",
		cloudFormation: bucketNotificationCloudFormation,
		terraform:      bucketNotificationTerraform,
		packageWarning: func(r Resource) string {
			return fmt.Sprintf("function %s is notified by bucket %s: Terraform's aws_s3_bucket_notification owns the bucket's whole notification configuration and replaces its other notifications (add them to the block, or import it first); a SAM template cannot hold it",
				addressFunction(r.Address), r.BucketNotification.Bucket)
		},
		// The buckets whose notification configuration the deploy merges
		// its own into.
		deployerPolicy: func(c *policyContext, want *Resource, rec *ResourceState) []iam.Statement {
			bucket := ""
			if want != nil {
				bucket = want.BucketNotification.Bucket
			} else {
				bucket = rec.Name
			}
			return []iam.Statement{allow("MergeBucketNotifications", []string{"s3:GetBucketNotification", "s3:PutBucketNotification"},
				iam.Strings{c.t.Bucket(bucket)}, nil)}
		},
	}
}

func bucketNotificationAttributes(r *Resource, _ *State) map[string]string {
	sp := r.BucketNotification
	return map[string]string{
		"bucket":       sp.Bucket,
		"function_arn": sp.FunctionARN,
		"events":       jsonList(sortedCopy(sp.Events)),
		"prefix":       sp.Prefix,
		"suffix":       sp.Suffix,
	}
}

// bucketOwner is the ExpectedBucketOwner of calls for target t: its
// account, when known, so a bucket of another account (a name taken
// since) is never changed.
func bucketOwner(t Target) *string {
	if !known(t.Account) || strings.Contains(t.Account, "${") {
		return nil
	}
	return aws.String(t.Account)
}

func (d *Deployer) getNotification(ctx context.Context, bucket string, owner *string) (s3types.NotificationConfiguration, bool, error) {
	var out *s3.GetBucketNotificationConfigurationOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.S3.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: &bucket, ExpectedBucketOwner: owner})
		return err
	})
	var nsb *s3types.NoSuchBucket
	if errors.As(err, &nsb) || errorCode(err) == "NoSuchBucket" {
		return s3types.NotificationConfiguration{}, false, nil
	}
	if err != nil {
		return s3types.NotificationConfiguration{}, false, err
	}
	return s3types.NotificationConfiguration{
		EventBridgeConfiguration:     out.EventBridgeConfiguration,
		LambdaFunctionConfigurations: out.LambdaFunctionConfigurations,
		QueueConfigurations:          out.QueueConfigurations,
		TopicConfigurations:          out.TopicConfigurations,
	}, true, nil
}

func (d *Deployer) putNotification(ctx context.Context, bucket string, owner *string, n s3types.NotificationConfiguration) error {
	return d.retry(ctx, func() error {
		_, err := d.Clients.S3.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
			Bucket: &bucket, ExpectedBucketOwner: owner, NotificationConfiguration: &n,
		})
		return err
	})
}

func applyBucketNotification(ctx context.Context, a *applier, r *Resource) error {
	d, sp := a.d, r.BucketNotification
	if d.Clients.S3 == nil {
		return errNoClient("S3")
	}
	defer a.lockBucket(sp.Bucket)()
	owner := bucketOwner(a.target())
	n, found, err := d.getNotification(ctx, sp.Bucket, owner)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("bucket %s does not exist in this account: create it, or name another bucket", sp.Bucket)
	}
	ours := s3types.LambdaFunctionConfiguration{
		Id: aws.String(sp.ID), LambdaFunctionArn: aws.String(sp.FunctionARN),
	}
	for _, e := range sp.Events {
		ours.Events = append(ours.Events, s3types.Event(e))
	}
	var rules []s3types.FilterRule
	if sp.Prefix != "" {
		rules = append(rules, s3types.FilterRule{Name: s3types.FilterRuleNamePrefix, Value: aws.String(sp.Prefix)})
	}
	if sp.Suffix != "" {
		rules = append(rules, s3types.FilterRule{Name: s3types.FilterRuleNameSuffix, Value: aws.String(sp.Suffix)})
	}
	if len(rules) > 0 {
		ours.Filter = &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: rules}}
	}
	i := slices.IndexFunc(n.LambdaFunctionConfigurations, func(c s3types.LambdaFunctionConfiguration) bool { return aws.ToString(c.Id) == sp.ID })
	if i >= 0 {
		n.LambdaFunctionConfigurations = slices.Clone(n.LambdaFunctionConfigurations)
		n.LambdaFunctionConfigurations[i] = ours
	} else {
		n.LambdaFunctionConfigurations = append(slices.Clone(n.LambdaFunctionConfigurations), ours)
	}
	if err := d.putNotification(ctx, sp.Bucket, owner, n); err != nil {
		return fmt.Errorf("add %s to the notification configuration of bucket %s: %w", sp.ID, sp.Bucket, err)
	}
	return a.put(r.Address, ResourceState{Type: TypeBucketNotification, Name: sp.Bucket, ID: sp.ID, DependsOn: r.DependsOn,
		Attributes: bucketNotificationAttributes(r, nil)})
}

func deleteBucketNotification(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	if d.Clients.S3 == nil {
		return errNoClient("S3")
	}
	defer a.lockBucket(prior.Name)()
	owner := bucketOwner(a.target())
	n, found, err := d.getNotification(ctx, prior.Name, owner)
	if err != nil || !found {
		return err
	}
	kept := slices.DeleteFunc(slices.Clone(n.LambdaFunctionConfigurations), func(c s3types.LambdaFunctionConfiguration) bool {
		return aws.ToString(c.Id) == prior.ID
	})
	if len(kept) == len(n.LambdaFunctionConfigurations) {
		return nil
	}
	n.LambdaFunctionConfigurations = kept
	if err := d.putNotification(ctx, prior.Name, owner, n); err != nil {
		return fmt.Errorf("remove %s from the notification configuration of bucket %s: %w", prior.ID, prior.Name, err)
	}
	return nil
}

func readBucketNotification(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	d := rd.d
	if d.Clients.S3 == nil {
		return ResourceState{}, false, errNoClient("S3")
	}
	var bucket, id string
	if rec != nil {
		bucket, id = rec.Name, rec.ID
	} else {
		bucket, id = want.BucketNotification.Bucket, want.BucketNotification.ID
	}
	owner := bucketOwner(rd.target)
	n, found, err := d.getNotification(ctx, bucket, owner)
	if err != nil || !found {
		return ResourceState{}, false, err
	}
	for _, c := range n.LambdaFunctionConfigurations {
		if aws.ToString(c.Id) != id {
			continue
		}
		var events []string
		for _, e := range c.Events {
			events = append(events, string(e))
		}
		attrs := map[string]string{"bucket": bucket, "function_arn": aws.ToString(c.LambdaFunctionArn), "events": jsonList(sortedCopy(events)), "prefix": "", "suffix": ""}
		if c.Filter != nil && c.Filter.Key != nil {
			for _, fr := range c.Filter.Key.FilterRules {
				// S3 answers "Prefix" and "Suffix" whatever case was sent.
				attrs[strings.ToLower(string(fr.Name))] = aws.ToString(fr.Value)
			}
		}
		return ResourceState{Type: TypeBucketNotification, Name: bucket, ID: id, Attributes: attrs}, true, nil
	}
	return ResourceState{}, false, nil
}

// ErrS3NotificationTemplate is the error of a SAM package of an app with
// S3 sources.
var ErrS3NotificationTemplate = errors.New("CloudFormation cannot add a notification to an existing bucket without taking over its whole notification configuration, so the SAM template cannot hold S3 sources: deploy the app with gochalice deploy (which merges its notifications into the bucket's), or package it with --pkg-format terraform")

func bucketNotificationCloudFormation(*cfnContext, Resource) (string, map[string]any, error) {
	return "", nil, ErrS3NotificationTemplate
}

// bucketNotificationTerraform makes an aws_s3_bucket_notification named by
// the bucket; the functions of the app on one bucket share it (Terraform
// allows one per bucket).
func bucketNotificationTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	sp := r.BucketNotification
	fn := map[string]any{
		"id":                  tfLiteral(sp.ID),
		"lambda_function_arn": "${aws_lambda_function." + c.Function + ".arn}",
		"events":              sp.Events,
	}
	if sp.Prefix != "" {
		fn["filter_prefix"] = tfLiteral(sp.Prefix)
	}
	if sp.Suffix != "" {
		fn["filter_suffix"] = tfLiteral(sp.Suffix)
	}
	return []tfBlock{{typ: "aws_s3_bucket_notification", name: terraformName(sp.Bucket), body: map[string]any{
		"bucket":          tfLiteral(sp.Bucket),
		"lambda_function": []any{fn},
	}, merge: func(into, body map[string]any) {
		fns, _ := into["lambda_function"].([]any)
		more, _ := body["lambda_function"].([]any)
		into["lambda_function"] = append(slices.Clone(fns), more...)
	}}}, nil
}
