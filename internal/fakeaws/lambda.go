package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

type function struct {
	cfg         lambdatypes.FunctionConfiguration
	tags        map[string]string
	concurrency *int32
	// pending is how many more GetFunction polls report the function
	// Pending (after create) or InProgress (after an update).
	pending    int
	statements []statement
	// invokeConfig is the function's asynchronous invocation settings,
	// nil when none are set. It goes with the function.
	invokeConfig *lambda.GetFunctionEventInvokeConfigOutput
}

// statement is one statement of a function's policy: one AddPermission
// made, or, when raw is set, one a test added as it is.
type statement struct {
	sid, principal, action, sourceARN string
	// sourceAccount, urlAuthType and orgID are AddPermission's other
	// conditions.
	sourceAccount, urlAuthType, orgID string
	raw                               json.RawMessage
}

type mapping struct {
	function string
	cfg      lambdatypes.EventSourceMappingConfiguration
	// tags are the mapping's tags, given at CreateEventSourceMapping.
	tags map[string]string
	// polls is how many more answers show a deleted mapping (State
	// "Deleting") before it is gone.
	polls int
}

func (m *mapping) deleting() bool { return aws.ToString(m.cfg.State) == "Deleting" }

// seen counts an answer that shows m and reports whether m is gone (a
// deleted mapping whose polls ran out: it is then removed).
func (s *Lambda) seen(m *mapping) (gone bool) {
	if !m.deleting() {
		return false
	}
	if m.polls <= 0 {
		delete(s.c.mappings, *m.cfg.UUID)
		return true
	}
	m.polls--
	return false
}

// Lambda is the account's Lambda.
type Lambda struct{ c *Cloud }

// Lambda returns the account's Lambda.
func (c *Cloud) Lambda() *Lambda { return &Lambda{c} }

func notFound(what string) error {
	return &lambdatypes.ResourceNotFoundException{Message: strp(what + " not found."), Type: strp("User")}
}

func (s *Lambda) arn(name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.c.Region, s.c.Account, name)
}

// lookup finds a function by name or ARN.
func (s *Lambda) lookup(nameOrARN string) (*function, bool) {
	name := nameOrARN
	if i := strings.LastIndex(nameOrARN, ":function:"); i >= 0 {
		name = nameOrARN[i+len(":function:"):]
	}
	f, ok := s.c.functions[name]
	return f, ok
}

func (s *Lambda) busy(f *function) error {
	if f.pending > 0 {
		return &lambdatypes.ResourceConflictException{
			Message: strp("The operation cannot be performed at this time. An update is in progress for resource: " + *f.cfg.FunctionArn),
			Type:    strp("User"),
		}
	}
	return nil
}

func codeSHA(zip []byte) string {
	sum := sha256.Sum256(zip)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// GetFunction returns a function; a function created or updated in the
// last PendingPolls polls is reported Pending or InProgress.
func (s *Lambda) GetFunction(ctx context.Context, in *lambda.GetFunctionInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "GetFunction", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	if f.pending > 0 {
		f.pending--
		if f.pending == 0 {
			f.cfg.State = lambdatypes.StateActive
			f.cfg.LastUpdateStatus = lambdatypes.LastUpdateStatusSuccessful
		}
	}
	cfg := f.cfg
	cfg.Environment = &lambdatypes.EnvironmentResponse{Variables: maps.Clone(f.cfg.Environment.Variables)}
	out := &lambda.GetFunctionOutput{Configuration: &cfg, Tags: maps.Clone(f.tags),
		Code: &lambdatypes.FunctionCodeLocation{RepositoryType: strp("S3"), Location: strp("https://awslambda-" + s.c.Region + "-tasks.s3.amazonaws.com/snapshots/x")}}
	if f.concurrency != nil {
		out.Concurrency = &lambdatypes.Concurrency{ReservedConcurrentExecutions: aws.Int32(*f.concurrency)}
	}
	return out, nil
}

// CreateFunction creates a function, Pending for PendingPolls polls.
func (s *Lambda) CreateFunction(ctx context.Context, in *lambda.CreateFunctionInput, opts ...func(*lambda.Options)) (*lambda.CreateFunctionOutput, error) {
	return resend(s.c, attempts(opts, func(o *lambda.Options) int { return o.RetryMaxAttempts }), func() (*lambda.CreateFunctionOutput, error) { return s.createFunction(ctx, in) })
}

func (s *Lambda) createFunction(ctx context.Context, in *lambda.CreateFunctionInput) (*lambda.CreateFunctionOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "CreateFunction", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	name := *in.FunctionName
	if _, ok := s.c.functions[name]; ok {
		return nil, &lambdatypes.ResourceConflictException{Message: strp("Function already exist: " + name), Type: strp("User")}
	}
	if len(name) > 64 {
		return nil, &lambdatypes.InvalidParameterValueException{Message: strp("1 validation error detected: Value '" + name + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64")}
	}
	if err := s.assumable(aws.ToString(in.Role)); err != nil {
		return nil, err
	}
	if in.Code == nil || len(in.Code.ZipFile) == 0 {
		return nil, &lambdatypes.InvalidParameterValueException{Message: strp("Please provide a source for function code.")}
	}
	arch := in.Architectures
	if len(arch) == 0 {
		arch = []lambdatypes.Architecture{lambdatypes.ArchitectureX8664}
	}
	env := map[string]string{}
	if in.Environment != nil {
		env = maps.Clone(in.Environment.Variables)
	}
	tracing := lambdatypes.TracingModePassThrough
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		tracing = in.TracingConfig.Mode
	}
	f := &function{
		cfg: lambdatypes.FunctionConfiguration{
			FunctionName: in.FunctionName, FunctionArn: strp(s.arn(name)),
			Role: in.Role, Runtime: in.Runtime, Handler: in.Handler, Architectures: arch,
			MemorySize: orInt32(in.MemorySize, 128), Timeout: orInt32(in.Timeout, 3),
			Environment: &lambdatypes.EnvironmentResponse{Variables: env}, CodeSha256: strp(codeSHA(in.Code.ZipFile)),
			CodeSize: int64(len(in.Code.ZipFile)), TracingConfig: &lambdatypes.TracingConfigResponse{Mode: tracing},
			State: lambdatypes.StatePending, LastUpdateStatus: lambdatypes.LastUpdateStatusInProgress,
			PackageType: lambdatypes.PackageTypeZip, Version: strp("$LATEST"),
		},
		tags:    maps.Clone(in.Tags),
		pending: s.c.PendingPolls,
	}
	if f.tags == nil {
		f.tags = map[string]string{}
	}
	for _, l := range in.Layers {
		f.cfg.Layers = append(f.cfg.Layers, lambdatypes.Layer{Arn: strp(l)})
	}
	if in.VpcConfig != nil && len(in.VpcConfig.SubnetIds) > 0 {
		f.cfg.VpcConfig = &lambdatypes.VpcConfigResponse{SubnetIds: in.VpcConfig.SubnetIds, SecurityGroupIds: in.VpcConfig.SecurityGroupIds}
	}
	if f.pending == 0 {
		f.cfg.State, f.cfg.LastUpdateStatus = lambdatypes.StateActive, lambdatypes.LastUpdateStatusSuccessful
	}
	s.c.functions[name] = f
	if post != nil {
		return nil, post
	}
	return &lambda.CreateFunctionOutput{FunctionName: f.cfg.FunctionName, FunctionArn: f.cfg.FunctionArn, CodeSha256: f.cfg.CodeSha256,
		State: f.cfg.State, LastUpdateStatus: f.cfg.LastUpdateStatus}, nil
}

// assumable fails, as Lambda does, for a role that does not exist or that
// IAM has not propagated yet.
func (s *Lambda) assumable(roleARN string) error {
	for _, r := range s.c.roles {
		if r.arn != roleARN {
			continue
		}
		if r.notReady > 0 {
			r.notReady--
			break
		}
		return nil
	}
	return &lambdatypes.InvalidParameterValueException{Message: strp("The role defined for the function cannot be assumed by Lambda."), Type: strp("User")}
}

func orInt32(v *int32, def int32) *int32 {
	if v == nil {
		return aws.Int32(def)
	}
	return aws.Int32(*v)
}

func (s *Lambda) startUpdate(f *function) {
	f.pending = s.c.PendingPolls
	if f.pending > 0 {
		f.cfg.LastUpdateStatus = lambdatypes.LastUpdateStatusInProgress
	}
}

// UpdateFunctionCode replaces a function's code; it fails while the
// function is being created or updated.
func (s *Lambda) UpdateFunctionCode(ctx context.Context, in *lambda.UpdateFunctionCodeInput, _ ...func(*lambda.Options)) (*lambda.UpdateFunctionCodeOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "UpdateFunctionCode", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	if err := s.busy(f); err != nil {
		return nil, err
	}
	f.cfg.CodeSha256 = strp(codeSHA(in.ZipFile))
	if len(in.Architectures) > 0 {
		f.cfg.Architectures = in.Architectures
	}
	s.startUpdate(f)
	if post != nil {
		return nil, post
	}
	return &lambda.UpdateFunctionCodeOutput{FunctionName: f.cfg.FunctionName, FunctionArn: f.cfg.FunctionArn, CodeSha256: f.cfg.CodeSha256,
		State: f.cfg.State, LastUpdateStatus: f.cfg.LastUpdateStatus}, nil
}

// UpdateFunctionConfiguration changes a function's configuration; it
// fails while the function is being created or updated.
func (s *Lambda) UpdateFunctionConfiguration(ctx context.Context, in *lambda.UpdateFunctionConfigurationInput, _ ...func(*lambda.Options)) (*lambda.UpdateFunctionConfigurationOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "UpdateFunctionConfiguration", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	if err := s.busy(f); err != nil {
		return nil, err
	}
	if in.Role != nil {
		if err := s.assumable(*in.Role); err != nil {
			return nil, err
		}
		f.cfg.Role = in.Role
	}
	if in.Runtime != "" {
		f.cfg.Runtime = in.Runtime
	}
	if in.Handler != nil {
		f.cfg.Handler = in.Handler
	}
	if in.MemorySize != nil {
		f.cfg.MemorySize = in.MemorySize
	}
	if in.Timeout != nil {
		f.cfg.Timeout = in.Timeout
	}
	if in.Environment != nil {
		f.cfg.Environment = &lambdatypes.EnvironmentResponse{Variables: maps.Clone(in.Environment.Variables)}
		if f.cfg.Environment.Variables == nil {
			f.cfg.Environment.Variables = map[string]string{}
		}
	}
	if in.Layers != nil {
		f.cfg.Layers = nil
		for _, l := range in.Layers {
			f.cfg.Layers = append(f.cfg.Layers, lambdatypes.Layer{Arn: strp(l)})
		}
	}
	if in.VpcConfig != nil {
		f.cfg.VpcConfig = nil
		if len(in.VpcConfig.SubnetIds) > 0 {
			f.cfg.VpcConfig = &lambdatypes.VpcConfigResponse{SubnetIds: in.VpcConfig.SubnetIds, SecurityGroupIds: in.VpcConfig.SecurityGroupIds}
		}
	}
	if in.TracingConfig != nil {
		f.cfg.TracingConfig = &lambdatypes.TracingConfigResponse{Mode: in.TracingConfig.Mode}
	}
	s.startUpdate(f)
	if post != nil {
		return nil, post
	}
	return &lambda.UpdateFunctionConfigurationOutput{FunctionName: f.cfg.FunctionName, FunctionArn: f.cfg.FunctionArn, CodeSha256: f.cfg.CodeSha256,
		State: f.cfg.State, LastUpdateStatus: f.cfg.LastUpdateStatus}, nil
}

// DeleteFunction deletes a function and its resource-based policy.
func (s *Lambda) DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, _ ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "DeleteFunction", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	delete(s.c.functions, *f.cfg.FunctionName)
	if post != nil {
		return nil, post
	}
	return &lambda.DeleteFunctionOutput{}, nil
}

// TagResource adds tags to a function.
func (s *Lambda) TagResource(ctx context.Context, in *lambda.TagResourceInput, opts ...func(*lambda.Options)) (*lambda.TagResourceOutput, error) {
	return resend(s.c, attempts(opts, func(o *lambda.Options) int { return o.RetryMaxAttempts }), func() (*lambda.TagResourceOutput, error) { return s.tagResource(ctx, in) })
}

func (s *Lambda) tagResource(ctx context.Context, in *lambda.TagResourceInput) (*lambda.TagResourceOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "TagResource", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.Resource)
	if !ok {
		return nil, notFound("Function " + *in.Resource)
	}
	maps.Copy(f.tags, in.Tags)
	if post != nil {
		return nil, post
	}
	return &lambda.TagResourceOutput{}, nil
}

// ListTags returns the tags of a function or an event source mapping, by
// ARN.
func (s *Lambda) ListTags(ctx context.Context, in *lambda.ListTagsInput, _ ...func(*lambda.Options)) (*lambda.ListTagsOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "ListTags", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	arn := aws.ToString(in.Resource)
	if _, uuid, ok := strings.Cut(arn, ":event-source-mapping:"); ok {
		m, found := s.c.mappings[uuid]
		if !found || m.deleting() {
			return nil, notFound("Event source mapping " + arn)
		}
		return &lambda.ListTagsOutput{Tags: maps.Clone(m.tags)}, nil
	}
	if !strings.Contains(arn, ":function:") {
		return nil, invalid("Resource must be an ARN")
	}
	f, ok := s.lookup(arn)
	if !ok {
		return nil, notFound("Function " + arn)
	}
	return &lambda.ListTagsOutput{Tags: maps.Clone(f.tags)}, nil
}

// ListFunctions lists the functions sorted by name, MaxItems (default 50)
// a page, without their tags (as Lambda does: ListTags returns them).
func (s *Lambda) ListFunctions(ctx context.Context, in *lambda.ListFunctionsInput, _ ...func(*lambda.Options)) (*lambda.ListFunctionsOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "ListFunctions", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	limit := int(aws.ToInt32(in.MaxItems))
	if limit <= 0 {
		limit = 50
	}
	var names []string
	for n := range s.c.functions {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &lambda.ListFunctionsOutput{}
	for _, n := range names {
		if n <= aws.ToString(in.Marker) {
			continue
		}
		if len(out.Functions) == limit {
			out.NextMarker = out.Functions[len(out.Functions)-1].FunctionName
			break
		}
		cfg := s.c.functions[n].cfg
		cfg.Environment = &lambdatypes.EnvironmentResponse{Variables: maps.Clone(cfg.Environment.Variables)}
		out.Functions = append(out.Functions, cfg)
	}
	return out, nil
}

// UntagResource removes tags from a function.
func (s *Lambda) UntagResource(ctx context.Context, in *lambda.UntagResourceInput, _ ...func(*lambda.Options)) (*lambda.UntagResourceOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "UntagResource", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.Resource)
	if !ok {
		return nil, notFound("Function " + *in.Resource)
	}
	for _, k := range in.TagKeys {
		delete(f.tags, k)
	}
	if post != nil {
		return nil, post
	}
	return &lambda.UntagResourceOutput{}, nil
}

// PutFunctionConcurrency reserves concurrency.
func (s *Lambda) PutFunctionConcurrency(ctx context.Context, in *lambda.PutFunctionConcurrencyInput, _ ...func(*lambda.Options)) (*lambda.PutFunctionConcurrencyOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "PutFunctionConcurrency", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	f.concurrency = aws.Int32(*in.ReservedConcurrentExecutions)
	if post != nil {
		return nil, post
	}
	return &lambda.PutFunctionConcurrencyOutput{ReservedConcurrentExecutions: in.ReservedConcurrentExecutions}, nil
}

// DeleteFunctionConcurrency removes reserved concurrency.
func (s *Lambda) DeleteFunctionConcurrency(ctx context.Context, in *lambda.DeleteFunctionConcurrencyInput, _ ...func(*lambda.Options)) (*lambda.DeleteFunctionConcurrencyOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "DeleteFunctionConcurrency", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	f.concurrency = nil
	if post != nil {
		return nil, post
	}
	return &lambda.DeleteFunctionConcurrencyOutput{}, nil
}

// ListEventSourceMappings lists mappings, filtered by function and source.
func (s *Lambda) ListEventSourceMappings(ctx context.Context, in *lambda.ListEventSourceMappingsInput, _ ...func(*lambda.Options)) (*lambda.ListEventSourceMappingsOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "ListEventSourceMappings", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	var out lambda.ListEventSourceMappingsOutput
	var ids []string
	for id := range s.c.mappings {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		m := s.c.mappings[id]
		if s.seen(m) {
			continue
		}
		if in.FunctionName != nil {
			name := *in.FunctionName
			if f, ok := s.lookup(name); ok {
				name = *f.cfg.FunctionName
			}
			if name != m.function {
				continue
			}
		}
		if in.EventSourceArn != nil && *in.EventSourceArn != *m.cfg.EventSourceArn {
			continue
		}
		out.EventSourceMappings = append(out.EventSourceMappings, m.cfg)
	}
	return &out, nil
}

// GetEventSourceMapping returns a mapping; a deleted one is reported in
// State "Deleting" for MappingDeletePolls answers.
func (s *Lambda) GetEventSourceMapping(ctx context.Context, in *lambda.GetEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.GetEventSourceMappingOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "GetEventSourceMapping", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	m, ok := s.c.mappings[aws.ToString(in.UUID)]
	if !ok || s.seen(m) {
		return nil, notFound("Event source mapping " + aws.ToString(in.UUID))
	}
	c := m.cfg
	return &lambda.GetEventSourceMappingOutput{UUID: c.UUID, EventSourceArn: c.EventSourceArn, EventSourceMappingArn: c.EventSourceMappingArn,
		FunctionArn: c.FunctionArn, BatchSize: c.BatchSize, StartingPosition: c.StartingPosition,
		MaximumBatchingWindowInSeconds: c.MaximumBatchingWindowInSeconds, FunctionResponseTypes: c.FunctionResponseTypes, State: c.State,
		ScalingConfig: c.ScalingConfig, DestinationConfig: c.DestinationConfig, MaximumRetryAttempts: c.MaximumRetryAttempts,
		MaximumRecordAgeInSeconds: c.MaximumRecordAgeInSeconds, BisectBatchOnFunctionError: c.BisectBatchOnFunctionError}, nil
}

// sourceKind returns "dynamodb", "kinesis" or "sqs" for an event source
// ARN Lambda can map, "" otherwise.
func sourceKind(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	switch {
	case parts[2] == "dynamodb" && strings.HasPrefix(parts[5], "table/") && strings.Contains(parts[5], "/stream/"):
		return "dynamodb"
	case parts[2] == "kinesis" && strings.HasPrefix(parts[5], "stream/"):
		return "kinesis"
	case parts[2] == "sqs" && parts[5] != "" && !strings.Contains(parts[5], "/"):
		return "sqs"
	}
	return ""
}

func invalid(msg string) error {
	return &lambdatypes.InvalidParameterValueException{Message: strp(msg), Type: strp("User")}
}

// mappingSettings checks the settings of a mapping of a source kind, as
// Lambda does: stream settings are refused for queues and the other way
// round.
func mappingSettings(kind string, scaling *lambdatypes.ScalingConfig, dest *lambdatypes.DestinationConfig, retries, age *int32, bisect *bool) error {
	if kind == "sqs" {
		if dest != nil && dest.OnFailure != nil && aws.ToString(dest.OnFailure.Destination) != "" {
			return invalid("Unsupported DestinationConfig parameter for given event source mapping type.")
		}
		if retries != nil || age != nil || bisect != nil {
			return invalid("Unsupported MaximumRetryAttempts, MaximumRecordAgeInSeconds or BisectBatchOnFunctionError parameter for given event source mapping type.")
		}
		if scaling != nil && scaling.MaximumConcurrency != nil && (*scaling.MaximumConcurrency < 2 || *scaling.MaximumConcurrency > 1000) {
			return invalid("MaximumConcurrency must be between 2 and 1000.")
		}
		return nil
	}
	if scaling != nil && scaling.MaximumConcurrency != nil {
		return invalid("Unsupported ScalingConfig parameter for given event source mapping type.")
	}
	if dest != nil && dest.OnFailure != nil {
		if d := aws.ToString(dest.OnFailure.Destination); d != "" && !strings.Contains(d, ":sqs:") && !strings.Contains(d, ":sns:") {
			return invalid("The destination ARN " + d + " is invalid.")
		}
	}
	if retries != nil && (*retries < -1 || *retries > 10000) {
		return invalid("MaximumRetryAttempts must be between -1 and 10000.")
	}
	if age != nil && *age != -1 && (*age < 60 || *age > 604800) {
		return invalid("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800.")
	}
	return nil
}

// CreateEventSourceMapping maps a DynamoDB or Kinesis stream or an SQS
// queue to a function; it refuses a second mapping of a function and
// source, one being deleted included. Streams need a starting position
// and get Lambda's defaults (retry forever, any age); queues refuse
// stream settings.
func (s *Lambda) CreateEventSourceMapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput, opts ...func(*lambda.Options)) (*lambda.CreateEventSourceMappingOutput, error) {
	return resend(s.c, attempts(opts, func(o *lambda.Options) int { return o.RetryMaxAttempts }), func() (*lambda.CreateEventSourceMappingOutput, error) { return s.createEventSourceMapping(ctx, in) })
}

func (s *Lambda) createEventSourceMapping(ctx context.Context, in *lambda.CreateEventSourceMappingInput) (*lambda.CreateEventSourceMappingOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "CreateEventSourceMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, invalid("Function does not exist")
	}
	src := aws.ToString(in.EventSourceArn)
	kind := sourceKind(src)
	switch {
	case kind == "":
		return nil, invalid("Unrecognized event source.")
	case kind == "sqs" && in.StartingPosition != "":
		return nil, invalid("Unsupported starting position for SQS event sources.")
	case kind != "sqs" && in.StartingPosition == "":
		return nil, invalid("StartingPosition is required for stream event sources.")
	}
	if err := mappingSettings(kind, in.ScalingConfig, in.DestinationConfig, in.MaximumRetryAttempts, in.MaximumRecordAgeInSeconds, in.BisectBatchOnFunctionError); err != nil {
		return nil, err
	}
	for _, m := range s.c.mappings {
		if m.function == *f.cfg.FunctionName && *m.cfg.EventSourceArn == src {
			return nil, &lambdatypes.ResourceConflictException{Message: strp("The event source arn (" + src + ") and function (" + m.function + ") provided mapping already exists."), Type: strp("User")}
		}
	}
	n := s.c.nextID()
	uuid := fmt.Sprintf("%08x-0000-4000-8000-%012x", n, n)
	batch := int32(100)
	if kind == "sqs" {
		batch = 10
	}
	m := &mapping{function: *f.cfg.FunctionName, cfg: lambdatypes.EventSourceMappingConfiguration{
		UUID: strp(uuid), EventSourceArn: strp(src), FunctionArn: f.cfg.FunctionArn,
		EventSourceMappingArn:          strp(fmt.Sprintf("arn:aws:lambda:%s:%s:event-source-mapping:%s", s.c.Region, s.c.Account, uuid)),
		BatchSize:                      orInt32(in.BatchSize, batch),
		StartingPosition:               in.StartingPosition,
		MaximumBatchingWindowInSeconds: orInt32(in.MaximumBatchingWindowInSeconds, 0),
		FunctionResponseTypes:          in.FunctionResponseTypes,
		State:                          strp("Enabled"),
	}, tags: maps.Clone(in.Tags)}
	if kind == "sqs" {
		if in.ScalingConfig != nil && in.ScalingConfig.MaximumConcurrency != nil {
			m.cfg.ScalingConfig = &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(*in.ScalingConfig.MaximumConcurrency)}
		}
	} else {
		m.cfg.MaximumRetryAttempts = orInt32(in.MaximumRetryAttempts, -1)
		m.cfg.MaximumRecordAgeInSeconds = orInt32(in.MaximumRecordAgeInSeconds, -1)
		m.cfg.BisectBatchOnFunctionError = aws.Bool(aws.ToBool(in.BisectBatchOnFunctionError))
		m.cfg.DestinationConfig = onFailure(in.DestinationConfig)
	}
	s.c.mappings[uuid] = m
	if post != nil {
		return nil, post
	}
	return &lambda.CreateEventSourceMappingOutput{UUID: m.cfg.UUID, EventSourceArn: m.cfg.EventSourceArn,
		EventSourceMappingArn: m.cfg.EventSourceMappingArn, FunctionArn: m.cfg.FunctionArn, State: strp("Creating")}, nil
}

// onFailure copies a stream mapping's destination as Lambda reports it:
// an empty OnFailure when there is none.
func onFailure(d *lambdatypes.DestinationConfig) *lambdatypes.DestinationConfig {
	out := &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{}}
	if d != nil && d.OnFailure != nil && aws.ToString(d.OnFailure.Destination) != "" {
		out.OnFailure.Destination = strp(*d.OnFailure.Destination)
	}
	return out
}

// UpdateEventSourceMapping changes a mapping's batching settings.
func (s *Lambda) UpdateEventSourceMapping(ctx context.Context, in *lambda.UpdateEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.UpdateEventSourceMappingOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "UpdateEventSourceMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	m, ok := s.c.mappings[*in.UUID]
	if !ok {
		return nil, notFound("Event source mapping " + *in.UUID)
	}
	if in.BatchSize != nil {
		m.cfg.BatchSize = in.BatchSize
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		m.cfg.MaximumBatchingWindowInSeconds = in.MaximumBatchingWindowInSeconds
	}
	kind := sourceKind(*m.cfg.EventSourceArn)
	if err := mappingSettings(kind, in.ScalingConfig, in.DestinationConfig, in.MaximumRetryAttempts, in.MaximumRecordAgeInSeconds, in.BisectBatchOnFunctionError); err != nil {
		return nil, err
	}
	if in.FunctionResponseTypes != nil {
		m.cfg.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.ScalingConfig != nil {
		// An empty ScalingConfig removes the limit.
		m.cfg.ScalingConfig = nil
		if in.ScalingConfig.MaximumConcurrency != nil {
			m.cfg.ScalingConfig = &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(*in.ScalingConfig.MaximumConcurrency)}
		}
	}
	if in.DestinationConfig != nil {
		m.cfg.DestinationConfig = onFailure(in.DestinationConfig)
	}
	if in.MaximumRetryAttempts != nil {
		m.cfg.MaximumRetryAttempts = aws.Int32(*in.MaximumRetryAttempts)
	}
	if in.MaximumRecordAgeInSeconds != nil {
		m.cfg.MaximumRecordAgeInSeconds = aws.Int32(*in.MaximumRecordAgeInSeconds)
	}
	if in.BisectBatchOnFunctionError != nil {
		m.cfg.BisectBatchOnFunctionError = aws.Bool(*in.BisectBatchOnFunctionError)
	}
	if post != nil {
		return nil, post
	}
	return &lambda.UpdateEventSourceMappingOutput{UUID: m.cfg.UUID, State: strp("Updating")}, nil
}

// DeleteEventSourceMapping deletes a mapping, asynchronously: it stays,
// in State "Deleting", for MappingDeletePolls answers. Deleting it again
// meanwhile answers the same.
func (s *Lambda) DeleteEventSourceMapping(ctx context.Context, in *lambda.DeleteEventSourceMappingInput, _ ...func(*lambda.Options)) (*lambda.DeleteEventSourceMappingOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "DeleteEventSourceMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	m, ok := s.c.mappings[*in.UUID]
	if !ok {
		return nil, notFound("Event source mapping " + *in.UUID)
	}
	if !m.deleting() {
		m.cfg.State, m.polls = strp("Deleting"), s.c.MappingDeletePolls
		if m.polls <= 0 {
			delete(s.c.mappings, *in.UUID)
		}
	}
	if post != nil {
		return nil, post
	}
	return &lambda.DeleteEventSourceMappingOutput{UUID: m.cfg.UUID, State: strp("Deleting")}, nil
}

// GetPolicy returns a function's resource-based policy as JSON.
func (s *Lambda) GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, _ ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "GetPolicy", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	if len(f.statements) == 0 {
		return nil, notFound("The resource you requested does not exist. Policy")
	}
	type stmt struct {
		Sid       string
		Effect    string
		Principal any
		Action    string
		Resource  string
		Condition map[string]map[string]string `json:",omitempty"`
	}
	doc := struct {
		Version   string
		ID        string `json:"Id"`
		Statement []any
	}{Version: "2012-10-17", ID: "default"}
	for _, st := range f.statements {
		if st.raw != nil {
			doc.Statement = append(doc.Statement, st.raw)
			continue
		}
		// As Lambda writes them: "*" as it is, an account as its root
		// ARN, a service by name.
		var principal any = map[string]string{"Service": st.principal}
		switch {
		case st.principal == "*":
			principal = "*"
		case isAccount(st.principal):
			principal = map[string]string{"AWS": "arn:aws:iam::" + st.principal + ":root"}
		case strings.HasPrefix(st.principal, "arn:"):
			principal = map[string]string{"AWS": st.principal}
		}
		x := stmt{Sid: st.sid, Effect: "Allow", Principal: principal, Action: st.action, Resource: *f.cfg.FunctionArn}
		cond := map[string]map[string]string{}
		add := func(op, key, v string) {
			if v == "" {
				return
			}
			if cond[op] == nil {
				cond[op] = map[string]string{}
			}
			cond[op][key] = v
		}
		add("ArnLike", "AWS:SourceArn", st.sourceARN)
		add("StringEquals", "AWS:SourceAccount", st.sourceAccount)
		add("StringEquals", "lambda:FunctionUrlAuthType", st.urlAuthType)
		add("StringEquals", "aws:PrincipalOrgID", st.orgID)
		if len(cond) > 0 {
			x.Condition = cond
		}
		doc.Statement = append(doc.Statement, x)
	}
	data, _ := json.Marshal(doc)
	return &lambda.GetPolicyOutput{Policy: strp(string(data)), RevisionId: strp(fmt.Sprint(len(f.statements)))}, nil
}

// AddPermission adds a statement to a function's policy.
func (s *Lambda) AddPermission(ctx context.Context, in *lambda.AddPermissionInput, opts ...func(*lambda.Options)) (*lambda.AddPermissionOutput, error) {
	return resend(s.c, attempts(opts, func(o *lambda.Options) int { return o.RetryMaxAttempts }), func() (*lambda.AddPermissionOutput, error) { return s.addPermission(ctx, in) })
}

func (s *Lambda) addPermission(ctx context.Context, in *lambda.AddPermissionInput) (*lambda.AddPermissionOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "AddPermission", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	for _, st := range f.statements {
		if st.sid == *in.StatementId {
			return nil, &lambdatypes.ResourceConflictException{Message: strp("The statement id (" + st.sid + ") provided already exists. Please provide a new statement id, or remove the existing statement."), Type: strp("User")}
		}
	}
	f.statements = append(f.statements, statement{sid: *in.StatementId, principal: *in.Principal, action: *in.Action, sourceARN: aws.ToString(in.SourceArn),
		sourceAccount: aws.ToString(in.SourceAccount), urlAuthType: string(in.FunctionUrlAuthType), orgID: aws.ToString(in.PrincipalOrgID)})
	if post != nil {
		return nil, post
	}
	return &lambda.AddPermissionOutput{}, nil
}

// AddPolicyStatement adds a statement, as it is, to the resource-based
// policy of a function: one written by another tool, in a shape
// AddPermission does not make (a list in a condition, say). Its "Sid"
// names it for RemovePermission.
func (c *Cloud) AddPolicyStatement(function string, st json.RawMessage) error {
	var probe struct{ Sid string }
	if err := json.Unmarshal(st, &probe); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	f, ok := c.functions[function]
	if !ok {
		return fmt.Errorf("no function %s", function)
	}
	f.statements = append(f.statements, statement{sid: probe.Sid, raw: st})
	return nil
}

func isAccount(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// RemovePermission removes a statement from a function's policy.
func (s *Lambda) RemovePermission(ctx context.Context, in *lambda.RemovePermissionInput, _ ...func(*lambda.Options)) (*lambda.RemovePermissionOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "RemovePermission", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	for i, st := range f.statements {
		if st.sid == *in.StatementId {
			f.statements = append(f.statements[:i], f.statements[i+1:]...)
			if post != nil {
				return nil, post
			}
			return &lambda.RemovePermissionOutput{}, nil
		}
	}
	return nil, notFound("Statement " + *in.StatementId + " is")
}

// Invoke runs a function: it answers with the handler it would serve and
// the payload it was given.
func (s *Lambda) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "Invoke", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	payload := json.RawMessage(in.Payload)
	if len(payload) == 0 {
		payload = json.RawMessage("{}")
	}
	data, _ := json.Marshal(map[string]any{"handler": f.cfg.Environment.Variables["GOCHALICE_HANDLER"], "event": payload})
	return &lambda.InvokeOutput{StatusCode: 200, Payload: data, ExecutedVersion: strp("$LATEST")}, nil
}

// PutFunctionEventInvokeConfig sets a function's asynchronous invocation
// settings, resetting those not given.
func (s *Lambda) PutFunctionEventInvokeConfig(ctx context.Context, in *lambda.PutFunctionEventInvokeConfigInput, opts ...func(*lambda.Options)) (*lambda.PutFunctionEventInvokeConfigOutput, error) {
	return resend(s.c, attempts(opts, func(o *lambda.Options) int { return o.RetryMaxAttempts }), func() (*lambda.PutFunctionEventInvokeConfigOutput, error) {
		return s.putFunctionEventInvokeConfig(ctx, in)
	})
}

func (s *Lambda) putFunctionEventInvokeConfig(ctx context.Context, in *lambda.PutFunctionEventInvokeConfigInput) (*lambda.PutFunctionEventInvokeConfigOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "PutFunctionEventInvokeConfig", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	cfg := &lambda.GetFunctionEventInvokeConfigOutput{FunctionArn: f.cfg.FunctionArn}
	if err := s.setInvokeConfig(cfg, in.DestinationConfig, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds); err != nil {
		return nil, err
	}
	f.invokeConfig = cfg
	if post != nil {
		return nil, post
	}
	return &lambda.PutFunctionEventInvokeConfigOutput{FunctionArn: cfg.FunctionArn, DestinationConfig: cfg.DestinationConfig,
		MaximumRetryAttempts: cfg.MaximumRetryAttempts, MaximumEventAgeInSeconds: cfg.MaximumEventAgeInSeconds}, nil
}

// UpdateFunctionEventInvokeConfig changes the settings given of a
// function's asynchronous invocation settings.
func (s *Lambda) UpdateFunctionEventInvokeConfig(ctx context.Context, in *lambda.UpdateFunctionEventInvokeConfigInput, _ ...func(*lambda.Options)) (*lambda.UpdateFunctionEventInvokeConfigOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "UpdateFunctionEventInvokeConfig", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	cfg := &lambda.GetFunctionEventInvokeConfigOutput{FunctionArn: f.cfg.FunctionArn}
	if f.invokeConfig != nil {
		*cfg = *f.invokeConfig
	}
	dest, retries, age := in.DestinationConfig, in.MaximumRetryAttempts, in.MaximumEventAgeInSeconds
	if dest == nil {
		dest = cfg.DestinationConfig
	}
	if retries == nil {
		retries = cfg.MaximumRetryAttempts
	}
	if age == nil {
		age = cfg.MaximumEventAgeInSeconds
	}
	if err := s.setInvokeConfig(cfg, dest, retries, age); err != nil {
		return nil, err
	}
	f.invokeConfig = cfg
	if post != nil {
		return nil, post
	}
	return &lambda.UpdateFunctionEventInvokeConfigOutput{FunctionArn: cfg.FunctionArn, DestinationConfig: cfg.DestinationConfig,
		MaximumRetryAttempts: cfg.MaximumRetryAttempts, MaximumEventAgeInSeconds: cfg.MaximumEventAgeInSeconds}, nil
}

func (s *Lambda) setInvokeConfig(cfg *lambda.GetFunctionEventInvokeConfigOutput, dest *lambdatypes.DestinationConfig, retries, age *int32) error {
	if retries != nil && (*retries < 0 || *retries > 2) {
		return invalid("MaximumRetryAttempts must be between 0 and 2.")
	}
	if age != nil && (*age < 60 || *age > 21600) {
		return invalid("MaximumEventAgeInSeconds must be between 60 and 21600.")
	}
	cfg.DestinationConfig = nil
	if dest != nil && dest.OnFailure != nil && aws.ToString(dest.OnFailure.Destination) != "" {
		d := *dest.OnFailure.Destination
		if !strings.Contains(d, ":sqs:") && !strings.Contains(d, ":sns:") && !strings.Contains(d, ":lambda:") && !strings.Contains(d, ":events:") {
			return invalid("The destination ARN " + d + " is invalid.")
		}
		cfg.DestinationConfig = &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: strp(d)}}
	}
	cfg.MaximumRetryAttempts, cfg.MaximumEventAgeInSeconds = nil, nil
	if retries != nil {
		cfg.MaximumRetryAttempts = aws.Int32(*retries)
	}
	if age != nil {
		cfg.MaximumEventAgeInSeconds = aws.Int32(*age)
	}
	return nil
}

// GetFunctionEventInvokeConfig returns a function's asynchronous
// invocation settings.
func (s *Lambda) GetFunctionEventInvokeConfig(ctx context.Context, in *lambda.GetFunctionEventInvokeConfigInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionEventInvokeConfigOutput, error) {
	if _, err := s.c.begin(ctx, "lambda", "GetFunctionEventInvokeConfig", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	if f.invokeConfig == nil {
		return nil, notFound("The function " + *f.cfg.FunctionArn + " doesn't have an EventInvokeConfig")
	}
	out := *f.invokeConfig
	return &out, nil
}

// DeleteFunctionEventInvokeConfig removes a function's asynchronous
// invocation settings.
func (s *Lambda) DeleteFunctionEventInvokeConfig(ctx context.Context, in *lambda.DeleteFunctionEventInvokeConfigInput, _ ...func(*lambda.Options)) (*lambda.DeleteFunctionEventInvokeConfigOutput, error) {
	post, err := s.c.begin(ctx, "lambda", "DeleteFunctionEventInvokeConfig", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	f, ok := s.lookup(*in.FunctionName)
	if !ok {
		return nil, notFound("Function " + s.arn(*in.FunctionName))
	}
	if f.invokeConfig == nil {
		return nil, notFound("The function " + *f.cfg.FunctionArn + " doesn't have an EventInvokeConfig")
	}
	f.invokeConfig = nil
	if post != nil {
		return nil, post
	}
	return &lambda.DeleteFunctionEventInvokeConfigOutput{}, nil
}
