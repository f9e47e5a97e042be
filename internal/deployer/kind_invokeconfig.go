package deployer

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gochalice/gochalice/internal/iam"
)

// invokeConfigKind is a function's asynchronous invocation settings: the
// failure destination and retry limits of a function invoked by a
// schedule, an event pattern, SNS, S3 or directly.
func invokeConfigKind() kind {
	return kind{
		apply:          applyInvokeConfig,
		delete:         deleteInvokeConfig,
		read:           readInvokeConfig,
		attributes:     invokeConfigAttributes,
		logicalID:      "EventInvokeConfig",
		cloudFormation: invokeConfigCloudFormation,
		terraform:      invokeConfigTerraform,
		// Only functions other than the API handler have one.
		deployerPolicy: func(c *policyContext, _ *Resource, _ *ResourceState) []iam.Statement {
			return []iam.Statement{allow("ManageAsyncInvokeConfigs", []string{"lambda:DeleteFunctionEventInvokeConfig",
				"lambda:GetFunctionEventInvokeConfig", "lambda:PutFunctionEventInvokeConfig"}, c.otherFunctions(), nil)}
		},
	}
}

func invokeConfigAttributes(r *Resource, _ *State) map[string]string {
	sp := r.InvokeConfig
	return map[string]string{
		"on_failure":                   sp.OnFailureARN,
		"maximum_retry_attempts":       itoaOr(sp.MaximumRetryAttempts, ""),
		"maximum_event_age_in_seconds": itoaOr(sp.MaximumEventAgeInSeconds, ""),
	}
}

func int32p(n *int) *int32 {
	if n == nil {
		return nil
	}
	return aws.Int32(int32(*n))
}

func applyInvokeConfig(ctx context.Context, a *applier, r *Resource) error {
	d, sp := a.d, r.InvokeConfig
	in := &lambda.PutFunctionEventInvokeConfigInput{FunctionName: &sp.FunctionName,
		MaximumRetryAttempts: int32p(sp.MaximumRetryAttempts), MaximumEventAgeInSeconds: int32p(sp.MaximumEventAgeInSeconds)}
	if sp.OnFailureARN != "" {
		in.DestinationConfig = &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: &sp.OnFailureARN}}
	}
	if err := d.retry(ctx, func() error {
		_, err := d.Clients.Lambda.PutFunctionEventInvokeConfig(ctx, in)
		return err
	}); err != nil {
		return err
	}
	return a.put(r.Address, ResourceState{Type: TypeInvokeConfig, Name: r.Name, DependsOn: r.DependsOn, Attributes: invokeConfigAttributes(r, nil)})
}

func deleteInvokeConfig(ctx context.Context, a *applier, _ string, prior ResourceState) error {
	d := a.d
	err := d.retry(ctx, func() error {
		_, err := d.Clients.Lambda.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: &prior.Name})
		return err
	})
	return ignore[*lambdatypes.ResourceNotFoundException](err)
}

func readInvokeConfig(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
	d := rd.d
	name := ""
	if want != nil {
		name = want.Name
	} else {
		name = rec.Name
	}
	var out *lambda.GetFunctionEventInvokeConfigOutput
	err := d.retry(ctx, func() (err error) {
		out, err = d.Clients.Lambda.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: &name})
		return err
	})
	var missing *lambdatypes.ResourceNotFoundException
	if errors.As(err, &missing) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, err
	}
	attrs := map[string]string{"on_failure": "", "maximum_retry_attempts": "", "maximum_event_age_in_seconds": ""}
	if dc := out.DestinationConfig; dc != nil && dc.OnFailure != nil {
		attrs["on_failure"] = aws.ToString(dc.OnFailure.Destination)
	}
	if out.MaximumRetryAttempts != nil {
		attrs["maximum_retry_attempts"] = itoa(int(*out.MaximumRetryAttempts))
	}
	if out.MaximumEventAgeInSeconds != nil {
		attrs["maximum_event_age_in_seconds"] = itoa(int(*out.MaximumEventAgeInSeconds))
	}
	return ResourceState{Type: TypeInvokeConfig, Name: name, Attributes: attrs}, true, nil
}

func invokeConfigCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	sp := r.InvokeConfig
	props := map[string]any{
		"FunctionName": map[string]any{"Ref": c.IDs[functionAddr(addressFunction(r.Address))]},
		"Qualifier":    "$LATEST",
	}
	if sp.MaximumRetryAttempts != nil {
		props["MaximumRetryAttempts"] = *sp.MaximumRetryAttempts
	}
	if sp.MaximumEventAgeInSeconds != nil {
		props["MaximumEventAgeInSeconds"] = *sp.MaximumEventAgeInSeconds
	}
	if sp.OnFailureARN != "" {
		props["DestinationConfig"] = map[string]any{"OnFailure": map[string]any{"Destination": c.Sub(sp.OnFailureARN)}}
	}
	return "AWS::Lambda::EventInvokeConfig", props, nil
}

func invokeConfigTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	sp := r.InvokeConfig
	body := map[string]any{"function_name": "${aws_lambda_function." + c.Function + ".function_name}"}
	if sp.MaximumRetryAttempts != nil {
		body["maximum_retry_attempts"] = *sp.MaximumRetryAttempts
	}
	if sp.MaximumEventAgeInSeconds != nil {
		body["maximum_event_age_in_seconds"] = *sp.MaximumEventAgeInSeconds
	}
	if sp.OnFailureARN != "" {
		body["destination_config"] = map[string]any{"on_failure": map[string]any{"destination": c.Expand(sp.OnFailureARN)}}
	}
	return []tfBlock{{typ: "aws_lambda_function_event_invoke_config", name: c.Name, body: body}}, nil
}
