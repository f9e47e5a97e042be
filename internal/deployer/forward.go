package deployer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/gochalice/gochalice/internal/arn"
	"github.com/gochalice/gochalice/internal/build"
	"github.com/gochalice/gochalice/internal/state"
)

// The names below belong to internal/arn, internal/state and
// internal/build; the deployer's API keeps them so that its callers
// deal with one package.

// Target is where an app is deployed (arn.Target).
type Target = arn.Target

// UnknownAccount stands for the account ID in ARNs of a plan made
// without AWS credentials.
const UnknownAccount = arn.UnknownAccount

// NewTarget returns the target of a region and account, with the region's
// partition.
func NewTarget(region, account string) Target { return arn.NewTarget(region, account) }

// TemplateTarget is the target of a packaged template: the partition,
// region and account are CloudFormation's pseudo parameters, left for the
// stack (or, in Terraform, the provider's data sources) to fill in. ARNs
// built for it read "arn:${AWS::Partition}:logs:${AWS::Region}:...".
var TemplateTarget = arn.Template()

// APIIDPlaceholder, in a PermissionSpec's SourceARN, stands for the id of
// the app's API (REST or HTTP), known only once it exists.
const APIIDPlaceholder = arn.APIIDPlaceholder

// WebSocketAPIIDPlaceholder, in a generated role policy, stands for the id
// of the app's WebSocket API (its ManageConnections statements), known
// only once the API exists.
const WebSocketAPIIDPlaceholder = arn.WebSocketAPIIDPlaceholder

// State is what exists in AWS for an app stage (state.State).
type State = state.State

// ResourceState is one existing resource (state.ResourceState).
type ResourceState = state.ResourceState

// ResourceType is the kind of an AWS resource the deployer manages.
type ResourceType = state.ResourceType

// The resource types (see kinds for the order they are created in).
const (
	TypeRole               = state.TypeRole
	TypeFunction           = state.TypeFunction
	TypeLogGroup           = state.TypeLogGroup
	TypeEventSourceMapping = state.TypeEventSourceMapping
	TypeRestAPI            = state.TypeRestAPI
	TypeDeployment         = state.TypeDeployment
	TypePermission         = state.TypePermission
	TypeRule               = state.TypeRule
	TypeSubscription       = state.TypeSubscription
	TypeBucketNotification = state.TypeBucketNotification
	TypeInvokeConfig       = state.TypeInvokeConfig
	TypeHTTPAPI            = state.TypeHTTPAPI
	TypeHTTPStage          = state.TypeHTTPStage
	TypeUsagePlan          = state.TypeUsagePlan
	TypeDomainName         = state.TypeDomainName
	TypeAPIMapping         = state.TypeAPIMapping

	TypeWebSocketAPI         = state.TypeWebSocketAPI
	TypeWebSocketDomainName  = state.TypeWebSocketDomainName
	TypeWebSocketAPIMapping  = state.TypeWebSocketAPIMapping
	TypeWebSocketIntegration = state.TypeWebSocketIntegration
	TypeWebSocketRoute       = state.TypeWebSocketRoute
	TypeWebSocketStage       = state.TypeWebSocketStage
)

// StateVersion is the schema version of recorded state files.
const StateVersion = state.Version

// NewState returns an empty state of an app stage.
func NewState(app, stage string, t Target) *State { return state.New(app, stage, t) }

// StatePath is where the state of a stage is recorded.
func StatePath(projectDir, stage string) string { return state.Path(projectDir, stage) }

// LoadState reads a recorded state; a missing file is nil, nil.
func LoadState(path string) (*State, error) { return state.Load(path) }

// MarshalState returns the JSON form of a state.
func MarshalState(s *State) ([]byte, error) { return state.Marshal(s) }

// SaveState writes s to path atomically.
func SaveState(path string, s *State) error { return state.Save(path, s) }

// StateFile returns a save function for Apply that records to path.
func StateFile(path string) func(*State) error { return state.File(path) }

// Artifact is the deployment package every function of an app runs.
type Artifact = build.Artifact

// NewArtifact zips a Lambda bootstrap binary reproducibly.
func NewArtifact(bootstrap []byte) (*Artifact, error) { return build.NewArtifact(bootstrap) }

// CodeSHA256 returns data's SHA-256 as Lambda reports a package's
// CodeSha256.
func CodeSHA256(data []byte) string { return build.CodeSHA256(data) }

// hexSHA256 returns data's SHA-256 in hex.
func hexSHA256(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func jsonUnmarshalString(s string, v any) error { return json.Unmarshal([]byte(s), v) }
