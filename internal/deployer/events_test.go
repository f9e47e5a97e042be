package deployer_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// partnerTopic is an SNS topic of another account.
const partnerTopic = "arn:aws:sns:us-east-1:999999999999:partner-news"

func intp(n int) *int { return &n }

// eventsManifest is an app with one function of every event source kind,
// written by hand as the app library would register them.
func eventsManifest() *manifest.Manifest {
	h := func(name string) manifest.Handler {
		return manifest.Handler{Name: "main." + name, File: "main.go", Line: 1}
	}
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "savealife", Functions: []manifest.Function{
		{Name: "nightly", Kind: manifest.KindSchedule, Handler: h("nightly"),
			Schedule:  &manifest.Schedule{Expression: "rate(1 day)", Description: "nightly report"},
			OnFailure: &manifest.OnFailure{Destination: "alerts", DestinationKind: manifest.DestinationSNS, MaximumRetryAttempts: intp(1)}},
		{Name: "on_order", Kind: manifest.KindEventBridge, Handler: h("onOrder"),
			EventBridge: &manifest.EventBridge{Bus: "orders", Pattern: `{"source":["shop.orders"]}`, Description: "new orders"}},
		{Name: "worker", Kind: manifest.KindSQS, Handler: h("worker"),
			SQS: &manifest.SQS{Queue: "jobs", BatchSize: 20, MaximumBatchingWindowInSeconds: 5, MaximumConcurrency: 5, ReportBatchItemFailures: true}},
		{Name: "notify", Kind: manifest.KindSNS, Handler: h("notify"),
			SNS: &manifest.SNS{Topic: "news", FilterPolicy: `{"kind":["breaking"]}`}},
		{Name: "partner", Kind: manifest.KindSNS, Handler: h("partner"), SNS: &manifest.SNS{Topic: partnerTopic}},
		{Name: "thumbs", Kind: manifest.KindS3, Handler: h("thumbs"),
			S3: &manifest.S3{Bucket: "uploads", Events: []string{"s3:ObjectCreated:*"}, Prefix: "in/", Suffix: ".jpg"}},
		{Name: "clicks", Kind: manifest.KindKinesis, Handler: h("clicks"),
			Kinesis: &manifest.Kinesis{Stream: "clicks", BatchSize: 100, StartingPosition: "TRIM_HORIZON", ReportBatchItemFailures: true},
			OnFailure: &manifest.OnFailure{Destination: "clicks-dlq", DestinationKind: manifest.DestinationSQS,
				MaximumRetryAttempts: intp(3), MaximumAgeInSeconds: intp(3600), BisectBatchOnFunctionError: true}},
	}}
	m.Sort()
	return m
}

// eventsProject is eventsManifest's dev stage with autogen_policy (the
// roles get the source statements).
func eventsProject(t testing.TB) *deployer.Project {
	t.Helper()
	cfg, err := stages.Load(savealifeDir)
	if err != nil {
		t.Fatal(err)
	}
	p := project(t, cfg, eventsManifest(), "v1")
	for _, s := range p.Settings {
		s.AutogenPolicy, s.Policy, s.IAMPolicyFile = true, nil, ""
	}
	return p
}

// uploadsExisting is the notification configuration the uploads bucket
// has before the app: a queue's, a topic's, another function's and
// EventBridge's, none of which the app may touch.
func uploadsExisting() s3types.NotificationConfiguration {
	return s3types.NotificationConfiguration{
		QueueConfigurations: []s3types.QueueConfiguration{{Id: aws.String("audit-queue"), QueueArn: aws.String("arn:aws:sqs:us-east-1:123456789012:audit"),
			Events: []s3types.Event{"s3:ObjectRemoved:*"}}},
		TopicConfigurations: []s3types.TopicConfiguration{{Id: aws.String("ops-topic"), TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:ops"),
			Events: []s3types.Event{"s3:ObjectRestore:Completed"}}},
		LambdaFunctionConfigurations: []s3types.LambdaFunctionConfiguration{{Id: aws.String("other-app"),
			LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:123456789012:function:other-app"),
			Events:            []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
				{Name: s3types.FilterRuleNamePrefix, Value: aws.String("other/")}}}}}},
		EventBridgeConfiguration: &s3types.EventBridgeConfiguration{},
	}
}

// seed adds what the events app uses but does not make: the orders bus,
// the topics and the uploads bucket.
func seed(c *fakeaws.Cloud) {
	c.AddEventBus("orders")
	c.AddTopic("news")
	c.AddTopic(partnerTopic)
	c.AddBucket("uploads", uploadsExisting())
}

// newEventsCloud is newCloud with the event sources' bus, topics and
// bucket.
func newEventsCloud() (*fakeaws.Cloud, *deployer.Deployer) {
	c, d := newCloud()
	seed(c)
	return c, d
}

func TestEventsFirstPlanGolden(t *testing.T) {
	t.Parallel()
	_, d := newEventsCloud()
	plan, err := d.PlanProject(context.Background(), eventsProject(t), target, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range plan.Changes {
		got = append(got, fmt.Sprintf("%s %s %s", c.Action, c.Address, c.Name))
	}
	want := []string{
		"create role:clicks savealife-dev-clicks",
		"create role:nightly savealife-dev-nightly",
		"create role:notify savealife-dev-notify",
		"create role:on_order savealife-dev-on_order",
		"create role:partner savealife-dev-partner",
		"create role:thumbs savealife-dev-thumbs",
		"create role:worker savealife-dev-worker",
		"create function:clicks savealife-dev-clicks",
		"create function:nightly savealife-dev-nightly",
		"create function:notify savealife-dev-notify",
		"create function:on_order savealife-dev-on_order",
		"create function:partner savealife-dev-partner",
		"create function:thumbs savealife-dev-thumbs",
		"create function:worker savealife-dev-worker",
		"create invoke_config:nightly savealife-dev-nightly",
		"create esm:clicks savealife-dev-clicks",
		"create esm:worker savealife-dev-worker",
		"create permission:nightly gochalice-events",
		"create permission:notify gochalice-sns",
		"create permission:on_order gochalice-events",
		"create permission:partner gochalice-sns",
		"create permission:thumbs gochalice-s3",
		"create rule:nightly savealife-dev-nightly",
		"create rule:on_order savealife-dev-on_order",
		"create subscription:notify news",
		"create subscription:partner partner-news",
		"create s3_notification:thumbs uploads",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	var text strings.Builder
	if err := deployer.WritePlan(&text, plan); err != nil {
		t.Fatal(err)
	}
	golden(t, "events-first-plan.golden", []byte(text.String()))
}

// TestEventsDeployRedeployDelete deploys an app with every event source,
// checks each source's permission model in the account, redeploys it
// unchanged (no mutating call) and deletes it (nothing left, the bucket's
// own notifications as they were).
func TestEventsDeployRedeployDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newEventsCloud()
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, eventsProject(t), path); err != nil {
		t.Fatal(err)
	}
	snap := cloud.Snapshot()
	fnARN := func(fn string) string { return "arn:aws:lambda:us-east-1:123456789012:function:savealife-dev-" + fn }
	perm := func(fn string) []fakeaws.PermissionSnapshot { return snap.Functions["savealife-dev-"+fn].Permissions }

	t.Run("push sources: a permission limited to the source", func(t *testing.T) {
		for _, tc := range []struct {
			fn   string
			want fakeaws.PermissionSnapshot
		}{
			{"nightly", fakeaws.PermissionSnapshot{Sid: "gochalice-events", Principal: "events.amazonaws.com", Action: "lambda:InvokeFunction",
				SourceArn: "arn:aws:events:us-east-1:123456789012:rule/savealife-dev-nightly"}},
			{"on_order", fakeaws.PermissionSnapshot{Sid: "gochalice-events", Principal: "events.amazonaws.com", Action: "lambda:InvokeFunction",
				SourceArn: "arn:aws:events:us-east-1:123456789012:rule/orders/savealife-dev-on_order"}},
			{"notify", fakeaws.PermissionSnapshot{Sid: "gochalice-sns", Principal: "sns.amazonaws.com", Action: "lambda:InvokeFunction",
				SourceArn: "arn:aws:sns:us-east-1:123456789012:news"}},
			{"partner", fakeaws.PermissionSnapshot{Sid: "gochalice-sns", Principal: "sns.amazonaws.com", Action: "lambda:InvokeFunction",
				SourceArn: partnerTopic}},
			{"thumbs", fakeaws.PermissionSnapshot{Sid: "gochalice-s3", Principal: "s3.amazonaws.com", Action: "lambda:InvokeFunction",
				SourceArn: "arn:aws:s3:::uploads", SourceAccount: "123456789012"}},
			{"worker", fakeaws.PermissionSnapshot{}},
			{"clicks", fakeaws.PermissionSnapshot{}},
		} {
			var want []fakeaws.PermissionSnapshot
			if tc.want.Sid != "" {
				want = append(want, tc.want)
			}
			if diff := cmp.Diff(want, perm(tc.fn)); diff != "" {
				t.Errorf("%s permissions (-want +got):\n%s", tc.fn, diff)
			}
		}
		wantRules := map[string]fakeaws.RuleSnapshot{
			"default/savealife-dev-nightly": {Schedule: "rate(1 day)", Description: "nightly report", State: "ENABLED",
				Targets: map[string]string{"gochalice": fnARN("nightly")}},
			"orders/savealife-dev-on_order": {Pattern: `{"source":["shop.orders"]}`, Description: "new orders", State: "ENABLED",
				Targets: map[string]string{"gochalice": fnARN("on_order")}},
		}
		if diff := cmp.Diff(wantRules, snap.Rules); diff != "" {
			t.Errorf("rules (-want +got):\n%s", diff)
		}
		wantSubs := []fakeaws.SubscriptionSnapshot{
			{Topic: "arn:aws:sns:us-east-1:123456789012:news", Protocol: "lambda", Endpoint: fnARN("notify"), FilterPolicy: `{"kind":["breaking"]}`},
			{Topic: partnerTopic, Protocol: "lambda", Endpoint: fnARN("partner")},
		}
		if diff := cmp.Diff(wantSubs, snap.Subscriptions); diff != "" {
			t.Errorf("subscriptions (-want +got):\n%s", diff)
		}
		n, _ := cloud.BucketNotification("uploads")
		want := uploadsExisting()
		want.LambdaFunctionConfigurations = append(want.LambdaFunctionConfigurations, s3types.LambdaFunctionConfiguration{
			Id: aws.String("gochalice-savealife-dev-thumbs"), LambdaFunctionArn: aws.String(fnARN("thumbs")), Events: []s3types.Event{"s3:ObjectCreated:*"},
			Filter: &s3types.NotificationConfigurationFilter{Key: &s3types.S3KeyFilter{FilterRules: []s3types.FilterRule{
				{Name: s3types.FilterRuleNamePrefix, Value: aws.String("in/")}, {Name: s3types.FilterRuleNameSuffix, Value: aws.String(".jpg")}}}},
		})
		if diff := cmp.Diff(notificationJSON(t, want), notificationJSON(t, n)); diff != "" {
			t.Errorf("uploads notification (-want +got):\n%s", diff)
		}
	})

	t.Run("pull sources: a mapping, and the role reads that source only", func(t *testing.T) {
		wantMappings := []fakeaws.MappingSnapshot{
			{Function: "savealife-dev-clicks", Source: "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", StartingPosition: "TRIM_HORIZON",
				BatchSize: 100, ResponseTypes: []string{"ReportBatchItemFailures"},
				OnFailure: "arn:aws:sqs:us-east-1:123456789012:clicks-dlq", MaximumRetryAttempts: aws.Int32(3), MaxAgeIn: aws.Int32(3600), Bisect: true},
			{Function: "savealife-dev-worker", Source: "arn:aws:sqs:us-east-1:123456789012:jobs", BatchSize: 20, Window: 5,
				ResponseTypes: []string{"ReportBatchItemFailures"}, MaximumConcurrency: 5},
		}
		if diff := cmp.Diff(wantMappings, snap.Mappings); diff != "" {
			t.Errorf("mappings (-want +got):\n%s", diff)
		}
		for _, tc := range []struct {
			fn   string
			want []iam.Statement // besides the log statement
		}{
			{"worker", []iam.Statement{{Sid: "ReadQueue", Effect: "Allow", Action: iam.Strings{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
				Resource: iam.Strings{"arn:aws:sqs:us-east-1:123456789012:jobs"}}}},
			{"clicks", []iam.Statement{
				{Sid: "ReadKinesisStream", Effect: "Allow", Action: iam.Strings{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"},
					Resource: iam.Strings{"arn:aws:kinesis:us-east-1:123456789012:stream/clicks"}},
				{Sid: "SendFailedEvents", Effect: "Allow", Action: iam.Strings{"sqs:SendMessage"}, Resource: iam.Strings{"arn:aws:sqs:us-east-1:123456789012:clicks-dlq"}},
			}},
			{"nightly", []iam.Statement{{Sid: "SendFailedEvents", Effect: "Allow", Action: iam.Strings{"sns:Publish"}, Resource: iam.Strings{"arn:aws:sns:us-east-1:123456789012:alerts"}}}},
			{"notify", nil},
			{"thumbs", nil},
		} {
			role := "savealife-dev-" + tc.fn
			pol, err := iam.Parse([]byte(snap.Roles[role].Policies[role]))
			if err != nil {
				t.Fatal(err)
			}
			got := slices.DeleteFunc(pol.Statement, func(st iam.Statement) bool { return st.Sid == "WriteOwnLogs" })
			want := (&iam.Policy{Statement: tc.want}).Canonical().Statement
			if diff := cmp.Diff(want, (&iam.Policy{Statement: got}).Canonical().Statement); diff != "" {
				t.Errorf("%s role statements (-want +got):\n%s", tc.fn, diff)
			}
		}
		ic := snap.Functions["savealife-dev-nightly"].InvokeConfig
		if diff := cmp.Diff(&fakeaws.InvokeConfigSnapshot{OnFailure: "arn:aws:sns:us-east-1:123456789012:alerts", MaximumRetryAttempts: aws.Int32(1)}, ic); diff != "" {
			t.Errorf("nightly invoke config (-want +got):\n%s", diff)
		}
	})

	t.Run("redeploy unchanged makes no mutating call", func(t *testing.T) {
		cloud.ResetCalls()
		plan, _, err := deploy(ctx, t, d, eventsProject(t), path)
		if err != nil {
			t.Fatal(err)
		}
		if got := changes(plan); len(got) != 0 {
			t.Errorf("changes: %v", got)
		}
		if m := cloud.Mutations(); len(m) != 0 {
			t.Errorf("mutating calls: %v", m)
		}
	})

	t.Run("a source setting changes only what it is", func(t *testing.T) {
		p := eventsProject(t)
		for i := range p.Manifest.Functions {
			switch f := &p.Manifest.Functions[i]; f.Name {
			case "notify":
				f.SNS = &manifest.SNS{Topic: "news"} // no filter
			case "worker":
				f.SQS = &manifest.SQS{Queue: "jobs", BatchSize: 10, ReportBatchItemFailures: true} // no limit
			case "thumbs":
				f.S3 = &manifest.S3{Bucket: "uploads", Events: []string{"s3:ObjectCreated:Put"}, Prefix: "in/"}
			case "nightly":
				f.Schedule = &manifest.Schedule{Expression: "cron(0 3 * * ? *)", Description: "nightly report"}
			}
		}
		cloud.ResetCalls()
		plan, _, err := deploy(ctx, t, d, p, path)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"update esm:worker", "update rule:nightly", "update subscription:notify", "update s3_notification:thumbs"}
		if diff := cmp.Diff(want, changes(plan)); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		wantCalls := []string{"events:PutRule", "lambda:UpdateEventSourceMapping", "s3:PutBucketNotificationConfiguration", "sns:SetSubscriptionAttributes"}
		got := cloud.Mutations()
		slices.Sort(got)
		if diff := cmp.Diff(wantCalls, got); diff != "" {
			t.Errorf("mutating calls (-want +got):\n%s", diff)
		}
		snap := cloud.Snapshot()
		if s := snap.Subscriptions[0]; s.FilterPolicy != "" {
			t.Errorf("filter policy not removed: %+v", s)
		}
		if m := snap.Mappings[1]; m.MaximumConcurrency != 0 || m.BatchSize != 10 {
			t.Errorf("worker mapping = %+v", m)
		}
		n, _ := cloud.BucketNotification("uploads")
		if len(n.QueueConfigurations) != 1 || len(n.TopicConfigurations) != 1 || len(n.LambdaFunctionConfigurations) != 2 || n.EventBridgeConfiguration == nil {
			t.Errorf("uploads lost configurations: %s", notificationJSON(t, n))
		}
		// Back as it was.
		if _, _, err := deploy(ctx, t, d, eventsProject(t), path); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(snap.Rules["default/savealife-dev-nightly"].Schedule, "cron(0 3 * * ? *)"); diff != "" {
			t.Errorf("schedule (-want +got):\n%s", diff)
		}
	})

	t.Run("delete leaves nothing, and the bucket as it was", func(t *testing.T) {
		recorded, err := deployer.LoadState(path)
		if err != nil {
			t.Fatal(err)
		}
		st, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path))
		if err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("left behind: %+v", cloud.Snapshot())
		}
		if len(st.Resources) != 0 {
			t.Errorf("state still records %v", st.Addresses())
		}
		n, _ := cloud.BucketNotification("uploads")
		if diff := cmp.Diff(notificationJSON(t, uploadsExisting()), notificationJSON(t, n)); diff != "" {
			t.Errorf("uploads notification (-seeded +after delete):\n%s", diff)
		}
		if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), nil); err != nil {
			t.Errorf("second delete: %v", err)
		}
	})
}

func notificationJSON(t *testing.T, n s3types.NotificationConfiguration) string {
	t.Helper()
	data, err := json.MarshalIndent(n, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestEventsCrashConsistency interrupts the first deploy of the events
// app at every mutating call — failed, answer lost, or cancelled — and
// deploys again: the result is a clean deploy's (nothing orphaned or
// duplicated, the bucket's other notifications kept), a third deploy
// changes nothing, and a delete leaves nothing.
func TestEventsCrashConsistency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref, dref := newEventsCloud()
	refPath := statePath(t)
	if _, _, err := deploy(ctx, t, dref, eventsProject(t), refPath); err != nil {
		t.Fatal(err)
	}
	steps := len(ref.Mutations())
	want := ref.Snapshot()
	refState, err := deployer.LoadState(refPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"fail", "lost answer", "cancel"} {
		for k := 1; k <= steps; k++ {
			t.Run(fmt.Sprintf("%s at %d", mode, k), func(t *testing.T) {
				t.Parallel()
				cloud, d := newEventsCloud()
				cloud.FailAt = k
				runCtx, cancel := context.WithCancel(ctx)
				defer cancel()
				switch mode {
				case "lost answer":
					cloud.FailAfterEffect = true
				case "cancel":
					cloud.OnFail = cancel
				}
				path := statePath(t)
				if _, _, err := deploy(runCtx, t, d, eventsProject(t), path); err == nil && mode == "cancel" {
					// A failed create that may have taken effect is
					// looked up and sent again (createOnce): the deploy
					// may then succeed.
					t.Fatalf("deploy interrupted at call %d succeeded", k)
				}
				cloud.FailAt = 0
				if _, _, err := deploy(ctx, t, d, eventsProject(t), path); err != nil {
					t.Fatalf("second deploy: %v", err)
				}
				if diff := cmp.Diff(want, cloud.Snapshot()); diff != "" {
					t.Errorf("AWS (-clean +got):\n%s", diff)
				}
				got, err := deployer.LoadState(path)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(stateShape(refState), stateShape(got)); diff != "" {
					t.Errorf("recorded state (-clean +got):\n%s", diff)
				}
				cloud.ResetCalls()
				if _, _, err := deploy(ctx, t, d, eventsProject(t), path); err != nil {
					t.Fatal(err)
				}
				if m := cloud.Mutations(); len(m) != 0 {
					t.Errorf("third deploy made mutating calls: %v", m)
				}
				got, err = deployer.LoadState(path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.Apply(ctx, deployer.PlanDestroy(got), nil); err != nil {
					t.Fatal(err)
				}
				if !cloud.Empty() {
					t.Errorf("delete left behind: %+v", cloud.Snapshot())
				}
			})
		}
	}
}

// TestEventsAdopted deploys the events app, loses the state file, and
// deploys again: every source resource is found and adopted, none
// duplicated.
func TestEventsAdopted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := newEventsCloud()
	if _, _, err := deploy(ctx, t, d, eventsProject(t), statePath(t)); err != nil {
		t.Fatal(err)
	}
	clean := cloud.Snapshot()
	other := statePath(t)
	cloud.ResetCalls()
	plan, _, err := deploy(ctx, t, d, eventsProject(t), other)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range plan.Changes {
		if c.Action != deployer.NoOp {
			t.Errorf("%s: %s, want adopted unchanged", c.Address, c.Action)
		}
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("mutating calls: %v", m)
	}
	if diff := cmp.Diff(clean, cloud.Snapshot()); diff != "" {
		t.Errorf("AWS (-clean +got):\n%s", diff)
	}
}

// TestEventsValidation reports bad event sources before any AWS call,
// all at once, each naming the function, the problem and the fix.
func TestEventsValidation(t *testing.T) {
	t.Parallel()
	edit := func(f func(p *deployer.Project)) *deployer.Project {
		p := eventsProject(t)
		f(p)
		return p
	}
	fn := func(p *deployer.Project, name string) *manifest.Function {
		for i := range p.Manifest.Functions {
			if p.Manifest.Functions[i].Name == name {
				return &p.Manifest.Functions[i]
			}
		}
		t.Fatalf("no function %s", name)
		return nil
	}
	for _, tc := range []struct {
		name string
		p    *deployer.Project
		want []deployer.Problem
	}{
		{"sources not set", edit(func(p *deployer.Project) {
			fn(p, "worker").SQS.Queue = ""
			fn(p, "clicks").Kinesis.Stream = ""
			fn(p, "notify").SNS.Topic = ""
			fn(p, "thumbs").S3.Bucket = ""
		}), []deployer.Problem{
			{Subject: "function clicks", Problem: "its Kinesis stream is empty: the app reads it from an environment variable that the stage does not set",
				Fix: "set it under stages.dev.lambda_functions.clicks.environment_variables in .chalice/config.json (the stream's name or ARN)"},
			{Subject: "function notify", Problem: "its SNS topic is empty: the app reads it from an environment variable that the stage does not set",
				Fix: "set it under stages.dev.lambda_functions.notify.environment_variables in .chalice/config.json (the topic's name or ARN)"},
			{Subject: "function thumbs", Problem: "its S3 bucket is empty: the app reads it from an environment variable that the stage does not set",
				Fix: "set it under stages.dev.lambda_functions.thumbs.environment_variables in .chalice/config.json (the bucket's name)"},
			{Subject: "function worker", Problem: "its SQS queue is empty: the app reads it from an environment variable that the stage does not set",
				Fix: "set it under stages.dev.lambda_functions.worker.environment_variables in .chalice/config.json (the queue's name or ARN)"},
		}},
		{"ARNs of the wrong service", edit(func(p *deployer.Project) {
			fn(p, "worker").SQS.Queue = "arn:aws:sns:us-east-1:123456789012:jobs"
			fn(p, "clicks").Kinesis.Stream = "arn:aws:kinesis:us-east-1:123456789012:clicks"
			fn(p, "notify").SNS.Topic = "arn:aws:sqs:us-east-1:123456789012:news"
			fn(p, "thumbs").S3.Bucket = "arn:aws:s3:::uploads/in"
			fn(p, "on_order").EventBridge.Bus = "arn:aws:events:us-east-1:123456789012:rule/orders"
		}), []deployer.Problem{
			{Subject: "function clicks", Problem: `"arn:aws:kinesis:us-east-1:123456789012:clicks" is not an Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<stream>)`, Fix: "name the stream, or give its ARN"},
			{Subject: "function notify", Problem: `"arn:aws:sqs:us-east-1:123456789012:news" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)`, Fix: "name the topic, or give its ARN"},
			{Subject: "function on_order", Problem: `"arn:aws:events:us-east-1:123456789012:rule/orders" is not an EventBridge event bus ARN`, Fix: "use arn:aws:events:<region>:<account>:event-bus/<bus>, or just the bus's name"},
			{Subject: "function thumbs", Problem: `"arn:aws:s3:::uploads/in" is not an S3 bucket ARN`, Fix: "use arn:aws:s3:::<bucket>, or just the bucket's name"},
			{Subject: "function worker", Problem: `"arn:aws:sns:us-east-1:123456789012:jobs" is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<queue>)`, Fix: "name the queue, or give its ARN"},
		}},
		{"settings out of range", edit(func(p *deployer.Project) {
			fn(p, "worker").SQS.MaximumConcurrency = 1
			fn(p, "worker").OnFailure = &manifest.OnFailure{Destination: "dlq", DestinationKind: manifest.DestinationSQS}
			fn(p, "clicks").OnFailure.MaximumRetryAttempts = intp(20000)
			fn(p, "nightly").OnFailure.MaximumAgeInSeconds = intp(30)
			fn(p, "notify").OnFailure = &manifest.OnFailure{Destination: "arn:aws:s3:::alerts", DestinationKind: manifest.DestinationSNS}
		}), []deployer.Problem{
			{Subject: "function clicks", Problem: "maximum retry attempts 20000 is out of range for a stream", Fix: "use -1 (forever) to 10000"},
			{Subject: "function nightly", Problem: "maximum event age 30s is out of range for asynchronous invocations", Fix: "use 60s to 6h"},
			{Subject: "function notify", Problem: `"arn:aws:s3:::alerts" is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)`,
				Fix: "name an SQS queue or SNS topic of the deploying account, or its ARN"},
			{Subject: "function worker", Problem: "a function of kind sqs cannot have a failure destination or retry limits",
				Fix: "give the queue a redrive policy (a dead-letter queue) instead: SQS sources do not take a failure destination"},
			{Subject: "function worker", Problem: "maximum concurrency 1 is out of range", Fix: "use 2 to 1000, or 0 for no limit"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud, d := newEventsCloud()
			_, err := d.PlanProject(context.Background(), tc.p, target, nil, nil)
			var verr *deployer.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			got := slices.Clone(verr.Problems)
			slices.SortStableFunc(got, func(a, b deployer.Problem) int { return strings.Compare(a.Subject, b.Subject) })
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if len(cloud.Calls()) != 0 {
				t.Errorf("AWS calls before validation passed: %v", cloud.Calls())
			}
		})
	}
}

// TestEventsPolicyFile checks policy files for the pull sources' and
// failure destinations' access: a file without it is a problem naming
// the file and the exact statement to add; one with it passes and is
// used as it is.
func TestEventsPolicyFile(t *testing.T) {
	t.Parallel()
	p := eventsProject(t)
	for _, s := range p.Settings {
		s.AutogenPolicy, s.IAMPolicyFile = false, ".chalice/policy-events.json"
		s.Policy = &iam.Policy{Version: iam.Version}
	}
	_, err := (&deployer.Deployer{}).PlanProject(context.Background(), p, target, nil, nil)
	var verr *deployer.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("err = %v, want a *ValidationError", err)
	}
	want := []deployer.Problem{
		{Subject: "function clicks (.chalice/policy-events.json)",
			Problem: "the policy does not allow sqs:SendMessage, which Lambda needs to send failed events to arn:aws:sqs:us-east-1:123456789012:clicks-dlq",
			Fix:     `add {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "arn:aws:sqs:us-east-1:123456789012:clicks-dlq"} to .chalice/policy-events.json`},
		{Subject: "function clicks (.chalice/policy-events.json)",
			Problem: "the policy does not allow kinesis:DescribeStream, kinesis:DescribeStreamSummary, kinesis:GetRecords, kinesis:GetShardIterator, kinesis:ListShards, which Lambda needs to read the stream arn:aws:kinesis:us-east-1:123456789012:stream/clicks",
			Fix:     `add {"Effect": "Allow", "Action": ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards"], "Resource": "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"} to .chalice/policy-events.json`},
		{Subject: "function nightly (.chalice/policy-events.json)",
			Problem: "the policy does not allow sns:Publish, which Lambda needs to send failed events to arn:aws:sns:us-east-1:123456789012:alerts",
			Fix:     `add {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": "arn:aws:sns:us-east-1:123456789012:alerts"} to .chalice/policy-events.json`},
		{Subject: "function worker (.chalice/policy-events.json)",
			Problem: "the policy does not allow sqs:DeleteMessage, sqs:GetQueueAttributes, sqs:ReceiveMessage, which Lambda needs to read the queue arn:aws:sqs:us-east-1:123456789012:jobs",
			Fix:     `add {"Effect": "Allow", "Action": ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"], "Resource": "arn:aws:sqs:us-east-1:123456789012:jobs"} to .chalice/policy-events.json`},
	}
	if diff := cmp.Diff(want, verr.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	// The statements the problems name are enough.
	for _, s := range p.Settings {
		s.Policy = iam.Merge(deployer.QueueReadPolicy("arn:aws:sqs:us-east-1:123456789012:jobs"),
			deployer.KinesisReadPolicy("arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
			deployer.FailureDestinationPolicy(manifest.DestinationSQS, "arn:aws:sqs:us-east-1:123456789012:clicks-dlq"),
			deployer.FailureDestinationPolicy(manifest.DestinationSNS, "arn:aws:sns:us-east-1:123456789012:alerts"))
	}
	if _, err := (&deployer.Deployer{}).PlanProject(context.Background(), p, target, nil, nil); err != nil {
		t.Errorf("with the statements: %v", err)
	}
}

// TestEventsInterruptedThenDeleted fails the first deploy at every
// mutating call and deletes the stage straight away, from what was
// recorded: what the interrupted deploy made and knows of (its answer
// was not lost) may not be left behind.
func TestEventsInterruptedThenDeleted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref, dref := newEventsCloud()
	if _, _, err := deploy(ctx, t, dref, eventsProject(t), statePath(t)); err != nil {
		t.Fatal(err)
	}
	for k := 1; k <= len(ref.Mutations()); k++ {
		t.Run(fmt.Sprintf("fail at %d", k), func(t *testing.T) {
			t.Parallel()
			cloud, d := newEventsCloud()
			cloud.FailAt = k
			path := statePath(t)
			// A failed create that may have taken effect is looked up and
			// sent again (createOnce): the deploy may then succeed, and
			// the delete below must remove all the same.
			_, _, _ = deploy(ctx, t, d, eventsProject(t), path)
			cloud.FailAt = 0
			got, err := deployer.LoadState(path)
			if err != nil {
				t.Fatal(err)
			}
			if got != nil {
				if _, err := d.Apply(ctx, deployer.PlanDestroy(got), nil); err != nil {
					t.Fatal(err)
				}
			}
			if !cloud.Empty() {
				t.Errorf("delete left behind: %+v", cloud.Snapshot())
			}
		})
	}
}

// TestEventsTopicOfAnotherRegion subscribes a function to a topic of
// another region (and account): SNS answers for a topic only in its own
// region, so every call about the subscription is made there.
func TestEventsTopicOfAnotherRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const topic = "arn:aws:sns:eu-west-1:999999999999:eu-news"
	cloud, d := newCloud()
	cloud.AddTopic(topic)
	cfg, err := stages.Load(savealifeDir)
	if err != nil {
		t.Fatal(err)
	}
	m := &manifest.Manifest{SchemaVersion: manifest.SchemaVersion, AppName: "savealife", Functions: []manifest.Function{
		{Name: "eu", Kind: manifest.KindSNS, Handler: manifest.Handler{Name: "main.eu", File: "main.go", Line: 1},
			SNS: &manifest.SNS{Topic: topic, FilterPolicy: `{"kind":["breaking"]}`}},
	}}
	m.Sort()
	p := project(t, cfg, m, "v1")
	for _, s := range p.Settings {
		s.AutogenPolicy, s.Policy, s.IAMPolicyFile = true, nil, ""
	}
	path := statePath(t)
	if _, _, err := deploy(ctx, t, d, p, path); err != nil {
		t.Fatal(err)
	}
	want := []fakeaws.SubscriptionSnapshot{{Topic: topic, Protocol: "lambda",
		Endpoint: "arn:aws:lambda:us-east-1:123456789012:function:savealife-dev-eu", FilterPolicy: `{"kind":["breaking"]}`}}
	if diff := cmp.Diff(want, cloud.Snapshot().Subscriptions); diff != "" {
		t.Errorf("subscriptions (-want +got):\n%s", diff)
	}
	cloud.ResetCalls()
	if _, _, err := deploy(ctx, t, d, p, path); err != nil {
		t.Fatal(err)
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("redeploy made mutating calls: %v", m)
	}
	got, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, deployer.PlanDestroy(got), nil); err != nil {
		t.Fatal(err)
	}
	if !cloud.Empty() {
		t.Errorf("delete left behind: %+v", cloud.Snapshot())
	}
}
