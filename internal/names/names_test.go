package names_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/names"
)

func TestFunction(t *testing.T) {
	t.Parallel()
	s := names.Stage{App: "savealife", Stage: "dev"}
	tests := []struct {
		fn   string
		want names.Function
	}{
		{names.APIHandler, names.Function{Function: "api_handler", Lambda: "savealife-dev", Role: "savealife-dev-api_handler",
			LogGroup: "/aws/lambda/savealife-dev", Rule: "savealife-dev-api_handler",
			RuleDescription:      "gochalice app savealife, stage dev: invokes api_handler",
			BucketNotificationID: "gochalice-savealife-dev-api_handler"}},
		{"handle_stream", names.Function{Function: "handle_stream", Lambda: "savealife-dev-handle_stream", Role: "savealife-dev-handle_stream",
			LogGroup: "/aws/lambda/savealife-dev-handle_stream", Rule: "savealife-dev-handle_stream",
			RuleDescription:      "gochalice app savealife, stage dev: invokes handle_stream",
			BucketNotificationID: "gochalice-savealife-dev-handle_stream"}},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, s.Function(tc.fn)); diff != "" {
			t.Errorf("Function(%q) (-want +got):\n%s", tc.fn, diff)
		}
	}
	if got, want := s.Description(), "gochalice app savealife, stage dev"; got != want {
		t.Errorf("Description() = %q, want %q", got, want)
	}
	if s.API() != "savealife-dev" || s.UsagePlan() != "savealife-dev" {
		t.Errorf("API() = %q, UsagePlan() = %q, want savealife-dev", s.API(), s.UsagePlan())
	}
}
