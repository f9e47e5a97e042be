package deployer_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

// TestCrashConsistency interrupts the first deploy at every mutating call
// in turn — the call fails, or takes effect and its answer is lost, or the
// user presses Ctrl-C — and deploys again: the result is always a clean
// deploy's, with nothing orphaned or duplicated, and a third deploy
// changes nothing.
func TestCrashConsistency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ref, dref := newCloud()
	refPath := statePath(t)
	if _, _, err := deploy(ctx, t, dref, savealife(t), refPath); err != nil {
		t.Fatal(err)
	}
	steps := len(ref.Mutations())
	want := ref.Snapshot()
	refState, err := deployer.LoadState(refPath)
	if err != nil {
		t.Fatal(err)
	}
	if steps < 8 {
		t.Fatalf("a clean deploy made %d mutating calls", steps)
	}
	for _, mode := range []string{"fail", "lost answer", "cancel"} {
		for k := 1; k <= steps; k++ {
			t.Run(fmt.Sprintf("%s at %d", mode, k), func(t *testing.T) {
				t.Parallel()
				cloud, d := newCloud()
				cloud.FailAt = k
				runCtx, cancel := context.WithCancel(ctx)
				defer cancel()
				switch mode {
				case "lost answer":
					cloud.FailAfterEffect = true
				case "cancel":
					cloud.OnFail = cancel
				}
				path := statePath(t)
				if _, _, err := deploy(runCtx, t, d, savealife(t), path); err == nil && mode == "cancel" {
					// A failure or lost answer goes unnoticed when the
					// call is retried: one that failed anyway (a role not
					// assumable yet), or a create that may have taken
					// effect, looked up and sent again (createOnce).
					t.Fatalf("deploy interrupted at call %d succeeded", k)
				}
				cloud.FailAt = 0
				if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
					t.Fatalf("second deploy: %v", err)
				}
				if diff := cmp.Diff(want, cloud.Snapshot()); diff != "" {
					t.Errorf("AWS (-clean +got):\n%s", diff)
				}
				got, err := deployer.LoadState(path)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(stateShape(refState), stateShape(got)); diff != "" {
					t.Errorf("recorded state (-clean +got):\n%s", diff)
				}
				cloud.ResetCalls()
				if _, _, err := deploy(ctx, t, d, savealife(t), path); err != nil {
					t.Fatal(err)
				}
				if m := cloud.Mutations(); len(m) != 0 {
					t.Errorf("third deploy made mutating calls: %v", m)
				}
			})
		}
	}
}

// stateShape is a recorded state without the ids AWS chose.
func stateShape(s *deployer.State) map[string]map[string]string {
	out := map[string]map[string]string{}
	for addr, r := range s.Resources {
		attrs := map[string]string{"name": r.Name, "type": string(r.Type)}
		for k, v := range r.Attributes {
			switch k {
			case "source_arn":
				v = "(api)"
			case "target": // a WebSocket route's, "integrations/<id>"
				v = "(integration)"
			}
			attrs[k] = v
		}
		out[addr] = attrs
	}
	return out
}

var _ = fakeaws.New

// TestLostAnswerResent loses the answer of every mutating call of a first
// deploy in turn, after the call took effect, and has the SDK's retryer
// send it again (fakeaws.Cloud.ResendLostAnswer) unless the deployer
// turned the SDK's retries off for it: the one deploy succeeds and ends
// with exactly the resources of a clean deploy, each recorded, and a
// redeploy changes nothing. The apps between them make every create call
// the deployer has; steps run one at a time, so the n-th call is the same
// in every run.
func TestLostAnswerResent(t *testing.T) {
	t.Parallel()
	apps := []struct {
		name    string
		project func(t *testing.T) *deployer.Project
		cloud   func() (*fakeaws.Cloud, *deployer.Deployer)
	}{
		{"savealife", func(t *testing.T) *deployer.Project { return savealife(t) }, newCloud},
		{"every kind, REST API", func(t *testing.T) *deployer.Project { return everyKindProject(t, false) }, newEventsCloud},
		{"every kind, HTTP API", func(t *testing.T) *deployer.Project { return everyKindProject(t, true) }, newEventsCloud},
	}
	var mu sync.Mutex
	covered := map[string]bool{}
	t.Cleanup(func() {
		for _, op := range []string{
			"iam:CreateRole", "iam:PutRolePolicy", "lambda:CreateFunction", "logs:CreateLogGroup", "logs:PutRetentionPolicy",
			"lambda:PutFunctionEventInvokeConfig", "lambda:CreateEventSourceMapping", "apigateway:ImportRestApi",
			"apigateway:CreateDeployment", "apigatewayv2:ImportApi", "apigatewayv2:CreateStage", "lambda:AddPermission",
			"events:PutRule", "events:PutTargets", "sns:Subscribe", "s3:PutBucketNotificationConfiguration",
			"apigateway:CreateUsagePlan", "apigatewayv2:CreateApi", "apigatewayv2:CreateIntegration", "apigatewayv2:CreateRoute",
			"apigateway:CreateDomainName", "apigateway:CreateBasePathMapping",
			"apigatewayv2:CreateDomainName", "apigatewayv2:CreateApiMapping",
		} {
			if !covered[op] && !t.Failed() {
				t.Errorf("no app makes %s: its lost answer is not tested", op)
			}
		}
	})
	for _, app := range apps {
		t.Run(app.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			ref, dref := app.cloud()
			dref.Parallelism = 1
			refPath := statePath(t)
			if _, _, err := deploy(ctx, t, dref, app.project(t), refPath); err != nil {
				t.Fatal(err)
			}
			ops := ref.Mutations()
			want := ref.Snapshot()
			refState, err := deployer.LoadState(refPath)
			if err != nil {
				t.Fatal(err)
			}
			for k, op := range ops {
				mu.Lock()
				covered[op] = true
				mu.Unlock()
				t.Run(fmt.Sprintf("%d %s", k+1, op), func(t *testing.T) {
					t.Parallel()
					cloud, d := app.cloud()
					d.Parallelism = 1
					cloud.FailAt, cloud.FailAfterEffect, cloud.ResendLostAnswer = k+1, true, true
					path := statePath(t)
					if _, _, err := deploy(ctx, t, d, app.project(t), path); err != nil {
						t.Fatalf("deploy with the answer of %s lost: %v", op, err)
					}
					if diff := cmp.Diff(want, cloud.Snapshot()); diff != "" {
						t.Errorf("AWS (-clean +got):\n%s", diff)
					}
					got, err := deployer.LoadState(path)
					if err != nil {
						t.Fatal(err)
					}
					if diff := cmp.Diff(stateShape(refState), stateShape(got)); diff != "" {
						t.Errorf("recorded state (-clean +got):\n%s", diff)
					}
					cloud.FailAt = 0
					cloud.ResetCalls()
					if _, _, err := deploy(ctx, t, d, app.project(t), path); err != nil {
						t.Fatal(err)
					}
					if m := cloud.Mutations(); len(m) != 0 {
						t.Errorf("redeploy made mutating calls: %v", m)
					}
				})
			}
		})
	}
}
