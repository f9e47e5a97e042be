package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMECurlsSendJSON holds the READMEs' curl examples to what the
// apps accept: a request with a body (-d) says it is JSON, since routes
// accept application/json only by default (curl's -d alone sends a form,
// which gets 415).
func TestREADMECurlsSendJSON(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../../examples/*/README.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../README.md")
	body := regexp.MustCompile(`\s(-d|--data\S*)\s`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Join continued lines, so one command is one line.
		text := strings.ReplaceAll(string(data), "\\\n", " ")
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "curl ") || !body.MatchString(line+" ") {
				continue
			}
			if !strings.Contains(line, "Content-Type: application/json") {
				t.Errorf("%s: %s\n  sends a body without -H 'Content-Type: application/json'", f, line)
			}
		}
	}
}
