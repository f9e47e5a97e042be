package deployer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// StateVersion is the schema version of recorded state files.
const StateVersion = 1

// State is what exists in AWS for an app stage: what a deploy recorded, or
// what a refresh found. It is written to .chalice/deployed/<stage>.json.
type State struct {
	SchemaVersion int    `json:"schema_version"`
	App           string `json:"app"`
	Stage         string `json:"stage"`
	Target        Target `json:"target"`
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
	// Unrecorded is set by Refresh on a resource found in AWS under this
	// app's name that the recorded state did not have (it is adopted).
	Unrecorded bool `json:"-"`
}

// NewState returns an empty state of an app stage.
func NewState(app, stage string, t Target) *State {
	return &State{SchemaVersion: StateVersion, App: app, Stage: stage, Target: t, Resources: map[string]ResourceState{}}
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

// StatePath is where the state of a stage is recorded.
func StatePath(projectDir, stage string) string {
	return filepath.Join(projectDir, ".chalice", "deployed", stage+".json")
}

// LoadState reads a recorded state. A missing file is no error: it returns
// nil, nil.
func LoadState(path string) (*State, error) {
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
	if probe.SchemaVersion != StateVersion {
		return nil, fmt.Errorf("%s: schema_version %d is not supported (this gochalice reads version %d)", path, probe.SchemaVersion, StateVersion)
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

// migrateDeploymentAddr moves a deployment recorded under its old address
// ("deployment") to the one that names its stage ("deployment:api"), so
// states recorded before keep their meaning (the schema is unchanged).
func migrateDeploymentAddr(s *State) {
	dep, ok := s.Resources[legacyDeploymentAddr]
	if !ok || dep.Type != TypeDeployment {
		return
	}
	delete(s.Resources, legacyDeploymentAddr)
	addr := deploymentAddr(dep.Name)
	s.Resources[addr] = dep
	for k, r := range s.Resources {
		if i := slices.Index(r.DependsOn, legacyDeploymentAddr); i >= 0 {
			r.DependsOn = slices.Clone(r.DependsOn)
			r.DependsOn[i] = addr
			s.Resources[k] = r
		}
	}
}

// MarshalState returns the JSON form of a state: indented, keys sorted,
// with a trailing newline.
func MarshalState(s *State) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// SaveState writes s to path atomically: a temporary file in the same
// folder, synced, then renamed over path.
func SaveState(path string, s *State) error {
	data, err := MarshalState(s)
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

// StateFile returns a save function for Apply that records to path.
func StateFile(path string) func(*State) error {
	return func(s *State) error { return SaveState(path, s) }
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
