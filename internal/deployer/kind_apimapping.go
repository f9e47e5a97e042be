package deployer

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	iampolicy "github.com/gochalice/gochalice/internal/iam"
)

// APIMappingSpec maps a base path of the custom domain to the stage of
// the app stage's API: a REST API's base path mapping, an HTTP API's API
// mapping.
type APIMappingSpec struct {
	// API is REST or HTTP, as the domain's.
	API        string `json:"api"`
	DomainName string `json:"domain_name"`
	// EndpointType is the domain's: a domain made again for another
	// endpoint type has lost its mappings, so the mapping is made again
	// too.
	EndpointType string `json:"endpoint_type"`
	// BasePath is url_prefix: "" maps the API at the domain's root.
	BasePath string `json:"base_path"`
	// Stage is the API's stage.
	Stage string `json:"stage"`
}

const apiMappingAddr = "api_mapping"

// restRootBasePath is how API Gateway's first API names the root base
// path in its answers and paths.
const restRootBasePath = "(none)"

// apiMappingKind is the mapping of the custom domain's base path to the
// API's stage (api_mapping, "api_mapping"). Its id is the REST base path
// ("(none)" for the root) or the HTTP API mapping's id.
func apiMappingKind() kind {
	return kind{
		attributes: apiMappingAttributes,
		replace:    []string{"api", "domain_name", "endpoint_type"},
		apply:      applyAPIMapping,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			d, domain := a.d, prior.Attributes["domain_name"]
			err := d.retry(ctx, func() error {
				if apiV2(prior.Attributes["api"]) {
					_, err := d.Clients.HTTPDomains.DeleteApiMapping(ctx, &apigatewayv2.DeleteApiMappingInput{DomainName: &domain, ApiMappingId: &prior.ID})
					return err
				}
				_, err := d.Clients.Domains.DeleteBasePathMapping(ctx, &apigateway.DeleteBasePathMappingInput{DomainName: &domain, BasePath: aws.String(restBasePath(prior.Attributes["base_path"]))})
				return err
			})
			// Gone, or its domain is.
			return ignore[*apigwv2types.NotFoundException](ignore[*apigwtypes.NotFoundException](err))
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			var spec APIMappingSpec
			if rec != nil {
				// Where it was made: a changed base path is an update.
				spec = APIMappingSpec{API: rec.Attributes["api"], DomainName: rec.Attributes["domain_name"],
					EndpointType: rec.Attributes["endpoint_type"], BasePath: rec.Attributes["base_path"]}
			} else {
				spec = *want.APIMapping
			}
			return rd.d.readAPIMapping(ctx, spec)
		},
		sharedLogicalID: apiMappingLogicalID,
		cloudFormation:  apiMappingCloudFormation,
		terraformName:   domainNameTerraformName,
		terraform:       apiMappingTerraform,
		deployerPolicy: func(c *policyContext, want *Resource, rec *ResourceState) []iampolicy.Statement {
			api, domain := "", ""
			if want != nil {
				api, domain = want.APIMapping.API, want.APIMapping.DomainName
			} else {
				api, domain = rec.Attributes["api"], rec.Attributes["domain_name"]
			}
			mappings := c.t.APIGateway("/domainnames/" + domain + "/basepathmappings")
			if apiV2(api) {
				mappings = c.t.APIGateway("/domainnames/" + domain + "/apimappings")
			}
			return []iampolicy.Statement{
				allow("ListAndCreateAPIMappings", []string{"apigateway:GET", "apigateway:POST"}, iampolicy.Strings{mappings}, nil),
				allow("ManageAPIMappings", []string{"apigateway:DELETE", "apigateway:PATCH"}, iampolicy.Strings{mappings + "/*"}, nil),
			}
		},
	}
}

// apiAddress is the address of the API the mapping maps to.
func (s *APIMappingSpec) apiAddress() string {
	switch s.API {
	case "HTTP":
		return httpAPIAddr
	case "WEBSOCKET":
		return websocketAPIAddr
	}
	return restAPIAddr
}

// apiMappingAttributes are the mapping's settings and the id of its API
// (KnownAfterApply while the API is not recorded).
func apiMappingAttributes(r *Resource, actual *State) map[string]string {
	spec := r.APIMapping
	id := KnownAfterApply
	if actual != nil {
		if api, ok := actual.Resources[spec.apiAddress()]; ok && api.ID != "" {
			id = api.ID
		}
	}
	return map[string]string{
		"api": spec.API, "domain_name": spec.DomainName, "endpoint_type": spec.EndpointType,
		"base_path": spec.BasePath, "stage": spec.Stage, "api_id": id,
	}
}

// restBasePath is a REST base path as API Gateway's first API names it.
func restBasePath(p string) string {
	if p == "" {
		return restRootBasePath
	}
	return p
}

// mappingFound is a mapping as API Gateway describes it; key is its base
// path ("" for the root).
type mappingFound struct{ id, key, apiID, stage string }

// listAPIMappings returns the mappings of a domain (none when there is no
// domain) through the API Gateway API of api (REST or HTTP).
func (d *Deployer) listAPIMappings(ctx context.Context, api, domain string) ([]mappingFound, error) {
	var out []mappingFound
	err := d.retry(ctx, func() error {
		out = nil
		if apiV2(api) {
			var next *string
			for {
				page, err := d.Clients.HTTPDomains.GetApiMappings(ctx, &apigatewayv2.GetApiMappingsInput{DomainName: &domain, NextToken: next})
				if err != nil {
					return err
				}
				for _, m := range page.Items {
					out = append(out, mappingFound{id: aws.ToString(m.ApiMappingId), key: aws.ToString(m.ApiMappingKey), apiID: aws.ToString(m.ApiId), stage: aws.ToString(m.Stage)})
				}
				if page.NextToken == nil {
					return nil
				}
				next = page.NextToken
			}
		}
		var position *string
		for {
			page, err := d.Clients.Domains.GetBasePathMappings(ctx, &apigateway.GetBasePathMappingsInput{DomainName: &domain, Limit: aws.Int32(500), Position: position})
			if err != nil {
				return err
			}
			for _, m := range page.Items {
				key := aws.ToString(m.BasePath)
				if key == restRootBasePath {
					key = ""
				}
				out = append(out, mappingFound{id: restBasePath(key), key: key, apiID: aws.ToString(m.RestApiId), stage: aws.ToString(m.Stage)})
			}
			if page.Position == nil || len(page.Items) == 0 {
				return nil
			}
			position = page.Position
		}
	})
	var gone1 *apigwtypes.NotFoundException
	var gone2 *apigwv2types.NotFoundException
	if errors.As(err, &gone1) || errors.As(err, &gone2) {
		return nil, nil // no domain, so no mapping
	}
	if err != nil {
		return nil, fmt.Errorf("list the mappings of domain name %s: %w", domain, err)
	}
	return out, nil
}

// findAPIMapping returns the mapping of spec's domain at spec's base path,
// nil when there is none (or no domain).
func (d *Deployer) findAPIMapping(ctx context.Context, spec APIMappingSpec) (*mappingFound, error) {
	all, err := d.listAPIMappings(ctx, spec.API, spec.DomainName)
	if err != nil {
		return nil, err
	}
	for i := range all {
		if all[i].key == spec.BasePath {
			return &all[i], nil
		}
	}
	return nil, nil
}

func (d *Deployer) readAPIMapping(ctx context.Context, spec APIMappingSpec) (ResourceState, bool, error) {
	m, err := d.findAPIMapping(ctx, spec)
	if err != nil || m == nil {
		return ResourceState{}, false, err
	}
	return mappingState(spec, m), true, nil
}

func mappingState(spec APIMappingSpec, m *mappingFound) ResourceState {
	typ := TypeAPIMapping
	if spec.API == "WEBSOCKET" {
		typ = TypeWebSocketAPIMapping
	}
	return ResourceState{Type: typ, Name: spec.DomainName + "/" + spec.BasePath, ID: m.id, Attributes: map[string]string{
		"api": spec.API, "domain_name": spec.DomainName, "endpoint_type": spec.EndpointType,
		"base_path": spec.BasePath, "stage": m.stage, "api_id": m.apiID,
	}}
}

// applyAPIMapping creates the mapping, or changes the one found where it
// was made (its base path, API or stage).
func applyAPIMapping(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, *r.APIMapping
	api, ok := a.get(spec.apiAddress())
	if !ok || api.ID == "" {
		return fmt.Errorf("the %s API is not recorded", spec.API)
	}
	where := spec
	if rs, ok := a.get(r.Address); ok && rs.Attributes["domain_name"] == spec.DomainName {
		where.BasePath = rs.Attributes["base_path"]
	}
	m, err := d.findAPIMapping(ctx, where)
	if err != nil {
		return err
	}
	if m == nil {
		if m, err = d.createAPIMapping(ctx, spec, api.ID); err != nil {
			return fmt.Errorf("map %s to the %s API's stage %s: %w", r.Name, spec.API, spec.Stage, err)
		}
	} else if where.BasePath != spec.BasePath || m.apiID != api.ID || m.stage != spec.Stage {
		if m, err = d.updateAPIMapping(ctx, spec, where.BasePath, m, api.ID); err != nil {
			return fmt.Errorf("update the mapping %s: %w", r.Name, err)
		}
	}
	rs := mappingState(spec, m)
	rs.DependsOn = r.DependsOn
	return a.put(r.Address, rs)
}

// createAPIMapping creates the mapping; one there already (made by an
// earlier try whose answer was lost) is taken instead and updated.
func (d *Deployer) createAPIMapping(ctx context.Context, spec APIMappingSpec, apiID string) (*mappingFound, error) {
	var m *mappingFound
	exists := false
	adopted, err := d.createOnce(ctx, func() error {
		var err error
		if apiV2(spec.API) {
			var out *apigatewayv2.CreateApiMappingOutput
			out, err = d.Clients.HTTPDomains.CreateApiMapping(ctx, &apigatewayv2.CreateApiMappingInput{
				DomainName: &spec.DomainName, ApiId: &apiID, Stage: &spec.Stage, ApiMappingKey: &spec.BasePath,
			}, apigwv2Once)
			if err == nil {
				m = &mappingFound{id: aws.ToString(out.ApiMappingId), key: spec.BasePath, apiID: apiID, stage: spec.Stage}
			}
		} else {
			in := &apigateway.CreateBasePathMappingInput{DomainName: &spec.DomainName, RestApiId: &apiID, Stage: &spec.Stage}
			if spec.BasePath != "" {
				in.BasePath = &spec.BasePath
			}
			_, err = d.Clients.Domains.CreateBasePathMapping(ctx, in, apigwOnce)
			if err == nil {
				m = &mappingFound{id: restBasePath(spec.BasePath), key: spec.BasePath, apiID: apiID, stage: spec.Stage}
			}
		}
		var conflict1 *apigwtypes.ConflictException
		var conflict2 *apigwv2types.ConflictException
		if errors.As(err, &conflict1) || errors.As(err, &conflict2) {
			exists = true
			return nil
		}
		return err
	}, func() (bool, error) {
		found, err := d.findAPIMapping(ctx, spec)
		m = found
		return found != nil, err
	})
	if err != nil {
		return nil, err
	}
	if adopted || exists {
		if m, err = d.findAPIMapping(ctx, spec); err != nil {
			return nil, err
		}
		if m == nil {
			return nil, fmt.Errorf("the mapping of %s/%s exists, then not", spec.DomainName, spec.BasePath)
		}
		if m.apiID != apiID || m.stage != spec.Stage {
			return d.updateAPIMapping(ctx, spec, spec.BasePath, m, apiID)
		}
	}
	return m, nil
}

// updateAPIMapping changes the mapping m, found at base path from, to
// spec's base path, API and stage.
func (d *Deployer) updateAPIMapping(ctx context.Context, spec APIMappingSpec, from string, m *mappingFound, apiID string) (*mappingFound, error) {
	err := d.retry(ctx, func() error {
		if apiV2(spec.API) {
			_, err := d.Clients.HTTPDomains.UpdateApiMapping(ctx, &apigatewayv2.UpdateApiMappingInput{
				DomainName: &spec.DomainName, ApiMappingId: &m.id, ApiId: &apiID, Stage: &spec.Stage, ApiMappingKey: &spec.BasePath,
			})
			return err
		}
		var ops []apigwtypes.PatchOperation
		if from != spec.BasePath {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String("/basePath"), Value: aws.String(spec.BasePath)})
		}
		if m.apiID != apiID {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String("/restapiId"), Value: aws.String(apiID)})
		}
		if m.stage != spec.Stage {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String("/stage"), Value: aws.String(spec.Stage)})
		}
		_, err := d.Clients.Domains.UpdateBasePathMapping(ctx, &apigateway.UpdateBasePathMappingInput{
			DomainName: &spec.DomainName, BasePath: aws.String(restBasePath(from)), PatchOperations: ops,
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &mappingFound{id: m.id, key: spec.BasePath, apiID: apiID, stage: spec.Stage}
	if !apiV2(spec.API) {
		out.id = restBasePath(spec.BasePath)
	}
	return out, nil
}

// apiMappingCloudFormation is an AWS::ApiGateway::BasePathMapping (REST)
// or an AWS::ApiGatewayV2::ApiMapping (HTTP) of the API's stage, which
// "<API>.Stage" refers to (and so waits for).
func apiMappingCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	spec := r.APIMapping
	api, ok := c.IDs[spec.apiAddress()]
	if !ok {
		return "", nil, fmt.Errorf("the template has no %s API for the custom domain", spec.API)
	}
	domain := map[string]any{"Ref": domainNameLogicalID}
	stage := map[string]any{"Ref": api + ".Stage"}
	if spec.API == "WEBSOCKET" {
		domain, stage = map[string]any{"Ref": webSocketDomainNameLogicalID}, map[string]any{"Ref": webSocketStageLogicalID}
	}
	if apiV2(spec.API) {
		props := map[string]any{"DomainName": domain, "ApiId": map[string]any{"Ref": api}, "Stage": stage}
		if spec.BasePath != "" {
			props["ApiMappingKey"] = spec.BasePath
		}
		return "AWS::ApiGatewayV2::ApiMapping", props, nil
	}
	props := map[string]any{"DomainName": domain, "RestApiId": map[string]any{"Ref": api}, "Stage": stage}
	if spec.BasePath != "" {
		props["BasePath"] = spec.BasePath
	}
	return "AWS::ApiGateway::BasePathMapping", props, nil
}

// apiMappingTerraform is an aws_api_gateway_base_path_mapping (REST) or
// an aws_apigatewayv2_api_mapping (HTTP) of the API's stage.
func apiMappingTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	spec := r.APIMapping
	if apiV2(spec.API) {
		api := httpAPITerraformName
		if spec.API == "WEBSOCKET" {
			api = webSocketAPITerraformName
		}
		body := map[string]any{
			"domain_name": "${aws_apigatewayv2_domain_name." + c.Name + ".id}",
			"api_id":      "${aws_apigatewayv2_api." + api + ".id}",
			"stage":       "${aws_apigatewayv2_stage." + api + ".id}",
		}
		if spec.BasePath != "" {
			body["api_mapping_key"] = tfLiteral(spec.BasePath)
		}
		return []tfBlock{{typ: "aws_apigatewayv2_api_mapping", name: c.Name, body: body}}, nil
	}
	body := map[string]any{
		"domain_name": "${aws_api_gateway_domain_name." + c.Name + ".domain_name}",
		"api_id":      "${aws_api_gateway_rest_api." + restAPITerraformName + ".id}",
		"stage_name":  "${aws_api_gateway_stage." + restAPITerraformName + ".stage_name}",
	}
	if spec.BasePath != "" {
		body["base_path"] = tfLiteral(spec.BasePath)
	}
	return []tfBlock{{typ: "aws_api_gateway_base_path_mapping", name: c.Name, body: body}}, nil
}
