package deployer

import (
	"context"
	"errors"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gochalice/gochalice/internal/build"
	"github.com/gochalice/gochalice/internal/iam"
)

// FunctionSpec is a Lambda function running the app's binary.
type FunctionSpec struct {
	Function            string            `json:"function"`
	RoleARN             string            `json:"role_arn"`
	Runtime             string            `json:"runtime"`
	Handler             string            `json:"handler"`
	Architecture        string            `json:"architecture"`
	MemorySize          int               `json:"memory_size"`
	Timeout             int               `json:"timeout"`
	Environment         map[string]string `json:"environment"`
	Tags                map[string]string `json:"tags"`
	ReservedConcurrency *int              `json:"reserved_concurrency,omitempty"`
	Layers              []string          `json:"layers,omitempty"`
	SubnetIDs           []string          `json:"subnet_ids,omitempty"`
	SecurityGroupIDs    []string          `json:"security_group_ids,omitempty"`
	Tracing             string            `json:"tracing"`
	CodeSHA256          string            `json:"code_sha256"`
}

// functionKind is a Lambda function of the app (lambda_function,
// "function:<function>"): every one runs the app's binary, told which
// handler to serve by its environment.
func functionKind() kind {
	return kind{
		attributes: functionAttributes,
		apply:      applyFunction,
		discover:   discoverFunctions,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			err := a.d.retry(ctx, func() error {
				_, err := a.d.Clients.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: &prior.Name})
				return err
			})
			return ignore[*lambdatypes.ResourceNotFoundException](err)
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			if want != nil {
				return rd.d.readFunction(ctx, want.Name)
			}
			return rd.d.readFunction(ctx, rec.Name)
		},
		cloudFormation: functionCloudFormation,
		terraform:      functionTerraform,
		deployerPolicy: functionDeployerPolicy,
	}
}

func functionAttributes(r *Resource, _ *State) map[string]string {
	f := r.Function
	rc := ""
	if f.ReservedConcurrency != nil {
		rc = itoa(*f.ReservedConcurrency)
	}
	return map[string]string{
		"role":                 f.RoleARN,
		"runtime":              f.Runtime,
		"handler":              f.Handler,
		"architecture":         f.Architecture,
		"memory_size":          itoa(f.MemorySize),
		"timeout":              itoa(f.Timeout),
		"environment":          envAttribute(f.Environment),
		"tags":                 jsonString(f.Tags),
		"reserved_concurrency": rc,
		"layers":               jsonList(f.Layers),
		"subnet_ids":           jsonList(sortedCopy(f.SubnetIDs)),
		"security_group_ids":   jsonList(sortedCopy(f.SecurityGroupIDs)),
		"tracing":              f.Tracing,
		"code_sha256":          f.CodeSHA256,
	}
}

// functionDeployerPolicy: the stage's functions are "<app>-<stage>" and
// "<app>-<stage>-*". GetFunction returns a function's tags only to a
// caller allowed lambda:ListTags; without them every deploy would re-tag.
// A pre-made role is passed to Lambda; layers are read; attaching a
// function to a VPC makes Lambda ask its caller for the VPC's subnets,
// security groups and VPC.
func functionDeployerPolicy(c *policyContext, want *Resource, _ *ResourceState) []iam.Statement {
	out := []iam.Statement{
		allow("ManageFunctions", []string{"lambda:CreateFunction", "lambda:DeleteFunction", "lambda:DeleteFunctionConcurrency",
			"lambda:GetFunction", "lambda:ListTags", "lambda:PutFunctionConcurrency", "lambda:TagResource", "lambda:UntagResource",
			"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"}, c.functions(), nil),
		// gochalice invoke.
		allow("InvokeFunctions", []string{"lambda:InvokeFunction"}, c.functions(), nil),
	}
	if want == nil {
		return out
	}
	f := want.Function
	if f.RoleARN != "" && !slices.Contains(want.DependsOn, roleAddr(f.Function)) {
		out = append(out, passRole(iam.Strings{f.RoleARN}))
	}
	if len(f.Layers) > 0 {
		out = append(out, allow("UseLayers", []string{"lambda:GetLayerVersion"}, iam.Strings(slices.Clone(f.Layers)), nil))
	}
	if len(f.SubnetIDs) > 0 || len(f.SecurityGroupIDs) > 0 {
		out = append(out, allow("AttachFunctionsToVPC", []string{"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"}, iam.Strings{"*"}, nil))
	}
	return out
}

func (a *applier) code() []byte {
	if a.desired == nil || a.desired.Code == nil {
		return nil
	}
	return a.desired.Code.Zip
}

func applyFunction(ctx context.Context, a *applier, r *Resource) error {
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
	return ResourceState{Type: TypeFunction, Name: name, ARN: aws.ToString(out.Configuration.FunctionArn), Attributes: reportedFunctionAttributes(out)}, true, nil
}

// reportedFunctionAttributes are the attributes of a function as Lambda
// reports it.
func reportedFunctionAttributes(out *lambda.GetFunctionOutput) map[string]string {
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
		"environment":          envAttribute(env),
		"tags":                 jsonString(out.Tags),
		"reserved_concurrency": rc,
		"layers":               jsonList(layers),
		"subnet_ids":           jsonList(subnets),
		"security_group_ids":   jsonList(sgs),
		"tracing":              tracing,
		"code_sha256":          aws.ToString(c.CodeSha256),
	}
}

// functionCloudFormation makes the function an AWS::Serverless::Function
// running deployment.zip, with its outputs (name and ARN).
func functionCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	f := r.Function
	id := c.IDs[r.Address]
	props := map[string]any{
		"FunctionName":  r.Name,
		"CodeUri":       "./" + build.ZipFile,
		"Runtime":       f.Runtime,
		"Handler":       f.Handler,
		"Architectures": []string{f.Architecture},
		"MemorySize":    f.MemorySize,
		"Timeout":       f.Timeout,
		"Tracing":       f.Tracing,
		"Environment":   map[string]any{"Variables": f.Environment},
		"Tags":          f.Tags,
	}
	if role, ok := c.IDs[roleAddr(f.Function)]; ok {
		props["Role"] = map[string]any{"Fn::GetAtt": []string{role, "Arn"}}
	} else {
		props["Role"] = c.Sub(f.RoleARN)
	}
	if f.ReservedConcurrency != nil {
		props["ReservedConcurrentExecutions"] = *f.ReservedConcurrency
	}
	if len(f.Layers) > 0 {
		props["Layers"] = walkStrings(toAnySlice(f.Layers), c.Sub)
	}
	if len(f.SubnetIDs) > 0 || len(f.SecurityGroupIDs) > 0 {
		props["VpcConfig"] = map[string]any{"SubnetIds": nonNil(f.SubnetIDs), "SecurityGroupIds": nonNil(f.SecurityGroupIDs)}
	}
	c.Outputs[id+"Name"] = map[string]any{"Description": "name of the Lambda function of " + f.Function, "Value": map[string]any{"Ref": id}}
	c.Outputs[id+"Arn"] = map[string]any{"Description": "ARN of the Lambda function of " + f.Function, "Value": map[string]any{"Fn::GetAtt": []string{id, "Arn"}}}
	return "AWS::Serverless::Function", props, nil
}

// functionTerraform makes the function an aws_lambda_function whose
// filename is deployment.zip and source_code_hash its hash.
func functionTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	const zip = "${path.module}/" + build.ZipFile
	f := r.Function
	env := map[string]string{}
	for k, v := range f.Environment {
		env[k] = tfLiteral(v)
	}
	tags := map[string]string{}
	for k, v := range f.Tags {
		tags[k] = tfLiteral(v)
	}
	body := map[string]any{
		"function_name":    tfLiteral(r.Name),
		"filename":         zip,
		"source_code_hash": `${filebase64sha256("` + zip + `")}`,
		"runtime":          f.Runtime,
		"handler":          f.Handler,
		"architectures":    []string{f.Architecture},
		"memory_size":      f.MemorySize,
		"timeout":          f.Timeout,
		"tracing_config":   map[string]any{"mode": f.Tracing},
		"environment":      map[string]any{"variables": env},
		"tags":             tags,
	}
	if _, ok := c.Desired.Resource(roleAddr(f.Function)); ok {
		body["role"] = "${aws_iam_role." + c.Function + ".arn}"
	} else {
		body["role"] = c.Expand(f.RoleARN)
	}
	if f.ReservedConcurrency != nil {
		body["reserved_concurrent_executions"] = *f.ReservedConcurrency
	}
	if len(f.Layers) > 0 {
		layers := make([]string, len(f.Layers))
		for i, l := range f.Layers {
			layers[i] = c.Expand(l)
		}
		body["layers"] = layers
	}
	if len(f.SubnetIDs) > 0 || len(f.SecurityGroupIDs) > 0 {
		body["vpc_config"] = map[string]any{"subnet_ids": nonNil(f.SubnetIDs), "security_group_ids": nonNil(f.SecurityGroupIDs)}
	}
	id := LogicalID(f.Function)
	c.Outputs[id+"Name"] = map[string]any{"description": "name of the Lambda function of " + f.Function, "value": "${aws_lambda_function." + c.Name + ".function_name}"}
	c.Outputs[id+"Arn"] = map[string]any{"description": "ARN of the Lambda function of " + f.Function, "value": "${aws_lambda_function." + c.Name + ".arn}"}
	return []tfBlock{{typ: "aws_lambda_function", name: c.Name, body: body}}, nil
}
