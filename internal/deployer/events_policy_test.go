package deployer_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gochalice/gochalice/internal/deployer"
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

	run := newPolicyRun(t, cloud, rec, path)
	deployStep := func(p *deployer.Project) func(t *testing.T, _ *deployer.State) {
		return func(t *testing.T, _ *deployer.State) {
			if _, _, err := deploy(ctx, t, d, p, path); err != nil {
				t.Fatal(err)
			}
		}
	}
	run.step(t, "first deploy", eventsProject(t), deployStep(eventsProject(t)))
	run.step(t, "unchanged redeploy", eventsProject(t), deployStep(eventsProject(t)))
	run.step(t, "settings changed", changed(), deployStep(changed()))
	run.step(t, "sources removed", swept(), deployStep(swept()))
	run.step(t, "sources added again", eventsProject(t), deployStep(eventsProject(t)))
	// A delete after a deploy killed before it recorded its rules: they
	// are found by name and tags.
	run.step(t, "delete", eventsProject(t), func(t *testing.T, recorded *deployer.State) {
		orphaned := recorded.Clone()
		for addr, rs := range orphaned.Resources {
			if rs.Type == deployer.TypeRule {
				delete(orphaned.Resources, addr)
			}
		}
		found, err := d.Discover(ctx, orphaned)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.Apply(ctx, deployer.PlanDestroy(found), deployer.StateFile(path)); err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("after delete: %+v", cloud.Snapshot())
		}
	})

	// Every action the event sources' statements grant is one some call
	// needed (the others are TestDeployerPolicyCoversDeployer's).
	run.checkUsed(t, []string{"ReadAndRevokeSourceInvoke", "LetSourcesInvoke", "ManageAsyncInvokeConfigs", "ManageRules", "ManageSubscriptions", "MergeBucketNotifications"})
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
