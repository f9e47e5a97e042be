package deployer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// MappingSpec is an event source mapping of a pull source: a DynamoDB or
// Kinesis stream, or an SQS queue.
type MappingSpec struct {
	FunctionName   string `json:"function_name"`
	EventSourceARN string `json:"event_source_arn"`
	BatchSize      int    `json:"batch_size"`
	// StartingPosition is LATEST or TRIM_HORIZON for streams, "" for
	// queues.
	StartingPosition               string `json:"starting_position"`
	MaximumBatchingWindowInSeconds int    `json:"maximum_batching_window_in_seconds"`
	ReportBatchItemFailures        bool   `json:"report_batch_item_failures"`

	// MaximumConcurrency (ScalingConfig) is a queue's, 0 for no limit.
	MaximumConcurrency int `json:"maximum_concurrency,omitempty"`

	// Streams only: where failed batches go (an SQS queue or SNS topic),
	// how often a batch is retried (-1 forever; nil Lambda's default,
	// forever) and how old a record may get (-1 any age; nil Lambda's
	// default), and whether a failed batch is split in two.
	OnFailureARN               string `json:"on_failure_arn,omitempty"`
	MaximumRetryAttempts       *int   `json:"maximum_retry_attempts,omitempty"`
	MaximumRecordAgeInSeconds  *int   `json:"maximum_record_age_in_seconds,omitempty"`
	BisectBatchOnFunctionError bool   `json:"bisect_batch_on_function_error,omitempty"`

	// Table is the DynamoDB table whose latest stream the deploy looks
	// up, when the app names a table rather than a stream ARN.
	Table string `json:"-"`
}

// isQueueSource reports whether a mapping's source is an SQS queue (an
// ARN, possibly with template placeholders).
func isQueueSource(arn string) bool { return strings.Contains(arn, ":sqs:") }

// mappingKind is the event source mapping of a pull source
// (event_source_mapping, "esm:<function>"). Lambda cannot move a mapping
// to another source, function or starting position: the plan replaces
// it.
func mappingKind() kind {
	return kind{
		attributes: mappingAttributes,
		replace:    []string{"event_source_arn", "starting_position", "function_name"},
		apply:      applyMapping,
		discover:   discoverMappings,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.Lambda.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: &prior.ID})
				return err
			})
			return ignore[*lambdatypes.ResourceNotFoundException](err)
		},
		// Lambda deletes a mapping asynchronously and refuses a new one of
		// the same function and source meanwhile.
		waitDeleted: func(ctx context.Context, a *applier, prior ResourceState) error {
			return a.d.waitMappingGone(ctx, prior.ID)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			var sources []string
			fn := ""
			if want != nil {
				sources = append(sources, want.Mapping.EventSourceARN)
				fn = want.Mapping.FunctionName
			}
			uuid := ""
			if rec != nil {
				uuid = rec.ID
				sources = append(sources, rec.Attributes["event_source_arn"])
				if fn == "" {
					fn = rec.Attributes["function_name"]
				}
			}
			return rd.d.readMapping(ctx, fn, uuid, sources)
		},
		logicalID:      "EventSourceMapping",
		cloudFormation: mappingCloudFormation,
		terraform:      mappingTerraform,
		deployerPolicy: mappingDeployerPolicy,
	}
}

func mappingAttributes(r *Resource, _ *State) map[string]string {
	m := r.Mapping
	attrs := map[string]string{
		"function_name":                      m.FunctionName,
		"event_source_arn":                   m.EventSourceARN,
		"batch_size":                         itoa(m.BatchSize),
		"starting_position":                  m.StartingPosition,
		"maximum_batching_window_in_seconds": itoa(m.MaximumBatchingWindowInSeconds),
		"function_response_types":            responseTypes(m.ReportBatchItemFailures),
	}
	if isQueueSource(m.EventSourceARN) {
		attrs["maximum_concurrency"] = ""
		if m.MaximumConcurrency > 0 {
			attrs["maximum_concurrency"] = itoa(m.MaximumConcurrency)
		}
		return attrs
	}
	// Streams: Lambda's defaults are -1 (forever, any age).
	attrs["on_failure"] = m.OnFailureARN
	attrs["maximum_retry_attempts"] = itoaOr(m.MaximumRetryAttempts, "-1")
	attrs["maximum_record_age_in_seconds"] = itoaOr(m.MaximumRecordAgeInSeconds, "-1")
	attrs["bisect_batch_on_function_error"] = strconv.FormatBool(m.BisectBatchOnFunctionError)
	return attrs
}

// mappingDeployerPolicy: lambda:ListEventSourceMappings accepts only "*";
// lambda:CreateEventSourceMapping accepts only "*" and is limited to the
// app's functions other than the API handler (which reads no source) by
// the lambda:FunctionArn condition, as are reads, updates and deletes. A
// stream given by its table's name is looked up (dynamodb:DescribeTable).
// The reads of the source itself are the execution role's (execrole).
func mappingDeployerPolicy(c *policyContext, want *Resource, _ *ResourceState) []iam.Statement {
	forFunctions := iam.Conditions{"ArnLike": {"lambda:FunctionArn": c.otherFunctions()}}
	out := []iam.Statement{
		allow("ListEventSourceMappings", []string{"lambda:ListEventSourceMappings"}, iam.Strings{"*"}, nil),
		allow("CreateEventSourceMappings", []string{"lambda:CreateEventSourceMapping"}, iam.Strings{"*"}, forFunctions),
		allow("ChangeEventSourceMappings", []string{"lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"},
			iam.Strings{c.t.Regional("lambda", "event-source-mapping:*")}, forFunctions),
		// CreateEventSourceMapping tags the mapping as the stage's.
		allow("TagEventSourceMappings", []string{"lambda:TagResource"}, iam.Strings{c.t.Regional("lambda", "event-source-mapping:*")}, nil),
	}
	if want != nil && want.Mapping.Table != "" {
		out = append(out, allow("FindTableStreams", []string{"dynamodb:DescribeTable"}, iam.Strings{c.t.Table(want.Mapping.Table)}, nil))
	}
	return out
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

func applyMapping(ctx context.Context, a *applier, r *Resource) error {
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
				Tags:                           a.stage().Tags(),
			}
			if in.scaling != nil && in.scaling.MaximumConcurrency != nil {
				create.ScalingConfig = in.scaling
			}
			if m.OnFailureARN != "" {
				create.DestinationConfig = in.destination
			}
			var out *lambda.CreateEventSourceMappingOutput
			adopted, err := d.createOnce(ctx, func() (err error) {
				out, err = d.Clients.Lambda.CreateEventSourceMapping(ctx, create, lambdaOnce)
				return err
			}, func() (found bool, err error) {
				got, found, err = d.readMapping(ctx, m.FunctionName, "", []string{m.EventSourceARN})
				return found, err
			})
			switch {
			case err != nil:
				return err
			case adopted:
				rs = got
			default:
				rs = ResourceState{Type: TypeEventSourceMapping, Name: m.FunctionName, ID: aws.ToString(out.UUID),
					ARN: aws.ToString(out.EventSourceMappingArn), Attributes: r.Attributes(nil)}
			}
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

func (d *Deployer) readMapping(ctx context.Context, fn, uuid string, sources []string) (ResourceState, bool, error) {
	var all []lambdatypes.EventSourceMappingConfiguration
	var marker *string
	for {
		var out *lambda.ListEventSourceMappingsOutput
		err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Lambda.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{FunctionName: &fn, Marker: marker})
			return err
		})
		var missing *lambdatypes.ResourceNotFoundException
		if errors.As(err, &missing) {
			return ResourceState{}, false, nil
		}
		if err != nil {
			return ResourceState{}, false, err
		}
		all = append(all, out.EventSourceMappings...)
		if out.NextMarker == nil {
			break
		}
		marker = out.NextMarker
	}
	// The mapping with uuid, else the first on the earliest of sources. A
	// mapping being deleted (Lambda deletes asynchronously) is gone
	// already: adopting it would record a mapping about to vanish.
	pick, rank := -1, len(sources)
	for i, m := range all {
		if aws.ToString(m.State) == mappingDeleting {
			continue
		}
		if uuid != "" && aws.ToString(m.UUID) == uuid {
			pick = i
			break
		}
		if r := slices.Index(sources, aws.ToString(m.EventSourceArn)); r >= 0 && r < rank {
			pick, rank = i, r
		}
	}
	if pick < 0 {
		return ResourceState{}, false, nil
	}
	m := all[pick]
	return ResourceState{Type: TypeEventSourceMapping, Name: fn, ARN: aws.ToString(m.EventSourceMappingArn), ID: aws.ToString(m.UUID),
		Attributes: reportedMappingAttributes(fn, m)}, true, nil
}

// mappingDeleting is the State of an event source mapping Lambda is
// deleting.
const mappingDeleting = "Deleting"

func reportedMappingAttributes(fn string, m lambdatypes.EventSourceMappingConfiguration) map[string]string {
	report := slices.Contains(m.FunctionResponseTypes, lambdatypes.FunctionResponseTypeReportBatchItemFailures)
	attrs := map[string]string{
		"function_name":                      fn,
		"event_source_arn":                   aws.ToString(m.EventSourceArn),
		"batch_size":                         itoa(int(aws.ToInt32(m.BatchSize))),
		"starting_position":                  string(m.StartingPosition),
		"maximum_batching_window_in_seconds": itoa(int(aws.ToInt32(m.MaximumBatchingWindowInSeconds))),
		"function_response_types":            responseTypes(report),
	}
	if isQueueSource(aws.ToString(m.EventSourceArn)) {
		attrs["maximum_concurrency"] = ""
		if m.ScalingConfig != nil && m.ScalingConfig.MaximumConcurrency != nil {
			attrs["maximum_concurrency"] = itoa(int(*m.ScalingConfig.MaximumConcurrency))
		}
		return attrs
	}
	attrs["on_failure"] = ""
	if dc := m.DestinationConfig; dc != nil && dc.OnFailure != nil {
		attrs["on_failure"] = aws.ToString(dc.OnFailure.Destination)
	}
	attrs["maximum_retry_attempts"] = "-1"
	if m.MaximumRetryAttempts != nil {
		attrs["maximum_retry_attempts"] = itoa(int(*m.MaximumRetryAttempts))
	}
	attrs["maximum_record_age_in_seconds"] = "-1"
	if m.MaximumRecordAgeInSeconds != nil {
		attrs["maximum_record_age_in_seconds"] = itoa(int(*m.MaximumRecordAgeInSeconds))
	}
	attrs["bisect_batch_on_function_error"] = strconv.FormatBool(aws.ToBool(m.BisectBatchOnFunctionError))
	return attrs
}

func mappingCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	m := r.Mapping
	props := map[string]any{
		"FunctionName":                   map[string]any{"Ref": c.IDs[functionAddr(addressFunction(r.Address))]},
		"EventSourceArn":                 c.Sub(m.EventSourceARN),
		"BatchSize":                      m.BatchSize,
		"MaximumBatchingWindowInSeconds": m.MaximumBatchingWindowInSeconds,
	}
	if m.StartingPosition != "" {
		props["StartingPosition"] = m.StartingPosition
	}
	if m.ReportBatchItemFailures {
		props["FunctionResponseTypes"] = []string{"ReportBatchItemFailures"}
	}
	if m.MaximumConcurrency > 0 {
		props["ScalingConfig"] = map[string]any{"MaximumConcurrency": m.MaximumConcurrency}
	}
	if m.OnFailureARN != "" {
		props["DestinationConfig"] = map[string]any{"OnFailure": map[string]any{"Destination": c.Sub(m.OnFailureARN)}}
	}
	if m.MaximumRetryAttempts != nil {
		props["MaximumRetryAttempts"] = *m.MaximumRetryAttempts
	}
	if m.MaximumRecordAgeInSeconds != nil {
		props["MaximumRecordAgeInSeconds"] = *m.MaximumRecordAgeInSeconds
	}
	if m.BisectBatchOnFunctionError {
		props["BisectBatchOnFunctionError"] = true
	}
	return "AWS::Lambda::EventSourceMapping", props, nil
}

func mappingTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	m := r.Mapping
	body := map[string]any{
		"function_name":                      "${aws_lambda_function." + c.Function + ".arn}",
		"event_source_arn":                   c.Expand(m.EventSourceARN),
		"batch_size":                         m.BatchSize,
		"maximum_batching_window_in_seconds": m.MaximumBatchingWindowInSeconds,
	}
	if m.StartingPosition != "" {
		body["starting_position"] = m.StartingPosition
	}
	if m.ReportBatchItemFailures {
		body["function_response_types"] = []string{"ReportBatchItemFailures"}
	}
	if m.MaximumConcurrency > 0 {
		body["scaling_config"] = map[string]any{"maximum_concurrency": m.MaximumConcurrency}
	}
	if m.OnFailureARN != "" {
		body["destination_config"] = map[string]any{"on_failure": map[string]any{"destination_arn": c.Expand(m.OnFailureARN)}}
	}
	if m.MaximumRetryAttempts != nil {
		body["maximum_retry_attempts"] = *m.MaximumRetryAttempts
	}
	if m.MaximumRecordAgeInSeconds != nil {
		body["maximum_record_age_in_seconds"] = *m.MaximumRecordAgeInSeconds
	}
	if m.BisectBatchOnFunctionError {
		body["bisect_batch_on_function_error"] = true
	}
	return []tfBlock{{typ: "aws_lambda_event_source_mapping", name: c.Name, body: body}}, nil
}
