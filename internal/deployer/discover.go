package deployer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gochalice/gochalice/internal/arn"
	iampolicy "github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/names"
	"github.com/gochalice/gochalice/manifest"
)

// A deploy interrupted between a create call and the recording of what it
// made (killed, or its answer lost) leaves a resource the state file does
// not know. Every resource gochalice creates therefore carries the stage's
// tags where AWS takes tags at create time (names.Stage.Tags; functions
// carry names.ChaliceTag), and has a name made from the app stage's
// (names): Discover finds such resources by name and proves them the
// stage's by their tags — or, for what AWS cannot tag at create time, by
// the stage's description (APIs) or by being attached to a function proven
// the stage's (event source mappings, subscriptions, bucket
// notifications) — so that delete removes them, never a user's resource
// that merely looks similar.

// Discover returns recorded (a state of its app stage, possibly with no
// resources) with, added and marked Unrecorded, the resources of the app
// stage that exist in AWS but that recorded does not know. A plan made
// against it (PlanDestroy) deletes them too.
func (d *Deployer) Discover(ctx context.Context, recorded *State) (*State, error) {
	return d.discover(ctx, recorded, nil)
}

// discover is Discover, giving what it finds addresses other than
// reserved (a desired state's: what it finds is not the desired resource
// at that address, which has another name or id).
func (d *Deployer) discover(ctx context.Context, recorded *State, reserved map[string]bool) (*State, error) {
	dc := &discovery{d: d, stage: names.Stage{App: recorded.App, Stage: recorded.Stage}, target: recorded.Target, state: recorded.Clone(), reserved: reserved}
	if dc.stage.App == "" || dc.stage.Stage == "" {
		return nil, fmt.Errorf("discover: the state names no app or stage")
	}
	for _, t := range creationOrder() {
		k, ok := kindOf(t)
		if !ok || k.discover == nil {
			continue
		}
		if err := k.discover(ctx, dc); err != nil {
			return nil, fmt.Errorf("look for untracked %s resources of stage %s: %w", t, dc.stage.Stage, err)
		}
	}
	return dc.state, nil
}

// discovery is one run of Discover: the state so far, recorded and found.
type discovery struct {
	d      *Deployer
	stage  names.Stage
	target Target
	state  *State
	// sources are the SourceArns of the stage's functions' resource
	// policies, by function address (see pushSources).
	sources map[string][]string
	// reserved are addresses add does not give (see discover).
	reserved map[string]bool
}

// known reports whether the state has a resource of type t that match
// accepts.
func (dc *discovery) known(t ResourceType, match func(ResourceState) bool) bool {
	for _, rs := range dc.state.Resources {
		if rs.Type == t && match(rs) {
			return true
		}
	}
	return false
}

// add adds a resource found at addr, or, when addr is taken (a duplicate)
// or reserved, at addr followed by "#2", "#3"...
func (dc *discovery) add(addr string, rs ResourceState) {
	rs.Unrecorded = true
	a := addr
	for i := 2; ; i++ {
		if _, taken := dc.state.Resources[a]; !taken && !dc.reserved[a] {
			break
		}
		a = fmt.Sprintf("%s#%d", addr, i)
	}
	dc.state.Resources[a] = rs
}

// functions are the stage's functions, recorded or found, by address.
func (dc *discovery) functions() map[string]ResourceState {
	out := map[string]ResourceState{}
	for addr, rs := range dc.state.Resources {
		if rs.Type == TypeFunction {
			out[addr] = rs
		}
	}
	return out
}

// functionARN is a function's ARN as recorded or found.
func (dc *discovery) functionARN(rs ResourceState) string {
	if rs.ARN != "" {
		return rs.ARN
	}
	return dc.target.Function(rs.Name)
}

// appFunction returns the app's name for the function whose Lambda
// function is lambdaName: "api_handler" for "<app>-<stage>", "x" for
// "<app>-<stage>-x".
func (dc *discovery) appFunction(lambdaName string) string {
	for addr, rs := range dc.functions() {
		if rs.Name == lambdaName {
			return addressFunction(strings.SplitN(addr, "#", 2)[0])
		}
	}
	if lambdaName == dc.stage.Prefix() {
		return names.APIHandler
	}
	return strings.TrimPrefix(lambdaName, dc.stage.Prefix()+"-")
}

// ours reports whether name is one of the stage's "<app>-<stage>" or
// "<app>-<stage>-*" names.
func (dc *discovery) ours(name string) bool {
	p := dc.stage.Prefix()
	return name == p || strings.HasPrefix(name, p+"-")
}

// stage returns the names of the app stage being applied, whose tags
// every create call sets.
func (a *applier) stage() names.Stage {
	a.mu.Lock()
	defer a.mu.Unlock()
	return names.Stage{App: a.state.App, Stage: a.state.Stage}
}

// iamTags are tags as IAM takes them, sorted by key.
func iamTags(tags map[string]string) []iamtypes.Tag {
	var out []iamtypes.Tag
	for _, k := range sortedKeys(tags) {
		out = append(out, iamtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// eventBridgeTags are tags as EventBridge takes them, sorted by key.
func eventBridgeTags(tags map[string]string) []ebtypes.Tag {
	var out []ebtypes.Tag
	for _, k := range sortedKeys(tags) {
		out = append(out, ebtypes.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return sortedCopy(out)
}

// discoverRoles finds the roles "<app>-<stage>-*" tagged as the stage's.
func discoverRoles(ctx context.Context, dc *discovery) error {
	d := dc.d
	var marker *string
	for {
		var out *iam.ListRolesOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.IAM.ListRoles(ctx, &iam.ListRolesInput{Marker: marker})
			return err
		}); err != nil {
			return err
		}
		for _, r := range out.Roles {
			name := aws.ToString(r.RoleName)
			if !strings.HasPrefix(name, dc.stage.Prefix()+"-") || dc.known(TypeRole, func(rs ResourceState) bool { return rs.Name == name }) {
				continue
			}
			var got *iam.GetRoleOutput
			err := d.retry(ctx, func() (err error) {
				got, err = d.Clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
				return err
			})
			if err := ignore[*iamtypes.NoSuchEntityException](err); err != nil {
				return err
			}
			if got == nil || got.Role == nil {
				continue
			}
			tags := map[string]string{}
			for _, t := range got.Role.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if !dc.stage.Tagged(tags) {
				continue
			}
			dc.add(roleAddr(strings.TrimPrefix(name, dc.stage.Prefix()+"-")), ResourceState{Type: TypeRole, Name: name, ARN: aws.ToString(got.Role.Arn)})
		}
		if !out.IsTruncated || out.Marker == nil {
			return nil
		}
		marker = out.Marker
	}
}

// lambdaTags returns the tags of a function or an event source mapping;
// found is false when it is gone.
func (d *Deployer) lambdaTags(ctx context.Context, resourceARN string) (tags map[string]string, found bool, err error) {
	var out *lambda.ListTagsOutput
	err = d.retry(ctx, func() (err error) {
		out, err = d.Clients.Lambda.ListTags(ctx, &lambda.ListTagsInput{Resource: &resourceARN})
		return err
	})
	var missing *lambdatypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out.Tags, true, nil
}

// discoverFunctions finds the functions "<app>-<stage>" and
// "<app>-<stage>-*" tagged as the stage's; the app's name for each is in
// its environment (manifest.EnvHandler).
func discoverFunctions(ctx context.Context, dc *discovery) error {
	d := dc.d
	var marker *string
	for {
		var out *lambda.ListFunctionsOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Lambda.ListFunctions(ctx, &lambda.ListFunctionsInput{Marker: marker})
			return err
		}); err != nil {
			return err
		}
		for _, f := range out.Functions {
			name := aws.ToString(f.FunctionName)
			if !dc.ours(name) || dc.known(TypeFunction, func(rs ResourceState) bool { return rs.Name == name }) {
				continue
			}
			tags, found, err := d.lambdaTags(ctx, aws.ToString(f.FunctionArn))
			if err != nil {
				return err
			}
			if !found || !dc.stage.Tagged(tags) {
				continue
			}
			fn := dc.appFunction(name)
			if f.Environment != nil && f.Environment.Variables[manifest.EnvHandler] != "" {
				fn = f.Environment.Variables[manifest.EnvHandler]
			}
			rs := ResourceState{Type: TypeFunction, Name: name, ARN: aws.ToString(f.FunctionArn)}
			if _, ok := dc.state.Resources[roleAddr(fn)]; ok {
				rs.DependsOn = []string{roleAddr(fn)}
			}
			dc.add(functionAddr(fn), rs)
		}
		if out.NextMarker == nil {
			return nil
		}
		marker = out.NextMarker
	}
}

// discoverLogGroups finds the log groups of the stage's functions
// ("/aws/lambda/<app>-<stage>[-*]") tagged as the stage's: those
// gochalice made for their retention, not those Lambda made.
func discoverLogGroups(ctx context.Context, dc *discovery) error {
	d := dc.d
	prefix := arn.FunctionLogGroupName(dc.stage.Prefix())
	var token *string
	for {
		var out *cloudwatchlogs.DescribeLogGroupsOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &prefix, NextToken: token})
			return err
		}); err != nil {
			return err
		}
		for _, g := range out.LogGroups {
			name := aws.ToString(g.LogGroupName)
			lambdaName := strings.TrimPrefix(name, arn.FunctionLogGroupName(""))
			if !dc.ours(lambdaName) || dc.known(TypeLogGroup, func(rs ResourceState) bool { return rs.Name == name }) {
				continue
			}
			groupARN := strings.TrimSuffix(aws.ToString(g.Arn), ":*")
			var tags *cloudwatchlogs.ListTagsForResourceOutput
			err := d.retry(ctx, func() (err error) {
				tags, err = d.Clients.Logs.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: &groupARN})
				return err
			})
			if err := ignore[*logstypes.ResourceNotFoundException](err); err != nil {
				return err
			}
			if tags == nil || !dc.stage.Tagged(tags.Tags) {
				continue
			}
			fn := dc.appFunction(lambdaName)
			rs := ResourceState{Type: TypeLogGroup, Name: name, ARN: groupARN}
			if _, ok := dc.state.Resources[functionAddr(fn)]; ok {
				rs.DependsOn = []string{functionAddr(fn)}
			}
			dc.add(logGroupAddr(fn), rs)
		}
		if out.NextToken == nil {
			return nil
		}
		token = out.NextToken
	}
}

// discoverMappings finds the event source mappings of the stage's
// functions tagged as the stage's.
func discoverMappings(ctx context.Context, dc *discovery) error {
	d := dc.d
	for addr, f := range dc.functions() {
		var marker *string
		for {
			var out *lambda.ListEventSourceMappingsOutput
			err := d.retry(ctx, func() (err error) {
				out, err = d.Clients.Lambda.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: &f.Name, Marker: marker})
				return err
			})
			if err := ignore[*lambdatypes.ResourceNotFoundException](err); err != nil {
				return err
			}
			if out == nil {
				break
			}
			for _, m := range out.EventSourceMappings {
				uuid := aws.ToString(m.UUID)
				if aws.ToString(m.State) == "Deleting" || dc.known(TypeEventSourceMapping, func(rs ResourceState) bool { return rs.ID == uuid }) {
					continue
				}
				tags, found, err := d.lambdaTags(ctx, aws.ToString(m.EventSourceMappingArn))
				if err != nil {
					return err
				}
				if !found || !dc.stage.Tagged(tags) {
					continue
				}
				dc.add(mappingAddr(addressFunction(strings.SplitN(addr, "#", 2)[0])), ResourceState{
					Type: TypeEventSourceMapping, Name: f.Name, ID: uuid, ARN: aws.ToString(m.EventSourceMappingArn), DependsOn: []string{addr},
					Attributes: map[string]string{"function_name": f.Name, "event_source_arn": aws.ToString(m.EventSourceArn)},
				})
			}
			if out.NextMarker == nil {
				break
			}
			marker = out.NextMarker
		}
	}
	return nil
}

// discoverRestAPI finds the REST API with the stage's name and
// description (ImportRestApi takes no tags).
func discoverRestAPI(ctx context.Context, dc *discovery) error {
	if dc.d.Clients.APIGateway == nil {
		return nil
	}
	api, err := dc.d.findRestAPI(ctx, dc.stage.API(), dc.stage.Description(), "")
	if err != nil || api == nil {
		return err
	}
	id := aws.ToString(api.Id)
	if dc.known(TypeRestAPI, func(rs ResourceState) bool { return rs.ID == id }) {
		return nil
	}
	dc.add(restAPIAddr, ResourceState{Type: TypeRestAPI, Name: dc.stage.API(), ID: id, ARN: dc.target.APIGateway("/restapis/" + id)})
	return nil
}

// discoverHTTPAPI finds the HTTP API with the stage's name and
// description (ImportApi takes no tags).
func discoverHTTPAPI(ctx context.Context, dc *discovery) error {
	if dc.d.Clients.HTTPAPI == nil {
		return nil
	}
	api, err := dc.d.findHTTPAPI(ctx, dc.stage.API(), dc.stage.Description(), "")
	if err != nil || api == nil {
		return err
	}
	id := aws.ToString(api.ApiId)
	if dc.known(TypeHTTPAPI, func(rs ResourceState) bool { return rs.ID == id }) {
		return nil
	}
	dc.add(httpAPIAddr, httpAPIState(dc.target, dc.stage.API(), api, ""))
	return nil
}

// discoverWebSocketAPI finds the WebSocket API with the stage's name and
// description.
func discoverWebSocketAPI(ctx context.Context, dc *discovery) error {
	if dc.d.Clients.WebSocketAPI == nil {
		return nil
	}
	api, err := dc.d.findWebSocketAPI(ctx, dc.stage.WebSocketAPI(), dc.stage.Description(), "")
	if err != nil || api == nil {
		return err
	}
	id := aws.ToString(api.ApiId)
	if dc.known(TypeWebSocketAPI, func(rs ResourceState) bool { return rs.ID == id }) {
		return nil
	}
	dc.add(websocketAPIAddr, webSocketAPIState(dc.target, dc.stage.WebSocketAPI(), api))
	return nil
}

// discoverUsagePlan finds the usage plan with the stage's name and
// description, or tags.
func discoverUsagePlan(ctx context.Context, dc *discovery) error {
	d := dc.d
	if d.Clients.APIGateway == nil {
		return nil
	}
	var position *string
	for {
		var out *apigateway.GetUsagePlansOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.APIGateway.GetUsagePlans(ctx, &apigateway.GetUsagePlansInput{Limit: aws.Int32(500), Position: position})
			return err
		}); err != nil {
			return err
		}
		for _, p := range out.Items {
			id := aws.ToString(p.Id)
			if aws.ToString(p.Name) != dc.stage.UsagePlan() || dc.known(TypeUsagePlan, func(rs ResourceState) bool { return rs.ID == id }) {
				continue
			}
			if aws.ToString(p.Description) != dc.stage.Description() && !dc.stage.Tagged(p.Tags) {
				continue
			}
			dc.add(usagePlanAddr, ResourceState{Type: TypeUsagePlan, Name: dc.stage.UsagePlan(), ID: id})
		}
		if out.Position == nil || len(out.Items) == 0 {
			return nil
		}
		position = out.Position
	}
}

// pushSources returns the SourceArns of the resource policy of each of
// the stage's functions, by function address: the rules, topics and
// buckets that invoke it. A push source is given its permission before it
// is made, so whatever a deploy made of it is among these.
func (dc *discovery) pushSources(ctx context.Context) (map[string][]string, error) {
	if dc.sources != nil {
		return dc.sources, nil
	}
	d := dc.d
	dc.sources = map[string][]string{}
	for addr, f := range dc.functions() {
		var out *lambda.GetPolicyOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &f.Name})
			return err
		})
		if err := ignore[*lambdatypes.ResourceNotFoundException](err); err != nil {
			return nil, err
		}
		if out == nil {
			continue
		}
		var pol lambdaPolicy
		if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &pol); err != nil {
			return nil, fmt.Errorf("policy of %s: %w", f.Name, err)
		}
		for _, st := range pol.Statement {
			if src := policyString(st.Condition["ArnLike"]["AWS:SourceArn"]); src != "" {
				dc.sources[addr] = append(dc.sources[addr], src)
			}
		}
	}
	return dc.sources, nil
}

// discoverRules finds the stage's rules that invoke its functions (their
// permissions name them), tagged as the stage's.
func discoverRules(ctx context.Context, dc *discovery) error {
	d := dc.d
	if d.Clients.EventBridge == nil {
		return nil
	}
	sources, err := dc.pushSources(ctx)
	if err != nil {
		return err
	}
	for addr, srcs := range sources {
		fn := addressFunction(strings.SplitN(addr, "#", 2)[0])
		for _, src := range srcs {
			_, path, ok := strings.Cut(src, ":rule/")
			if !ok || !strings.HasPrefix(src, "arn:") || !strings.Contains(src, ":events:") {
				continue
			}
			bus, name, custom := strings.Cut(path, "/")
			if !custom {
				bus, name = "default", path
			}
			if name != dc.stage.Function(fn).Rule || dc.known(TypeRule, func(rs ResourceState) bool {
				return rs.Name == name && (rs.Attributes["event_bus_name"] == bus || rs.Attributes["event_bus_name"] == "" && bus == "default")
			}) {
				continue
			}
			var out *eventbridge.ListTagsForResourceOutput
			err := d.retry(ctx, func() (err error) {
				out, err = d.Clients.EventBridge.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: &src})
				return err
			})
			if err := ignore[*ebtypes.ResourceNotFoundException](err); err != nil {
				return err
			}
			if out == nil {
				continue
			}
			tags := map[string]string{}
			for _, t := range out.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			if !dc.stage.Tagged(tags) {
				continue
			}
			dc.add(ruleAddr(fn), ResourceState{Type: TypeRule, Name: name, ARN: src, DependsOn: []string{addr},
				Attributes: map[string]string{"event_bus_name": bus}})
		}
	}
	return nil
}

// discoverSubscriptions finds the subscriptions of the stage's functions
// to the topics their permissions name (SNS cannot tag a subscription:
// its endpoint, a function proven the stage's, makes it the stage's).
func discoverSubscriptions(ctx context.Context, dc *discovery) error {
	d := dc.d
	if d.Clients.SNS == nil {
		return nil
	}
	sources, err := dc.pushSources(ctx)
	if err != nil {
		return err
	}
	fns := dc.functions()
	for addr, srcs := range sources {
		for _, src := range srcs {
			if !strings.HasPrefix(src, "arn:") || !strings.Contains(src, ":sns:") {
				continue
			}
			rs, found, err := d.findSubscription(ctx, src, dc.functionARN(fns[addr]))
			if err != nil {
				return err
			}
			if !found || dc.known(TypeSubscription, func(r ResourceState) bool { return r.ID == rs.ID }) {
				continue
			}
			rs.DependsOn = []string{addr}
			dc.add(subscriptionAddr(addressFunction(strings.SplitN(addr, "#", 2)[0])), rs)
		}
	}
	return nil
}

// discoverBucketNotifications finds, in the buckets the stage's
// functions' permissions name, the notification configurations with the
// stage's id for the function (names.Function.BucketNotificationID) that
// invoke it.
func discoverBucketNotifications(ctx context.Context, dc *discovery) error {
	d := dc.d
	if d.Clients.S3 == nil {
		return nil
	}
	sources, err := dc.pushSources(ctx)
	if err != nil {
		return err
	}
	fns := dc.functions()
	for addr, srcs := range sources {
		fn := addressFunction(strings.SplitN(addr, "#", 2)[0])
		id := dc.stage.Function(fn).BucketNotificationID
		for _, src := range srcs {
			bucket, ok := strings.CutPrefix(src, "arn:"+dc.target.Partition+":s3:::")
			if !ok || dc.known(TypeBucketNotification, func(rs ResourceState) bool { return rs.Name == bucket && rs.ID == id }) {
				continue
			}
			n, found, err := d.getNotification(ctx, bucket, bucketOwner(dc.target))
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			for _, c := range n.LambdaFunctionConfigurations {
				if aws.ToString(c.Id) == id && aws.ToString(c.LambdaFunctionArn) == dc.functionARN(fns[addr]) {
					dc.add(bucketNotificationAddr(fn), ResourceState{Type: TypeBucketNotification, Name: bucket, ID: id, DependsOn: []string{addr}})
					break
				}
			}
		}
	}
	return nil
}

// discoveryPolicy is what Discover needs whatever the stage has: the
// listings (ListFunctions, ListRoles, DescribeLogGroups and
// ListEventSourceMappings accept only "*"; the REST and HTTP APIs and the
// usage plans are GET on their collections), and the reads of the tags
// and resource policies of the stage's functions, event source mappings,
// roles and log groups. (A rule's tags are read only when a function's
// policy names it: ruleDeployerPolicy grants that.)
func discoveryPolicy(c *policyContext) []iampolicy.Statement {
	p := c.stage.Prefix()
	group := func(name string) string { return c.t.Regional("logs", "log-group:"+arn.FunctionLogGroupName(name)) }
	return []iampolicy.Statement{
		allow("FindUntrackedResources", []string{"iam:ListRoles", "lambda:ListEventSourceMappings", "lambda:ListFunctions", "logs:DescribeLogGroups"},
			iampolicy.Strings{"*"}, nil),
		allow("FindUntrackedRoles", []string{"iam:GetRole"}, iampolicy.Strings{c.t.Role(p + "-*")}, nil),
		allow("FindUntrackedFunctions", []string{"lambda:GetPolicy", "lambda:ListTags"}, c.functions(), nil),
		allow("FindUntrackedEventSourceMappings", []string{"lambda:ListTags"}, iampolicy.Strings{c.t.Regional("lambda", "event-source-mapping:*")}, nil),
		allow("FindUntrackedLogGroups", []string{"logs:ListTagsForResource"}, iampolicy.Strings{group(p), group(p + "-*")}, nil),
		allow("FindUntrackedAPIs", []string{"apigateway:GET"},
			iampolicy.Strings{c.t.APIGateway("/restapis"), c.t.APIGateway("/apis"), c.t.APIGateway("/usageplans")}, nil),
	}
}

// uncovered returns the statements of want less what granted (merged
// statements) already allows without conditions, so that each access is
// granted once: an action whose resources are all allowed is left out; a
// statement whose actions keep different resources is split, one
// statement an action (its Sid followed by the action's name).
func uncovered(want []iampolicy.Statement, granted []iampolicy.Statement) []iampolicy.Statement {
	covered := func(action, resource string) bool {
		for _, st := range granted {
			if st.Effect != "Allow" || len(st.Condition) > 0 || len(st.NotAction) > 0 || len(st.NotResource) > 0 {
				continue
			}
			if !slices.ContainsFunc(st.Action, func(p string) bool { return globMatch(strings.ToLower(p), strings.ToLower(action)) }) {
				continue
			}
			if slices.ContainsFunc(st.Resource, func(p string) bool { return p == resource || resource != "*" && globMatch(p, resource) }) {
				return true
			}
		}
		return false
	}
	var out []iampolicy.Statement
	for _, st := range want {
		left := map[string]iampolicy.Strings{}
		var actions []string
		for _, a := range st.Action {
			var rs iampolicy.Strings
			for _, r := range st.Resource {
				if !covered(a, r) {
					rs = append(rs, r)
				}
			}
			if len(rs) > 0 {
				left[a] = rs
				actions = append(actions, a)
			}
		}
		same := true
		for _, a := range actions {
			same = same && slices.Equal(left[a], left[actions[0]])
		}
		if same && len(actions) > 0 {
			out = append(out, allow(st.Sid, actions, left[actions[0]], st.Condition))
			continue
		}
		for _, a := range actions {
			_, op, _ := strings.Cut(a, ":")
			out = append(out, allow(st.Sid+op, []string{a}, left[a], st.Condition))
		}
	}
	return out
}
