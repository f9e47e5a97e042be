package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/internal/openapi"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

func generateModelsCommand(env *awsEnv) *cli.Command {
	return &cli.Command{
		Name:  "generate-models",
		Usage: "print the OpenAPI document of the app's routes (chalice generate-models)",
		Description: `Prints the document deploy gives API Gateway: Swagger 2.0 for a REST API, OpenAPI 3.0
for an HTTP API (api_gateway_type), with every route, authorizer and integration. ARNs
use CloudFormation's placeholders (${AWS::Region}, ${AWS::AccountId}). No AWS call.`,
		Flags: []cli.Flag{
			projectDirFlag(),
			&cli.StringFlag{Name: "stage", Value: "dev", Usage: "the stage whose settings apply"},
		},
		Action: func(c *cli.Context) error {
			p, err := env.resolve(c.Context, c.String("project-dir"), c.String("stage"))
			if err != nil {
				return err
			}
			doc, err := modelsDocument(p.Manifest, p.Settings)
			if err != nil {
				return err
			}
			var out bytes.Buffer
			if err := json.Indent(&out, doc, "", "  "); err != nil {
				return err
			}
			out.WriteByte('\n')
			_, err = c.App.Writer.Write(out.Bytes())
			return err
		},
	}
}

// modelsDocument is the OpenAPI document of m's API, as deploy builds it,
// for a template target.
func modelsDocument(m *manifest.Manifest, settings map[string]*stages.Settings) ([]byte, error) {
	s := settings[names.APIHandler]
	if len(m.Routes) == 0 || s == nil {
		return nil, errors.New("the app has no routes, so no API to describe")
	}
	t := deployer.TemplateTarget
	authARNs := map[string]string{}
	for _, a := range m.Authorizers {
		if a.Type != manifest.AuthorizerToken && a.Type != manifest.AuthorizerRequest {
			continue
		}
		as := settings[a.Name]
		if as == nil {
			return nil, fmt.Errorf("authorizer %s has no function settings", a.Name)
		}
		authARNs[a.Name] = t.Function(as.LambdaFunctionName)
	}
	st := names.Stage{App: s.AppName, Stage: s.Stage}
	if s.APIGatewayType == stages.APIGatewayTypeHTTP {
		return openapi.HTTP(m, openapi.HTTPOptions{Title: st.API(), Description: st.Description(), FunctionARN: t.Function(s.LambdaFunctionName), Target: t, AuthorizerARNs: authARNs})
	}
	return openapi.REST(m, openapi.RESTOptions{Title: st.API(), Description: st.Description(), FunctionARN: t.Function(s.LambdaFunctionName), Target: t,
		ResourcePolicy: s.APIGatewayPolicy, AuthorizerARNs: authARNs, EndpointVPCEs: s.APIGatewayEndpointVPCE})
}
