package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// SchemaVersion is the version of the manifest document this package
// writes and reads. It changes only when a reader of an older version would
// misread a newer document.
const SchemaVersion = 1

// Environment variables of the contract between a gochalice binary and the
// tools that run it.
const (
	// EnvManifest, when set to any non-empty value, makes app.Run print the
	// manifest as JSON on standard output and exit 0 without serving.
	EnvManifest = "GOCHALICE_MANIFEST"

	// EnvHandler names the registered function that app.Run serves on
	// Lambda. The deployer sets it on every function it creates; all
	// functions of an app run the same binary.
	EnvHandler = "GOCHALICE_HANDLER"

	// EnvStage is the stage an app runs as (set by the deployer and by
	// gochalice local). It is informational; app code may read it.
	EnvStage = "GOCHALICE_STAGE"

	// EnvInvoke, when set to a registered function's name, makes app.Run
	// read one event (JSON) from standard input, run that function's
	// handler with it, write the handler's response (JSON) to standard
	// output and exit: 0 on success, 1 with the error on standard error.
	// gochalice invoke --local uses it.
	EnvInvoke = "GOCHALICE_INVOKE"

	// EnvLocalIAMARN is the identity (an IAM user or role ARN) that the
	// local server (gochalice local) and package apptest give callers of
	// routes protected by the IAM authorizer; DefaultLocalIAMARN when
	// unset.
	EnvLocalIAMARN = "GOCHALICE_LOCAL_IAM_ARN"

	// EnvHost and EnvPort override the address of the local server
	// (default 127.0.0.1:8000).
	EnvHost = "GOCHALICE_HOST"
	EnvPort = "GOCHALICE_PORT"
)

// DefaultLocalIAMARN is the identity of IAM-authorized callers in local
// mode when EnvLocalIAMARN is unset.
const DefaultLocalIAMARN = "arn:aws:iam::123456789012:user/local"

// APIHandlerName is the function name of the Lambda function that serves
// every route, as in Chalice.
const APIHandlerName = "api_handler"

// Kind says what invokes a function.
type Kind string

// The function kinds of schema version 1.
const (
	// KindAPI is the API handler: API Gateway invokes it for every route.
	KindAPI Kind = "api"
	// KindDynamoDBStream reads a DynamoDB stream through an event source
	// mapping (pull mode).
	KindDynamoDBStream Kind = "dynamodb_stream"
	// KindFunction is a plain function invoked directly (Chalice's
	// @app.lambda_function).
	KindFunction Kind = "function"
	// KindSchedule runs on an EventBridge schedule (push: a rule, its
	// target and a permission with SourceArn = the rule).
	KindSchedule Kind = "schedule"
	// KindEventBridge runs for events matching a pattern on an EventBridge
	// bus (push: a rule on that bus, its target, a permission).
	KindEventBridge Kind = "eventbridge"
	// KindSQS reads an SQS queue through an event source mapping (pull).
	KindSQS Kind = "sqs"
	// KindSNS runs for messages published to an SNS topic (push: a
	// subscription and a permission with SourceArn = the topic).
	KindSNS Kind = "sns"
	// KindS3 runs for S3 bucket notifications (push: a notification
	// configuration merged into the bucket's, and a permission with
	// SourceArn = the bucket and SourceAccount = the bucket's owner).
	KindS3 Kind = "s3"
	// KindKinesis reads a Kinesis data stream through an event source
	// mapping (pull).
	KindKinesis Kind = "kinesis_stream"
	// KindAuthorizer is a custom Lambda authorizer of the API (push: a
	// permission for API Gateway with SourceArn = the API's authorizers).
	KindAuthorizer Kind = "authorizer"
	// KindWebSocketConnect, KindWebSocketMessage and KindWebSocketDisconnect
	// handle the $connect, $default and $disconnect routes of the app's
	// API Gateway WebSocket API (push: a permission for API Gateway with
	// SourceArn = that API). Chalice's on_ws_connect, on_ws_message and
	// on_ws_disconnect; the functions are named after their kind.
	KindWebSocketConnect    Kind = "websocket_connect"
	KindWebSocketMessage    Kind = "websocket_message"
	KindWebSocketDisconnect Kind = "websocket_disconnect"
)

// IsWebSocket reports whether k is one of the WebSocket kinds.
func (k Kind) IsWebSocket() bool {
	return k == KindWebSocketConnect || k == KindWebSocketMessage || k == KindWebSocketDisconnect
}

// HasWebSocket reports whether the app has a WebSocket API: any function
// of a WebSocket kind.
func (m *Manifest) HasWebSocket() bool {
	for _, f := range m.Functions {
		if f.Kind.IsWebSocket() {
			return true
		}
	}
	return false
}

// Manifest is what an app contains.
type Manifest struct {
	// SchemaVersion is SchemaVersion for documents this package writes.
	SchemaVersion int `json:"schema_version"`
	// AppName is the name given to app.New.
	AppName string `json:"app_name"`
	// BinaryTypes are the media types API Gateway must treat as binary
	// (the REST API's binaryMediaTypes).
	BinaryTypes []string `json:"binary_types"`
	// Authorizers are the API's authorizers that routes name, sorted by
	// name. Custom (TOKEN/REQUEST) authorizers are also functions of kind
	// KindAuthorizer with the same name.
	Authorizers []Authorizer `json:"authorizers,omitempty"`
	// Routes are the HTTP routes, sorted by path then method.
	Routes []Route `json:"routes"`
	// Functions are the Lambda functions, sorted by name. When the app has
	// routes, one of them is the API handler (KindAPI, APIHandlerName).
	Functions []Function `json:"functions"`
}

// Route is one HTTP route.
type Route struct {
	// Pattern is the pattern as registered, e.g. "GET /donors/{id}".
	Pattern string `json:"pattern"`
	// Method is the HTTP method, or "ANY" for a pattern without one.
	Method string `json:"method"`
	// Path is the API Gateway resource path: "{name}" for a segment
	// wildcard and "{name+}" for a trailing "{name...}" wildcard.
	Path string `json:"path"`
	// Handler is the Go function that serves the route.
	Handler Handler `json:"handler"`
	// CORS is the route's CORS configuration, nil when CORS is off.
	CORS *CORS `json:"cors,omitempty"`
	// ContentTypes are the request media types the route accepts; others
	// are answered 415.
	ContentTypes []string `json:"content_types"`
	// BinaryTypes are media types this route adds to the app's binary
	// types.
	BinaryTypes []string `json:"binary_types,omitempty"`
	// Authorizer is the name of the route's authorizer (an entry of
	// Manifest.Authorizers), "" for none.
	Authorizer string `json:"authorizer,omitempty"`
	// AuthorizationScopes are the OAuth scopes a Cognito (JWT) authorizer
	// requires for this route.
	AuthorizationScopes []string `json:"authorization_scopes,omitempty"`
	// APIKeyRequired is true when callers must send an API key
	// (x-api-key) that belongs to a usage plan of the API's stage.
	APIKeyRequired bool `json:"api_key_required,omitempty"`
}

// Authorizer types.
const (
	// AuthorizerIAM is SigV4-signed requests (API Gateway's AWS_IAM).
	AuthorizerIAM = "AWS_IAM"
	// AuthorizerCognito is a Cognito user pool (a JWT authorizer on an
	// HTTP API).
	AuthorizerCognito = "COGNITO_USER_POOLS"
	// AuthorizerToken is a custom Lambda authorizer given one header.
	AuthorizerToken = "TOKEN"
	// AuthorizerRequest is a custom Lambda authorizer given the request's
	// identity sources.
	AuthorizerRequest = "REQUEST"
)

// Authorizer is one authorizer of the API.
type Authorizer struct {
	// Name is the authorizer's name; for TOKEN and REQUEST it is also the
	// name of the KindAuthorizer function that runs it, unless FunctionARN
	// is set.
	Name string `json:"name"`
	// Type is one of AuthorizerIAM, AuthorizerCognito, AuthorizerToken,
	// AuthorizerRequest.
	Type string `json:"type"`
	// ProviderARNs are the Cognito user pool ARNs (AuthorizerCognito).
	ProviderARNs []string `json:"provider_arns,omitempty"`
	// Audience are the app client IDs a JWT must be issued to; an HTTP
	// API's JWT authorizer needs at least one (AuthorizerCognito).
	Audience []string `json:"audience,omitempty"`
	// IdentitySources are where API Gateway finds the caller's identity,
	// in API Gateway's form: "method.request.header.Authorization" for
	// TOKEN (exactly one header), any headers, query strings, stage
	// variables or context values for REQUEST.
	IdentitySources []string `json:"identity_sources,omitempty"`
	// TTLSeconds is how long API Gateway caches a custom authorizer's
	// result (0-3600; 0 turns caching off).
	TTLSeconds int `json:"ttl_seconds,omitempty"`
	// FunctionARN is the ARN of an existing Lambda function that runs a
	// TOKEN or REQUEST authorizer (Chalice's CustomAuthorizer): the app
	// has no function of its own for it, and the deployer adds a
	// permission for the API (with SourceArn) to that function.
	FunctionARN string `json:"function_arn,omitempty"`
}

// CORS is Chalice's CORSConfig.
type CORS struct {
	AllowOrigin      string   `json:"allow_origin"`
	AllowHeaders     []string `json:"allow_headers"`
	ExposeHeaders    []string `json:"expose_headers,omitempty"`
	MaxAge           int      `json:"max_age,omitempty"`
	AllowCredentials bool     `json:"allow_credentials,omitempty"`
}

// Handler names the Go code behind a route or function, so that tools that
// read the user's source (the policy generator) can start from it.
type Handler struct {
	// Name is the function's name as the Go runtime reports it, e.g.
	// "main.getDonor", "example.com/m/api.(*Server).Get-fm" for a method
	// value, or "main.main.func1" for a closure. For an http.Handler that
	// is not a function it is the Go type followed by ".ServeHTTP".
	Name string `json:"name"`
	// File and Line locate the function's definition in the build the
	// manifest was taken from (a module-relative path when built with
	// -trimpath).
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Function is one Lambda function of the app.
type Function struct {
	// Name is the function's name within the app (the Lambda function is
	// "<app>-<stage>-<name>", or "<app>-<stage>" for the API handler).
	Name string `json:"name"`
	// Kind says what invokes it.
	Kind Kind `json:"kind"`
	// Handler is the Go function that handles the events. It is empty for
	// the API handler, whose code is its routes' handlers.
	Handler Handler `json:"handler"`
	// DynamoDBStream is set for KindDynamoDBStream.
	DynamoDBStream *DynamoDBStream `json:"dynamodb_stream,omitempty"`
	// Schedule is set for KindSchedule.
	Schedule *Schedule `json:"schedule,omitempty"`
	// EventBridge is set for KindEventBridge.
	EventBridge *EventBridge `json:"eventbridge,omitempty"`
	// SQS is set for KindSQS.
	SQS *SQS `json:"sqs,omitempty"`
	// SNS is set for KindSNS.
	SNS *SNS `json:"sns,omitempty"`
	// S3 is set for KindS3.
	S3 *S3 `json:"s3,omitempty"`
	// Kinesis is set for KindKinesis.
	Kinesis *Kinesis `json:"kinesis,omitempty"`
	// OnFailure is where Lambda sends events or batches that the function
	// failed to handle after its retries: asynchronous invocations
	// (schedules, EventBridge, SNS, S3, plain functions) and stream
	// mappings (DynamoDB, Kinesis). SQS queues use their own redrive
	// policy instead.
	OnFailure *OnFailure `json:"on_failure,omitempty"`
}

// Destination kinds of OnFailure.
const (
	DestinationSQS = "sqs"
	DestinationSNS = "sns"
)

// OnFailure is a function's failure destination and retry limits.
type OnFailure struct {
	// Destination is an SQS queue or SNS topic, by name or ARN; "" for
	// retry limits alone.
	Destination string `json:"destination,omitempty"`
	// DestinationKind is DestinationSQS or DestinationSNS.
	DestinationKind string `json:"destination_kind,omitempty"`
	// MaximumRetryAttempts is 0-2 for asynchronous invocations, -1
	// (forever) to 10000 for streams; nil leaves Lambda's default.
	MaximumRetryAttempts *int `json:"maximum_retry_attempts,omitempty"`
	// MaximumAgeInSeconds is the oldest event Lambda still sends: 60-21600
	// for asynchronous invocations, -1 or 60-604800 for stream records;
	// nil leaves Lambda's default.
	MaximumAgeInSeconds *int `json:"maximum_age_in_seconds,omitempty"`
	// BisectBatchOnFunctionError splits a failed stream batch in two and
	// retries each half (streams only).
	BisectBatchOnFunctionError bool `json:"bisect_batch_on_function_error,omitempty"`
}

// Schedule is the event source of a KindSchedule function.
type Schedule struct {
	// Expression is an EventBridge schedule expression, "rate(5 minutes)"
	// or "cron(0 12 * * ? *)", validated at registration.
	Expression string `json:"expression"`
	// Description is the rule's description.
	Description string `json:"description,omitempty"`
}

// EventBridge is the event source of a KindEventBridge function.
type EventBridge struct {
	// Bus is the event bus's name or ARN; "default" for the account's
	// default bus.
	Bus string `json:"bus"`
	// Pattern is the event pattern, as canonical JSON (keys sorted).
	Pattern string `json:"pattern"`
	// Description is the rule's description.
	Description string `json:"description,omitempty"`
}

// SQS is the event source of a KindSQS function.
type SQS struct {
	// Queue is the queue's name or ARN. It may be empty when it comes from
	// an environment variable the stage does not set.
	Queue string `json:"queue"`
	// BatchSize is 1-10000 (more than 10 needs a batching window).
	BatchSize int `json:"batch_size"`
	// MaximumBatchingWindowInSeconds is 0-300.
	MaximumBatchingWindowInSeconds int `json:"maximum_batching_window_in_seconds"`
	// MaximumConcurrency is 2-1000, 0 for no limit.
	MaximumConcurrency int `json:"maximum_concurrency,omitempty"`
	// ReportBatchItemFailures is true when the handler returns
	// events.SQSEventResponse.
	ReportBatchItemFailures bool `json:"report_batch_item_failures"`
}

// SNS is the event source of a KindSNS function.
type SNS struct {
	// Topic is the topic's name or ARN; an ARN may be of another account
	// (whose topic policy must let this account subscribe).
	Topic string `json:"topic"`
	// FilterPolicy is the subscription's filter policy as canonical JSON,
	// "" for none.
	FilterPolicy string `json:"filter_policy,omitempty"`
}

// S3 is the event source of a KindS3 function.
type S3 struct {
	// Bucket is the bucket's name (or an arn:aws:s3:::name ARN).
	Bucket string `json:"bucket"`
	// Events are the S3 event types, e.g. "s3:ObjectCreated:*" (the
	// default).
	Events []string `json:"events"`
	// Prefix and Suffix filter object keys; "" for none.
	Prefix string `json:"prefix,omitempty"`
	Suffix string `json:"suffix,omitempty"`
}

// Kinesis is the event source of a KindKinesis function.
type Kinesis struct {
	// Stream is the stream's name or ARN. It may be empty when it comes
	// from an environment variable the stage does not set.
	Stream string `json:"stream"`
	// BatchSize is 1-10000.
	BatchSize int `json:"batch_size"`
	// StartingPosition is LATEST or TRIM_HORIZON.
	StartingPosition string `json:"starting_position"`
	// MaximumBatchingWindowInSeconds is 0-300.
	MaximumBatchingWindowInSeconds int `json:"maximum_batching_window_in_seconds"`
	// ReportBatchItemFailures is true when the handler returns
	// events.KinesisEventResponse.
	ReportBatchItemFailures bool `json:"report_batch_item_failures"`
}

// DynamoDBStream is the event source of a KindDynamoDBStream function.
type DynamoDBStream struct {
	// Stream is the stream ARN, or a table name whose latest stream the
	// deployer resolves. It may be empty when it is read from an
	// environment variable that the stage config does not set.
	Stream string `json:"stream"`
	// BatchSize is the largest number of records per invocation (1-10000).
	BatchSize int `json:"batch_size"`
	// StartingPosition is LATEST or TRIM_HORIZON.
	StartingPosition string `json:"starting_position"`
	// MaximumBatchingWindowInSeconds is how long Lambda gathers records
	// before invoking (0-300).
	MaximumBatchingWindowInSeconds int `json:"maximum_batching_window_in_seconds"`
	// ReportBatchItemFailures is true when the handler returns a partial
	// batch response (events.DynamoDBEventResponse), so the event source
	// mapping must enable ReportBatchItemFailures.
	ReportBatchItemFailures bool `json:"report_batch_item_failures"`
}

// Sort puts routes and functions in their canonical order.
func (m *Manifest) Sort() {
	sort.SliceStable(m.Routes, func(i, j int) bool {
		if m.Routes[i].Path != m.Routes[j].Path {
			return m.Routes[i].Path < m.Routes[j].Path
		}
		return m.Routes[i].Method < m.Routes[j].Method
	})
	sort.SliceStable(m.Functions, func(i, j int) bool {
		return m.Functions[i].Name < m.Functions[j].Name
	})
	sort.Strings(m.BinaryTypes)
	sort.SliceStable(m.Authorizers, func(i, j int) bool {
		return m.Authorizers[i].Name < m.Authorizers[j].Name
	})
}

// Authorizer returns the authorizer with the given name.
func (m *Manifest) Authorizer(name string) (Authorizer, bool) {
	for _, a := range m.Authorizers {
		if a.Name == name {
			return a, true
		}
	}
	return Authorizer{}, false
}

// Function returns the function with the given name.
func (m *Manifest) Function(name string) (Function, bool) {
	for _, f := range m.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// MarshalIndent returns the canonical JSON form of m: sorted, indented by
// two spaces, with a trailing newline.
func (m *Manifest) MarshalIndent() ([]byte, error) {
	c := *m
	c.Routes = append([]Route(nil), m.Routes...)
	c.Functions = append([]Function(nil), m.Functions...)
	c.BinaryTypes = append([]string{}, m.BinaryTypes...)
	c.Authorizers = append([]Authorizer(nil), m.Authorizers...)
	if c.Routes == nil {
		c.Routes = []Route{}
	}
	if c.Functions == nil {
		c.Functions = []Function{}
	}
	c.Sort()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(&c); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// VersionError reports a manifest of a schema version this package does
// not read.
type VersionError struct {
	Got int
}

func (e *VersionError) Error() string {
	return fmt.Sprintf("manifest schema_version %d is not supported (this gochalice reads version %d): rebuild the app against the same gochalice version as the CLI", e.Got, SchemaVersion)
}

// Parse reads a manifest, rejecting unknown fields and unknown schema
// versions.
func Parse(r io.Reader) (*Manifest, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	var probe struct {
		SchemaVersion int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	if probe.SchemaVersion != SchemaVersion {
		return nil, &VersionError{Got: probe.SchemaVersion}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse manifest: %w", err)
	}
	if m.AppName == "" {
		return nil, fmt.Errorf("parse manifest: app_name is empty")
	}
	return &m, nil
}

// Warnings returns what in m is valid but most likely not what the app
// means: a route path segment written ":id", the path-parameter syntax of
// Express, gin and chi's older versions, is a literal ":id" to net/http
// and API Gateway alike, so "GET /users/42" would not match it.
func (m *Manifest) Warnings() []string {
	var out []string
	for _, r := range m.Routes {
		for _, seg := range strings.Split(r.Path, "/") {
			if len(seg) > 1 && seg[0] == ':' {
				where := r.Handler.Name
				if r.Handler.File != "" {
					where += fmt.Sprintf(", %s:%d", r.Handler.File, r.Handler.Line)
				}
				out = append(out, fmt.Sprintf("route %q (%s): the segment %q matches only the literal text %q; a path parameter is written {%s}, as in \"%s\"",
					r.Pattern, where, seg, seg, seg[1:], strings.Replace(r.Pattern, seg, "{"+seg[1:]+"}", 1)))
			}
		}
	}
	return out
}
