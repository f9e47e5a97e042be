package deployer_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/gochalice/gochalice/internal/deployer"
)

// wsAPIRec records the WebSocket API calls: API Gateway authorises them by
// HTTP verb on the control-plane path.
type wsAPIRec struct{ r *recorder }

func (c wsAPIRec) path(p string) string { return c.r.arn("apigateway", c.r.region, "", p) }

func (c wsAPIRec) api(id *string) string { return "/apis/" + deref(id) }

func (c wsAPIRec) GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	c.r.add("apigatewayv2", "GetApis", c.path("/apis"), nil)
	return c.r.inner.WebSocketAPI.GetApis(ctx, in, o...)
}

func (c wsAPIRec) CreateApi(ctx context.Context, in *apigatewayv2.CreateApiInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateApiOutput, error) {
	c.r.add("apigatewayv2", "CreateApi", c.path("/apis"), nil)
	return c.r.inner.WebSocketAPI.CreateApi(ctx, in, o...)
}

func (c wsAPIRec) UpdateApi(ctx context.Context, in *apigatewayv2.UpdateApiInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateApiOutput, error) {
	c.r.add("apigatewayv2", "UpdateApi", c.path(c.api(in.ApiId)), nil)
	return c.r.inner.WebSocketAPI.UpdateApi(ctx, in, o...)
}

func (c wsAPIRec) DeleteApi(ctx context.Context, in *apigatewayv2.DeleteApiInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiOutput, error) {
	c.r.add("apigatewayv2", "DeleteApi", c.path(c.api(in.ApiId)), nil)
	return c.r.inner.WebSocketAPI.DeleteApi(ctx, in, o...)
}

func (c wsAPIRec) GetIntegrations(ctx context.Context, in *apigatewayv2.GetIntegrationsInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetIntegrationsOutput, error) {
	c.r.add("apigatewayv2", "GetIntegrations", c.path(c.api(in.ApiId)+"/integrations"), nil)
	return c.r.inner.WebSocketAPI.GetIntegrations(ctx, in, o...)
}

func (c wsAPIRec) CreateIntegration(ctx context.Context, in *apigatewayv2.CreateIntegrationInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateIntegrationOutput, error) {
	c.r.add("apigatewayv2", "CreateIntegration", c.path(c.api(in.ApiId)+"/integrations"), nil)
	return c.r.inner.WebSocketAPI.CreateIntegration(ctx, in, o...)
}

func (c wsAPIRec) UpdateIntegration(ctx context.Context, in *apigatewayv2.UpdateIntegrationInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateIntegrationOutput, error) {
	c.r.add("apigatewayv2", "UpdateIntegration", c.path(c.api(in.ApiId)+"/integrations/"+deref(in.IntegrationId)), nil)
	return c.r.inner.WebSocketAPI.UpdateIntegration(ctx, in, o...)
}

func (c wsAPIRec) DeleteIntegration(ctx context.Context, in *apigatewayv2.DeleteIntegrationInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteIntegrationOutput, error) {
	c.r.add("apigatewayv2", "DeleteIntegration", c.path(c.api(in.ApiId)+"/integrations/"+deref(in.IntegrationId)), nil)
	return c.r.inner.WebSocketAPI.DeleteIntegration(ctx, in, o...)
}

func (c wsAPIRec) GetRoutes(ctx context.Context, in *apigatewayv2.GetRoutesInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetRoutesOutput, error) {
	c.r.add("apigatewayv2", "GetRoutes", c.path(c.api(in.ApiId)+"/routes"), nil)
	return c.r.inner.WebSocketAPI.GetRoutes(ctx, in, o...)
}

func (c wsAPIRec) CreateRoute(ctx context.Context, in *apigatewayv2.CreateRouteInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateRouteOutput, error) {
	c.r.add("apigatewayv2", "CreateRoute", c.path(c.api(in.ApiId)+"/routes"), nil)
	return c.r.inner.WebSocketAPI.CreateRoute(ctx, in, o...)
}

func (c wsAPIRec) UpdateRoute(ctx context.Context, in *apigatewayv2.UpdateRouteInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateRouteOutput, error) {
	c.r.add("apigatewayv2", "UpdateRoute", c.path(c.api(in.ApiId)+"/routes/"+deref(in.RouteId)), nil)
	return c.r.inner.WebSocketAPI.UpdateRoute(ctx, in, o...)
}

func (c wsAPIRec) DeleteRoute(ctx context.Context, in *apigatewayv2.DeleteRouteInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteRouteOutput, error) {
	c.r.add("apigatewayv2", "DeleteRoute", c.path(c.api(in.ApiId)+"/routes/"+deref(in.RouteId)), nil)
	return c.r.inner.WebSocketAPI.DeleteRoute(ctx, in, o...)
}

func (c wsAPIRec) GetStage(ctx context.Context, in *apigatewayv2.GetStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStageOutput, error) {
	c.r.add("apigatewayv2", "GetStage", c.path(c.api(in.ApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.WebSocketAPI.GetStage(ctx, in, o...)
}

func (c wsAPIRec) CreateStage(ctx context.Context, in *apigatewayv2.CreateStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateStageOutput, error) {
	c.r.add("apigatewayv2", "CreateStage", c.path(c.api(in.ApiId)+"/stages"), nil)
	return c.r.inner.WebSocketAPI.CreateStage(ctx, in, o...)
}

func (c wsAPIRec) UpdateStage(ctx context.Context, in *apigatewayv2.UpdateStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateStageOutput, error) {
	c.r.add("apigatewayv2", "UpdateStage", c.path(c.api(in.ApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.WebSocketAPI.UpdateStage(ctx, in, o...)
}

func (c wsAPIRec) DeleteStage(ctx context.Context, in *apigatewayv2.DeleteStageInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteStageOutput, error) {
	c.r.add("apigatewayv2", "DeleteStage", c.path(c.api(in.ApiId)+"/stages/"+deref(in.StageName)), nil)
	return c.r.inner.WebSocketAPI.DeleteStage(ctx, in, o...)
}

// TestDeployerPolicyCoversWebSocket drives the deployer through the life
// of the chat app's WebSocket API — first deploy, unchanged redeploy, a
// handler removed, the stage's automatic deployment turned off behind
// gochalice's back, delete — recording every call: each must be allowed
// by DeployerPolicy of the project and recorded state the step ran with,
// and every action the WebSocket API's and the permissions' statements
// grant must be needed by some call.
func TestDeployerPolicyCoversWebSocket(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, _ := newCloud()
	rec := newRecorder(cloud)
	d := fast(cloud)
	d.Clients = rec.clients()
	path := statePath(t)
	deployStep := func(p *deployer.Project) func(t *testing.T, _ *deployer.State) {
		return func(t *testing.T, _ *deployer.State) { wsDeploy(ctx, t, d, p, path) }
	}
	run := newPolicyRun(t, cloud, rec, path)
	run.step(t, "first deploy", chatProject(t, "dev", true), deployStep(chatProject(t, "dev", true)))
	run.step(t, "unchanged redeploy", chatProject(t, "dev", true), func(t *testing.T, _ *deployer.State) {
		wsDeploy(ctx, t, d, chatProject(t, "dev", true), path)
		if m := cloud.Mutations(); len(m) != 0 {
			t.Errorf("mutating calls: %v", m)
		}
	})
	run.step(t, "handler removed", chatProject(t, "dev", false), deployStep(chatProject(t, "dev", false)))
	run.step(t, "automatic deployment turned off", chatProject(t, "dev", false), func(t *testing.T, recorded *deployer.State) {
		if _, err := cloud.HTTPAPI().UpdateStage(ctx, &apigatewayv2.UpdateStageInput{
			ApiId: aws.String(recorded.Resources["websocket_api"].ID), StageName: aws.String("api"), AutoDeploy: aws.Bool(false),
		}); err != nil {
			t.Fatal(err)
		}
		cloud.ResetCalls()
		wsDeploy(ctx, t, d, chatProject(t, "dev", false), path)
		if got := cloud.Snapshot().WebSocketAPIs[0].AutoDeploy; len(got) != 1 {
			t.Errorf("stages deploying automatically: %v, want api", got)
		}
	})
	run.step(t, "delete", nil, func(t *testing.T, recorded *deployer.State) {
		if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
			t.Fatal(err)
		}
		if !cloud.Empty() {
			t.Errorf("after delete: %+v", cloud.Snapshot())
		}
	})
	run.checkUsed(t, []string{"ListAndCreateWebSocketAPIs", "ManageWebSocketAPIs", "ReadAndRevokeSourceInvoke", "LetSourcesInvoke"})
}
