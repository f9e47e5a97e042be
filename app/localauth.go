package app

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/manifest"
)

// LocalAuthConfig describes the API that local mode pretends to be.
type LocalAuthConfig struct {
	// Stage and APIID appear in method ARNs; "local" when empty.
	Stage string
	APIID string
	// Region and Account appear in method ARNs; us-east-1 and
	// 123456789012 when empty.
	Region  string
	Account string
	// IAMARN is the identity of callers of IAM-authorized routes;
	// manifest.DefaultLocalIAMARN when empty.
	IAMARN string
	// Now is the time tokens' expiry is checked against; time.Now when
	// nil.
	Now func() time.Time
}

func (c LocalAuthConfig) withDefaults() LocalAuthConfig {
	if c.Stage == "" {
		c.Stage = "local"
	}
	if c.APIID == "" {
		c.APIID = "local"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if c.Account == "" {
		c.Account = "123456789012"
	}
	if c.IAMARN == "" {
		c.IAMARN = manifest.DefaultLocalIAMARN
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// LocalAuth is what local mode decided about a request: refused, with API
// Gateway's answer, or allowed, with the caller's identity.
type LocalAuth struct {
	// Status is API Gateway's status for a refused request (401, 403 or
	// 500); 0 when the request is allowed.
	Status int
	// ErrorType is API Gateway's x-amzn-ErrorType of a refusal, such as
	// "UnauthorizedException".
	ErrorType string
	// Body is API Gateway's JSON answer to a refused request.
	Body string

	// Authorizer is the name of the route's authorizer ("" for none) and
	// Type its type.
	Authorizer string
	Type       string
	// PrincipalID and Context are a custom authorizer's answer.
	PrincipalID string
	Context     map[string]any
	// Claims and Scopes are a Cognito token's claims and scopes.
	Claims map[string]string
	Scopes []string
	// UserARN and AccessKey are an IAM caller's identity.
	UserARN   string
	AccessKey string
	// APIKey is the caller's API key on a route that requires one.
	APIKey string
}

// Refused reports whether the request is refused.
func (l *LocalAuth) Refused() bool { return l.Status != 0 }

// WriteResponse writes API Gateway's answer to a refused request.
func (l *LocalAuth) WriteResponse(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", l.ErrorType)
	w.WriteHeader(l.Status)
	_, _ = w.Write([]byte(l.Body))
}

// ApplyProxy puts the caller's identity in a REST API (payload 1.0)
// request context as API Gateway does: a custom authorizer's principal id
// and context in Authorizer, Cognito claims in Authorizer["claims"], an
// IAM caller and an API key in Identity.
func (l *LocalAuth) ApplyProxy(rc *events.APIGatewayProxyRequestContext) {
	switch l.Type {
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		rc.Authorizer = map[string]any{"principalId": l.PrincipalID}
		for k, v := range l.Context {
			rc.Authorizer[k] = v
		}
	case manifest.AuthorizerCognito:
		claims := make(map[string]any, len(l.Claims))
		for k, v := range l.Claims {
			claims[k] = v
		}
		rc.Authorizer = map[string]any{"claims": claims}
	case manifest.AuthorizerIAM:
		rc.Identity.UserArn = l.UserARN
		rc.Identity.AccessKey = l.AccessKey
		rc.Identity.AccountID = arnAccount(l.UserARN)
		rc.Identity.Caller = l.AccessKey
		rc.Identity.User = l.AccessKey
	}
	if l.APIKey != "" {
		rc.Identity.APIKey = l.APIKey
		rc.Identity.APIKeyID = "local"
	}
}

// ApplyV2 puts the caller's identity in an HTTP API (payload 2.0) request
// context: a custom authorizer's principal id and context in
// Authorizer.Lambda, Cognito claims and scopes in Authorizer.JWT, an IAM
// caller in Authorizer.IAM.
func (l *LocalAuth) ApplyV2(rc *events.APIGatewayV2HTTPRequestContext) {
	switch l.Type {
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		lambda := map[string]any{"principalId": l.PrincipalID}
		for k, v := range l.Context {
			lambda[k] = v
		}
		rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: lambda}
	case manifest.AuthorizerCognito:
		rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: cloneClaims(l.Claims), Scopes: slices.Clone(l.Scopes)},
		}
	case manifest.AuthorizerIAM:
		rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			IAM: &events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription{
				AccessKey: l.AccessKey,
				AccountID: arnAccount(l.UserARN),
				CallerID:  l.AccessKey,
				UserARN:   l.UserARN,
				UserID:    l.AccessKey,
			},
		}
	}
}

func cloneClaims(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// applyLocal puts the caller's identity in the local server's request
// context.
func (l *LocalAuth) applyLocal(rc *RequestContext) {
	switch l.Type {
	case manifest.AuthorizerToken, manifest.AuthorizerRequest:
		rc.PrincipalID = l.PrincipalID
		rc.Authorizer = map[string]any{"principalId": l.PrincipalID}
		for k, v := range l.Context {
			rc.Authorizer[k] = v
		}
	case manifest.AuthorizerCognito:
		rc.Claims = cloneClaims(l.Claims)
		claims := make(map[string]any, len(l.Claims))
		for k, v := range l.Claims {
			claims[k] = v
		}
		rc.Authorizer = map[string]any{"claims": claims}
	case manifest.AuthorizerIAM:
		rc.UserARN = l.UserARN
	}
}

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// API Gateway's answers to refused requests.
var (
	refusedUnauthorized = LocalAuth{Status: http.StatusUnauthorized, ErrorType: "UnauthorizedException", Body: `{"message":"Unauthorized"}`}
	refusedExpired      = LocalAuth{Status: http.StatusUnauthorized, ErrorType: "UnauthorizedException", Body: `{"message":"The incoming token has expired"}`}
	refusedDeny         = LocalAuth{Status: http.StatusForbidden, ErrorType: "AccessDeniedException", Body: `{"Message":"User is not authorized to access this resource with an explicit deny"}`}
	refusedNoAllow      = LocalAuth{Status: http.StatusForbidden, ErrorType: "AccessDeniedException", Body: `{"Message":"User is not authorized to access this resource"}`}
	refusedNoSignature  = LocalAuth{Status: http.StatusForbidden, ErrorType: "MissingAuthenticationTokenException", Body: `{"message":"Missing Authentication Token"}`}
	refusedNoAPIKey     = LocalAuth{Status: http.StatusForbidden, ErrorType: "ForbiddenException", Body: `{"message":"Forbidden"}`}
	refusedConfig       = LocalAuth{Status: http.StatusInternalServerError, ErrorType: "AuthorizerConfigurationException", Body: `{"message":null}`}
)

// AuthorizeLocal decides a request in local mode (see the package
// documentation), as API Gateway would before invoking the API handler:
// it runs the route's authorizer and checks its API key requirement.
// routeKey names the route as the manifest does, "GET /donors/{id}" or
// "ANY /health"; pathParams are the route's path parameters,
// percent-encoded as API Gateway passes them. A route without an
// authorizer or API key, or an unknown route key, is allowed with no
// identity. gochalice local (through Serve) and package apptest both use
// it.
func (a *App) AuthorizeLocal(r *http.Request, routeKey string, pathParams map[string]string, cfg LocalAuthConfig) LocalAuth {
	a.Handler()
	rt := a.byKey[routeKey]
	if rt == nil {
		return LocalAuth{}
	}
	return a.authorize(r, rt, pathParams, cfg.withDefaults())
}

func (a *App) authorize(r *http.Request, rt *route, params map[string]string, cfg LocalAuthConfig) LocalAuth {
	var res LocalAuth
	if spec := rt.auth; spec != nil {
		switch spec.Type {
		case manifest.AuthorizerIAM:
			res = localIAM(r, cfg)
		case manifest.AuthorizerCognito:
			res = localCognito(r, spec, rt.config.scopes, cfg)
		default:
			res = a.localCustom(r, rt, params, cfg)
		}
		if res.Refused() {
			return res
		}
		res.Authorizer, res.Type = spec.Name, spec.Type
	}
	if rt.config.apiKey {
		key := r.Header.Get("X-Api-Key")
		if key == "" {
			return refusedNoAPIKey
		}
		res.APIKey = key
	}
	return res
}

// localIAM accepts any request with a SigV4 Authorization header, without
// checking the signature, as the configured identity.
func localIAM(r *http.Request, cfg LocalAuthConfig) LocalAuth {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256") {
		return refusedNoSignature
	}
	res := LocalAuth{UserARN: cfg.IAMARN, AccessKey: "ASIALOCAL"}
	if _, cred, ok := strings.Cut(auth, "Credential="); ok {
		if key, _, ok := strings.Cut(cred, "/"); ok && key != "" {
			res.AccessKey = key
		}
	}
	return res
}

// localCognito reads the token's claims without verifying its signature.
func localCognito(r *http.Request, spec *manifest.Authorizer, scopes []string, cfg LocalAuthConfig) LocalAuth {
	token := r.Header.Get(identityHeader(spec))
	if len(token) > 7 && strings.EqualFold(token[:7], "Bearer ") {
		token = strings.TrimSpace(token[7:])
	}
	claims, ok := jwtClaims(token)
	if !ok {
		return refusedUnauthorized
	}
	if exp, ok := claims["exp"].(json.Number); ok {
		if sec, err := exp.Int64(); err == nil && cfg.Now().Unix() >= sec {
			return refusedExpired
		}
	}
	if len(spec.Audience) > 0 {
		var aud []string
		switch v := claims["aud"].(type) {
		case string:
			aud = []string{v}
		case []any:
			for _, x := range v {
				if s, ok := x.(string); ok {
					aud = append(aud, s)
				}
			}
		}
		// As an HTTP API's JWT authorizer: client_id counts only when
		// the token has no aud.
		if _, hasAud := claims["aud"]; !hasAud {
			if id, ok := claims["client_id"].(string); ok {
				aud = append(aud, id)
			}
		}
		if !slices.ContainsFunc(aud, func(s string) bool { return slices.Contains(spec.Audience, s) }) {
			return refusedUnauthorized
		}
	}
	var granted []string
	if s, ok := claims["scope"].(string); ok {
		granted = strings.Fields(s)
	}
	if len(scopes) > 0 && !slices.ContainsFunc(scopes, func(s string) bool { return slices.Contains(granted, s) }) {
		return refusedUnauthorized
	}
	res := LocalAuth{Claims: make(map[string]string, len(claims)), Scopes: granted}
	for k, v := range claims {
		if s, ok := v.(string); ok {
			res.Claims[k] = s
		} else {
			res.Claims[k] = jsonText(v)
		}
	}
	return res
}

// jwtClaims decodes the payload of a JWT (header.payload.signature)
// without checking anything else.
func jwtClaims(token string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[1] == "" {
		return nil, false
	}
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil || claims == nil {
		return nil, false
	}
	return claims, true
}

// localCustom runs a custom authorizer's function as API Gateway does and
// evaluates the policy it returns.
func (a *App) localCustom(r *http.Request, rt *route, params map[string]string, cfg LocalAuthConfig) LocalAuth {
	spec := rt.auth
	methodARN := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s%s", cfg.Region, cfg.Account, cfg.APIID, cfg.Stage, r.Method, r.URL.EscapedPath())
	var payload any
	if spec.Type == manifest.AuthorizerToken {
		token := r.Header.Get(identityHeader(spec))
		if token == "" {
			return refusedUnauthorized // API Gateway does not call the authorizer
		}
		payload = events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: token, MethodArn: methodARN}
	} else {
		if spec.TTLSeconds > 0 && !hasIdentitySources(r, spec.IdentitySources) {
			return refusedUnauthorized
		}
		payload = requestAuthorizerEvent(r, rt, params, methodARN, cfg)
	}
	resp, err := a.callAuthorizer(r.Context(), spec.Name, payload)
	switch {
	case errors.Is(err, ErrUnauthorized):
		return refusedUnauthorized
	case err != nil:
		a.logger().ErrorContext(r.Context(), "gochalice: authorizer failed; API Gateway answers 500", "authorizer", spec.Name, "error", err)
		return refusedConfig
	}
	if resp.PrincipalID == "" {
		a.logger().ErrorContext(r.Context(), "gochalice: authorizer returned no principalId; API Gateway answers 500", "authorizer", spec.Name)
		return refusedConfig
	}
	for k, v := range resp.Context {
		switch v.(type) {
		case string, float64, bool, json.Number:
		default:
			a.logger().ErrorContext(r.Context(), "gochalice: authorizer context values must be strings, numbers or booleans; API Gateway answers 500", "authorizer", spec.Name, "key", k)
			return refusedConfig
		}
	}
	switch evaluatePolicy(resp.PolicyDocument, methodARN) {
	case "Deny":
		return refusedDeny
	case "Allow":
		return LocalAuth{PrincipalID: resp.PrincipalID, Context: resp.Context}
	}
	return refusedNoAllow
}

// callAuthorizer runs the named authorizer function with payload as JSON,
// turning a panic into an error as Lambda would.
func (a *App) callAuthorizer(ctx context.Context, name string, payload any) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	in, err := json.Marshal(payload)
	if err != nil {
		return resp, err
	}
	fn, err := a.lookup(name)
	if err != nil {
		return resp, err
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("authorizer %s panicked: %v", name, v)
		}
	}()
	out, err := fn(ctx, in)
	if err != nil {
		if err.Error() == ErrUnauthorized.Error() {
			return resp, ErrUnauthorized
		}
		return resp, err
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	dec.UseNumber()
	if err := dec.Decode(&resp); err != nil {
		return resp, fmt.Errorf("decode the authorizer's answer: %w", err)
	}
	return resp, nil
}

// hasIdentitySources reports whether the request carries every header and
// query parameter identity source (others are always present).
func hasIdentitySources(r *http.Request, sources []string) bool {
	for _, s := range sources {
		rest, ok := strings.CutPrefix(s, "method.request.")
		if !ok {
			continue
		}
		where, name, _ := strings.Cut(rest, ".")
		switch where {
		case "header", "multivalueheader":
			if r.Header.Get(name) == "" {
				return false
			}
		case "querystring", "multivaluequerystring":
			if r.URL.Query().Get(name) == "" {
				return false
			}
		}
	}
	return true
}

func requestAuthorizerEvent(r *http.Request, rt *route, params map[string]string, methodARN string, cfg LocalAuthConfig) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	ev := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:              "REQUEST",
		MethodArn:         methodARN,
		Resource:          rt.apiPath(),
		Path:              r.URL.Path,
		HTTPMethod:        r.Method,
		Headers:           map[string]string{},
		MultiValueHeaders: map[string][]string{},
		PathParameters:    params,
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         "/" + cfg.Stage + r.URL.Path,
			AccountID:    cfg.Account,
			ResourceID:   "local",
			Stage:        cfg.Stage,
			RequestID:    "local",
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{APIKey: r.Header.Get("X-Api-Key"), SourceIP: sourceIP(r)},
			ResourcePath: rt.apiPath(),
			HTTPMethod:   r.Method,
			APIID:        cfg.APIID,
		},
	}
	for k, vs := range r.Header {
		ev.Headers[k] = vs[len(vs)-1]
		ev.MultiValueHeaders[k] = vs
	}
	if q := r.URL.Query(); len(q) > 0 {
		ev.QueryStringParameters = map[string]string{}
		ev.MultiValueQueryStringParameters = map[string][]string{}
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	return ev
}

func sourceIP(r *http.Request) string {
	host := r.RemoteAddr
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

// evaluatePolicy returns "Deny" when a statement denies execute-api:Invoke
// on methodARN, else "Allow" when one allows it, else "".
func evaluatePolicy(doc events.APIGatewayCustomAuthorizerPolicy, methodARN string) string {
	allowed := false
	for _, st := range doc.Statement {
		if !slices.ContainsFunc(st.Action, func(a string) bool { return globMatch(strings.ToLower(a), "execute-api:invoke") }) {
			continue
		}
		if !slices.ContainsFunc(st.Resource, func(p string) bool { return globMatch(p, methodARN) }) {
			continue
		}
		switch {
		case strings.EqualFold(st.Effect, "Deny"):
			return "Deny"
		case strings.EqualFold(st.Effect, "Allow"):
			allowed = true
		}
	}
	if allowed {
		return "Allow"
	}
	return ""
}

// globMatch matches s against an IAM pattern, where '*' matches any run
// of characters (including '/') and '?' any one character.
func globMatch(pattern, s string) bool {
	if pattern == "*" {
		return true
	}
	// (path.Match stops '*' at '/'; IAM's does not.)
	px, sx := 0, 0
	nextPx, nextSx := -1, -1
	for px < len(pattern) || sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; c {
			case '*':
				nextPx, nextSx = px, sx+1
				px++
				continue
			case '?':
				if sx < len(s) {
					px++
					sx++
					continue
				}
			default:
				if sx < len(s) && s[sx] == c {
					px++
					sx++
					continue
				}
			}
		}
		if nextSx > 0 && nextSx <= len(s) {
			px, sx = nextPx, nextSx
			continue
		}
		return false
	}
	return true
}

// localHandler is the local server's handler: Handler, with the routes'
// authorizers and API keys applied in local mode.
func (a *App) localHandler(cfg LocalAuthConfig) http.Handler {
	h := a.Handler()
	if !slices.ContainsFunc(a.routes, func(rt *route) bool { return rt.auth != nil || rt.config.apiKey }) {
		return h
	}
	cfg = cfg.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := a.mux.Handler(r)
		rt := a.byPattern[pattern]
		if rt == nil || rt.auth == nil && !rt.config.apiKey {
			h.ServeHTTP(w, r)
			return
		}
		res := a.authorize(r, rt, rt.pathParams(r.URL.EscapedPath()), cfg)
		if res.Refused() {
			res.WriteResponse(w)
			return
		}
		rc := &RequestContext{}
		if prev, ok := r.Context().Value(localKey{}).(*RequestContext); ok {
			*rc = *prev
		}
		res.applyLocal(rc)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), localKey{}, rc)))
	})
}

// pathParams returns the route's path parameters from an escaped request
// path that matches it, percent-encoded as API Gateway passes them.
func (r *route) pathParams(escaped string) map[string]string {
	parts := strings.Split(strings.TrimPrefix(escaped, "/"), "/")
	var params map[string]string
	for i, seg := range r.segments {
		if !isWildcard(seg) || i >= len(parts) {
			continue
		}
		if params == nil {
			params = map[string]string{}
		}
		name := strings.TrimSuffix(strings.TrimSuffix(seg[1:], "}"), "...")
		if strings.HasSuffix(seg, "...}") {
			params[name] = strings.Join(parts[i:], "/")
			break
		}
		params[name] = parts[i]
	}
	return params
}
