package deployer

import (
	"encoding/json"
	"fmt"

	"github.com/gochalice/gochalice/manifest"
	"github.com/gochalice/gochalice/stages"
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

// HTTPStageSpec is the HTTP API's stage, deployed automatically.
type HTTPStageSpec struct {
	StageName string `json:"stage_name"`
}

// APIIDPlaceholder, in a PermissionSpec's SourceARN, stands for the id of
// the app's API (REST or HTTP), known only once it exists.
const APIIDPlaceholder = "{api_id}"

// apiResources are the resources of the API handler fn: the REST API, its
// deployment to the stage and the permission that lets it invoke fn.
// name is fn's Lambda function name.
func apiResources(in Input, fn manifest.Function, s *stages.Settings, name string) (resources []Resource, apiStage string, problems []Problem) {
	m := in.Manifest
	fnARN := fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", in.Target.Partition, in.Target.Region, in.Target.Account, name)
	doc, err := OpenAPI(m, OpenAPIOptions{
		Title: name, Description: restAPIDescription(m.AppName, s.Stage),
		FunctionARN: fnARN, Target: in.Target, ResourcePolicy: s.APIGatewayPolicy,
	})
	if err != nil {
		return nil, "", []Problem{{Subject: "rest_api", Problem: err.Error(), Fix: "fix the routes"}}
	}
	resources = []Resource{
		{
			Address: restAPIAddr, Type: TypeRestAPI, Name: name,
			DependsOn: []string{functionAddr(fn.Name)},
			RestAPI: &RestAPISpec{
				Description: restAPIDescription(m.AppName, s.Stage), EndpointType: s.APIGatewayEndpointType,
				Document: doc, DocumentSHA256: hexSHA256(doc),
			},
		},
		{
			Address: deploymentAddr(s.APIGatewayStage), Type: TypeDeployment, Name: s.APIGatewayStage,
			DependsOn:  []string{restAPIAddr},
			Deployment: &DeploymentSpec{StageName: s.APIGatewayStage, DocumentSHA256: hexSHA256(doc)},
		},
		{
			Address: permissionAddr(fn.Name), Type: TypePermission, Name: PermissionStatementID,
			DependsOn: []string{functionAddr(fn.Name), restAPIAddr},
			Permission: &PermissionSpec{
				FunctionName: name, StatementID: PermissionStatementID,
				Principal: "apigateway.amazonaws.com", Action: "lambda:InvokeFunction",
			},
		},
	}
	return resources, s.APIGatewayStage, nil
}

// The kinds of the HTTP API's resources (see kinds.go).
var (
	httpAPIKind   = kind{}
	httpStageKind = kind{}
)
