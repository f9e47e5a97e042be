package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestConfigShow runs "gochalice config show" in-process against the
// projects under testdata/config and compares what it prints (stdout,
// stderr and the returned error) with testdata/config/<name>.golden.
func TestConfigShow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		project string
		args    []string
		wantErr bool
	}{
		{name: "savealife", project: "savealife", args: []string{"--stage", "dev"}},
		{name: "savealife-json", project: "savealife", args: []string{"--json"}},
		{name: "savealife-handle_stream", project: "savealife", args: []string{"--function", "handle_stream"}},
		{name: "savealife-handle_stream-json", project: "savealife", args: []string{"--function", "handle_stream", "--json"}},
		{name: "layered-prod", project: "layered", args: []string{"--stage", "prod"}},
		{name: "layered-prod-json", project: "layered", args: []string{"--stage", "prod", "--json"}},
		{name: "unconfigured-function", project: "savealife", args: []string{"--function", "send_email"}},
		{name: "unknown-stage", project: "savealife", args: []string{"--stage", "prod"}, wantErr: true},
		{name: "broken", project: "broken", wantErr: true},
		{name: "no-config", project: "does-not-exist", wantErr: true},
		{name: "stray-argument", project: "savealife", args: []string{"dev"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			args := append([]string{"gochalice", "config", "show", "--project-dir", filepath.Join("testdata", "config", tc.project)}, tc.args...)
			err := runCLI(context.Background(), &stdout, &stderr, args)
			if (err != nil) != tc.wantErr {
				t.Fatalf("Run: error %v, want an error: %v\nstderr:\n%s", err, tc.wantErr, stderr.String())
			}
			var got bytes.Buffer
			got.WriteString("-- stdout --\n")
			got.Write(stdout.Bytes())
			got.WriteString("-- stderr --\n")
			got.Write(stderr.Bytes())
			if err != nil {
				got.WriteString("-- error --\n" + err.Error() + "\n")
			}
			path := filepath.Join("testdata", "config", tc.name+".golden")
			if updating() {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run ConfigShow -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}
