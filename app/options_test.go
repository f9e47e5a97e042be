package app

import (
	"slices"
	"strings"
	"testing"
)

// TestOptionSets keeps the option sets of the registration methods and
// optionUse, which names them in panic messages, saying the same thing.
func TestOptionSets(t *testing.T) {
	t.Parallel()
	sets := []struct {
		methods []string
		options []string
		failure bool // takes the failure options
	}{
		{[]string{"OnDynamoDBRecord", "OnDynamoDBBatch", "OnKinesisRecord", "OnKinesisBatch"}, streamOptions, true},
		{[]string{"OnSQSMessage", "OnSQSBatch"}, sqsOptions, false},
		{[]string{"Schedule"}, scheduleOpts, true},
		{[]string{"OnEvent"}, eventOpts, true},
		{[]string{"OnSNSMessage"}, snsOptions, true},
		{[]string{"OnS3Event"}, s3Options, true},
	}
	all := map[string]bool{}
	for _, s := range sets {
		for _, opt := range s.options {
			all[opt] = true
		}
		if got := len(s.options) >= len(failureOptions) && slices.Equal(s.options[len(s.options)-len(failureOptions):], failureOptions); got != s.failure {
			t.Errorf("%v: options %v end with the failure options: %t, want %t", s.methods, s.options, got, s.failure)
		}
	}
	for opt := range all {
		use := optionUse(opt)
		if use == "" {
			t.Errorf("optionUse(%q) is empty", opt)
		}
		for _, s := range sets {
			for _, m := range s.methods {
				// Method names are whole words of the list ("OnEvent" is
				// not in "OnEventX").
				named := slices.Contains(strings.FieldsFunc(use, func(r rune) bool { return r == ',' || r == ' ' }), m)
				if takes := slices.Contains(s.options, opt); named != takes {
					t.Errorf("optionUse(%q) = %q names %s: %t; %s takes it: %t", opt, use, m, named, m, takes)
				}
			}
		}
	}
	if got := optionUse("WithNothing"); got != "" {
		t.Errorf("optionUse(WithNothing) = %q, want empty", got)
	}
}
