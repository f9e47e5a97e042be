package fakeaws_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

var (
	_ deployer.IAMAPI        = (*fakeaws.IAM)(nil)
	_ deployer.LambdaAPI     = (*fakeaws.Lambda)(nil)
	_ deployer.APIGatewayAPI = (*fakeaws.APIGateway)(nil)
	_ deployer.LogsAPI       = (*fakeaws.Logs)(nil)
	_ deployer.TableAPI      = (*fakeaws.DynamoDB)(nil)
	_ deployer.IdentityAPI   = (*fakeaws.STS)(nil)
)

func s(v string) *string { return &v }

// TestLikeAWS checks the behaviours the deployer relies on: typed errors,
// ARNs, roles Lambda cannot assume at first, functions that refuse
// updates until their last update is done.
func TestLikeAWS(t *testing.T) {
	ctx := context.Background()
	c := fakeaws.New()
	c.RoleAssumeDelay, c.PendingPolls = 1, 2
	_, err := c.IAM().GetRole(ctx, &iam.GetRoleInput{RoleName: s("r")})
	var noSuch *iamtypes.NoSuchEntityException
	if !errors.As(err, &noSuch) {
		t.Fatalf("GetRole of nothing: %v", err)
	}
	role, err := c.IAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: s("r"), AssumeRolePolicyDocument: s("{}")})
	if err != nil || *role.Role.Arn != "arn:aws:iam::123456789012:role/r" {
		t.Fatalf("CreateRole: %v %v", role, err)
	}
	var exists *iamtypes.EntityAlreadyExistsException
	if _, err := c.IAM().CreateRole(ctx, &iam.CreateRoleInput{RoleName: s("r"), AssumeRolePolicyDocument: s("{}")}); !errors.As(err, &exists) {
		t.Errorf("CreateRole again: %v", err)
	}
	in := &lambda.CreateFunctionInput{FunctionName: s("f"), Role: role.Role.Arn, Code: &lambdatypes.FunctionCode{ZipFile: []byte("zip")}}
	var invalid *lambdatypes.InvalidParameterValueException
	if _, err := c.Lambda().CreateFunction(ctx, in); !errors.As(err, &invalid) {
		t.Fatalf("CreateFunction with a new role: %v", err)
	}
	fn, err := c.Lambda().CreateFunction(ctx, in)
	if err != nil || *fn.FunctionArn != "arn:aws:lambda:us-east-1:123456789012:function:f" || fn.State != lambdatypes.StatePending {
		t.Fatalf("CreateFunction: %+v %v", fn, err)
	}
	var conflict *lambdatypes.ResourceConflictException
	if _, err := c.Lambda().UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: s("f"), ZipFile: []byte("z2")}); !errors.As(err, &conflict) {
		t.Errorf("update while pending: %v", err)
	}
	for range 2 {
		if _, err := c.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: s("f")}); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := c.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: s("f")})
	if got.Configuration.State != lambdatypes.StateActive {
		t.Errorf("state after polls = %s", got.Configuration.State)
	}
	if _, err := c.Lambda().UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: s("f"), ZipFile: []byte("z2")}); err != nil {
		t.Errorf("update when active: %v", err)
	}
	var notFound *lambdatypes.ResourceNotFoundException
	if _, err := c.Lambda().GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: s("f")}); !errors.As(err, &notFound) {
		t.Errorf("GetPolicy without statements: %v", err)
	}
	if got, want := len(c.Mutations()), 6; got != want {
		t.Errorf("%d mutating calls recorded, want %d: %v", got, want, c.Mutations())
	}
	c.ThrottleEvery = 1
	var throttled *lambdatypes.TooManyRequestsException
	if _, err := c.Lambda().GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: s("f")}); !errors.As(err, &throttled) {
		t.Errorf("throttling: %v", err)
	}
}
