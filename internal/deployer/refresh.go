package deployer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Refresh reads from AWS what exists of the resources desired or recorded
// (recorded may be nil). A recorded resource that is gone is left out, so
// the plan creates it again; a desired resource that exists under this
// app's name but was not recorded is included, marked Unrecorded, so the
// plan adopts it instead of creating a duplicate. Refresh only reads.
func (d *Deployer) Refresh(ctx context.Context, desired *Desired, recorded *State) (*State, error) {
	if recorded == nil {
		recorded = NewState(desired.App, desired.Stage, desired.Target)
	}
	actual := NewState(desired.App, desired.Stage, desired.Target)
	type item struct {
		addr     string
		want     *Resource
		recorded *ResourceState
	}
	var items []item
	for i := range desired.Resources {
		r := &desired.Resources[i]
		it := item{addr: r.Address, want: r}
		if rs, ok := recorded.Resources[r.Address]; ok {
			it.recorded = &rs
		}
		items = append(items, it)
	}
	for _, addr := range recorded.Addresses() {
		if _, ok := desired.Resource(addr); ok {
			continue
		}
		rs := recorded.Resources[addr]
		items = append(items, item{addr: addr, recorded: &rs})
	}
	var mu sync.Mutex
	run := func(phase []item) error {
		return d.forEach(ctx, len(phase), func(i int) error {
			it := phase[i]
			rs, found, err := d.lookup(ctx, actual, &mu, it.addr, it.want, it.recorded)
			if err != nil {
				return fmt.Errorf("refresh %s: %w", it.addr, err)
			}
			if !found {
				return nil
			}
			if it.want != nil {
				rs.DependsOn = slices.Clone(it.want.DependsOn)
			} else {
				rs.DependsOn = slices.Clone(it.recorded.DependsOn)
			}
			rs.Unrecorded = it.recorded == nil
			mu.Lock()
			actual.Resources[it.addr] = rs
			mu.Unlock()
			return nil
		})
	}
	// A REST API's deployments and an HTTP API's stages need the API's id
	// as it is: look them up once the API is.
	var first, second []item
	for _, it := range items {
		var typ ResourceType
		if it.want != nil {
			typ = it.want.Type
		} else {
			typ = it.recorded.Type
		}
		if typ == TypeDeployment || typ == TypeHTTPStage {
			second = append(second, it)
		} else {
			first = append(first, it)
		}
	}
	if err := run(first); err != nil {
		return nil, err
	}
	if err := run(second); err != nil {
		return nil, err
	}
	return actual, nil
}

// lookup finds one resource in AWS.
func (d *Deployer) lookup(ctx context.Context, actual *State, mu *sync.Mutex, addr string, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	typ, name := ResourceType(""), ""
	if want != nil {
		typ, name = want.Type, want.Name
	} else {
		typ, name = rec.Type, rec.Name
	}
	switch typ {
	case TypeRole:
		policyName := name
		if want != nil {
			policyName = want.Role.PolicyName
		}
		return d.readRole(ctx, name, policyName)
	case TypeFunction:
		return d.readFunction(ctx, name)
	case TypeLogGroup:
		return d.readLogGroup(ctx, name)
	case TypeEventSourceMapping:
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
		return d.readMapping(ctx, fn, uuid, sources)
	case TypeRestAPI:
		desc, id, sha := "", "", ""
		if want != nil {
			desc = want.RestAPI.Description
		} else {
			desc = rec.Attributes["description"]
		}
		if rec != nil {
			id, sha = rec.ID, rec.Attributes["document_sha256"]
		}
		return d.readRestAPI(ctx, name, desc, id, sha)
	case TypeDeployment:
		mu.Lock()
		api, ok := actual.Resources[restAPIAddr]
		mu.Unlock()
		if !ok {
			return ResourceState{}, false, nil
		}
		return d.readDeployment(ctx, api.ID, name, rec)
	case TypePermission:
		fn := ""
		if want != nil {
			fn = want.Permission.FunctionName
		} else {
			fn = rec.Attributes["function_name"]
		}
		return d.readPermission(ctx, fn, name)
	}
	if k, ok := kindOf(typ); ok {
		return k.read(ctx, d, actual, mu, want, rec)
	}
	return ResourceState{}, false, fmt.Errorf("unknown resource type %q", typ)
}

func (d *Deployer) readRole(ctx context.Context, name, policyName string) (ResourceState, bool, error) {
	var out *iam.GetRoleOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: &name})
		return err
	})
	var missing *iamtypes.NoSuchEntityException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	rs := ResourceState{Type: TypeRole, Name: name, ARN: aws.ToString(out.Role.Arn), Attributes: map[string]string{
		"trust_policy": decodePolicy(aws.ToString(out.Role.AssumeRolePolicyDocument)),
		"policy":       "",
	}}
	var pol *iam.GetRolePolicyOutput
	err = d.retry(ctx, func() (err error) {
		pol, err = d.Clients.IAM.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: &name, PolicyName: &policyName})
		return err
	})
	switch {
	case errors.As(err, &missing):
	case err != nil:
		return ResourceState{}, false, err
	default:
		rs.Attributes["policy"] = decodePolicy(aws.ToString(pol.PolicyDocument))
	}
	return rs, true, nil
}

// decodePolicy turns a policy document as IAM returns it (URL-encoded)
// into canonical JSON.
func decodePolicy(doc string) string {
	if s, err := url.QueryUnescape(doc); err == nil {
		doc = s
	}
	return canonicalJSONString(doc)
}

func (d *Deployer) readFunction(ctx context.Context, name string) (ResourceState, bool, error) {
	var out *lambda.GetFunctionOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.Lambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: &name})
		return err
	})
	var missing *lambdatypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	return ResourceState{Type: TypeFunction, Name: name, ARN: aws.ToString(out.Configuration.FunctionArn), Attributes: functionAttributes(out)}, true, nil
}

// functionAttributes are the attributes of a function as Lambda reports it.
func functionAttributes(out *lambda.GetFunctionOutput) map[string]string {
	c := out.Configuration
	arch := ""
	if len(c.Architectures) > 0 {
		arch = string(c.Architectures[0])
	}
	var env map[string]string
	if c.Environment != nil {
		env = c.Environment.Variables
	}
	rc := ""
	if out.Concurrency != nil && out.Concurrency.ReservedConcurrentExecutions != nil {
		rc = itoa(int(*out.Concurrency.ReservedConcurrentExecutions))
	}
	var layers, subnets, sgs []string
	for _, l := range c.Layers {
		layers = append(layers, aws.ToString(l.Arn))
	}
	if c.VpcConfig != nil {
		subnets, sgs = sortedCopy(c.VpcConfig.SubnetIds), sortedCopy(c.VpcConfig.SecurityGroupIds)
	}
	tracing := "PassThrough"
	if c.TracingConfig != nil && c.TracingConfig.Mode != "" {
		tracing = string(c.TracingConfig.Mode)
	}
	return map[string]string{
		"role":                 aws.ToString(c.Role),
		"runtime":              string(c.Runtime),
		"handler":              aws.ToString(c.Handler),
		"architecture":         arch,
		"memory_size":          itoa(int(aws.ToInt32(c.MemorySize))),
		"timeout":              itoa(int(aws.ToInt32(c.Timeout))),
		"environment":          jsonString(env),
		"tags":                 jsonString(out.Tags),
		"reserved_concurrency": rc,
		"layers":               jsonList(layers),
		"subnet_ids":           jsonList(subnets),
		"security_group_ids":   jsonList(sgs),
		"tracing":              tracing,
		"code_sha256":          aws.ToString(c.CodeSha256),
	}
}

func (d *Deployer) readLogGroup(ctx context.Context, name string) (ResourceState, bool, error) {
	var out *cloudwatchlogs.DescribeLogGroupsOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.Logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: &name})
		return err
	})
	if err != nil {
		return ResourceState{}, false, err
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == name {
			return ResourceState{Type: TypeLogGroup, Name: name, ARN: aws.ToString(g.Arn), Attributes: map[string]string{
				"retention_in_days": itoa(int(aws.ToInt32(g.RetentionInDays))),
			}}, true, nil
		}
	}
	return ResourceState{}, false, nil
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
		Attributes: mappingAttributes(fn, m)}, true, nil
}

// mappingDeleting is the State of an event source mapping Lambda is
// deleting.
const mappingDeleting = "Deleting"

func mappingAttributes(fn string, m lambdatypes.EventSourceMappingConfiguration) map[string]string {
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

// lambdaPolicy is a function's resource-based policy as GetPolicy returns
// it. Other statements than ours may be there (a function URL's, with
// "Principal": "*"; conditions with lists), so only the shape common to
// all is decoded strictly; ours is interpreted by readPermission.
type lambdaPolicy struct {
	Statement []struct {
		Sid       string
		Action    any
		Principal json.RawMessage
		Condition map[string]map[string]any
	}
}

// policyPrincipal returns a statement's principal: a service's name, an
// "AWS" principal, or "*"; "" when it is none of these.
func policyPrincipal(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	if v := policyString(m["Service"]); v != "" {
		return v
	}
	return policyString(m["AWS"])
}

// policyString returns a policy value that is a string, or a list of one
// string; "" otherwise.
func policyString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		if len(v) == 1 {
			s, _ := v[0].(string)
			return s
		}
	}
	return ""
}

func (d *Deployer) readPermission(ctx context.Context, fn, sid string) (ResourceState, bool, error) {
	var out *lambda.GetPolicyOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.Lambda.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: &fn})
		return err
	})
	var missing *lambdatypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	var pol lambdaPolicy
	if err := json.Unmarshal([]byte(aws.ToString(out.Policy)), &pol); err != nil {
		return ResourceState{}, false, fmt.Errorf("policy of %s: %w", fn, err)
	}
	for _, st := range pol.Statement {
		if st.Sid != sid {
			continue
		}
		attrs := map[string]string{
			"function_name": fn,
			"principal":     policyPrincipal(st.Principal),
			"action":        policyString(st.Action),
			"source_arn":    policyString(st.Condition["ArnLike"]["AWS:SourceArn"]),
		}
		if acct := policyString(st.Condition["StringEquals"]["AWS:SourceAccount"]); acct != "" {
			attrs["source_account"] = acct
		}
		return ResourceState{Type: TypePermission, Name: sid, Attributes: attrs}, true, nil
	}
	return ResourceState{}, false, nil
}

// forEach runs f(0..n-1) with at most d.parallelism() at a time and
// returns the errors joined.
func (d *Deployer) forEach(ctx context.Context, n int, f func(i int) error) error {
	sem := make(chan struct{}, d.parallelism())
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		if err := ctx.Err(); err != nil {
			errs[i] = err
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = f(i)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
