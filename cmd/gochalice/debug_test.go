package main

import (
	"slices"
	"testing"
)

// TestDebugFlag checks that --debug is taken anywhere before "--" and
// removed, so every command accepts it.
func TestDebugFlag(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args, want []string
		debug      bool
	}{
		{[]string{"gochalice", "deploy", "--debug", "--stage", "dev"}, []string{"gochalice", "deploy", "--stage", "dev"}, true},
		{[]string{"gochalice", "--debug", "local"}, []string{"gochalice", "local"}, true},
		{[]string{"gochalice", "invoke", "--", "--debug"}, []string{"gochalice", "invoke", "--", "--debug"}, false},
		{[]string{"gochalice", "deploy"}, []string{"gochalice", "deploy"}, false},
	} {
		got, debug := debugFlag(tc.args)
		if !slices.Equal(got, tc.want) || debug != tc.debug {
			t.Errorf("debugFlag(%q) = %q, %v; want %q, %v", tc.args, got, debug, tc.want, tc.debug)
		}
	}
}
