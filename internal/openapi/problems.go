package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gochalice/gochalice/manifest"
)

// Problem is one reason an app's routes and authorizers cannot be an
// API: the route or authorizer concerned, what is wrong and how to fix
// it.
type Problem struct {
	Subject string `json:"subject"`
	Problem string `json:"problem"`
	Fix     string `json:"fix"`
}

// maxAuthorizerTTL is the longest API Gateway caches an authorizer's
// result, in seconds.
const maxAuthorizerTTL = 3600

// Problems returns what stops the routes and authorizers of m being
// deployed as a REST API, or (http) an HTTP API: authorizers without
// what they need, routes naming unknown authorizers or asking for scopes
// only a JWT authorizer checks, and for an HTTP API API keys and routes
// that disagree on CORS.
func Problems(m *manifest.Manifest, http bool) []Problem {
	var ps []Problem
	add := func(subject, problem, fix string) {
		ps = append(ps, Problem{Subject: subject, Problem: problem, Fix: fix})
	}
	isHTTP := http
	for _, a := range m.Authorizers {
		subject := "authorizer " + a.Name
		switch a.Type {
		case manifest.AuthorizerIAM:
		case manifest.AuthorizerCognito:
			if len(a.ProviderARNs) == 0 {
				add(subject, "a Cognito authorizer has no user pool ARNs", "pass the user pools' ARNs to app.CognitoAuthorizer")
				continue
			}
			if !isHTTP {
				break
			}
			if len(a.ProviderARNs) > 1 {
				add(subject, fmt.Sprintf("an HTTP API's JWT authorizer trusts one issuer, but %d user pools are given", len(a.ProviderARNs)),
					`give app.CognitoAuthorizer one user pool, or set "api_gateway_type": "REST" in .chalice/config.json`)
			}
			if _, err := cognitoIssuer(a.ProviderARNs[0]); err != nil {
				add(subject, err.Error(), "pass the user pool's ARN to app.CognitoAuthorizer")
			}
			if len(a.Audience) == 0 {
				add(subject, "an HTTP API's JWT authorizer needs the app client IDs the tokens are issued to, and none is given",
					`pass app.WithAudience("<app client id>") to app.CognitoAuthorizer, or set "api_gateway_type": "REST" in .chalice/config.json`)
			}
			if _, err := httpIdentitySources(a); err != nil {
				add(subject, err.Error(), "fix app.WithIdentitySources")
			}
		case manifest.AuthorizerToken, manifest.AuthorizerRequest:
			if f, ok := m.Function(a.Name); a.FunctionARN == "" && (!ok || f.Kind != manifest.KindAuthorizer) {
				add(subject, fmt.Sprintf("a %s authorizer has no %s function %q to run it", a.Type, manifest.KindAuthorizer, a.Name),
					"register custom authorizers with app.TokenAuthorizer or app.RequestAuthorizer, and rebuild")
			}
			if a.TTLSeconds < 0 || a.TTLSeconds > maxAuthorizerTTL {
				add(subject, fmt.Sprintf("the result TTL is %d seconds; API Gateway caches for 0 to %d", a.TTLSeconds, maxAuthorizerTTL),
					"pass app.WithTTL a duration from 0 (no caching) to 1h")
			}
			sources := tokenSources(a)
			if a.Type == manifest.AuthorizerToken && (len(sources) != 1 || !strings.HasPrefix(sources[0], restHeaderSource)) {
				add(subject, fmt.Sprintf("a TOKEN authorizer reads exactly one header, but its identity sources are %q", sources),
					`pass app.WithIdentitySources one "method.request.header.<Name>", or use app.RequestAuthorizer`)
			}
			if a.Type == manifest.AuthorizerRequest && a.TTLSeconds > 0 && len(sources) == 0 {
				add(subject, "a REQUEST authorizer whose result is cached needs identity sources (API Gateway caches the result by them)",
					`pass app.WithIdentitySources (e.g. "method.request.header.Authorization"), or app.WithTTL(0)`)
			}
			if isHTTP {
				if _, err := httpIdentitySources(a); err != nil {
					add(subject, err.Error(), "fix app.WithIdentitySources")
				}
			}
		default:
			add(subject, fmt.Sprintf("unknown authorizer type %q", a.Type), "rebuild the app with the same gochalice version as the CLI")
		}
	}
	var corsRoute *manifest.Route
	for i, r := range m.Routes {
		subject := "route " + r.Pattern
		if r.Authorizer != "" {
			a, ok := m.Authorizer(r.Authorizer)
			switch {
			case !ok:
				add(subject, fmt.Sprintf("names the authorizer %q, which the app does not register", r.Authorizer),
					"pass app.WithAuthorizer an authorizer made by app.IAMAuthorizer, app.CognitoAuthorizer, App.TokenAuthorizer or App.RequestAuthorizer")
			case len(r.AuthorizationScopes) > 0 && a.Type != manifest.AuthorizerCognito:
				add(subject, fmt.Sprintf("asks for scopes %q, but its authorizer %q is %s: only a Cognito (JWT) authorizer checks scopes", r.AuthorizationScopes, a.Name, a.Type),
					"drop the scopes from app.WithAuthorizer, or use a Cognito authorizer")
			}
		} else if len(r.AuthorizationScopes) > 0 {
			add(subject, "asks for authorization scopes without an authorizer", "pass a Cognito authorizer with the scopes to app.WithAuthorizer")
		}
		if !isHTTP {
			continue
		}
		if r.APIKeyRequired {
			add(subject, "requires an API key, which HTTP APIs do not support",
				`set "api_gateway_type": "REST" in .chalice/config.json, or drop app.WithAPIKey and authorize with an authorizer`)
		}
		if r.CORS != nil && corsRoute == nil {
			corsRoute = &m.Routes[i]
		}
	}
	if isHTTP && corsRoute != nil {
		for _, r := range m.Routes {
			if r.CORS == nil {
				add("route "+r.Pattern, fmt.Sprintf("has no CORS configuration while route %s has one: an HTTP API has one CORS configuration for all its routes", corsRoute.Pattern),
					"give every route the same CORS configuration (app.Defaults with the CORS option), or set \"api_gateway_type\": \"REST\" in .chalice/config.json")
				continue
			}
			if !sameCORS(r.CORS, corsRoute.CORS) {
				add("route "+r.Pattern, fmt.Sprintf("has a CORS configuration that differs from route %s's: an HTTP API has one CORS configuration for all its routes", corsRoute.Pattern),
					"give every route the same CORS configuration (app.Defaults with the CORS option), or set \"api_gateway_type\": \"REST\" in .chalice/config.json")
			}
		}
	}
	return ps
}

func sameCORS(a, b *manifest.CORS) bool {
	return a.AllowOrigin == b.AllowOrigin && a.MaxAge == b.MaxAge && a.AllowCredentials == b.AllowCredentials &&
		slices.Equal(sortedCopy(a.AllowHeaders), sortedCopy(b.AllowHeaders)) &&
		slices.Equal(sortedCopy(a.ExposeHeaders), sortedCopy(b.ExposeHeaders))
}

// String formats p as "subject: problem; fix".
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s; %s", p.Subject, p.Problem, p.Fix)
}
