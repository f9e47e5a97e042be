package app

import (
	"bytes"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/manifest"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

// newManifestApp is a representative app: routes with CORS, content
// types, binary types, a greedy wildcard, an ANY route served by an
// http.Handler, a method value, a stream function with options, a batch
// stream function and a plain function.
func newManifestApp() *App {
	a := New("savealife")
	cors := WithCORS(CORSConfig{
		AllowOrigin:   "https://savealife.example.com",
		AllowHeaders:  []string{"X-Request-Id"},
		ExposeHeaders: []string{"X-Total", "ETag"},
		MaxAge:        600,
	})
	a.Route("GET /donors/{id}", manifestGetDonor, cors)
	a.Route("PUT /donors/{id}", manifestPutDonor, cors)
	a.Route("POST /donors", manifestCreateDonor, WithContentTypes("application/json", "application/x-www-form-urlencoded"))
	a.Route("GET /donors/{id}/photo", manifestDonorPhoto, WithBinaryTypes("image/webp", "image/png"))
	a.Route("GET /files/{path...}", manifestFiles)
	a.Handle("/health", manifestHealth{})
	s := &manifestServer{}
	a.Route("GET /stats", s.stats)
	a.OnDynamoDBRecord("handle_stream", testStreamARN, manifestHandleStream,
		WithBatchSize(50), WithStartingPosition(TrimHorizon), WithMaximumBatchingWindow(5*time.Second))
	a.OnDynamoDBBatch("handle_batch", "donors", manifestHandleBatch,
		WithOnFailure(SNSDestination("stream-alerts")), WithMaximumRetryAttempts(10))
	a.LambdaFunction("nightly_report", manifestNightlyReport)

	// Authorizers: custom ones are functions too; Cognito and IAM ones
	// appear once a route uses them.
	token := a.TokenAuthorizer("token_auth", manifestTokenAuth)
	request := a.RequestAuthorizer("request_auth", manifestRequestAuth,
		WithIdentitySources("method.request.header.X-Tenant", "method.request.querystring.key"), WithTTL(0))
	pool := CognitoAuthorizer("donors_pool", []string{"arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC123"},
		WithAudience("client-b", "client-a"))
	a.Route("DELETE /donors/{id}", manifestPutDonor, cors, WithAuthorizer(pool, "donors/write"))
	a.Route("GET /admin", manifestGetDonor, WithAuthorizer(token), WithAPIKey())
	a.Route("GET /reports", manifestGetDonor, WithAuthorizer(IAMAuthorizer()))
	a.Route("GET /tenants/{id}", manifestGetDonor, WithAuthorizer(request))
	a.Route("GET /me", manifestGetDonor, WithAuthorizer(pool))

	// Every event source.
	a.Schedule("nightly", "cron(0 3 * * ? *)", manifestNightly, WithDescription("nightly cleanup"), WithMaximumRetryAttempts(0))
	a.OnEvent("on_instance", map[string]any{
		"source":      []string{"aws.ec2"},
		"detail-type": []string{"EC2 Instance State-change Notification"},
		"detail":      map[string]any{"state": []string{"stopped"}},
	}, manifestOnEvent, WithBus("ops"), WithDescription("stopped instances"), WithOnFailure(SNSDestination("arn:aws:sns:us-east-1:123456789012:alerts")), WithMaximumEventAge(2*time.Hour))
	a.OnSQSMessage("queue_worker", "jobs", manifestSQS)
	a.OnSQSBatch("queue_batch", "arn:aws:sqs:us-east-1:123456789012:jobs-bulk", manifestSQSBatch,
		WithBatchSize(100), WithMaximumBatchingWindow(10*time.Second), WithMaximumConcurrency(5))
	a.OnSNSMessage("donation_topic", "donations", manifestSNS,
		WithFilterPolicy(`{"kind": ["donation"], "amount": [{"numeric": [">", 100]}]}`))
	a.OnS3Event("uploads", "savealife-uploads", manifestS3,
		WithS3Events("s3:ObjectRemoved:*", "s3:ObjectCreated:*"), WithPrefix("photos/"), WithSuffix(".jpg"))
	a.OnKinesisRecord("clicks", "clickstream", manifestKinesis)
	a.OnKinesisBatch("clicks_batch", "arn:aws:kinesis:us-east-1:123456789012:stream/clicks", manifestKinesisBatch,
		WithBatchSize(500), WithStartingPosition(TrimHorizon), WithBisectBatchOnError(),
		WithMaximumRetryAttempts(-1), WithMaximumEventAge(-time.Second), WithOnFailure(SQSDestination("clicks-dlq")))
	return a
}

// normaliseFiles replaces the machine-specific directory of the handlers'
// files (absolute, or module-relative under -trimpath) with "$APP".
func normaliseFiles(t *testing.T, m *manifest.Manifest) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	norm := func(h *manifest.Handler) {
		for _, dir := range []string{filepath.ToSlash(wd), "github.com/gochalice/gochalice/app"} {
			if rest, ok := strings.CutPrefix(h.File, dir+"/"); ok {
				h.File = "$APP/" + rest
				return
			}
		}
		if h.File != "" {
			t.Errorf("handler %s: file %q is not in %s", h.Name, h.File, wd)
		}
	}
	for i := range m.Routes {
		norm(&m.Routes[i].Handler)
	}
	for i := range m.Functions {
		norm(&m.Functions[i].Handler)
	}
}

func TestManifestGolden(t *testing.T) {
	m := newManifestApp().Manifest()
	data, err := m.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}

	// The manifest reads back as it was written.
	parsed, err := manifest.Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(m, parsed); diff != "" {
		t.Errorf("manifest.Parse round trip (-written +parsed):\n%s", diff)
	}

	normaliseFiles(t, m)
	got, err := m.MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "manifest.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("manifest differs from %s (-want +got); run go test -run TestManifestGolden -update if intended:\n%s", golden, diff)
	}

	// Manifest is a snapshot: changing it changes nothing in the app.
	m2 := newManifestApp()
	first := m2.Manifest()
	first.BinaryTypes[0] = "changed/type"
	first.Routes[0].ContentTypes[0] = "changed/type"
	if diff := cmp.Diff(newManifestApp().Manifest(), m2.Manifest()); diff != "" {
		t.Errorf("editing a Manifest changed the app (-want +got):\n%s", diff)
	}
}

func TestManifestEmptyApp(t *testing.T) {
	t.Parallel()
	m := New("empty").Manifest()
	a := New("empty")
	a.BinaryTypes = nil
	want := &manifest.Manifest{
		SchemaVersion: manifest.SchemaVersion,
		AppName:       "empty",
		BinaryTypes:   DefaultBinaryTypes(),
		Routes:        []manifest.Route{},
		Functions:     []manifest.Function{},
	}
	want.Sort()
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
	if _, err := manifest.Parse(bytes.NewReader(must(a.Manifest().MarshalIndent()))); err != nil {
		t.Errorf("parse manifest without binary types: %v", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// The handler type's name for an http.Handler that is not a function.
func TestHandlerInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		h     any
		want  manifest.Handler
		noPos bool // a compiler-generated wrapper: no file and line
	}{
		{manifestHealth{}, manifest.Handler{Name: "github.com/gochalice/gochalice/app.manifestHealth.ServeHTTP", File: "$APP/manifest_handlers_test.go", Line: 26}, false},
		// The pointer's method set wraps the value method: no position.
		{&manifestHealth{}, manifest.Handler{Name: "github.com/gochalice/gochalice/app.(*manifestHealth).ServeHTTP"}, true},
		{http.NotFoundHandler(), manifest.Handler{Name: "net/http.NotFound"}, false},
		{manifestGetDonor, manifest.Handler{Name: "github.com/gochalice/gochalice/app.manifestGetDonor", File: "$APP/manifest_handlers_test.go", Line: 14}, false},
		{(&manifestServer{}).stats, manifest.Handler{Name: "github.com/gochalice/gochalice/app.(*manifestServer).stats-fm"}, true},
	}
	for _, tc := range tests {
		m := &manifest.Manifest{Routes: []manifest.Route{{Handler: handlerInfo(tc.h)}}}
		if got := m.Routes[0].Handler; tc.want.File == "" {
			if got.Name != tc.want.Name || tc.noPos && (got.File != "" || got.Line != 0) {
				t.Errorf("handlerInfo(%T) = %+v, want %+v", tc.h, got, tc.want)
			}
			continue
		}
		normaliseFiles(t, m)
		if diff := cmp.Diff(tc.want, m.Routes[0].Handler); diff != "" {
			t.Errorf("handlerInfo(%T) (-want +got):\n%s", tc.h, diff)
		}
	}
}
