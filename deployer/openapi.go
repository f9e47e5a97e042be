package deployer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/iam"
	"github.com/gochalice/gochalice/manifest"
)

// OpenAPIOptions are the parts of a REST API's OpenAPI document that do
// not come from the manifest.
type OpenAPIOptions struct {
	// Title becomes the REST API's name.
	Title string
	// Description becomes the REST API's description.
	Description string
	// FunctionARN is the API handler's ARN; every method integrates with
	// it (aws_proxy).
	FunctionARN string
	Target      Target
	// ResourcePolicy is the REST API's resource policy, nil for none.
	ResourcePolicy *iam.Policy
}

var pathParam = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// OpenAPI returns the Swagger 2.0 document of the app's REST API: one
// aws_proxy integration per route to the API handler, an OPTIONS method
// (also routed to the handler, which answers preflight requests) on every
// path with a CORS route, the binary media types, and the resource policy.
// The JSON is deterministic.
func OpenAPI(m *manifest.Manifest, o OpenAPIOptions) (json.RawMessage, error) {
	uri := fmt.Sprintf("arn:%s:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations", o.Target.Partition, o.Target.Region, o.FunctionARN)
	integration := map[string]any{
		"type":                "aws_proxy",
		"httpMethod":          "POST",
		"uri":                 uri,
		"passthroughBehavior": "when_no_match",
		"contentHandling":     "CONVERT_TO_TEXT",
	}
	paths := map[string]map[string]any{}
	cors := map[string]bool{}
	for _, r := range m.Routes {
		if !strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("route %q: path %q does not start with /", r.Pattern, r.Path)
		}
		ops := paths[r.Path]
		if ops == nil {
			ops = map[string]any{}
			paths[r.Path] = ops
		}
		method := strings.ToLower(r.Method)
		if r.Method == "ANY" || r.Method == "" {
			method = "x-amazon-apigateway-any-method"
		}
		if _, dup := ops[method]; dup {
			return nil, fmt.Errorf("route %q: %s %s is registered twice", r.Pattern, r.Method, r.Path)
		}
		op := map[string]any{
			"consumes":                        []string{"application/json"},
			"produces":                        []string{"application/json"},
			"responses":                       map[string]any{"200": map[string]any{"description": "200 response"}},
			"x-amazon-apigateway-integration": integration,
		}
		if len(r.ContentTypes) > 0 {
			op["consumes"] = r.ContentTypes
		}
		if ps := pathParams(r.Path); len(ps) > 0 {
			op["parameters"] = ps
		}
		ops[method] = op
		if r.CORS != nil {
			cors[r.Path] = true
		}
	}
	for p := range cors {
		if _, ok := paths[p]["options"]; ok {
			continue
		}
		op := map[string]any{
			"consumes":                        []string{"application/json"},
			"produces":                        []string{"application/json"},
			"responses":                       map[string]any{"200": map[string]any{"description": "200 response"}},
			"x-amazon-apigateway-integration": integration,
		}
		if ps := pathParams(p); len(ps) > 0 {
			op["parameters"] = ps
		}
		paths[p]["options"] = op
	}
	binary := slices.Clone(m.BinaryTypes)
	for _, r := range m.Routes {
		binary = append(binary, r.BinaryTypes...)
	}
	slices.Sort(binary)
	binary = slices.Compact(binary)
	doc := map[string]any{
		"swagger": "2.0",
		"info":    map[string]any{"version": "1.0", "title": o.Title, "description": o.Description},
		"schemes": []string{"https"},
		"paths":   paths,
		"definitions": map[string]any{
			"Empty": map[string]any{"type": "object", "title": "Empty Schema"},
		},
		"x-amazon-apigateway-binary-media-types": binary,
	}
	if binary == nil {
		doc["x-amazon-apigateway-binary-media-types"] = []string{}
	}
	if o.ResourcePolicy != nil {
		doc["x-amazon-apigateway-policy"] = o.ResourcePolicy.Canonical()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func pathParams(path string) []map[string]any {
	var out []map[string]any
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		out = append(out, map[string]any{"name": m[1], "in": "path", "required": true, "type": "string"})
	}
	return out
}
