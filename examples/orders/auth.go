package main

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
)

// parseTokens reads API_TOKENS, "token=customer,token=customer". (A real
// shop would look tokens up in a table or verify a signature; the example
// keeps them in the stage config.)
func parseTokens(s string) map[string]string {
	tokens := map[string]string{}
	for _, pair := range strings.Split(s, ",") {
		if token, customer, ok := strings.Cut(strings.TrimSpace(pair), "="); ok && token != "" && customer != "" {
			tokens[token] = customer
		}
	}
	return tokens
}

// tokenAuthorizer is the shop_token authorizer: "Authorization: Bearer
// <token>" with a known token is allowed to call every route of the API's
// stage (API Gateway caches the answer per token, for all routes), as the
// token's customer; anything else is 401.
func tokenAuthorizer(tokens map[string]string) func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return func(_ context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		token, ok := strings.CutPrefix(req.AuthorizationToken, "Bearer ")
		customer, known := tokens[token]
		if !ok || !known {
			return events.APIGatewayCustomAuthorizerResponse{}, app.ErrUnauthorized
		}
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID: customer,
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
				Version: "2012-10-17",
				Statement: []events.IAMPolicyStatement{{
					Action:   []string{"execute-api:Invoke"},
					Effect:   "Allow",
					Resource: []string{stageARN(req.MethodArn)},
				}},
			},
			Context: map[string]any{"customer": customer},
		}, nil
	}
}

// stageARN turns a method ARN, arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH,
// into the ARN of every method of the stage, API/STAGE/*.
func stageARN(methodARN string) string {
	parts := strings.SplitN(methodARN, "/", 3)
	if len(parts) < 2 {
		return methodARN
	}
	return parts[0] + "/" + parts[1] + "/*"
}

// principal returns the customer shop_token found for the request.
func principal(r *http.Request) string {
	if c, ok := app.Context(r).Authorizer["customer"].(string); ok && c != "" {
		return c
	}
	return "anonymous"
}
