package fakeaws

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"
)

// domainName is an API Gateway custom domain name. API Gateway's two
// APIs share one set of domain names per account and region, as here.
type domainName struct {
	name, endpointType, certificateARN, securityPolicy string
	// target and zone are what DNS must point to: a CloudFront
	// distribution (EDGE) or a regional domain name, and its hosted zone.
	target, zone string
	tags         map[string]string
	// mappings are by key: a REST base path ("(none)" for the root) or an
	// HTTP API mapping key ("" for the root).
	mappings map[string]*domainMapping
}

// domainMapping maps a base path of a domain to an API's stage.
type domainMapping struct {
	id, key, apiID, stage string
	// http is set for an HTTP API's mapping (API Gateway v2).
	http bool
}

// DomainNameSnapshot is a custom domain name; an API's id in a mapping
// is replaced by "<api:NAME>".
type DomainNameSnapshot struct {
	EndpointType, CertificateARN, SecurityPolicy string
	Tags                                         map[string]string `json:",omitempty"`
	// Mappings maps a base path ("" for the root) to "<api:NAME>/stage".
	Mappings map[string]string
}

// regionalHostedZones are API Gateway's regional hosted zones (a few).
var regionalHostedZones = map[string]string{
	"us-east-1": "Z1UJRXOUMOOFQ8", "us-east-2": "ZOJJZC49E0EPZ", "us-west-2": "Z2OJLYMUO9EFXC",
	"eu-west-1": "ZLY8HYME6SFDD", "eu-central-1": "Z1U9ULNL0V5AJ3",
}

// cloudFrontHostedZone is CloudFront's hosted zone, every EDGE domain's.
const cloudFrontHostedZone = "Z2FDTNDATAQYW2"

// domainSnapshots returns the domain names by name; apiName maps API ids
// to names. Call with c.mu held.
func (c *Cloud) domainSnapshots(apiName map[string]string) map[string]DomainNameSnapshot {
	if len(c.domains) == 0 {
		return nil
	}
	out := map[string]DomainNameSnapshot{}
	for name, dn := range c.domains {
		s := DomainNameSnapshot{EndpointType: dn.endpointType, CertificateARN: dn.certificateARN, SecurityPolicy: dn.securityPolicy,
			Tags: maps.Clone(dn.tags), Mappings: map[string]string{}}
		for _, m := range dn.mappings {
			key := m.key
			if key == "(none)" {
				key = ""
			}
			s.Mappings[key] = "<api:" + apiName[m.apiID] + ">/" + m.stage
		}
		out[name] = s
	}
	return out
}

// alnum is a run of n lower-case letters and digits that API Gateway
// makes up for a name; the fake derives it from what is named, so a
// deploy that repeats calls gets the names a clean one gets.
func alnum(n int, of string) string {
	sum := sha256.Sum256([]byte(of))
	s := ""
	for _, b := range sum {
		s += strconv.FormatInt(int64(b)%36, 36)
	}
	return s[:n]
}

// certRegion is the region of an ACM certificate ARN, "" for no ARN.
func certRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[2] != "acm" || !strings.HasPrefix(parts[5], "certificate/") {
		return ""
	}
	return parts[3]
}

// newDomain checks and makes a domain name as both APIs' creates do; the
// error is an apigateway error, converted by v2's callers.
func (c *Cloud) newDomain(name, endpoint, cert, policy string, tags map[string]string) (*domainName, error) {
	bad := func(msg string) error { return &apigwtypes.BadRequestException{Message: strp(msg)} }
	if name == "" {
		return nil, bad("Domain name is required")
	}
	if _, ok := c.domains[name]; ok {
		return nil, &apigwtypes.ConflictException{Message: strp("The domain name you provided already exists.")}
	}
	switch endpoint {
	case "EDGE":
		if certRegion(cert) != "us-east-1" {
			return nil, bad("Invalid certificate ARN: " + cert + ". Certificate must be in 'us-east-1'.")
		}
	case "REGIONAL":
		if certRegion(cert) != c.Region {
			return nil, bad("Invalid certificate ARN: " + cert + ". Certificate must be in '" + c.Region + "'.")
		}
	default:
		return nil, bad("Invalid endpoint type " + endpoint)
	}
	switch policy {
	case "":
		policy = "TLS_1_2"
	case "TLS_1_0", "TLS_1_2":
	default:
		return nil, bad("Invalid security policy " + policy)
	}
	dn := &domainName{name: name, endpointType: endpoint, certificateARN: cert, securityPolicy: policy,
		tags: maps.Clone(tags), mappings: map[string]*domainMapping{}}
	if endpoint == "EDGE" {
		dn.target, dn.zone = "d"+alnum(13, name)+".cloudfront.net", cloudFrontHostedZone
	} else {
		zone := regionalHostedZones[c.Region]
		if zone == "" {
			zone = "Z2REGIONAL0000"
		}
		dn.target, dn.zone = "d-"+alnum(10, name)+".execute-api."+c.Region+".amazonaws.com", zone
	}
	if c.domains == nil {
		c.domains = map[string]*domainName{}
	}
	c.domains[name] = dn
	return dn, nil
}

func domainNotFound() error {
	return &apigwtypes.NotFoundException{Message: strp("Invalid domain name identifier specified")}
}

func (dn *domainName) restOut() *apigateway.GetDomainNameOutput {
	out := &apigateway.GetDomainNameOutput{DomainName: strp(dn.name), SecurityPolicy: apigwtypes.SecurityPolicy(dn.securityPolicy),
		EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointType(dn.endpointType)}},
		DomainNameStatus:      apigwtypes.DomainNameStatusAvailable, Tags: maps.Clone(dn.tags)}
	if dn.endpointType == "EDGE" {
		out.CertificateArn, out.DistributionDomainName, out.DistributionHostedZoneId = strp(dn.certificateARN), strp(dn.target), strp(dn.zone)
	} else {
		out.RegionalCertificateArn, out.RegionalDomainName, out.RegionalHostedZoneId = strp(dn.certificateARN), strp(dn.target), strp(dn.zone)
	}
	return out
}

func (dn *domainName) httpConfig() []apigwv2types.DomainNameConfiguration {
	return []apigwv2types.DomainNameConfiguration{{
		ApiGatewayDomainName: strp(dn.target), HostedZoneId: strp(dn.zone), CertificateArn: strp(dn.certificateARN),
		EndpointType: apigwv2types.EndpointType(dn.endpointType), SecurityPolicy: apigwv2types.SecurityPolicy(dn.securityPolicy),
		DomainNameStatus: apigwv2types.DomainNameStatusAvailable,
	}}
}

// domainByARN finds a domain from its ARN (for tagging).
func (c *Cloud) domainByARN(arn string) (*domainName, bool) {
	_, name, ok := strings.Cut(arn, "::/domainnames/")
	if !ok {
		return nil, false
	}
	dn, ok := c.domains[name]
	return dn, ok
}

// GetDomainNames lists the custom domain names by name, in one page.
func (s *APIGateway) GetDomainNames(ctx context.Context, in *apigateway.GetDomainNamesInput, _ ...func(*apigateway.Options)) (*apigateway.GetDomainNamesOutput, error) {
	if _, err := s.c.begin(ctx, "apigateway", "GetDomainNames", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	out := &apigateway.GetDomainNamesOutput{}
	for _, name := range slices.Sorted(maps.Keys(s.c.domains)) {
		o := s.c.domains[name].restOut()
		out.Items = append(out.Items, apigwtypes.DomainName{DomainName: o.DomainName, EndpointConfiguration: o.EndpointConfiguration,
			CertificateArn: o.CertificateArn, RegionalCertificateArn: o.RegionalCertificateArn, SecurityPolicy: o.SecurityPolicy, Tags: o.Tags,
			DistributionDomainName: o.DistributionDomainName, DistributionHostedZoneId: o.DistributionHostedZoneId,
			RegionalDomainName: o.RegionalDomainName, RegionalHostedZoneId: o.RegionalHostedZoneId})
	}
	return out, nil
}

// GetDomainName returns a custom domain name.
func (s *APIGateway) GetDomainName(ctx context.Context, in *apigateway.GetDomainNameInput, _ ...func(*apigateway.Options)) (*apigateway.GetDomainNameOutput, error) {
	if _, err := s.c.begin(ctx, "apigateway", "GetDomainName", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, domainNotFound()
	}
	return dn.restOut(), nil
}

// CreateDomainName creates a custom domain name; its certificate must be
// in us-east-1 (EDGE) or in the region (REGIONAL), and a name that
// exists is a ConflictException.
func (s *APIGateway) CreateDomainName(ctx context.Context, in *apigateway.CreateDomainNameInput, opts ...func(*apigateway.Options)) (*apigateway.CreateDomainNameOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigateway.Options) int { return o.RetryMaxAttempts }), func() (*apigateway.CreateDomainNameOutput, error) { return s.createDomainName(ctx, in) })
}

func (s *APIGateway) createDomainName(ctx context.Context, in *apigateway.CreateDomainNameInput) (*apigateway.CreateDomainNameOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "CreateDomainName", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	endpoint := "EDGE"
	if in.EndpointConfiguration != nil && len(in.EndpointConfiguration.Types) > 0 {
		endpoint = string(in.EndpointConfiguration.Types[0])
	}
	cert := aws.ToString(in.CertificateArn)
	if endpoint == "REGIONAL" {
		if in.CertificateArn != nil {
			return nil, &apigwtypes.BadRequestException{Message: strp("A REGIONAL domain name takes a regionalCertificateArn")}
		}
		cert = aws.ToString(in.RegionalCertificateArn)
	} else if in.RegionalCertificateArn != nil {
		return nil, &apigwtypes.BadRequestException{Message: strp("An EDGE domain name takes a certificateArn")}
	}
	dn, err := s.c.newDomain(aws.ToString(in.DomainName), endpoint, cert, string(in.SecurityPolicy), in.Tags)
	if err != nil {
		return nil, err
	}
	if post != nil {
		return nil, post
	}
	o := dn.restOut()
	return &apigateway.CreateDomainNameOutput{DomainName: o.DomainName, EndpointConfiguration: o.EndpointConfiguration,
		CertificateArn: o.CertificateArn, RegionalCertificateArn: o.RegionalCertificateArn, SecurityPolicy: o.SecurityPolicy,
		DistributionDomainName: o.DistributionDomainName, DistributionHostedZoneId: o.DistributionHostedZoneId,
		RegionalDomainName: o.RegionalDomainName, RegionalHostedZoneId: o.RegionalHostedZoneId, Tags: o.Tags}, nil
}

// UpdateDomainName applies patch operations: replace of the certificate
// of the domain's endpoint type and of the security policy.
func (s *APIGateway) UpdateDomainName(ctx context.Context, in *apigateway.UpdateDomainNameInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateDomainNameOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "UpdateDomainName", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, domainNotFound()
	}
	cert, policy := dn.certificateARN, dn.securityPolicy
	for _, op := range in.PatchOperations {
		path, value := aws.ToString(op.Path), aws.ToString(op.Value)
		switch {
		case op.Op == apigwtypes.OpReplace && path == "/certificateArn" && dn.endpointType == "EDGE" && certRegion(value) == "us-east-1":
			cert = value
		case op.Op == apigwtypes.OpReplace && path == "/regionalCertificateArn" && dn.endpointType == "REGIONAL" && certRegion(value) == s.c.Region:
			cert = value
		case op.Op == apigwtypes.OpReplace && path == "/securityPolicy" && (value == "TLS_1_0" || value == "TLS_1_2"):
			policy = value
		default:
			return nil, &apigwtypes.BadRequestException{Message: strp(fmt.Sprintf("Invalid patch operation %s %s %s", op.Op, path, value))}
		}
	}
	dn.certificateARN, dn.securityPolicy = cert, policy
	if post != nil {
		return nil, post
	}
	return &apigateway.UpdateDomainNameOutput{DomainName: strp(dn.name)}, nil
}

// DeleteDomainName deletes a custom domain name with its mappings.
func (s *APIGateway) DeleteDomainName(ctx context.Context, in *apigateway.DeleteDomainNameInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteDomainNameOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "DeleteDomainName", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.domains[aws.ToString(in.DomainName)]; !ok {
		return nil, domainNotFound()
	}
	delete(s.c.domains, aws.ToString(in.DomainName))
	if post != nil {
		return nil, post
	}
	return &apigateway.DeleteDomainNameOutput{}, nil
}

// GetBasePathMappings lists a domain's REST base path mappings by base
// path, the root as "(none)".
func (s *APIGateway) GetBasePathMappings(ctx context.Context, in *apigateway.GetBasePathMappingsInput, _ ...func(*apigateway.Options)) (*apigateway.GetBasePathMappingsOutput, error) {
	if _, err := s.c.begin(ctx, "apigateway", "GetBasePathMappings", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, domainNotFound()
	}
	out := &apigateway.GetBasePathMappingsOutput{}
	for _, key := range slices.Sorted(maps.Keys(dn.mappings)) {
		if m := dn.mappings[key]; !m.http {
			out.Items = append(out.Items, apigwtypes.BasePathMapping{BasePath: strp(m.key), RestApiId: strp(m.apiID), Stage: strp(m.stage)})
		}
	}
	return out, nil
}

// checkRESTStage is API Gateway's check of a mapping's REST API stage.
func (c *Cloud) checkRESTStage(apiID, stage string) error {
	a, ok := c.apis[apiID]
	if !ok {
		return &apigwtypes.NotFoundException{Message: strp("Invalid REST API identifier specified")}
	}
	if _, ok := a.stages[stage]; !ok {
		return &apigwtypes.BadRequestException{Message: strp("Invalid stage identifier specified")}
	}
	return nil
}

// CreateBasePathMapping maps a base path ("(none)" or absent for the
// root) of a domain to a REST API's stage; a base path that is mapped is
// a ConflictException.
func (s *APIGateway) CreateBasePathMapping(ctx context.Context, in *apigateway.CreateBasePathMappingInput, opts ...func(*apigateway.Options)) (*apigateway.CreateBasePathMappingOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigateway.Options) int { return o.RetryMaxAttempts }), func() (*apigateway.CreateBasePathMappingOutput, error) {
		return s.createBasePathMapping(ctx, in)
	})
}

func (s *APIGateway) createBasePathMapping(ctx context.Context, in *apigateway.CreateBasePathMappingInput) (*apigateway.CreateBasePathMappingOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "CreateBasePathMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, domainNotFound()
	}
	key := aws.ToString(in.BasePath)
	if key == "" {
		key = "(none)"
	}
	if err := s.c.checkRESTStage(aws.ToString(in.RestApiId), aws.ToString(in.Stage)); err != nil {
		return nil, err
	}
	if _, ok := dn.mappings[key]; ok {
		return nil, &apigwtypes.ConflictException{Message: strp("Base path already exists for this domain name")}
	}
	dn.mappings[key] = &domainMapping{id: key, key: key, apiID: aws.ToString(in.RestApiId), stage: aws.ToString(in.Stage)}
	if post != nil {
		return nil, post
	}
	return &apigateway.CreateBasePathMappingOutput{BasePath: strp(key), RestApiId: in.RestApiId, Stage: in.Stage}, nil
}

// UpdateBasePathMapping applies patch operations (replace of /basePath,
// /restapiId and /stage) to the mapping of a base path.
func (s *APIGateway) UpdateBasePathMapping(ctx context.Context, in *apigateway.UpdateBasePathMappingInput, _ ...func(*apigateway.Options)) (*apigateway.UpdateBasePathMappingOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "UpdateBasePathMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, domainNotFound()
	}
	m, ok := dn.mappings[aws.ToString(in.BasePath)]
	if !ok || m.http {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid base path mapping identifier specified")}
	}
	key, api, stage := m.key, m.apiID, m.stage
	for _, op := range in.PatchOperations {
		path, value := aws.ToString(op.Path), aws.ToString(op.Value)
		switch {
		case op.Op == apigwtypes.OpReplace && path == "/basePath":
			key = value
			if key == "" {
				key = "(none)"
			}
		case op.Op == apigwtypes.OpReplace && path == "/restapiId":
			api = value
		case op.Op == apigwtypes.OpReplace && path == "/stage":
			stage = value
		default:
			return nil, &apigwtypes.BadRequestException{Message: strp(fmt.Sprintf("Invalid patch operation %s %s", op.Op, path))}
		}
	}
	if err := s.c.checkRESTStage(api, stage); err != nil {
		return nil, err
	}
	if _, taken := dn.mappings[key]; taken && key != m.key {
		return nil, &apigwtypes.ConflictException{Message: strp("Base path already exists for this domain name")}
	}
	delete(dn.mappings, m.key)
	m.id, m.key, m.apiID, m.stage = key, key, api, stage
	dn.mappings[key] = m
	if post != nil {
		return nil, post
	}
	return &apigateway.UpdateBasePathMappingOutput{BasePath: strp(key), RestApiId: strp(api), Stage: strp(stage)}, nil
}

// DeleteBasePathMapping deletes the mapping of a base path.
func (s *APIGateway) DeleteBasePathMapping(ctx context.Context, in *apigateway.DeleteBasePathMappingInput, _ ...func(*apigateway.Options)) (*apigateway.DeleteBasePathMappingOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "DeleteBasePathMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, domainNotFound()
	}
	m, ok := dn.mappings[aws.ToString(in.BasePath)]
	if !ok || m.http {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid base path mapping identifier specified")}
	}
	delete(dn.mappings, m.key)
	if post != nil {
		return nil, post
	}
	return &apigateway.DeleteBasePathMappingOutput{}, nil
}

// TagResource tags a custom domain name (the only resource the fake
// tags through API Gateway).
func (s *APIGateway) TagResource(ctx context.Context, in *apigateway.TagResourceInput, _ ...func(*apigateway.Options)) (*apigateway.TagResourceOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "TagResource", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domainByARN(aws.ToString(in.ResourceArn))
	if !ok {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid resource ARN " + aws.ToString(in.ResourceArn))}
	}
	if dn.tags == nil {
		dn.tags = map[string]string{}
	}
	maps.Copy(dn.tags, in.Tags)
	if post != nil {
		return nil, post
	}
	return &apigateway.TagResourceOutput{}, nil
}

// UntagResource removes tags of a custom domain name.
func (s *APIGateway) UntagResource(ctx context.Context, in *apigateway.UntagResourceInput, _ ...func(*apigateway.Options)) (*apigateway.UntagResourceOutput, error) {
	post, err := s.c.begin(ctx, "apigateway", "UntagResource", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domainByARN(aws.ToString(in.ResourceArn))
	if !ok {
		return nil, &apigwtypes.NotFoundException{Message: strp("Invalid resource ARN " + aws.ToString(in.ResourceArn))}
	}
	for _, k := range in.TagKeys {
		delete(dn.tags, k)
	}
	if post != nil {
		return nil, post
	}
	return &apigateway.UntagResourceOutput{}, nil
}

// v2errors converts an apigateway error of the shared domain logic into
// its apigatewayv2 form.
func v2error(err error) error {
	switch e := err.(type) {
	case *apigwtypes.ConflictException:
		return &apigwv2types.ConflictException{Message: e.Message}
	case *apigwtypes.NotFoundException:
		return &apigwv2types.NotFoundException{Message: e.Message}
	case *apigwtypes.BadRequestException:
		return &apigwv2types.BadRequestException{Message: e.Message}
	}
	return err
}

// GetDomainName returns a custom domain name (API Gateway v2's view).
func (s *HTTPAPI) GetDomainName(ctx context.Context, in *apigatewayv2.GetDomainNameInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetDomainNameOutput, error) {
	if _, err := s.c.begin(ctx, "apigatewayv2", "GetDomainName", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, v2error(domainNotFound())
	}
	return &apigatewayv2.GetDomainNameOutput{DomainName: strp(dn.name), DomainNameConfigurations: dn.httpConfig(), Tags: maps.Clone(dn.tags)}, nil
}

// CreateDomainName creates a REGIONAL custom domain name from its one
// configuration.
func (s *HTTPAPI) CreateDomainName(ctx context.Context, in *apigatewayv2.CreateDomainNameInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateDomainNameOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.CreateDomainNameOutput, error) {
		return s.createDomainName(ctx, in)
	})
}

func (s *HTTPAPI) createDomainName(ctx context.Context, in *apigatewayv2.CreateDomainNameInput) (*apigatewayv2.CreateDomainNameOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "CreateDomainName", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if len(in.DomainNameConfigurations) != 1 {
		return nil, httpBadRequest("DomainNameConfigurations takes one configuration")
	}
	cfg := in.DomainNameConfigurations[0]
	endpoint := string(cfg.EndpointType)
	if endpoint == "" {
		endpoint = "REGIONAL"
	}
	if endpoint != "REGIONAL" {
		return nil, httpBadRequest("Only REGIONAL domain names can be created through API Gateway v2")
	}
	dn, err := s.c.newDomain(aws.ToString(in.DomainName), endpoint, aws.ToString(cfg.CertificateArn), string(cfg.SecurityPolicy), in.Tags)
	if err != nil {
		return nil, v2error(err)
	}
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.CreateDomainNameOutput{DomainName: strp(dn.name), DomainNameConfigurations: dn.httpConfig(), Tags: maps.Clone(dn.tags)}, nil
}

// UpdateDomainName replaces the domain's configuration (its certificate
// and security policy).
func (s *HTTPAPI) UpdateDomainName(ctx context.Context, in *apigatewayv2.UpdateDomainNameInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateDomainNameOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UpdateDomainName", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, v2error(domainNotFound())
	}
	if len(in.DomainNameConfigurations) != 1 {
		return nil, httpBadRequest("DomainNameConfigurations takes one configuration")
	}
	cfg := in.DomainNameConfigurations[0]
	if string(cfg.EndpointType) != dn.endpointType || certRegion(aws.ToString(cfg.CertificateArn)) != s.c.Region {
		return nil, httpBadRequest("Invalid domain name configuration")
	}
	switch cfg.SecurityPolicy {
	case "TLS_1_2":
	default:
		return nil, httpBadRequest("Invalid security policy " + string(cfg.SecurityPolicy))
	}
	dn.certificateARN, dn.securityPolicy = aws.ToString(cfg.CertificateArn), string(cfg.SecurityPolicy)
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.UpdateDomainNameOutput{DomainName: strp(dn.name), DomainNameConfigurations: dn.httpConfig()}, nil
}

// DeleteDomainName deletes a custom domain name with its mappings.
func (s *HTTPAPI) DeleteDomainName(ctx context.Context, in *apigatewayv2.DeleteDomainNameInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteDomainNameOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "DeleteDomainName", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	if _, ok := s.c.domains[aws.ToString(in.DomainName)]; !ok {
		return nil, v2error(domainNotFound())
	}
	delete(s.c.domains, aws.ToString(in.DomainName))
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.DeleteDomainNameOutput{}, nil
}

// GetApiMappings lists a domain's HTTP API mappings by key.
func (s *HTTPAPI) GetApiMappings(ctx context.Context, in *apigatewayv2.GetApiMappingsInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApiMappingsOutput, error) {
	if _, err := s.c.begin(ctx, "apigatewayv2", "GetApiMappings", false); err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, v2error(domainNotFound())
	}
	out := &apigatewayv2.GetApiMappingsOutput{}
	for _, key := range slices.Sorted(maps.Keys(dn.mappings)) {
		if m := dn.mappings[key]; m.http {
			out.Items = append(out.Items, apigwv2types.ApiMapping{ApiMappingId: strp(m.id), ApiMappingKey: strp(m.key), ApiId: strp(m.apiID), Stage: strp(m.stage)})
		}
	}
	return out, nil
}

// checkHTTPStage is API Gateway's check of a mapping's HTTP API stage.
func (c *Cloud) checkHTTPStage(apiID, stage string) error {
	a, ok := c.httpAPIs[apiID]
	if !ok {
		return httpAPINotFound(apiID)
	}
	if _, ok := a.stages[stage]; !ok {
		return httpBadRequest("Invalid stage identifier specified " + stage)
	}
	return nil
}

// CreateApiMapping maps a key ("" for the root) of a domain to an HTTP
// API's stage; a key that is mapped is a ConflictException.
func (s *HTTPAPI) CreateApiMapping(ctx context.Context, in *apigatewayv2.CreateApiMappingInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.CreateApiMappingOutput, error) {
	return resend(s.c, attempts(opts, func(o *apigatewayv2.Options) int { return o.RetryMaxAttempts }), func() (*apigatewayv2.CreateApiMappingOutput, error) {
		return s.createApiMapping(ctx, in)
	})
}

func (s *HTTPAPI) createApiMapping(ctx context.Context, in *apigatewayv2.CreateApiMappingInput) (*apigatewayv2.CreateApiMappingOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "CreateApiMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domains[aws.ToString(in.DomainName)]
	if !ok {
		return nil, v2error(domainNotFound())
	}
	if err := s.c.checkHTTPStage(aws.ToString(in.ApiId), aws.ToString(in.Stage)); err != nil {
		return nil, err
	}
	key := aws.ToString(in.ApiMappingKey)
	if _, ok := dn.mappings[key]; ok {
		return nil, &apigwv2types.ConflictException{Message: strp("ApiMapping key already exists for this domain name")}
	}
	m := &domainMapping{id: alnum(6, fmt.Sprint(s.c.nextID())), key: key, apiID: aws.ToString(in.ApiId), stage: aws.ToString(in.Stage), http: true}
	dn.mappings[key] = m
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.CreateApiMappingOutput{ApiMappingId: strp(m.id), ApiMappingKey: strp(key), ApiId: in.ApiId, Stage: in.Stage}, nil
}

// httpMapping returns a domain's HTTP API mapping by id.
func (c *Cloud) httpMapping(domain, id string) (*domainName, *domainMapping, error) {
	dn, ok := c.domains[domain]
	if !ok {
		return nil, nil, v2error(domainNotFound())
	}
	for _, m := range dn.mappings {
		if m.http && m.id == id {
			return dn, m, nil
		}
	}
	return nil, nil, &apigwv2types.NotFoundException{Message: strp("Invalid ApiMapping identifier specified " + id)}
}

// UpdateApiMapping changes an HTTP API mapping's key, API or stage.
func (s *HTTPAPI) UpdateApiMapping(ctx context.Context, in *apigatewayv2.UpdateApiMappingInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UpdateApiMappingOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UpdateApiMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, m, err := s.c.httpMapping(aws.ToString(in.DomainName), aws.ToString(in.ApiMappingId))
	if err != nil {
		return nil, err
	}
	key, api, stage := m.key, aws.ToString(in.ApiId), m.stage
	if in.ApiMappingKey != nil {
		key = *in.ApiMappingKey
	}
	if in.Stage != nil {
		stage = *in.Stage
	}
	if err := s.c.checkHTTPStage(api, stage); err != nil {
		return nil, err
	}
	if _, taken := dn.mappings[key]; taken && key != m.key {
		return nil, &apigwv2types.ConflictException{Message: strp("ApiMapping key already exists for this domain name")}
	}
	delete(dn.mappings, m.key)
	m.key, m.apiID, m.stage = key, api, stage
	dn.mappings[key] = m
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.UpdateApiMappingOutput{ApiMappingId: strp(m.id), ApiMappingKey: strp(key), ApiId: strp(api), Stage: strp(stage)}, nil
}

// DeleteApiMapping deletes an HTTP API mapping.
func (s *HTTPAPI) DeleteApiMapping(ctx context.Context, in *apigatewayv2.DeleteApiMappingInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.DeleteApiMappingOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "DeleteApiMapping", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, m, err := s.c.httpMapping(aws.ToString(in.DomainName), aws.ToString(in.ApiMappingId))
	if err != nil {
		return nil, err
	}
	delete(dn.mappings, m.key)
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.DeleteApiMappingOutput{}, nil
}

// TagResource tags a custom domain name.
func (s *HTTPAPI) TagResource(ctx context.Context, in *apigatewayv2.TagResourceInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.TagResourceOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "TagResource", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domainByARN(aws.ToString(in.ResourceArn))
	if !ok {
		return nil, &apigwv2types.NotFoundException{Message: strp("Invalid resource ARN " + aws.ToString(in.ResourceArn))}
	}
	if dn.tags == nil {
		dn.tags = map[string]string{}
	}
	maps.Copy(dn.tags, in.Tags)
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.TagResourceOutput{}, nil
}

// UntagResource removes tags of a custom domain name.
func (s *HTTPAPI) UntagResource(ctx context.Context, in *apigatewayv2.UntagResourceInput, _ ...func(*apigatewayv2.Options)) (*apigatewayv2.UntagResourceOutput, error) {
	post, err := s.c.begin(ctx, "apigatewayv2", "UntagResource", true)
	if err != nil {
		return nil, err
	}
	defer s.c.mu.Unlock()
	dn, ok := s.c.domainByARN(aws.ToString(in.ResourceArn))
	if !ok {
		return nil, &apigwv2types.NotFoundException{Message: strp("Invalid resource ARN " + aws.ToString(in.ResourceArn))}
	}
	for _, k := range in.TagKeys {
		delete(dn.tags, k)
	}
	if post != nil {
		return nil, post
	}
	return &apigatewayv2.UntagResourceOutput{}, nil
}
