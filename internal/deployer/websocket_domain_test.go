package deployer_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
	"github.com/gochalice/gochalice/internal/stages"
)

// wsDomainProject is the chat app's dev stage with
// websocket_api_custom_domain cd.
func wsDomainProject(t *testing.T, cd stages.CustomDomain) *deployer.Project {
	t.Helper()
	p := chatProject(t, "dev", true)
	for _, s := range p.Settings {
		c := cd
		s.WebsocketAPICustomDomain = &c
	}
	return p
}

// TestWebSocketCustomDomain deploys websocket_api_custom_domain: a
// REGIONAL API Gateway v2 domain name mapped (url_prefix) to the
// WebSocket API's stage, its target recorded; an unchanged redeploy makes
// no mutating call; delete leaves nothing.
func TestWebSocketCustomDomain(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	cd := stages.CustomDomain{DomainName: "ws.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2", URLPrefix: "chat",
		Tags: map[string]string{"team": "blood"}}

	plan, st := wsDeploy(ctx, t, d, wsDomainProject(t, cd), path)
	for _, addr := range []string{"websocket_domain_name", "websocket_api_mapping"} {
		if c := change(plan, addr); c.Action != deployer.Create {
			t.Errorf("%s: %s, want a create", addr, c.Action)
		}
	}
	want := map[string]fakeaws.DomainNameSnapshot{"ws.example.com": {EndpointType: "REGIONAL", CertificateARN: certEast, SecurityPolicy: "TLS_1_2",
		Tags:     map[string]string{"gochalice:app": "chat", "gochalice:stage": "dev", "team": "blood"},
		Mappings: map[string]string{"chat": "<api:chat-dev-websocket-api>/api"}}}
	if diff := cmp.Diff(want, cloud.Snapshot().Domains); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	got, ok := deployer.RecordedWebSocketCustomDomain(st)
	if !ok || got.URL != "wss://ws.example.com/chat/" || !strings.HasSuffix(got.Target, ".execute-api.us-east-1.amazonaws.com") || got.HostedZoneID == "" {
		t.Errorf("recorded WebSocket custom domain = %+v", got)
	}
	if _, ok := deployer.RecordedCustomDomain(st); ok {
		t.Error("the WebSocket API's domain is recorded as the REST/HTTP API's")
	}

	cloud.ResetCalls()
	if plan, _ = wsDeploy(ctx, t, d, wsDomainProject(t, cd), path); plan.HasChanges() {
		t.Errorf("unchanged redeploy plans %v", plan.Counts())
	}
	if m := cloud.Mutations(); len(m) != 0 {
		t.Errorf("unchanged redeploy: mutating calls %v", m)
	}

	// The root instead of "chat": the mapping changes in place.
	cloud.ResetCalls()
	root := cd
	root.URLPrefix = ""
	wsDeploy(ctx, t, d, wsDomainProject(t, root), path)
	if diff := cmp.Diff([]string{"UpdateApiMapping"}, domainOps(cloud)); diff != "" {
		t.Errorf("root mapping (-want +got):\n%s", diff)
	}
	if m := cloud.Snapshot().Domains["ws.example.com"].Mappings; !cmp.Equal(m, map[string]string{"": "<api:chat-dev-websocket-api>/api"}) {
		t.Errorf("mappings after the change: %v", m)
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
}

// TestWebSocketCustomDomainRefused: an EDGE domain (its certificate in
// us-east-1, CloudFront's region, for a stage elsewhere) and TLS 1.0 are
// refused before any AWS call.
func TestWebSocketCustomDomainRefused(t *testing.T) {
	t.Parallel()
	west := target
	west.Region = "eu-west-1"
	for _, tc := range []struct {
		name    string
		tgt     deployer.Target
		cd      stages.CustomDomain
		subject string
		problem string
	}{
		{"edge certificate", west, stages.CustomDomain{CertificateARN: certEast, TLSVersion: "TLS_1_2"},
			"websocket_api_custom_domain.certificate_arn", "REGIONAL only"},
		{"TLS 1.0", target, stages.CustomDomain{CertificateARN: certEast, TLSVersion: "TLS_1_0"},
			"websocket_api_custom_domain.tls_version", "only TLS_1_2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.cd.DomainName = "ws.example.com"
			_, err := (&deployer.Deployer{}).PlanProject(context.Background(), wsDomainProject(t, tc.cd), tc.tgt, nil, nil)
			var ve *deployer.ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Subject != tc.subject || !strings.Contains(ve.Problems[0].Problem, tc.problem) {
				t.Fatalf("err = %v, want one problem of %s saying %q", err, tc.subject, tc.problem)
			}
		})
	}
}

// TestWebSocketCustomDomainPackage: the SAM template holds the WebSocket
// API's domain name and its mapping, apart from the REST API's, as the
// published schema wants them, with the target as outputs; Terraform has
// the same blocks.
func TestWebSocketCustomDomainPackage(t *testing.T) {
	t.Parallel()
	cd := stages.CustomDomain{DomainName: "ws.example.com", CertificateARN: certEast, TLSVersion: "TLS_1_2", URLPrefix: "chat"}
	pk := newPackage(t, wsDomainProject(t, cd))
	sam, err := pk.CloudFormation()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
		Outputs map[string]struct{ Value any }
	}
	remarshal(t, sam, &doc)
	domain, mapping := doc.Resources["WebsocketApiCustomDomain"], doc.Resources["WebsocketApiCustomDomainMapping"]
	if domain.Type != "AWS::ApiGatewayV2::DomainName" || mapping.Type != "AWS::ApiGatewayV2::ApiMapping" {
		t.Errorf("types %s and %s", domain.Type, mapping.Type)
	}
	wantMapping := map[string]any{"DomainName": map[string]any{"Ref": "WebsocketApiCustomDomain"}, "ApiId": map[string]any{"Ref": "WebSocketApi"},
		"Stage": map[string]any{"Ref": "WebSocketApiStage"}, "ApiMappingKey": "chat"}
	if diff := cmp.Diff(wantMapping, mapping.Properties); diff != "" {
		t.Errorf("mapping (-want +got):\n%s", diff)
	}
	if got := doc.Outputs["WebsocketApiAliasDomainName"].Value; !cmp.Equal(got, map[string]any{"Fn::GetAtt": []any{"WebsocketApiCustomDomain", "RegionalDomainName"}}) {
		t.Errorf("WebsocketApiAliasDomainName = %v", got)
	}
	for name, problems := range validateTemplates(t, map[string][]byte{"websocket-domain.json": marshal(t, sam)}) {
		if len(problems) > 0 {
			t.Errorf("%s breaks the schema:\n%s", name, strings.Join(problems, "\n"))
		}
	}

	tf, err := pk.Terraform()
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Resource map[string]map[string]map[string]any
	}
	remarshal(t, tf, &cfg)
	if got := cfg.Resource["aws_apigatewayv2_domain_name"]["websocket_custom_domain"]["domain_name"]; got != "ws.example.com" {
		t.Errorf("Terraform domain name = %v", got)
	}
	if got := cfg.Resource["aws_apigatewayv2_api_mapping"]["websocket_custom_domain"]["api_id"]; got != "${aws_apigatewayv2_api.websocket_api.id}" {
		t.Errorf("Terraform mapping api_id = %v", got)
	}
}
