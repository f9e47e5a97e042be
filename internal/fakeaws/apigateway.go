package fakeaws

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
)

type restAPI struct {
	id, name, description, endpointType, policy string
	bodySHA                                     string
	// vpces are a PRIVATE API's VPC endpoints, sorted.
	vpces []string
	// stages maps a stage name to its deployment id; deployments maps a
	// deployment id to the body it deployed.
	stages      map[string]string
	deployments map[string]string
	// minCompression is the minimum compression size, nil when
	// compression is off; tracing are the stages with X-Ray tracing.
	minCompression *int32
	tracing        map[string]bool
}

// APIGateway is the account's API Gateway.
type APIGateway struct{ c *Cloud }

// APIGateway returns the account's API Gateway.
func (c *Cloud) APIGateway() *APIGateway { return &APIGateway{c} }

func (a *restAPI) out() apigwtypes.RestApi {
	r := apigwtypes.RestApi{Id: strp(a.id), Name: strp(a.name), Description: strp(a.description),
		EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointType(a.endpointType)}, VpcEndpointIds: slices.Clone(a.vpces)}}
	if a.policy != "" {
		r.Policy = strp(a.policy)
	}
	if a.minCompression != nil {
		r.MinimumCompressionSize = aws.Int32(*a.minCompression)
	}
	return r
}

func apiNotFound(id string) error {
	return &apigwtypes.NotFoundException{Message: strp("Invalid API identifier specified " + id)}
}

// parseRestBody reads the parts of an OpenAPI document the fake keeps:
// the title, description, resource policy and the VPC endpoints of
// x-amazon-apigateway-endpoint-configuration, sorted.
func parseRestBody(body []byte) (title, desc, policy string, vpces []string, err error) {
	var doc struct {
		Swagger string `json:"swagger"`
		OpenAPI string `json:"openapi"`
		Info    struct {
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"info"`
		Paths    map[string]json.RawMessage `json:"paths"`
		Policy   json.RawMessage            `json:"x-amazon-apigateway-policy"`
		Endpoint struct {
			VPCEndpointIDs []string `json:"vpcEndpointIds"`
		} `json:"x-amazon-apigateway-endpoint-configuration"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", "", "", nil, &apigwtypes.BadRequestException{Message: strp("Invalid OpenAPI input: " + err.Error())}
	}
	if doc.Swagger != "2.0" && !strings.HasPrefix(doc.OpenAPI, "3.") {
		return "", "", "", nil, &apigwtypes.BadRequestException{Message: strp("Invalid OpenAPI input: no swagger or openapi version")}
	}
	if doc.Info.Title == "" {
		return "", "", "", nil, &apigwtypes.BadRequestException{Message: strp("Invalid OpenAPI input: info.title is required")}
	}
	vpces = slices.Clone(doc.Endpoint.VPCEndpointIDs)
	sort.Strings(vpces)
	return doc.Info.Title, doc.Info.Description, string(doc.Policy), slices.Compact(vpces), nil
}

// errVPCEsNotPrivate is API Gateway's answer to VPC endpoints on an API
// that is not PRIVATE.
var errVPCEsNotPrivate = &apigwtypes.BadRequestException{Message: strp("VPC endpoint IDs are only supported for PRIVATE endpoint type")}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// GetRestApis lists the REST APIs, by id.
func (s *APIGateway) GetRestApis(ctx context.Context, in *apigateway.GetRestApisInput, _ ...func(*apigateway.Options)) (*apigateway.GetRestApisOutput, error) {
	if _, err := s.c.begin(ctx, "apigateway", "GetRestApis", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	var ids []string
	for id := range s.c.apis {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := &apigateway.GetRestApisOutput{}
	for _, id := range ids {
		out.Items = append(out.Items, s.c.apis[id].out())
	}
	return out, nil
}

// ImportRestApi creates a REST API from an OpenAPI document.
func (s *APIGateway) ImportRestApi(ctx context.Context, in *apigateway.ImportRestApiInput, opts ...func(*apigateway.Options)) (*apigateway.ImportRestApiOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigateway.Options) int { return o.RetryMaxAttempts }), func() (*apigateway.ImportRestApiOutput, error) { return s.importRestApi(ctx, in) })
}

func (s *APIGateway) importRestApi(ctx context.Context, in *apigateway.ImportRestApiInput) (*apigateway.ImportRestApiOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "ImportRestApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	title, desc, policy, vpces, err := parseRestBody(in.Body)
	if err != nil {
		return nil, err
	}
	endpoint := in.Parameters["endpointConfigurationTypes"]
	if endpoint == "" {
		endpoint = "EDGE"
	}
	if len(vpces) > 0 && endpoint != "PRIVATE" {
		return nil, errVPCEsNotPrivate
	}
	a := &restAPI{id: fmt.Sprintf("a%09d", s.c.nextID()), name: title, description: desc, endpointType: endpoint, policy: policy,
		bodySHA: sha(in.Body), vpces: vpces, stages: map[string]string{}, deployments: map[string]string{}}
	s.c.apis[a.id] = a
	if post != nil {
		return nil, post
	}
	r := a.out()
	return &apigateway.ImportRestApiOutput{Id: r.Id, Name: r.Name, Description: r.Description, EndpointConfiguration: r.EndpointConfiguration, Policy: r.Policy}, nil
}

// PutRestApi replaces a REST API's definition (mode overwrite).
func (s *APIGateway) PutRestApi(ctx context.Context, in *apigateway.PutRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.PutRestApiOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "PutRestApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.apis[*in.RestApiId]
	if !ok {
		return nil, apiNotFound(*in.RestApiId)
	}
	title, desc, policy, vpces, err := parseRestBody(in.Body)
	if err != nil {
		return nil, err
	}
	if len(vpces) > 0 && a.endpointType != "PRIVATE" {
		return nil, errVPCEsNotPrivate
	}
	if in.Mode == apigwtypes.PutModeOverwrite {
		// Overwriting replaces the endpoint configuration's VPC endpoints
		// with the document's (none when it lists none).
		a.name, a.description, a.policy, a.vpces = title, desc, policy, vpces
	}
	a.bodySHA = sha(in.Body)
	if post != nil {
		return nil, post
	}
	return &apigateway.PutRestApiOutput{Id: strp(a.id), Name: strp(a.name)}, nil
}

// UpdateRestApi applies patch operations; it understands the endpoint
// type and its VPC endpoints (add and remove, one id per operation), and
// the minimum compression size (replace; an empty value turns
// compression off).
func (s *APIGateway) UpdateRestApi(ctx context.Context, in *apigateway.UpdateRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateRestApiOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "UpdateRestApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.apis[*in.RestApiId]
	if !ok {
		return nil, apiNotFound(*in.RestApiId)
	}
	endpoint, vpces, minCompression := a.endpointType, slices.Clone(a.vpces), a.minCompression
	for _, op := range in.PatchOperations {
		path, value := "", ""
		if op.Path != nil {
			path = *op.Path
		}
		if op.Value != nil {
			value = *op.Value
		}
		switch {
		case strings.HasPrefix(path, "/endpointConfiguration/types/") && op.Op == apigwtypes.OpReplace:
			endpoint = value
		case path == "/endpointConfiguration/vpcEndpointIds" && op.Op == apigwtypes.OpAdd:
			if !slices.Contains(vpces, value) {
				vpces = append(vpces, value)
			}
		case path == "/endpointConfiguration/vpcEndpointIds" && op.Op == apigwtypes.OpRemove:
			i := slices.Index(vpces, value)
			if i < 0 {
				return nil, &apigwtypes.BadRequestException{Message: strp("VPC endpoint " + value + " is not associated with the API")}
			}
			vpces = slices.Delete(vpces, i, i+1)
		case path == "/minimumCompressionSize" && op.Op == apigwtypes.OpReplace:
			if value == "" {
				minCompression = nil
				break
			}
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 || n > 10485760 {
				return nil, &apigwtypes.BadRequestException{Message: strp("Invalid minimum compression size, must be between 0 and 10485760")}
			}
			minCompression = aws.Int32(int32(n))
		default:
			return nil, &apigwtypes.BadRequestException{Message: strp(fmt.Sprintf("Invalid patch operation %s %s", op.Op, path))}
		}
	}
	if len(vpces) > 0 && endpoint != "PRIVATE" {
		return nil, errVPCEsNotPrivate
	}
	sort.Strings(vpces)
	a.endpointType, a.vpces, a.minCompression = endpoint, vpces, minCompression
	if post != nil {
		return nil, post
	}
	return &apigateway.UpdateRestApiOutput{Id: strp(a.id)}, nil
}

// DeleteRestApi deletes a REST API with its stages.
func (s *APIGateway) DeleteRestApi(ctx context.Context, in *apigateway.DeleteRestApiInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteRestApiOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "DeleteRestApi", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.apis[*in.RestApiId]; !ok {
		return nil, apiNotFound(*in.RestApiId)
	}
	delete(s.c.apis, *in.RestApiId)
	s.c.dropPlanStages(func(api, _ string) bool { return api == *in.RestApiId })
	if post != nil {
		return nil, post
	}
	return &apigateway.DeleteRestApiOutput{}, nil
}

// GetStage returns a stage of a REST API.
func (s *APIGateway) GetStage(ctx context.Context, in *apigateway.GetStageInput, _ ...func(*apigateway.Options)) (*apigateway.GetStageOutput, error) {
	if _, err := s.c.begin(ctx, "apigateway", "GetStage", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.apis[*in.RestApiId]
	if !ok {
		return nil, apiNotFound(*in.RestApiId)
	}
	dep, ok := a.stages[*in.StageName]
	if !ok {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid stage identifier specified")}
	}
	return &apigateway.GetStageOutput{StageName: in.StageName, DeploymentId: strp(dep), TracingEnabled: a.tracing[*in.StageName]}, nil
}

// UpdateStage applies patch operations to a stage of a REST API; it
// understands X-Ray tracing (replace /tracingEnabled, "true" or "false").
func (s *APIGateway) UpdateStage(ctx context.Context, in *apigateway.UpdateStageInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateStageOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "UpdateStage", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.apis[aws.ToString(in.RestApiId)]
	if !ok {
		return nil, apiNotFound(aws.ToString(in.RestApiId))
	}
	stage := aws.ToString(in.StageName)
	if _, ok := a.stages[stage]; !ok {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid stage identifier specified")}
	}
	tracing := a.tracing[stage]
	for _, op := range in.PatchOperations {
		path, value := aws.ToString(op.Path), aws.ToString(op.Value)
		switch {
		case path == "/tracingEnabled" && op.Op == apigwtypes.OpReplace && (value == "true" || value == "false"):
			tracing = value == "true"
		default:
			return nil, &apigwtypes.BadRequestException{Message: strp(fmt.Sprintf("Invalid patch operation %s %s %s", op.Op, path, value))}
		}
	}
	if a.tracing == nil {
		a.tracing = map[string]bool{}
	}
	a.tracing[stage] = tracing
	if post != nil {
		return nil, post
	}
	return &apigateway.UpdateStageOutput{StageName: strp(stage), DeploymentId: strp(a.stages[stage]), TracingEnabled: tracing}, nil
}

// CreateDeployment deploys a REST API's current definition to a stage.
func (s *APIGateway) CreateDeployment(ctx context.Context, in *apigateway.CreateDeploymentInput, opts ...func(*apigateway.Options)) (*apigateway.CreateDeploymentOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigateway.Options) int { return o.RetryMaxAttempts }), func() (*apigateway.CreateDeploymentOutput, error) { return s.createDeployment(ctx, in) })
}

func (s *APIGateway) createDeployment(ctx context.Context, in *apigateway.CreateDeploymentInput) (*apigateway.CreateDeploymentOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "CreateDeployment", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.apis[*in.RestApiId]
	if !ok {
		return nil, apiNotFound(*in.RestApiId)
	}
	id := fmt.Sprintf("d%05d", s.c.nextID())
	a.deployments[id] = a.bodySHA
	if in.StageName != nil {
		if _, ok := a.stages[*in.StageName]; !ok {
			// A new stage takes the deployment's tracing setting; an
			// existing one keeps its own.
			if a.tracing == nil {
				a.tracing = map[string]bool{}
			}
			a.tracing[*in.StageName] = aws.ToBool(in.TracingEnabled)
		}
		a.stages[*in.StageName] = id
	}
	if post != nil {
		return nil, post
	}
	return &apigateway.CreateDeploymentOutput{Id: strp(id)}, nil
}

// DeleteStage deletes a stage of a REST API (its deployments stay).
func (s *APIGateway) DeleteStage(ctx context.Context, in *apigateway.DeleteStageInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteStageOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "DeleteStage", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	a, ok := s.c.apis[*in.RestApiId]
	if !ok {
		return nil, apiNotFound(*in.RestApiId)
	}
	if _, ok := a.stages[*in.StageName]; !ok {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid stage identifier specified")}
	}
	delete(a.stages, *in.StageName)
	delete(a.tracing, *in.StageName)
	s.c.dropPlanStages(func(api, stage string) bool { return api == a.id && stage == *in.StageName })
	if post != nil {
		return nil, post
	}
	return &apigateway.DeleteStageOutput{}, nil
}

// usagePlan is a REST API usage plan; stages are its API stages as
// "<api id>:<stage>", sorted.
type usagePlan struct {
	id, name, description string
	stages                []string
	// tags are given at CreateUsagePlan.
	tags map[string]string
}

func (p *usagePlan) out() apigwtypes.UsagePlan {
	u := apigwtypes.UsagePlan{Id: strp(p.id), Name: strp(p.name), Description: strp(p.description), Tags: maps.Clone(p.tags)}
	for _, st := range p.stages {
		api, stage, _ := strings.Cut(st, ":")
		u.ApiStages = append(u.ApiStages, apigwtypes.ApiStage{ApiId: strp(api), Stage: strp(stage)})
	}
	return u
}

func usagePlanNotFound(id string) error {
	return &apigwtypes.NotFoundException{Message: strp("Invalid Usage Plan ID specified " + id)}
}

// checkAPIStage is API Gateway's check of an API stage added to a usage
// plan: the REST API and its stage exist.
func (c *Cloud) checkAPIStage(api, stage string) error {
	a, ok := c.apis[api]
	if !ok {
		return &apigwtypes.NotFoundException{Message: strp("Invalid API identifier specified " + api)}
	}
	if _, ok := a.stages[stage]; !ok {
		return &apigwtypes.NotFoundException{Message: strp(fmt.Sprintf("Invalid stage identifier specified %s:%s", api, stage))}
	}
	return nil
}

// dropPlanStages takes the API stages drop reports out of every usage
// plan, as deleting a stage or its API does.
func (c *Cloud) dropPlanStages(drop func(api, stage string) bool) {
	for _, p := range c.usagePlans {
		p.stages = slices.DeleteFunc(p.stages, func(st string) bool {
			api, stage, _ := strings.Cut(st, ":")
			return drop(api, stage)
		})
	}
}

// GetUsagePlans lists the usage plans by id, Limit (default 25) a page.
func (s *APIGateway) GetUsagePlans(ctx context.Context, in *apigateway.GetUsagePlansInput, _ ...func(*apigateway.Options)) (*apigateway.GetUsagePlansOutput, error) {
	if _, err := s.c.begin(ctx, "apigateway", "GetUsagePlans", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	limit := 25
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 500 {
			return nil, &apigwtypes.BadRequestException{Message: strp("limit must be from 1 to 500")}
		}
		limit = int(*in.Limit)
	}
	ids := slices.Sorted(maps.Keys(s.c.usagePlans))
	start := 0
	if in.Position != nil {
		start = sort.SearchStrings(ids, *in.Position)
	}
	out := &apigateway.GetUsagePlansOutput{}
	for i := start; i < len(ids) && len(out.Items) < limit; i++ {
		out.Items = append(out.Items, s.c.usagePlans[ids[i]].out())
		if len(out.Items) == limit && i+1 < len(ids) {
			out.Position = strp(ids[i+1])
		}
	}
	return out, nil
}

// CreateUsagePlan creates a usage plan of existing API stages.
func (s *APIGateway) CreateUsagePlan(ctx context.Context, in *apigateway.CreateUsagePlanInput, opts ...func(*apigateway.Options)) (*apigateway.CreateUsagePlanOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigateway.Options) int { return o.RetryMaxAttempts }), func() (*apigateway.CreateUsagePlanOutput, error) { return s.createUsagePlan(ctx, in) })
}

func (s *APIGateway) createUsagePlan(ctx context.Context, in *apigateway.CreateUsagePlanInput) (*apigateway.CreateUsagePlanOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "CreateUsagePlan", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if in.Name == nil || *in.Name == "" {
		return nil, &apigwtypes.BadRequestException{Message: strp("Usage plan name is required")}
	}
	p := &usagePlan{id: fmt.Sprintf("u%05d", s.c.nextID()), name: *in.Name, description: aws.ToString(in.Description), tags: maps.Clone(in.Tags)}
	for _, st := range in.ApiStages {
		if err := s.c.checkAPIStage(aws.ToString(st.ApiId), aws.ToString(st.Stage)); err != nil {
			return nil, err
		}
		key := aws.ToString(st.ApiId) + ":" + aws.ToString(st.Stage)
		if !slices.Contains(p.stages, key) {
			p.stages = append(p.stages, key)
		}
	}
	slices.Sort(p.stages)
	s.c.usagePlans[p.id] = p
	if post != nil {
		return nil, post
	}
	u := p.out()
	return &apigateway.CreateUsagePlanOutput{Id: u.Id, Name: u.Name, Description: u.Description, ApiStages: u.ApiStages}, nil
}

// UpdateUsagePlan applies patch operations: add and remove of an API
// stage ("/apiStages", value "<api id>:<stage>"), and replace of the
// name or description. All apply or none.
func (s *APIGateway) UpdateUsagePlan(ctx context.Context, in *apigateway.UpdateUsagePlanInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateUsagePlanOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "UpdateUsagePlan", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	p, ok := s.c.usagePlans[aws.ToString(in.UsagePlanId)]
	if !ok {
		return nil, usagePlanNotFound(aws.ToString(in.UsagePlanId))
	}
	name, desc, stages := p.name, p.description, slices.Clone(p.stages)
	for _, op := range in.PatchOperations {
		path, value := aws.ToString(op.Path), aws.ToString(op.Value)
		switch {
		case path == "/apiStages" && op.Op == apigwtypes.OpAdd:
			api, stage, _ := strings.Cut(value, ":")
			if err := s.c.checkAPIStage(api, stage); err != nil {
				return nil, err
			}
			if slices.Contains(stages, value) {
				return nil, &apigwtypes.ConflictException{Message: strp("API stage " + value + " is already in the usage plan")}
			}
			stages = append(stages, value)
		case path == "/apiStages" && op.Op == apigwtypes.OpRemove:
			i := slices.Index(stages, value)
			if i < 0 {
				return nil, &apigwtypes.NotFoundException{Message: strp("API stage " + value + " is not in the usage plan")}
			}
			stages = slices.Delete(stages, i, i+1)
		case path == "/name" && op.Op == apigwtypes.OpReplace && value != "":
			name = value
		case path == "/description" && op.Op == apigwtypes.OpReplace:
			desc = value
		default:
			return nil, &apigwtypes.BadRequestException{Message: strp(fmt.Sprintf("Invalid patch operation %s %s", op.Op, path))}
		}
	}
	slices.Sort(stages)
	p.name, p.description, p.stages = name, desc, stages
	if post != nil {
		return nil, post
	}
	u := p.out()
	return &apigateway.UpdateUsagePlanOutput{Id: u.Id, Name: u.Name, Description: u.Description, ApiStages: u.ApiStages}, nil
}

// DeleteUsagePlan deletes a usage plan that has no API stages left, as
// API Gateway does (its keys leave it; the API keys stay).
func (s *APIGateway) DeleteUsagePlan(ctx context.Context, in *apigateway.DeleteUsagePlanInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteUsagePlanOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "DeleteUsagePlan", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	id := aws.ToString(in.UsagePlanId)
	p, ok := s.c.usagePlans[id]
	if !ok {
		return nil, usagePlanNotFound(id)
	}
	if len(p.stages) > 0 {
		return nil, &apigwtypes.BadRequestException{Message: strp(fmt.Sprintf(
			"Cannot delete Usage Plan %s because there are API Stages associated with it, including %s", id, p.stages[0]))}
	}
	delete(s.c.usagePlans, id)
	if post != nil {
		return nil, post
	}
	return &apigateway.DeleteUsagePlanOutput{}, nil
}

// UsagePlanSnapshot is a usage plan; a REST API's id in an API stage is
// replaced by "<api:NAME>".
type UsagePlanSnapshot struct {
	Name, Description string
	APIStages         []string
}

// usagePlanSnapshots returns the usage plans sorted by name; apiName maps
// API ids to names. Call with c.mu held.
func (c *Cloud) usagePlanSnapshots(apiName map[string]string) []UsagePlanSnapshot {
	var out []UsagePlanSnapshot
	for _, p := range c.usagePlans {
		ps := UsagePlanSnapshot{Name: p.name, Description: p.description}
		for _, st := range p.stages {
			api, stage, _ := strings.Cut(st, ":")
			ps.APIStages = append(ps.APIStages, "<api:"+apiName[api]+">:"+stage)
		}
		out = append(out, ps)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
