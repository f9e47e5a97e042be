package policygen_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/iamdata"
	"github.com/gochalice/gochalice/internal/policygen/internal/awsdata"
)

// iamDataDir is where `npm ci` puts AWS's published IAM action list.
var iamDataDir = filepath.Join("..", "..", iamdata.Dir)

// iamActions loads AWS's published IAM action list: "prefix:Action" ->
// true. It skips the test when the list is absent.
func iamActions(tb testing.TB) map[string]bool {
	tb.Helper()
	actions, err := iamdata.Load(filepath.Join("..", ".."))
	if errors.Is(err, os.ErrNotExist) {
		tb.Skip(err)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return actions
}

// iamValidator returns a check that a generated policy has no wildcard
// action and only actions AWS defines.
func iamValidator(t *testing.T) func(*testing.T, string, *iam.Policy) {
	var once sync.Once
	var actions map[string]bool
	var skip bool
	return func(t *testing.T, fn string, p *iam.Policy) {
		t.Helper()
		once.Do(func() {
			if _, err := os.Stat(iamDataDir); err != nil {
				skip = true
				return
			}
			actions = iamActions(t)
		})
		for i, st := range p.Statement {
			if len(st.NotAction) > 0 {
				t.Errorf("%s: Statement[%d] uses NotAction", fn, i)
			}
			for _, a := range st.Action {
				if a == "*" || strings.HasSuffix(a, ":*") || strings.Contains(a, "*") {
					t.Errorf("%s: Statement[%d]: wildcard action %q", fn, i, a)
				}
				if !skip && !actions[a] {
					t.Errorf("%s: Statement[%d]: %q is not an action AWS defines", fn, i, a)
				}
			}
		}
	}
}

// TestTableActionsExist checks every action of the operation table against
// AWS's published IAM action list.
func TestTableActionsExist(t *testing.T) {
	actions := iamActions(t)
	table, err := awsdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	all := table.Actions()
	if len(all) < 500 {
		t.Errorf("table has %d actions, want the full data set", len(all))
	}
	for _, a := range all {
		if !actions[a] {
			t.Errorf("%s is not in the IAM action list", a)
		}
	}
}

// TestTableExceptions pins the operations whose IAM action is not
// <prefix>:<Operation>.
func TestTableExceptions(t *testing.T) {
	table, err := awsdata.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		svc, op string
		want    string
	}{
		{"s3", "ListObjectsV2", "s3:ListBucket"},
		{"s3", "HeadObject", "s3:GetObject"},
		{"s3", "DeleteObjects", "s3:DeleteObject"},
		{"s3", "ListBuckets", "s3:ListAllMyBuckets"},
		{"lambda", "Invoke", "lambda:InvokeFunction"},
		{"sqs", "SendMessageBatch", "sqs:SendMessage"},
		{"sns", "PublishBatch", "sns:Publish"},
		{"dynamodb", "TransactWriteItems", "dynamodb:ConditionCheckItem,dynamodb:DeleteItem,dynamodb:PutItem,dynamodb:UpdateItem"},
		{"dynamodbstreams", "GetRecords", "dynamodb:GetRecords"},
		{"eventbridge", "PutEvents", "events:PutEvents"},
		{"cloudwatchevents", "PutEvents", "events:PutEvents"},
		{"cloudwatch", "PutMetricData", "cloudwatch:PutMetricData"},
		{"dynamodb", "GetItem", "dynamodb:GetItem"},
	}
	for _, tc := range tests {
		t.Run(tc.svc+"."+tc.op, func(t *testing.T) {
			t.Parallel()
			got, known := table.Operation(tc.svc, tc.op)
			if !known {
				t.Fatalf("%s.%s not in the table", tc.svc, tc.op)
			}
			if diff := cmp.Diff(tc.want, strings.Join(got, ",")); diff != "" {
				t.Errorf("actions (-want +got):\n%s", diff)
			}
		})
	}
}
