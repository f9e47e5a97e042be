package openapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/manifest"
)

// HTTPOptions are the parts of an HTTP API's OpenAPI document that
// do not come from the manifest.
type HTTPOptions struct {
	// Title becomes the HTTP API's name.
	Title string
	// Description becomes the HTTP API's description.
	Description string
	// FunctionARN is the API handler's ARN; every route integrates with
	// it (aws_proxy, payload format 2.0).
	FunctionARN string
	Target      arn.Target
	// AuthorizerARNs are the function ARNs of the custom (TOKEN and
	// REQUEST) authorizers the routes use, by authorizer name.
	AuthorizerARNs map[string]string
}

// HTTP returns the OpenAPI 3.0 document of the app's HTTP API: one
// aws_proxy integration (payload format 2.0) per route to the API
// handler, the authorizers the routes use as security schemes (Cognito as
// a JWT authorizer, IAM as SigV4, custom authorizers as Lambda REQUEST
// authorizers with payload format 1.0), and the API's one CORS
// configuration, which API Gateway uses to answer preflight requests
// itself (an ANY route behind an authorizer gets an OPTIONS route without
// one, as preflight requests carry no credentials). Binary bodies need no configuration: payload format 2.0
// base64-encodes them. It fails on what an HTTP API cannot do: API keys,
// routes that disagree on CORS, a Cognito authorizer without an audience.
// The JSON is deterministic.
func HTTP(m *manifest.Manifest, o HTTPOptions) (json.RawMessage, error) {
	if ps := Problems(m, true); len(ps) > 0 {
		return nil, fmt.Errorf("%s: %s; %s", ps[0].Subject, ps[0].Problem, ps[0].Fix)
	}
	integration := map[string]any{
		"type":                 "aws_proxy",
		"httpMethod":           "POST",
		"uri":                  o.FunctionARN,
		"payloadFormatVersion": "2.0",
	}
	paths := map[string]map[string]any{}
	schemes := map[string]any{}
	for _, r := range m.Routes {
		ops, method, err := routeOperations(paths, r)
		if err != nil {
			return nil, err
		}
		op := map[string]any{
			"responses":                       map[string]any{"default": map[string]any{"description": "the API handler's response"}},
			"x-amazon-apigateway-integration": integration,
		}
		var params []map[string]any
		for _, p := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": p[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Authorizer != "" {
			a, _ := m.Authorizer(r.Authorizer)
			scheme, err := httpSecurityScheme(a, o)
			if err != nil {
				return nil, fmt.Errorf("route %q: %w", r.Pattern, err)
			}
			schemes[a.Name] = scheme
			scopes := slices.Clone(r.AuthorizationScopes)
			if scopes == nil {
				scopes = []string{}
			}
			op["security"] = []map[string][]string{{a.Name: scopes}}
		}
		ops[method] = op
	}
	// An ANY route matches preflight requests too, before API Gateway's
	// CORS answers them: behind an authorizer, it would turn them away.
	// An OPTIONS route without authorization, to the handler (which
	// answers preflight requests), lets them through.
	for _, r := range m.Routes {
		ops := paths[r.Path]
		if r.CORS == nil || r.Authorizer == "" || ops["x-amazon-apigateway-any-method"] == nil || ops["options"] != nil {
			continue
		}
		op := maps.Clone(ops["x-amazon-apigateway-any-method"].(map[string]any))
		delete(op, "security")
		ops["options"] = op
	}
	doc := map[string]any{
		"openapi": "3.0.1",
		"info":    map[string]any{"version": "1.0", "title": o.Title, "description": o.Description},
		"paths":   paths,
	}
	if len(schemes) > 0 {
		doc["components"] = map[string]any{"securitySchemes": schemes}
	}
	if c := httpCORS(m); c != nil {
		doc["x-amazon-apigateway-cors"] = c
	}
	return marshalDocument(doc)
}

// httpSecurityScheme is the OpenAPI 3 security scheme of an authorizer
// of an HTTP API.
func httpSecurityScheme(a manifest.Authorizer, o HTTPOptions) (map[string]any, error) {
	switch a.Type {
	case manifest.AuthorizerIAM:
		return map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}, nil
	case manifest.AuthorizerCognito:
		issuer, err := cognitoIssuer(a.ProviderARNs[0])
		if err != nil {
			return nil, err
		}
		sources, err := httpIdentitySources(a)
		if err != nil {
			return nil, err
		}
		if len(sources) == 0 {
			sources = []string{"$request.header.Authorization"}
		}
		return map[string]any{"type": "oauth2", "flows": map[string]any{},
			"x-amazon-apigateway-authorizer": map[string]any{
				"type":             "jwt",
				"identitySource":   strings.Join(sources, ", "),
				"jwtConfiguration": map[string]any{"issuer": issuer, "audience": sortedCopy(a.Audience)},
			}}, nil
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		fnARN, ok := o.AuthorizerARNs[a.Name]
		if !ok {
			return nil, fmt.Errorf("authorizer %q has no function", a.Name)
		}
		sources, err := httpIdentitySources(a)
		if err != nil {
			return nil, err
		}
		auth := map[string]any{
			"type":                           "request",
			"authorizerUri":                  o.Target.InvocationURI(fnARN),
			"authorizerPayloadFormatVersion": "1.0",
			"authorizerResultTtlInSeconds":   a.TTLSeconds,
		}
		if len(sources) > 0 {
			auth["identitySource"] = strings.Join(sources, ", ")
		}
		return map[string]any{"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authorizer": auth}, nil
	}
	return nil, fmt.Errorf("authorizer %q has the unknown type %q", a.Name, a.Type)
}

// cognitoIssuer is the JWT issuer of a Cognito user pool, from the pool's
// ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>).
func cognitoIssuer(poolARN string) (string, error) {
	parts := strings.SplitN(poolARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "cognito-idp" || parts[3] == "" || !strings.HasPrefix(parts[5], "userpool/") || len(parts[5]) == len("userpool/") {
		return "", fmt.Errorf("%q is not a Cognito user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>)", poolARN)
	}
	suffix := "amazonaws.com"
	if parts[1] == "aws-cn" {
		suffix = "amazonaws.com.cn"
	}
	return fmt.Sprintf("https://cognito-idp.%s.%s/%s", parts[3], suffix, strings.TrimPrefix(parts[5], "userpool/")), nil
}

// httpIdentitySources turns an authorizer's identity sources, written in
// the REST API's form, into the HTTP API's: "method.request.header.X" is
// "$request.header.X", "method.request.querystring.X"
// "$request.querystring.X", "stageVariables.X" "$stageVariables.X",
// "context.X" "$context.X"; sources already in the HTTP API's form are
// kept.
func httpIdentitySources(a manifest.Authorizer) ([]string, error) {
	var out []string
	for _, s := range tokenSources(a) {
		switch {
		case strings.HasPrefix(s, "$"):
			out = append(out, s)
		case strings.HasPrefix(s, "method.request.header."), strings.HasPrefix(s, "method.request.querystring."):
			out = append(out, "$"+strings.TrimPrefix(s, "method."))
		case strings.HasPrefix(s, "stageVariables."), strings.HasPrefix(s, "context."):
			out = append(out, "$"+s)
		default:
			return nil, fmt.Errorf("authorizer %q: identity source %q is not a header, query string, stage variable or context value (write it as method.request.header.<Name>)", a.Name, s)
		}
	}
	return out, nil
}

// httpCORS is the HTTP API's CORS configuration: the one configuration
// the CORS routes share, nil when no route has CORS.
func httpCORS(m *manifest.Manifest) map[string]any {
	var c *manifest.CORS
	var methods []string
	for _, r := range m.Routes {
		if r.CORS == nil {
			continue
		}
		c = r.CORS
		method := r.Method
		if method == "" || method == "ANY" {
			method = "*"
		}
		methods = append(methods, method)
	}
	if c == nil {
		return nil
	}
	slices.Sort(methods)
	methods = slices.Compact(methods)
	if slices.Contains(methods, "*") {
		methods = []string{"*"}
	} else if !slices.Contains(methods, "OPTIONS") {
		methods = append(methods, "OPTIONS")
		slices.Sort(methods)
	}
	out := map[string]any{
		"allowOrigins":     []string{c.AllowOrigin},
		"allowHeaders":     nonNil(sortedCopy(c.AllowHeaders)),
		"allowMethods":     methods,
		"allowCredentials": c.AllowCredentials,
	}
	if len(c.ExposeHeaders) > 0 {
		out["exposeHeaders"] = sortedCopy(c.ExposeHeaders)
	}
	if c.MaxAge > 0 {
		out["maxAge"] = c.MaxAge
	}
	return out
}
