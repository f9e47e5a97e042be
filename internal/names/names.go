// Package names names every AWS resource of an app stage, from the app's
// name (config.json's app_name, as the resolved settings carry it), the
// stage and the app's name for each function: the one place those names
// are made, for the deployer, the templates and policy generation. It
// imports only the standard library.
//
// The names follow Chalice: the API handler's Lambda function is
// "<app>-<stage>", the others "<app>-<stage>-<function>"; every function
// has its own role "<app>-<stage>-<function>" (the API handler's
// "<app>-<stage>-api_handler").
package names

import "fmt"

// MaxLength is the longest name IAM, Lambda and EventBridge accept for
// roles, functions and rules.
const MaxLength = 64

// APIHandler is the app's name for the function that serves every route
// (manifest.APIHandlerName).
const APIHandler = "api_handler"

// Stage names the resources of one app stage.
type Stage struct {
	// App is the app's name: config.json's app_name.
	App string `json:"app"`
	// Stage is the stage's name.
	Stage string `json:"stage"`
}

// Prefix is "<app>-<stage>": the API handler's Lambda function name, which
// every other name of the stage starts with.
func (s Stage) Prefix() string { return s.App + "-" + s.Stage }

// Description marks a resource as the stage's: "gochalice app <app>,
// stage <stage>". The REST and HTTP APIs, the usage plan and templates
// carry it, so an interrupted deploy finds its API again by name and
// description.
func (s Stage) Description() string { return fmt.Sprintf("gochalice app %s, stage %s", s.App, s.Stage) }

// The tags every resource gochalice creates carries, where AWS takes tags
// when it creates the resource: they prove a resource found by its name
// (after a deploy was interrupted before recording it) is this app
// stage's, and not a user's resource that merely looks similar.
const (
	TagApp   = "gochalice:app"
	TagStage = "gochalice:stage"
)

// ChaliceTag is the tag that marks a Lambda function as an app stage's,
// as Chalice tags its functions; its value is Stage.ChaliceTagValue.
const ChaliceTag = "aws-chalice"

// Tags are the tags that mark a resource as the stage's: TagApp and
// TagStage.
func (s Stage) Tags() map[string]string { return map[string]string{TagApp: s.App, TagStage: s.Stage} }

// ChaliceTagValue is the value of a function's ChaliceTag:
// "version=gochalice:stage=<stage>:app=<app>".
func (s Stage) ChaliceTagValue() string {
	return fmt.Sprintf("version=gochalice:stage=%s:app=%s", s.Stage, s.App)
}

// Tagged reports whether tags mark a resource as the stage's: TagApp and
// TagStage, or (functions) ChaliceTag.
func (s Stage) Tagged(tags map[string]string) bool {
	return tags[TagApp] == s.App && tags[TagStage] == s.Stage || tags[ChaliceTag] == s.ChaliceTagValue()
}

// API is the name of the stage's REST or HTTP API: the API handler's
// Lambda function name.
func (s Stage) API() string { return s.Prefix() }

// WebSocketAPI is the name of the stage's WebSocket API, Chalice's
// "<app>-<stage>-websocket-api".
func (s Stage) WebSocketAPI() string { return s.Prefix() + "-websocket-api" }

// UsagePlan is the name of the REST API stage's usage plan.
func (s Stage) UsagePlan() string { return s.Prefix() }

// Function returns the names of the resources of the app function fn.
func (s Stage) Function(fn string) Function {
	lambda := s.Prefix()
	if fn != APIHandler {
		lambda += "-" + fn
	}
	own := s.Prefix() + "-" + fn
	return Function{
		Function:             fn,
		Lambda:               lambda,
		Role:                 own,
		LogGroup:             "/aws/lambda/" + lambda,
		Rule:                 own,
		RuleDescription:      s.Description() + ": invokes " + fn,
		BucketNotificationID: "gochalice-" + own,
	}
}

// Function is the names of one app function's resources in a stage.
type Function struct {
	// Function is the app's name for the function ("api_handler",
	// "handle_stream").
	Function string `json:"function"`
	// Lambda is the Lambda function's name: "<app>-<stage>" for the API
	// handler, "<app>-<stage>-<function>" for the others.
	Lambda string `json:"lambda"`
	// Role is the function's own execution role, and its inline policy:
	// "<app>-<stage>-<function>".
	Role string `json:"role"`
	// LogGroup is the function's log group, "/aws/lambda/<Lambda>".
	LogGroup string `json:"log_group"`
	// Rule is the EventBridge rule of a schedule or event pattern
	// function, "<app>-<stage>-<function>".
	Rule string `json:"rule"`
	// RuleDescription is the rule's description when the app gives none.
	RuleDescription string `json:"rule_description"`
	// BucketNotificationID is the id of an S3 function's configuration in
	// its bucket's notification configuration,
	// "gochalice-<app>-<stage>-<function>".
	BucketNotificationID string `json:"bucket_notification_id"`
}
