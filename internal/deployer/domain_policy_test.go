package deployer_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/stages"
)

// TestDeployerPolicyCoversCustomDomains drives the deployer through the
// life of a custom domain (an EDGE REST API's, a REGIONAL REST API's and
// an HTTP API's): first deploy, unchanged redeploy, a change of base
// path, certificate, TLS version and tags, another domain name, delete.
// Every call must be allowed by DeployerPolicy of the project and
// recorded state the step ran with, and every action the domain's
// statements grant must be needed by some call.
func TestDeployerPolicyCoversCustomDomains(t *testing.T) {
	t.Parallel()
	for _, dc := range domainCases {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cloud, _ := newCloud()
			rec := newRecorder(cloud)
			d := fast(cloud)
			d.Clients = rec.clients()
			path := statePath(t)
			first := &stages.CustomDomain{DomainName: "api.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2", URLPrefix: "v1",
				Tags: map[string]string{"team": "blood"}}
			changed := *first
			changed.URLPrefix, changed.Tags = "", map[string]string{"owner": "ops"}
			changed.CertificateARN = "arn:aws:acm:us-east-1:123456789012:certificate/33333333-cccc"
			if !dc.http {
				changed.TLSVersion = "TLS_1_0"
			}
			renamed := changed
			renamed.DomainName = "www.example.com"

			run := newPolicyRun(t, cloud, rec, path)
			deployStep := func(t *testing.T, p *deployer.Project) {
				t.Helper()
				recorded, err := deployer.LoadState(path)
				if err != nil {
					t.Fatal(err)
				}
				plan, err := d.PlanProject(ctx, p, target, nil, recorded)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := d.Apply(ctx, plan, deployer.StateFile(path)); err != nil {
					t.Fatal(err)
				}
			}
			for _, st := range []struct {
				name string
				cd   *stages.CustomDomain
			}{{"first deploy", first}, {"unchanged", first}, {"changed", &changed}, {"renamed", &renamed}} {
				p := dc.project(t, st.cd)
				run.step(t, st.name, p, func(t *testing.T, _ *deployer.State) { deployStep(t, p) })
			}
			run.step(t, "delete", nil, func(t *testing.T, recorded *deployer.State) {
				if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
					t.Fatal(err)
				}
				if !cloud.Empty() {
					t.Errorf("after delete: %+v", cloud.Snapshot())
				}
			})
			sids := []string{"CreateDomainNames", "ManageDomainName", "TagDomainName", "ListAndCreateAPIMappings", "ManageAPIMappings"}
			if dc.endpoint == "EDGE" {
				sids = append(sids, "EdgeDomainDistribution")
			}
			run.checkUsed(t, sids)
		})
	}
}

// addAccess records a call that needs the accesses given.
func (r *recorder) addAccess(service, op string, needs ...access) {
	r.mu.Lock()
	r.calls = append(r.calls, call{Service: service, Operation: op, Needs: needs})
	r.mu.Unlock()
}

// domainPath is the ARN of an API Gateway control-plane path of a domain
// name ("/domainnames/NAME...").
func (r *recorder) domainPath(name *string, rest string) string {
	return r.restAPI("/domainnames/" + deref(name) + rest)
}

// tagsPath is the ARN that tagging a resource needs: "/tags/" and the
// URL-encoded ARN.
func (r *recorder) tagsPath(arn *string) string {
	return r.restAPI("/tags/" + url.QueryEscape(deref(arn)))
}

// updateDistribution is what an EDGE domain's create or certificate
// change needs besides (API Gateway updates its CloudFront distribution).
var updateDistribution = access{Action: "cloudfront:UpdateDistribution", Resource: "*"}

type domainRec struct{ r *recorder }

func (c domainRec) GetDomainNames(ctx context.Context, in *apigateway.GetDomainNamesInput, o ...func(*apigateway.Options)) (*apigateway.GetDomainNamesOutput, error) {
	c.r.addAccess("apigateway", "GetDomainNames", access{Action: "apigateway:GET", Resource: c.r.restAPI("/domainnames")})
	return c.r.inner.Domains.GetDomainNames(ctx, in, o...)
}

func (c domainRec) GetDomainName(ctx context.Context, in *apigateway.GetDomainNameInput, o ...func(*apigateway.Options)) (*apigateway.GetDomainNameOutput, error) {
	c.r.addAccess("apigateway", "GetDomainName", access{Action: "apigateway:GET", Resource: c.r.domainPath(in.DomainName, "")})
	return c.r.inner.Domains.GetDomainName(ctx, in, o...)
}

func (c domainRec) CreateDomainName(ctx context.Context, in *apigateway.CreateDomainNameInput, o ...func(*apigateway.Options)) (*apigateway.CreateDomainNameOutput, error) {
	needs := []access{{Action: "apigateway:POST", Resource: c.r.restAPI("/domainnames")}}
	if in.CertificateArn != nil {
		needs = append(needs, updateDistribution)
	}
	c.r.addAccess("apigateway", "CreateDomainName", needs...)
	return c.r.inner.Domains.CreateDomainName(ctx, in, o...)
}

func (c domainRec) UpdateDomainName(ctx context.Context, in *apigateway.UpdateDomainNameInput, o ...func(*apigateway.Options)) (*apigateway.UpdateDomainNameOutput, error) {
	needs := []access{{Action: "apigateway:PATCH", Resource: c.r.domainPath(in.DomainName, "")}}
	for _, op := range in.PatchOperations {
		if deref(op.Path) == "/certificateArn" {
			needs = append(needs, updateDistribution)
		}
	}
	c.r.addAccess("apigateway", "UpdateDomainName", needs...)
	return c.r.inner.Domains.UpdateDomainName(ctx, in, o...)
}

func (c domainRec) DeleteDomainName(ctx context.Context, in *apigateway.DeleteDomainNameInput, o ...func(*apigateway.Options)) (*apigateway.DeleteDomainNameOutput, error) {
	c.r.addAccess("apigateway", "DeleteDomainName", access{Action: "apigateway:DELETE", Resource: c.r.domainPath(in.DomainName, "")})
	return c.r.inner.Domains.DeleteDomainName(ctx, in, o...)
}

func (c domainRec) GetBasePathMappings(ctx context.Context, in *apigateway.GetBasePathMappingsInput, o ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error) {
	c.r.addAccess("apigateway", "GetBasePathMappings", access{Action: "apigateway:GET", Resource: c.r.domainPath(in.DomainName, "/basepathmappings")})
	return c.r.inner.Domains.GetBasePathMappings(ctx, in, o...)
}

func (c domainRec) CreateBasePathMapping(ctx context.Context, in *apigateway.CreateBasePathMappingInput, o ...func(*apigateway.Options)) (*apigateway.CreateBasePathMappingOutput, error) {
	c.r.addAccess("apigateway", "CreateBasePathMapping", access{Action: "apigateway:POST", Resource: c.r.domainPath(in.DomainName, "/basepathmappings")})
	return c.r.inner.Domains.CreateBasePathMapping(ctx, in, o...)
}

func (c domainRec) UpdateBasePathMapping(ctx context.Context, in *apigateway.UpdateBasePathMappingInput, o ...func(*apigateway.Options)) (*apigateway.UpdateBasePathMappingOutput, error) {
	c.r.addAccess("apigateway", "UpdateBasePathMapping", access{Action: "apigateway:PATCH", Resource: c.r.domainPath(in.DomainName, "/basepathmappings/"+url.PathEscape(deref(in.BasePath)))})
	return c.r.inner.Domains.UpdateBasePathMapping(ctx, in, o...)
}

func (c domainRec) DeleteBasePathMapping(ctx context.Context, in *apigateway.DeleteBasePathMappingInput, o ...func(*apigateway.Options)) (*apigateway.DeleteBasePathMappingOutput, error) {
	c.r.addAccess("apigateway", "DeleteBasePathMapping", access{Action: "apigateway:DELETE", Resource: c.r.domainPath(in.DomainName, "/basepathmappings/"+url.PathEscape(deref(in.BasePath)))})
	return c.r.inner.Domains.DeleteBasePathMapping(ctx, in, o...)
}

func (c domainRec) TagResource(ctx context.Context, in *apigateway.TagResourceInput, o ...func(*apigateway.Options)) (*apigateway.TagResourceOutput, error) {
	c.r.addAccess("apigateway", "TagResource", access{Action: "apigateway:PUT", Resource: c.r.tagsPath(in.ResourceArn)})
	return c.r.inner.Domains.TagResource(ctx, in, o...)
}

func (c domainRec) UntagResource(ctx context.Context, in *apigateway.UntagResourceInput, o ...func(*apigateway.Options)) (*apigateway.UntagResourceOutput, error) {
	c.r.addAccess("apigateway", "UntagResource", access{Action: "apigateway:DELETE", Resource: c.r.tagsPath(in.ResourceArn)})
	return c.r.inner.Domains.UntagResource(ctx, in, o...)
}

type httpDomainRec struct{ r *recorder }

func (c httpDomainRec) GetDomainName(ctx context.Context, in *apigatewayv2.GetDomainNameInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDomainNameOutput, error) {
	c.r.addAccess("apigatewayv2", "GetDomainName", access{Action: "apigateway:GET", Resource: c.r.domainPath(in.DomainName, "")})
	return c.r.inner.HTTPDomains.GetDomainName(ctx, in, o...)
}

func (c httpDomainRec) CreateDomainName(ctx context.Context, in *apigatewayv2.CreateDomainNameInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateDomainNameOutput, error) {
	c.r.addAccess("apigatewayv2", "CreateDomainName", access{Action: "apigateway:POST", Resource: c.r.restAPI("/domainnames")})
	return c.r.inner.HTTPDomains.CreateDomainName(ctx, in, o...)
}

func (c httpDomainRec) UpdateDomainName(ctx context.Context, in *apigatewayv2.UpdateDomainNameInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateDomainNameOutput, error) {
	c.r.addAccess("apigatewayv2", "UpdateDomainName", access{Action: "apigateway:PATCH", Resource: c.r.domainPath(in.DomainName, "")})
	return c.r.inner.HTTPDomains.UpdateDomainName(ctx, in, o...)
}

func (c httpDomainRec) DeleteDomainName(ctx context.Context, in *apigatewayv2.DeleteDomainNameInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteDomainNameOutput, error) {
	c.r.addAccess("apigatewayv2", "DeleteDomainName", access{Action: "apigateway:DELETE", Resource: c.r.domainPath(in.DomainName, "")})
	return c.r.inner.HTTPDomains.DeleteDomainName(ctx, in, o...)
}

func (c httpDomainRec) GetApiMappings(ctx context.Context, in *apigatewayv2.GetApiMappingsInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApiMappingsOutput, error) {
	c.r.addAccess("apigatewayv2", "GetApiMappings", access{Action: "apigateway:GET", Resource: c.r.domainPath(in.DomainName, "/apimappings")})
	return c.r.inner.HTTPDomains.GetApiMappings(ctx, in, o...)
}

func (c httpDomainRec) CreateApiMapping(ctx context.Context, in *apigatewayv2.CreateApiMappingInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateApiMappingOutput, error) {
	c.r.addAccess("apigatewayv2", "CreateApiMapping", access{Action: "apigateway:POST", Resource: c.r.domainPath(in.DomainName, "/apimappings")})
	return c.r.inner.HTTPDomains.CreateApiMapping(ctx, in, o...)
}

func (c httpDomainRec) UpdateApiMapping(ctx context.Context, in *apigatewayv2.UpdateApiMappingInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateApiMappingOutput, error) {
	c.r.addAccess("apigatewayv2", "UpdateApiMapping", access{Action: "apigateway:PATCH", Resource: c.r.domainPath(in.DomainName, "/apimappings/"+deref(in.ApiMappingId))})
	return c.r.inner.HTTPDomains.UpdateApiMapping(ctx, in, o...)
}

func (c httpDomainRec) DeleteApiMapping(ctx context.Context, in *apigatewayv2.DeleteApiMappingInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiMappingOutput, error) {
	c.r.addAccess("apigatewayv2", "DeleteApiMapping", access{Action: "apigateway:DELETE", Resource: c.r.domainPath(in.DomainName, "/apimappings/"+deref(in.ApiMappingId))})
	return c.r.inner.HTTPDomains.DeleteApiMapping(ctx, in, o...)
}

func (c httpDomainRec) TagResource(ctx context.Context, in *apigatewayv2.TagResourceInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.TagResourceOutput, error) {
	c.r.addAccess("apigatewayv2", "TagResource", access{Action: "apigateway:PUT", Resource: c.r.tagsPath(in.ResourceArn)})
	return c.r.inner.HTTPDomains.TagResource(ctx, in, o...)
}

func (c httpDomainRec) UntagResource(ctx context.Context, in *apigatewayv2.UntagResourceInput, o ...func(*apigatewayv2.Options)) (*apigatewayv2.UntagResourceOutput, error) {
	c.r.addAccess("apigatewayv2", "UntagResource", access{Action: "apigateway:DELETE", Resource: c.r.tagsPath(in.ResourceArn)})
	return c.r.inner.HTTPDomains.UntagResource(ctx, in, o...)
}
