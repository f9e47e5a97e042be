// Command authapp is the fixture of local's authorizer test: one route
// behind the IAM authorizer and one behind a token authorizer, each
// answering with the caller's identity.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
)

func main() {
	a := app.New("authapp")
	token := a.TokenAuthorizer("token", func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		if req.AuthorizationToken != "Bearer letmein" {
			return events.APIGatewayCustomAuthorizerResponse{}, app.ErrUnauthorized
		}
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID: "alice",
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
				{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{req.MethodArn}},
			}},
		}, nil
	})
	a.Route("GET /admin", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(app.Context(r).UserARN))
	}, app.WithAuthorizer(app.IAMAuthorizer()))
	a.Route("GET /me", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(app.Context(r).PrincipalID))
	}, app.WithAuthorizer(token))
	a.Run()
}
