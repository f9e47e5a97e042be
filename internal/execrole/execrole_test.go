package execrole_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/execrole"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/manifest"
)

// TestPolicyShapes pins the statements the deployer grants (or checks a
// policy file for): their Sids, actions and resources.
func TestPolicyShapes(t *testing.T) {
	t.Parallel()
	tg := arn.NewTarget("us-east-1", "123456789012")
	sqs, _ := execrole.SendFailedEvents(manifest.DestinationSQS, "arn:aws:sqs:us-east-1:123456789012:dlq")
	sns, _ := execrole.SendFailedEvents(manifest.DestinationSNS, "arn:aws:sns:us-east-1:123456789012:alerts")
	got := execrole.Policy(append(execrole.ReadDynamoDBStream("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1"),
		execrole.FunctionLogs(tg, "shop-dev"),
		execrole.ReadQueue("arn:aws:sqs:us-east-1:123456789012:jobs"),
		execrole.ReadKinesisStream("arn:aws:kinesis:us-east-1:123456789012:stream/clicks"),
		sqs, sns, execrole.AttachToVPC())...)
	want := &iam.Policy{Version: iam.Version, Statement: []iam.Statement{
		{Sid: "ListStreams", Effect: "Allow", Action: iam.Strings{"dynamodb:ListStreams"}, Resource: iam.Strings{"*"}},
		{Sid: "ManageNetworkInterfaces", Effect: "Allow", Action: iam.Strings{"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface",
			"ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses"}, Resource: iam.Strings{"*"}},
		{Sid: "ReadKinesisStream", Effect: "Allow", Action: iam.Strings{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
			"kinesis:GetShardIterator", "kinesis:ListShards"}, Resource: iam.Strings{"arn:aws:kinesis:us-east-1:123456789012:stream/clicks"}},
		{Sid: "ReadQueue", Effect: "Allow", Action: iam.Strings{"sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
			Resource: iam.Strings{"arn:aws:sqs:us-east-1:123456789012:jobs"}},
		{Sid: "ReadStream", Effect: "Allow", Action: iam.Strings{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"},
			Resource: iam.Strings{"arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/1"}},
		{Sid: "SendFailedEvents", Effect: "Allow", Action: iam.Strings{"sns:Publish"}, Resource: iam.Strings{"arn:aws:sns:us-east-1:123456789012:alerts"}},
		{Sid: "SendFailedEvents", Effect: "Allow", Action: iam.Strings{"sqs:SendMessage"}, Resource: iam.Strings{"arn:aws:sqs:us-east-1:123456789012:dlq"}},
		{Sid: "WriteOwnLogs", Effect: "Allow", Action: iam.Strings{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
			Resource: iam.Strings{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shop-dev:*"}},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	if _, ok := execrole.SendFailedEvents("lambda", "arn:aws:lambda:us-east-1:1:function:f"); ok {
		t.Error("a failure destination of kind lambda has a need")
	}
}

// TestForStreamAndVPC covers what For takes from Options: a table's
// stream resolved by the caller or any stream of the table, and the VPC.
func TestForStreamAndVPC(t *testing.T) {
	t.Parallel()
	tg := arn.NewTarget("us-east-1", "123456789012")
	n := names.Stage{App: "shop", Stage: "dev"}.Function("stream")
	fn := manifest.Function{Name: "stream", Kind: manifest.KindDynamoDBStream, DynamoDBStream: &manifest.DynamoDBStream{Stream: "orders"}}
	resources := func(r execrole.Role) []string {
		var out []string
		for _, need := range r.Needs {
			out = append(out, need.Purpose.String()+" "+need.Resource)
		}
		return out
	}
	tests := []struct {
		name string
		o    execrole.Options
		want []string
	}{
		{"any stream of the table", execrole.Options{}, []string{
			"logs arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shop-dev-stream:*",
			"dynamodb-stream arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/*", "dynamodb-stream *"}},
		{"resolved stream, in a VPC", execrole.Options{VPC: true, StreamARN: func(table string) string { return "arn:s/" + table }}, []string{
			"logs arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/shop-dev-stream:*",
			"dynamodb-stream arn:s/orders", "dynamodb-stream *", "vpc *"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, resources(execrole.For(fn, n, tg, tc.o))); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
	unset := manifest.Function{Name: "q", Kind: manifest.KindSQS, SQS: &manifest.SQS{}}
	r := execrole.For(unset, n, tg, execrole.Options{})
	if q := r.Needs[1]; !q.Unknown || q.Resource != "*" {
		t.Errorf("an unset queue: %+v, want Unknown on \"*\"", q)
	}
}

// TestForReproducesPolicyGeneration checks For against gen-policy's
// explanations in internal/policygen's cases: every reason it gives for
// a baseline action (logs, event source, failure destination), and every
// note on a push source, is For's, and For has no other.
func TestForReproducesPolicyGeneration(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../policygen/testdata/cases/*.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skip("no policygen cases")
	}
	baseline := func(reason string) bool {
		return strings.HasPrefix(reason, "CloudWatch Logs for the function's log group on ") ||
			strings.HasPrefix(reason, "event source: ") || strings.HasPrefix(reason, "failure destination: ")
	}
	ran := 0
	for _, file := range files {
		archive := readTxtar(t, file)
		data, ok := archive["manifest.json"]
		if !ok {
			continue // a plain aws-lambda-go main package
		}
		m, err := manifest.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		want := parseExplain(archive["want/explain.txt"], baseline)
		stage := names.Stage{App: m.AppName, Stage: "dev"}
		got := map[string][]string{}
		for _, fn := range m.Functions {
			if _, explained := want[fn.Name]; !explained {
				continue
			}
			r := execrole.For(fn, stage.Function(fn.Name), arn.Template(), execrole.Options{})
			for _, need := range r.Needs {
				for _, a := range need.Actions {
					got[fn.Name] = append(got[fn.Name], a+": "+need.Reason+" on "+need.Resource)
				}
			}
			for _, n := range r.Notes {
				got[fn.Name] = append(got[fn.Name], "note: "+n)
			}
			slices.Sort(got[fn.Name])
		}
		ran++
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s (-policygen +For):\n%s", filepath.Base(file), diff)
		}
	}
	if ran == 0 {
		t.Error("no case with a manifest")
	}
}

// readTxtar splits a txtar archive into its files.
func readTxtar(t *testing.T, path string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	name := ""
	for line := range strings.Lines(string(data)) {
		if n, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "-- "); ok && strings.HasSuffix(n, " --") {
			name = strings.TrimSuffix(n, " --")
			files[name] = nil
			continue
		}
		if name != "" {
			files[name] = append(files[name], line...)
		}
	}
	return files
}

// parseExplain reads gen-policy's explanation ("function:", "  action",
// "    reason", "  note: ...") into "action: reason" and "note: ..."
// lines by function, keeping the reasons keep accepts.
func parseExplain(data []byte, keep func(string) bool) map[string][]string {
	out := map[string][]string{}
	fn, action := "", ""
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "  note: "):
			out[fn] = append(out[fn], strings.TrimPrefix(line, "  "))
		case strings.HasPrefix(line, "    "):
			if r := strings.TrimPrefix(line, "    "); keep(r) {
				out[fn] = append(out[fn], action+": "+r)
			}
		case strings.HasPrefix(line, "  "):
			action = strings.TrimPrefix(line, "  ")
		case strings.HasSuffix(line, ":"):
			fn = strings.TrimSuffix(line, ":")
			out[fn] = nil
		}
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}
