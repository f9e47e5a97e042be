package deployer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
)

// The schema checker: scripts/cfn-validate.js checks templates against the
// CloudFormation and SAM resource schemas of the npm package
// @aws-cdk/aws-service-spec, which npm ci installs.
const (
	cfnValidator = "../../scripts/cfn-validate.js"
	cfnSpec      = "../../node_modules/@aws-cdk/aws-service-spec/db.json.gz"
)

// validateTemplates runs the schema checker on templates (by file name)
// and returns each one's problems. Without node or the npm package it
// skips the test, except in CI (CI set), where both must be there.
func validateTemplates(t *testing.T, templates map[string][]byte) map[string][]string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(cfnSpec)
	}
	if err != nil {
		msg := "the CloudFormation schema check needs Node.js and @aws-cdk/aws-service-spec (run npm ci at the repository root, as scripts/test.sh does): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	dir := t.TempDir()
	args := []string{cfnValidator, "--json"}
	for name, data := range templates {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, specSpelling(samReferences(t, data)), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, path)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(node, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 1) {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var byPath map[string][]string
	if err := json.Unmarshal(stdout.Bytes(), &byPath); err != nil {
		t.Fatalf("%s printed %q: %v", cfnValidator, stdout.String(), err)
	}
	out := map[string][]string{}
	for path, problems := range byPath {
		out[filepath.Base(path)] = problems
	}
	if (err == nil) != (countProblems(out) == 0) {
		t.Errorf("%s exited %v with %d problems", cfnValidator, err, countProblems(out))
	}
	return out
}

// specSpelling respells what the SAM transform reads under another name
// than @aws-cdk/aws-service-spec's SAM schema gives it: the VPC endpoints
// of an AWS::Serverless::Api's EndpointConfiguration are VPCEndpointIds
// to the transform (samtranslator's api_generator and its own schema,
// which ignore VpcEndpointIds) and VpcEndpointIds to the spec.
func specSpelling(data []byte) []byte {
	return bytes.ReplaceAll(data, []byte(`"VPCEndpointIds":`), []byte(`"VpcEndpointIds":`))
}

// samReferences resolves what the SAM transform resolves before
// CloudFormation sees the template and the schemas know nothing of: a
// {"Ref": "<Api>.Stage"} of an AWS::Serverless::Api becomes a Ref of the
// stage the transform makes, which here stands as the Api's StageName (the
// stage's name is what the Ref gives). A Ref to "<X>.Stage" of anything
// else is left for the checker to report.
func samReferences(t *testing.T, data []byte) []byte {
	t.Helper()
	var tpl map[string]any
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	stages := map[string]any{}
	resources, _ := tpl["Resources"].(map[string]any)
	for id, r := range resources {
		r, _ := r.(map[string]any)
		if r["Type"] != "AWS::Serverless::Api" && r["Type"] != "AWS::Serverless::HttpApi" {
			continue
		}
		if props, _ := r["Properties"].(map[string]any); props != nil && props["StageName"] != nil {
			stages[id+".Stage"] = props["StageName"]
		}
	}
	if len(stages) == 0 {
		return data
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["Ref"].(string); ok && len(v) == 1 && stages[ref] != nil {
				return stages[ref]
			}
			for k, e := range v {
				v[k] = walk(e)
			}
		case []any:
			for i, e := range v {
				v[i] = walk(e)
			}
		}
		return v
	}
	out, err := json.Marshal(walk(tpl))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func countProblems(m map[string][]string) int {
	n := 0
	for _, p := range m {
		n += len(p)
	}
	return n
}

// TestCloudFormationSchema validates the SAM templates of every variant
// of savealife, and a merged one, against the published resource schemas,
// and proves the check catches what it claims to: each deliberately
// broken template fails with the problem it was broken by, and only that.
func TestCloudFormationSchema(t *testing.T) {
	t.Parallel()
	templates := map[string][]byte{}
	var dev map[string]any
	for _, tc := range packageCases {
		tpl, err := newPackage(t, tc.project(t)).CloudFormation()
		if err != nil {
			t.Fatal(err)
		}
		if tc.name == "dev" {
			dev = tpl
		}
		templates[tc.name+".json"] = marshal(t, tpl)
	}
	merged, err := deployer.MergeTemplate(dev, []byte(`{
		"Resources": {
			"Donors": {"Type": "AWS::DynamoDB::Table", "Properties": {
				"TableName": "savealife-donors", "BillingMode": "PAY_PER_REQUEST",
				"AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
				"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
				"StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}},
			"HandleStreamEventSourceMapping": {"Properties": {"EventSourceArn": {"Fn::GetAtt": ["Donors", "StreamArn"]}}},
			"APIHandler": {"Properties": {"MemorySize": 512}}
		}
	}`), "merge.json")
	if err != nil {
		t.Fatal(err)
	}
	templates["merged.json"] = marshal(t, merged)

	broken := []struct {
		name  string
		edit  func(tpl map[string]any)
		wants string // the one problem the checker must report
	}{
		{"unknown type", func(tpl map[string]any) {
			res(tpl, "APIHandlerRole")["Type"] = "AWS::IAM::Rol"
		}, `Resources.APIHandlerRole.Type: unknown resource type "AWS::IAM::Rol"`},
		{"unknown property", func(tpl map[string]any) {
			props(tpl, "APIHandler")["MemorySizeMB"] = 128
		}, "Resources.APIHandler.Properties.MemorySizeMB: AWS::Serverless::Function has no property MemorySizeMB"},
		{"missing required property", func(tpl map[string]any) {
			delete(props(tpl, "HandleStreamEventSourceMapping"), "FunctionName")
		}, "Resources.HandleStreamEventSourceMapping.Properties: AWS::Lambda::EventSourceMapping requires the property FunctionName"},
		{"missing required nested property", func(tpl map[string]any) {
			delete(props(tpl, "APIHandlerRole")["Policies"].([]any)[0].(map[string]any), "PolicyName")
		}, "Resources.APIHandlerRole.Properties.Policies[0]: Policy requires the property PolicyName"},
		{"wrong type", func(tpl map[string]any) {
			props(tpl, "HandleStreamEventSourceMapping")["BatchSize"] = "fifty"
		}, `Resources.HandleStreamEventSourceMapping.Properties.BatchSize: want an integer, got "fifty"`},
		{"bad GetAtt attribute", func(tpl map[string]any) {
			props(tpl, "APIHandler")["Role"] = map[string]any{"Fn::GetAtt": []any{"APIHandlerRole", "Name"}}
		}, "Resources.APIHandler.Properties.Role.Fn::GetAtt: Fn::GetAtt: AWS::IAM::Role has no attribute Name (it has Arn, RoleId)"},
		{"bad GetAtt on a SAM resource", func(tpl map[string]any) {
			tpl["Outputs"].(map[string]any)["APIHandlerArn"].(map[string]any)["Value"] = map[string]any{"Fn::GetAtt": []any{"APIHandler", "FunctionArn"}}
		}, "Outputs.APIHandlerArn.Value.Fn::GetAtt: Fn::GetAtt: AWS::Serverless::Function (an AWS::Lambda::Function after the SAM transform) has no attribute FunctionArn"},
		{"Sub of an unknown name", func(tpl map[string]any) {
			props(tpl, "APIHandlerInvokePermission")["SourceArn"] = map[string]any{"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestApi}/*"}
		}, "Resources.APIHandlerInvokePermission.Properties.SourceArn.Fn::Sub: Ref to RestApi, which is not a parameter, a pseudo parameter or a resource of the template"},
		{"SAM without its transform", func(tpl map[string]any) {
			delete(tpl, "Transform")
			for _, name := range []string{"HandleStream", "RestAPI"} {
				res(tpl, name)["Type"] = "AWS::Lambda::Function"
				delete(res(tpl, name), "Properties")
				res(tpl, name)["Properties"] = map[string]any{"Code": map[string]any{"ZipFile": "x"}, "Role": "r"}
			}
		}, `Resources.APIHandler.Type: AWS::Serverless::Function needs "Transform": "AWS::Serverless-2016-10-31"`},
		{"value not allowed", func(tpl map[string]any) {
			res(tpl, "APIHandlerLogGroup")["Type"] = "AWS::Logs::LogGroup"
			res(tpl, "APIHandlerLogGroup")["Properties"] = map[string]any{"RetentionInDays": 42}
		}, "Resources.APIHandlerLogGroup.Properties.RetentionInDays: 42 is not one of the allowed values"},
		{"DependsOn nothing", func(tpl map[string]any) {
			res(tpl, "RestAPI")["DependsOn"] = []any{"ApiHandler"}
		}, "Resources.RestAPI.DependsOn: ApiHandler is not a resource of the template"},
	}
	for _, b := range broken {
		tpl := clone(t, dev)
		b.edit(tpl)
		templates["broken-"+strings.ReplaceAll(b.name, " ", "-")+".json"] = marshal(t, tpl)
	}

	got := validateTemplates(t, templates)
	for name := range templates {
		if _, ok := got[name]; !ok {
			t.Errorf("%s: not checked", name)
		}
	}
	for _, tc := range packageCases {
		if p := got[tc.name+".json"]; len(p) > 0 {
			t.Errorf("savealife %s: the template breaks the schema:\n%s", tc.name, strings.Join(p, "\n"))
		}
	}
	if p := got["merged.json"]; len(p) > 0 {
		t.Errorf("merged template breaks the schema:\n%s", strings.Join(p, "\n"))
	}
	for _, b := range broken {
		t.Run(b.name, func(t *testing.T) {
			p := got["broken-"+strings.ReplaceAll(b.name, " ", "-")+".json"]
			if len(p) != 1 || !strings.HasPrefix(p[0], b.wants) {
				t.Errorf("problems:\n%s\nwant one, starting %q", strings.Join(p, "\n"), b.wants)
			}
		})
	}
}

// TestCloudFormationSchemaGolden checks the golden SAM templates, the
// files a reader compares with.
func TestCloudFormationSchemaGolden(t *testing.T) {
	t.Parallel()
	templates := map[string][]byte{}
	for _, name := range []string{"savealife.sam.json", "savealife-tables.sam.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		templates[name] = data
	}
	got := validateTemplates(t, templates)
	want := map[string][]string{"savealife.sam.json": {}, "savealife-tables.sam.json": {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func res(tpl map[string]any, logical string) map[string]any {
	rs := tpl["Resources"].(map[string]any)
	r, ok := rs[logical].(map[string]any)
	if !ok {
		r = map[string]any{}
		rs[logical] = r
	}
	return r
}

func props(tpl map[string]any, logical string) map[string]any {
	return res(tpl, logical)["Properties"].(map[string]any)
}

// clone deep-copies a template into plain JSON values.
func clone(t *testing.T, tpl map[string]any) map[string]any {
	t.Helper()
	var out map[string]any
	remarshal(t, tpl, &out)
	return out
}
