package arn_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/arn"
)

func TestBuilders(t *testing.T) {
	t.Parallel()
	real := arn.NewTarget("eu-west-1", "123456789012")
	tpl := arn.Template()
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"function by name", real.Function("shop-dev"), "arn:aws:lambda:eu-west-1:123456789012:function:shop-dev"},
		{"function by ARN", real.Function("arn:aws:lambda:us-east-1:1:function:x"), "arn:aws:lambda:us-east-1:1:function:x"},
		{"role", real.Role("shop-dev-api_handler"), "arn:aws:iam::123456789012:role/shop-dev-api_handler"},
		{"log group", real.LogGroup(arn.FunctionLogGroupName("shop-dev")), "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/shop-dev:*"},
		{"table", real.Table("orders"), "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"},
		{"table by ARN", real.Table("arn:aws:dynamodb:us-east-1:1:table/t"), "arn:aws:dynamodb:us-east-1:1:table/t"},
		{"table index", real.TableIndex("orders", "by-day"), "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/by-day"},
		{"any stream of a table", tpl.TableStream("orders", "*"), "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders/stream/*"},
		{"queue by name", real.Queue("jobs"), "arn:aws:sqs:eu-west-1:123456789012:jobs"},
		{"queue by ARN", real.Queue("arn:aws:sqs:us-east-1:210987654321:audit"), "arn:aws:sqs:us-east-1:210987654321:audit"},
		{"queue by URL", tpl.Queue("https://sqs.eu-west-1.amazonaws.com/123456789012/legacy"), "arn:${AWS::Partition}:sqs:eu-west-1:123456789012:legacy"},
		{"queue by legacy URL", real.Queue("https://us-west-2.queue.amazonaws.com/210987654321/old"), "arn:aws:sqs:us-west-2:210987654321:old"},
		{"queue URL without account", real.Queue("https://sqs.eu-west-1.amazonaws.com/jobs"), "arn:aws:sqs:eu-west-1:123456789012:jobs"},
		{"topic", real.Topic("news"), "arn:aws:sns:eu-west-1:123456789012:news"},
		{"kinesis stream", tpl.KinesisStream("clicks"), "arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/clicks"},
		{"delivery stream", real.DeliveryStream("logs"), "arn:aws:firehose:eu-west-1:123456789012:deliverystream/logs"},
		{"bucket", tpl.Bucket("t-invoices"), "arn:${AWS::Partition}:s3:::t-invoices"},
		{"bucket by ARN", real.Bucket("arn:aws:s3:::b"), "arn:aws:s3:::b"},
		{"default bus", real.Bus(""), "arn:aws:events:eu-west-1:123456789012:event-bus/default"},
		{"bus", tpl.Bus("orders"), "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/orders"},
		{"rule on the default bus", real.Rule("default", "shop-dev-nightly"), "arn:aws:events:eu-west-1:123456789012:rule/shop-dev-nightly"},
		{"rule on a bus", real.Rule("orders", "shop-dev-on_order"), "arn:aws:events:eu-west-1:123456789012:rule/orders/shop-dev-on_order"},
		{"secret", real.Secret("db"), "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-??????"},
		{"parameter", real.Parameter("/app/key"), "arn:aws:ssm:eu-west-1:123456789012:parameter/app/key"},
		{"execute-api", tpl.ExecuteAPI(arn.APIIDPlaceholder) + "/authorizers/*", "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:{api_id}/authorizers/*"},
		{"REST API", real.APIGateway("/restapis/abc"), "arn:aws:apigateway:eu-west-1::/restapis/abc"},
		{"invocation URI", real.InvocationURI(real.Function("f")), "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:f/invocations"},
		{"China", arn.NewTarget("cn-north-1", "1").Role("r"), "arn:aws-cn:iam::1:role/r"},
		{"GovCloud", arn.NewTarget("us-gov-west-1", "1").Function("f"), "arn:aws-us-gov:lambda:us-gov-west-1:1:function:f"},
		{"unknown account", arn.NewTarget("us-east-1", "").Topic("t"), "arn:aws:sns:us-east-1:<account>:t"},
		{"resolve", real.Resolve(tpl.Topic("t")), "arn:aws:sns:eu-west-1:123456789012:t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %s, want %s", tc.got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want arn.Parts
		ok   bool
	}{
		{"arn:aws:events:us-east-1:1:event-bus/orders", arn.Parts{Partition: "aws", Service: "events", Region: "us-east-1", Account: "1", Resource: "event-bus/orders"}, true},
		{"arn:aws:logs:r:a:log-group:/aws/lambda/x:*", arn.Parts{Partition: "aws", Service: "logs", Region: "r", Account: "a", Resource: "log-group:/aws/lambda/x:*"}, true},
		{"arn:aws:s3:::b", arn.Parts{Partition: "aws", Service: "s3", Resource: "b"}, true},
		{"jobs", arn.Parts{}, false},
		{"arn:aws:sqs", arn.Parts{}, false},
		{"urn:aws:sqs:r:a:q", arn.Parts{}, false},
	}
	for _, tc := range tests {
		got, ok := arn.Parse(tc.in)
		if ok != tc.ok {
			t.Errorf("Parse(%q) ok = %v, want %v", tc.in, ok, tc.ok)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("Parse(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}
