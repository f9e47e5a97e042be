package deployer_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/execrole"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
)

// TestRolesGrantTheBaseline checks that, with autogen_policy and no
// statements from the code, every role the deployer makes is exactly
// execrole.For's baseline: the one source of what execution roles need,
// which gen-policy explains.
func TestRolesGrantTheBaseline(t *testing.T) {
	t.Parallel()
	events := eventsProject(t)
	events.Settings["worker"].SubnetIDs = []string{"subnet-1"}
	// savealife has a DynamoDB stream source.
	stream := savealife(t)
	for _, s := range stream.Settings {
		s.AutogenPolicy, s.Policy, s.IAMPolicyFile = true, nil, ""
	}
	for _, p := range []*deployer.Project{events, stream} {
		checkBaseline(t, p)
	}
}

func checkBaseline(t *testing.T, p *deployer.Project) {
	t.Helper()
	d, err := deployer.BuildDesired(deployer.Input{Manifest: p.Manifest, Settings: p.Settings, Target: target, Code: p.Code})
	if err != nil {
		t.Fatal(err)
	}
	for _, fn := range p.Manifest.Functions {
		s := p.Settings[fn.Name]
		r, ok := d.Resource("role:" + fn.Name)
		if !ok {
			t.Fatalf("no role for %s", fn.Name)
		}
		got, err := iam.Parse([]byte(r.Role.Policy))
		if err != nil {
			t.Fatal(err)
		}
		role := execrole.For(fn, names.Stage{App: s.AppName, Stage: s.Stage}.Function(fn.Name), target,
			execrole.Options{VPC: len(s.SubnetIDs) > 0})
		if diff := cmp.Diff(execrole.Policy(role.Needs...), got.Canonical()); diff != "" {
			t.Errorf("role of %s (-execrole +deployer):\n%s", fn.Name, diff)
		}
	}
}
