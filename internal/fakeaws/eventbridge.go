package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
)

// rule is an EventBridge rule and its targets.
type rule struct {
	bus, name, schedule, pattern, description string
	state                                     ebtypes.RuleState
	targets                                   map[string]string // id -> ARN
	// tags are given when PutRule creates the rule (a PutRule that
	// updates it leaves them).
	tags map[string]string
}

// EventBridge is the account's EventBridge.
type EventBridge struct{ c *Cloud }

// EventBridge returns the account's EventBridge.
func (c *Cloud) EventBridge() *EventBridge { return &EventBridge{c} }

// AddEventBus adds a custom event bus and returns its ARN. The default
// bus always exists.
func (c *Cloud) AddEventBus(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	c.buses[name] = true
	return fmt.Sprintf("arn:aws:events:%s:%s:event-bus/%s", c.Region, c.Account, name)
}

func ruleNotFound(bus, name string) error {
	return &ebtypes.ResourceNotFoundException{Message: strp("Rule " + name + " does not exist on EventBus " + bus + ".")}
}

// busName returns the bus of a call (a name or an ARN), "default" when
// none is given, and whether it exists.
func (s *EventBridge) busName(nameOrARN *string) (string, error) {
	bus := aws.ToString(nameOrARN)
	if bus == "" {
		bus = "default"
	}
	if i := strings.Index(bus, ":event-bus/"); i >= 0 {
		bus = bus[i+len(":event-bus/"):]
	}
	if bus != "default" && !s.c.buses[bus] {
		return "", &ebtypes.ResourceNotFoundException{Message: strp("Event bus " + bus + " does not exist.")}
	}
	return bus, nil
}

func (s *EventBridge) ruleARN(bus, name string) string {
	if bus == "default" {
		return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", s.c.Region, s.c.Account, name)
	}
	return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s/%s", s.c.Region, s.c.Account, bus, name)
}

func (s *EventBridge) rule(busIn *string, name string) (*rule, string, error) {
	bus, err := s.busName(busIn)
	if err != nil {
		return nil, "", err
	}
	r, ok := s.c.rules[bus+"/"+name]
	if !ok {
		return nil, bus, ruleNotFound(bus, name)
	}
	return r, bus, nil
}

// PutRule creates or updates a rule: a schedule (on the default bus only)
// or an event pattern.
func (s *EventBridge) PutRule(ctx context.Context, in *eventbridge.PutRuleInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutRuleOutput, error) {
	return resend(s.c, attempts(opts, func(o *eventbridge.Options) int { return o.RetryMaxAttempts }), func() (*eventbridge.PutRuleOutput, error) { return s.putRule(ctx, in) })
}

func (s *EventBridge) putRule(ctx context.Context, in *eventbridge.PutRuleInput) (*eventbridge.PutRuleOutput, error) {
	post, err := s.c.begin(ctx, "events", "PutRule", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	bus, err := s.busName(in.EventBusName)
	if err != nil {
		return nil, err
	}
	name := aws.ToString(in.Name)
	sched, pattern := aws.ToString(in.ScheduleExpression), aws.ToString(in.EventPattern)
	switch {
	case len(name) == 0 || len(name) > 64:
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Rule name must be 1-64 characters"}
	case sched == "" && pattern == "":
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Parameter(s) EventPattern or ScheduleExpression must be specified."}
	case sched != "" && bus != "default":
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "ScheduleExpression is supported only on the default event bus."}
	case sched != "" && !strings.HasPrefix(sched, "rate(") && !strings.HasPrefix(sched, "cron("):
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Parameter ScheduleExpression is not valid."}
	case pattern != "" && !strings.HasPrefix(strings.TrimSpace(pattern), "{"):
		return nil, &ebtypes.InvalidEventPatternException{Message: strp("Event pattern is not valid.")}
	}
	state := in.State
	if state == "" {
		state = ebtypes.RuleStateEnabled
	}
	r, ok := s.c.rules[bus+"/"+name]
	if !ok {
		r = &rule{bus: bus, name: name, targets: map[string]string{}, tags: map[string]string{}}
		for _, t := range in.Tags {
			r.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
		}
		s.c.rules[bus+"/"+name] = r
	}
	r.schedule, r.pattern, r.description, r.state = sched, pattern, aws.ToString(in.Description), state
	if post != nil {
		return nil, post
	}
	return &eventbridge.PutRuleOutput{RuleArn: strp(s.ruleARN(bus, name))}, nil
}

// ListTagsForResource returns the tags of a rule, by ARN.
func (s *EventBridge) ListTagsForResource(ctx context.Context, in *eventbridge.ListTagsForResourceInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTagsForResourceOutput, error) {
	if _, err := s.c.begin(ctx, "events", "ListTagsForResource", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	arn := aws.ToString(in.ResourceARN)
	_, path, ok := strings.Cut(arn, ":rule/")
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Parameter ResourceARN is not valid."}
	}
	bus, name, custom := strings.Cut(path, "/")
	if !custom {
		bus, name = "default", path
	}
	r, ok := s.c.rules[bus+"/"+name]
	if !ok {
		return nil, ruleNotFound(bus, name)
	}
	out := &eventbridge.ListTagsForResourceOutput{}
	for _, k := range slices.Sorted(maps.Keys(r.tags)) {
		out.Tags = append(out.Tags, ebtypes.Tag{Key: strp(k), Value: strp(r.tags[k])})
	}
	return out, nil
}

// DescribeRule describes a rule.
func (s *EventBridge) DescribeRule(ctx context.Context, in *eventbridge.DescribeRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DescribeRuleOutput, error) {
	if _, err := s.c.begin(ctx, "events", "DescribeRule", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, bus, err := s.rule(in.EventBusName, aws.ToString(in.Name))
	if err != nil {
		return nil, err
	}
	out := &eventbridge.DescribeRuleOutput{Name: strp(r.name), Arn: strp(s.ruleARN(bus, r.name)), EventBusName: strp(bus), State: r.state}
	if r.schedule != "" {
		out.ScheduleExpression = strp(r.schedule)
	}
	if r.pattern != "" {
		out.EventPattern = strp(r.pattern)
	}
	if r.description != "" {
		out.Description = strp(r.description)
	}
	return out, nil
}

// DeleteRule deletes a rule; one with targets is refused.
func (s *EventBridge) DeleteRule(ctx context.Context, in *eventbridge.DeleteRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.DeleteRuleOutput, error) {
	post, err := s.c.begin(ctx, "events", "DeleteRule", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, bus, err := s.rule(in.EventBusName, aws.ToString(in.Name))
	if err != nil {
		// Deleting a rule that does not exist succeeds.
		var nf *ebtypes.ResourceNotFoundException
		if bus != "" && errors.As(err, &nf) {
			if post != nil {
				return nil, post
			}
			return &eventbridge.DeleteRuleOutput{}, nil
		}
		return nil, err
	}
	if len(r.targets) > 0 {
		return nil, &smithy.GenericAPIError{Code: "ValidationException", Message: "Rule can't be deleted since it has targets."}
	}
	delete(s.c.rules, bus+"/"+r.name)
	if post != nil {
		return nil, post
	}
	return &eventbridge.DeleteRuleOutput{}, nil
}

// PutTargets adds or replaces targets of a rule.
func (s *EventBridge) PutTargets(ctx context.Context, in *eventbridge.PutTargetsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutTargetsOutput, error) {
	return resend(s.c, attempts(opts, func(o *eventbridge.Options) int { return o.RetryMaxAttempts }), func() (*eventbridge.PutTargetsOutput, error) { return s.putTargets(ctx, in) })
}

func (s *EventBridge) putTargets(ctx context.Context, in *eventbridge.PutTargetsInput) (*eventbridge.PutTargetsOutput, error) {
	post, err := s.c.begin(ctx, "events", "PutTargets", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, _, err := s.rule(in.EventBusName, aws.ToString(in.Rule))
	if err != nil {
		return nil, err
	}
	out := &eventbridge.PutTargetsOutput{}
	for _, t := range in.Targets {
		if aws.ToString(t.Id) == "" || !strings.HasPrefix(aws.ToString(t.Arn), "arn:") {
			out.FailedEntryCount++
			out.FailedEntries = append(out.FailedEntries, ebtypes.PutTargetsResultEntry{TargetId: t.Id, ErrorCode: strp("ValidationException"), ErrorMessage: strp("invalid target")})
			continue
		}
		r.targets[*t.Id] = *t.Arn
	}
	if post != nil {
		return nil, post
	}
	return out, nil
}

// ListTargetsByRule lists a rule's targets, sorted by id.
func (s *EventBridge) ListTargetsByRule(ctx context.Context, in *eventbridge.ListTargetsByRuleInput, _ ...func(*eventbridge.Options)) (*eventbridge.ListTargetsByRuleOutput, error) {
	if _, err := s.c.begin(ctx, "events", "ListTargetsByRule", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, _, err := s.rule(in.EventBusName, aws.ToString(in.Rule))
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(r.targets))
	for id := range r.targets {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := &eventbridge.ListTargetsByRuleOutput{}
	for _, id := range ids {
		out.Targets = append(out.Targets, ebtypes.Target{Id: strp(id), Arn: strp(r.targets[id])})
	}
	return out, nil
}

// RemoveTargets removes targets of a rule; ids it does not have fail as
// entries.
func (s *EventBridge) RemoveTargets(ctx context.Context, in *eventbridge.RemoveTargetsInput, _ ...func(*eventbridge.Options)) (*eventbridge.RemoveTargetsOutput, error) {
	post, err := s.c.begin(ctx, "events", "RemoveTargets", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	r, _, err := s.rule(in.EventBusName, aws.ToString(in.Rule))
	if err != nil {
		return nil, err
	}
	out := &eventbridge.RemoveTargetsOutput{}
	for _, id := range in.Ids {
		if _, ok := r.targets[id]; !ok {
			out.FailedEntryCount++
			out.FailedEntries = append(out.FailedEntries, ebtypes.RemoveTargetsResultEntry{TargetId: strp(id), ErrorCode: strp("ResourceNotFoundException")})
			continue
		}
		delete(r.targets, id)
	}
	if post != nil {
		return nil, post
	}
	return out, nil
}

// RuleSnapshot is an EventBridge rule.
type RuleSnapshot struct {
	Schedule, Pattern, Description, State string
	// Targets maps target ids to ARNs.
	Targets map[string]string
}

// ruleSnapshots returns the rules by "bus/name"; the caller holds c.mu.
func (c *Cloud) ruleSnapshots() map[string]RuleSnapshot {
	out := map[string]RuleSnapshot{}
	for k, r := range c.rules {
		t := map[string]string{}
		for id, a := range r.targets {
			t[id] = a
		}
		out[k] = RuleSnapshot{Schedule: r.schedule, Pattern: r.pattern, Description: r.description, State: string(r.state), Targets: t}
	}
	return out
}
