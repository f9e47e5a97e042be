package deployer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/manifest"
)

// TestDeployerPolicyCoversAPIs drives the deployer through the life of
// authapp's HTTP API and of its PRIVATE REST API, both with custom Lambda
// authorizers — first deploy, unchanged redeploy, a new route, a stage whose automatic
// deployment was turned off (HTTP) or the API made REGIONAL (REST),
// delete —
// recording every call: each must be allowed by DeployerPolicy of the
// project and recorded state the step ran with, and every action the
// APIs' and the authorizers' statements grant must be needed by some call.
func TestDeployerPolicyCoversAPIs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, stage string
		manifest    func() *manifest.Manifest
		sids        []string
	}{
		{"http", "http", authManifest, []string{"ListAndImportHTTPAPIs", "ManageHTTPAPIs", "ReadAndRevokeAPIGatewayInvoke", "LetAPIGatewayInvoke", "ReadAndRevokeSourceInvoke", "LetSourcesInvoke"}},
		{"private rest", "dev", restAuthManifest, []string{"ListAndImportRestAPIs", "ManageRestAPIs", "DeployRestAPIs", "SetRestAPIPolicy", "ReadAndRevokeAPIGatewayInvoke", "LetAPIGatewayInvoke", "ReadAndRevokeSourceInvoke", "LetSourcesInvoke"}},
		// A route requiring an API key: the stage's usage plan.
		{"rest with api key", "dev", func() *manifest.Manifest {
			m := restAuthManifest()
			m.Routes[0].APIKeyRequired = true
			return m
		}, []string{"ListAndCreateUsagePlans", "ManageUsagePlans"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cloud, _ := newCloud()
			rec := newRecorder(cloud)
			d := fast(cloud)
			d.Clients = rec.clients()
			path := statePath(t)
			// project is authapp, with a route added from step 3 on and
			// (REST) made REGIONAL in step 4.
			project := func(step int) *deployer.Project {
				m, config := tc.manifest(), authConfig
				if step >= 3 {
					m.Routes = append(m.Routes, manifest.Route{Pattern: "GET /health", Method: "GET", Path: "/health", CORS: m.Routes[0].CORS})
				}
				if step >= 4 {
					config = strings.Replace(config, `"api_gateway_endpoint_type": "PRIVATE", "api_gateway_endpoint_vpce": ["vpce-0bbbbbbbbbbbbbbbb", "vpce-0aaaaaaaaaaaaaaaa"]`,
						`"api_gateway_endpoint_type": "REGIONAL"`, 1)
				}
				return authProject(t, config, m, tc.stage)
			}
			deployStep := func(p *deployer.Project) func(t *testing.T, _ *deployer.State) {
				return func(t *testing.T, _ *deployer.State) {
					if _, _, err := deploy(ctx, t, d, p, path); err != nil {
						t.Fatal(err)
					}
				}
			}
			run := newPolicyRun(t, cloud, rec, path)
			run.step(t, "first deploy", project(1), deployStep(project(1)))
			run.step(t, "unchanged redeploy", project(2), func(t *testing.T, _ *deployer.State) {
				deployStep(project(2))(t, nil)
				if m := cloud.Mutations(); len(m) != 0 {
					t.Errorf("mutating calls: %v", m)
				}
			})
			run.step(t, "route added", project(3), deployStep(project(3)))
			if tc.stage == "http" {
				run.step(t, "automatic deployment turned off", project(3), func(t *testing.T, recorded *deployer.State) {
					if _, err := cloud.HTTPAPI().UpdateStage(ctx, &apigatewayv2.UpdateStageInput{
						ApiId: aws.String(recorded.Resources["http_api"].ID), StageName: aws.String("api"), AutoDeploy: aws.Bool(false),
					}); err != nil {
						t.Fatal(err)
					}
					cloud.ResetCalls()
					deployStep(project(3))(t, nil)
					if got := cloud.Snapshot().HTTPAPIs[0].AutoDeploy; len(got) != 1 {
						t.Errorf("stages deploying automatically: %v, want api", got)
					}
				})
			} else {
				run.step(t, "made regional", project(4), func(t *testing.T, _ *deployer.State) {
					deployStep(project(4))(t, nil)
					if got := cloud.Snapshot().RestAPIs; len(got) != 1 || got[0].EndpointType != "REGIONAL" {
						t.Errorf("REST APIs = %+v, want one REGIONAL", got)
					}
				})
			}
			run.step(t, "delete", nil, func(t *testing.T, recorded *deployer.State) {
				if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
					t.Fatal(err)
				}
				if !cloud.Empty() {
					t.Errorf("after delete: %+v", cloud.Snapshot())
				}
			})
			run.checkUsed(t, tc.sids)
		})
	}
}
