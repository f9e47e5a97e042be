package deployer_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/internal/deployer"
	"github.com/gochalice/gochalice/internal/fakeaws"
)

// withAPISettings is savealife with minimum_compression_size (nil for
// none) and xray on every function, so on the REST API's stage.
func withAPISettings(t *testing.T, size *int, xray bool) *deployer.Project {
	p := savealife(t)
	for _, s := range p.Settings {
		s.XRay = xray
		s.MinimumCompressionSize = size
	}
	return p
}

// restAPISettings returns the minimum compression size (-1 for off) and
// the traced stages of the account's one REST API.
func restAPISettings(t *testing.T, c *fakeaws.Cloud) (int32, []string) {
	t.Helper()
	apis := c.Snapshot().RestAPIs
	if len(apis) != 1 {
		t.Fatalf("REST APIs: %+v", apis)
	}
	size := int32(-1)
	if apis[0].MinimumCompressionSize != nil {
		size = *apis[0].MinimumCompressionSize
	}
	return size, apis[0].Tracing
}

// TestRESTAPICompressionAndTracing deploys minimum_compression_size (a
// property of the REST API) and xray (the stage's X-Ray tracing as well
// as the functions'), redeploys unchanged with no mutating call, changes
// and removes both (the API and stage are patched, not redeployed), and
// deletes.
func TestRESTAPICompressionAndTracing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	n := func(v int) *int { return &v }

	steps := []struct {
		name      string
		size      *int
		xray      bool
		wantSize  int32
		wantTrace []string
		// mutations the step must make, and ones it must not.
		want, not []string
	}{
		{name: "first deploy", size: n(1024), xray: true, wantSize: 1024, wantTrace: []string{"api"}},
		{name: "unchanged", size: n(1024), xray: true, wantSize: 1024, wantTrace: []string{"api"}},
		{name: "changed", size: n(0), xray: false, wantSize: 0,
			want: []string{"apigateway:UpdateRestApi", "apigateway:UpdateStage"}, not: []string{"apigateway:CreateDeployment", "apigateway:PutRestApi"}},
		{name: "removed", size: nil, xray: false, wantSize: -1,
			want: []string{"apigateway:UpdateRestApi"}, not: []string{"apigateway:UpdateStage", "apigateway:CreateDeployment"}},
		{name: "tracing again", size: nil, xray: true, wantSize: -1, wantTrace: []string{"api"},
			want: []string{"apigateway:UpdateStage"}, not: []string{"apigateway:UpdateRestApi", "apigateway:CreateDeployment"}},
	}
	for i, st := range steps {
		cloud.ResetCalls()
		if _, _, err := deploy(ctx, t, d, withAPISettings(t, st.size, st.xray), path); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		size, trace := restAPISettings(t, cloud)
		if size != st.wantSize || !slices.Equal(trace, st.wantTrace) {
			t.Errorf("%s: minimum compression size %d, traced stages %v; want %d, %v", st.name, size, trace, st.wantSize, st.wantTrace)
		}
		m := cloud.Mutations()
		if i == 1 && len(m) != 0 {
			t.Errorf("%s: mutating calls %v, want none", st.name, m)
		}
		for _, w := range st.want {
			if !slices.Contains(m, w) {
				t.Errorf("%s: no %s in %v", st.name, w, m)
			}
		}
		for _, w := range st.not {
			if slices.Contains(m, w) {
				t.Errorf("%s: %s in %v", st.name, w, m)
			}
		}
	}
	recorded, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Apply(ctx, deployer.PlanDestroy(recorded), deployer.StateFile(path)); err != nil {
		t.Fatal(err)
	}
	if !cloud.Empty() {
		t.Errorf("after delete: %+v", cloud.Snapshot())
	}
}

// TestRESTAPICompressionDrift: a minimum compression size changed outside
// gochalice is set back by the next deploy.
func TestRESTAPICompressionDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cloud, d := apiCloud()
	path := statePath(t)
	size := 512
	if _, _, err := deploy(ctx, t, d, withAPISettings(t, &size, false), path); err != nil {
		t.Fatal(err)
	}
	st, err := deployer.LoadState(path)
	if err != nil {
		t.Fatal(err)
	}
	id := st.Resources["rest_api"].ID
	if _, err := cloud.APIGateway().UpdateRestApi(ctx, patchCompression(id, "")); err != nil {
		t.Fatal(err)
	}
	plan, _, err := deploy(ctx, t, d, withAPISettings(t, &size, false), path)
	if err != nil {
		t.Fatal(err)
	}
	if got := plan.Counts()[deployer.Update]; got != 1 {
		t.Errorf("updates = %d, want 1 (the REST API)", got)
	}
	if got, _ := restAPISettings(t, cloud); got != 512 {
		t.Errorf("minimum compression size = %d, want 512", got)
	}
}

// TestHTTPAPICompressionAndTracing: an HTTP API cannot compress
// responses, so minimum_compression_size is refused before any AWS call,
// with the reason; xray traces the functions, and the plan warns that the
// HTTP API itself is not traced.
func TestHTTPAPICompressionAndTracing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	p := authProject(t, authConfig, authManifest(), "http")
	size := 1024
	p.Settings["api_handler"].MinimumCompressionSize = &size
	_, err := (&deployer.Deployer{}).PlanProject(ctx, p, target, nil, nil)
	var ve *deployer.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 1 || ve.Problems[0].Subject != "minimum_compression_size" ||
		!strings.Contains(ve.Problems[0].Problem, "REST APIs only") {
		t.Fatalf("err = %v, want one problem with minimum_compression_size", err)
	}

	p = authProject(t, authConfig, authManifest(), "http")
	for _, s := range p.Settings {
		s.XRay = true
	}
	plan, err := (&deployer.Deployer{}).PlanProject(ctx, p, target, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.Contains(w, "HTTP APIs (api_gateway_type HTTP) do not support X-Ray tracing")
	}) {
		t.Errorf("warnings = %q, want one about X-Ray on HTTP APIs", plan.Warnings)
	}
}

// TestRESTAPICompressionAndTracingPackage: the SAM template sets the
// Serverless::Api's MinimumCompressionSize and TracingEnabled (checked
// against the published schema), Terraform the REST API's
// minimum_compression_size and the stage's xray_tracing_enabled.
func TestRESTAPICompressionAndTracingPackage(t *testing.T) {
	t.Parallel()
	size := 1024
	pk := newPackage(t, withAPISettings(t, &size, true))
	sam, err := pk.CloudFormation()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Resources map[string]struct{ Properties map[string]any }
	}
	remarshal(t, sam, &doc)
	api := doc.Resources["RestAPI"].Properties
	if diff := cmp.Diff(map[string]any{"MinimumCompressionSize": float64(1024), "TracingEnabled": true},
		map[string]any{"MinimumCompressionSize": api["MinimumCompressionSize"], "TracingEnabled": api["TracingEnabled"]}); diff != "" {
		t.Errorf("RestAPI (-want +got):\n%s", diff)
	}
	if p := validateTemplates(t, map[string][]byte{"settings.json": marshal(t, sam)})["settings.json"]; len(p) > 0 {
		t.Errorf("the template breaks the schema:\n%s", strings.Join(p, "\n"))
	}

	tf, err := pk.Terraform()
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Resource struct {
			API   map[string]map[string]any `json:"aws_api_gateway_rest_api"`
			Stage map[string]map[string]any `json:"aws_api_gateway_stage"`
		}
	}
	remarshal(t, tf, &cfg)
	if got := cfg.Resource.API["rest_api"]["minimum_compression_size"]; got != "1024" {
		t.Errorf("minimum_compression_size = %v, want \"1024\"", got)
	}
	if got := cfg.Resource.Stage["rest_api"]["xray_tracing_enabled"]; got != true {
		t.Errorf("xray_tracing_enabled = %v, want true", got)
	}
}

// patchCompression is the UpdateRestApi call that sets the REST API id's
// minimum compression size ("" turns compression off).
func patchCompression(id, size string) *apigateway.UpdateRestApiInput {
	return &apigateway.UpdateRestApiInput{RestApiId: &id, PatchOperations: []apigwtypes.PatchOperation{{
		Op: apigwtypes.OpReplace, Path: aws.String("/minimumCompressionSize"), Value: aws.String(size),
	}}}
}
