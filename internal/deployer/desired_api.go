package deployer

import (
	"maps"
	"slices"

	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/openapi"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// AuthorizerStatementID is the Sid of the statement that lets API
// Gateway invoke a custom authorizer's function.
const AuthorizerStatementID = "gochalice-authorizer"

// apiResources are the resources of the API handler fn: the REST API, its
// deployment to the stage and the permission that lets it invoke fn; or,
// with api_gateway_type HTTP, the HTTP API and its stage; and the
// permissions that let the API invoke the custom authorizers its routes
// use; and, when a REST API route requires an API key, the stage's usage
// plan. n are fn's names.
func apiResources(in Input, fn manifest.Function, s *stages.Settings, n names.Function) (resources []Resource, apiStage string, problems []Problem) {
	m := in.Manifest
	t := in.Target
	name := n.Lambda
	if ps := openapi.Problems(m, s.APIGatewayType == stages.APIGatewayTypeHTTP); len(ps) > 0 {
		for _, p := range ps {
			problems = append(problems, Problem(p))
		}
		return nil, "", problems
	}
	apiAddr, apiSubject := restAPIAddr, "rest_api"
	if s.APIGatewayType == stages.APIGatewayTypeHTTP {
		apiAddr, apiSubject = httpAPIAddr, "http_api"
	}

	// The custom authorizers the routes use: their functions' ARNs, and a
	// permission for each.
	authARNs := map[string]string{}
	var authDeps []string
	for _, a := range usedAuthorizers(m) {
		if a.Type != manifest.AuthorizerToken && a.Type != manifest.AuthorizerRequest {
			continue
		}
		if a.FunctionARN != "" {
			// An existing function (Chalice's CustomAuthorizer): the API
			// may invoke it, and the statement's id names this API's
			// function so that apps sharing the authorizer do not clash.
			authARNs[a.Name] = a.FunctionARN
			sid := AuthorizerStatementID + "-" + name
			resources = append(resources, Resource{
				Address: permissionAddr(a.Name), Type: TypePermission, Name: sid, DependsOn: []string{apiAddr},
				Permission: &PermissionSpec{FunctionName: a.FunctionARN, StatementID: sid, Principal: "apigateway.amazonaws.com",
					Action: "lambda:InvokeFunction", SourceARN: t.ExecuteAPI(APIIDPlaceholder) + "/authorizers/*"},
			})
			continue
		}
		as := in.Settings[a.Name]
		if as == nil {
			continue // BuildDesired reports the function without settings
		}
		authARNs[a.Name] = t.Function(as.LambdaFunctionName)
		authDeps = append(authDeps, functionAddr(a.Name))
		resources = append(resources, invokePermission(a.Name, as.LambdaFunctionName, AuthorizerStatementID, "apigateway.amazonaws.com",
			t.ExecuteAPI(APIIDPlaceholder)+"/authorizers/*", "", apiAddr))
	}
	apiDeps := append([]string{functionAddr(fn.Name)}, authDeps...)
	fnARN := t.Function(name)
	// The API's name is the API handler's; its description, the usage
	// plan's name and its description are the stage's (names.Stage).
	desc := stageNames(s).Description()

	if s.APIGatewayType == stages.APIGatewayTypeHTTP {
		if s.MinimumCompressionSize != nil {
			// Refused rather than ignored: the user asked for compressed
			// responses and would not get them.
			return nil, "", []Problem{{Subject: "minimum_compression_size",
				Problem: "HTTP APIs (api_gateway_type HTTP) cannot compress responses: API Gateway offers payload compression for REST APIs only",
				Fix:     `remove minimum_compression_size from the stage, or use "api_gateway_type": "REST"`}}
		}
		doc, err := openapi.HTTP(m, openapi.HTTPOptions{Title: name, Description: desc, FunctionARN: fnARN, Target: t, AuthorizerARNs: authARNs})
		if err != nil {
			return nil, "", []Problem{{Subject: apiSubject, Problem: err.Error(), Fix: "fix the routes"}}
		}
		resources = append(resources,
			Resource{
				Address: httpAPIAddr, Type: TypeHTTPAPI, Name: name, DependsOn: apiDeps,
				HTTPAPI: &HTTPAPISpec{Description: desc, Document: doc, DocumentSHA256: hexSHA256(doc)},
			},
			Resource{
				Address: httpStageAddr(s.APIGatewayStage), Type: TypeHTTPStage, Name: s.APIGatewayStage,
				DependsOn: []string{httpAPIAddr},
				HTTPStage: &HTTPStageSpec{StageName: s.APIGatewayStage, AutoDeploy: true},
			},
			invokePermission(fn.Name, name, PermissionStatementID, "apigateway.amazonaws.com", t.ExecuteAPI(APIIDPlaceholder)+"/*", "", httpAPIAddr))
		domain, ps := domainResources(s, t, httpAPIAddr, httpStageAddr(s.APIGatewayStage))
		return append(resources, domain...), s.APIGatewayStage, ps
	}

	policy := s.APIGatewayPolicy
	var vpces []string
	if s.APIGatewayEndpointType == "PRIVATE" {
		vpces = sortedCopy(s.APIGatewayEndpointVPCE)
		if policy == nil && len(vpces) > 0 {
			policy = openapi.PrivateAPIPolicy(vpces)
		}
	}
	doc, err := openapi.REST(m, openapi.RESTOptions{
		Title: name, Description: desc, FunctionARN: fnARN, Target: t,
		ResourcePolicy: policy, AuthorizerARNs: authARNs, EndpointVPCEs: vpces,
	})
	if err != nil {
		return nil, "", []Problem{{Subject: apiSubject, Problem: err.Error(), Fix: "fix the routes"}}
	}
	resources = append(resources,
		Resource{
			Address: restAPIAddr, Type: TypeRestAPI, Name: name, DependsOn: apiDeps,
			RestAPI: &RestAPISpec{
				Description: desc, EndpointType: s.APIGatewayEndpointType,
				Document: doc, DocumentSHA256: hexSHA256(doc),
				MinimumCompressionSize: s.MinimumCompressionSize,
			},
		},
		Resource{
			Address: deploymentAddr(s.APIGatewayStage), Type: TypeDeployment, Name: s.APIGatewayStage,
			DependsOn: []string{restAPIAddr},
			// xray traces the API's stage as well as the functions.
			Deployment: &DeploymentSpec{StageName: s.APIGatewayStage, DocumentSHA256: hexSHA256(doc), TracingEnabled: s.XRay},
		},
		invokePermission(fn.Name, name, PermissionStatementID, "apigateway.amazonaws.com", "", "", restAPIAddr))
	if slices.ContainsFunc(m.Routes, func(r manifest.Route) bool { return r.APIKeyRequired }) {
		// API Gateway accepts only the keys of a usage plan of the stage.
		resources = append(resources, Resource{
			Address: usagePlanAddr, Type: TypeUsagePlan, Name: stageNames(s).UsagePlan(),
			DependsOn: []string{deploymentAddr(s.APIGatewayStage)},
			UsagePlan: &UsagePlanSpec{Description: desc, APIStage: s.APIGatewayStage},
		})
	}
	domain, ps := domainResources(s, t, restAPIAddr, deploymentAddr(s.APIGatewayStage))
	return append(resources, domain...), s.APIGatewayStage, ps
}

// httpXRayWarning is the plan's warning for xray on an HTTP API's stage.
const httpXRayWarning = "xray: HTTP APIs (api_gateway_type HTTP) do not support X-Ray tracing: the functions are traced, API Gateway's part of a request is not; use \"api_gateway_type\": \"REST\" to trace the API's stage too"

// usedAuthorizers are the authorizers some route names, sorted by name.
func usedAuthorizers(m *manifest.Manifest) []manifest.Authorizer {
	used := map[string]bool{}
	for _, r := range m.Routes {
		if r.Authorizer != "" {
			used[r.Authorizer] = true
		}
	}
	var out []manifest.Authorizer
	for _, name := range slices.Sorted(maps.Keys(used)) {
		if a, ok := m.Authorizer(name); ok {
			out = append(out, a)
		}
	}
	return out
}
