package deployer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/manifest"
)

// TestExistingFunctionAuthorizer deploys a custom authorizer given by an
// existing function's ARN (Chalice's CustomAuthorizer): no function of
// the app, the ARN in the API document, and a permission on that function
// for this API's authorizers only, whose statement id names this API's
// function so that two apps sharing the authorizer do not overwrite each
// other's statement.
func TestExistingFunctionAuthorizer(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:lambda:us-east-1:210987654321:function:shared-auth"
	cfg := authStagesConfig(t, authConfig)
	for _, tc := range []struct{ stage, api string }{{"dev", "rest_api"}, {"http", "http_api"}} {
		t.Run(tc.stage, func(t *testing.T) {
			t.Parallel()
			m := &manifest.Manifest{
				SchemaVersion: manifest.SchemaVersion, AppName: "authapp",
				Authorizers: []manifest.Authorizer{{Name: "shared", Type: manifest.AuthorizerToken,
					IdentitySources: []string{"method.request.header.Authorization"}, TTLSeconds: 300, FunctionARN: arn}},
				Routes:    []manifest.Route{{Pattern: "GET /me", Method: "GET", Path: "/me", Authorizer: "shared"}},
				Functions: []manifest.Function{{Name: manifest.APIHandlerName, Kind: manifest.KindAPI}},
			}
			d, err := deployer.BuildDesired(authInput(t, cfg, m, tc.stage))
			if err != nil {
				t.Fatal(err)
			}
			r, ok := d.Resource("permission:shared")
			if !ok || r.Permission == nil {
				t.Fatalf("no permission:shared in %v", addresses(d))
			}
			p := r.Permission
			got := []string{p.FunctionName, p.StatementID, p.Principal, p.SourceARN}
			want := []string{arn, "gochalice-authorizer-authapp-" + tc.stage, "apigateway.amazonaws.com", "arn:aws:execute-api:us-east-1:123456789012:{api_id}/authorizers/*"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("permission (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff([]string{tc.api}, r.DependsOn); diff != "" {
				t.Errorf("permission depends on (-want +got):\n%s", diff)
			}
			if _, ok := d.Resource("function:shared"); ok {
				t.Error("the app deploys a function for an authorizer given by ARN")
			}
			api, _ := d.Resource(tc.api)
			var doc []byte
			if api.RestAPI != nil {
				doc = api.RestAPI.Document
			} else if api.HTTPAPI != nil {
				doc = api.HTTPAPI.Document
			}
			if !strings.Contains(string(doc), arn) {
				t.Errorf("the API document does not name %s:\n%s", arn, doc)
			}
		})
	}
}

// TestExistingFunctionAuthorizerPackage checks SAM and Terraform give the
// authorizer's permission to the existing function by its ARN, not to a
// function of the template.
func TestExistingFunctionAuthorizerPackage(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:lambda:us-east-1:210987654321:function:shared-auth"
	m := &manifest.Manifest{
		SchemaVersion: manifest.SchemaVersion, AppName: "authapp",
		Authorizers: []manifest.Authorizer{{Name: "shared", Type: manifest.AuthorizerToken,
			IdentitySources: []string{"method.request.header.Authorization"}, TTLSeconds: 300, FunctionARN: arn}},
		Routes:    []manifest.Route{{Pattern: "GET /me", Method: "GET", Path: "/me", Authorizer: "shared"}},
		Functions: []manifest.Function{{Name: manifest.APIHandlerName, Kind: manifest.KindAPI}},
	}
	for _, format := range []string{deployer.FormatCloudFormation, deployer.FormatTerraform} {
		pk, err := deployer.NewPackage(context.Background(), authProject(t, authConfig, m, "dev"), nil)
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := pk.Template(format)
		if err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		data, err := deployer.MarshalTemplate(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		want := `"FunctionName": "` + arn + `"`
		if format == deployer.FormatTerraform {
			want = `"function_name": "` + arn + `"`
		}
		if !strings.Contains(s, want) {
			t.Errorf("%s template lacks %s:\n%s", format, want, s)
		}
	}
}
