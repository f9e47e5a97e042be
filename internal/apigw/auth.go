package apigw

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/manifest"
)

// Config describes the API that local mode pretends to be, and the app
// whose authorizers it runs.
type Config struct {
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
	// Authorizers are the app's authorizers (manifest.Authorizers).
	Authorizers []manifest.Authorizer
	// Invoke runs the app's function name with a JSON payload, as Lambda
	// would: custom authorizers run through it.
	Invoke func(ctx context.Context, name string, payload []byte) ([]byte, error)
	// Logger receives why an authorizer's answer is API Gateway's 500;
	// slog.Default() when nil.
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
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
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}

// Auth is what local mode decided about a request: refused, with API
// Gateway's answer, or allowed, with the caller's identity.
type Auth struct {
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
func (l *Auth) Refused() bool { return l.Status != 0 }

// Write writes API Gateway's answer to a refused request.
func (l *Auth) Write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", l.ErrorType)
	w.WriteHeader(l.Status)
	_, _ = w.Write([]byte(l.Body))
}

// ApplyProxy puts the caller's identity in a REST API (payload 1.0)
// request context as API Gateway does: a custom authorizer's principal id
// and context in Authorizer, Cognito claims in Authorizer["claims"], an
// IAM caller and an API key in Identity.
func (l *Auth) ApplyProxy(rc *events.APIGatewayProxyRequestContext) {
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
func (l *Auth) ApplyV2(rc *events.APIGatewayV2HTTPRequestContext) {
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

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 5 {
		return ""
	}
	return parts[4]
}

// API Gateway's answers to refused requests.
var (
	refusedUnauthorized = Auth{Status: http.StatusUnauthorized, ErrorType: "UnauthorizedException", Body: `{"message":"Unauthorized"}`}
	refusedExpired      = Auth{Status: http.StatusUnauthorized, ErrorType: "UnauthorizedException", Body: `{"message":"The incoming token has expired"}`}
	refusedDeny         = Auth{Status: http.StatusForbidden, ErrorType: "AccessDeniedException", Body: `{"Message":"User is not authorized to access this resource with an explicit deny"}`}
	refusedNoAllow      = Auth{Status: http.StatusForbidden, ErrorType: "AccessDeniedException", Body: `{"Message":"User is not authorized to access this resource"}`}
	refusedNoSignature  = Auth{Status: http.StatusForbidden, ErrorType: "MissingAuthenticationTokenException", Body: `{"message":"Missing Authentication Token"}`}
	refusedNoAPIKey     = Auth{Status: http.StatusForbidden, ErrorType: "ForbiddenException", Body: `{"message":"Forbidden"}`}
	refusedConfig       = Auth{Status: http.StatusInternalServerError, ErrorType: "AuthorizerConfigurationException", Body: `{"message":null}`}
)

// Authorize decides a request for route rt as API Gateway would before
// invoking the API handler (see app's package documentation, "Local
// mode"): it runs the route's authorizer and checks its API key
// requirement. params are the route's path parameters (from Match). A
// route without an authorizer or API key, and the CORS preflight (OPTIONS
// on a route of another method), are allowed with no identity.
func Authorize(r *http.Request, rt manifest.Route, params map[string]string, cfg Config) Auth {
	cfg = cfg.withDefaults()
	if r.Method == http.MethodOptions && rt.Method != http.MethodOptions && rt.Method != "ANY" {
		return Auth{}
	}
	var res Auth
	if rt.Authorizer != "" {
		i := slices.IndexFunc(cfg.Authorizers, func(a manifest.Authorizer) bool { return a.Name == rt.Authorizer })
		if i < 0 {
			cfg.Logger.ErrorContext(r.Context(), "gochalice: route's authorizer is not registered; API Gateway answers 500", "authorizer", rt.Authorizer)
			return refusedConfig
		}
		spec := &cfg.Authorizers[i]
		switch spec.Type {
		case manifest.AuthorizerIAM:
			res = localIAM(r, cfg)
		case manifest.AuthorizerCognito:
			res = localCognito(r, spec, rt.AuthorizationScopes, cfg)
		default:
			res = localCustom(r, spec, rt, params, cfg)
		}
		if res.Refused() {
			return res
		}
		res.Authorizer, res.Type = spec.Name, spec.Type
	}
	if rt.APIKeyRequired {
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
func localIAM(r *http.Request, cfg Config) Auth {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256") {
		return refusedNoSignature
	}
	res := Auth{UserARN: cfg.IAMARN, AccessKey: "ASIALOCAL"}
	if _, cred, ok := strings.Cut(auth, "Credential="); ok {
		if key, _, ok := strings.Cut(cred, "/"); ok && key != "" {
			res.AccessKey = key
		}
	}
	return res
}

// localCognito reads the token's claims without verifying its signature.
func localCognito(r *http.Request, spec *manifest.Authorizer, scopes []string, cfg Config) Auth {
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
	res := Auth{Claims: make(map[string]string, len(claims)), Scopes: granted}
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
func localCustom(r *http.Request, spec *manifest.Authorizer, rt manifest.Route, params map[string]string, cfg Config) Auth {
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
	resp, err := callAuthorizer(r.Context(), cfg.Invoke, spec.Name, payload)
	log := cfg.Logger
	switch {
	case errors.Is(err, errUnauthorized):
		return refusedUnauthorized
	case err != nil:
		log.ErrorContext(r.Context(), "gochalice: authorizer failed; API Gateway answers 500", "authorizer", spec.Name, "error", err)
		return refusedConfig
	}
	if resp.PrincipalID == "" {
		log.ErrorContext(r.Context(), "gochalice: authorizer returned no principalId; API Gateway answers 500", "authorizer", spec.Name)
		return refusedConfig
	}
	for k, v := range resp.Context {
		switch v.(type) {
		case string, float64, bool, json.Number:
		default:
			log.ErrorContext(r.Context(), "gochalice: authorizer context values must be strings, numbers or booleans; API Gateway answers 500", "authorizer", spec.Name, "key", k)
			return refusedConfig
		}
	}
	switch evaluatePolicy(resp.PolicyDocument, methodARN) {
	case "Deny":
		return refusedDeny
	case "Allow":
		return Auth{PrincipalID: resp.PrincipalID, Context: resp.Context}
	}
	return refusedNoAllow
}

// errUnauthorized is an authorizer's refusal: an error whose text is
// "Unauthorized", as app.ErrUnauthorized's is and as Lambda reports it.
var errUnauthorized = errors.New("Unauthorized")

// callAuthorizer runs the named authorizer function with payload as JSON,
// turning a panic into an error as Lambda would.
func callAuthorizer(ctx context.Context, invoke func(context.Context, string, []byte) ([]byte, error), name string, payload any) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	in, err := json.Marshal(payload)
	if err != nil {
		return resp, err
	}
	if invoke == nil {
		return resp, fmt.Errorf("no function invoker to run authorizer %s", name)
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("authorizer %s panicked: %v", name, v)
		}
	}()
	out, err := invoke(ctx, name, in)
	if err != nil {
		if err.Error() == errUnauthorized.Error() {
			return resp, errUnauthorized
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

// identityHeader is the header a TOKEN or Cognito authorizer reads its
// token from: its first identity source, method.request.header.NAME.
func identityHeader(spec *manifest.Authorizer) string {
	if len(spec.IdentitySources) == 0 {
		return ""
	}
	if h, ok := strings.CutPrefix(spec.IdentitySources[0], "method.request.header."); ok {
		return http.CanonicalHeaderKey(h)
	}
	return ""
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
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

func requestAuthorizerEvent(r *http.Request, rt manifest.Route, params map[string]string, methodARN string, cfg Config) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	ev := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:              "REQUEST",
		MethodArn:         methodARN,
		Resource:          rt.Path,
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
			ResourcePath: rt.Path,
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
