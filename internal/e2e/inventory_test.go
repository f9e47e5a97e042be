package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// inventory lists what an app stage can leave in moto, one line per
// resource ("lambda function savealife-dev"), sorted; a duplicate appears
// twice. Names, not ids, so two clean deploys give the same list. What the
// test itself made (tables, queues, buckets, topics) and AWS's own
// (managed policies) are left out.
func inventory(t *testing.T, m *moto) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	check := func(what string, err error) {
		if err != nil {
			t.Fatalf("inventory: %s: %v", what, err)
		}
	}

	ic := iam.NewFromConfig(m.cfg)
	roles, err := ic.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1000)})
	check("iam ListRoles", err)
	for _, r := range roles.Roles {
		name := aws.ToString(r.RoleName)
		add("iam role %s", name)
		inline, err := ic.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: r.RoleName})
		check("iam ListRolePolicies "+name, err)
		for _, p := range inline.PolicyNames {
			add("iam role-policy %s/%s", name, p)
		}
		attached, err := ic.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: r.RoleName})
		check("iam ListAttachedRolePolicies "+name, err)
		for _, p := range attached.AttachedPolicies {
			add("iam attached-policy %s/%s", name, aws.ToString(p.PolicyName))
		}
	}
	local, err := ic.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal, MaxItems: aws.Int32(1000)})
	check("iam ListPolicies", err)
	for _, p := range local.Policies {
		add("iam policy %s", aws.ToString(p.PolicyName))
	}

	lc := lambda.NewFromConfig(m.cfg)
	fns, err := lc.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	check("lambda ListFunctions", err)
	for _, f := range fns.Functions {
		name := aws.ToString(f.FunctionName)
		add("lambda function %s", name)
		pol, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: f.FunctionName})
		var nf *lambdatypes.ResourceNotFoundException
		if !errors.As(err, &nf) {
			check("lambda GetPolicy "+name, err)
			var doc struct{ Statement []struct{ Sid string } }
			check("lambda policy of "+name, json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc))
			// moto accepts a second statement with the same id (AWS
			// answers 409, which the deployer takes as done): count ids.
			var sids []string
			for _, s := range doc.Statement {
				sids = append(sids, s.Sid)
			}
			slices.Sort(sids)
			for _, sid := range slices.Compact(sids) {
				add("lambda permission %s/%s", name, sid)
			}
		}
	}
	esms, err := lc.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{})
	check("lambda ListEventSourceMappings", err)
	for _, e := range esms.EventSourceMappings {
		fn := aws.ToString(e.FunctionArn)
		fn = fn[strings.LastIndex(fn, ":")+1:]
		// A stream's label is its creation time: keep only the table.
		src, _, _ := strings.Cut(aws.ToString(e.EventSourceArn), "/stream/")
		add("lambda event-source-mapping %s <- %s", fn, src)
	}

	ag := apigateway.NewFromConfig(m.cfg)
	apis, err := ag.GetRestApis(ctx, &apigateway.GetRestApisInput{Limit: aws.Int32(500)})
	check("apigateway GetRestApis", err)
	for _, a := range apis.Items {
		name := aws.ToString(a.Name)
		add("apigateway rest-api %s", name)
		st, err := ag.GetStages(ctx, &apigateway.GetStagesInput{RestApiId: a.Id})
		check("apigateway GetStages "+name, err)
		for _, s := range st.Item {
			add("apigateway stage %s/%s", name, aws.ToString(s.StageName))
		}
		auths, err := ag.GetAuthorizers(ctx, &apigateway.GetAuthorizersInput{RestApiId: a.Id})
		check("apigateway GetAuthorizers "+name, err)
		for _, au := range auths.Items {
			add("apigateway authorizer %s/%s", name, aws.ToString(au.Name))
		}
	}
	plans, err := ag.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{Limit: aws.Int32(500)})
	check("apigateway GetUsagePlans", err)
	for _, p := range plans.Items {
		add("apigateway usage-plan %s", aws.ToString(p.Name))
	}
	keys, err := ag.GetApiKeys(ctx, &apigateway.GetApiKeysInput{Limit: aws.Int32(500)})
	check("apigateway GetApiKeys", err)
	for _, k := range keys.Items {
		add("apigateway api-key %s", aws.ToString(k.Name))
	}
	domains, err := ag.GetDomainNames(ctx, &apigateway.GetDomainNamesInput{})
	check("apigateway GetDomainNames", err)
	for _, d := range domains.Items {
		add("apigateway domain %s", aws.ToString(d.DomainName))
	}

	ag2 := apigatewayv2.NewFromConfig(m.cfg)
	apis2, err := ag2.GetApis(ctx, &apigatewayv2.GetApisInput{})
	check("apigatewayv2 GetApis", err)
	for _, a := range apis2.Items {
		name := aws.ToString(a.Name)
		add("apigatewayv2 api %s (%s)", name, a.ProtocolType)
		st, err := ag2.GetStages(ctx, &apigatewayv2.GetStagesInput{ApiId: a.ApiId})
		check("apigatewayv2 GetStages "+name, err)
		for _, s := range st.Items {
			add("apigatewayv2 stage %s/%s", name, aws.ToString(s.StageName))
		}
		auths, err := ag2.GetAuthorizers(ctx, &apigatewayv2.GetAuthorizersInput{ApiId: a.ApiId})
		check("apigatewayv2 GetAuthorizers "+name, err)
		for _, au := range auths.Items {
			add("apigatewayv2 authorizer %s/%s", name, aws.ToString(au.Name))
		}
	}

	eb := eventbridge.NewFromConfig(m.cfg)
	buses, err := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{})
	check("events ListEventBuses", err)
	for _, b := range buses.EventBuses {
		rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: b.Name})
		check("events ListRules", err)
		for _, r := range rules.Rules {
			add("events rule %s/%s", aws.ToString(b.Name), aws.ToString(r.Name))
			targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: r.Name, EventBusName: b.Name})
			check("events ListTargetsByRule", err)
			for _, tg := range targets.Targets {
				add("events target %s/%s -> %s", aws.ToString(r.Name), aws.ToString(tg.Id), aws.ToString(tg.Arn))
			}
		}
	}

	subs, err := sns.NewFromConfig(m.cfg).ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	check("sns ListSubscriptions", err)
	for _, s := range subs.Subscriptions {
		add("sns subscription %s -> %s", aws.ToString(s.TopicArn), aws.ToString(s.Endpoint))
	}

	sc := s3.NewFromConfig(m.cfg, func(o *s3.Options) { o.UsePathStyle = true })
	buckets, err := sc.ListBuckets(ctx, &s3.ListBucketsInput{})
	check("s3 ListBuckets", err)
	for _, b := range buckets.Buckets {
		n, err := sc.GetBucketNotificationConfiguration(ctx, &s3.GetBucketNotificationConfigurationInput{Bucket: b.Name})
		check("s3 GetBucketNotificationConfiguration", err)
		for _, c := range n.LambdaFunctionConfigurations {
			add("s3 notification %s -> %s", aws.ToString(b.Name), aws.ToString(c.LambdaFunctionArn))
		}
	}

	groups, err := cloudwatchlogs.NewFromConfig(m.cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
	check("logs DescribeLogGroups", err)
	for _, g := range groups.LogGroups {
		add("logs group %s", aws.ToString(g.LogGroupName))
	}

	slices.Sort(out)
	return out
}
