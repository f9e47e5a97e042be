package fakeaws

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

// subscription is an SNS subscription.
type subscription struct {
	arn, topic, protocol, endpoint, filterPolicy string
}

// SNS is the account's SNS (subscriptions only; topics are seeded with
// AddTopic).
type SNS struct{ c *Cloud }

// SNS returns the account's SNS.
func (c *Cloud) SNS() *SNS { return &SNS{c} }

// AddTopic adds a topic, by name in this account or by ARN (a topic of
// another account, whose policy lets this one subscribe), and returns its
// ARN.
func (c *Cloud) AddTopic(nameOrARN string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	arn := nameOrARN
	if !strings.HasPrefix(arn, "arn:") {
		arn = fmt.Sprintf("arn:aws:sns:%s:%s:%s", c.Region, c.Account, nameOrARN)
	}
	c.topics[arn] = true
	return arn
}

// checkRegion fails like SNS does when the call is made in another
// region than arn's (a topic's or subscription's): a client's region is
// c.Region unless opts set another.
func (s *SNS) checkRegion(arn, param string, opts []func(*sns.Options)) error {
	o := sns.Options{Region: s.c.Region}
	for _, f := range opts {
		f(&o)
	}
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 && parts[3] != o.Region {
		return &snstypes.InvalidParameterException{Message: strp("Invalid parameter: " + param)}
	}
	return nil
}

func snsNotFound(what string) error {
	return &snstypes.NotFoundException{Message: strp(what + " does not exist")}
}

// Subscribe subscribes an endpoint to a topic; subscribing the same
// endpoint with the same protocol and attributes again returns the
// existing subscription, with other attributes it fails.
func (s *SNS) Subscribe(ctx context.Context, in *sns.SubscribeInput, opts ...func(*sns.Options)) (*sns.SubscribeOutput, error) {
	return resend(s.c, attempts(opts, func(o *sns.Options) int { return o.RetryMaxAttempts }), func() (*sns.SubscribeOutput, error) { return s.subscribe(ctx, in, opts) })
}

func (s *SNS) subscribe(ctx context.Context, in *sns.SubscribeInput, opts []func(*sns.Options)) (*sns.SubscribeOutput, error) {
	post, err := s.c.begin(ctx, "sns", "Subscribe", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if err := s.checkRegion(aws.ToString(in.TopicArn), "TopicArn", opts); err != nil {
		return nil, err
	}
	topic := aws.ToString(in.TopicArn)
	if !s.c.topics[topic] {
		return nil, snsNotFound("Topic")
	}
	protocol, endpoint := aws.ToString(in.Protocol), aws.ToString(in.Endpoint)
	if protocol != "lambda" || !strings.Contains(endpoint, ":lambda:") {
		return nil, &snstypes.InvalidParameterException{Message: strp("Invalid parameter: Endpoint")}
	}
	filter := in.Attributes["FilterPolicy"]
	if filter != "" && !strings.HasPrefix(strings.TrimSpace(filter), "{") {
		return nil, &snstypes.InvalidParameterException{Message: strp("Invalid parameter: FilterPolicy: failed to parse JSON.")}
	}
	var sub *subscription
	for _, x := range s.c.subscriptions {
		if x.topic == topic && x.protocol == protocol && x.endpoint == endpoint {
			sub = x
		}
	}
	switch {
	case sub != nil && sub.filterPolicy != filter:
		return nil, &snstypes.InvalidParameterException{Message: strp("Invalid parameter: Attributes Reason: Subscription already exists with different attributes")}
	case sub == nil:
		n := s.c.nextID()
		sub = &subscription{arn: fmt.Sprintf("%s:%08x-0000-4000-8000-%012x", topic, n, n), topic: topic, protocol: protocol, endpoint: endpoint, filterPolicy: filter}
		s.c.subscriptions[sub.arn] = sub
	}
	if post != nil {
		return nil, post
	}
	return &sns.SubscribeOutput{SubscriptionArn: strp(sub.arn)}, nil
}

// Unsubscribe deletes a subscription.
func (s *SNS) Unsubscribe(ctx context.Context, in *sns.UnsubscribeInput, opts ...func(*sns.Options)) (*sns.UnsubscribeOutput, error) {
	post, err := s.c.begin(ctx, "sns", "Unsubscribe", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if err := s.checkRegion(aws.ToString(in.SubscriptionArn), "SubscriptionArn", opts); err != nil {
		return nil, err
	}
	arn := aws.ToString(in.SubscriptionArn)
	if _, ok := s.c.subscriptions[arn]; !ok {
		return nil, snsNotFound("Subscription")
	}
	delete(s.c.subscriptions, arn)
	if post != nil {
		return nil, post
	}
	return &sns.UnsubscribeOutput{}, nil
}

// ListSubscriptionsByTopic lists a topic's subscriptions, two a page.
func (s *SNS) ListSubscriptionsByTopic(ctx context.Context, in *sns.ListSubscriptionsByTopicInput, opts ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	if _, err := s.c.begin(ctx, "sns", "ListSubscriptionsByTopic", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if err := s.checkRegion(aws.ToString(in.TopicArn), "TopicArn", opts); err != nil {
		return nil, err
	}
	topic := aws.ToString(in.TopicArn)
	if !s.c.topics[topic] {
		return nil, snsNotFound("Topic")
	}
	var arns []string
	for arn, x := range s.c.subscriptions {
		if x.topic == topic {
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	start := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		fmt.Sscan(tok, &start)
	}
	out := &sns.ListSubscriptionsByTopicOutput{}
	const page = 2
	for i := start; i < len(arns) && i < start+page; i++ {
		x := s.c.subscriptions[arns[i]]
		out.Subscriptions = append(out.Subscriptions, snstypes.Subscription{SubscriptionArn: strp(x.arn), TopicArn: strp(x.topic),
			Protocol: strp(x.protocol), Endpoint: strp(x.endpoint), Owner: strp(s.c.Account)})
	}
	if start+page < len(arns) {
		out.NextToken = strp(fmt.Sprint(start + page))
	}
	return out, nil
}

// GetSubscriptionAttributes returns a subscription's attributes.
func (s *SNS) GetSubscriptionAttributes(ctx context.Context, in *sns.GetSubscriptionAttributesInput, opts ...func(*sns.Options)) (*sns.GetSubscriptionAttributesOutput, error) {
	if _, err := s.c.begin(ctx, "sns", "GetSubscriptionAttributes", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if err := s.checkRegion(aws.ToString(in.SubscriptionArn), "SubscriptionArn", opts); err != nil {
		return nil, err
	}
	x, ok := s.c.subscriptions[aws.ToString(in.SubscriptionArn)]
	if !ok {
		return nil, snsNotFound("Subscription")
	}
	attrs := map[string]string{
		"SubscriptionArn": x.arn, "TopicArn": x.topic, "Protocol": x.protocol, "Endpoint": x.endpoint,
		"Owner": s.c.Account, "PendingConfirmation": "false", "ConfirmationWasAuthenticated": "true",
	}
	if x.filterPolicy != "" {
		attrs["FilterPolicy"] = x.filterPolicy
		attrs["FilterPolicyScope"] = "MessageAttributes"
	}
	return &sns.GetSubscriptionAttributesOutput{Attributes: attrs}, nil
}

// SetSubscriptionAttributes sets one attribute of a subscription
// (FilterPolicy; "{}" or "" removes it).
func (s *SNS) SetSubscriptionAttributes(ctx context.Context, in *sns.SetSubscriptionAttributesInput, opts ...func(*sns.Options)) (*sns.SetSubscriptionAttributesOutput, error) {
	post, err := s.c.begin(ctx, "sns", "SetSubscriptionAttributes", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if err := s.checkRegion(aws.ToString(in.SubscriptionArn), "SubscriptionArn", opts); err != nil {
		return nil, err
	}
	x, ok := s.c.subscriptions[aws.ToString(in.SubscriptionArn)]
	if !ok {
		return nil, snsNotFound("Subscription")
	}
	if aws.ToString(in.AttributeName) != "FilterPolicy" {
		return nil, &snstypes.InvalidParameterException{Message: strp("Invalid parameter: AttributeName")}
	}
	v := aws.ToString(in.AttributeValue)
	if strings.TrimSpace(v) == "{}" {
		v = ""
	}
	x.filterPolicy = v
	if post != nil {
		return nil, post
	}
	return &sns.SetSubscriptionAttributesOutput{}, nil
}

// SubscriptionSnapshot is an SNS subscription.
type SubscriptionSnapshot struct {
	Topic, Protocol, Endpoint, FilterPolicy string
}

// subscriptionSnapshots returns the subscriptions sorted by topic and
// endpoint; the caller holds c.mu.
func (c *Cloud) subscriptionSnapshots() []SubscriptionSnapshot {
	var out []SubscriptionSnapshot
	for _, x := range c.subscriptions {
		out = append(out, SubscriptionSnapshot{Topic: x.topic, Protocol: x.protocol, Endpoint: x.endpoint, FilterPolicy: x.filterPolicy})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Topic != out[j].Topic {
			return out[i].Topic < out[j].Topic
		}
		return out[i].Endpoint < out[j].Endpoint
	})
	return out
}
