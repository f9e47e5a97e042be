package fakeaws

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// httpAPI is an API Gateway HTTP API.
type httpAPI struct {
	id, name, description string
	bodySHA               string
	routes                []string // "GET /donors/{id}", sorted
	authorizers           []string // security scheme names, sorted
	stages                map[string]*httpStage
	// ws is set on a WebSocket API (apigatewayv2_websocket.go).
	ws *wsAPI
}

// httpStage is a stage of an HTTP API: deployed is the SHA-256 of the
// body it serves ("" before its first deployment).
type httpStage struct {
	autoDeploy bool
	deployed   string
}

// HTTPAPISnapshot is an HTTP API.
type HTTPAPISnapshot struct {
	Name, Description, BodySHA256 string
	// Routes are the route keys, "GET /donors/{id}" or "ANY /{proxy+}".
	Routes []string
	// Authorizers are the names of the authorizers.
	Authorizers []string
	// Stages maps a stage to whether it serves the current body.
	Stages map[string]bool
	// AutoDeploy are the stages that deploy every change.
	AutoDeploy []string
}

// httpAPISnapshots returns the HTTP APIs, sorted by name (then by id);
// the caller holds c.mu.
func (c *Cloud) httpAPISnapshots() []HTTPAPISnapshot {
	apis := make([]*httpAPI, 0, len(c.httpAPIs))
	for _, a := range c.httpAPIs {
		if a.ws == nil {
			apis = append(apis, a)
		}
	}
	sort.Slice(apis, func(i, j int) bool {
		if apis[i].name != apis[j].name {
			return apis[i].name < apis[j].name
		}
		return apis[i].id < apis[j].id
	})
	var out []HTTPAPISnapshot
	for _, a := range apis {
		s := HTTPAPISnapshot{Name: a.name, Description: a.description, BodySHA256: a.bodySHA,
			Routes: slices.Clone(a.routes), Authorizers: slices.Clone(a.authorizers), Stages: map[string]bool{}}
		for name, st := range a.stages {
			s.Stages[name] = st.deployed == a.bodySHA
			if st.autoDeploy {
				s.AutoDeploy = append(s.AutoDeploy, name)
			}
		}
		sort.Strings(s.AutoDeploy)
		out = append(out, s)
	}
	return out
}

// HTTPAPI is the account's API Gateway v2 (HTTP APIs).
type HTTPAPI struct{ c *Cloud }

// HTTPAPI returns the account's API Gateway v2.
func (c *Cloud) HTTPAPI() *HTTPAPI { return &HTTPAPI{c} }

func httpAPINotFound(id string) error {
	return &apigwv2types.NotFoundException{Message: strp("Invalid API identifier specified " + id), ResourceType: strp("Api")}
}

func httpBadRequest(msg string) error {
	return &apigwv2types.BadRequestException{Message: strp(msg)}
}

// openAPI3 is what the fake reads of an HTTP API's OpenAPI 3 document.
type openAPI3 struct {
	OpenAPI string `json:"openapi"`
	Info    struct {
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"info"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		SecuritySchemes map[string]struct {
			Type       string `json:"type"`
			AuthType   string `json:"x-amazon-apigateway-authtype"`
			Authorizer *struct {
				Type                           string `json:"type"`
				AuthorizerURI                  string `json:"authorizerUri"`
				AuthorizerPayloadFormatVersion string `json:"authorizerPayloadFormatVersion"`
				IdentitySource                 string `json:"identitySource"`
				JWTConfiguration               *struct {
					Issuer   string   `json:"issuer"`
					Audience []string `json:"audience"`
				} `json:"jwtConfiguration"`
			} `json:"x-amazon-apigateway-authorizer"`
		} `json:"securitySchemes"`
	} `json:"components"`
}

// parseHTTPBody checks an HTTP API's OpenAPI 3 document as API Gateway's
// import does (for what the deployer writes) and returns the API's name,
// description, route keys and authorizer names.
func parseHTTPBody(body *string) (title, desc string, routes, authorizers []string, err error) {
	if body == nil {
		return "", "", nil, nil, httpBadRequest("Body is required")
	}
	var doc openAPI3
	if err := json.Unmarshal([]byte(*body), &doc); err != nil {
		return "", "", nil, nil, httpBadRequest("Invalid OpenAPI input: " + err.Error())
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		return "", "", nil, nil, httpBadRequest("Invalid OpenAPI input: HTTP APIs import OpenAPI 3 definitions only")
	}
	if doc.Info.Title == "" {
		return "", "", nil, nil, httpBadRequest("Invalid OpenAPI input: info.title is required")
	}
	if len(doc.Paths) == 0 {
		return "", "", nil, nil, httpBadRequest("Invalid OpenAPI input: the definition has no paths, so the API would have no routes")
	}
	for name, s := range doc.Components.SecuritySchemes {
		a := s.Authorizer
		switch {
		case s.AuthType == "awsSigv4":
		case a == nil:
			return "", "", nil, nil, httpBadRequest(fmt.Sprintf("security scheme %s: unsupported (no x-amazon-apigateway-authorizer)", name))
		case a.Type == "jwt":
			if a.JWTConfiguration == nil || a.JWTConfiguration.Issuer == "" || len(a.JWTConfiguration.Audience) == 0 {
				return "", "", nil, nil, httpBadRequest(fmt.Sprintf("security scheme %s: a JWT authorizer needs jwtConfiguration.issuer and audience", name))
			}
		case a.Type == "request":
			if a.AuthorizerURI == "" || (a.AuthorizerPayloadFormatVersion != "1.0" && a.AuthorizerPayloadFormatVersion != "2.0") {
				return "", "", nil, nil, httpBadRequest(fmt.Sprintf("security scheme %s: a Lambda authorizer needs authorizerUri and authorizerPayloadFormatVersion 1.0 or 2.0", name))
			}
		default:
			return "", "", nil, nil, httpBadRequest(fmt.Sprintf("security scheme %s: unsupported authorizer type %q", name, a.Type))
		}
		authorizers = append(authorizers, name)
	}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			var op struct {
				Security    []map[string][]string `json:"security"`
				Integration *struct {
					Type                 string `json:"type"`
					URI                  string `json:"uri"`
					PayloadFormatVersion string `json:"payloadFormatVersion"`
				} `json:"x-amazon-apigateway-integration"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return "", "", nil, nil, httpBadRequest(fmt.Sprintf("Invalid OpenAPI input: paths.%s.%s: %v", path, method, err))
			}
			key := strings.ToUpper(method)
			if method == "x-amazon-apigateway-any-method" {
				key = "ANY"
			}
			if op.Integration == nil || op.Integration.URI == "" {
				return "", "", nil, nil, httpBadRequest(fmt.Sprintf("%s %s: no x-amazon-apigateway-integration with a uri", key, path))
			}
			if op.Integration.PayloadFormatVersion == "" {
				return "", "", nil, nil, httpBadRequest(fmt.Sprintf("%s %s: the integration has no payloadFormatVersion", key, path))
			}
			for _, sec := range op.Security {
				for name := range sec {
					if _, ok := doc.Components.SecuritySchemes[name]; !ok {
						return "", "", nil, nil, httpBadRequest(fmt.Sprintf("%s %s: security names the undefined scheme %s", key, path, name))
					}
				}
			}
			routes = append(routes, key+" "+path)
		}
	}
	sort.Strings(routes)
	sort.Strings(authorizers)
	return doc.Info.Title, doc.Info.Description, routes, authorizers, nil
}

func (a *httpAPI) out(region string) apigwv2types.Api {
	if a.ws != nil {
		return a.wsOut(region)
	}
	return apigwv2types.Api{
		ApiId: strp(a.id), Name: strp(a.name), Description: strp(a.description),
		ProtocolType: apigwv2types.ProtocolTypeHttp, RouteSelectionExpression: strp("$request.method $request.path"),
		ApiEndpoint: strp(fmt.Sprintf("https://%s.execute-api.%s.amazonaws.com", a.id, region)),
	}
}

// deploy deploys the current body to the stages that deploy
// automatically.
func (a *httpAPI) deploy() {
	for _, st := range a.stages {
		if st.autoDeploy {
			st.deployed = a.bodySHA
		}
	}
}

// GetApis lists the HTTP APIs by id, MaxResults at a time.
func (s *HTTPAPI) GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	if _, err := s.c.begin(ctx, "apigatewayv2", "GetApis", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	ids := make([]string, 0, len(s.c.httpAPIs))
	for id := range s.c.httpAPIs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	start, size := 0, len(ids)
	if in.NextToken != nil {
		n, err := strconv.Atoi(*in.NextToken)
		if err != nil || n < 0 || n > len(ids) {
			return nil, httpBadRequest("Invalid NextToken")
		}
		start = n
	}
	if in.MaxResults != nil {
		n, err := strconv.Atoi(*in.MaxResults)
		if err != nil || n < 1 {
			return nil, httpBadRequest("Invalid MaxResults")
		}
		size = n
	}
	out := &apigatewayv2.GetApisOutput{}
	end := min(start+size, len(ids))
	for _, id := range ids[start:end] {
		out.Items = append(out.Items, s.c.httpAPIs[id].out(s.c.Region))
	}
	if end < len(ids) {
		out.NextToken = strp(strconv.Itoa(end))
	}
	return out, nil
}

// ImportApi creates an HTTP API from an OpenAPI 3 document.
func (s *HTTPAPI) ImportApi(ctx context.Context, in *apigatewayv2.ImportApiInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.ImportApiOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.ImportApiOutput, error) { return s.importApi(ctx, in) })
}

func (s *HTTPAPI) importApi(ctx context.Context, in *apigatewayv2.ImportApiInput) (*apigatewayv2.ImportApiOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "ImportApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	title, desc, routes, auths, err := parseHTTPBody(in.Body)
	if err != nil {
		return nil, err
	}
	a := &httpAPI{id: fmt.Sprintf("h%09d", s.c.nextID()), name: title, description: desc, bodySHA: sha([]byte(*in.Body)),
		routes: routes, authorizers: auths, stages: map[string]*httpStage{}}
	s.c.httpAPIs[a.id] = a
	if post != nil {
		return nil, post
	}
	o := a.out(s.c.Region)
	return &apigatewayv2.ImportApiOutput{ApiId: o.ApiId, Name: o.Name, Description: o.Description, ProtocolType: o.ProtocolType, ApiEndpoint: o.ApiEndpoint}, nil
}

// ReimportApi replaces an HTTP API's definition; stages that deploy
// automatically serve it at once.
func (s *HTTPAPI) ReimportApi(ctx context.Context, in *apigatewayv2.ReimportApiInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.ReimportApiOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "ReimportApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.httpAPIs[v2str(in.ApiId)]
	if !ok {
		return nil, httpAPINotFound(v2str(in.ApiId))
	}
	title, desc, routes, auths, err := parseHTTPBody(in.Body)
	if err != nil {
		return nil, err
	}
	a.name, a.description, a.routes, a.authorizers, a.bodySHA = title, desc, routes, auths, sha([]byte(*in.Body))
	a.deploy()
	if post != nil {
		return nil, post
	}
	o := a.out(s.c.Region)
	return &apigatewayv2.ReimportApiOutput{ApiId: o.ApiId, Name: o.Name, Description: o.Description, ProtocolType: o.ProtocolType}, nil
}

// DeleteApi deletes an HTTP API with its stages.
func (s *HTTPAPI) DeleteApi(ctx context.Context, in *apigatewayv2.DeleteApiInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "DeleteApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.httpAPIs[v2str(in.ApiId)]; !ok {
		return nil, httpAPINotFound(v2str(in.ApiId))
	}
	delete(s.c.httpAPIs, v2str(in.ApiId))
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.DeleteApiOutput{}, nil
}

func (s *HTTPAPI) stage(apiID, name *string) (*httpAPI, *httpStage, error) {
	a, ok := s.c.httpAPIs[v2str(apiID)]
	if !ok {
		return nil, nil, httpAPINotFound(v2str(apiID))
	}
	st, ok := a.stages[v2str(name)]
	if !ok {
		return a, nil, &apigwv2types.NotFoundException{Message: strp("Invalid stage identifier specified"), ResourceType: strp("Stage")}
	}
	return a, st, nil
}

// GetStage returns a stage of an HTTP API.
func (s *HTTPAPI) GetStage(ctx context.Context, in *apigatewayv2.GetStageInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStageOutput, error) {
	if _, err := s.c.begin(ctx, "apigatewayv2", "GetStage", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	_, st, err := s.stage(in.ApiId, in.StageName)
	if err != nil {
		return nil, err
	}
	return &apigatewayv2.GetStageOutput{StageName: in.StageName, AutoDeploy: &st.autoDeploy}, nil
}

// CreateStage creates a stage; with AutoDeploy it serves the current
// definition at once.
func (s *HTTPAPI) CreateStage(ctx context.Context, in *apigatewayv2.CreateStageInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateStageOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.CreateStageOutput, error) { return s.createStage(ctx, in) })
}

func (s *HTTPAPI) createStage(ctx context.Context, in *apigatewayv2.CreateStageInput) (*apigatewayv2.CreateStageOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "CreateStage", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.httpAPIs[v2str(in.ApiId)]
	if !ok {
		return nil, httpAPINotFound(v2str(in.ApiId))
	}
	name := v2str(in.StageName)
	if name == "" {
		return nil, httpBadRequest("StageName is required")
	}
	if _, dup := a.stages[name]; dup {
		return nil, &apigwv2types.ConflictException{Message: strp("Stage already exists")}
	}
	st := &httpStage{autoDeploy: in.AutoDeploy != nil && *in.AutoDeploy}
	a.stages[name] = st
	a.deploy()
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.CreateStageOutput{StageName: &name, AutoDeploy: &st.autoDeploy}, nil
}

// UpdateStage changes a stage's AutoDeploy.
func (s *HTTPAPI) UpdateStage(ctx context.Context, in *apigatewayv2.UpdateStageInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateStageOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UpdateStage", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, st, err := s.stage(in.ApiId, in.StageName)
	if err != nil {
		return nil, err
	}
	if in.AutoDeploy != nil {
		st.autoDeploy = *in.AutoDeploy
		a.deploy()
	}
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.UpdateStageOutput{StageName: in.StageName, AutoDeploy: &st.autoDeploy}, nil
}

// DeleteStage deletes a stage of an HTTP API.
func (s *HTTPAPI) DeleteStage(ctx context.Context, in *apigatewayv2.DeleteStageInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteStageOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "DeleteStage", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, _, err := s.stage(in.ApiId, in.StageName)
	if err != nil {
		return nil, err
	}
	delete(a.stages, v2str(in.StageName))
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.DeleteStageOutput{}, nil
}

func v2str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
