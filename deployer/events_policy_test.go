package deployer_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/deployer"
	"github.com/gochalice/gochalice/iam"
	"github.com/gochalice/gochalice/manifest"
)

// TestDeployerPolicyCoversEvents drives the deployer through the life of
// the events app — first deploy, unchanged redeploy, a change of every
// source's settings, the sweep of removed sources, delete — recording
// every call: each must be allowed by DeployerPolicy of the project and
// recorded state the step ran with, and every action those policies grant
// must be needed by some call.
func TestDeployerPolicyCoversEvents(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, _ := newEventsCloud()
	rec := newRecorder(cloud)
	d := fast(cloud)
	d.Clients = rec.clients()
	path := statePath(t)
	valid := iamActionValidator(t)

	changed := func() *deployer.Project {
		p := eventsProject(t)
		for i := range p.Manifest.Functions {
			switch f := &p.Manifest.Functions[i]; f.Name {
			case "notify":
				f.SNS = &manifest.SNS{Topic: "news"}
			case "worker":
				f.SQS = &manifest.SQS{Queue: "jobs", BatchSize: 10}
			case "thumbs":
				f.S3 = &manifest.S3{Bucket: "uploads", Events: []string{"s3:ObjectCreated:Put"}}
			case "nightly":
				f.Schedule = &manifest.Schedule{Expression: "rate(2 days)"}
				f.OnFailure.MaximumRetryAttempts = intp(2)
			}
		}
		return p
	}
	swept := func() *deployer.Project {
		p := changed()
		p.Manifest.Functions = slices.DeleteFunc(p.Manifest.Functions, func(f manifest.Function) bool {
			return f.Name == "notify" || f.Name == "thumbs" || f.Name == "nightly"
		})
		return p
	}

	used := map[string]bool{}
	var policies []*iam.Policy
	step := func(name string, p *deployer.Project, run func(t *testing.T, recorded *deployer.State)) {
		t.Run(name, func(t *testing.T) {
			recorded, err := deployer.LoadState(path)
			if err != nil {
				t.Fatal(err)
			}
			pol, err := deployer.DeployerPolicy(p, recorded, target)
			if err != nil {
				t.Fatal(err)
			}
			valid(t, pol)
			policies = append(policies, pol)
			cloud.ResetCalls()
			rec.take()
			run(t, recorded)
			calls := rec.take()
			if diff := cmp.Diff(callNames(cloud.Calls()), recordedNames(calls)); diff != "" {
				t.Errorf("the recorder missed calls the fake saw (-fake +recorder):\n%s", diff)
			}
			for _, c := range calls {
				for _, need := range c.Needs {
					if need.Action == "" {
						t.Errorf("%s.%s: no IAM action in operationActions", c.Service, c.Operation)
						continue
					}
					i := allowingStatement(pol, need)
					if i < 0 {
						t.Errorf("%s.%s needs %s, which the deployer policy does not allow", c.Service, c.Operation, need)
						continue
					}
					used[pol.Statement[i].Sid+" "+strings.ToLower(need.Action)] = true
				}
			}
		})
	}
	deployStep := func(p *deployer.Project) func(t *testing.T, _ *deployer.State) {
		return func(t *testing.T, _ *deployer.State) {
			if _, _, err := deploy(ctx, t, d, p, path); err != nil {
				t.Fatal(err)
			}
		}
	}
	step("first deploy", eventsProject(t), deployStep(eventsProject(t)))
	step("unchanged redeploy", eventsProject(t), deployStep(eventsProject(t)))
	step("settings changed", changed(), deployStep(changed()))
	step("sources removed", swept(), deployStep(swept()))
	step("delete", swept(), func(t *testing.T, recorded *deployer.State) {
		if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("after delete: %+v", cloud.Snapshot())
		}
	})

	// Every action the event sources' statements grant is one some call
	// needed (the others are TestDeployerPolicyCoversDeployer's).
	sources := []string{"ReadAndRevokeSourceInvoke", "LetSourcesInvoke", "ManageAsyncInvokeConfigs", "ManageRules", "ManageSubscriptions", "MergeBucketNotifications"}
	for _, pol := range policies {
		for _, st := range pol.Statement {
			if !slices.Contains(sources, st.Sid) {
				continue
			}
			for _, a := range st.Action {
				if !used[st.Sid+" "+strings.ToLower(a)] {
					t.Errorf("statement %s grants %s, which no call needed", st.Sid, a)
				}
			}
		}
	}
}

// TestDeployerPolicyEventsShape pins the statements of the events app's
// sources: each scoped to the app's rules, the topics and buckets it
// names, and the principals of its sources.
func TestDeployerPolicyEventsShape(t *testing.T) {
	t.Parallel()
	pol, err := deployer.DeployerPolicy(eventsProject(t), nil, target)
	if err != nil {
		t.Fatal(err)
	}
	iamActionValidator(t)(t, pol)
	data, err := pol.MarshalCanonical()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "events-deployer-policy.json", data)
}
