package deployer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

// everyKindProject is the events app plus an API handler whose route
// requires an API key, and a log group: an app with a resource of every
// kind, with the REST API (or, http, the HTTP API instead, without the
// key).
func everyKindProject(t *testing.T, http bool) *deployer.Project {
	t.Helper()
	m := eventsManifest()
	m.Functions = append(m.Functions, manifest.Function{Name: manifest.APIHandlerName, Kind: manifest.KindAPI,
		Handler: manifest.Handler{Name: "main.api", File: "main.go", Line: 1}})
	// A WebSocket handler: the WebSocket API, its integration, route and
	// stage.
	m.Functions = append(m.Functions, manifest.Function{Name: "websocket_message", Kind: manifest.KindWebSocketMessage,
		Handler: manifest.Handler{Name: "main.message", File: "main.go", Line: 3}})
	m.Routes = []manifest.Route{{Pattern: "GET /orders", Method: "GET", Path: "/orders", APIKeyRequired: !http,
		Handler: manifest.Handler{Name: "main.orders", File: "main.go", Line: 2}}}
	m.Sort()
	cfg, err := stages.Load(savealifeDir)
	if err != nil {
		t.Fatal(err)
	}
	p := project(t, cfg, m, "v1")
	for _, s := range p.Settings {
		s.AutogenPolicy, s.Policy, s.IAMPolicyFile = true, nil, ""
	}
	p.Settings["worker"].LogRetentionInDays = 7
	p.Settings[manifest.APIHandlerName].APIGatewayCustomDomain = &stages.CustomDomain{DomainName: "api.example.com",
		CertificateARN: "arn:aws:acm:us-east-1:123456789012:certificate/abc", TLSVersion: "TLS_1_2", URLPrefix: "v1"}
	p.Settings["websocket_message"].WebsocketAPICustomDomain = &stages.CustomDomain{DomainName: "ws.example.com",
		CertificateARN: "arn:aws:acm:us-east-1:123456789012:certificate/abc", TLSVersion: "TLS_1_2"}
	if http {
		p.Settings[manifest.APIHandlerName].APIGatewayType = stages.APIGatewayTypeHTTP
	}
	return p
}

// TestEveryKind walks a resource of every kind through the whole
// lifecycle against the fakes: a first deploy creates it, a redeploy of
// the unchanged app makes no mutating call, a delete removes it, and
// gochalice package writes it to a SAM template (but S3 notifications,
// which a template cannot hold) and a Terraform configuration. Every kind
// of creationOrder must be walked: a new kind is added here.
func TestEveryKind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	walked := map[deployer.ResourceType]bool{}
	for _, http := range []bool{false, true} {
		name := "REST API"
		if http {
			name = "HTTP API"
		}
		t.Run(name, func(t *testing.T) {
			cloud, d := newEventsCloud()
			path := statePath(t)
			plan, st, err := deploy(ctx, t, d, everyKindProject(t, http), path)
			if err != nil {
				t.Fatal(err)
			}
			addresses := map[string]deployer.ResourceType{}
			for _, c := range plan.Changes {
				if c.Action != deployer.Create {
					t.Errorf("first deploy: %s %s", c.Action, c.Address)
				}
				if _, ok := st.Resources[c.Address]; !ok {
					t.Errorf("first deploy did not record %s", c.Address)
				}
				addresses[c.Address] = c.Type
				walked[c.Type] = true
			}

			cloud.ResetCalls()
			plan, _, err = deploy(ctx, t, d, everyKindProject(t, http), path)
			if err != nil {
				t.Fatal(err)
			}
			if plan.HasChanges() {
				t.Errorf("redeploy plans changes: %v", plan.Counts())
			}
			if m := cloud.Mutations(); len(m) != 0 {
				t.Errorf("redeploy made mutating calls: %v", m)
			}

			recorded, err := deployer.LoadState(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
				t.Fatal(err)
			}
			if after, _ := deployer.LoadState(path); len(after.Resources) != 0 {
				t.Errorf("recorded after delete: %v", after.Addresses())
			}
			if !cloud.Empty() {
				t.Errorf("after delete: %+v", cloud.Snapshot())
			}

			pk, err := deployer.NewPackage(ctx, everyKindProject(t, http), nil)
			if err != nil {
				t.Fatal(err)
			}
			tf, err := pk.Template(deployer.FormatTerraform)
			if err != nil {
				t.Fatal(err)
			}
			data, err := deployer.MarshalTemplate(tf)
			if err != nil {
				t.Fatal(err)
			}
			for addr := range addresses {
				if !strings.Contains(string(data), "gochalice "+addr+`"`) && !strings.Contains(string(data), " "+addr+`"`) {
					t.Errorf("Terraform: no block for %s", addr)
				}
			}
			if _, err := pk.Template(deployer.FormatCloudFormation); !errors.Is(err, deployer.ErrS3NotificationTemplate) {
				t.Errorf("SAM template of an app with S3 sources: err = %v, want ErrS3NotificationTemplate", err)
			}
			noS3 := everyKindProject(t, http)
			noS3.Manifest.Functions = slices.DeleteFunc(noS3.Manifest.Functions, func(f manifest.Function) bool { return f.Kind == manifest.KindS3 })
			pk, err = deployer.NewPackage(ctx, noS3, nil)
			if err != nil {
				t.Fatal(err)
			}
			sam, err := pk.Template(deployer.FormatCloudFormation)
			if err != nil {
				t.Fatal(err)
			}
			inTemplate := map[string]bool{}
			for _, res := range sam["Resources"].(map[string]any) {
				for _, a := range res.(map[string]any)["Metadata"].(map[string]any)[deployer.AddressesMetadataKey].([]string) {
					inTemplate[a] = true
				}
			}
			for addr, typ := range addresses {
				if typ != deployer.TypeBucketNotification && !strings.HasSuffix(addr, ":thumbs") && !inTemplate[addr] {
					t.Errorf("SAM: no resource for %s", addr)
				}
			}
		})
	}
	for _, typ := range deployer.CreationOrder() {
		if !walked[typ] {
			t.Errorf("no resource of kind %s was walked: add one to everyKindProject", typ)
		}
		if !deployer.HasKind(typ) {
			t.Errorf("kind %s lacks a part", typ)
		}
	}
}
