package fakeaws

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Logs is the account's CloudWatch Logs.
type Logs struct{ c *Cloud }

// Logs returns the account's CloudWatch Logs.
func (c *Cloud) Logs() *Logs { return &Logs{c} }

// DescribeLogGroups lists log groups by name prefix.
func (s *Logs) DescribeLogGroups(ctx context.Context, in *cloudwatchlogs.DescribeLogGroupsInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DescribeLogGroupsOutput, error) {
	if _, err := s.c.begin(ctx, "logs", "DescribeLogGroups", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	var names []string
	for n := range s.c.logGroups {
		if strings.HasPrefix(n, aws.ToString(in.LogGroupNamePrefix)) {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	out := &cloudwatchlogs.DescribeLogGroupsOutput{}
	for _, n := range names {
		out.LogGroups = append(out.LogGroups, logstypes.LogGroup{LogGroupName: strp(n), RetentionInDays: s.c.logGroups[n],
			Arn: strp(fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", s.c.Region, s.c.Account, n))})
	}
	return out, nil
}

// CreateLogGroup creates a log group.
func (s *Logs) CreateLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	return resend(s.c, attempts(opts, func(o *cloudwatchlogs.Options) int { return o.RetryMaxAttempts }), func() (*cloudwatchlogs.CreateLogGroupOutput, error) { return s.createLogGroup(ctx, in) })
}

func (s *Logs) createLogGroup(ctx context.Context, in *cloudwatchlogs.CreateLogGroupInput) (*cloudwatchlogs.CreateLogGroupOutput, error) {
	post, err := s.c.begin(ctx, "logs", "CreateLogGroup", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.logGroups[*in.LogGroupName]; ok {
		return nil, &logstypes.ResourceAlreadyExistsException{Message: strp("The specified log group already exists")}
	}
	s.c.logGroups[*in.LogGroupName] = nil
	s.c.logGroupTags[*in.LogGroupName] = maps.Clone(in.Tags)
	if post != nil {
		return nil, post
	}
	return &cloudwatchlogs.CreateLogGroupOutput{}, nil
}

// PutRetentionPolicy sets a log group's retention.
func (s *Logs) PutRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput, opts ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	return resend(s.c, attempts(opts, func(o *cloudwatchlogs.Options) int { return o.RetryMaxAttempts }), func() (*cloudwatchlogs.PutRetentionPolicyOutput, error) { return s.putRetentionPolicy(ctx, in) })
}

func (s *Logs) putRetentionPolicy(ctx context.Context, in *cloudwatchlogs.PutRetentionPolicyInput) (*cloudwatchlogs.PutRetentionPolicyOutput, error) {
	post, err := s.c.begin(ctx, "logs", "PutRetentionPolicy", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.logGroups[*in.LogGroupName]; !ok {
		return nil, &logstypes.ResourceNotFoundException{Message: strp("The specified log group does not exist.")}
	}
	s.c.logGroups[*in.LogGroupName] = aws.Int32(*in.RetentionInDays)
	if post != nil {
		return nil, post
	}
	return &cloudwatchlogs.PutRetentionPolicyOutput{}, nil
}

// ListTagsForResource returns the tags of a log group, by ARN (with or
// without the ":*" that DescribeLogGroups adds).
func (s *Logs) ListTagsForResource(ctx context.Context, in *cloudwatchlogs.ListTagsForResourceInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.ListTagsForResourceOutput, error) {
	if _, err := s.c.begin(ctx, "logs", "ListTagsForResource", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	arn := strings.TrimSuffix(aws.ToString(in.ResourceArn), ":*")
	_, name, ok := strings.Cut(arn, ":log-group:")
	if !ok {
		return nil, &logstypes.InvalidParameterException{Message: strp("Invalid resource ARN " + arn)}
	}
	if _, ok := s.c.logGroups[name]; !ok {
		return nil, &logstypes.ResourceNotFoundException{Message: strp("The specified log group does not exist.")}
	}
	return &cloudwatchlogs.ListTagsForResourceOutput{Tags: maps.Clone(s.c.logGroupTags[name])}, nil
}

// DeleteLogGroup deletes a log group.
func (s *Logs) DeleteLogGroup(ctx context.Context, in *cloudwatchlogs.DeleteLogGroupInput, _ ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.DeleteLogGroupOutput, error) {
	post, err := s.c.begin(ctx, "logs", "DeleteLogGroup", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.logGroups[*in.LogGroupName]; !ok {
		return nil, &logstypes.ResourceNotFoundException{Message: strp("The specified log group does not exist.")}
	}
	delete(s.c.logGroups, *in.LogGroupName)
	delete(s.c.logGroupTags, *in.LogGroupName)
	if post != nil {
		return nil, post
	}
	return &cloudwatchlogs.DeleteLogGroupOutput{}, nil
}

// DynamoDB is the account's DynamoDB (DescribeTable only).
type DynamoDB struct{ c *Cloud }

// DynamoDB returns the account's DynamoDB.
func (c *Cloud) DynamoDB() *DynamoDB { return &DynamoDB{c} }

// DescribeTable describes a table added with AddTable.
func (s *DynamoDB) DescribeTable(ctx context.Context, in *dynamodb.DescribeTableInput, _ ...func(*dynamodb.Options)) (*dynamodb.DescribeTableOutput, error) {
	if _, err := s.c.begin(ctx, "dynamodb", "DescribeTable", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	arn, ok := s.c.tables[*in.TableName]
	if !ok {
		return nil, &ddbtypes.ResourceNotFoundException{Message: strp("Requested resource not found: Table: " + *in.TableName + " not found")}
	}
	return &dynamodb.DescribeTableOutput{Table: &ddbtypes.TableDescription{
		TableName: in.TableName, LatestStreamArn: strp(arn), TableStatus: ddbtypes.TableStatusActive,
		StreamSpecification: &ddbtypes.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: ddbtypes.StreamViewTypeNewAndOldImages},
		TableArn:            strp(fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", s.c.Region, s.c.Account, *in.TableName)),
	}}, nil
}

// STS is the account's STS.
type STS struct{ c *Cloud }

// STS returns the account's STS.
func (c *Cloud) STS() *STS { return &STS{c} }

// GetCallerIdentity names the account.
func (s *STS) GetCallerIdentity(ctx context.Context, _ *sts.GetCallerIdentityInput, _ ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if _, err := s.c.begin(ctx, "sts", "GetCallerIdentity", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	return &sts.GetCallerIdentityOutput{Account: strp(s.c.Account), Arn: strp("arn:aws:iam::" + s.c.Account + ":user/test"), UserId: strp("AIDATEST")}, nil
}
