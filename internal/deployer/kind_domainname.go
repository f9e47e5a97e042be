package deployer

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	apigwv2types "github.com/aws/aws-sdk-go-v2/service/apigatewayv2/types"

	iampolicy "github.com/gochalice/gochalice/internal/iam"
	"github.com/gochalice/gochalice/internal/stages"
)

// The stage's custom domain name (api_gateway_custom_domain, Chalice's
// semantics): an API Gateway domain name with the user's ACM certificate,
// and the mapping of its base path (url_prefix, the root when empty or
// "/") to the stage of the REST or HTTP API (kind_apimapping.go). A REST
// API's domain has its endpoint type (EDGE: the certificate is in
// us-east-1 and API Gateway fronts the domain with CloudFront; REGIONAL:
// the certificate is in the stage's region); an HTTP API's is REGIONAL.
// gochalice does not touch DNS: the deploy prints the target, the
// domain name the user's record must point to (a CNAME, or a Route 53
// alias in its hosted zone).

// DomainNameSpec is the stage's custom domain name.
type DomainNameSpec struct {
	// API is the kind of API it serves, REST or HTTP: whose API Gateway
	// API (v1 or v2) manages it.
	API string `json:"api"`
	// EndpointType is EDGE or REGIONAL.
	EndpointType   string `json:"endpoint_type"`
	CertificateARN string `json:"certificate_arn"`
	// SecurityPolicy is the TLS version, TLS_1_0 or TLS_1_2.
	SecurityPolicy string            `json:"security_policy"`
	Tags           map[string]string `json:"tags,omitempty"`
}

const domainNameAddr = "domain_name"

// The CloudFormation logical IDs and the Terraform name of the domain and
// its mapping, Chalice's.
const (
	domainNameLogicalID     = "ApiGatewayCustomDomain"
	apiMappingLogicalID     = "ApiGatewayCustomDomainMapping"
	domainNameTerraformName = "custom_domain"
)

// The domain's target in the recorded state: what DNS must point to.
const (
	attrTargetDomainName = "target_domain_name"
	attrHostedZoneID     = "hosted_zone_id"
)

// domainResources are the resources of s's api_gateway_custom_domain
// (none without one): the domain name and the mapping of its base path to
// the API at apiAddr and its stage at stageAddr. Settings the domain
// cannot have are problems, found before any AWS call.
func domainResources(s *stages.Settings, t Target, apiAddr, stageAddr string) ([]Resource, []Problem) {
	cd := s.APIGatewayCustomDomain
	if cd == nil {
		return nil, nil
	}
	const subject = "api_gateway_custom_domain"
	api, endpoint := "REST", s.APIGatewayEndpointType
	if s.APIGatewayType == stages.APIGatewayTypeHTTP {
		api, endpoint = "HTTP", "REGIONAL"
	}
	var problems []Problem
	certRegion, known := certificateRegion(cd.CertificateARN), knownRegion
	switch {
	case endpoint == "PRIVATE":
		problems = append(problems, Problem{Subject: subject,
			Problem: "a PRIVATE REST API cannot have this custom domain: gochalice makes public (EDGE or REGIONAL) domain names",
			Fix:     `remove api_gateway_custom_domain, or set "api_gateway_endpoint_type" to "EDGE" or "REGIONAL"`})
	case endpoint == "EDGE" && certRegion != "us-east-1":
		problems = append(problems, Problem{Subject: subject + ".certificate_arn",
			Problem: fmt.Sprintf("the certificate of an EDGE API's domain must be in us-east-1 (CloudFront's region), not %s", certRegion),
			Fix:     `use a certificate of us-east-1, or set "api_gateway_endpoint_type": "REGIONAL"`})
	case endpoint == "REGIONAL" && known(t.Region) && certRegion != t.Region:
		problems = append(problems, Problem{Subject: subject + ".certificate_arn",
			Problem: fmt.Sprintf("the certificate of a REGIONAL domain must be in the stage's region %s, not %s", t.Region, certRegion),
			Fix:     "request or import the certificate in ACM in " + t.Region})
	}
	if api == "HTTP" && cd.TLSVersion != "TLS_1_2" {
		problems = append(problems, Problem{Subject: subject + ".tls_version",
			Problem: "an HTTP API's custom domain accepts only TLS_1_2",
			Fix:     `remove tls_version, or set it to "TLS_1_2"`})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	// The stage's tags mark the domain as the stage's (Discover).
	tags := maps.Clone(cd.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	maps.Copy(tags, stageNames(s).Tags())
	return []Resource{
		{
			Address: domainNameAddr, Type: TypeDomainName, Name: cd.DomainName,
			// Made after the API, so that a domain an interrupted deploy
			// left is found with it (discoverDomainNames).
			DependsOn: []string{apiAddr},
			Note:      "point a DNS record for " + cd.DomainName + " at its target: gochalice deploy prints it",
			DomainName: &DomainNameSpec{API: api, EndpointType: endpoint, CertificateARN: cd.CertificateARN,
				SecurityPolicy: cd.TLSVersion, Tags: tags},
		},
		{
			Address: apiMappingAddr, Type: TypeAPIMapping, Name: cd.DomainName + "/" + cd.URLPrefix,
			DependsOn: []string{domainNameAddr, apiAddr, stageAddr},
			APIMapping: &APIMappingSpec{API: api, DomainName: cd.DomainName, EndpointType: endpoint,
				BasePath: cd.URLPrefix, Stage: s.APIGatewayStage},
		},
	}, nil
}

// certificateRegion is the region of an ACM certificate's ARN.
func certificateRegion(arn string) string {
	if parts := strings.SplitN(arn, ":", 6); len(parts) == 6 {
		return parts[3]
	}
	return ""
}

// knownRegion reports whether r is a region rather than a placeholder.
func knownRegion(r string) bool { return r != "" && !strings.ContainsAny(r, "<>${}") }

// domainNameKind is the custom domain name (api_domain_name,
// "domain_name").
func domainNameKind() kind {
	return kind{
		attributes: domainNameAttributes,
		// Another name or API is another domain; API Gateway moves a
		// domain between endpoint types only in steps.
		replace: []string{"domain_name", "api", "endpoint_type"},
		apply:   applyDomainName,
		delete: func(ctx context.Context, a *applier, _ string, prior ResourceState) error {
			d, name := a.d, prior.Name
			err := d.retry(ctx, func() error {
				if apiV2(prior.Attributes["api"]) {
					_, err := d.Clients.HTTPDomains.DeleteDomainName(ctx, &apigatewayv2.DeleteDomainNameInput{DomainName: &name})
					return err
				}
				_, err := d.Clients.Domains.DeleteDomainName(ctx, &apigateway.DeleteDomainNameInput{DomainName: &name})
				return err
			})
			return ignore[*apigwv2types.NotFoundException](ignore[*apigwtypes.NotFoundException](err))
		},
		read: func(ctx context.Context, rd *reader, want *Resource, rec *ResourceState) (ResourceState, bool, error) {
			// The domain recorded: a renamed one is replaced, the old name
			// deleted.
			if rec != nil {
				return rd.d.readDomainName(ctx, rec.Name, rec.Attributes["api"])
			}
			return rd.d.readDomainName(ctx, want.Name, want.DomainName.API)
		},
		discover:        discoverDomainNames,
		sharedLogicalID: domainNameLogicalID,
		cloudFormation:  domainNameCloudFormation,
		terraformName:   domainNameTerraformName,
		terraform:       domainNameTerraform,
		deployerPolicy: func(c *policyContext, want *Resource, rec *ResourceState) []iampolicy.Statement {
			name, edge := "", false
			if want != nil {
				name, edge = want.Name, want.DomainName.EndpointType == "EDGE"
			} else {
				name, edge = rec.Name, rec.Attributes["endpoint_type"] == "EDGE"
			}
			domain := c.t.APIGateway("/domainnames/" + name)
			out := []iampolicy.Statement{
				// API Gateway names the domain in the request's body, so
				// creating one cannot be scoped to its name.
				allow("CreateDomainNames", []string{"apigateway:POST"}, iampolicy.Strings{c.t.APIGateway("/domainnames")}, nil),
				allow("ManageDomainName", []string{"apigateway:DELETE", "apigateway:GET", "apigateway:PATCH"}, iampolicy.Strings{domain}, nil),
				// Tagging is authorised on "/tags/" and the URL-encoded
				// ARN of the domain; the pattern holds whichever way ":"
				// and "/" are encoded.
				allow("TagDomainName", []string{"apigateway:DELETE", "apigateway:PUT"}, iampolicy.Strings{c.t.APIGateway("/tags/*domainnames*" + name)}, nil),
			}
			if edge {
				// API Gateway's documented need for an EDGE domain (its
				// CloudFront distribution, which API Gateway's own account
				// owns, so no narrower resource applies).
				out = append(out, allow("EdgeDomainDistribution", []string{"cloudfront:UpdateDistribution"}, iampolicy.Strings{"*"}, nil))
			}
			return out
		},
	}
}

// listDomainNames is what the deployer needs to find the domain names an
// interrupted deploy left (discoverDomainNames): every stage with an API
// may have one.
func listDomainNames(c *policyContext) iampolicy.Statement {
	return allow("ListDomainNames", []string{"apigateway:GET"}, iampolicy.Strings{c.t.APIGateway("/domainnames")}, nil)
}

// discoverDomainNames finds the domain names tagged as the stage's that
// its state does not record. A domain is made after its API, so only a
// stage with an API, recorded or found, is looked at. A domain mapped to
// the stage's WebSocket API is the WebSocket API's
// (websocket_api_custom_domain); another is the REST or HTTP API's.
func discoverDomainNames(ctx context.Context, dc *discovery) error {
	d, api, wsID := dc.d, "", ""
	switch {
	case dc.known(TypeHTTPAPI, func(ResourceState) bool { return true }):
		api = "HTTP"
	case dc.known(TypeRestAPI, func(ResourceState) bool { return true }):
		api = "REST"
	}
	dc.known(TypeWebSocketAPI, func(rs ResourceState) bool { wsID = rs.ID; return true })
	if d.Clients.Domains == nil || (api == "" && wsID == "") {
		return nil
	}
	var position *string
	for {
		var out *apigateway.GetDomainNamesOutput
		if err := d.retry(ctx, func() (err error) {
			out, err = d.Clients.Domains.GetDomainNames(ctx, &apigateway.GetDomainNamesInput{Limit: aws.Int32(500), Position: position})
			return err
		}); err != nil {
			return err
		}
		for _, dn := range out.Items {
			name := aws.ToString(dn.DomainName)
			named := func(rs ResourceState) bool { return rs.Name == name }
			if !dc.stage.Tagged(dn.Tags) || dc.known(TypeDomainName, named) || dc.known(TypeWebSocketDomainName, named) {
				continue
			}
			domainAPI, domainAddr, mappingAddr, mappingType := api, domainNameAddr, apiMappingAddr, TypeAPIMapping
			ours := func(m mappingFound) bool {
				return dc.known(TypeRestAPI, func(a ResourceState) bool { return a.ID == m.apiID }) || dc.known(TypeHTTPAPI, func(a ResourceState) bool { return a.ID == m.apiID })
			}
			if wsID != "" && d.Clients.HTTPDomains != nil {
				mappings, err := d.listAPIMappings(ctx, "WEBSOCKET", name)
				if err != nil {
					return err
				}
				if slices.ContainsFunc(mappings, func(m mappingFound) bool { return m.apiID == wsID }) {
					domainAPI, domainAddr, mappingAddr, mappingType = "WEBSOCKET", webSocketDomainNameAddr, webSocketAPIMappingAddr, TypeWebSocketAPIMapping
					ours = func(m mappingFound) bool { return m.apiID == wsID }
				}
			}
			if domainAPI == "" {
				continue
			}
			rs := restDomainState(&apigateway.GetDomainNameOutput{DomainName: dn.DomainName, EndpointConfiguration: dn.EndpointConfiguration,
				CertificateArn: dn.CertificateArn, RegionalCertificateArn: dn.RegionalCertificateArn, SecurityPolicy: dn.SecurityPolicy, Tags: dn.Tags,
				DistributionDomainName: dn.DistributionDomainName, DistributionHostedZoneId: dn.DistributionHostedZoneId,
				RegionalDomainName: dn.RegionalDomainName, RegionalHostedZoneId: dn.RegionalHostedZoneId}).resource(name, domainAPI)
			dc.add(domainAddr, rs)
			// Its mappings to the stage's API go with it.
			mappings, err := d.listAPIMappings(ctx, domainAPI, name)
			if err != nil {
				return err
			}
			for _, m := range mappings {
				if !ours(m) {
					continue
				}
				spec := APIMappingSpec{API: domainAPI, DomainName: name, EndpointType: rs.Attributes["endpoint_type"], BasePath: m.key}
				if !dc.known(mappingType, func(r ResourceState) bool {
					return r.Attributes["domain_name"] == name && r.Attributes["base_path"] == m.key
				}) {
					dc.add(mappingAddr, mappingState(spec, &m))
				}
			}
		}
		if out.Position == nil || len(out.Items) == 0 {
			return nil
		}
		position = out.Position
	}
}

// domainNameAttributes are the domain's settings, and its target as
// refreshed (KnownAfterApply before it exists, or when another endpoint
// type makes it again).
func domainNameAttributes(r *Resource, actual *State) map[string]string {
	spec := r.DomainName
	out := map[string]string{
		"domain_name": r.Name, "api": spec.API, "endpoint_type": spec.EndpointType,
		"certificate_arn": spec.CertificateARN, "security_policy": spec.SecurityPolicy, "tags": jsonString(spec.Tags),
		attrTargetDomainName: KnownAfterApply, attrHostedZoneID: KnownAfterApply,
	}
	if actual != nil {
		if rs, ok := actual.Resources[r.Address]; ok && rs.Name == r.Name && rs.Attributes["endpoint_type"] == spec.EndpointType && rs.Attributes["api"] == spec.API {
			out[attrTargetDomainName], out[attrHostedZoneID] = rs.Attributes[attrTargetDomainName], rs.Attributes[attrHostedZoneID]
		}
	}
	return out
}

// domainState is the state of a domain as API Gateway describes it.
type domainState struct {
	endpointType, certificateARN, securityPolicy, target, zone string
	tags                                                       map[string]string
}

func (s domainState) resource(name, api string) ResourceState {
	typ := TypeDomainName
	if api == "WEBSOCKET" {
		typ = TypeWebSocketDomainName
	}
	return ResourceState{Type: typ, Name: name, ID: name, Attributes: map[string]string{
		"domain_name": name, "api": api, "endpoint_type": s.endpointType,
		"certificate_arn": s.certificateARN, "security_policy": s.securityPolicy, "tags": jsonString(s.tags),
		attrTargetDomainName: s.target, attrHostedZoneID: s.zone,
	}}
}

// restDomainState reads a v1 domain name: an EDGE domain's target is its
// CloudFront distribution, a REGIONAL one's its regional domain name.
func restDomainState(dn *apigateway.GetDomainNameOutput) domainState {
	s := domainState{endpointType: "EDGE", securityPolicy: string(dn.SecurityPolicy), tags: dn.Tags}
	if dn.EndpointConfiguration != nil && len(dn.EndpointConfiguration.Types) > 0 {
		s.endpointType = string(dn.EndpointConfiguration.Types[0])
	}
	if s.endpointType == "EDGE" {
		s.certificateARN, s.target, s.zone = aws.ToString(dn.CertificateArn), aws.ToString(dn.DistributionDomainName), aws.ToString(dn.DistributionHostedZoneId)
	} else {
		s.certificateARN, s.target, s.zone = aws.ToString(dn.RegionalCertificateArn), aws.ToString(dn.RegionalDomainName), aws.ToString(dn.RegionalHostedZoneId)
	}
	return s
}

// httpDomainState reads a v2 domain name from its one configuration.
func httpDomainState(configs []apigwv2types.DomainNameConfiguration, tags map[string]string) domainState {
	s := domainState{endpointType: "REGIONAL", tags: tags}
	if len(configs) > 0 {
		c := configs[0]
		s.endpointType, s.certificateARN, s.securityPolicy = string(c.EndpointType), aws.ToString(c.CertificateArn), string(c.SecurityPolicy)
		s.target, s.zone = aws.ToString(c.ApiGatewayDomainName), aws.ToString(c.HostedZoneId)
	}
	return s
}

// readDomainName reads the domain name through the API Gateway API of
// api (REST or HTTP).
func (d *Deployer) readDomainName(ctx context.Context, name, api string) (ResourceState, bool, error) {
	var s domainState
	err := d.retry(ctx, func() error {
		if apiV2(api) {
			out, err := d.Clients.HTTPDomains.GetDomainName(ctx, &apigatewayv2.GetDomainNameInput{DomainName: &name})
			if err == nil {
				s = httpDomainState(out.DomainNameConfigurations, out.Tags)
			}
			return err
		}
		out, err := d.Clients.Domains.GetDomainName(ctx, &apigateway.GetDomainNameInput{DomainName: &name})
		if err == nil {
			s = restDomainState(out)
		}
		return err
	})
	var gone1 *apigwtypes.NotFoundException
	var gone2 *apigwv2types.NotFoundException
	if errors.As(err, &gone1) || errors.As(err, &gone2) {
		return ResourceState{}, false, nil
	}
	if err != nil {
		return ResourceState{}, false, fmt.Errorf("read domain name %s: %w", name, err)
	}
	return s.resource(name, api), true, nil
}

func applyDomainName(ctx context.Context, a *applier, r *Resource) error {
	d, spec := a.d, r.DomainName
	rs, ok := a.get(r.Address)
	if !ok || rs.Name != r.Name {
		rs = ResourceState{}
		_, err := d.createOnce(ctx, func() error {
			err := d.createDomainName(ctx, r)
			var conflict1 *apigwtypes.ConflictException
			var conflict2 *apigwv2types.ConflictException
			if errors.As(err, &conflict1) || errors.As(err, &conflict2) {
				// A domain name is unique in an account and region: it
				// exists, made by an earlier try whose answer was lost
				// (refresh finds one that existed before), so it is
				// adopted rather than created again.
				return nil
			}
			return err
		}, func() (bool, error) {
			got, found, err := d.readDomainName(ctx, r.Name, spec.API)
			rs = got
			return found, err
		})
		if err != nil {
			return fmt.Errorf("create domain name %s: %w", r.Name, err)
		}
		if rs.Name != r.Name {
			// Created (or found taken): read what AWS made of it.
			var found bool
			if rs, found, err = d.readDomainName(ctx, r.Name, spec.API); err != nil {
				return err
			} else if !found {
				return fmt.Errorf("domain name %s: created, then not found", r.Name)
			}
		}
		rs.DependsOn = r.DependsOn
		if err := a.put(r.Address, rs); err != nil {
			return err
		}
	}
	// Certificate, TLS version and tags, changed in place.
	changed := false
	if rs.Attributes["certificate_arn"] != spec.CertificateARN || rs.Attributes["security_policy"] != spec.SecurityPolicy {
		if err := d.updateDomainName(ctx, r, rs); err != nil {
			return fmt.Errorf("update domain name %s: %w", r.Name, err)
		}
		changed = true
	}
	if rs.Attributes["tags"] != jsonString(spec.Tags) {
		var have map[string]string
		if err := jsonUnmarshalString(rs.Attributes["tags"], &have); err != nil {
			have = nil
		}
		if err := d.tagDomainName(ctx, a.target(), r, have); err != nil {
			return fmt.Errorf("tag domain name %s: %w", r.Name, err)
		}
		changed = true
	}
	if !changed {
		return nil
	}
	got, found, err := d.readDomainName(ctx, r.Name, spec.API)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("domain name %s: updated, then not found", r.Name)
	}
	got.DependsOn = r.DependsOn
	return a.put(r.Address, got)
}

// createDomainName sends the create call once (createOnce retries).
func (d *Deployer) createDomainName(ctx context.Context, r *Resource) error {
	spec := r.DomainName
	if apiV2(spec.API) {
		_, err := d.Clients.HTTPDomains.CreateDomainName(ctx, &apigatewayv2.CreateDomainNameInput{
			DomainName: &r.Name, Tags: spec.Tags,
			DomainNameConfigurations: []apigwv2types.DomainNameConfiguration{{
				CertificateArn: &spec.CertificateARN, EndpointType: apigwv2types.EndpointTypeRegional,
				SecurityPolicy: apigwv2types.SecurityPolicy(spec.SecurityPolicy),
			}},
		}, apigwv2Once)
		return err
	}
	in := &apigateway.CreateDomainNameInput{
		DomainName: &r.Name, Tags: spec.Tags, SecurityPolicy: apigwtypes.SecurityPolicy(spec.SecurityPolicy),
		EndpointConfiguration: &apigwtypes.EndpointConfiguration{Types: []apigwtypes.EndpointType{apigwtypes.EndpointType(spec.EndpointType)}},
	}
	if spec.EndpointType == "EDGE" {
		in.CertificateArn = &spec.CertificateARN
	} else {
		in.RegionalCertificateArn = &spec.CertificateARN
	}
	_, err := d.Clients.Domains.CreateDomainName(ctx, in, apigwOnce)
	return err
}

// updateDomainName sets the domain's certificate and TLS version.
func (d *Deployer) updateDomainName(ctx context.Context, r *Resource, rs ResourceState) error {
	spec := r.DomainName
	return d.retry(ctx, func() error {
		if apiV2(spec.API) {
			_, err := d.Clients.HTTPDomains.UpdateDomainName(ctx, &apigatewayv2.UpdateDomainNameInput{
				DomainName: &r.Name,
				DomainNameConfigurations: []apigwv2types.DomainNameConfiguration{{
					CertificateArn: &spec.CertificateARN, EndpointType: apigwv2types.EndpointTypeRegional,
					SecurityPolicy: apigwv2types.SecurityPolicy(spec.SecurityPolicy),
				}},
			})
			return err
		}
		var ops []apigwtypes.PatchOperation
		if rs.Attributes["certificate_arn"] != spec.CertificateARN {
			path := "/regionalCertificateArn"
			if spec.EndpointType == "EDGE" {
				path = "/certificateArn"
			}
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String(path), Value: aws.String(spec.CertificateARN)})
		}
		if rs.Attributes["security_policy"] != spec.SecurityPolicy {
			ops = append(ops, apigwtypes.PatchOperation{Op: apigwtypes.OpReplace, Path: aws.String("/securityPolicy"), Value: aws.String(spec.SecurityPolicy)})
		}
		_, err := d.Clients.Domains.UpdateDomainName(ctx, &apigateway.UpdateDomainNameInput{DomainName: &r.Name, PatchOperations: ops})
		return err
	})
}

// tagDomainName makes the domain's tags spec's: it tags what is new or
// changed and untags what is gone.
func (d *Deployer) tagDomainName(ctx context.Context, t Target, r *Resource, have map[string]string) error {
	spec := r.DomainName
	set := map[string]string{}
	for k, v := range spec.Tags {
		if old, ok := have[k]; !ok || old != v {
			set[k] = v
		}
	}
	var unset []string
	for _, k := range slices.Sorted(maps.Keys(have)) {
		if _, ok := spec.Tags[k]; !ok {
			unset = append(unset, k)
		}
	}
	domainARN := t.APIGateway("/domainnames/" + r.Name)
	if len(set) > 0 {
		if err := d.retry(ctx, func() error {
			if apiV2(spec.API) {
				_, err := d.Clients.HTTPDomains.TagResource(ctx, &apigatewayv2.TagResourceInput{ResourceArn: &domainARN, Tags: set})
				return err
			}
			_, err := d.Clients.Domains.TagResource(ctx, &apigateway.TagResourceInput{ResourceArn: &domainARN, Tags: set})
			return err
		}); err != nil {
			return err
		}
	}
	if len(unset) > 0 {
		return d.retry(ctx, func() error {
			if apiV2(spec.API) {
				_, err := d.Clients.HTTPDomains.UntagResource(ctx, &apigatewayv2.UntagResourceInput{ResourceArn: &domainARN, TagKeys: unset})
				return err
			}
			_, err := d.Clients.Domains.UntagResource(ctx, &apigateway.UntagResourceInput{ResourceArn: &domainARN, TagKeys: unset})
			return err
		})
	}
	return nil
}

// domainNameCloudFormation is an AWS::ApiGateway::DomainName (REST) or an
// AWS::ApiGatewayV2::DomainName (HTTP); the outputs are its target.
func domainNameCloudFormation(c *cfnContext, r Resource) (string, map[string]any, error) {
	spec := r.DomainName
	target, zone := "RegionalDomainName", "RegionalHostedZoneId"
	typ, props := "", map[string]any{"DomainName": r.Name}
	if apiV2(spec.API) {
		typ = "AWS::ApiGatewayV2::DomainName"
		props["DomainNameConfigurations"] = []any{map[string]any{
			"CertificateArn": spec.CertificateARN, "EndpointType": "REGIONAL", "SecurityPolicy": spec.SecurityPolicy,
		}}
		if len(spec.Tags) > 0 {
			props["Tags"] = spec.Tags
		}
	} else {
		typ = "AWS::ApiGateway::DomainName"
		props["EndpointConfiguration"] = map[string]any{"Types": []string{spec.EndpointType}}
		props["SecurityPolicy"] = spec.SecurityPolicy
		if spec.EndpointType == "EDGE" {
			props["CertificateArn"] = spec.CertificateARN
			target, zone = "DistributionDomainName", "DistributionHostedZoneId"
		} else {
			props["RegionalCertificateArn"] = spec.CertificateARN
		}
		if len(spec.Tags) > 0 {
			var tags []any
			for _, k := range slices.Sorted(maps.Keys(spec.Tags)) {
				tags = append(tags, map[string]any{"Key": k, "Value": spec.Tags[k]})
			}
			props["Tags"] = tags
		}
	}
	id, out := domainNameLogicalID, ""
	if spec.API == "WEBSOCKET" {
		id, out = webSocketDomainNameLogicalID, "WebsocketApi"
	}
	c.Outputs[out+"AliasDomainName"] = map[string]any{
		"Description": "the domain name a DNS record for " + r.Name + " points to (a CNAME, or a Route 53 alias in " + out + "HostedZoneId)",
		"Value":       map[string]any{"Fn::GetAtt": []any{id, target}},
	}
	c.Outputs[out+"HostedZoneId"] = map[string]any{
		"Description": "the Route 53 hosted zone of " + out + "AliasDomainName",
		"Value":       map[string]any{"Fn::GetAtt": []any{id, zone}},
	}
	return typ, props, nil
}

// domainNameTerraform is an aws_api_gateway_domain_name (REST) or an
// aws_apigatewayv2_domain_name (HTTP); the outputs are its target.
func domainNameTerraform(c *tfContext, r Resource) ([]tfBlock, error) {
	spec := r.DomainName
	body := map[string]any{"domain_name": tfLiteral(r.Name)}
	if len(spec.Tags) > 0 {
		tags := map[string]any{}
		for k, v := range spec.Tags {
			tags[k] = tfLiteral(v)
		}
		body["tags"] = tags
	}
	var typ, target, zone string
	if apiV2(spec.API) {
		typ = "aws_apigatewayv2_domain_name"
		body["domain_name_configuration"] = map[string]any{
			"certificate_arn": tfLiteral(spec.CertificateARN), "endpoint_type": "REGIONAL", "security_policy": spec.SecurityPolicy,
		}
		target, zone = "domain_name_configuration[0].target_domain_name", "domain_name_configuration[0].hosted_zone_id"
	} else {
		typ = "aws_api_gateway_domain_name"
		body["endpoint_configuration"] = map[string]any{"types": []string{spec.EndpointType}}
		body["security_policy"] = spec.SecurityPolicy
		if spec.EndpointType == "EDGE" {
			body["certificate_arn"] = tfLiteral(spec.CertificateARN)
			target, zone = "cloudfront_domain_name", "cloudfront_zone_id"
		} else {
			body["regional_certificate_arn"] = tfLiteral(spec.CertificateARN)
			target, zone = "regional_domain_name", "regional_zone_id"
		}
	}
	ref, out := typ+"."+c.Name+".", ""
	if spec.API == "WEBSOCKET" {
		out = "WebsocketApi"
	}
	c.Outputs[out+"AliasDomainName"] = map[string]any{
		"description": "the domain name a DNS record for " + r.Name + " points to (a CNAME, or a Route 53 alias in " + out + "HostedZoneId)",
		"value":       "${" + ref + target + "}",
	}
	c.Outputs[out+"HostedZoneId"] = map[string]any{"description": "the Route 53 hosted zone of " + out + "AliasDomainName", "value": "${" + ref + zone + "}"}
	return []tfBlock{{typ: typ, name: c.Name, body: body}}, nil
}

// CustomDomain is the custom domain name recorded in a state and where
// DNS must point it.
type CustomDomain struct {
	// DomainName is the custom domain, e.g. "api.example.com".
	DomainName string
	// URL is the API's URL on the domain, with its base path.
	URL string
	// Target is the domain name a DNS record for DomainName must point
	// to: a CNAME, or a Route 53 alias record in HostedZoneID.
	Target, HostedZoneID string
}

// RecordedCustomDomain returns the API's custom domain recorded in s, if
// any.
func RecordedCustomDomain(s *State) (CustomDomain, bool) {
	return recordedDomain(s, domainNameAddr, apiMappingAddr, "https://")
}

// RecordedWebSocketCustomDomain returns the WebSocket API's custom domain
// recorded in s, if any; its URL is a wss:// one.
func RecordedWebSocketCustomDomain(s *State) (CustomDomain, bool) {
	return recordedDomain(s, webSocketDomainNameAddr, webSocketAPIMappingAddr, "wss://")
}

func recordedDomain(s *State, domainAddr, mappingAddr, scheme string) (CustomDomain, bool) {
	rs, ok := s.Resources[domainAddr]
	if !ok {
		return CustomDomain{}, false
	}
	cd := CustomDomain{DomainName: rs.Name, URL: scheme + rs.Name + "/",
		Target: rs.Attributes[attrTargetDomainName], HostedZoneID: rs.Attributes[attrHostedZoneID]}
	if m, ok := s.Resources[mappingAddr]; ok && m.Attributes["base_path"] != "" {
		cd.URL += m.Attributes["base_path"] + "/"
	}
	return cd, true
}
