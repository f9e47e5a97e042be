package deployer_test

import (
	"context"
	"fmt"
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
				if _, _, err := deploy(runCtx, t, d, savealife(t), path); err == nil && mode != "lost answer" {
					// A lost answer goes unnoticed when the call failed
					// anyway (a role not assumable yet) and was retried.
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
			if k == "source_arn" {
				v = "(api)"
			}
			attrs[k] = v
		}
		out[addr] = attrs
	}
	return out
}

var _ = fakeaws.New
