package deployer_test

import (
	"context"
	"strings"
	"testing"
)

// TestCrossRegionSourceWarned plans a stream function whose stream is in
// another region than the stage's (issue 13 item 7): the plan warns, naming
// the function, the ARN and both regions; a stream of the stage's region
// gets no warning.
func TestCrossRegionSourceWarned(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		region string
		warn   bool
	}{{"eu-west-1", true}, {"us-east-1", false}} {
		t.Run(tc.region, func(t *testing.T) {
			t.Parallel()
			stream := "arn:aws:dynamodb:" + tc.region + ":123456789012:table/savealife-donors/stream/2026-01-01T00:00:00.000"
			p := savealife(t)
			for i := range p.Manifest.Functions {
				if f := &p.Manifest.Functions[i]; f.DynamoDBStream != nil {
					f.DynamoDBStream.Stream = stream
				}
			}
			_, d := newCloud()
			plan, err := d.PlanProject(context.Background(), p, target, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			var got string
			for _, w := range plan.Warnings {
				if strings.Contains(w, "region") {
					got = w
				}
			}
			if !tc.warn {
				if got != "" {
					t.Errorf("same-region stream warned: %s", got)
				}
				return
			}
			for _, want := range []string{"function handle_stream", stream, "region eu-west-1", "us-east-1"} {
				if !strings.Contains(got, want) {
					t.Errorf("warning does not name %q: %q (warnings %q)", want, got, plan.Warnings)
				}
			}
		})
	}
}
