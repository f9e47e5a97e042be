package fakeaws

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// wsAPI is what a WebSocket API has besides an HTTP API's name,
// description and stages: its route selection expression, integrations
// and routes. Its httpAPI's bodySHA stands for the routes and
// integrations (what a deployment snapshots), so that a stage that
// deploys automatically serves them as they change.
type wsAPI struct {
	routeSelection string
	integrations   map[string]*apigwv2types.Integration
	routes         map[string]*apigwv2types.Route
}

// WebSocketAPISnapshot is a WebSocket API.
type WebSocketAPISnapshot struct {
	Name, Description, RouteSelectionExpression string
	// Routes maps a route key to the URI of the integration it targets.
	Routes map[string]string
	// Integrations are the integrations' URIs, sorted.
	Integrations []string
	// Stages maps a stage to whether it serves the current routes and
	// integrations.
	Stages map[string]bool
	// AutoDeploy are the stages that deploy every change.
	AutoDeploy []string
}

// webSocketAPISnapshots returns the WebSocket APIs, sorted by name (then
// by id); the caller holds c.mu.
func (c *Cloud) webSocketAPISnapshots() []WebSocketAPISnapshot {
	var apis []*httpAPI
	for _, a := range c.httpAPIs {
		if a.ws != nil {
			apis = append(apis, a)
		}
	}
	sort.Slice(apis, func(i, j int) bool {
		if apis[i].name != apis[j].name {
			return apis[i].name < apis[j].name
		}
		return apis[i].id < apis[j].id
	})
	var out []WebSocketAPISnapshot
	for _, a := range apis {
		s := WebSocketAPISnapshot{Name: a.name, Description: a.description, RouteSelectionExpression: a.ws.routeSelection,
			Routes: map[string]string{}, Stages: map[string]bool{}}
		for _, r := range a.ws.routes {
			uri := ""
			if in, ok := a.ws.integrations[strings.TrimPrefix(v2str(r.Target), "integrations/")]; ok {
				uri = v2str(in.IntegrationUri)
			}
			s.Routes[v2str(r.RouteKey)] = uri
		}
		for _, in := range a.ws.integrations {
			s.Integrations = append(s.Integrations, v2str(in.IntegrationUri))
		}
		sort.Strings(s.Integrations)
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

func (a *httpAPI) wsOut(region string) apigwv2types.Api {
	return apigwv2types.Api{
		ApiId: strp(a.id), Name: strp(a.name), Description: strp(a.description),
		ProtocolType: apigwv2types.ProtocolTypeWebsocket, RouteSelectionExpression: strp(a.ws.routeSelection),
		ApiEndpoint: strp(fmt.Sprintf("wss://%s.execute-api.%s.amazonaws.com", a.id, region)),
	}
}

// changed records a change of the routes or integrations: stages that
// deploy automatically serve it.
func (a *httpAPI) changed() {
	var b strings.Builder
	keys := make([]string, 0, len(a.ws.routes))
	for id, r := range a.ws.routes {
		keys = append(keys, v2str(r.RouteKey)+" "+v2str(r.Target)+" "+id)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b.WriteString("route " + k + "\n")
	}
	ids := make([]string, 0, len(a.ws.integrations))
	for id, in := range a.ws.integrations {
		ids = append(ids, id+" "+string(in.IntegrationType)+" "+v2str(in.IntegrationUri)+" "+string(in.ContentHandlingStrategy))
	}
	sort.Strings(ids)
	for _, k := range ids {
		b.WriteString("integration " + k + "\n")
	}
	a.bodySHA = sha([]byte(b.String()))
	a.deploy()
}

// wsLookup returns the WebSocket API apiID; the caller holds c.mu.
func (s *HTTPAPI) wsLookup(apiID *string) (*httpAPI, error) {
	a, ok := s.c.httpAPIs[v2str(apiID)]
	if !ok {
		return nil, httpAPINotFound(v2str(apiID))
	}
	if a.ws == nil {
		return nil, httpBadRequest("the fake manages integrations and routes of WebSocket APIs only; HTTP APIs are imported")
	}
	return a, nil
}

// CreateApi creates a WebSocket API (the fake makes HTTP APIs only by
// ImportApi).
func (s *HTTPAPI) CreateApi(ctx context.Context, in *apigatewayv2.CreateApiInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateApiOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.CreateApiOutput, error) { return s.createAPI(ctx, in) })
}

func (s *HTTPAPI) createAPI(ctx context.Context, in *apigatewayv2.CreateApiInput) (*apigatewayv2.CreateApiOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "CreateApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	switch {
	case v2str(in.Name) == "":
		return nil, httpBadRequest("Name is required")
	case in.ProtocolType != apigwv2types.ProtocolTypeWebsocket:
		return nil, httpBadRequest("the fake creates WEBSOCKET APIs only, not " + string(in.ProtocolType))
	case v2str(in.RouteSelectionExpression) == "":
		return nil, httpBadRequest("RouteSelectionExpression is required for a WEBSOCKET API")
	}
	a := &httpAPI{id: fmt.Sprintf("w%09d", s.c.nextID()), name: *in.Name, description: v2str(in.Description), stages: map[string]*httpStage{},
		ws: &wsAPI{routeSelection: *in.RouteSelectionExpression, integrations: map[string]*apigwv2types.Integration{}, routes: map[string]*apigwv2types.Route{}}}
	a.changed()
	s.c.httpAPIs[a.id] = a
	if post != nil {
		return nil, post
	}
	o := a.out(s.c.Region)
	return &apigatewayv2.CreateApiOutput{ApiId: o.ApiId, Name: o.Name, Description: o.Description, ProtocolType: o.ProtocolType,
		RouteSelectionExpression: o.RouteSelectionExpression, ApiEndpoint: o.ApiEndpoint}, nil
}

// UpdateApi changes a WebSocket API's name, description or route
// selection expression.
func (s *HTTPAPI) UpdateApi(ctx context.Context, in *apigatewayv2.UpdateApiInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateApiOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UpdateApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	if in.Name != nil {
		a.name = *in.Name
	}
	if in.Description != nil {
		a.description = *in.Description
	}
	if in.RouteSelectionExpression != nil {
		a.ws.routeSelection = *in.RouteSelectionExpression
	}
	if post != nil {
		return nil, post
	}
	o := a.out(s.c.Region)
	return &apigatewayv2.UpdateApiOutput{ApiId: o.ApiId, Name: o.Name, Description: o.Description, ProtocolType: o.ProtocolType,
		RouteSelectionExpression: o.RouteSelectionExpression}, nil
}

// page returns the part of ids (sorted) a paginated Get* call asks for,
// and the next token.
func page(ids []string, maxResults, next *string) ([]string, *string, error) {
	sort.Strings(ids)
	start, size := 0, len(ids)
	if next != nil {
		n, err := strconv.Atoi(*next)
		if err != nil || n < 0 || n > len(ids) {
			return nil, nil, httpBadRequest("Invalid NextToken")
		}
		start = n
	}
	if maxResults != nil {
		n, err := strconv.Atoi(*maxResults)
		if err != nil || n < 1 {
			return nil, nil, httpBadRequest("Invalid MaxResults")
		}
		size = n
	}
	end := min(start+size, len(ids))
	var token *string
	if end < len(ids) {
		token = strp(strconv.Itoa(end))
	}
	return ids[start:end], token, nil
}

// checkLambdaURI checks a WebSocket API's Lambda proxy integration URI as
// API Gateway does: the function's invocation URI, not its ARN.
func checkLambdaURI(uri string) error {
	parts := strings.SplitN(uri, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "apigateway" || !strings.HasPrefix(parts[5], "path/2015-03-31/functions/arn:") ||
		!strings.HasSuffix(uri, "/invocations") || parts[4] != "lambda" {
		return httpBadRequest("Invalid integration URI specified: " + uri)
	}
	return nil
}

// GetIntegrations lists a WebSocket API's integrations.
func (s *HTTPAPI) GetIntegrations(ctx context.Context, in *apigatewayv2.GetIntegrationsInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetIntegrationsOutput, error) {
	if _, err := s.c.begin(ctx, "apigatewayv2", "GetIntegrations", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(a.ws.integrations))
	for id := range a.ws.integrations {
		ids = append(ids, id)
	}
	ids, token, err := page(ids, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &apigatewayv2.GetIntegrationsOutput{NextToken: token}
	for _, id := range ids {
		out.Items = append(out.Items, *a.ws.integrations[id])
	}
	return out, nil
}

func checkIntegration(typ apigwv2types.IntegrationType, uri *string) error {
	if typ != apigwv2types.IntegrationTypeAwsProxy {
		return httpBadRequest("the fake makes AWS_PROXY integrations only, not " + string(typ))
	}
	return checkLambdaURI(v2str(uri))
}

// CreateIntegration adds a Lambda proxy integration to a WebSocket API.
func (s *HTTPAPI) CreateIntegration(ctx context.Context, in *apigatewayv2.CreateIntegrationInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateIntegrationOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.CreateIntegrationOutput, error) { return s.createIntegration(ctx, in) })
}

func (s *HTTPAPI) createIntegration(ctx context.Context, in *apigatewayv2.CreateIntegrationInput) (*apigatewayv2.CreateIntegrationOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "CreateIntegration", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	if err := checkIntegration(in.IntegrationType, in.IntegrationUri); err != nil {
		return nil, err
	}
	id := fmt.Sprintf("i%06d", s.c.nextID())
	a.ws.integrations[id] = &apigwv2types.Integration{IntegrationId: strp(id), IntegrationType: in.IntegrationType, IntegrationUri: in.IntegrationUri,
		ContentHandlingStrategy: in.ContentHandlingStrategy, Description: in.Description, ConnectionType: apigwv2types.ConnectionTypeInternet}
	a.changed()
	if post != nil {
		return nil, post
	}
	got := a.ws.integrations[id]
	return &apigatewayv2.CreateIntegrationOutput{IntegrationId: got.IntegrationId, IntegrationType: got.IntegrationType, IntegrationUri: got.IntegrationUri,
		ContentHandlingStrategy: got.ContentHandlingStrategy, Description: got.Description}, nil
}

// UpdateIntegration changes an integration.
func (s *HTTPAPI) UpdateIntegration(ctx context.Context, in *apigatewayv2.UpdateIntegrationInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateIntegrationOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UpdateIntegration", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	got, ok := a.ws.integrations[v2str(in.IntegrationId)]
	if !ok {
		return nil, &apigwv2types.NotFoundException{Message: strp("Invalid Integration identifier specified"), ResourceType: strp("Integration")}
	}
	typ, uri := got.IntegrationType, got.IntegrationUri
	if in.IntegrationType != "" {
		typ = in.IntegrationType
	}
	if in.IntegrationUri != nil {
		uri = in.IntegrationUri
	}
	if err := checkIntegration(typ, uri); err != nil {
		return nil, err
	}
	got.IntegrationType, got.IntegrationUri = typ, uri
	if in.ContentHandlingStrategy != "" {
		got.ContentHandlingStrategy = in.ContentHandlingStrategy
	}
	if in.Description != nil {
		got.Description = in.Description
	}
	a.changed()
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.UpdateIntegrationOutput{IntegrationId: got.IntegrationId, IntegrationType: got.IntegrationType, IntegrationUri: got.IntegrationUri,
		ContentHandlingStrategy: got.ContentHandlingStrategy, Description: got.Description}, nil
}

// DeleteIntegration deletes an integration no route targets.
func (s *HTTPAPI) DeleteIntegration(ctx context.Context, in *apigatewayv2.DeleteIntegrationInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteIntegrationOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "DeleteIntegration", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	id := v2str(in.IntegrationId)
	if _, ok := a.ws.integrations[id]; !ok {
		return nil, &apigwv2types.NotFoundException{Message: strp("Invalid Integration identifier specified"), ResourceType: strp("Integration")}
	}
	for _, r := range a.ws.routes {
		if v2str(r.Target) == "integrations/"+id {
			return nil, httpBadRequest(fmt.Sprintf("Cannot delete Integration %s: it is referenced by Route %s", id, v2str(r.RouteKey)))
		}
	}
	delete(a.ws.integrations, id)
	a.changed()
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.DeleteIntegrationOutput{}, nil
}

// GetRoutes lists a WebSocket API's routes.
func (s *HTTPAPI) GetRoutes(ctx context.Context, in *apigatewayv2.GetRoutesInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetRoutesOutput, error) {
	if _, err := s.c.begin(ctx, "apigatewayv2", "GetRoutes", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(a.ws.routes))
	for id := range a.ws.routes {
		ids = append(ids, id)
	}
	ids, token, err := page(ids, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &apigatewayv2.GetRoutesOutput{NextToken: token}
	for _, id := range ids {
		out.Items = append(out.Items, *a.ws.routes[id])
	}
	return out, nil
}

// checkTarget checks a route's target: one of the API's integrations.
func (a *httpAPI) checkTarget(target *string) error {
	id, ok := strings.CutPrefix(v2str(target), "integrations/")
	if _, exists := a.ws.integrations[id]; !ok || !exists {
		return httpBadRequest("Invalid target specified: " + v2str(target))
	}
	return nil
}

// CreateRoute adds a route to a WebSocket API; route keys are unique.
func (s *HTTPAPI) CreateRoute(ctx context.Context, in *apigatewayv2.CreateRouteInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateRouteOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.CreateRouteOutput, error) { return s.createRoute(ctx, in) })
}

func (s *HTTPAPI) createRoute(ctx context.Context, in *apigatewayv2.CreateRouteInput) (*apigatewayv2.CreateRouteOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "CreateRoute", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	key := v2str(in.RouteKey)
	if key == "" {
		return nil, httpBadRequest("RouteKey is required")
	}
	for _, r := range a.ws.routes {
		if v2str(r.RouteKey) == key {
			return nil, &apigwv2types.ConflictException{Message: strp("Route with key " + key + " already exists for this API")}
		}
	}
	if err := a.checkTarget(in.Target); err != nil {
		return nil, err
	}
	id := fmt.Sprintf("r%06d", s.c.nextID())
	a.ws.routes[id] = &apigwv2types.Route{RouteId: strp(id), RouteKey: strp(key), Target: in.Target}
	a.changed()
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.CreateRouteOutput{RouteId: strp(id), RouteKey: strp(key), Target: in.Target}, nil
}

// UpdateRoute changes a route's target (or key).
func (s *HTTPAPI) UpdateRoute(ctx context.Context, in *apigatewayv2.UpdateRouteInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateRouteOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UpdateRoute", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	r, ok := a.ws.routes[v2str(in.RouteId)]
	if !ok {
		return nil, &apigwv2types.NotFoundException{Message: strp("Invalid Route identifier specified"), ResourceType: strp("Route")}
	}
	if in.Target != nil {
		if err := a.checkTarget(in.Target); err != nil {
			return nil, err
		}
		r.Target = in.Target
	}
	if in.RouteKey != nil {
		r.RouteKey = in.RouteKey
	}
	a.changed()
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.UpdateRouteOutput{RouteId: r.RouteId, RouteKey: r.RouteKey, Target: r.Target}, nil
}

// DeleteRoute deletes a route.
func (s *HTTPAPI) DeleteRoute(ctx context.Context, in *apigatewayv2.DeleteRouteInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteRouteOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "DeleteRoute", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, err := s.wsLookup(in.ApiId)
	if err != nil {
		return nil, err
	}
	if _, ok := a.ws.routes[v2str(in.RouteId)]; !ok {
		return nil, &apigwv2types.NotFoundException{Message: strp("Invalid Route identifier specified"), ResourceType: strp("Route")}
	}
	delete(a.ws.routes, v2str(in.RouteId))
	a.changed()
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.DeleteRouteOutput{}, nil
}
