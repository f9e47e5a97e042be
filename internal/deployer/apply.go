package deployer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Deployer refreshes app stages and applies plans (deploys and deletes)
// through Clients.
// The zero values of its tuning fields are production defaults.
type Deployer struct {
	Clients *Clients
	// Parallelism bounds the steps run at once (default 8; 1 runs them
	// one by one).
	Parallelism int
	// Backoff is the first pause before retrying a conflicting call, or
	// a role Lambda cannot assume yet (default 1s); throttling is left to
	// the SDK's retryer;
	// pauses double up to 32 times it.
	Backoff time.Duration
	// MaxAttempts bounds the tries of one call (default 10).
	MaxAttempts int
	// WaitMinDelay and WaitMaxDelay are the polling delays of the Lambda
	// function waiters (defaults 1s and 10s); WaitTimeout bounds one wait
	// (default 5m).
	WaitMinDelay, WaitMaxDelay, WaitTimeout time.Duration
	// Progress, when set, is told of every step as it starts and ends.
	// Calls are serialised.
	Progress func(Event)
}

// Event reports one step of Apply.
type Event struct {
	Address string
	Type    ResourceType
	Name    string
	Action  Action
	// Done is false when the step starts and true when it ends.
	Done bool
	// Err is the step's error (Done only).
	Err error
	// Elapsed is the step's duration (Done only).
	Elapsed time.Duration
}

func (d *Deployer) parallelism() int {
	if d.Parallelism > 0 {
		return d.Parallelism
	}
	return 8
}

// applier is one run of Apply: the state as it changes, saved after
// every change.
type applier struct {
	d        *Deployer
	mu       sync.Mutex
	state    *State
	save     func(*State) error
	progress sync.Mutex
	desired  *Desired
	// deleting are the addresses the plan deletes.
	deleting map[string]bool
	// buckets serialises the read-modify-write of each bucket's
	// notification configuration, by bucket name.
	buckets sync.Map
}

// lockBucket locks a bucket's notification configuration against the
// other steps of this apply; it returns the unlock.
func (a *applier) lockBucket(name string) func() {
	mu, _ := a.buckets.LoadOrStore(name, &sync.Mutex{})
	m := mu.(*sync.Mutex)
	m.Lock()
	return m.Unlock
}

func (a *applier) get(addr string) (ResourceState, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	rs, ok := a.state.Resources[addr]
	return rs, ok
}

func (a *applier) target() Target {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.state.Target
}

// put records a resource and saves the state.
func (a *applier) put(addr string, rs ResourceState) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	rs.Unrecorded = false
	a.state.Resources[addr] = rs
	return a.saveLocked()
}

// remove forgets a resource and saves the state.
func (a *applier) remove(addr string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.state.Resources, addr)
	return a.saveLocked()
}

func (a *applier) saveLocked() error {
	if a.save == nil {
		return nil
	}
	if err := a.save(a.state.Clone()); err != nil {
		return fmt.Errorf("record state: %w", err)
	}
	return nil
}

func (a *applier) event(e Event) {
	if a.d.Progress == nil {
		return
	}
	a.progress.Lock()
	defer a.progress.Unlock()
	a.d.Progress(e)
}

// Apply carries out a plan: independent steps in parallel (at most
// Parallelism at once), each after the steps it depends on; deletes in
// reverse dependency order. save, when not nil, is called with the new
// state after every step that creates, changes or deletes something, so
// an interrupted apply is finished by the next deploy. After a failed step
// no new step starts; Apply waits for the running ones and returns the
// state as it is then, with the errors.
func (d *Deployer) Apply(ctx context.Context, p *Plan, save func(*State) error) (*State, error) {
	st := p.Prior.Clone()
	st.App, st.Stage, st.Target, st.SchemaVersion = p.App, p.Stage, p.Target, StateVersion
	a := &applier{d: d, state: st, save: save, desired: p.Desired, deleting: map[string]bool{}}
	for _, c := range p.Changes {
		if c.Action == Delete {
			a.deleting[c.Address] = true
		}
	}
	adopted := false
	for k, rs := range st.Resources {
		if rs.Unrecorded {
			rs.Unrecorded = false
			st.Resources[k] = rs
			adopted = true
		}
	}
	if !p.HasChanges() {
		if adopted {
			a.mu.Lock()
			err := a.saveLocked()
			a.mu.Unlock()
			return st.Clone(), err
		}
		return st.Clone(), nil
	}
	a.mu.Lock()
	err := a.saveLocked()
	a.mu.Unlock()
	if err != nil {
		return st.Clone(), err
	}

	// The graph of steps.
	steps := map[string]*Change{}
	for i := range p.Changes {
		if c := &p.Changes[i]; c.Action != NoOp {
			steps[c.Address] = c
		}
	}
	deps := map[string][]string{}
	for addr, c := range steps {
		if c.Action == Delete {
			for other, oc := range steps {
				if other != addr && oc.Prior != nil && slices.Contains(oc.Prior.DependsOn, addr) {
					deps[addr] = append(deps[addr], other)
				}
			}
			continue
		}
		for _, dep := range c.Desired.DependsOn {
			if dc, ok := steps[dep]; ok && dc.Action != Delete {
				deps[addr] = append(deps[addr], dep)
			}
		}
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	var ready []string
	for addr := range steps {
		waiting[addr] = len(deps[addr])
		for _, dep := range deps[addr] {
			dependents[dep] = append(dependents[dep], addr)
		}
		if len(deps[addr]) == 0 {
			ready = append(ready, addr)
		}
	}
	order := func(s []string) {
		slices.SortFunc(s, func(x, y string) int {
			if rx, ry := typeRank[steps[x].Type], typeRank[steps[y].Type]; rx != ry {
				return rx - ry
			}
			return strings.Compare(x, y)
		})
	}
	order(ready)

	type result struct {
		addr string
		err  error
	}
	results := make(chan result)
	running := 0
	var errs []error
	stopped := false
	for {
		for !stopped && len(ready) > 0 && running < d.parallelism() {
			if err := ctx.Err(); err != nil {
				errs = append(errs, err)
				stopped = true
				break
			}
			addr := ready[0]
			ready = ready[1:]
			running++
			go func(c *Change) {
				start := time.Now()
				a.event(Event{Address: c.Address, Type: c.Type, Name: c.Name, Action: c.Action})
				err := a.step(ctx, c)
				if err != nil {
					err = fmt.Errorf("%s %s (%s): %w", c.Action, c.Address, c.Name, err)
				}
				a.event(Event{Address: c.Address, Type: c.Type, Name: c.Name, Action: c.Action, Done: true, Err: err, Elapsed: time.Since(start)})
				results <- result{c.Address, err}
			}(steps[addr])
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			errs = append(errs, r.err)
			stopped = true
			continue
		}
		var next []string
		for _, dep := range dependents[r.addr] {
			waiting[dep]--
			if waiting[dep] == 0 {
				next = append(next, dep)
			}
		}
		order(next)
		ready = append(ready, next...)
		order(ready)
	}
	a.mu.Lock()
	out := a.state.Clone()
	a.mu.Unlock()
	return out, errors.Join(errs...)
}

// step carries out one change.
func (a *applier) step(ctx context.Context, c *Change) error {
	typ := c.Type
	if c.Action == Delete {
		return a.delete(ctx, c.Address, *c.Prior)
	}
	if c.Action == Replace {
		if err := a.delete(ctx, c.Address, *c.Prior); err != nil {
			return err
		}
		if typ == TypeEventSourceMapping {
			// Lambda deletes a mapping asynchronously and refuses a new
			// one of the same function and source meanwhile.
			if err := a.d.waitMappingGone(ctx, c.Prior.ID); err != nil {
				return err
			}
		}
	}
	r := c.Desired
	switch typ {
	case TypeRole:
		return a.applyRole(ctx, r)
	case TypeFunction:
		return a.applyFunction(ctx, r)
	case TypeLogGroup:
		return a.applyLogGroup(ctx, r)
	case TypeEventSourceMapping:
		return a.applyMapping(ctx, r)
	case TypeRestAPI:
		return a.applyRestAPI(ctx, r)
	case TypeDeployment:
		return a.applyDeployment(ctx, r)
	case TypePermission:
		return a.applyPermission(ctx, r)
	}
	if k, ok := kindOf(typ); ok {
		return k.apply(ctx, a, r)
	}
	return fmt.Errorf("unknown resource type %q", typ)
}

func (a *applier) delete(ctx context.Context, addr string, prior ResourceState) error {
	d := a.d
	var err error
	switch prior.Type {
	case TypeRole:
		policyName := prior.Name
		err = d.retry(ctx, func() error {
			_, err := d.Clients.IAM.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: &prior.Name, PolicyName: &policyName})
			return err
		})
		if err = ignore[*iamtypes.NoSuchEntityException](err); err == nil {
			err = d.retry(ctx, func() error {
				_, err := d.Clients.IAM.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: &prior.Name})
				return err
			})
			err = ignore[*iamtypes.NoSuchEntityException](err)
		}
	case TypeFunction:
		err = d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &prior.Name})
			return err
		})
		err = ignore[*lambdatypes.ResourceNotFoundException](err)
	case TypeLogGroup:
		err = d.retry(ctx, func() error {
			_, err := d.Clients.Logs.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: &prior.Name})
			return err
		})
		err = ignore[*logstypes.ResourceNotFoundException](err)
	case TypeEventSourceMapping:
		err = d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: &prior.ID})
			return err
		})
		err = ignore[*lambdatypes.ResourceNotFoundException](err)
	case TypeRestAPI:
		err = d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.DeleteRestApi(ctx, &apigateway.DeleteRestApiInput{RestApiId: &prior.ID})
			return err
		})
		err = ignore[*apigwtypes.NotFoundException](err)
	case TypeDeployment:
		// A stage goes with its REST API: delete it alone only when the
		// API stays (the stage was renamed).
		api, ok := a.get(restAPIAddr)
		if !ok || api.ID == "" || a.deleting[restAPIAddr] {
			break
		}
		err = d.retry(ctx, func() error {
			_, err := d.Clients.APIGateway.DeleteStage(ctx, &apigateway.DeleteStageInput{RestApiId: &api.ID, StageName: &prior.Name})
			return err
		})
		err = ignore[*apigwtypes.NotFoundException](err)
	case TypePermission:
		fn := prior.Attributes["function_name"]
		err = d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: &fn, StatementId: &prior.Name})
			return err
		})
		err = ignore[*lambdatypes.ResourceNotFoundException](err)
	default:
		if k, ok := kindOf(prior.Type); ok {
			err = k.delete(ctx, a, addr, prior)
			break
		}
		err = fmt.Errorf("unknown resource type %q", prior.Type)
	}
	if err != nil {
		return err
	}
	return a.remove(addr)
}

// ignore returns nil when err is an E (a resource already gone, say).
func ignore[E error](err error) error {
	var target E
	if errors.As(err, &target) {
		return nil
	}
	return err
}

func (a *applier) applyRole(ctx context.Context, r *Resource) error {
	d, spec := a.d, r.Role
	rs, ok := a.get(r.Address)
	if !ok || rs.ARN == "" {
		var out *iam.CreateRoleOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: &r.Name, AssumeRolePolicyDocument: &spec.TrustPolicy})
			return err
		})
		var exists *iamtypes.EntityAlreadyExistsException
		switch {
		case errors.As(err, &exists):
			// Created by an earlier try whose answer was lost: adopt it.
			got, found, rerr := d.readRole(ctx, r.Name, spec.PolicyName)
			if rerr != nil {
				return rerr
			}
			if !found {
				return err
			}
			rs = got
		case err != nil:
			return err
		default:
			rs = ResourceState{Type: TypeRole, Name: r.Name, ARN: aws.ToString(out.Role.Arn),
				Attributes: map[string]string{"trust_policy": spec.TrustPolicy, "policy": ""}}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	rs.DependsOn = r.DependsOn
	if rs.Attributes["trust_policy"] != spec.TrustPolicy {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.IAM.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: &r.Name, PolicyDocument: &spec.TrustPolicy})
			return err
		}); err != nil {
			return err
		}
	}
	if rs.Attributes["policy"] != spec.Policy {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.IAM.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: &r.Name, PolicyName: &spec.PolicyName, PolicyDocument: &spec.Policy})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = r.Attributes(nil)
	return a.put(r.Address, rs)
}

// waitActive waits until a new function is Active.
func (d *Deployer) waitActive(ctx context.Context, name string) error {
	w := lambda.NewFunctionActiveV2Waiter(d.Clients.Lambda, func(o *lambda.FunctionActiveV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = d.waitDelays()
	})
	return d.retry(ctx, func() error {
		return w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &name}, d.waitTimeout())
	})
}

// waitUpdated waits until no update of a function is in progress, so the
// next update does not fail with ResourceConflictException
// (aws/chalice#1844).
func (d *Deployer) waitUpdated(ctx context.Context, name string) error {
	w := lambda.NewFunctionUpdatedV2Waiter(d.Clients.Lambda, func(o *lambda.FunctionUpdatedV2WaiterOptions) {
		o.MinDelay, o.MaxDelay = d.waitDelays()
	})
	return d.retry(ctx, func() error {
		return w.Wait(ctx, &lambda.GetFunctionInput{FunctionName: &name}, d.waitTimeout())
	})
}

// waitMappingGone polls an event source mapping that was just deleted
// until Lambda has finished deleting it (it stays listed, in State
// "Deleting", for a while).
func (d *Deployer) waitMappingGone(ctx context.Context, uuid string) error {
	lo, hi := d.waitDelays()
	ctx, cancel := context.WithTimeout(ctx, d.waitTimeout())
	defer cancel()
	for delay := lo; ; delay = min(2*delay, hi) {
		var out *lambda.GetEventSourceMappingOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Lambda.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: &uuid})
			return err
		})
		var missing *lambdatypes.ResourceNotFoundException
		switch {
		case errors.As(err, &missing):
			return nil
		case err != nil:
			return fmt.Errorf("wait for event source mapping %s to be deleted: %w", uuid, err)
		}
		if err := sleep(ctx, delay); err != nil {
			return fmt.Errorf("event source mapping %s is still %s: %w", uuid, aws.ToString(out.State), err)
		}
	}
}

func (d *Deployer) waitDelays() (time.Duration, time.Duration) {
	lo, hi := d.WaitMinDelay, d.WaitMaxDelay
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(lo, 10*time.Second)
	}
	return lo, hi
}

func (d *Deployer) waitTimeout() time.Duration {
	if d.WaitTimeout > 0 {
		return d.WaitTimeout
	}
	return 5 * time.Minute
}

func (a *applier) code() []byte {
	if a.desired == nil || a.desired.Code == nil {
		return nil
	}
	return a.desired.Code.Zip
}

func (a *applier) applyFunction(ctx context.Context, r *Resource) error {
	d, f := a.d, r.Function
	rs, ok := a.get(r.Address)
	if !ok {
		var out *lambda.CreateFunctionOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName:  &r.Name,
				Role:          &f.RoleARN,
				Runtime:       lambdatypes.Runtime(f.Runtime),
				Handler:       &f.Handler,
				Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(f.Architecture)},
				MemorySize:    aws.Int32(int32(f.MemorySize)),
				Timeout:       aws.Int32(int32(f.Timeout)),
				Environment:   &lambdatypes.Environment{Variables: f.Environment},
				Tags:          f.Tags,
				Layers:        f.Layers,
				VpcConfig:     vpcConfig(f),
				TracingConfig: &lambdatypes.TracingConfig{Mode: lambdatypes.TracingMode(f.Tracing)},
				Code:          &lambdatypes.FunctionCode{ZipFile: a.code()},
			})
			return err
		})
		var conflict *lambdatypes.ResourceConflictException
		switch {
		case errors.As(err, &conflict):
			// It exists (an earlier try's answer was lost): adopt it.
			got, found, rerr := d.readFunction(ctx, r.Name)
			if rerr != nil {
				return rerr
			}
			if !found {
				return err
			}
			rs = got
		case err != nil:
			return err
		default:
			attrs := r.Attributes(nil)
			attrs["code_sha256"] = aws.ToString(out.CodeSha256)
			attrs["reserved_concurrency"] = ""
			rs = ResourceState{Type: TypeFunction, Name: r.Name, ARN: aws.ToString(out.FunctionArn), Attributes: attrs}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
		if err := d.waitActive(ctx, r.Name); err != nil {
			return err
		}
	}
	return a.updateFunction(ctx, r, rs)
}

// updateFunction makes an existing function match r, changing only what
// differs from rs.
func (a *applier) updateFunction(ctx context.Context, r *Resource, rs ResourceState) error {
	d, f := a.d, r.Function
	want := r.Attributes(nil)
	have := rs.Attributes
	differs := func(keys ...string) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return have[k] != want[k] })
	}
	if differs("code_sha256", "architecture") {
		if err := d.waitUpdated(ctx, r.Name); err != nil {
			return err
		}
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{
				FunctionName: &r.Name, ZipFile: a.code(),
				Architectures: []lambdatypes.Architecture{lambdatypes.Architecture(f.Architecture)},
			})
			return err
		}); err != nil {
			return err
		}
	}
	if differs("role", "runtime", "handler", "memory_size", "timeout", "environment", "layers", "subnet_ids", "security_group_ids", "tracing") {
		if err := d.waitUpdated(ctx, r.Name); err != nil {
			return err
		}
		layers := f.Layers
		if layers == nil {
			layers = []string{}
		}
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{
				FunctionName:  &r.Name,
				Role:          &f.RoleARN,
				Runtime:       lambdatypes.Runtime(f.Runtime),
				Handler:       &f.Handler,
				MemorySize:    aws.Int32(int32(f.MemorySize)),
				Timeout:       aws.Int32(int32(f.Timeout)),
				Environment:   &lambdatypes.Environment{Variables: f.Environment},
				Layers:        layers,
				VpcConfig:     vpcConfigOrEmpty(f),
				TracingConfig: &lambdatypes.TracingConfig{Mode: lambdatypes.TracingMode(f.Tracing)},
			})
			return err
		}); err != nil {
			return err
		}
	}
	if differs("tags") {
		var old map[string]string
		_ = jsonUnmarshalString(have["tags"], &old)
		var remove []string
		for k := range old {
			if _, keep := f.Tags[k]; !keep {
				remove = append(remove, k)
			}
		}
		slices.Sort(remove)
		if len(remove) > 0 {
			if err := d.retry(ctx, func() error {
				_, err := d.Clients.Lambda.UntagResource(ctx, &lambda.UntagResourceInput{Resource: &rs.ARN, TagKeys: remove})
				return err
			}); err != nil {
				return err
			}
		}
		changed := false
		for k, v := range f.Tags {
			if ov, ok := old[k]; !ok || ov != v {
				changed = true
			}
		}
		if changed {
			if err := d.retry(ctx, func() error {
				_, err := d.Clients.Lambda.TagResource(ctx, &lambda.TagResourceInput{Resource: &rs.ARN, Tags: f.Tags})
				return err
			}); err != nil {
				return err
			}
		}
	}
	if differs("reserved_concurrency") {
		err := d.retry(ctx, func() error {
			if f.ReservedConcurrency == nil {
				_, err := d.Clients.Lambda.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: &r.Name})
				return err
			}
			_, err := d.Clients.Lambda.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{
				FunctionName: &r.Name, ReservedConcurrentExecutions: aws.Int32(int32(*f.ReservedConcurrency)),
			})
			return err
		})
		if err != nil {
			return err
		}
	}
	if differs("code_sha256", "architecture", "role", "runtime", "handler", "memory_size", "timeout", "environment", "layers", "subnet_ids", "security_group_ids", "tracing") {
		if err := d.waitUpdated(ctx, r.Name); err != nil {
			return err
		}
	}
	rs.Attributes = want
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

func vpcConfig(f *FunctionSpec) *lambdatypes.VpcConfig {
	if len(f.SubnetIDs) == 0 && len(f.SecurityGroupIDs) == 0 {
		return nil
	}
	return &lambdatypes.VpcConfig{SubnetIds: f.SubnetIDs, SecurityGroupIds: f.SecurityGroupIDs}
}

func vpcConfigOrEmpty(f *FunctionSpec) *lambdatypes.VpcConfig {
	if v := vpcConfig(f); v != nil {
		return v
	}
	return &lambdatypes.VpcConfig{SubnetIds: []string{}, SecurityGroupIds: []string{}}
}

func (a *applier) applyLogGroup(ctx context.Context, r *Resource) error {
	d := a.d
	rs, ok := a.get(r.Address)
	if !ok {
		// Lambda may have made it already, when the function logged.
		err := d.retry(ctx, func() error {
			_, err := d.Clients.Logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: &r.Name})
			return err
		})
		if err = ignore[*logstypes.ResourceAlreadyExistsException](err); err != nil {
			return err
		}
		t := a.target()
		rs = ResourceState{Type: TypeLogGroup, Name: r.Name, DependsOn: r.DependsOn,
			ARN:        fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s:*", t.Partition, t.Region, t.Account, r.Name),
			Attributes: map[string]string{"retention_in_days": "0"}}
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	want := r.Attributes(nil)
	if rs.Attributes["retention_in_days"] != want["retention_in_days"] {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.Logs.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{
				LogGroupName: &r.Name, RetentionInDays: aws.Int32(int32(r.LogGroup.RetentionInDays)),
			})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = want
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

// mappingInput is what a mapping's create and update calls set: for
// streams the failure settings (Lambda's defaults, -1, when unset), for
// queues the scaling limit (an empty ScalingConfig removes it).
type mappingInput struct {
	types       []lambdatypes.FunctionResponseType
	scaling     *lambdatypes.ScalingConfig
	destination *lambdatypes.DestinationConfig
	retries     *int32
	age         *int32
	bisect      *bool
	position    lambdatypes.EventSourcePosition
}

func newMappingInput(m *MappingSpec) mappingInput {
	in := mappingInput{types: []lambdatypes.FunctionResponseType{}}
	if m.ReportBatchItemFailures {
		in.types = append(in.types, lambdatypes.FunctionResponseTypeReportBatchItemFailures)
	}
	if isQueueSource(m.EventSourceARN) {
		in.scaling = &lambdatypes.ScalingConfig{}
		if m.MaximumConcurrency > 0 {
			in.scaling.MaximumConcurrency = aws.Int32(int32(m.MaximumConcurrency))
		}
		return in
	}
	in.position = lambdatypes.EventSourcePosition(m.StartingPosition)
	in.destination = &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(m.OnFailureARN)}}
	in.retries, in.age = aws.Int32(-1), aws.Int32(-1)
	if m.MaximumRetryAttempts != nil {
		in.retries = aws.Int32(int32(*m.MaximumRetryAttempts))
	}
	if m.MaximumRecordAgeInSeconds != nil {
		in.age = aws.Int32(int32(*m.MaximumRecordAgeInSeconds))
	}
	in.bisect = aws.Bool(m.BisectBatchOnFunctionError)
	return in
}

func (a *applier) applyMapping(ctx context.Context, r *Resource) error {
	d, m := a.d, r.Mapping
	in := newMappingInput(m)
	rs, ok := a.get(r.Address)
	if !ok {
		// One made by an earlier try whose answer was lost is adopted.
		got, found, err := d.readMapping(ctx, m.FunctionName, "", []string{m.EventSourceARN})
		if err != nil {
			return err
		}
		if found {
			rs = got
		} else {
			create := &lambda.CreateEventSourceMappingInput{
				FunctionName:                   &m.FunctionName,
				EventSourceArn:                 &m.EventSourceARN,
				BatchSize:                      aws.Int32(int32(m.BatchSize)),
				StartingPosition:               in.position,
				MaximumBatchingWindowInSeconds: aws.Int32(int32(m.MaximumBatchingWindowInSeconds)),
				FunctionResponseTypes:          in.types,
				Enabled:                        aws.Bool(true),
				MaximumRetryAttempts:           in.retries,
				MaximumRecordAgeInSeconds:      in.age,
				BisectBatchOnFunctionError:     in.bisect,
			}
			if in.scaling != nil && in.scaling.MaximumConcurrency != nil {
				create.ScalingConfig = in.scaling
			}
			if m.OnFailureARN != "" {
				create.DestinationConfig = in.destination
			}
			var out *lambda.CreateEventSourceMappingOutput
			err := d.retry(ctx, func() (err error) {
				out, err = d.Clients.Lambda.CreateEventSourceMapping(ctx, create)
				return err
			})
			if err != nil {
				return err
			}
			rs = ResourceState{Type: TypeEventSourceMapping, Name: m.FunctionName, ID: aws.ToString(out.UUID),
				ARN: aws.ToString(out.EventSourceMappingArn), Attributes: r.Attributes(nil)}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	want := r.Attributes(nil)
	if !maps.Equal(rs.Attributes, want) {
		if err := d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{
				UUID:                           &rs.ID,
				BatchSize:                      aws.Int32(int32(m.BatchSize)),
				MaximumBatchingWindowInSeconds: aws.Int32(int32(m.MaximumBatchingWindowInSeconds)),
				FunctionResponseTypes:          in.types,
				ScalingConfig:                  in.scaling,
				DestinationConfig:              in.destination,
				MaximumRetryAttempts:           in.retries,
				MaximumRecordAgeInSeconds:      in.age,
				BisectBatchOnFunctionError:     in.bisect,
			})
			return err
		}); err != nil {
			return err
		}
	}
	rs.Attributes = want
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

func (a *applier) applyPermission(ctx context.Context, r *Resource) error {
	d, p := a.d, r.Permission
	a.mu.Lock()
	source := p.sourceARN(a.state, r.DependsOn)
	a.mu.Unlock()
	if source == KnownAfterApply {
		return fmt.Errorf("the API is not recorded")
	}
	add := func() error {
		in := &lambda.AddPermissionInput{
			FunctionName: &p.FunctionName, StatementId: &p.StatementID,
			Action: &p.Action, Principal: &p.Principal, SourceArn: &source,
		}
		if p.SourceAccount != "" {
			in.SourceAccount = &p.SourceAccount
		}
		return d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.AddPermission(ctx, in)
			return err
		})
	}
	remove := func(sid string) error {
		err := d.retry(ctx, func() error {
			_, err := d.Clients.Lambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: &p.FunctionName, StatementId: &sid})
			return err
		})
		return ignore[*lambdatypes.ResourceNotFoundException](err)
	}
	if rs, ok := a.get(r.Address); ok {
		// The recorded statement, which may have another id (the
		// function's source changed kind).
		if err := remove(rs.Name); err != nil {
			return err
		}
		if err := a.remove(r.Address); err != nil {
			return err
		}
	}
	err := add()
	var conflict *lambdatypes.ResourceConflictException
	if errors.As(err, &conflict) {
		// A statement with this id exists (an earlier try's): replace it.
		if err := remove(p.StatementID); err != nil {
			return err
		}
		err = add()
	}
	if err != nil {
		return err
	}
	attrs := r.Attributes(nil)
	attrs["source_arn"] = source
	return a.put(r.Address, ResourceState{Type: TypePermission, Name: p.StatementID, Attributes: attrs, DependsOn: r.DependsOn})
}
