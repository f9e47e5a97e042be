package deployer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/iam"
)

// subscriptionKind is an SNS subscription of a function to a topic,
// possibly of another account: the subscription is made from the
// function's account (sns:Subscribe on the topic, which the topic's
// access policy must allow). A subscription to another topic is another
// subscription: the plan replaces it.
func subscriptionKind() kind {
	return kind{
		apply:          applySubscription,
		delete:         deleteSubscription,
		discover:       discoverSubscriptions,
		read:           readSubscription,
		attributes:     subscriptionAttributes,
		replace:        []string{"topic_arn", "endpoint"},
		logicalID:      "Subscription",
		cloudFormation: subscriptionCloudFormation,
		terraform:      subscriptionTerraform,
		packageWarning: func(r Resource) string {
			if r.Note == "" {
				return ""
			}
			return fmt.Sprintf("function %s: %s", addressFunction(r.Address), r.Note)
		},
		deployerPolicy: func(_ *policyContext, want *Resource, rec *ResourceState) []iam.Statement {
			topic := ""
			if want != nil {
				topic = want.Subscription.TopicARN
			} else {
				topic = rec.Attributes["topic_arn"]
			}
			if topic == "" {
				return nil
			}
			return []iam.Statement{allow("ManageSubscriptions", []string{"sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic",
				"sns:SetSubscriptionAttributes", "sns:Subscribe", "sns:Unsubscribe"}, iam.Strings{topic}, nil)}
		},
	}
}

func subscriptionAttributes(r *Resource, _ *State) map[string]string {
	sp := r.Subscription
	return map[string]string{"topic_arn": sp.TopicARN, "endpoint": sp.FunctionARN, "filter_policy": sp.FilterPolicy}
}

// snsGone reports whether err says the topic or subscription does not
// exist.
func snsGone(err error) bool {
	var nf *snstypes.NotFoundException
	return errors.As(err, &nf) || errorCode(err) == "NotFound"
}

// inRegionOf makes an SNS call in the region of topicOrSubscription, the
// ARN of a topic or a subscription: SNS answers for a topic only in its own region, which
// may not be the deploy's (Lambda functions may subscribe to topics of
// other regions).
func inRegionOf(topicOrSubscription string) func(*sns.Options) {
	return func(o *sns.Options) {
		if parts, ok := arn.Parse(topicOrSubscription); ok && parts.Region != "" && !strings.Contains(parts.Region, "${") {
			o.Region = parts.Region
		}
	}
}

func applySubscription(ctx context.Context, a *applier, r *Resource) error {
	d, sp := a.d, r.Subscription
	if d.Clients.SNS == nil {
		return errNoClient("SNS")
	}
	want := subscriptionAttributes(r, nil)
	rs, ok := a.get(r.Address)
	if !ok || rs.ID == "" {
		// One made by an earlier try whose answer was lost is adopted.
		got, found, err := d.findSubscription(ctx, sp.TopicARN, sp.FunctionARN)
		if err != nil {
			return err
		}
		if found {
			rs = got
		} else {
			attrs := map[string]string{}
			if sp.FilterPolicy != "" {
				attrs["FilterPolicy"] = sp.FilterPolicy
			}
			var out *sns.SubscribeOutput
			err := d.retry(ctx, func() (err error) {
				out, err = d.Clients.SNS.Subscribe(ctx, &sns.SubscribeInput{TopicArn: &sp.TopicARN, Protocol: aws.String("lambda"),
					Endpoint: &sp.FunctionARN, Attributes: attrs, ReturnSubscriptionArn: true}, inRegionOf(sp.TopicARN))
				return err
			})
			if err != nil {
				return fmt.Errorf("subscribe to %s: %w (a topic of another account must allow this account sns:Subscribe)", sp.TopicARN, err)
			}
			subARN := aws.ToString(out.SubscriptionArn)
			rs = ResourceState{Type: TypeSubscription, Name: r.Name, ID: subARN, ARN: subARN, Attributes: want}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	if rs.Attributes["filter_policy"] != want["filter_policy"] {
		value := sp.FilterPolicy
		if value == "" {
			value = "{}" // removes it
		}
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.SNS.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: &rs.ID,
				AttributeName: aws.String("FilterPolicy"), AttributeValue: &value}, inRegionOf(rs.ID))
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = want
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

func deleteSubscription(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	if d.Clients.SNS == nil {
		return errNoClient("SNS")
	}
	err := d.retry(ctx, func() error {
		_, err := d.Clients.SNS.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: &prior.ID}, inRegionOf(prior.ID))
		return err
	})
	if snsGone(err) {
		return nil
	}
	return err
}

// findSubscription finds the subscription of a function to a topic. A
// topic of another account that does not let this one list its
// subscriptions is searched no further (Subscribe is idempotent).
func (d *Deployer) findSubscription(ctx context.Context, topic, endpoint string) (ResourceState, bool, error) {
	var token *string
	for {
		var out *sns.ListSubscriptionsByTopicOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: &topic, NextToken: token}, inRegionOf(topic))
			return err
		})
		var denied *snstypes.AuthorizationErrorException
		if snsGone(err) || errors.As(err, &denied) {
			return ResourceState{}, false, nil
		}
		if err != nil {
			return ResourceState{}, false, err
		}
		for _, s := range out.Subscriptions {
			if aws.ToString(s.Protocol) == "lambda" && aws.ToString(s.Endpoint) == endpoint {
				return d.subscription(ctx, aws.ToString(s.SubscriptionArn))
			}
		}
		if out.NextToken == nil {
			return ResourceState{}, false, nil
		}
		token = out.NextToken
	}
}

// subscription reads a subscription by ARN.
func (d *Deployer) subscription(ctx context.Context, subARN string) (ResourceState, bool, error) {
	var out *sns.GetSubscriptionAttributesOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.SNS.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: &subARN}, inRegionOf(subARN))
		return err
	})
	if snsGone(err) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	at := out.Attributes
	topic := at["TopicArn"]
	return ResourceState{Type: TypeSubscription, Name: topic[strings.LastIndex(topic, ":")+1:], ID: subARN, ARN: subARN, Attributes: map[string]string{
		"topic_arn": topic, "endpoint": at["Endpoint"], "filter_policy": canonicalJSONString(at["FilterPolicy"]),
	}}, true, nil
}

func readSubscription(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	d := rd.d
	if d.Clients.SNS == nil {
		return ResourceState{}, false, errNoClient("SNS")
	}
	if rec != nil && rec.ID != "" {
		return d.subscription(ctx, rec.ID)
	}
	if want == nil {
		return ResourceState{}, false, nil
	}
	return d.findSubscription(ctx, want.Subscription.TopicARN, want.Subscription.FunctionARN)
}

func subscriptionCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	sp := r.Subscription
	fn := c.IDs[functionAddr(addressFunction(r.Address))]
	props := map[string]any{
		"TopicArn": c.Sub(sp.TopicARN),
		"Protocol": "lambda",
		"Endpoint": map[string]any{"Fn::GetAtt": []string{fn, "Arn"}},
	}
	if sp.FilterPolicy != "" {
		fp, err := decodeJSON([]byte(sp.FilterPolicy))
		if err != nil {
			return "", nil, fmt.Errorf("filter policy: %w", err)
		}
		props["FilterPolicy"] = fp
	}
	return "AWS::SNS::Subscription", props, nil
}

func subscriptionTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	sp := r.Subscription
	body := map[string]any{
		"topic_arn": c.Expand(sp.TopicARN),
		"protocol":  "lambda",
		"endpoint":  "${aws_lambda_function." + c.Function + ".arn}",
	}
	if sp.FilterPolicy != "" {
		body["filter_policy"] = tfLiteral(sp.FilterPolicy)
	}
	return []tfBlock{{typ: "aws_sns_topic_subscription", name: c.Name, body: body}}, nil
}
