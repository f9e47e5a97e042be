package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
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

	// EnvHost and EnvPort override the address of the local server
	// (default 127.0.0.1:8000).
	EnvHost = "GOCHALICE_HOST"
	EnvPort = "GOCHALICE_PORT"
)

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
)

// Manifest is what an app contains.
type Manifest struct {
	// SchemaVersion is SchemaVersion for documents this package writes.
	SchemaVersion int `json:"schema_version"`
	// AppName is the name given to app.New.
	AppName string `json:"app_name"`
	// BinaryTypes are the media types API Gateway must treat as binary
	// (the REST API's binaryMediaTypes).
	BinaryTypes []string `json:"binary_types"`
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
