package deployer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/iam"
)

// LogGroupSpec is a function's log group, managed only for its retention.
type LogGroupSpec struct {
	RetentionInDays int `json:"retention_in_days"`
}

// logGroupKind is a function's log group (log_group, "log_group:<function>"),
// made when log_retention_in_days is set (Lambda makes it otherwise, and
// keeps the logs forever).
func logGroupKind() kind {
	return kind{
		attributes: func(r *Resource, _ *State) map[string]string {
			return map[string]string{"retention_in_days": itoa(r.LogGroup.RetentionInDays)}
		},
		apply:    applyLogGroup,
		discover: discoverLogGroups,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: &prior.Name})
				return err
			})
			return ignore[*logstypes.ResourceNotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			if want != nil {
				return rd.d.readLogGroup(ctx, want.Name)
			}
			return rd.d.readLogGroup(ctx, rec.Name)
		},
		logicalID: "LogGroup",
		cloudFormation: func(_ *cfnContext, r Resource) (string, map[string]any, error) {
			return "AWS::Logs::LogGroup", map[string]any{"LogGroupName": r.Name, "RetentionInDays": r.LogGroup.RetentionInDays}, nil
		},
		terraform: func(c *tfContext, r Resource) ([]tfBlock, error) {
			return []tfBlock{{typ: "aws_cloudwatch_log_group", name: c.Name, body: map[string]any{
				"name":              tfLiteral(r.Name),
				"retention_in_days": r.LogGroup.RetentionInDays,
			}}}, nil
		},
		// logs:DescribeLogGroups accepts only "*"; a group is tagged as
		// the stage's when created (logs:TagResource).
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement {
			group := func(name string) string { return c.t.Regional("logs", "log-group:"+arn.FunctionLogGroupName(name)) }
			p := c.stage.Prefix()
			return []iam.Statement{
				allow("ListLogGroups", []string{"logs:DescribeLogGroups"}, iam.Strings{"*"}, nil),
				allow("ManageLogGroups", []string{"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource"},
					iam.Strings{group(p), group(p + ":*"), group(p + "-*")}, nil),
			}
		},
	}
}

func applyLogGroup(ctx context.Context, a *applier, r *Resource) error {
	d := a.d
	rs, ok := a.get(r.Address)
	if !ok {
		// Lambda may have made it already, when the function logged.
		err := d.retry(ctx, func() error {
			_, err := d.Clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &r.Name, Tags: a.stage().Tags()})
			return err
		})
		if err = ignore[*logstypes.ResourceAlreadyExistsException](err); err != nil {
			return err
		}
		rs = ResourceState{Type: TypeLogGroup, Name: r.Name, DependsOn: r.DependsOn,
			ARN:        a.target().LogGroup(r.Name),
			Attributes: map[string]string{"retention_in_days": "0"}}
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	want := r.Attributes(nil)
	if rs.Attributes["retention_in_days"] != want["retention_in_days"] {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
				LogGroupName: &r.Name, RetentionInDays: aws.Int32(int32(r.LogGroup.RetentionInDays)),
			})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = want
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

func (d *Deployer) readLogGroup(ctx context.Context, name string) (ResourceState, bool, error) {
	var out *cloudwatchlogs.DescribeLogGroupsOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &name})
		return err
	})
	if err != nil {
		return ResourceState{}, false, err
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == name {
			return ResourceState{Type: TypeLogGroup, Name: name, ARN: aws.ToString(g.Arn), Attributes: map[string]string{
				"retention_in_days": itoa(int(aws.ToInt32(g.RetentionInDays))),
			}}, true, nil
		}
	}
	return ResourceState{}, false, nil
}
