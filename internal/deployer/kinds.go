package deployer

import (
	"context"
	"sync"
)

// kind is how the deployer handles a resource type that lives in its own
// file rather than in the core switches of apply, delete, refresh, plan
// and package. kindOf lists them.
type kind struct {
	// apply creates or updates r and records it (a.put).
	apply func(ctx context.Context, a *applier, r *Resource) error
	// delete removes prior from AWS; a resource already gone is not an
	// error. The caller forgets it (a.remove) when delete succeeds.
	delete func(ctx context.Context, a *applier, addr string, prior ResourceState) error
	// read finds the resource in AWS, from what is wanted (nil when it is
	// only recorded) and what is recorded (nil when never recorded).
	// actual holds what refresh found so far; lock mu to read it.
	read func(ctx context.Context, d *Deployer, actual *State, mu *sync.Mutex, want *Resource, rec *ResourceState) (ResourceState, bool, error)
	// attributes are the values plans compare (see Resource.Attributes).
	attributes func(r *Resource, actual *State) map[string]string
	// replace are the attributes whose change AWS cannot make in place:
	// the plan replaces the resource (delete, then create).
	replace []string
	// logicalID returns the resource's CloudFormation logical ID, given
	// its function's logical ID (LogicalID of the address's function).
	logicalID func(fn string, r Resource) string
	// cloudFormation returns the resource's CloudFormation type and
	// properties in a package's template.
	cloudFormation func(c *cfnContext, r Resource) (typ string, props map[string]any, err error)
	// terraform returns the resource's Terraform blocks.
	terraform func(c *tfContext, r Resource) ([]tfBlock, error)
}

// kindOf returns how the deployer handles t, for the types outside the
// core switches.
func kindOf(t ResourceType) (kind, bool) {
	switch t {
	case TypeRule:
		return ruleKind, true
	case TypeSubscription:
		return subscriptionKind, true
	case TypeBucketNotification:
		return bucketNotificationKind, true
	case TypeInvokeConfig:
		return invokeConfigKind, true
	case TypeHTTPAPI:
		return httpAPIKind, true
	case TypeHTTPStage:
		return httpStageKind, true
	case TypeUsagePlan:
		return usagePlanKind, true
	}
	return kind{}, false
}

// cfnContext is what a kind's cloudFormation needs of the template being
// built.
type cfnContext struct {
	// IDs maps resource addresses to logical IDs.
	IDs map[string]string
	// Sub turns a string with placeholders (partition, region, account,
	// stream parameters) into a literal or an Fn::Sub.
	Sub func(string) any
	// SubJSON decodes a JSON document and applies Sub to its strings.
	SubJSON func([]byte) (any, error)
	// Outputs are the template's outputs, to add to.
	Outputs map[string]any
	// Existing returns the properties of a logical ID already built (for
	// a second address that adds to one resource), or a new map.
	Existing func(id string) map[string]any
}

// tfContext is what a kind's terraform needs of the configuration being
// built.
type tfContext struct {
	// Name is the resource's Terraform name.
	Name string
	// Function is the Terraform name of the resource's function.
	Function string
	// Expand turns a string with placeholders into a Terraform
	// expression.
	Expand func(string) string
	// Outputs are the configuration's outputs, to add to.
	Outputs map[string]any
}
