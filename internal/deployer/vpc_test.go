package deployer_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
)

// TestVPCRoleManagesNetworkInterfaces deploys functions attached to a VPC,
// once by the stage's settings (every function) and once by one function's:
// Lambda creates a VPC function only if its role may manage the network
// interfaces it makes in the subnets (issue 13 item 4), so each VPC
// function's managed role allows them, and a function outside the VPC does
// not get them.
func TestVPCRoleManagesNetworkInterfaces(t *testing.T) {
	t.Parallel()
	want := []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
		"ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"}
	const vpc = `"subnet_ids": ["subnet-0abc"], "security_group_ids": ["sg-0abc"]`
	for _, tc := range []struct {
		name, config string
		inVPC        map[string]bool
	}{
		{"app-wide", `{"version": "2.0", "app_name": "savealife", "stages": {"dev": {"autogen_policy": true, ` + vpc + `}}}`,
			map[string]bool{"api_handler": true, "handle_stream": true}},
		{"per function", `{"version": "2.0", "app_name": "savealife", "stages": {"dev": {"autogen_policy": true,
			"lambda_functions": {"handle_stream": {` + vpc + `}}}}}`,
			map[string]bool{"handle_stream": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := stages.LoadFS(fstest.MapFS{stages.ConfigFile: {Data: []byte(tc.config)}})
			if err != nil {
				t.Fatal(err)
			}
			cloud, d := newCloud()
			cloud.AddTable("savealife-donors")
			p := project(t, cfg, savealife(t).Manifest, "v1")
			for i := range p.Manifest.Functions {
				if f := &p.Manifest.Functions[i]; f.DynamoDBStream != nil {
					f.DynamoDBStream.Stream = "savealife-donors"
				}
			}
			if _, _, err := deploy(context.Background(), t, d, p, statePath(t)); err != nil {
				t.Fatal(err)
			}
			snap := cloud.Snapshot()
			for _, fn := range p.Manifest.Functions {
				name := "savealife-dev-" + fn.Name
				pol, err := iam.Parse([]byte(snap.Roles[name].Policies[name]))
				if err != nil {
					t.Fatalf("role of %s: %v", fn.Name, err)
				}
				doc := string(mustJSON(t, pol))
				for _, a := range want {
					if got := strings.Contains(doc, `"`+a+`"`); got != tc.inVPC[fn.Name] {
						t.Errorf("role of %s allows %s: %v, want %v\n%s", fn.Name, a, got, tc.inVPC[fn.Name], doc)
					}
				}
			}
		})
	}
}
