package fakeaws_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

var _ deployer.WebSocketAPIAPI = (*fakeaws.HTTPAPI)(nil)

// TestWebSocketAPIService: the fake refuses what API Gateway refuses of
// WebSocket APIs (no route selection expression, a function ARN for an
// integration URI, a second route of one key, a route to no integration,
// deleting an integration a route targets), lists WebSocket and HTTP APIs
// together, and deploys route changes to a stage that deploys
// automatically.
func TestWebSocketAPIService(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud := fakeaws.New()
	s := cloud.HTTPAPI()
	badRequest := func(t *testing.T, err error) {
		t.Helper()
		var bad *apigwv2types.BadRequestException
		if !errors.As(err, &bad) {
			t.Errorf("err = %v, want BadRequestException", err)
		}
	}
	_, err := s.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: apigwv2types.ProtocolTypeWebsocket})
	badRequest(t, err)
	api, err := s.CreateApi(ctx, &apigatewayv2.CreateApiInput{Name: aws.String("chat"), ProtocolType: apigwv2types.ProtocolTypeWebsocket,
		RouteSelectionExpression: aws.String("$request.body.action")})
	if err != nil {
		t.Fatal(err)
	}
	fn := "arn:aws:lambda:us-east-1:123456789012:function:chat-dev-websocket_message"
	_, err = s.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: apigwv2types.IntegrationTypeAwsProxy, IntegrationUri: &fn})
	badRequest(t, err)
	uri := "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/" + fn + "/invocations"
	in, err := s.CreateIntegration(ctx, &apigatewayv2.CreateIntegrationInput{ApiId: api.ApiId, IntegrationType: apigwv2types.IntegrationTypeAwsProxy, IntegrationUri: &uri})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"), Target: aws.String("integrations/nope")})
	badRequest(t, err)
	target := "integrations/" + aws.ToString(in.IntegrationId)
	if _, err := s.CreateStage(ctx, &apigatewayv2.CreateStageInput{ApiId: api.ApiId, StageName: aws.String("api"), AutoDeploy: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	route, err := s.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"), Target: &target})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateRoute(ctx, &apigatewayv2.CreateRouteInput{ApiId: api.ApiId, RouteKey: aws.String("$default"), Target: &target})
	var conflict *apigwv2types.ConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("second $default route: err = %v, want ConflictException", err)
	}
	_, err = s.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: in.IntegrationId})
	badRequest(t, err)

	want := []fakeaws.WebSocketAPISnapshot{{Name: "chat", RouteSelectionExpression: "$request.body.action",
		Routes: map[string]string{"$default": uri}, Integrations: []string{uri}, Stages: map[string]bool{"api": true}, AutoDeploy: []string{"api"}}}
	if diff := cmp.Diff(want, cloud.Snapshot().WebSocketAPIs); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	if _, err := s.DeleteRoute(ctx, &apigatewayv2.DeleteRouteInput{ApiId: api.ApiId, RouteId: route.RouteId}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteIntegration(ctx, &apigatewayv2.DeleteIntegrationInput{ApiId: api.ApiId, IntegrationId: in.IntegrationId}); err != nil {
		t.Fatal(err)
	}
	if got := cloud.Snapshot().WebSocketAPIs[0]; len(got.Routes) != 0 || !got.Stages["api"] {
		t.Errorf("after the route's deletion: %+v, want no route, served at once", got)
	}

	out, err := s.GetApis(ctx, &apigatewayv2.GetApisInput{})
	if err != nil || len(out.Items) != 1 || out.Items[0].ProtocolType != apigwv2types.ProtocolTypeWebsocket {
		t.Errorf("GetApis = %+v, %v", out, err)
	}
	if got := cloud.Snapshot().HTTPAPIs; len(got) != 0 {
		t.Errorf("HTTP APIs = %+v, want none", got)
	}
	if _, err := s.DeleteApi(ctx, &apigatewayv2.DeleteApiInput{ApiId: api.ApiId}); err != nil || !cloud.Empty() {
		t.Errorf("DeleteApi: %v; empty %v", err, cloud.Empty())
	}
}
