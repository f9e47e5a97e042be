package openapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/manifest"
)

// RESTOptions are the parts of a REST API's OpenAPI document that do
// not come from the manifest.
type RESTOptions struct {
	// Title becomes the REST API's name.
	Title string
	// Description becomes the REST API's description.
	Description string
	// FunctionARN is the API handler's ARN; every method integrates with
	// it (aws_proxy).
	FunctionARN string
	Target      arn.Target
	// ResourcePolicy is the REST API's resource policy, nil for none.
	ResourcePolicy *iam.Policy
	// AuthorizerARNs are the function ARNs of the custom (TOKEN and
	// REQUEST) authorizers the routes use, by authorizer name.
	AuthorizerARNs map[string]string
	// EndpointVPCEs are the VPC endpoints of a PRIVATE API, written to
	// the document's x-amazon-apigateway-endpoint-configuration (API
	// Gateway takes them from there on import).
	EndpointVPCEs []string
}

var pathParam = regexp.MustCompile(`\{([^}+]+)\+?\}`)

// REST returns the Swagger 2.0 document of the app's REST API: one
// aws_proxy integration per route to the API handler, an OPTIONS method
// (also routed to the handler, which answers preflight requests, and
// never behind an authorizer or API key) on every path with a CORS route,
// the authorizers the routes use (securityDefinitions, and each method's
// security), the API key requirement, the binary media types, and the
// resource policy. The JSON is deterministic.
func REST(m *manifest.Manifest, o RESTOptions) (json.RawMessage, error) {
	uri := o.Target.InvocationURI(o.FunctionARN)
	integration := map[string]any{
		"type":                "aws_proxy",
		"httpMethod":          "POST",
		"uri":                 uri,
		"passthroughBehavior": "when_no_match",
		"contentHandling":     "CONVERT_TO_TEXT",
	}
	paths := map[string]map[string]any{}
	cors := map[string]bool{}
	definitions := map[string]any{}
	for _, r := range m.Routes {
		ops, method, err := routeOperations(paths, r)
		if err != nil {
			return nil, err
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
		var security []map[string][]string
		if r.APIKeyRequired {
			security = append(security, map[string][]string{apiKeyDefinition: {}})
			definitions[apiKeyDefinition] = map[string]any{"type": "apiKey", "name": "x-api-key", "in": "header"}
		}
		if r.Authorizer != "" {
			a, ok := m.Authorizer(r.Authorizer)
			if !ok {
				return nil, fmt.Errorf("route %q: no authorizer %q is registered", r.Pattern, r.Authorizer)
			}
			def, err := restSecurityDefinition(a, o)
			if err != nil {
				return nil, fmt.Errorf("route %q: %w", r.Pattern, err)
			}
			definitions[a.Name] = def
			scopes := slices.Clone(r.AuthorizationScopes)
			if scopes == nil {
				scopes = []string{}
			}
			security = append(security, map[string][]string{a.Name: scopes})
		}
		if security != nil {
			op["security"] = security
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
	if len(o.EndpointVPCEs) > 0 {
		doc[endpointConfigurationKey] = map[string]any{"vpcEndpointIds": sortedCopy(o.EndpointVPCEs)}
	}
	if len(definitions) > 0 {
		doc["securityDefinitions"] = definitions
	}
	if _, ok := definitions[apiKeyDefinition]; ok {
		doc["x-amazon-apigateway-api-key-source"] = "HEADER"
	}
	return marshalDocument(doc)
}

// marshalDocument encodes an OpenAPI document: indented, keys sorted, HTML
// characters unescaped, with a trailing newline.
func marshalDocument(doc map[string]any) (json.RawMessage, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// endpointConfigurationKey is the OpenAPI extension that holds a REST
// API's VPC endpoints.
const endpointConfigurationKey = "x-amazon-apigateway-endpoint-configuration"

// apiKeyDefinition is the name of the API key's security definition, as
// API Gateway exports it.
const apiKeyDefinition = "api_key"

// restSecurityDefinition is the Swagger security definition of an
// authorizer of a REST API.
func restSecurityDefinition(a manifest.Authorizer, o RESTOptions) (map[string]any, error) {
	switch a.Type {
	case manifest.AuthorizerIAM:
		return map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}, nil
	case manifest.AuthorizerCognito:
		header := "Authorization"
		auth := map[string]any{"type": "cognito_user_pools", "providerARNs": sortedCopy(a.ProviderARNs)}
		if len(a.IdentitySources) > 0 {
			auth["identitySource"] = strings.Join(a.IdentitySources, ", ")
			if h, ok := strings.CutPrefix(a.IdentitySources[0], restHeaderSource); ok {
				header = h
			}
		}
		return map[string]any{"type": "apiKey", "name": header, "in": "header",
			"x-amazon-apigateway-authtype": "cognito_user_pools", "x-amazon-apigateway-authorizer": auth}, nil
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		fnARN, ok := o.AuthorizerARNs[a.Name]
		if !ok {
			return nil, fmt.Errorf("authorizer %q has no function", a.Name)
		}
		sources := tokenSources(a)
		header := "Authorization"
		if len(sources) > 0 {
			if h, ok := strings.CutPrefix(sources[0], restHeaderSource); ok {
				header = h
			}
		}
		auth := map[string]any{
			"type":                         strings.ToLower(a.Type),
			"authorizerUri":                o.Target.InvocationURI(fnARN),
			"authorizerResultTtlInSeconds": a.TTLSeconds,
		}
		if len(sources) > 0 {
			auth["identitySource"] = strings.Join(sources, ", ")
		}
		return map[string]any{"type": "apiKey", "name": header, "in": "header",
			"x-amazon-apigateway-authtype": "custom", "x-amazon-apigateway-authorizer": auth}, nil
	}
	return nil, fmt.Errorf("authorizer %q has the unknown type %q", a.Name, a.Type)
}

// restHeaderSource is the prefix of a REST API identity source that is a
// request header.
const restHeaderSource = "method.request.header."

// tokenSources are an authorizer's identity sources, a TOKEN
// authorizer's defaulting to the Authorization header.
func tokenSources(a manifest.Authorizer) []string {
	if len(a.IdentitySources) == 0 && a.Type == manifest.AuthorizerToken {
		return []string{restHeaderSource + "Authorization"}
	}
	return a.IdentitySources
}

// PrivateAPIPolicy is the resource policy of a PRIVATE REST API given no
// api_gateway_policy_file: anyone may invoke it, only through the
// stage's VPC endpoints.
func PrivateAPIPolicy(vpces []string) *iam.Policy {
	return &iam.Policy{Version: iam.Version, Statement: []iam.Statement{{
		Sid: "InvokeThroughVPCEndpoints", Effect: "Allow", Principal: "*",
		Action: iam.Strings{"execute-api:Invoke"}, Resource: iam.Strings{"execute-api:/*"},
		Condition: iam.Conditions{"StringEquals": {"aws:SourceVpce": iam.Strings(sortedCopy(vpces))}},
	}}}
}

func pathParams(path string) []map[string]any {
	var out []map[string]any
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		out = append(out, map[string]any{"name": m[1], "in": "path", "required": true, "type": "string"})
	}
	return out
}

// routeOperations returns the operations of r's path in paths (added when
// new) and the key of r's method among them: an error when the path is
// not absolute or the method is there already.
func routeOperations(paths map[string]map[string]any, r manifest.Route) (map[string]any, string, error) {
	if !strings.HasPrefix(r.Path, "/") {
		return nil, "", fmt.Errorf("route %q: path %q does not start with /", r.Pattern, r.Path)
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
		return nil, "", fmt.Errorf("route %q: %s %s is registered twice", r.Pattern, r.Method, r.Path)
	}
	return ops, method, nil
}

// sortedCopy returns a sorted copy of v.
func sortedCopy(v []string) []string {
	out := slices.Clone(v)
	slices.Sort(out)
	return out
}

// nonNil returns s, or an empty list for nil (a JSON [] rather than null).
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
