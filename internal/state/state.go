// Package state is the recorded state of an app stage: what a deploy made
// in AWS, written to .chalice/deployed/<stage>.json after every step that
// changes something, and read back by the next deploy, delete, invoke and
// url. It owns the file's format and its versions; what the resources
// are and how they are made is the deployer's.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/gochalice/gochalice/internal/arn"
)

// Version is the schema version of recorded state files.
const Version = 1

// ResourceType is the kind of an AWS resource the deployer manages, as
// state files and plans name it.
type ResourceType string

// The resource types. The deployer creates them in the order of its
// kinds (internal/deployer/kinds.go), not in this one.
const (
	TypeRole               ResourceType = "iam_role"
	TypeFunction           ResourceType = "lambda_function"
	TypeLogGroup           ResourceType = "log_group"
	TypeEventSourceMapping ResourceType = "event_source_mapping"
	TypeRestAPI            ResourceType = "rest_api"
	TypeDeployment         ResourceType = "rest_api_deployment"
	TypePermission         ResourceType = "lambda_permission"
	TypeRule               ResourceType = "eventbridge_rule"
	TypeSubscription       ResourceType = "sns_subscription"
	TypeBucketNotification ResourceType = "s3_bucket_notification"
	TypeInvokeConfig       ResourceType = "lambda_event_invoke_config"
	TypeHTTPAPI            ResourceType = "http_api"
	TypeHTTPStage          ResourceType = "http_api_stage"
	TypeUsagePlan          ResourceType = "api_usage_plan"
	TypeDomainName         ResourceType = "api_domain_name"
	TypeAPIMapping         ResourceType = "api_mapping"

	TypeWebSocketAPI         ResourceType = "websocket_api"
	TypeWebSocketDomainName  ResourceType = "websocket_domain_name"
	TypeWebSocketAPIMapping  ResourceType = "websocket_api_mapping"
	TypeWebSocketIntegration ResourceType = "websocket_integration"
	TypeWebSocketRoute       ResourceType = "websocket_route"
	TypeWebSocketStage       ResourceType = "websocket_api_stage"
)

// State is what exists in AWS for an app stage: what a deploy recorded, or
// what a refresh found. It is written to .chalice/deployed/<stage>.json.
type State struct {
	SchemaVersion int        `json:"schema_version"`
	App           string     `json:"app"`
	Stage         string     `json:"stage"`
	Target        arn.Target `json:"target"`
	// Resources are by address ("function:handle_stream").
	Resources map[string]ResourceState `json:"resources"`
}

// ResourceState is one existing resource.
type ResourceState struct {
	Type ResourceType `json:"type"`
	// Name is the physical name (function, role, log group, API name, or
	// a permission's statement id).
	Name string `json:"name"`
	// ARN is the resource's ARN, when it has one.
	ARN string `json:"arn,omitempty"`
	// ID is the id AWS chose: an event source mapping's UUID, a REST API's
	// id, a deployment's id.
	ID string `json:"id,omitempty"`
	// Attributes are the values plans compare, as strings.
	Attributes map[string]string `json:"attributes"`
	// DependsOn are the addresses that must outlive this resource.
	DependsOn []string `json:"depends_on,omitempty"`
	// Unrecorded is set by a refresh on a resource found in AWS under
	// this app's name that the recorded state did not have (it is
	// adopted). It is never written.
	Unrecorded bool `json:"-"`
}

// New returns an empty state of an app stage.
func New(app, stage string, t arn.Target) *State {
	return &State{SchemaVersion: Version, App: app, Stage: stage, Target: t, Resources: map[string]ResourceState{}}
}

// Clone returns a deep copy of s.
func (s *State) Clone() *State {
	c := *s
	c.Resources = make(map[string]ResourceState, len(s.Resources))
	for k, r := range s.Resources {
		r.Attributes = maps.Clone(r.Attributes)
		r.DependsOn = slices.Clone(r.DependsOn)
		c.Resources[k] = r
	}
	return &c
}

// Addresses returns the addresses of s's resources, sorted.
func (s *State) Addresses() []string {
	return slices.Sorted(maps.Keys(s.Resources))
}

// Path is where the state of a stage is recorded.
func Path(projectDir, stage string) string {
	return filepath.Join(projectDir, ".chalice", "deployed", stage+".json")
}

// Load reads a recorded state. A missing file is no error: it returns
// nil, nil.
func Load(path string) (*State, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var probe struct {
		SchemaVersion int `json:"schema_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if probe.SchemaVersion != Version {
		return nil, fmt.Errorf("%s: schema_version %d is not supported (this gochalice reads version %d)", path, probe.SchemaVersion, Version)
	}
	var s State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.Resources == nil {
		s.Resources = map[string]ResourceState{}
	}
	migrateDeploymentAddr(&s)
	return &s, nil
}

// LegacyDeploymentAddr is the REST API deployment's address in states
// recorded before it named the stage; Load moves it to
// DeploymentAddr(stage).
const LegacyDeploymentAddr = "deployment"

// DeploymentAddr is the address of the REST API's deployment to a stage:
// a renamed stage is another resource, so the old stage is deleted.
func DeploymentAddr(stage string) string { return "deployment:" + stage }

// migrateDeploymentAddr moves a deployment recorded under its old address
// ("deployment") to the one that names its stage ("deployment:api"), so
// states recorded before keep their meaning (the schema is unchanged).
func migrateDeploymentAddr(s *State) {
	dep, ok := s.Resources[LegacyDeploymentAddr]
	if !ok || dep.Type != TypeDeployment {
		return
	}
	delete(s.Resources, LegacyDeploymentAddr)
	addr := DeploymentAddr(dep.Name)
	s.Resources[addr] = dep
	for k, r := range s.Resources {
		if i := slices.Index(r.DependsOn, LegacyDeploymentAddr); i >= 0 {
			r.DependsOn = slices.Clone(r.DependsOn)
			r.DependsOn[i] = addr
			s.Resources[k] = r
		}
	}
}

// Marshal returns the JSON form of a state: indented, keys sorted, with a
// trailing newline.
func Marshal(s *State) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Save writes s to path atomically: a temporary file in the same folder,
// synced, then renamed over path.
func Save(path string, s *State) error {
	data, err := Marshal(s)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".state-*.json")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename this fails harmlessly
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// File returns a save function that records to path (for the deployer's
// Apply).
func File(path string) func(*State) error {
	return func(s *State) error { return Save(path, s) }
}
