package deployer

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"github.com/gochalice/gochalice/internal/openapi"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// HTTPAPISpec is an API Gateway HTTP API (v2), imported from an OpenAPI 3
// document, that invokes the API handler with payload format 2.0.
type HTTPAPISpec struct {
	// Description marks the API as this app's and stage's.
	Description string `json:"description"`
	// Document is the OpenAPI 3 document; DocumentSHA256 its hex SHA-256.
	Document       json.RawMessage `json:"-"`
	DocumentSHA256 string          `json:"document_sha256"`
}

// HTTPStageSpec is the HTTP API's stage.
type HTTPStageSpec struct {
	StageName string `json:"stage_name"`
	// AutoDeploy deploys every change of the API to the stage at once;
	// gochalice always sets it.
	AutoDeploy bool `json:"auto_deploy"`
}

// AuthorizerStatementID is the Sid of the statement that lets API
// Gateway invoke a custom authorizer's function.
const AuthorizerStatementID = "gochalice-authorizer"

const httpAPIAddr = "http_api"

// httpStageAddr is the address of the HTTP API's stage: a renamed stage
// is another resource, so the old stage is deleted.
func httpStageAddr(stage string) string { return "http_stage:" + stage }

func functionARN(t Target, name string) string {
	return t.ARN("lambda", t.Region, t.Account, "function:"+name)
}

// executeAPIARN is the execute-api ARN of the API apiID (APIIDPlaceholder
// while it is unknown) in t; permissions add "/*" or "/authorizers/*".
func executeAPIARN(t Target, apiID string) string {
	return fmt.Sprintf("arn:%s:execute-api:%s:%s:%s", t.Partition, t.Region, t.Account, apiID)
}

// invokePermission is the permission (address "permission:<fn>") that lets
// principal invoke fn, whose Lambda function name is name, from sourceARN
// ("" for a REST API handler's) and sourceAccount. It depends on the
// function and on deps.
func invokePermission(fn, name, sid, principal, sourceARN, sourceAccount string, deps ...string) Resource {
	return Resource{
		Address: permissionAddr(fn), Type: TypePermission, Name: sid,
		DependsOn: append([]string{functionAddr(fn)}, deps...),
		Permission: &PermissionSpec{FunctionName: name, StatementID: sid, Principal: principal, Action: "lambda:InvokeFunction",
			SourceARN: sourceARN, SourceAccount: sourceAccount},
	}
}

// apiResources are the resources of the API handler fn: the REST API, its
// deployment to the stage and the permission that lets it invoke fn; or,
// with api_gateway_type HTTP, the HTTP API and its stage; and the
// permissions that let the API invoke the custom authorizers its routes
// use; and, when a REST API route requires an API key, the stage's usage
// plan. name is fn's Lambda function name.
func apiResources(in Input, fn manifest.Function, s *stages.Settings, name string) (resources []Resource, apiStage string, problems []Problem) {
	m := in.Manifest
	t := in.Target
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
		as := in.Settings[a.Name]
		if as == nil {
			continue // BuildDesired reports the function without settings
		}
		authARNs[a.Name] = functionARN(t, as.LambdaFunctionName)
		authDeps = append(authDeps, functionAddr(a.Name))
		resources = append(resources, invokePermission(a.Name, as.LambdaFunctionName, AuthorizerStatementID, "apigateway.amazonaws.com",
			executeAPIARN(t, APIIDPlaceholder)+"/authorizers/*", "", apiAddr))
	}
	apiDeps := append([]string{functionAddr(fn.Name)}, authDeps...)
	fnARN := functionARN(t, name)
	desc := restAPIDescription(m.AppName, s.Stage)

	if s.APIGatewayType == stages.APIGatewayTypeHTTP {
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
			invokePermission(fn.Name, name, PermissionStatementID, "apigateway.amazonaws.com", executeAPIARN(t, APIIDPlaceholder)+"/*", "", httpAPIAddr))
		return resources, s.APIGatewayStage, nil
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
			},
		},
		Resource{
			Address: deploymentAddr(s.APIGatewayStage), Type: TypeDeployment, Name: s.APIGatewayStage,
			DependsOn:  []string{restAPIAddr},
			Deployment: &DeploymentSpec{StageName: s.APIGatewayStage, DocumentSHA256: hexSHA256(doc)},
		},
		invokePermission(fn.Name, name, PermissionStatementID, "apigateway.amazonaws.com", "", "", restAPIAddr))
	if slices.ContainsFunc(m.Routes, func(r manifest.Route) bool { return r.APIKeyRequired }) {
		// API Gateway accepts only the keys of a usage plan of the stage.
		resources = append(resources, Resource{
			Address: usagePlanAddr, Type: TypeUsagePlan, Name: m.AppName + "-" + s.Stage,
			DependsOn: []string{deploymentAddr(s.APIGatewayStage)},
			UsagePlan: &UsagePlanSpec{Description: desc, APIStage: s.APIGatewayStage},
		})
	}
	return resources, s.APIGatewayStage, nil
}

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

// The kinds of the HTTP API's resources (see kinds.go).
var (
	httpAPIKind = kind{
		apply: applyHTTPAPI, delete: deleteHTTPAPI, read: readHTTPAPIKind, attributes: httpAPIAttributes,
		logicalID: httpAPILogicalIDOf, cloudFormation: httpAPICloudFormation, terraform: httpAPITerraform,
	}
	httpStageKind = kind{
		apply: applyHTTPStage, delete: deleteHTTPStage, read: readHTTPStageKind, attributes: httpStageAttributes,
		logicalID: httpAPILogicalIDOf, cloudFormation: httpStageCloudFormation, terraform: httpStageTerraform,
	}
)
