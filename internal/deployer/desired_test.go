package deployer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/openapi"
)

// TestValidation reports every problem of an app stage at once, before
// any AWS call.
func TestValidation(t *testing.T) {
	t.Parallel()
	p := savealife(t)
	p.Manifest.AppName = strings.Repeat("x", 61)
	for _, s := range p.Settings {
		s.LambdaFunctionName = strings.Replace(s.LambdaFunctionName, "savealife", p.Manifest.AppName, 1)
	}
	p2 := savealife(t)
	p2.Settings["handle_stream"].Policy = &iam.Policy{Version: iam.Version, Statement: []iam.Statement{{
		Effect: "Allow", Action: iam.Strings{"dynamodb:GetRecords"}, Resource: iam.Strings{"arn:aws:dynamodb:*:*:table/savealife-donors/stream/*"},
	}}}
	p3 := savealife(t)
	for i := range p3.Manifest.Functions {
		if f := &p3.Manifest.Functions[i]; f.DynamoDBStream != nil {
			f.DynamoDBStream.Stream = ""
		}
	}
	for _, tc := range []struct {
		name string
		p    *deployer.Project
		want []string // problem subjects
		fix  string   // a word the fixes name
	}{
		{"names over 64 characters", p, []string{"function api_handler", "function handle_stream"}, "shorten app_name"},
		{"stream policy without read access", p2, []string{"function handle_stream (.chalice/policy-handle-stream.json)"}, "dynamodb:ListStreams"},
		{"stream not set", p3, []string{"function handle_stream"}, "stages.dev.lambda_functions.handle_stream.environment_variables"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud, d := newCloud()
			_, err := d.PlanProject(context.Background(), tc.p, target, nil, nil)
			var verr *deployer.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			var got []string
			for _, pr := range verr.Problems {
				got = append(got, pr.Subject)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("subjects (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), tc.fix) {
				t.Errorf("error does not say %q:\n%v", tc.fix, err)
			}
			if len(cloud.Calls()) != 0 {
				t.Errorf("AWS calls before validation passed: %v", cloud.Calls())
			}
		})
	}
}

// TestMissingStreamAccess checks the least-privilege test of stream
// functions' policies.
func TestMissingStreamAccess(t *testing.T) {
	t.Parallel()
	const stream = "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026"
	all := []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", `dynamodb:ListStreams on "*"`}
	for _, tc := range []struct {
		name   string
		policy *iam.Policy
		want   []string
	}{
		{"empty", &iam.Policy{}, all},
		{"generated", deployer.StreamReadPolicy(stream), nil},
		{"wildcards", &iam.Policy{Statement: []iam.Statement{{Effect: "Allow", Action: iam.Strings{"dynamodb:*"}, Resource: iam.Strings{"*"}}}}, nil},
		{"other table", &iam.Policy{Statement: []iam.Statement{
			{Effect: "Allow", Action: iam.Strings{"dynamodb:Get*", "dynamodb:DescribeStream"}, Resource: iam.Strings{"arn:aws:dynamodb:*:*:table/u/stream/*"}},
			{Effect: "Allow", Action: iam.Strings{"dynamodb:ListStreams"}, Resource: iam.Strings{"*"}},
		}}, all[:3]},
		{"ListStreams scoped", &iam.Policy{Statement: []iam.Statement{
			{Effect: "Allow", Action: iam.Strings{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}, Resource: iam.Strings{"arn:aws:dynamodb:*:*:table/t/stream/*"}},
		}}, all[3:]},
		{"deny is not allow", &iam.Policy{Statement: []iam.Statement{{Effect: "Deny", Action: iam.Strings{"*"}, Resource: iam.Strings{"*"}}}}, all},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, deployer.MissingStreamAccess(tc.policy, stream)); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAutogenAndTableName deploys with autogen_policy and a stream named
// by its table: the table's latest stream is looked up, the role gets the
// stream statements scoped to it, and the plan warns that code analysis is
// not wired in.
func TestAutogenAndTableName(t *testing.T) {
	t.Parallel()
	cloud, d := newCloud()
	streamARN := cloud.AddTable("savealife-donors")
	p := savealife(t)
	for _, s := range p.Settings {
		s.AutogenPolicy, s.Policy, s.IAMPolicyFile = true, nil, ""
	}
	for i := range p.Manifest.Functions {
		if f := &p.Manifest.Functions[i]; f.DynamoDBStream != nil {
			f.DynamoDBStream.Stream = "savealife-donors"
		}
	}
	plan, _, err := deploy(context.Background(), t, d, p, statePath(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Warnings) != 1 || plan.Warnings[0] != deployer.AutogenWarning {
		t.Errorf("warnings = %q", plan.Warnings)
	}
	snap := cloud.Snapshot()
	if got := snap.Mappings[0].Source; got != streamARN {
		t.Errorf("mapping source = %s, want %s", got, streamARN)
	}
	pol, err := iam.Parse([]byte(snap.Roles["savealife-dev-handle_stream"].Policies["savealife-dev-handle_stream"]))
	if err != nil {
		t.Fatal(err)
	}
	if missing := deployer.MissingStreamAccess(pol, streamARN); missing != nil {
		t.Errorf("generated policy misses %v", missing)
	}
	if !strings.Contains(string(mustJSON(t, pol)), `"Resource":"`+streamARN+`"`) {
		t.Errorf("stream statement is not scoped to the stream:\n%s", mustJSON(t, pol))
	}
	if c := change(plan, "role:handle_stream"); !strings.Contains(c.Note, "autogen_policy") {
		t.Errorf("role note = %q", c.Note)
	}
}

func mustJSON(t *testing.T, p *iam.Policy) []byte {
	t.Helper()
	data, err := p.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.Join(strings.Fields(string(data)), ""))
}

// TestArtifactReproducible zips the same binary twice and gets the same
// bytes, with bootstrap executable.
func TestArtifactReproducible(t *testing.T) {
	t.Parallel()
	a, err := deployer.NewArtifact([]byte("binary"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := deployer.NewArtifact([]byte("binary"))
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Zip) != string(b.Zip) || a.SHA256 != b.SHA256 || a.SHA256 != deployer.CodeSHA256(a.Zip) {
		t.Errorf("two zips of one binary differ")
	}
}

// TestOpenAPIGolden pins savealife's REST API document: an aws_proxy
// integration per route, OPTIONS on CORS paths, path parameters, binary
// media types.
func TestOpenAPIGolden(t *testing.T) {
	t.Parallel()
	p := savealife(t)
	doc, err := openapi.REST(p.Manifest, openapi.RESTOptions{
		Title: "savealife-dev", Description: "gochalice app savealife, stage dev",
		FunctionARN: "arn:aws:lambda:us-east-1:123456789012:function:savealife-dev", Target: target,
	})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "savealife.openapi.json", doc)
}
