package deployer

import (
	"context"
	"maps"
	"slices"
	"sync"

	"github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
)

// A kind is everything the deployer knows of one resource type, in one
// file per kind (kind_*.go): how to apply, delete and read it, the
// attributes plans compare, its CloudFormation and Terraform forms, and
// the IAM actions the deployer's identity needs to manage it, written next
// to the calls that need them. Plan, apply, refresh, package and
// DeployerPolicy are loops over kinds; only kindOf looks a kind up by
// type. To add a resource type, write its kind and add it to kindOf and
// creationOrder (CONTRIBUTING.md).
type kind struct {
	// attributes are the values plans compare (see Resource.Attributes).
	attributes func(r *Resource, actual *State) map[string]string
	// replace are the attributes whose change AWS cannot make in place:
	// the plan replaces the resource (delete, then create).
	replace []string

	// apply creates or updates r and records it (a.put).
	apply func(ctx context.Context, a *applier, r *Resource) error
	// delete removes prior from AWS; a resource already gone is not an
	// error. The caller forgets it (a.remove) when delete succeeds.
	delete func(ctx context.Context, a *applier, addr string, prior ResourceState) error
	// waitDeleted, when set, waits until AWS has finished deleting prior
	// (which it does asynchronously): a replace creates the resource
	// again only then.
	waitDeleted func(ctx context.Context, a *applier, prior ResourceState) error
	// read finds the resource in AWS, from what is wanted (nil when it is
	// only recorded) and what is recorded (nil when never recorded).
	read func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error)
	// discover, when set, finds the resources of the kind that the app
	// stage has in AWS and its state does not record (see Discover).
	discover func(ctx context.Context, dc *discovery) error
	// readLate is set for a resource whose read needs another one as
	// refresh found it (a stage needs its API's id): refresh reads it
	// after all the others.
	readLate bool

	// logicalID is the CloudFormation logical ID of the resource: its
	// function's (LogicalID) followed by logicalID, or, when
	// sharedLogicalID is set, that one ID for the app stage's one
	// resource, which several addresses may make up (the REST API and
	// its stage).
	logicalID, sharedLogicalID string
	// cloudFormation returns the resource's CloudFormation type and
	// properties in a package's template.
	cloudFormation func(c *cfnContext, r Resource) (typ string, props map[string]any, err error)
	// terraformName, when set, is the Terraform name of the resource's
	// blocks, the app stage's rather than its function's.
	terraformName string
	// terraform returns the resource's Terraform blocks.
	terraform func(c *tfContext, r Resource) ([]tfBlock, error)
	// packageWarning, when set, says what a package of the resource
	// should warn about ("" for nothing).
	packageWarning func(r Resource) string

	// deployerPolicy returns the statements the identity that deploys
	// needs to manage the resource: want is the desired resource (nil
	// when it is only recorded, and must be deleted), rec the recorded
	// one (nil when want is set). Statements with one Sid are merged
	// (DeployerPolicy).
	deployerPolicy func(c *policyContext, want *Resource, rec *ResourceState) []iam.Statement
}

// creationOrder lists the resource types in the order a deploy creates
// them, and plans list them: each after the types it depends on. A role
// comes before its function (the function names it), the function before
// what refers to it (log group, asynchronous invocation settings, event
// source mapping, APIs); an API before its stage and before the
// permission that lets it invoke the function (the permission's SourceArn
// names the API's id), the permission before the push sources that invoke
// through it (rules, subscriptions, bucket notifications), the REST API's
// stage before its usage plan. The WebSocket API comes first, as the
// generated policies of the roles of functions that send to its
// connections name its id; its integrations, routes and stage come after
// the functions. Apply follows the dependencies themselves
// (Resource.DependsOn) and uses this order only among steps that are
// ready together.
func creationOrder() [22]ResourceType {
	return [...]ResourceType{
		TypeWebSocketAPI,
		TypeRole, TypeFunction, TypeLogGroup, TypeInvokeConfig, TypeEventSourceMapping,
		TypeRestAPI, TypeDeployment, TypeHTTPAPI, TypeHTTPStage,
		TypeWebSocketIntegration, TypeWebSocketRoute, TypeWebSocketStage, TypePermission,
		TypeRule, TypeSubscription, TypeBucketNotification, TypeUsagePlan,
		TypeDomainName, TypeAPIMapping, TypeWebSocketDomainName, TypeWebSocketAPIMapping,
	}
}

// kindOf returns the kind of resource type t: the one place the deployer
// dispatches on a type.
func kindOf(t ResourceType) (kind, bool) {
	switch t {
	case TypeRole:
		return roleKind(), true
	case TypeFunction:
		return functionKind(), true
	case TypeLogGroup:
		return logGroupKind(), true
	case TypeInvokeConfig:
		return invokeConfigKind(), true
	case TypeEventSourceMapping:
		return mappingKind(), true
	case TypeRestAPI:
		return restAPIKind(), true
	case TypeDeployment:
		return deploymentKind(), true
	case TypeHTTPAPI:
		return httpAPIKind(), true
	case TypeHTTPStage:
		return httpStageKind(), true
	case TypePermission:
		return permissionKind(), true
	case TypeRule:
		return ruleKind(), true
	case TypeSubscription:
		return subscriptionKind(), true
	case TypeBucketNotification:
		return bucketNotificationKind(), true
	case TypeUsagePlan:
		return usagePlanKind(), true
	case TypeWebSocketAPI:
		return webSocketAPIKind(), true
	case TypeWebSocketIntegration:
		return webSocketIntegrationKind(), true
	case TypeWebSocketRoute:
		return webSocketRouteKind(), true
	case TypeWebSocketStage:
		return webSocketStageKind(), true
	case TypeDomainName:
		return domainNameKind(), true
	case TypeAPIMapping:
		return apiMappingKind(), true
	case TypeWebSocketDomainName:
		return webSocketDomainNameKind(), true
	case TypeWebSocketAPIMapping:
		return webSocketAPIMappingKind(), true
	}
	return kind{}, false
}

// rank is t's place in creationOrder; unknown types come last.
func rank(t ResourceType) int {
	order := creationOrder()
	if i := slices.Index(order[:], t); i >= 0 {
		return i
	}
	return len(order)
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
	// Known are the placeholders Sub fills in (pseudo parameters and
	// template parameters), for a kind that adds one of its own.
	Known map[string]bool
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
	// Desired is the desired state being packaged.
	Desired *Desired
}

// reader is one refresh: what it has found so far.
type reader struct {
	d      *Deployer
	target Target
	mu     sync.Mutex
	actual *State
}

// get returns what refresh found at addr so far.
func (rd *reader) get(addr string) (ResourceState, bool) {
	rd.mu.Lock()
	defer rd.mu.Unlock()
	rs, ok := rd.actual.Resources[addr]
	return rs, ok
}

// policyContext is what a kind's deployerPolicy needs: where, and the
// names of the app stage, whose resources the statements are scoped to.
type policyContext struct {
	t     Target
	stage names.Stage
}

// functions are the ARN patterns of the stage's Lambda functions: the API
// handler's ("<app>-<stage>") and the others' ("<app>-<stage>-*").
func (c *policyContext) functions() iam.Strings {
	return iam.Strings{c.t.Function(c.stage.Prefix()), c.t.Function(c.stage.Prefix() + "-*")}
}

// apiHandler is the ARN of the API handler's function.
func (c *policyContext) apiHandler() iam.Strings { return iam.Strings{c.t.Function(c.stage.Prefix())} }

// otherFunctions is the ARN pattern of the functions other than the API
// handler.
func (c *policyContext) otherFunctions() iam.Strings {
	return iam.Strings{c.t.Function(c.stage.Prefix() + "-*")}
}

// allow is an Allow statement.
func allow(sid string, actions []string, resources iam.Strings, cond iam.Conditions) iam.Statement {
	return iam.Statement{Sid: sid, Effect: "Allow", Action: iam.Strings(actions), Resource: resources, Condition: cond}
}

// mergeBySid merges the statements that share a Sid: their actions,
// resources and condition values are the union.
func mergeBySid(sts []iam.Statement) *iam.Policy {
	bySid := map[string]*iam.Statement{}
	var order []string
	for _, st := range sts {
		m, ok := bySid[st.Sid]
		if !ok {
			st.Action = slices.Clone(st.Action)
			st.Resource = slices.Clone(st.Resource)
			if st.Condition != nil {
				cond := iam.Conditions{}
				for op, kv := range st.Condition {
					cond[op] = maps.Clone(kv)
				}
				st.Condition = cond
			}
			bySid[st.Sid] = &st
			order = append(order, st.Sid)
			continue
		}
		m.Action = append(m.Action, st.Action...)
		m.Resource = append(m.Resource, st.Resource...)
		for op, kv := range st.Condition {
			if m.Condition == nil {
				m.Condition = iam.Conditions{}
			}
			if m.Condition[op] == nil {
				m.Condition[op] = map[string]iam.Strings{}
			}
			for k, v := range kv {
				m.Condition[op][k] = append(slices.Clone(m.Condition[op][k]), v...)
			}
		}
	}
	p := &iam.Policy{Version: iam.Version}
	for _, sid := range order {
		p.Statement = append(p.Statement, *bySid[sid])
	}
	return p.Canonical()
}
