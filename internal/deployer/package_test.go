package deployer_test

import (
	"context"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/iam"
)

// packageCase is a variant of savealife to package.
type packageCase struct {
	name string
	// golden is the file stem under testdata, "" for none.
	golden string
	edit   func(p *deployer.Project)
}

// packageCases are savealife's dev stage as configured (policy files, a
// stream ARN) and a variant with what the other paths need: autogen
// policies, a stream named by its table, a log retention, a pre-made role.
var packageCases = []packageCase{
	{name: "dev", golden: "savealife"},
	{name: "tables", golden: "savealife-tables", edit: func(p *deployer.Project) {
		for _, s := range p.Settings {
			s.AutogenPolicy, s.Policy, s.IAMPolicyFile = true, nil, ""
			s.LogRetentionInDays = 14
		}
		for i := range p.Manifest.Functions {
			if f := &p.Manifest.Functions[i]; f.DynamoDBStream != nil {
				f.DynamoDBStream.Stream = "savealife-donors"
			}
		}
	}},
	{name: "pre-made role", edit: func(p *deployer.Project) {
		s := p.Settings["api_handler"]
		s.ManageIAMRole, s.IAMRoleARN = false, "arn:aws:iam::123456789012:role/existing"
	}},
}

func (tc packageCase) project(t *testing.T) *deployer.Project {
	p := savealife(t)
	if tc.edit != nil {
		tc.edit(p)
	}
	return p
}

func newPackage(t *testing.T, p *deployer.Project) *deployer.Package {
	t.Helper()
	pk, err := deployer.NewPackage(context.Background(), p, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

func marshal(t *testing.T, tpl map[string]any) []byte {
	t.Helper()
	data, err := deployer.MarshalTemplate(tpl)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestPackageGolden pins savealife's SAM template and Terraform
// configuration.
func TestPackageGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range packageCases {
		if tc.golden == "" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			pk := newPackage(t, tc.project(t))
			for _, f := range []struct{ format, suffix string }{
				{deployer.FormatCloudFormation, ".sam.json"},
				{deployer.FormatTerraform, ".tf.json"},
			} {
				tpl, err := pk.Template(f.format)
				if err != nil {
					t.Fatal(err)
				}
				golden(t, tc.golden+f.suffix, marshal(t, tpl))
			}
		})
	}
}

// templateResource is one resource of a template, as the resource-set
// comparison sees it.
type templateResource struct {
	Type, Name string
	// Addresses are the desired-state addresses it stands for.
	Addresses []string
}

// cfnResources lists the resources of a SAM template.
func cfnResources(t *testing.T, tpl map[string]any) []templateResource {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Type     string
			Metadata map[string][]string
		}
	}
	remarshal(t, tpl, &doc)
	var out []templateResource
	for name, r := range doc.Resources {
		out = append(out, templateResource{Type: r.Type, Name: name, Addresses: r.Metadata[deployer.AddressesMetadataKey]})
	}
	sortResources(out)
	return out
}

// tfResources lists the resource blocks of a Terraform configuration.
func tfResources(t *testing.T, tpl map[string]any) []templateResource {
	t.Helper()
	var doc struct {
		Resource map[string]map[string]map[string]any
	}
	remarshal(t, tpl, &doc)
	var out []templateResource
	for typ, blocks := range doc.Resource {
		for name, b := range blocks {
			comment, _ := b["//"].(string)
			out = append(out, templateResource{Type: typ, Name: name, Addresses: strings.Fields(strings.TrimPrefix(comment, "gochalice "))})
		}
	}
	sortResources(out)
	return out
}

func remarshal(t *testing.T, in, out any) {
	t.Helper()
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
}

func sortResources(rs []templateResource) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Type != rs[j].Type {
			return rs[i].Type < rs[j].Type
		}
		return rs[i].Name < rs[j].Name
	})
}

// Which template resources stand for a desired resource of each type.
var (
	cfnTypes = map[deployer.ResourceType][]string{
		deployer.TypeRole:               {"AWS::IAM::Role"},
		deployer.TypeFunction:           {"AWS::Serverless::Function"},
		deployer.TypeLogGroup:           {"AWS::Logs::LogGroup"},
		deployer.TypeEventSourceMapping: {"AWS::Lambda::EventSourceMapping"},
		deployer.TypeRestAPI:            {"AWS::Serverless::Api"},
		deployer.TypeDeployment:         {"AWS::Serverless::Api"}, // its StageName
		deployer.TypePermission:         {"AWS::Lambda::Permission"},
	}
	tfTypes = map[deployer.ResourceType][]string{
		deployer.TypeRole:               {"aws_iam_role", "aws_iam_role_policy"},
		deployer.TypeFunction:           {"aws_lambda_function"},
		deployer.TypeLogGroup:           {"aws_cloudwatch_log_group"},
		deployer.TypeEventSourceMapping: {"aws_lambda_event_source_mapping"},
		deployer.TypeRestAPI:            {"aws_api_gateway_rest_api"},
		deployer.TypeDeployment:         {"aws_api_gateway_deployment", "aws_api_gateway_stage"},
		deployer.TypePermission:         {"aws_lambda_permission"},
	}
)

// TestPackageMatchesDeploy proves that package and deploy make the same
// resources: deploy's plan for a first deploy of each variant of
// savealife, mapped resource by resource, is exactly what the SAM
// template and the Terraform configuration define — nothing missing,
// nothing extra — and for savealife's dev stage the templates hold the
// listed (type, logical name) pairs.
func TestPackageMatchesDeploy(t *testing.T) {
	t.Parallel()
	wantDev := map[string][]templateResource{
		deployer.FormatCloudFormation: {
			{"AWS::IAM::Role", "APIHandlerRole", []string{"role:api_handler"}},
			{"AWS::IAM::Role", "HandleStreamRole", []string{"role:handle_stream"}},
			{"AWS::Lambda::EventSourceMapping", "HandleStreamEventSourceMapping", []string{"esm:handle_stream"}},
			{"AWS::Lambda::Permission", "APIHandlerInvokePermission", []string{"permission:api_handler"}},
			{"AWS::Serverless::Api", "RestAPI", []string{"deployment:api", "rest_api"}},
			{"AWS::Serverless::Function", "APIHandler", []string{"function:api_handler"}},
			{"AWS::Serverless::Function", "HandleStream", []string{"function:handle_stream"}},
		},
		deployer.FormatTerraform: {
			{"aws_api_gateway_deployment", "rest_api", []string{"deployment:api"}},
			{"aws_api_gateway_rest_api", "rest_api", []string{"rest_api"}},
			{"aws_api_gateway_stage", "rest_api", []string{"deployment:api"}},
			{"aws_iam_role", "api_handler", []string{"role:api_handler"}},
			{"aws_iam_role", "handle_stream", []string{"role:handle_stream"}},
			{"aws_iam_role_policy", "api_handler", []string{"role:api_handler"}},
			{"aws_iam_role_policy", "handle_stream", []string{"role:handle_stream"}},
			{"aws_lambda_event_source_mapping", "handle_stream", []string{"esm:handle_stream"}},
			{"aws_lambda_function", "api_handler", []string{"function:api_handler"}},
			{"aws_lambda_function", "handle_stream", []string{"function:handle_stream"}},
			{"aws_lambda_permission", "api_handler", []string{"permission:api_handler"}},
		},
	}
	for _, tc := range packageCases {
		t.Run(tc.name, func(t *testing.T) {
			// What deploy would create: its plan against nothing.
			plan, err := (&deployer.Deployer{}).PlanProject(context.Background(), tc.project(t), target, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			deployed := map[string]deployer.ResourceType{}
			for _, c := range plan.Changes {
				if c.Action != deployer.Create {
					t.Fatalf("a first deploy %s %s", c.Action, c.Address)
				}
				deployed[c.Address] = c.Type
			}
			pk := newPackage(t, tc.project(t))
			for _, f := range []struct {
				format string
				list   func(*testing.T, map[string]any) []templateResource
				types  map[deployer.ResourceType][]string
			}{
				{deployer.FormatCloudFormation, cfnResources, cfnTypes},
				{deployer.FormatTerraform, tfResources, tfTypes},
			} {
				tpl, err := pk.Template(f.format)
				if err != nil {
					t.Fatal(err)
				}
				got := f.list(t, tpl)
				// Every template resource stands for deploy resources of a
				// matching type; every deploy resource has all its template
				// resources.
				covered := map[string][]string{}
				for _, r := range got {
					if len(r.Addresses) == 0 {
						t.Errorf("%s: %s %s stands for no resource of deploy", f.format, r.Type, r.Name)
					}
					for _, a := range r.Addresses {
						typ, ok := deployed[a]
						if !ok {
							t.Errorf("%s: %s %s stands for %s, which deploy does not create", f.format, r.Type, r.Name, a)
							continue
						}
						if !slices.Contains(f.types[typ], r.Type) {
							t.Errorf("%s: %s (%s) is a %s, want one of %v", f.format, a, typ, r.Type, f.types[typ])
						}
						covered[a] = append(covered[a], r.Type)
					}
				}
				for a, typ := range deployed {
					have := slices.Sorted(slices.Values(covered[a]))
					want := slices.Sorted(slices.Values(f.types[typ]))
					if !slices.Equal(have, want) {
						t.Errorf("%s: deploy's %s (%s) is %v in the template, want %v", f.format, a, typ, have, want)
					}
				}
				if tc.name == "dev" {
					if diff := cmp.Diff(wantDev[f.format], got); diff != "" {
						t.Errorf("%s resources (-want +got):\n%s", f.format, diff)
					}
				}
			}
		})
	}
}

// TestPackageParameters makes a parameter of a stream named by its table,
// and warns that a policy file cannot be checked against it.
func TestPackageParameters(t *testing.T) {
	t.Parallel()
	p := savealife(t)
	for i := range p.Manifest.Functions {
		if f := &p.Manifest.Functions[i]; f.DynamoDBStream != nil {
			f.DynamoDBStream.Stream = "savealife-donors"
		}
	}
	pk := newPackage(t, p)
	want := []deployer.StreamParameter{{Name: "SavealifeDonorsStreamArn", Variable: "savealife_donors_stream_arn", Table: "savealife-donors", Functions: []string{"handle_stream"}}}
	if diff := cmp.Diff(want, pk.Parameters); diff != "" {
		t.Errorf("parameters (-want +got):\n%s", diff)
	}
	m, _ := pk.Desired.Resource("esm:handle_stream")
	if m.Mapping.EventSourceARN != "${SavealifeDonorsStreamArn}" {
		t.Errorf("mapping source = %q", m.Mapping.EventSourceARN)
	}
	if len(pk.Warnings) != 1 || !strings.Contains(pk.Warnings[0], ".chalice/policy-handle-stream.json cannot be checked") {
		t.Errorf("warnings = %q", pk.Warnings)
	}
}

// TestPackageEscaping keeps user text literal: "${...}" in environment
// variables and policies is not filled in by CloudFormation's Fn::Sub or
// Terraform's interpolation.
func TestPackageEscaping(t *testing.T) {
	t.Parallel()
	p := savealife(t)
	s := p.Settings["api_handler"]
	s.EnvironmentVariables["GREETING"] = "${name} at 100%{x}"
	s.Policy = &iam.Policy{Version: iam.Version, Statement: []iam.Statement{{
		Sid: "Home", Effect: "Allow", Action: iam.Strings{"s3:GetObject"},
		Resource: iam.Strings{"arn:${AWS::Partition}:s3:::bucket/${aws:username}/*"},
	}}}
	pk := newPackage(t, p)
	cfn, err := pk.CloudFormation()
	if err != nil {
		t.Fatal(err)
	}
	tf, err := pk.Terraform()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		tpl  map[string]any
		want []string
	}{
		{"cloudformation", cfn, []string{
			`"GREETING": "${name} at 100%{x}"`,
			`"Fn::Sub": "arn:${AWS::Partition}:s3:::bucket/${!aws:username}/*"`,
		}},
		{"terraform", tf, []string{
			`"GREETING": "$${name} at 100%%{x}"`,
			`arn:${data.aws_partition.chalice.partition}:s3:::bucket/$${aws:username}/*`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(strings.Fields(string(marshal(t, tc.tpl))), " ")
			for _, w := range tc.want {
				if !strings.Contains(got, strings.Join(strings.Fields(w), " ")) {
					t.Errorf("template lacks %s", w)
				}
			}
		})
	}
}

// TestMergeTemplate merges fragments as chalice package --merge-template
// does, null removing keys.
func TestMergeTemplate(t *testing.T) {
	t.Parallel()
	base := map[string]any{
		"Resources": map[string]any{
			"APIHandler": map[string]any{"Type": "AWS::Serverless::Function", "Properties": map[string]any{"MemorySize": 128, "Tags": map[string]string{"a": "1"}}},
		},
		"Outputs": map[string]any{"EndpointURL": map[string]any{"Value": "x"}},
	}
	for _, tc := range []struct {
		name, fragment string
		want           string // JSON
		err            string
	}{
		{
			name:     "override and add",
			fragment: `{"Resources": {"APIHandler": {"Properties": {"MemorySize": 512, "Tags": {"b": "2"}}}, "Table": {"Type": "AWS::DynamoDB::Table"}}}`,
			want:     `{"Outputs":{"EndpointURL":{"Value":"x"}},"Resources":{"APIHandler":{"Properties":{"MemorySize":512,"Tags":{"a":"1","b":"2"}},"Type":"AWS::Serverless::Function"},"Table":{"Type":"AWS::DynamoDB::Table"}}}`,
		},
		{
			name:     "null removes",
			fragment: `{"Outputs": null, "Resources": {"APIHandler": {"Properties": {"Tags": null}}}}`,
			want:     `{"Resources":{"APIHandler":{"Properties":{"MemorySize":128},"Type":"AWS::Serverless::Function"}}}`,
		},
		{name: "invalid JSON", fragment: "{\n  \"Resources\": {,}\n}", err: "extra.json: invalid JSON at line 2, column 17"},
		{name: "not an object", fragment: `["Resources"]`, err: "extra.json: the fragment is a JSON array"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := deployer.MergeTemplate(base, []byte(tc.fragment), "extra.json")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(got)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(data)); diff != "" {
				t.Errorf("merged (-want +got):\n%s", diff)
			}
		})
	}
	if _, ok := base["Outputs"]; !ok {
		t.Errorf("MergeTemplate changed its input")
	}
}
