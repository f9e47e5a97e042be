package main

import (
	"bytes"
	"context"
	"testing"
)

// TestVersion checks what gochalice version prints: "dev" unless the
// release build sets version, commit and date with -ldflags -X.
func TestVersion(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := runCLI(context.Background(), &out, &errOut, []string{"gochalice", "version"}); err != nil {
		t.Fatalf("version: %v\n%s", err, errOut.String())
	}
	if got, want := out.String(), "gochalice dev\n"; got != want {
		t.Errorf("version printed %q, want %q", got, want)
	}
}
