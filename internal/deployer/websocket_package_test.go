package deployer_test

import (
	"context"
	"strings"
	"testing"

	"github.com/gochalice/gochalice/internal/deployer"
)

// chatPackage is the chat app's package, its message handler's policy
// generated (sendPolicy) for the template's placeholders.
func chatPackage(t *testing.T) *deployer.Package {
	t.Helper()
	pk, err := deployer.NewPackage(context.Background(), chatProject(t, "dev", true), sendPolicy(deployer.TemplateTarget))
	if err != nil {
		t.Fatal(err)
	}
	return pk
}

// TestWebSocketPackageGolden pins the chat app's SAM template and
// Terraform configuration: the WebSocket API, an integration and a route
// per handler, the stage, invoke permissions scoped to each route, and
// the message handler's role allowed to manage exactly this API's
// connections (the template's API, not a placeholder).
func TestWebSocketPackageGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ format, golden, send string }{
		{deployer.FormatCloudFormation, "websocket.sam.json",
			`"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${WebSocketApi}/*/POST/@connections/*"`},
		{deployer.FormatTerraform, "websocket.tf.json",
			`:${aws_apigatewayv2_api.websocket_api.id}/*/POST/@connections/*`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			tpl, err := chatPackage(t).Template(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			data, err := deployer.MarshalTemplate(tpl)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, data)
			if !strings.Contains(string(data), tc.send) {
				t.Errorf("the message role's policy does not name the template's WebSocket API: no %s", tc.send)
			}
			if strings.Contains(string(data), deployer.WebSocketAPIIDPlaceholder) {
				t.Errorf("the template keeps the placeholder %s", deployer.WebSocketAPIIDPlaceholder)
			}
		})
	}
}

// TestWebSocketCloudFormationSchema validates the chat app's SAM template
// against the published resource schemas.
func TestWebSocketCloudFormationSchema(t *testing.T) {
	t.Parallel()
	tpl, err := chatPackage(t).CloudFormation()
	if err != nil {
		t.Fatal(err)
	}
	got := validateTemplates(t, map[string][]byte{"websocket.json": marshal(t, tpl)})
	if p := got["websocket.json"]; len(p) > 0 {
		t.Errorf("the template breaks the schema:\n%s", strings.Join(p, "\n"))
	}
}
