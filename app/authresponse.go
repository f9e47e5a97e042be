package app

import (
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// AuthRoute is a route a custom authorizer allows: a path as the app
// registers it ("/donors/{id}") and its methods (none means every
// method). Chalice's AuthRoute.
type AuthRoute struct {
	Path    string
	Methods []string
}

// AuthResponse builds a custom authorizer's answer that allows the
// principal exactly the given routes of the API and stage the request
// came to (Chalice's AuthResponse). methodARN is the request's MethodArn;
// a path wildcard ({id}, {path...}) allows any value there. With no
// routes, the answer denies every route. It fails on a MethodArn that is
// not an API Gateway method ARN.
func AuthResponse(methodARN, principalID string, routes ...AuthRoute) (events.APIGatewayCustomAuthorizerResponse, error) {
	// arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH
	parts := strings.SplitN(methodARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "execute-api" {
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("AuthResponse: %q is not an API Gateway method ARN (arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/METHOD/PATH)", methodARN)
	}
	apiStage := strings.SplitN(parts[5], "/", 3)
	if len(apiStage) < 2 || apiStage[0] == "" || apiStage[1] == "" {
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("AuthResponse: method ARN %q names no API and stage", methodARN)
	}
	base := strings.Join(parts[:5], ":") + ":" + apiStage[0] + "/" + apiStage[1] + "/"
	var resources []string
	for _, r := range routes {
		if !strings.HasPrefix(r.Path, "/") {
			return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("AuthResponse: route path %q does not start with \"/\"", r.Path)
		}
		segs := strings.Split(r.Path[1:], "/")
		for i, s := range segs {
			if strings.HasPrefix(s, "{") {
				segs[i] = "*"
			}
		}
		path := strings.Join(segs, "/")
		if r.Path == "/" {
			// API Gateway's method ARN of the root resource ends in "//".
			path = "/"
		}
		methods := r.Methods
		if len(methods) == 0 {
			methods = []string{"*"}
		}
		for _, m := range methods {
			resources = append(resources, base+strings.ToUpper(m)+"/"+path)
		}
	}
	effect := "Allow"
	if len(resources) == 0 {
		effect, resources = "Deny", []string{base + "*/*"}
	}
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: principalID,
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   effect,
				Resource: resources,
			}},
		},
	}, nil
}
