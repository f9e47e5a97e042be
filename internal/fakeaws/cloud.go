// Package fakeaws is an in-memory AWS for the deployer's tests: IAM,
// Lambda, API Gateway, CloudWatch Logs, DynamoDB (DescribeTable), STS,
// EventBridge rules, SNS subscriptions (to topics seeded with AddTopic)
// and S3 bucket notifications (of buckets seeded with AddBucket), behind the same method sets as the SDK clients. It keeps state and
// behaves like AWS where the deployer depends on it: real-looking ARNs,
// the SDK's typed errors, functions that stay Pending or InProgress for a
// few GetFunction polls (and refuse updates meanwhile with
// ResourceConflictException), event source mappings deleted
// asynchronously (listed in State "Deleting" for a few polls), new roles
// that Lambda cannot assume for a few calls, throttling behind the SDK's
// standard retryer, per-call latency, and injected failures. Every call
// (every attempt) is recorded.
package fakeaws

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// Call is one recorded call.
type Call struct {
	Service   string
	Operation string
	Mutating  bool
	// Throttled is set on an attempt that was throttled (and retried by
	// the Retryer, or returned when it gave up).
	Throttled bool
}

// Cloud is one AWS account in one region. Configure it before use; its
// methods are safe for concurrent use.
type Cloud struct {
	// Account and Region appear in ARNs.
	Account, Region string
	// Latency is added to every call.
	Latency time.Duration
	// PendingPolls is how many GetFunction calls report a new function
	// Pending, or an updated one InProgress.
	PendingPolls int
	// RoleAssumeDelay is how many CreateFunction calls with a new role
	// fail with "cannot be assumed" before the role works.
	RoleAssumeDelay int
	// MappingDeletePolls is how many ListEventSourceMappings or
	// GetEventSourceMapping answers still show a deleted mapping, in State
	// "Deleting", before it is gone.
	MappingDeletePolls int
	// ThrottleEvery throttles every n-th attempt (0 never).
	ThrottleEvery int
	// Retryer stands for the SDK client's retryer between the caller and
	// the service: a throttled attempt is retried as it decides. nil is
	// the SDK's standard retryer (3 attempts, retrying throttling and
	// transient errors) without its backoff pauses and retry quota.
	Retryer aws.Retryer
	// FailAt makes the n-th mutating call (1-based) fail; 0 never. With
	// FailAfterEffect the call takes effect and its answer is lost.
	FailAt          int
	FailAfterEffect bool
	// ResendLostAnswer stands for the SDK's retryer when a create's
	// answer is lost (FailAfterEffect): the create is sent again, and
	// takes effect again, unless the caller turned the SDK's retries off
	// for the call (RetryMaxAttempts 1), as a real client would.
	ResendLostAnswer bool
	// OnFail, when set, runs when FailAt is reached (a test cancels its
	// context there) and the call then fails with the context's error;
	// with FailAfterEffect it runs once the call took effect, whose answer
	// is then lost (a deploy killed between a create and its record).
	OnFail func()

	mu        sync.Mutex
	calls     []Call
	mutations int
	seq       int
	roles     map[string]*role
	functions map[string]*function
	mappings  map[string]*mapping
	apis      map[string]*restAPI
	httpAPIs  map[string]*httpAPI
	// usagePlans are the REST APIs' usage plans, by id.
	usagePlans map[string]*usagePlan
	logGroups  map[string]*int32
	tables     map[string]string

	rules         map[string]*rule // by "bus/name"
	buses         map[string]bool
	topics        map[string]bool
	subscriptions map[string]*subscription
	buckets       map[string]*bucket

	// logGroupTags are the log groups' tags, given at CreateLogGroup.
	logGroupTags map[string]map[string]string

	// domains are the custom domain names, by name.
	domains map[string]*domainName
}

// New returns an empty account 123456789012 in us-east-1.
func New() *Cloud {
	return &Cloud{Account: "123456789012", Region: "us-east-1"}
}

func (c *Cloud) init() {
	if c.roles == nil {
		c.roles = map[string]*role{}
		c.functions = map[string]*function{}
		c.mappings = map[string]*mapping{}
		c.apis = map[string]*restAPI{}
		c.httpAPIs = map[string]*httpAPI{}
		c.usagePlans = map[string]*usagePlan{}
		c.logGroups = map[string]*int32{}
		c.logGroupTags = map[string]map[string]string{}
		c.rules = map[string]*rule{}
		c.buses = map[string]bool{}
		c.topics = map[string]bool{}
		c.subscriptions = map[string]*subscription{}
		c.buckets = map[string]*bucket{}
		if c.tables == nil {
			c.tables = map[string]string{}
		}
	}
}

// AddTable adds a DynamoDB table with a stream and returns the stream's
// ARN.
func (c *Cloud) AddTable(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	arn := fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s/stream/2026-01-01T00:00:00.000", c.Region, c.Account, name)
	c.tables[name] = arn
	return arn
}

// Calls returns every call so far, in order.
func (c *Cloud) Calls() []Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Call(nil), c.calls...)
}

// Mutations returns the mutating calls so far that were not throttled, as
// "service:Operation".
func (c *Cloud) Mutations() []string {
	var out []string
	for _, call := range c.Calls() {
		if call.Mutating && !call.Throttled {
			out = append(out, call.Service+":"+call.Operation)
		}
	}
	return out
}

// ResetCalls forgets the recorded calls and the mutation count.
func (c *Cloud) ResetCalls() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls, c.mutations = nil, 0
}

var errInjected = &smithy.GenericAPIError{Code: "InternalFailure", Message: "injected failure"}

// errLostAnswer is the answer of a call that took effect and whose answer
// was lost: a server fault, which a client cannot tell from one that took
// no effect.
var errLostAnswer = &smithy.GenericAPIError{Code: "InternalFailure", Message: "injected failure after effect", Fault: smithy.FaultServer}

// attempts returns the SDK retry attempts a caller's per-call options
// set (0 for the client's own).
func attempts[O any](opts []func(*O), get func(*O) int) int {
	var o O
	for _, f := range opts {
		f(&o)
	}
	return get(&o)
}

// resend runs a create call; when its answer was lost and
// ResendLostAnswer is set, it sends it again as the SDK's retryer would,
// unless maxAttempts is 1.
func resend[T any](c *Cloud, maxAttempts int, call func() (T, error)) (T, error) {
	out, err := call()
	if errors.Is(err, errLostAnswer) && maxAttempts != 1 {
		c.mu.Lock()
		again := c.ResendLostAnswer
		c.mu.Unlock()
		if again {
			return call()
		}
	}
	return out, err
}

// begin records a call and decides its fate: err fails it before it takes
// effect; post, when not nil, is returned after it takes effect. It
// returns with c.mu held when err is nil. A throttled attempt is retried
// as the Retryer decides, as an SDK client would, before any other fate.
func (c *Cloud) begin(ctx context.Context, service, op string, mutating bool) (post, err error) {
	r := c.Retryer
	if r == nil {
		r = retry.NewStandard(func(o *retry.StandardOptions) {
			o.Backoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
			o.RateLimiter = ratelimit.None
		})
	}
	for attempt := 1; ; attempt++ {
		throttled, post, err := c.attempt(ctx, service, op, mutating)
		if !throttled {
			return post, err
		}
		if attempt >= r.MaxAttempts() || !r.IsErrorRetryable(err) {
			return nil, err
		}
		delay, derr := r.RetryDelay(attempt, err)
		if derr != nil {
			return nil, err
		}
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
	}
}

// attempt is one try of a call; throttled reports that it was throttled
// (err is then the throttling error).
func (c *Cloud) attempt(ctx context.Context, service, op string, mutating bool) (throttled bool, post, err error) {
	if c.Latency > 0 {
		t := time.NewTimer(c.Latency)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	if err := ctx.Err(); err != nil {
		return false, nil, err
	}
	c.mu.Lock()
	c.init()
	if c.ThrottleEvery > 0 && (len(c.calls)+1)%c.ThrottleEvery == 0 {
		c.calls = append(c.calls, Call{Service: service, Operation: op, Mutating: mutating, Throttled: true})
		c.mu.Unlock()
		return true, nil, throttleError(service)
	}
	c.calls = append(c.calls, Call{Service: service, Operation: op, Mutating: mutating})
	if mutating {
		c.mutations++
		if c.FailAt > 0 && c.mutations == c.FailAt {
			if c.OnFail != nil && c.FailAfterEffect {
				// Killed once the call took effect: its answer is lost.
				c.OnFail()
				return false, errLostAnswer, nil
			}
			if c.OnFail != nil {
				c.mu.Unlock()
				c.OnFail()
				if err := ctx.Err(); err != nil {
					return false, nil, err
				}
				return false, nil, errInjected
			}
			if c.FailAfterEffect {
				return false, errLostAnswer, nil
			}
			c.mu.Unlock()
			return false, nil, errInjected
		}
	}
	return false, nil, nil
}

func throttleError(service string) error {
	switch service {
	case "lambda":
		return &lambdatypes.TooManyRequestsException{Message: strp("Rate exceeded"), Reason: lambdatypes.ThrottleReasonCallerRateLimitExceeded}
	case "apigateway":
		return &apigwtypes.TooManyRequestsException{Message: strp("Too Many Requests")}
	case "s3":
		return &smithy.GenericAPIError{Code: "SlowDown", Message: "Please reduce your request rate."}
	case "events":
		return &smithy.GenericAPIError{Code: "ThrottlingException", Message: "Rate exceeded"}
	case "sns":
		return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	}
	return &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
}

func (c *Cloud) nextID() int {
	c.seq++
	return c.seq
}

func strp(s string) *string { return &s }

// Snapshot is the account's state with the ids AWS chooses taken out, so
// two deploys of the same app compare equal.
type Snapshot struct {
	Roles     map[string]RoleSnapshot     `json:"roles"`
	Functions map[string]FunctionSnapshot `json:"functions"`
	Mappings  []MappingSnapshot           `json:"mappings"`
	RestAPIs  []RestAPISnapshot           `json:"rest_apis"`
	HTTPAPIs  []HTTPAPISnapshot           `json:"http_apis,omitempty"`
	// WebSocketAPIs are sorted by name.
	WebSocketAPIs []WebSocketAPISnapshot `json:"websocket_apis,omitempty"`
	// UsagePlans are the REST APIs' usage plans, by name.
	UsagePlans []UsagePlanSnapshot `json:"usage_plans,omitempty"`
	LogGroups  map[string]int32    `json:"log_groups"`
	// Rules are by "bus/name".
	Rules         map[string]RuleSnapshot `json:"rules,omitempty"`
	Subscriptions []SubscriptionSnapshot  `json:"subscriptions,omitempty"`
	// Buckets are the seeded buckets' notification configurations.
	Buckets map[string]BucketSnapshot `json:"buckets,omitempty"`

	// Domains are the custom domain names, by name.
	Domains map[string]DomainNameSnapshot `json:"domains,omitempty"`
}

// RoleSnapshot is a role.
type RoleSnapshot struct {
	TrustPolicy string
	Policies    map[string]string
}

// FunctionSnapshot is a function.
type FunctionSnapshot struct {
	Role, Runtime, Architecture, CodeSHA256, Tracing string
	MemorySize, Timeout                              int32
	Environment, Tags                                map[string]string
	Concurrency                                      *int32
	Layers                                           []string
	Permissions                                      []PermissionSnapshot
	// InvokeConfig is the asynchronous invocation settings, nil for none.
	InvokeConfig *InvokeConfigSnapshot
}

// InvokeConfigSnapshot is a function's asynchronous invocation settings.
type InvokeConfigSnapshot struct {
	OnFailure                      string
	MaximumRetryAttempts, MaxAgeIn *int32
}

// PermissionSnapshot is a statement of a function's policy; a REST or
// HTTP API's id in SourceArn is replaced by "<api:NAME>".
type PermissionSnapshot struct {
	Sid, Principal, Action, SourceArn string
	SourceAccount                     string
}

// MappingSnapshot is an event source mapping (one being deleted is left
// out).
type MappingSnapshot struct {
	Function, Source, StartingPosition string
	BatchSize, Window                  int32
	ResponseTypes                      []string
	// MaximumConcurrency is an SQS mapping's (0 for none).
	MaximumConcurrency int32
	// The stream settings.
	OnFailure                      string
	MaximumRetryAttempts, MaxAgeIn *int32
	Bisect                         bool
}

// RestAPISnapshot is a REST API.
type RestAPISnapshot struct {
	Name, Description, EndpointType, BodySHA256 string
	// Stages maps a stage to whether its deployment has the current body.
	Stages map[string]bool
	// MinimumCompressionSize is nil when compression is off; Tracing are
	// the stages with X-Ray tracing, sorted.
	MinimumCompressionSize *int32   `json:",omitempty"`
	Tracing                []string `json:",omitempty"`
}

// Snapshot returns the account's state.
func (c *Cloud) Snapshot() Snapshot {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	s := Snapshot{Roles: map[string]RoleSnapshot{}, Functions: map[string]FunctionSnapshot{}, LogGroups: map[string]int32{}}
	for n, r := range c.roles {
		pol := map[string]string{}
		for k, v := range r.policies {
			pol[k] = v
		}
		s.Roles[n] = RoleSnapshot{TrustPolicy: r.trust, Policies: pol}
	}
	apiName := map[string]string{}
	for id, a := range c.apis {
		apiName[id] = a.name
	}
	for id, a := range c.httpAPIs {
		apiName[id] = a.name
	}
	for n, f := range c.functions {
		fs := FunctionSnapshot{
			Role: *f.cfg.Role, Runtime: string(f.cfg.Runtime), Architecture: string(f.cfg.Architectures[0]),
			CodeSHA256: *f.cfg.CodeSha256, Tracing: string(f.cfg.TracingConfig.Mode),
			MemorySize: *f.cfg.MemorySize, Timeout: *f.cfg.Timeout,
			Environment: f.cfg.Environment.Variables, Tags: f.tags, Concurrency: f.concurrency,
		}
		for _, l := range f.cfg.Layers {
			fs.Layers = append(fs.Layers, *l.Arn)
		}
		for _, st := range f.statements {
			src := st.sourceARN
			for id, name := range apiName {
				src = strings.ReplaceAll(src, ":"+id+"/", ":<api:"+name+">/")
			}
			fs.Permissions = append(fs.Permissions, PermissionSnapshot{Sid: st.sid, Principal: st.principal, Action: st.action, SourceArn: src, SourceAccount: st.sourceAccount})
		}
		if ic := f.invokeConfig; ic != nil {
			fs.InvokeConfig = &InvokeConfigSnapshot{MaximumRetryAttempts: ic.MaximumRetryAttempts, MaxAgeIn: ic.MaximumEventAgeInSeconds}
			if ic.DestinationConfig != nil && ic.DestinationConfig.OnFailure != nil {
				fs.InvokeConfig.OnFailure = aws.ToString(ic.DestinationConfig.OnFailure.Destination)
			}
		}
		s.Functions[n] = fs
	}
	for _, m := range c.mappings {
		if m.deleting() {
			continue // it goes by itself
		}
		var rt []string
		for _, t := range m.cfg.FunctionResponseTypes {
			rt = append(rt, string(t))
		}
		ms := MappingSnapshot{
			Function: m.function, Source: *m.cfg.EventSourceArn, StartingPosition: string(m.cfg.StartingPosition),
			BatchSize: *m.cfg.BatchSize, Window: *m.cfg.MaximumBatchingWindowInSeconds, ResponseTypes: rt,
			MaximumRetryAttempts: m.cfg.MaximumRetryAttempts, MaxAgeIn: m.cfg.MaximumRecordAgeInSeconds,
			Bisect: aws.ToBool(m.cfg.BisectBatchOnFunctionError),
		}
		if m.cfg.ScalingConfig != nil {
			ms.MaximumConcurrency = aws.ToInt32(m.cfg.ScalingConfig.MaximumConcurrency)
		}
		if d := m.cfg.DestinationConfig; d != nil && d.OnFailure != nil {
			ms.OnFailure = aws.ToString(d.OnFailure.Destination)
		}
		s.Mappings = append(s.Mappings, ms)
	}
	sort.Slice(s.Mappings, func(i, j int) bool {
		if s.Mappings[i].Function != s.Mappings[j].Function {
			return s.Mappings[i].Function < s.Mappings[j].Function
		}
		return s.Mappings[i].Source < s.Mappings[j].Source
	})
	for _, a := range c.apis {
		st := map[string]bool{}
		var tracing []string
		for name, dep := range a.stages {
			st[name] = a.deployments[dep] == a.bodySHA
			if a.tracing[name] {
				tracing = append(tracing, name)
			}
		}
		sort.Strings(tracing)
		s.RestAPIs = append(s.RestAPIs, RestAPISnapshot{Name: a.name, Description: a.description, EndpointType: a.endpointType, BodySHA256: a.bodySHA, Stages: st,
			MinimumCompressionSize: a.minCompression, Tracing: tracing})
	}
	sort.Slice(s.RestAPIs, func(i, j int) bool { return s.RestAPIs[i].Name < s.RestAPIs[j].Name })
	s.HTTPAPIs = c.httpAPISnapshots()
	s.WebSocketAPIs = c.webSocketAPISnapshots()
	s.UsagePlans = c.usagePlanSnapshots(apiName)
	s.Domains = c.domainSnapshots(apiName)
	if len(c.rules) > 0 {
		s.Rules = c.ruleSnapshots()
	}
	s.Subscriptions = c.subscriptionSnapshots()
	if len(c.buckets) > 0 {
		s.Buckets = c.bucketSnapshots()
	}
	for n, r := range c.logGroups {
		v := int32(0)
		if r != nil {
			v = *r
		}
		s.LogGroups[n] = v
	}
	return s
}

// Empty reports whether the account has no roles, functions, mappings
// (but those being deleted, which go by themselves), REST or HTTP APIs,
// usage plans, log groups, EventBridge rules or SNS subscriptions, and whether every
// seeded bucket's notification configuration is as it was seeded.
func (c *Cloud) Empty() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	mappings := 0
	for _, m := range c.mappings {
		if !m.deleting() {
			mappings++
		}
	}
	for _, b := range c.buckets {
		if notificationJSON(b.config) != notificationJSON(b.seeded) {
			return false
		}
	}
	return len(c.roles)+len(c.functions)+mappings+len(c.apis)+len(c.httpAPIs)+len(c.usagePlans)+len(c.domains)+len(c.logGroups)+len(c.rules)+len(c.subscriptions) == 0
}
