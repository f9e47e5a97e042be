package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestGenerateModels prints savealife's REST API document: Swagger 2.0,
// its routes, each integrated with the API handler, ARNs as CloudFormation
// placeholders.
func TestGenerateModels(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	var stdout, stderr bytes.Buffer
	if err := runCLI(context.Background(), &stdout, &stderr, []string{"gochalice", "generate-models", "--project-dir", savealifeDir}); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var doc struct {
		Swagger string                               `json:"swagger"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	if doc.Swagger != "2.0" {
		t.Errorf("swagger = %q, want 2.0", doc.Swagger)
	}
	get := doc.Paths["/donors"]["get"]
	if get == nil {
		t.Fatalf("no GET /donors in %s", stdout.String())
	}
	integration, _ := json.Marshal(get["x-amazon-apigateway-integration"])
	if want := `function:savealife-dev/invocations`; !strings.Contains(string(integration), want) || !strings.Contains(string(integration), "${AWS::Region}") {
		t.Errorf("GET /donors integration %s, want the API handler %s with ${AWS::Region}", integration, want)
	}
}
