package e2e

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestSavealife deploys examples/savealife's dev stage (two functions with
// their roles, a DynamoDB stream mapping, a REST API) against moto.
func TestSavealife(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the CLI and deploys against moto")
	}
	t.Parallel() // its own moto and proxy
	s := newSuite(t, "savealife")
	s.setup = func(t *testing.T, s *suite, dir string) {
		stream := s.moto.streamTable(t, "savealife-donors")
		editConfig(t, dir, func(cfg map[string]any) {
			object(cfg, "stages", "dev", "lambda_functions", "handle_stream", "environment_variables")["STREAM_ARN"] = stream
		})
	}
	runCases(t, s, "dev", killPoints, []string{
		"apigateway rest-api savealife-dev",
		"apigateway stage savealife-dev/api",
		"iam role savealife-dev-api_handler",
		"iam role savealife-dev-handle_stream",
		"lambda event-source-mapping savealife-dev-handle_stream <- arn:aws:dynamodb:us-east-1:123456789012:table/savealife-donors",
		"lambda function savealife-dev",
		"lambda function savealife-dev-handle_stream",
	})
}

// runCases runs every case on the suite's app and stage; a clean deploy
// must make at least the resources of want (lines of inventory).
//
//   - deploy, redeploy (no mutating call), delete (nothing left);
//   - deploys that lose the first answer of every create call, after
//     moto made what was asked: they end with a clean deploy's resources,
//     all recorded (the next deploy changes nothing), and delete leaves
//     nothing;
//   - a deploy killed after its Nth mutating call (N from kills), then
//     delete (nothing left), or then deploy (a clean deploy's resources).
func runCases(t *testing.T, s *suite, stage string, kills func(calls int) []int, want []string) {
	deploy := []string{"deploy", "--stage", stage}
	del := []string{"delete", "--stage", stage, "--yes"}
	var clean []string // what a clean deploy makes
	var calls int      // how many mutating calls it takes

	ran := t.Run("deploy, redeploy, delete", func(t *testing.T) {
		enoughTime(t)
		dir := s.project(t)
		r := s.ok(t, dir, deploy...)
		calls = len(r.mutating)
		clean = inventory(t, s.moto)
		if missing := without(want, clean); len(missing) > 0 {
			t.Fatalf("after a deploy, missing %q; moto has:\n%s", missing, strings.Join(clean, "\n"))
		}
		t.Logf("a clean deploy: %d mutating calls, %d resources", calls, len(clean))

		r = s.ok(t, dir, deploy...)
		if len(r.mutating) != 0 {
			t.Errorf("redeploy of an unchanged app made %d mutating calls: %v\n%s", len(r.mutating), r.mutating, r)
		}
		if !strings.Contains(r.out, "Nothing to change.") {
			t.Errorf("redeploy of an unchanged app did not say %q:\n%s", "Nothing to change.", r)
		}

		s.ok(t, dir, del...)
		if left := inventory(t, s.moto); len(left) > 0 {
			t.Errorf("delete left:\n%s", strings.Join(left, "\n"))
		}
	})
	if clean == nil {
		if ran { // skipped
			t.Skip("no clean deploy to compare with")
		}
		t.Fatal("no clean deploy to compare with")
	}

	t.Run("lost answers", func(t *testing.T) {
		enoughTime(t)
		dir := s.project(t)
		s.proxy.loseAnswers(true)
		var tries []result
		for range 5 {
			r := s.run(t, dir, runOpts{}, deploy...)
			tries = append(tries, r)
			if r.err == nil {
				break
			}
		}
		s.proxy.loseAnswers(false)
		lost := s.proxy.lostAnswers()
		t.Logf("%d deploys, %d answers lost: %s", len(tries), len(lost), strings.Join(lost, "; "))
		if last := tries[len(tries)-1]; last.err != nil {
			t.Fatalf("no deploy succeeded in %d tries; the last:\n%s", len(tries), last)
		}
		if diff := cmp.Diff(clean, inventory(t, s.moto)); diff != "" {
			t.Errorf("after deploys that lost answers, moto has (-clean deploy +got):\n%s", diff)
		}
		r := s.ok(t, dir, deploy...)
		if len(r.mutating) != 0 {
			t.Errorf("deploy after a converged one made %d mutating calls (something made was not recorded): %v\n%s", len(r.mutating), r.mutating, r)
		}
		s.ok(t, dir, del...)
		if left := inventory(t, s.moto); len(left) > 0 {
			t.Errorf("delete left:\n%s", strings.Join(left, "\n"))
		}
	})

	for _, n := range kills(calls) {
		t.Run(fmt.Sprintf("killed after call %d of %d, then delete", n, calls), func(t *testing.T) {
			enoughTime(t)
			dir := s.project(t)
			killedDeploy(t, s, dir, n, deploy)
			r := s.run(t, dir, runOpts{}, del...)
			if r.err != nil {
				t.Errorf("delete after a killed deploy failed:\n%s", r)
			}
			if left := inventory(t, s.moto); len(left) > 0 {
				t.Errorf("delete after a deploy killed after call %d left:\n%s\n%s", n, strings.Join(left, "\n"), r)
			}
		})
		t.Run(fmt.Sprintf("killed after call %d of %d, then deploy", n, calls), func(t *testing.T) {
			enoughTime(t)
			dir := s.project(t)
			killedDeploy(t, s, dir, n, deploy)
			r := s.run(t, dir, runOpts{}, deploy...)
			if r.err != nil {
				t.Fatalf("deploy after a killed deploy failed:\n%s", r)
			}
			if diff := cmp.Diff(clean, inventory(t, s.moto)); diff != "" {
				t.Errorf("after a deploy killed after call %d and a deploy, moto has (-clean deploy +got):\n%s\n%s", n, diff, r)
			}
			// The killed deploy's build folder is swept by the next.
			if left, _ := filepath.Glob(filepath.Join(s.tmp, "gochalice-build-*")); len(left) > 0 {
				t.Errorf("build folders left in TMPDIR after a killed deploy and a deploy: %q", left)
			}
			s.ok(t, dir, del...)
			if left := inventory(t, s.moto); len(left) > 0 {
				t.Errorf("delete left:\n%s", strings.Join(left, "\n"))
			}
		})
	}
}

// killedDeploy runs a deploy that the proxy kills after its nth mutating
// call, once moto has done it.
func killedDeploy(t *testing.T, s *suite, dir string, n int, deploy []string) {
	t.Helper()
	r := s.run(t, dir, runOpts{killAt: n}, deploy...)
	if !r.killed {
		t.Fatalf("the deploy made %d mutating calls, and was not killed after call %d:\n%s", len(r.mutating), n, r)
	}
}

// killPoints are the mutating calls after which a deploy of calls calls
// is killed: the first, one in the middle and the last but one.
func killPoints(calls int) []int {
	var out []int
	for _, n := range []int{1, calls / 2, calls - 1} {
		if n >= 1 && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// without returns the lines of want that have is lacks.
func without(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// TestOrders deploys examples/orders's dev stage (ten functions; an SQS,
// a Kinesis and an EventBridge source with failure destinations, an SNS
// subscription, an S3 notification, a schedule; a REST API with token,
// Cognito and IAM authorizers and a usage plan) against moto. Its deploys
// take longer (gen-policy reads the code), so a deploy is killed at one
// point only.
func TestOrders(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds the CLI and deploys against moto")
	}
	t.Parallel() // its own moto and proxy
	s := newSuite(t, "orders")
	s.setup = func(t *testing.T, s *suite, dir string) {
		topic := s.moto.ordersSources(t)
		editConfig(t, dir, func(cfg map[string]any) {
			// moto has one account: the supplier's topic is in it.
			object(cfg, "environment_variables")["SUPPLIER_TOPIC_ARN"] = topic
		})
	}
	runCases(t, s, "dev", func(calls int) []int { return []int{calls / 2} }, []string{
		"apigateway rest-api orders-dev",
		"apigateway usage-plan orders-dev",
		"lambda function orders-dev",
		"lambda function orders-dev-worker",
		"sns subscription arn:aws:sns:us-east-1:123456789012:supplier-stock -> arn:aws:lambda:us-east-1:123456789012:function:orders-dev-restock",
	})
}

// enoughTime skips a case when go test's -timeout may end the test
// during it: a test ended by the timeout leaves moto running (no
// Cleanup runs).
func enoughTime(t *testing.T) {
	t.Helper()
	if d, ok := t.Deadline(); ok && time.Until(d) < 5*time.Minute {
		t.Skipf("less than 5 minutes left before go test's -timeout (scripts/test.sh gives 30m)")
	}
}
