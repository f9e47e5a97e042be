package deployer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
)

// HTTPAPIAPI is the part of API Gateway v2 that deploys HTTP APIs.
type HTTPAPIAPI interface {
	GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error)
	ImportApi(ctx context.Context, in *apigatewayv2.ImportApiInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.ImportApiOutput, error)
	ReimportApi(ctx context.Context, in *apigatewayv2.ReimportApiInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.ReimportApiOutput, error)
	DeleteApi(ctx context.Context, in *apigatewayv2.DeleteApiInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiOutput, error)
	GetStage(ctx context.Context, in *apigatewayv2.GetStageInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStageOutput, error)
	UpdateStage(ctx context.Context, in *apigatewayv2.UpdateStageInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateStageOutput, error)
	CreateStage(ctx context.Context, in *apigatewayv2.CreateStageInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateStageOutput, error)
	DeleteStage(ctx context.Context, in *apigatewayv2.DeleteStageInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteStageOutput, error)
}

var _ HTTPAPIAPI = (*apigatewayv2.Client)(nil)
