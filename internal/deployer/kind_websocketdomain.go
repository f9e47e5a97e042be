package deployer

import (
	"fmt"
	"maps"

	"github.com/gochalice/gochalice/internal/stages"
)

// The WebSocket API's custom domain (websocket_api_custom_domain): an API
// Gateway v2 REGIONAL domain name (API Gateway has no EDGE WebSocket
// domains) and the API mapping of its url_prefix to the WebSocket API's
// stage. They are the custom domain kinds (kind_domainname.go,
// kind_apimapping.go) with API "WEBSOCKET", at addresses, logical IDs and
// Terraform names of their own, so that an app stage may have both
// domains.

const (
	webSocketDomainNameAddr = "websocket_domain_name"
	webSocketAPIMappingAddr = "websocket_api_mapping"

	webSocketDomainNameLogicalID     = "WebsocketApiCustomDomain"
	webSocketAPIMappingLogicalID     = "WebsocketApiCustomDomainMapping"
	webSocketDomainNameTerraformName = "websocket_custom_domain"
)

// apiV2 reports whether the domain of api (REST, HTTP or WEBSOCKET) is
// managed by API Gateway's second API.
func apiV2(api string) bool { return api == "HTTP" || api == "WEBSOCKET" }

// webSocketDomainNameKind is the WebSocket API's domain name
// (websocket_domain_name). A domain an interrupted deploy left is adopted
// when the next deploy creates it (its create answers a conflict).
func webSocketDomainNameKind() kind {
	k := domainNameKind()
	k.discover = nil
	k.sharedLogicalID, k.terraformName = webSocketDomainNameLogicalID, webSocketDomainNameTerraformName
	return k
}

// webSocketAPIMappingKind is the mapping of the WebSocket API's domain to
// its stage (websocket_api_mapping).
func webSocketAPIMappingKind() kind {
	k := apiMappingKind()
	k.sharedLogicalID, k.terraformName = webSocketAPIMappingLogicalID, webSocketDomainNameTerraformName
	return k
}

// webSocketDomainResources are the resources of s's
// websocket_api_custom_domain (none without one). A certificate outside
// the stage's region (an EDGE domain's, in us-east-1) is a problem, found
// before any AWS call.
func webSocketDomainResources(s *stages.Settings, t Target) ([]Resource, []Problem) {
	cd := s.WebsocketAPICustomDomain
	if cd == nil {
		return nil, nil
	}
	const subject = "websocket_api_custom_domain"
	var problems []Problem
	if region := certificateRegion(cd.CertificateARN); knownRegion(t.Region) && region != t.Region {
		problems = append(problems, Problem{Subject: subject + ".certificate_arn",
			Problem: fmt.Sprintf("a WebSocket API's custom domain is REGIONAL only (API Gateway has no EDGE WebSocket domains), so its certificate must be in the stage's region %s, not %s", t.Region, region),
			Fix:     "request or import the certificate in ACM in " + t.Region})
	}
	if cd.TLSVersion != "TLS_1_2" {
		problems = append(problems, Problem{Subject: subject + ".tls_version",
			Problem: "a WebSocket API's custom domain accepts only TLS_1_2",
			Fix:     `remove tls_version, or set it to "TLS_1_2"`})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	tags := maps.Clone(cd.Tags)
	if tags == nil {
		tags = map[string]string{}
	}
	maps.Copy(tags, stageNames(s).Tags())
	stageAddr := webSocketStageAddr(s.APIGatewayStage)
	return []Resource{
		{
			Address: webSocketDomainNameAddr, Type: TypeWebSocketDomainName, Name: cd.DomainName,
			DependsOn: []string{websocketAPIAddr},
			Note:      "point a DNS record for " + cd.DomainName + " at its target: gochalice deploy prints it",
			DomainName: &DomainNameSpec{API: "WEBSOCKET", EndpointType: "REGIONAL", CertificateARN: cd.CertificateARN,
				SecurityPolicy: cd.TLSVersion, Tags: tags},
		},
		{
			Address: webSocketAPIMappingAddr, Type: TypeWebSocketAPIMapping, Name: cd.DomainName + "/" + cd.URLPrefix,
			DependsOn: []string{webSocketDomainNameAddr, websocketAPIAddr, stageAddr},
			APIMapping: &APIMappingSpec{API: "WEBSOCKET", DomainName: cd.DomainName, EndpointType: "REGIONAL",
				BasePath: cd.URLPrefix, Stage: s.APIGatewayStage},
		},
	}, nil
}
