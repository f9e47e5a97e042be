package deployer

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"

	"github.com/gochalice/gochalice/internal/iam"
)

// ruleKind is an EventBridge rule (a schedule or an event pattern on a
// bus) with the function as its one target. A rule on another bus is
// another rule: the plan replaces it.
func ruleKind() kind {
	return kind{
		apply:          applyRule,
		delete:         deleteRule,
		discover:       discoverRules,
		read:           readRule,
		attributes:     ruleAttributes,
		replace:        []string{"event_bus_name"},
		logicalID:      "Rule",
		cloudFormation: ruleCloudFormation,
		terraform:      ruleTerraform,
		deployerPolicy: ruleDeployerPolicy,
	}
}

// ruleDeployerPolicy: the stage's rules are "<app>-<stage>-*", on the
// default bus or (rule/<bus>/...) on the app's buses. PutRule tags a new
// rule as the stage's (events:TagResource), which Discover reads.
func ruleDeployerPolicy(c *policyContext, want *Resource, rec *ResourceState) []iam.Statement {
	name := c.stage.Prefix() + "-*"
	rules := iam.Strings{c.t.Rule("default", name)}
	bus := ""
	if want != nil {
		bus = want.Rule.EventBusName
	} else {
		bus = rec.Attributes["event_bus_name"]
	}
	if bus != "" && bus != "default" {
		rules = append(rules, c.t.Rule(bus, name))
	}
	return []iam.Statement{allow("ManageRules", []string{"events:DeleteRule", "events:DescribeRule", "events:ListTargetsByRule",
		"events:ListTagsForResource", "events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:TagResource"}, rules, nil)}
}

// errNoClient is the error of a step whose service has no client.
func errNoClient(service string) error {
	return fmt.Errorf("no %s client (deployer.Clients.%s is nil)", service, service)
}

// errorCode returns the AWS error code of err, "" when it has none.
func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func ruleAttributes(r *Resource, _ *State) map[string]string {
	sp := r.Rule
	return map[string]string{
		"event_bus_name":      sp.EventBusName,
		"schedule_expression": sp.ScheduleExpression,
		"event_pattern":       sp.EventPattern,
		"description":         sp.Description,
		"state":               string(ebtypes.RuleStateEnabled),
		"target_arn":          sp.FunctionARN,
	}
}

func applyRule(ctx context.Context, a *applier, r *Resource) error {
	d, sp := a.d, r.Rule
	if d.Clients.EventBridge == nil {
		return errNoClient("EventBridge")
	}
	want := ruleAttributes(r, nil)
	rs, ok := a.get(r.Address)
	ruleChanged := !ok
	for _, k := range []string{"event_bus_name", "schedule_expression", "event_pattern", "description", "state"} {
		ruleChanged = ruleChanged || rs.Attributes[k] != want[k]
	}
	if ruleChanged {
		// The tags are set when PutRule creates the rule (an update keeps
		// its tags).
		in := &eventbridge.PutRuleInput{Name: &r.Name, EventBusName: &sp.EventBusName, Description: &sp.Description, State: ebtypes.RuleStateEnabled,
			Tags: eventBridgeTags(a.stage().Tags())}
		if sp.ScheduleExpression != "" {
			in.ScheduleExpression = &sp.ScheduleExpression
		} else {
			in.EventPattern = &sp.EventPattern
		}
		var out *eventbridge.PutRuleOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.EventBridge.PutRule(ctx, in)
			return err
		}); err != nil {
			return err
		}
		target := ""
		if ok {
			target = rs.Attributes["target_arn"]
		}
		rs = ResourceState{Type: TypeRule, Name: r.Name, ARN: aws.ToString(out.RuleArn), DependsOn: r.DependsOn, Attributes: maps.Clone(want)}
		rs.Attributes["target_arn"] = target
		// Recorded before its target is added, so that a delete after a
		// deploy interrupted here removes the rule. It is recorded as
		// wanted: plans compare with what refresh finds, which adds a
		// missing target again, and a target added by a call whose answer
		// was lost leaves nothing to correct.
		if err := a.put(r.Address, ResourceState{Type: rs.Type, Name: rs.Name, ARN: rs.ARN, DependsOn: rs.DependsOn, Attributes: maps.Clone(want)}); err != nil {
			return err
		}
	}
	if rs.Attributes["target_arn"] != want["target_arn"] {
		var out *eventbridge.PutTargetsOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.EventBridge.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: &r.Name, EventBusName: &sp.EventBusName,
				Targets: []ebtypes.Target{{Id: aws.String(sp.TargetID), Arn: &sp.FunctionARN}}})
			return err
		}); err != nil {
			return err
		}
		if out.FailedEntryCount > 0 && len(out.FailedEntries) > 0 {
			e := out.FailedEntries[0]
			return fmt.Errorf("put target %s of rule %s: %s: %s", sp.TargetID, r.Name, aws.ToString(e.ErrorCode), aws.ToString(e.ErrorMessage))
		}
	}
	rs.Attributes = want
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

func deleteRule(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	if d.Clients.EventBridge == nil {
		return errNoClient("EventBridge")
	}
	bus := prior.Attributes["event_bus_name"]
	err := d.retry(ctx, func() error {
		_, err := d.Clients.EventBridge.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: &prior.Name, EventBusName: &bus, Ids: []string{RuleTargetID}})
		return err
	})
	var missing *ebtypes.ResourceNotFoundException
	switch {
	case errors.As(err, &missing):
		return nil // the rule is gone
	case err != nil:
		return err
	}
	err = d.retry(ctx, func() error {
		_, err := d.Clients.EventBridge.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: &prior.Name, EventBusName: &bus})
		return err
	})
	return ignore[*ebtypes.ResourceNotFoundException](err)
}

func readRule(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	d := rd.d
	if d.Clients.EventBridge == nil {
		return ResourceState{}, false, errNoClient("EventBridge")
	}
	// The recorded rule, which the plan compares with what is wanted.
	var name, bus string
	if rec != nil {
		name, bus = rec.Name, rec.Attributes["event_bus_name"]
	} else {
		name, bus = want.Name, want.Rule.EventBusName
	}
	var out *eventbridge.DescribeRuleOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.EventBridge.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: &name, EventBusName: &bus})
		return err
	})
	var missing *ebtypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	rs := ResourceState{Type: TypeRule, Name: name, ARN: aws.ToString(out.Arn), Attributes: map[string]string{
		"event_bus_name":      bus,
		"schedule_expression": aws.ToString(out.ScheduleExpression),
		"event_pattern":       canonicalJSONString(aws.ToString(out.EventPattern)),
		"description":         aws.ToString(out.Description),
		"state":               string(out.State),
		"target_arn":          "",
	}}
	var token *string
	for {
		var tg *eventbridge.ListTargetsByRuleOutput
		err := d.retry(ctx, func() (err error) {
			tg, err = d.Clients.EventBridge.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: &name, EventBusName: &bus, NextToken: token})
			return err
		})
		if errors.As(err, &missing) {
			return ResourceState{}, false, nil
		}
		if err != nil {
			return ResourceState{}, false, err
		}
		for _, t := range tg.Targets {
			if aws.ToString(t.Id) == RuleTargetID {
				rs.Attributes["target_arn"] = aws.ToString(t.Arn)
			}
		}
		if tg.NextToken == nil {
			break
		}
		token = tg.NextToken
	}
	return rs, true, nil
}

func ruleCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	sp := r.Rule
	fn := c.IDs[functionAddr(addressFunction(r.Address))]
	props := map[string]any{
		"Name":        r.Name,
		"Description": sp.Description,
		"State":       string(ebtypes.RuleStateEnabled),
		"Targets":     []any{map[string]any{"Id": sp.TargetID, "Arn": map[string]any{"Fn::GetAtt": []string{fn, "Arn"}}}},
	}
	if sp.EventBusName != "default" {
		props["EventBusName"] = sp.EventBusName
	}
	if sp.ScheduleExpression != "" {
		props["ScheduleExpression"] = sp.ScheduleExpression
	} else {
		pattern, err := c.SubJSON([]byte(sp.EventPattern))
		if err != nil {
			return "", nil, fmt.Errorf("event pattern: %w", err)
		}
		props["EventPattern"] = pattern
	}
	return "AWS::Events::Rule", props, nil
}

func ruleTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	sp := r.Rule
	rule := map[string]any{
		"name":        tfLiteral(r.Name),
		"description": tfLiteral(sp.Description),
		"state":       string(ebtypes.RuleStateEnabled),
	}
	target := map[string]any{
		"rule":      "${aws_cloudwatch_event_rule." + c.Name + ".name}",
		"target_id": sp.TargetID,
		"arn":       "${aws_lambda_function." + c.Function + ".arn}",
	}
	if sp.EventBusName != "default" {
		rule["event_bus_name"] = tfLiteral(sp.EventBusName)
		target["event_bus_name"] = tfLiteral(sp.EventBusName)
	}
	if sp.ScheduleExpression != "" {
		rule["schedule_expression"] = tfLiteral(sp.ScheduleExpression)
	} else {
		rule["event_pattern"] = c.Expand(sp.EventPattern)
	}
	return []tfBlock{
		{typ: "aws_cloudwatch_event_rule", name: c.Name, body: rule},
		{typ: "aws_cloudwatch_event_target", name: c.Name, body: target},
	}, nil
}
