package deployer_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
)

// TestHTTPAPITerraform checks the HTTP API's blocks of authapp's
// Terraform package: an aws_apigatewayv2_api whose body is deploy's
// document (ARNs from the provider's data sources), an auto-deployed
// aws_apigatewayv2_stage, and the stage's URL as an output.
func TestHTTPAPITerraform(t *testing.T) {
	t.Parallel()
	pk, err := deployer.NewPackage(context.Background(), authProject(t, authConfig, authManifest(), "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := pk.Template(deployer.FormatTerraform)
	if err != nil {
		t.Fatal(err)
	}
	data, err := deployer.MarshalTemplate(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var tf struct {
		Resource struct {
			API   map[string]map[string]any `json:"aws_apigatewayv2_api"`
			Stage map[string]map[string]any `json:"aws_apigatewayv2_stage"`
		}
		Output map[string]map[string]any
	}
	if err := json.Unmarshal(data, &tf); err != nil {
		t.Fatal(err)
	}
	api := tf.Resource.API["http_api"]
	body, _ := api["body"].(string)
	var doc struct {
		Paths map[string]map[string]struct {
			Integration struct{ URI string } `json:"x-amazon-apigateway-integration"`
		}
	}
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("body: %v\n%s", err, body)
	}
	if got, want := doc.Paths["/admin"]["get"].Integration.URI, "arn:${data.aws_partition.chalice.partition}:lambda:${data.aws_region.chalice.name}:${data.aws_caller_identity.chalice.account_id}:function:authapp-http"; got != want {
		t.Errorf("integration uri = %q, want %q", got, want)
	}
	delete(api, "body")
	want := map[string]any{"//": "gochalice http_api", "name": "authapp-http", "description": "gochalice app authapp, stage http", "protocol_type": "HTTP",
		"depends_on": []any{"aws_lambda_function.api_handler", "aws_lambda_function.request_auth", "aws_lambda_function.token_auth"}}
	if diff := cmp.Diff(want, api); diff != "" {
		t.Errorf("aws_apigatewayv2_api (-want +got):\n%s", diff)
	}
	wantStage := map[string]any{"//": "gochalice http_stage:api", "api_id": "${aws_apigatewayv2_api.http_api.id}", "name": "api", "auto_deploy": true}
	if diff := cmp.Diff(wantStage, tf.Resource.Stage["http_api"]); diff != "" {
		t.Errorf("aws_apigatewayv2_stage (-want +got):\n%s", diff)
	}
	if got := tf.Output["EndpointURL"]["value"]; got != "${aws_apigatewayv2_stage.http_api.invoke_url}/" {
		t.Errorf("EndpointURL = %v", got)
	}
}
