package deployer

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
)

// DomainNameAPI manages the custom domain names of REST APIs and their
// base path mappings (API Gateway's first API).
type DomainNameAPI interface {
	GetDomainNames(ctx context.Context, in *apigateway.GetDomainNamesInput, optFns ...func(*apigateway.Options)) (*apigateway.GetDomainNamesOutput, error)
	GetDomainName(ctx context.Context, in *apigateway.GetDomainNameInput, optFns ...func(*apigateway.Options)) (*apigateway.GetDomainNameOutput, error)
	CreateDomainName(ctx context.Context, in *apigateway.CreateDomainNameInput, optFns ...func(*apigateway.Options)) (*apigateway.CreateDomainNameOutput, error)
	UpdateDomainName(ctx context.Context, in *apigateway.UpdateDomainNameInput, optFns ...func(*apigateway.Options)) (*apigateway.UpdateDomainNameOutput, error)
	DeleteDomainName(ctx context.Context, in *apigateway.DeleteDomainNameInput, optFns ...func(*apigateway.Options)) (*apigateway.DeleteDomainNameOutput, error)
	GetBasePathMappings(ctx context.Context, in *apigateway.GetBasePathMappingsInput, optFns ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error)
	CreateBasePathMapping(ctx context.Context, in *apigateway.CreateBasePathMappingInput, optFns ...func(*apigateway.Options)) (*apigateway.CreateBasePathMappingOutput, error)
	UpdateBasePathMapping(ctx context.Context, in *apigateway.UpdateBasePathMappingInput, optFns ...func(*apigateway.Options)) (*apigateway.UpdateBasePathMappingOutput, error)
	DeleteBasePathMapping(ctx context.Context, in *apigateway.DeleteBasePathMappingInput, optFns ...func(*apigateway.Options)) (*apigateway.DeleteBasePathMappingOutput, error)
	TagResource(ctx context.Context, in *apigateway.TagResourceInput, optFns ...func(*apigateway.Options)) (*apigateway.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *apigateway.UntagResourceInput, optFns ...func(*apigateway.Options)) (*apigateway.UntagResourceOutput, error)
}

// HTTPDomainNameAPI manages the custom domain names of HTTP APIs and
// their API mappings (API Gateway v2).
type HTTPDomainNameAPI interface {
	GetDomainName(ctx context.Context, in *apigatewayv2.GetDomainNameInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDomainNameOutput, error)
	CreateDomainName(ctx context.Context, in *apigatewayv2.CreateDomainNameInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateDomainNameOutput, error)
	UpdateDomainName(ctx context.Context, in *apigatewayv2.UpdateDomainNameInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateDomainNameOutput, error)
	DeleteDomainName(ctx context.Context, in *apigatewayv2.DeleteDomainNameInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteDomainNameOutput, error)
	GetApiMappings(ctx context.Context, in *apigatewayv2.GetApiMappingsInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApiMappingsOutput, error)
	CreateApiMapping(ctx context.Context, in *apigatewayv2.CreateApiMappingInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateApiMappingOutput, error)
	UpdateApiMapping(ctx context.Context, in *apigatewayv2.UpdateApiMappingInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateApiMappingOutput, error)
	DeleteApiMapping(ctx context.Context, in *apigatewayv2.DeleteApiMappingInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiMappingOutput, error)
	TagResource(ctx context.Context, in *apigatewayv2.TagResourceInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.TagResourceOutput, error)
	UntagResource(ctx context.Context, in *apigatewayv2.UntagResourceInput, optFns ...func(*apigatewayv2.Options)) (*apigatewayv2.UntagResourceOutput, error)
}

var (
	_ DomainNameAPI     = (*apigateway.Client)(nil)
	_ HTTPDomainNameAPI = (*apigatewayv2.Client)(nil)
)
