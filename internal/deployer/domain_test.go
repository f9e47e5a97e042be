package deployer_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

const (
	certEast = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-aaaa"
	certWest = "arn:aws:acm:eu-west-1:123456789012:certificate/22222222-bbbb"
)

// domainCase is an app stage with a custom domain: savealife's REST API
// (EDGE or REGIONAL) or authapp's HTTP API.
type domainCase struct {
	name, endpoint string
	http           bool
}

var domainCases = []domainCase{{"rest edge", "EDGE", false}, {"rest regional", "REGIONAL", false}, {"http", "REGIONAL", true}}

// project returns the case's project with api_gateway_custom_domain cd
// (nil for none).
func (dc domainCase) project(t *testing.T, cd *stages.CustomDomain) *deployer.Project {
	t.Helper()
	var p *deployer.Project
	if dc.http {
		p = authProject(t, authConfig, authManifest(), "http")
	} else {
		p = savealife(t)
	}
	s := p.Settings[manifest.APIHandlerName]
	if !dc.http {
		s.APIGatewayEndpointType = dc.endpoint
	}
	if cd != nil {
		c := *cd
		s.APIGatewayCustomDomain = &c
	}
	return p
}

// apiName is the name of the case's API (its handler's function).
func (dc domainCase) apiName() string {
	if dc.http {
		return "authapp-http"
	}
	return "savealife-dev"
}

// stageTags are tags plus the ones that mark a resource as the case's
// app stage.
func (dc domainCase) stageTags(tags map[string]string) map[string]string {
	out := map[string]string{"gochalice:app": "savealife", "gochalice:stage": "dev"}
	if dc.http {
		out = map[string]string{"gochalice:app": "authapp", "gochalice:stage": "http"}
	}
	for k, v := range tags {
		out[k] = v
	}
	return out
}

// domainOps are the API Gateway calls of a step that concern domains.
func domainOps(c *fakeaws.Cloud) []string {
	var out []string
	for _, m := range c.Mutations() {
		if strings.Contains(m, "Domain") || strings.Contains(m, "Mapping") || strings.Contains(m, "agResource") {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(m, "apigatewayv2:"), "apigateway:"))
		}
	}
	slices.Sort(out)
	return out
}

// TestCustomDomainLifecycle deploys api_gateway_custom_domain for a REST
// API (EDGE and REGIONAL) and an HTTP API: the domain name and the
// mapping of its base path to the API's stage, with the target DNS must
// point to recorded; an unchanged redeploy makes no mutating call; a
// new base path, TLS version and tags change the domain in place; another
// domain name replaces it; removing the setting deletes both; and delete
// leaves nothing.
func TestCustomDomainLifecycle(t *testing.T) {
	t.Parallel()
	for _, dc := range domainCases {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			cloud, d := apiCloud()
			path := statePath(t)
			cert := certEast
			cd := &stages.CustomDomain{DomainName: "api.example.com", CertificateARN: cert, TLSVersion: "TLS_1_2", URLPrefix: "v1",
				Tags: map[string]string{"team": "blood"}}

			plan, st, err := deploy(ctx, t, d, dc.project(t, cd), path)
			if err != nil {
				t.Fatal(err)
			}
			if c := plan.Counts(); c[deployer.Create] != len(plan.Changes) {
				t.Errorf("first deploy: %v", c)
			}
			want := map[string]fakeaws.DomainNameSnapshot{"api.example.com": {EndpointType: dc.endpoint, CertificateARN: cert, SecurityPolicy: "TLS_1_2",
				Tags: dc.stageTags(map[string]string{"team": "blood"}), Mappings: map[string]string{"v1": "<api:" + dc.apiName() + ">/api"}}}
			if diff := cmp.Diff(want, cloud.Snapshot().Domains); diff != "" {
				t.Errorf("domains (-want +got):\n%s", diff)
			}
			got, ok := deployer.RecordedCustomDomain(st)
			wantTarget := ".execute-api.us-east-1.amazonaws.com"
			wantZone := "Z1UJRXOUMOOFQ8"
			if dc.endpoint == "EDGE" {
				wantTarget, wantZone = ".cloudfront.net", "Z2FDTNDATAQYW2"
			}
			if !ok || got.URL != "https://api.example.com/v1/" || !strings.HasSuffix(got.Target, wantTarget) || !strings.HasPrefix(got.Target, "d") || got.HostedZoneID != wantZone {
				t.Errorf("recorded custom domain = %+v, want a target ending %s in zone %s", got, wantTarget, wantZone)
			}

			cloud.ResetCalls()
			if plan, _, err = deploy(ctx, t, d, dc.project(t, cd), path); err != nil {
				t.Fatal(err)
			}
			if m := cloud.Mutations(); len(m) != 0 || plan.HasChanges() {
				t.Errorf("unchanged redeploy: %v, mutating calls %v", plan.Counts(), m)
			}

			// The root instead of v1, other tags; for a REST API, TLS 1.0.
			cloud.ResetCalls()
			changed := *cd
			changed.URLPrefix, changed.Tags = "", map[string]string{"owner": "ops"}
			wantOps := []string{"TagResource", "UntagResource", "UpdateApiMapping"}
			if !dc.http {
				changed.TLSVersion = "TLS_1_0"
				wantOps = []string{"TagResource", "UntagResource", "UpdateBasePathMapping", "UpdateDomainName"}
			}
			if _, _, err = deploy(ctx, t, d, dc.project(t, &changed), path); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(wantOps, domainOps(cloud)); diff != "" {
				t.Errorf("changed in place (-want +got):\n%s", diff)
			}
			snap := cloud.Snapshot().Domains["api.example.com"]
			if !cmp.Equal(snap.Mappings, map[string]string{"": "<api:" + dc.apiName() + ">/api"}) || snap.SecurityPolicy != changed.TLSVersion ||
				!cmp.Equal(snap.Tags, dc.stageTags(changed.Tags)) {
				t.Errorf("after the change: %+v", snap)
			}
			cloud.ResetCalls()
			if _, _, err = deploy(ctx, t, d, dc.project(t, &changed), path); err != nil {
				t.Fatal(err)
			}
			if m := cloud.Mutations(); len(m) != 0 {
				t.Errorf("redeploy after the change: mutating calls %v", m)
			}

			// Another domain name: the old one goes.
			other := changed
			other.DomainName = "www.example.com"
			if _, _, err = deploy(ctx, t, d, dc.project(t, &other), path); err != nil {
				t.Fatal(err)
			}
			if got := cloud.Snapshot().Domains; len(got) != 1 || got["www.example.com"].Mappings[""] == "" {
				t.Errorf("after renaming the domain: %+v", got)
			}

			// No custom domain: both go, the API stays.
			if _, _, err = deploy(ctx, t, d, dc.project(t, nil), path); err != nil {
				t.Fatal(err)
			}
			if got := cloud.Snapshot().Domains; len(got) != 0 {
				t.Errorf("after removing the setting: %+v", got)
			}

			if _, _, err = deploy(ctx, t, d, dc.project(t, &other), path); err != nil {
				t.Fatal(err)
			}
			recorded, err := deployer.LoadState(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
				t.Fatal(err)
			}
			if !cloud.Empty() {
				t.Errorf("after delete: %+v", cloud.Snapshot())
			}
		})
	}
}

// TestCustomDomainStageRenamed: a renamed stage moves the mapping to the
// new stage before the old stage is deleted.
func TestCustomDomainStageRenamed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	dc := domainCases[1]
	cd := &stages.CustomDomain{DomainName: "api.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2"}
	if _, _, err := deploy(ctx, t, d, dc.project(t, cd), path); err != nil {
		t.Fatal(err)
	}
	p := dc.project(t, cd)
	p.Settings[manifest.APIHandlerName].APIGatewayStage = "v2"
	if _, _, err := deploy(ctx, t, d, p, path); err != nil {
		t.Fatal(err)
	}
	snap := cloud.Snapshot()
	if got := snap.Domains["api.example.com"].Mappings; !cmp.Equal(got, map[string]string{"": "<api:savealife-dev>/v2"}) {
		t.Errorf("mappings = %v", got)
	}
	if got := snap.RestAPIs[0].Stages; len(got) != 1 || !got["v2"] {
		t.Errorf("stages = %v", got)
	}
}

// TestCustomDomainAdopted: a domain name that exists but was not recorded
// (a deploy interrupted before it recorded it, or one made by hand for
// this stage) is adopted and brought to the settings, not created again.
func TestCustomDomainAdopted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	if _, err := cloud.APIGateway().CreateDomainName(ctx, &apigateway.CreateDomainNameInput{DomainName: aws.String("api.example.com"),
		CertificateArn: aws.String(certEast), SecurityPolicy: apigwtypes.SecurityPolicyTls10}); err != nil {
		t.Fatal(err)
	}
	cloud.ResetCalls()
	cd := &stages.CustomDomain{DomainName: "api.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2"}
	plan, _, err := deploy(ctx, t, d, domainCases[0].project(t, cd), path)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(plan.Changes, func(c deployer.Change) bool { return c.Address == "domain_name" })
	if i < 0 || plan.Changes[i].Action != deployer.Update || !strings.Contains(plan.Changes[i].Note, "adopted") {
		t.Errorf("domain change = %+v, want an update that adopts it", plan.Changes[i])
	}
	if ops := domainOps(cloud); slices.Contains(ops, "CreateDomainName") || !slices.Contains(ops, "UpdateDomainName") {
		t.Errorf("domain calls = %v", ops)
	}
	if got := cloud.Snapshot().Domains["api.example.com"].SecurityPolicy; got != "TLS_1_2" {
		t.Errorf("security policy = %s", got)
	}
}

// TestCustomDomainCrash interrupts the first deploy of a stage with a
// custom domain at every mutating call — the call fails, or takes effect
// and its answer is lost while the SDK would send it again — and deploys
// again: one domain, one mapping, as a clean deploy makes, and nothing to
// change after.
func TestCustomDomainCrash(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, dc := range []domainCase{domainCases[1], domainCases[2]} {
		cd := &stages.CustomDomain{DomainName: "api.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2", URLPrefix: "v1",
			Tags: map[string]string{"team": "blood"}}
		ref, dref := apiCloud()
		if _, _, err := deploy(ctx, t, dref, dc.project(t, cd), statePath(t)); err != nil {
			t.Fatal(err)
		}
		steps := len(ref.Mutations())
		want := ref.Snapshot().Domains
		for _, mode := range []string{"fail", "lost answer"} {
			for k := 1; k <= steps; k++ {
				t.Run(fmt.Sprintf("%s %s at %d", dc.name, mode, k), func(t *testing.T) {
					t.Parallel()
					cloud, d := apiCloud()
					cloud.FailAt = k
					cloud.FailAfterEffect = mode == "lost answer"
					cloud.ResendLostAnswer = true
					path := statePath(t)
					_, _, _ = deploy(ctx, t, d, dc.project(t, cd), path)
					cloud.FailAt = 0
					if _, _, err := deploy(ctx, t, d, dc.project(t, cd), path); err != nil {
						t.Fatalf("second deploy: %v", err)
					}
					if diff := cmp.Diff(want, cloud.Snapshot().Domains); diff != "" {
						t.Errorf("domains (-clean +got):\n%s", diff)
					}
					cloud.ResetCalls()
					if _, _, err := deploy(ctx, t, d, dc.project(t, cd), path); err != nil {
						t.Fatal(err)
					}
					if m := cloud.Mutations(); len(m) != 0 {
						t.Errorf("third deploy made mutating calls: %v", m)
					}
				})
			}
		}
	}
}

// TestCustomDomainRefused: what a custom domain cannot be is refused
// before any AWS call, with the key and the fix.
func TestCustomDomainRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		dc      domainCase
		cd      stages.CustomDomain
		subject string
		problem string
	}{
		{"edge certificate outside us-east-1", domainCases[0], stages.CustomDomain{CertificateARN: certWest, TLSVersion: "TLS_1_2"},
			"api_gateway_custom_domain.certificate_arn", "must be in us-east-1"},
		{"regional certificate of another region", domainCase{"", "REGIONAL", false}, stages.CustomDomain{CertificateARN: certWest, TLSVersion: "TLS_1_2"},
			"api_gateway_custom_domain.certificate_arn", "stage's region us-east-1"},
		{"private API", domainCase{"", "PRIVATE", false}, stages.CustomDomain{CertificateARN: certEast, TLSVersion: "TLS_1_2"},
			"api_gateway_custom_domain", "PRIVATE REST API"},
		{"HTTP API with TLS 1.0", domainCases[2], stages.CustomDomain{CertificateARN: certEast, TLSVersion: "TLS_1_0"},
			"api_gateway_custom_domain.tls_version", "only TLS_1_2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cd.DomainName = "api.example.com"
			p := tc.dc.project(t, &tc.cd)
			if tc.dc.endpoint == "PRIVATE" {
				p.Settings[manifest.APIHandlerName].APIGatewayEndpointVPCE = []string{"vpce-0aaaaaaaaaaaaaaaa"}
			}
			_, err := (&deployer.Deployer{}).PlanProject(context.Background(), p, target, nil, nil)
			var ve *deployer.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Subject != tc.subject || !strings.Contains(ve.Problems[0].Problem, tc.problem) {
				t.Fatalf("err = %v, want one problem of %s saying %q", err, tc.subject, tc.problem)
			}
		})
	}
}

// TestCustomDomainPackage: the SAM templates (REST EDGE, REST REGIONAL,
// HTTP) hold the domain name and its mapping as the published schemas
// want them, with the target as outputs; Terraform has the same blocks.
func TestCustomDomainPackage(t *testing.T) {
	t.Parallel()
	templates := map[string][]byte{}
	for _, dc := range domainCases {
		cd := &stages.CustomDomain{DomainName: "api.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2", URLPrefix: "v1",
			Tags: map[string]string{"team": "blood"}}
		pk := newPackage(t, dc.project(t, cd))
		sam, err := pk.CloudFormation()
		if err != nil {
			t.Fatal(err)
		}
		name := strings.ReplaceAll(dc.name, " ", "-") + ".json"
		templates[name] = marshal(t, sam)
		var doc struct {
			Resources map[string]struct {
				Type       string
				Properties map[string]any
			}
			Outputs map[string]struct{ Value any }
		}
		remarshal(t, sam, &doc)
		domain, mapping := doc.Resources["ApiGatewayCustomDomain"], doc.Resources["ApiGatewayCustomDomainMapping"]
		wantDomain, wantMapping, attr := "AWS::ApiGateway::DomainName", "AWS::ApiGateway::BasePathMapping", "RegionalDomainName"
		switch {
		case dc.http:
			wantDomain, wantMapping = "AWS::ApiGatewayV2::DomainName", "AWS::ApiGatewayV2::ApiMapping"
		case dc.endpoint == "EDGE":
			attr = "DistributionDomainName"
		}
		if domain.Type != wantDomain || mapping.Type != wantMapping {
			t.Errorf("%s: types %s and %s, want %s and %s", dc.name, domain.Type, mapping.Type, wantDomain, wantMapping)
		}
		if got := doc.Outputs["AliasDomainName"].Value; !cmp.Equal(got, map[string]any{"Fn::GetAtt": []any{"ApiGatewayCustomDomain", attr}}) {
			t.Errorf("%s: AliasDomainName = %v", dc.name, got)
		}

		tf, err := pk.Terraform()
		if err != nil {
			t.Fatal(err)
		}
		var cfg struct {
			Resource map[string]map[string]map[string]any
		}
		remarshal(t, tf, &cfg)
		tfDomain, tfMapping := "aws_api_gateway_domain_name", "aws_api_gateway_base_path_mapping"
		if dc.http {
			tfDomain, tfMapping = "aws_apigatewayv2_domain_name", "aws_apigatewayv2_api_mapping"
		}
		if cfg.Resource[tfDomain]["custom_domain"]["domain_name"] != "api.example.com" || cfg.Resource[tfMapping]["custom_domain"] == nil {
			t.Errorf("%s: Terraform %s: %v; %s: %v", dc.name, tfDomain, cfg.Resource[tfDomain], tfMapping, cfg.Resource[tfMapping])
		}
	}
	for name, problems := range validateTemplates(t, templates) {
		if len(problems) > 0 {
			t.Errorf("%s breaks the schema:\n%s", name, strings.Join(problems, "\n"))
		}
	}
}
