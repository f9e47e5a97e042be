package app

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Group registers routes and functions on an App under a URL prefix and a
// function-name prefix: Chalice's blueprints, in the shape of chi's
// Route. A package of a large API exports a func(*app.Group) and the
// main package mounts it:
//
//	a.Group("/users", "users_", users.Register)
//
// What a group registers is the App's own: the manifest, deploy, package
// and local see the prefixed paths and names and nothing else.
type Group struct {
	app        *App
	urlPrefix  string
	namePrefix string
	middleware []func(http.Handler) http.Handler
}

// Group calls fn with a Group that registers on a under urlPrefix (""
// or a path such as "/v1", without a trailing "/") and namePrefix (put
// before every function name, as Chalice's register_blueprint
// name_prefix).
func (a *App) Group(urlPrefix, namePrefix string, fn func(g *Group)) {
	(&Group{app: a}).Group(urlPrefix, namePrefix, fn)
}

// Group nests a group: prefixes add to this group's, and the group's
// middleware applies to the nested group's routes too.
func (g *Group) Group(urlPrefix, namePrefix string, fn func(g *Group)) {
	if urlPrefix != "" && (!strings.HasPrefix(urlPrefix, "/") || strings.HasSuffix(urlPrefix, "/")) {
		panic(fmt.Sprintf("gochalice: Group %q: a URL prefix starts with \"/\" and does not end with one, such as \"/v1\"", urlPrefix))
	}
	if strings.ContainsAny(urlPrefix, "{} ") {
		panic(fmt.Sprintf("gochalice: Group %q: a URL prefix has no wildcards or spaces", urlPrefix))
	}
	if fn == nil {
		panic(fmt.Sprintf("gochalice: Group %q: nil function", urlPrefix))
	}
	fn(&Group{
		app:        g.app,
		urlPrefix:  g.urlPrefix + urlPrefix,
		namePrefix: g.namePrefix + namePrefix,
		middleware: append([]func(http.Handler) http.Handler(nil), g.middleware...),
	})
}

// Use adds middleware around the group's routes registered after it,
// inside the App's middleware.
func (g *Group) Use(mw ...func(http.Handler) http.Handler) {
	g.app.mustBeOpen("Use")
	g.middleware = append(g.middleware, mw...)
}

// pattern puts the URL prefix in front of a route pattern's path; "/"
// becomes the prefix itself.
func (g *Group) pattern(pattern string) string {
	if g.urlPrefix == "" {
		return pattern
	}
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "", pattern
	}
	path = strings.TrimLeft(path, " ")
	if path == "/" {
		path = ""
	}
	if method == "" {
		return g.urlPrefix + path
	}
	return method + " " + g.urlPrefix + path
}

func (g *Group) routeOptions(opts []RouteOption) []RouteOption {
	if len(g.middleware) == 0 {
		return opts
	}
	return append([]RouteOption{WithMiddleware(g.middleware...)}, opts...)
}

// Route registers a route under the group's URL prefix; see App.Route.
func (g *Group) Route(pattern string, handler func(http.ResponseWriter, *http.Request), opts ...RouteOption) {
	g.app.Route(g.pattern(pattern), handler, g.routeOptions(opts)...)
}

// Handle registers an http.Handler under the group's URL prefix; see
// App.Handle.
func (g *Group) Handle(pattern string, handler http.Handler, opts ...RouteOption) {
	g.app.Handle(g.pattern(pattern), handler, g.routeOptions(opts)...)
}

// Name is the full name of a function the group registers as name.
func (g *Group) Name(name string) string { return g.namePrefix + name }

// Schedule is App.Schedule with the group's name prefix.
func (g *Group) Schedule(name, expr string, handler func(context.Context, events.EventBridgeEvent) error, opts ...EventOption) {
	g.app.Schedule(g.Name(name), expr, handler, opts...)
}

// OnEvent is App.OnEvent with the group's name prefix.
func (g *Group) OnEvent(name string, pattern any, handler func(context.Context, events.EventBridgeEvent) error, opts ...EventOption) {
	g.app.OnEvent(g.Name(name), pattern, handler, opts...)
}

// OnSQSMessage is App.OnSQSMessage with the group's name prefix.
func (g *Group) OnSQSMessage(name, queue string, handler func(context.Context, events.SQSEvent) error, opts ...EventOption) {
	g.app.OnSQSMessage(g.Name(name), queue, handler, opts...)
}

// OnSQSBatch is App.OnSQSBatch with the group's name prefix.
func (g *Group) OnSQSBatch(name, queue string, handler func(context.Context, events.SQSEvent) (events.SQSEventResponse, error), opts ...EventOption) {
	g.app.OnSQSBatch(g.Name(name), queue, handler, opts...)
}

// OnSNSMessage is App.OnSNSMessage with the group's name prefix.
func (g *Group) OnSNSMessage(name, topic string, handler func(context.Context, events.SNSEvent) error, opts ...EventOption) {
	g.app.OnSNSMessage(g.Name(name), topic, handler, opts...)
}

// OnS3Event is App.OnS3Event with the group's name prefix.
func (g *Group) OnS3Event(name, bucket string, handler func(context.Context, events.S3Event) error, opts ...EventOption) {
	g.app.OnS3Event(g.Name(name), bucket, handler, opts...)
}

// OnKinesisRecord is App.OnKinesisRecord with the group's name prefix.
func (g *Group) OnKinesisRecord(name, stream string, handler func(context.Context, events.KinesisEvent) error, opts ...EventOption) {
	g.app.OnKinesisRecord(g.Name(name), stream, handler, opts...)
}

// OnKinesisBatch is App.OnKinesisBatch with the group's name prefix.
func (g *Group) OnKinesisBatch(name, stream string, handler func(context.Context, events.KinesisEvent) (events.KinesisEventResponse, error), opts ...EventOption) {
	g.app.OnKinesisBatch(g.Name(name), stream, handler, opts...)
}

// OnDynamoDBRecord is App.OnDynamoDBRecord with the group's name prefix.
func (g *Group) OnDynamoDBRecord(name, stream string, handler func(context.Context, events.DynamoDBEvent) error, opts ...EventOption) {
	g.app.OnDynamoDBRecord(g.Name(name), stream, handler, opts...)
}

// OnDynamoDBBatch is App.OnDynamoDBBatch with the group's name prefix.
func (g *Group) OnDynamoDBBatch(name, stream string, handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error), opts ...EventOption) {
	g.app.OnDynamoDBBatch(g.Name(name), stream, handler, opts...)
}

// LambdaFunction is App.LambdaFunction with the group's name prefix.
func (g *Group) LambdaFunction(name string, handler any) {
	g.app.LambdaFunction(g.Name(name), handler)
}

// TokenAuthorizer is App.TokenAuthorizer with the group's name prefix.
func (g *Group) TokenAuthorizer(name string, handler func(context.Context, events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error), opts ...AuthorizerOption) Authorizer {
	return g.app.TokenAuthorizer(g.Name(name), handler, opts...)
}

// RequestAuthorizer is App.RequestAuthorizer with the group's name prefix.
func (g *Group) RequestAuthorizer(name string, handler func(context.Context, events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error), opts ...AuthorizerOption) Authorizer {
	return g.app.RequestAuthorizer(g.Name(name), handler, opts...)
}
