package stages

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAPIGatewayType resolves api_gateway_type and the endpoint type it
// implies: an HTTP API is regional unless told otherwise, a REST API
// keeps Chalice's EDGE default.
func TestAPIGatewayType(t *testing.T) {
	t.Parallel()
	type got struct {
		Type, Endpoint             string
		TypeOrigin, EndpointOrigin Level
	}
	for _, tc := range []struct {
		name string
		cfg  map[string]any
		want got
	}{
		{"default", map[string]any{}, got{"REST", "EDGE", LevelDefault, LevelDefault}},
		{"HTTP at the top level", map[string]any{"api_gateway_type": "HTTP"}, got{"HTTP", "REGIONAL", LevelTop, LevelDefault}},
		{"HTTP at the stage, REGIONAL written", map[string]any{"stage": map[string]any{"api_gateway_type": "HTTP", "api_gateway_endpoint_type": "REGIONAL"}},
			got{"HTTP", "REGIONAL", LevelStage, LevelStage}},
		{"REST at the stage overrides HTTP", map[string]any{"api_gateway_type": "HTTP", "stage": map[string]any{"api_gateway_type": "REST"}},
			got{"REST", "EDGE", LevelStage, LevelDefault}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg := map[string]any{"version": "2.0", "app_name": "app"}
			dev := map[string]any{}
			for k, v := range tc.cfg {
				if k == "stage" {
					dev = v.(map[string]any)
					continue
				}
				cfg[k] = v
			}
			cfg["stages"] = map[string]any{"dev": dev}
			s, err := mustLoad(t, project(t, cfg)).Resolve("dev", "api_handler")
			if err != nil {
				t.Fatal(err)
			}
			g := got{s.APIGatewayType, s.APIGatewayEndpointType, s.Origins.APIGatewayType, s.Origins.APIGatewayEndpointType}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
