package fakeaws_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

var _ deployer.HTTPAPIAPI = (*fakeaws.HTTPAPI)(nil)

const httpBody = `{
  "openapi": "3.0.1",
  "info": {"title": "app-dev", "description": "gochalice app app, stage dev", "version": "1.0"},
  "paths": {
    "/{proxy+}": {"x-amazon-apigateway-any-method": {"security": [{"jwt": []}],
      "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "arn:aws:lambda:us-east-1:123456789012:function:app-dev", "payloadFormatVersion": "2.0"}}},
    "/": {"get": {"x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": "arn:aws:lambda:us-east-1:123456789012:function:app-dev", "payloadFormatVersion": "2.0"}}}
  },
  "components": {"securitySchemes": {"jwt": {"type": "oauth2", "x-amazon-apigateway-authorizer": {"type": "jwt", "identitySource": "$request.header.Authorization",
    "jwtConfiguration": {"issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x", "audience": ["c"]}}}}}
}`

// TestHTTPAPIImportChecks rejects documents API Gateway would reject or
// that would make an API with no working route.
func TestHTTPAPIImportChecks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body, want string
	}{
		{"swagger 2", `{"swagger": "2.0", "info": {"title": "x"}, "paths": {}}`, "OpenAPI 3"},
		{"no paths", `{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}}`, "no paths"},
		{"no payload format", strings.Replace(httpBody, `, "payloadFormatVersion": "2.0"}}}`, `}}}`, 1), "no payloadFormatVersion"},
		{"undefined scheme", strings.Replace(httpBody, `[{"jwt": []}]`, `[{"other": []}]`, 1), "undefined scheme other"},
		{"JWT without audience", strings.Replace(httpBody, `"audience": ["c"]`, `"audience": []`, 1), "issuer and audience"},
		{"not JSON", `{`, "Invalid OpenAPI input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := fakeaws.New()
			_, err := c.HTTPAPI().ImportApi(context.Background(), &apigatewayv2.ImportApiInput{Body: aws.String(tc.body)})
			var bad *apigwv2types.BadRequestException
			if !errors.As(err, &bad) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a BadRequestException saying %q", err, tc.want)
			}
			if !c.Empty() {
				t.Errorf("a rejected import made an API")
			}
		})
	}
}

// TestHTTPAPIService walks an HTTP API through the calls the deployer
// makes: import, list (paged), stages (conflict on a duplicate, auto
// deploy), reimport, delete (not found after).
func TestHTTPAPIService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := fakeaws.New()
	s := c.HTTPAPI()
	var ids []string
	for range 3 {
		out, err := s.ImportApi(ctx, &apigatewayv2.ImportApiInput{Body: aws.String(httpBody)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, *out.ApiId)
	}
	var listed []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := s.GetApis(ctx, &apigatewayv2.GetApisInput{MaxResults: aws.String("2"), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.Items {
			listed = append(listed, *a.ApiId)
		}
		if out.NextToken == nil {
			if pages != 1 {
				t.Errorf("%d pages of 2 for 3 APIs", pages+1)
			}
			break
		}
		token = out.NextToken
	}
	if diff := cmp.Diff(ids, listed); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}

	id := aws.String(ids[0])
	if _, err := s.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("api"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: id, StageName: aws.String("api")})
	var conflict *apigwv2types.ConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("duplicate stage: err = %v, want a ConflictException", err)
	}
	if _, err := s.ReimportApi(ctx, &apigatewayv2.ReimportApiInput{ApiId: id, Body: aws.String(strings.Replace(httpBody, `"/": {"get"`, `"/": {"post"`, 1))}); err != nil {
		t.Fatal(err)
	}
	snap := c.Snapshot().HTTPAPIs
	if len(snap) != 3 || !snap[0].Stages["api"] || snap[0].Routes[1] != "POST /" {
		t.Errorf("after reimport: %+v", snap[0])
	}
	st, err := s.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: id, StageName: aws.String("api")})
	if err != nil || !*st.AutoDeploy {
		t.Errorf("GetStage = %+v, %v", st, err)
	}
	for _, id := range ids {
		if _, err := s.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: aws.String(id)}); err != nil {
			t.Fatal(err)
		}
	}
	var missing *apigwv2types.NotFoundException
	if _, err := s.GetStage(ctx, &apigatewayv2.GetStageInput{ApiId: id, StageName: aws.String("api")}); !errors.As(err, &missing) {
		t.Errorf("GetStage of a deleted API: err = %v, want a NotFoundException", err)
	}
	if _, err := s.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: id}); !errors.As(err, &missing) {
		t.Errorf("DeleteApi twice: err = %v, want a NotFoundException", err)
	}
	if !c.Empty() {
		t.Errorf("not empty after deleting every API")
	}
}

// TestRestAPIVPCEndpoints keeps a PRIVATE REST API's VPC endpoints: from
// the document on import, changed by patch operations, refused on an API
// that is not PRIVATE.
func TestRestAPIVPCEndpoints(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := fakeaws.New()
	s := c.APIGateway()
	body := []byte(`{"swagger": "2.0", "info": {"title": "x"}, "paths": {}, "x-amazon-apigateway-endpoint-configuration": {"vpcEndpointIds": ["vpce-2", "vpce-1"]}}`)
	var bad *apigwtypes.BadRequestException
	if _, err := s.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: body, Parameters: map[string]string{"endpointConfigurationTypes": "REGIONAL"}}); !errors.As(err, &bad) {
		t.Errorf("VPC endpoints on a REGIONAL import: err = %v, want a BadRequestException", err)
	}
	out, err := s.ImportRestApi(ctx, &apigateway.ImportRestApiInput{Body: body, Parameters: map[string]string{"endpointConfigurationTypes": "PRIVATE"}})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"vpce-1", "vpce-2"}, out.EndpointConfiguration.VpcEndpointIds); diff != "" {
		t.Errorf("imported (-want +got):\n%s", diff)
	}
	path := aws.String("/endpointConfiguration/vpcEndpointIds")
	if _, err := s.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: out.Id, PatchOperations: []apigwtypes.PatchOperation{
		{Op: apigwtypes.OpRemove, Path: path, Value: aws.String("vpce-2")},
		{Op: apigwtypes.OpAdd, Path: path, Value: aws.String("vpce-0")},
	}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateRestApi(ctx, &apigateway.UpdateRestApiInput{RestApiId: out.Id, PatchOperations: []apigwtypes.PatchOperation{
		{Op: apigwtypes.OpReplace, Path: aws.String("/endpointConfiguration/types/PRIVATE"), Value: aws.String("REGIONAL")},
	}}); !errors.As(err, &bad) {
		t.Errorf("REGIONAL with VPC endpoints: err = %v, want a BadRequestException", err)
	}
	list, err := s.GetRestApis(ctx, &apigateway.GetRestApisInput{})
	if err != nil {
		t.Fatal(err)
	}
	got := list.Items[0].EndpointConfiguration
	if diff := cmp.Diff([]string{"vpce-0", "vpce-1"}, got.VpcEndpointIds); diff != "" || got.Types[0] != "PRIVATE" {
		t.Errorf("after the patches: %v %v (-want +got):\n%s", got.Types, got.VpcEndpointIds, diff)
	}
}
