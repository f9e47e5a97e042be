package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/manifest"
)

// IAMAuthorizerName is the name under which IAMAuthorizer appears in the
// manifest's authorizers and routes. A custom authorizer cannot take it.
const IAMAuthorizerName = "iam"

// ErrUnauthorized is what a custom authorizer returns (or wraps) to refuse
// a request whose token is missing, malformed or expired: API Gateway then
// answers 401 {"message":"Unauthorized"}, and so does the local server.
// (API Gateway recognises the error by its message, "Unauthorized"; the
// function's error is exactly that when the handler's error wraps
// ErrUnauthorized.) To refuse a valid caller, return a policy that denies.
var ErrUnauthorized = errors.New("Unauthorized")

// Authorizer is an authorizer of the API, which routes name with
// WithAuthorizer: IAMAuthorizer, CognitoAuthorizer, or a custom Lambda
// authorizer registered with App.TokenAuthorizer or App.RequestAuthorizer.
// The zero Authorizer is none.
type Authorizer struct {
	spec  *manifest.Authorizer
	owner *App // the app a custom authorizer belongs to
}

// Name returns the authorizer's name in the manifest ("" for the zero
// Authorizer).
func (au Authorizer) Name() string {
	if au.spec == nil {
		return ""
	}
	return au.spec.Name
}

// Type returns the authorizer's type: manifest.AuthorizerIAM,
// AuthorizerCognito, AuthorizerToken or AuthorizerRequest.
func (au Authorizer) Type() string {
	if au.spec == nil {
		return ""
	}
	return au.spec.Type
}

// AuthorizerOption configures an authorizer. Each applies to some
// authorizer constructors only; given to another, it panics.
type AuthorizerOption func(*authorizerConfig)

type authorizerConfig struct {
	set      []string
	sources  []string
	ttl      time.Duration
	audience []string
}

// WithIdentitySources sets where API Gateway finds the caller's identity,
// in API Gateway's form: "method.request.header.NAME" (the only form a
// TOKEN or Cognito authorizer takes, exactly one), or for a REQUEST
// authorizer also "method.request.querystring.NAME",
// "stageVariables.NAME" and "context.NAME". The default is
// "method.request.header.Authorization". With caching on (WithTTL above
// 0), API Gateway answers 401 without calling the authorizer when a source
// is missing from the request.
func WithIdentitySources(sources ...string) AuthorizerOption {
	return func(c *authorizerConfig) {
		c.set = append(c.set, "WithIdentitySources")
		c.sources = append(c.sources, sources...)
	}
}

// WithTTL sets how long API Gateway caches a custom authorizer's answer
// for the same identity, 0 (off) to 1 hour in whole seconds (default 5
// minutes, as API Gateway's). For TokenAuthorizer and RequestAuthorizer.
func WithTTL(d time.Duration) AuthorizerOption {
	return func(c *authorizerConfig) { c.set = append(c.set, "WithTTL"); c.ttl = d }
}

// WithAudience sets the app client IDs a Cognito token must be issued to.
// An HTTP API's JWT authorizer needs at least one; a REST API ignores it.
// For CognitoAuthorizer.
func WithAudience(clientIDs ...string) AuthorizerOption {
	return func(c *authorizerConfig) {
		c.set = append(c.set, "WithAudience")
		c.audience = append(c.audience, clientIDs...)
	}
}

const defaultIdentitySource = "method.request.header.Authorization"

func authorizerOptions(ctor, name string, allowed []string, opts []AuthorizerOption) authorizerConfig {
	c := authorizerConfig{ttl: 300 * time.Second}
	for _, o := range opts {
		if o == nil {
			panic(fmt.Sprintf("gochalice: %s %q: nil option", ctor, name))
		}
		o(&c)
	}
	for _, s := range c.set {
		if !slices.Contains(allowed, s) {
			uses := map[string]string{
				"WithIdentitySources": "CognitoAuthorizer, TokenAuthorizer and RequestAuthorizer",
				"WithTTL":             "TokenAuthorizer and RequestAuthorizer",
				"WithAudience":        "CognitoAuthorizer",
			}
			panic(fmt.Sprintf("gochalice: %s %q: %s does not apply to %s; it is for %s", ctor, name, s, ctor, uses[s]))
		}
	}
	if len(c.sources) == 0 {
		if slices.Contains(c.set, "WithIdentitySources") {
			panic(fmt.Sprintf("gochalice: %s %q: WithIdentitySources without sources: name at least one, such as %q", ctor, name, defaultIdentitySource))
		}
		c.sources = []string{defaultIdentitySource}
	}
	if c.ttl < 0 || c.ttl > time.Hour || c.ttl%time.Second != 0 {
		panic(fmt.Sprintf("gochalice: %s %q: WithTTL(%v): use whole seconds from 0 (no caching) to 1h0m0s", ctor, name, c.ttl))
	}
	return c
}

// checkAuthorizerName panics on a name API Gateway or Lambda would reject.
func checkAuthorizerName(ctor, name string) {
	if !isName(name) {
		panic(fmt.Sprintf("gochalice: %s %q: an authorizer name may use only letters, digits, '-' and '_'", ctor, name))
	}
	if name == IAMAuthorizerName {
		panic(fmt.Sprintf("gochalice: %s %q: the name is reserved for IAMAuthorizer; choose another", ctor, name))
	}
}

// IAMAuthorizer is API Gateway's AWS_IAM authorization: callers sign
// their requests with SigV4, and their IAM policy must allow
// execute-api:Invoke on the route. It appears in the manifest as
// IAMAuthorizerName.
func IAMAuthorizer() Authorizer {
	return Authorizer{spec: &manifest.Authorizer{Name: IAMAuthorizerName, Type: manifest.AuthorizerIAM}}
}

// CognitoAuthorizer is an Amazon Cognito user pool authorizer (Chalice's
// CognitoUserPoolAuthorizer): callers send a token the pools issued in the
// Authorization header (or the header WithIdentitySources names). A route
// given scopes (WithAuthorizer(auth, "scope", ...)) needs an access token
// with one of them. On an HTTP API it is a JWT authorizer, which needs
// WithAudience. providerARNs are the user pools' ARNs
// (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID).
func CognitoAuthorizer(name string, providerARNs []string, opts ...AuthorizerOption) Authorizer {
	const ctor = "CognitoAuthorizer"
	checkAuthorizerName(ctor, name)
	if len(providerARNs) == 0 {
		panic(fmt.Sprintf("gochalice: %s %q: no user pool: give at least one user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)", ctor, name))
	}
	for _, arn := range providerARNs {
		if !isUserPoolARN(arn) {
			panic(fmt.Sprintf("gochalice: %s %q: %q is not a Cognito user pool ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/POOL_ID)", ctor, name, arn))
		}
	}
	c := authorizerOptions(ctor, name, []string{"WithIdentitySources", "WithAudience"}, opts)
	checkHeaderSource(ctor, name, c.sources)
	for _, id := range c.audience {
		if id == "" {
			panic(fmt.Sprintf("gochalice: %s %q: WithAudience: an empty client ID", ctor, name))
		}
	}
	aud := slices.Clone(c.audience)
	slices.Sort(aud)
	return Authorizer{spec: &manifest.Authorizer{
		Name:            name,
		Type:            manifest.AuthorizerCognito,
		ProviderARNs:    slices.Clone(providerARNs),
		Audience:        slices.Compact(aud),
		IdentitySources: c.sources,
	}}
}

func checkHeaderSource(ctor, name string, sources []string) {
	if len(sources) == 1 {
		if _, ok := headerSource(sources[0]); ok {
			return
		}
	}
	panic(fmt.Sprintf("gochalice: %s %q: identity sources %q: this authorizer reads exactly one header, given as \"method.request.header.NAME\"", ctor, name, sources))
}

// customAuthorizer is a registered TOKEN or REQUEST authorizer.
type customAuthorizer struct {
	spec   *manifest.Authorizer
	header string // TOKEN: the identity header's name
}

// TokenAuthorizer registers a custom Lambda authorizer of type TOKEN
// (Chalice's @app.authorizer): API Gateway calls it with the caller's
// token, the value of the Authorization header (or the header
// WithIdentitySources names), and the route's method ARN. The handler
// returns a policy allowing or denying execute-api:Invoke, a principal
// id and a context that reach the route's handler (see Context); it
// returns ErrUnauthorized for a missing or bad token. API Gateway caches
// the answer for WithTTL (default 5 minutes).
//
// The authorizer is its own Lambda function, named name. On an HTTP API
// it is deployed as a REQUEST authorizer (payload format 1.0) reading the
// same header, and the handler still receives a TOKEN request.
func (a *App) TokenAuthorizer(name string, handler func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error), opts ...AuthorizerOption) Authorizer {
	const ctor = "TokenAuthorizer"
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s %q: nil handler", ctor, name))
	}
	checkAuthorizerName(ctor, name)
	c := authorizerOptions(ctor, name, []string{"WithIdentitySources", "WithTTL"}, opts)
	checkHeaderSource(ctor, name, c.sources)
	header, _ := headerSource(c.sources[0])
	spec := &manifest.Authorizer{Name: name, Type: manifest.AuthorizerToken, IdentitySources: c.sources, TTLSeconds: int(c.ttl / time.Second)}
	a.registerAuthorizer(ctor, spec, header, handler, func(ctx context.Context, payload []byte) ([]byte, error) {
		req, err := tokenRequest(payload, header)
		if err != nil {
			return nil, fmt.Errorf("%s: decode authorizer event: %w", name, err)
		}
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, authorizerError(err)
		}
		return json.Marshal(resp)
	})
	return Authorizer{spec: spec, owner: a}
}

// RequestAuthorizer registers a custom Lambda authorizer of type REQUEST:
// API Gateway calls it with the request's headers, query string, path
// parameters, stage variables and context, and caches the answer by the
// identity sources (WithIdentitySources, default the Authorization
// header) for WithTTL (default 5 minutes). Otherwise it is TokenAuthorizer.
func (a *App) RequestAuthorizer(name string, handler func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error), opts ...AuthorizerOption) Authorizer {
	const ctor = "RequestAuthorizer"
	if handler == nil {
		panic(fmt.Sprintf("gochalice: %s %q: nil handler", ctor, name))
	}
	checkAuthorizerName(ctor, name)
	c := authorizerOptions(ctor, name, []string{"WithIdentitySources", "WithTTL"}, opts)
	for _, s := range c.sources {
		if !isRequestSource(s) {
			panic(fmt.Sprintf("gochalice: %s %q: identity source %q: use method.request.header.NAME, method.request.querystring.NAME, stageVariables.NAME or context.NAME", ctor, name, s))
		}
	}
	spec := &manifest.Authorizer{Name: name, Type: manifest.AuthorizerRequest, IdentitySources: c.sources, TTLSeconds: int(c.ttl / time.Second)}
	a.registerAuthorizer(ctor, spec, "", handler, func(ctx context.Context, payload []byte) ([]byte, error) {
		var req events.APIGatewayCustomAuthorizerRequestTypeRequest
		if err := json.Unmarshal(payload, &req); err != nil {
			return nil, fmt.Errorf("%s: decode authorizer event: %w", name, err)
		}
		if req.Type == "" {
			req.Type = "REQUEST"
		}
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, authorizerError(err)
		}
		return json.Marshal(resp)
	})
	return Authorizer{spec: spec, owner: a}
}

func (a *App) registerAuthorizer(ctor string, spec *manifest.Authorizer, header string, handler any, invoke func(context.Context, []byte) ([]byte, error)) {
	if prev, ok := a.authorizers[spec.Name]; ok {
		panic(fmt.Sprintf("gochalice: %s %q: an authorizer of type %s with this name is already used", ctor, spec.Name, prev.Type))
	}
	a.registerName(ctor, spec.Name)
	if a.authorizers == nil {
		a.authorizers = map[string]*manifest.Authorizer{}
	}
	a.authorizers[spec.Name] = spec
	if a.custom == nil {
		a.custom = map[string]*customAuthorizer{}
	}
	a.custom[spec.Name] = &customAuthorizer{spec: spec, header: header}
	a.functions = append(a.functions, &function{
		name:   spec.Name,
		kind:   manifest.KindAuthorizer,
		info:   handlerInfo(handler),
		invoke: invoke,
	})
}

// authorizerError gives the error the authorizer function returns:
// exactly ErrUnauthorized when err wraps it, so that API Gateway, which
// reads the message, answers 401.
func authorizerError(err error) error {
	if errors.Is(err, ErrUnauthorized) {
		return ErrUnauthorized
	}
	return err
}

// tokenRequest reads a TOKEN authorizer's event. An HTTP API calls a
// TOKEN authorizer as a REQUEST authorizer (payload format 1.0 or 2.0);
// the token is then the identity header's value and the method ARN the
// route's.
func tokenRequest(payload []byte, header string) (events.APIGatewayCustomAuthorizerRequest, error) {
	var ev struct {
		Type               string            `json:"type"`
		AuthorizationToken string            `json:"authorizationToken"`
		MethodArn          string            `json:"methodArn"`
		RouteArn           string            `json:"routeArn"`
		IdentitySource     json.RawMessage   `json:"identitySource"`
		Headers            map[string]string `json:"headers"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.APIGatewayCustomAuthorizerRequest{}, err
	}
	req := events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: ev.AuthorizationToken, MethodArn: ev.MethodArn}
	if !strings.EqualFold(ev.Type, "REQUEST") {
		return req, nil
	}
	for k, v := range ev.Headers {
		if strings.EqualFold(k, header) {
			req.AuthorizationToken = v
		}
	}
	if req.AuthorizationToken == "" && len(ev.IdentitySource) > 0 {
		var one string
		var many []string
		if json.Unmarshal(ev.IdentitySource, &one) == nil {
			req.AuthorizationToken = one
		} else if json.Unmarshal(ev.IdentitySource, &many) == nil && len(many) > 0 {
			req.AuthorizationToken = many[0]
		}
	}
	if req.MethodArn == "" {
		req.MethodArn = ev.RouteArn
	}
	return req, nil
}

// WithAuthorizer protects the route with an authorizer. scopes are the
// OAuth scopes a Cognito authorizer requires (the caller's access token
// needs one of them); other authorizers take none. The CORS preflight
// (OPTIONS) of a path is never authorized, as in Chalice.
func WithAuthorizer(auth Authorizer, scopes ...string) RouteOption {
	return func(rc *routeConfig) {
		rc.authSet = true
		rc.authorizer = auth
		rc.scopes = slices.Clone(scopes)
	}
}

// WithoutAuthorizer leaves the route open, overriding an authorizer set
// with App.Defaults.
func WithoutAuthorizer() RouteOption {
	return func(rc *routeConfig) {
		rc.authSet = true
		rc.authorizer = Authorizer{spec: &manifest.Authorizer{}}
		rc.scopes = nil
	}
}

// WithAPIKey requires callers to send an API key (header x-api-key) of a
// usage plan of the API's stage; API Gateway answers 403 otherwise. The
// deploy creates the usage plan <app>-<stage> for the REST API's stage;
// create keys with `aws apigateway create-api-key` and add them to it with
// `aws apigateway create-usage-plan-key`. HTTP APIs have no API keys.
func WithAPIKey() RouteOption {
	return func(rc *routeConfig) { rc.apiKey = true }
}

// WithoutAPIKey lets callers in without an API key, overriding WithAPIKey
// set with App.Defaults.
func WithoutAPIKey() RouteOption {
	return func(rc *routeConfig) { rc.apiKey = false }
}

// Defaults sets route options applied to every route before the route's
// own options, which win: CORS, an authorizer, an API key, content types,
// middleware... Options that add (WithBinaryTypes, WithMiddleware) add to
// the defaults. Call it before registering routes.
func (a *App) Defaults(opts ...RouteOption) {
	a.mustBeOpen("Defaults")
	if len(a.routes) > 0 {
		panic(fmt.Sprintf("gochalice: Defaults called after route %q was registered; call Defaults before registering routes", a.routes[0].pattern))
	}
	for _, o := range opts {
		if o == nil {
			panic("gochalice: Defaults: nil option")
		}
	}
	a.defaults = append(a.defaults, opts...)
}

// routeAuthorizer checks a route's authorizer options and returns its
// authorizer (nil for none), recording a Cognito or IAM authorizer the
// first time a route uses it.
func (a *App) routeAuthorizer(pattern string, rc *routeConfig) *manifest.Authorizer {
	if !rc.authSet {
		return nil
	}
	spec := rc.authorizer.spec
	if spec == nil {
		panic(fmt.Sprintf("gochalice: route %q: WithAuthorizer was given the zero Authorizer: use IAMAuthorizer, CognitoAuthorizer, App.TokenAuthorizer or App.RequestAuthorizer (WithoutAuthorizer for none)", pattern))
	}
	if spec.Name == "" { // WithoutAuthorizer
		return nil
	}
	if len(rc.scopes) > 0 && spec.Type != manifest.AuthorizerCognito {
		panic(fmt.Sprintf("gochalice: route %q: authorization scopes %q need a Cognito authorizer; %s authorizer %q takes none", pattern, rc.scopes, spec.Type, spec.Name))
	}
	for _, s := range rc.scopes {
		if s == "" || strings.ContainsAny(s, " \t") {
			panic(fmt.Sprintf("gochalice: route %q: authorization scope %q: a scope is one word, such as \"donors/read\"", pattern, s))
		}
	}
	switch spec.Type {
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		if rc.authorizer.owner != a {
			panic(fmt.Sprintf("gochalice: route %q: authorizer %q was registered with another app; register it with this app's TokenAuthorizer or RequestAuthorizer", pattern, spec.Name))
		}
		return spec
	}
	if prev, ok := a.authorizers[spec.Name]; ok {
		if !equalAuthorizer(prev, spec) {
			panic(fmt.Sprintf("gochalice: route %q: another authorizer named %q (type %s) is already used; give each authorizer its own name", pattern, spec.Name, prev.Type))
		}
		return prev
	}
	if a.authorizers == nil {
		a.authorizers = map[string]*manifest.Authorizer{}
	}
	a.authorizers[spec.Name] = spec
	return spec
}

func equalAuthorizer(x, y *manifest.Authorizer) bool {
	return x.Name == y.Name && x.Type == y.Type && slices.Equal(x.ProviderARNs, y.ProviderARNs) &&
		slices.Equal(x.Audience, y.Audience) && slices.Equal(x.IdentitySources, y.IdentitySources) &&
		x.TTLSeconds == y.TTLSeconds
}

// CustomAuthorizer registers a custom authorizer run by an existing
// Lambda function, given by ARN (Chalice's CustomAuthorizer): a TOKEN
// authorizer reading the Authorization header (or the one header
// WithIdentitySources names), cached for WithTTL (default 5 minutes).
// The app deploys no function for it; the deployer lets the API invoke
// that function with a permission whose SourceArn is the API's
// authorizers. Locally (gochalice local, apptest) that function is not
// reachable: routes that use it answer 500, as API Gateway does when an
// authorizer fails, and the log says why.
func (a *App) CustomAuthorizer(name, functionARN string, opts ...AuthorizerOption) Authorizer {
	const ctor = "CustomAuthorizer"
	checkAuthorizerName(ctor, name)
	if problem := checkFunctionARN(functionARN); problem != "" {
		panic(fmt.Sprintf("gochalice: %s %q: function ARN %q: %s", ctor, name, functionARN, problem))
	}
	c := authorizerOptions(ctor, name, []string{"WithIdentitySources", "WithTTL"}, opts)
	checkHeaderSource(ctor, name, c.sources)
	if prev, ok := a.authorizers[name]; ok {
		panic(fmt.Sprintf("gochalice: %s %q: an authorizer of type %s with this name is already used", ctor, name, prev.Type))
	}
	a.registerName(ctor, name)
	spec := &manifest.Authorizer{Name: name, Type: manifest.AuthorizerToken, IdentitySources: c.sources,
		TTLSeconds: int(c.ttl / time.Second), FunctionARN: functionARN}
	if a.authorizers == nil {
		a.authorizers = map[string]*manifest.Authorizer{}
	}
	a.authorizers[name] = spec
	return Authorizer{spec: spec, owner: a}
}

// checkFunctionARN says what is wrong with a Lambda function ARN
// (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME, optionally
// :ALIAS or :VERSION); "" when nothing is.
func checkFunctionARN(s string) string {
	parts := strings.Split(s, ":")
	if len(parts) < 7 || len(parts) > 8 || parts[0] != "arn" || parts[2] != "lambda" || parts[5] != "function" {
		return "want arn:aws:lambda:REGION:ACCOUNT:function:NAME"
	}
	for _, f := range []struct {
		i    int
		what string
	}{{1, "partition"}, {3, "region"}, {4, "account"}, {6, "function name"}} {
		if parts[f.i] == "" {
			return "the " + f.what + " is empty"
		}
	}
	if len(parts[4]) != 12 || strings.Trim(parts[4], "0123456789") != "" {
		return "the account is not a 12-digit account ID"
	}
	return ""
}
