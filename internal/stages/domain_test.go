package stages

import "testing"

// TestCustomDomainRootPrefix: a url_prefix of "/" is the domain's root,
// as Chalice reads it, the same as no url_prefix.
func TestCustomDomainRootPrefix(t *testing.T) {
	t.Parallel()
	for _, prefix := range []any{"/", "", nil, "v1"} {
		domain := map[string]any{"domain_name": "api.example.com", "certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/abc"}
		if prefix != nil {
			domain["url_prefix"] = prefix
		}
		cfg := map[string]any{"version": "2.0", "app_name": "app", "stages": map[string]any{"dev": map[string]any{"api_gateway_custom_domain": domain}}}
		s, err := mustLoad(t, project(t, cfg)).Resolve("dev", "api_handler")
		if err != nil {
			t.Fatalf("url_prefix %v: %v", prefix, err)
		}
		want := ""
		if prefix == "v1" {
			want = "v1"
		}
		if got := s.APIGatewayCustomDomain.URLPrefix; got != want {
			t.Errorf("url_prefix %v resolves to %q, want %q", prefix, got, want)
		}
	}
}
