package deployer_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"

	"github.com/gochalice/gochalice/internal/deployer"
)

// slowGetApis is an HTTP API service whose GetApis answers only after a
// GetStage was asked or wait passed, so that a stage looked up beside its
// API (not after it) is looked up first.
type slowGetApis struct {
	deployer.HTTPAPIAPI
	wait     time.Duration
	once     sync.Once
	staged   chan struct{}
	mu       sync.Mutex
	stageIDs []string // the API id of every GetStage
}

func (s *slowGetApis) GetApis(ctx context.Context, in *apigatewayv2.GetApisInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetApisOutput, error) {
	select {
	case <-s.staged:
	case <-time.After(s.wait):
	}
	return s.HTTPAPIAPI.GetApis(ctx, in, opts...)
}

func (s *slowGetApis) GetStage(ctx context.Context, in *apigatewayv2.GetStageInput, opts ...func(*apigatewayv2.Options)) (*apigatewayv2.GetStageOutput, error) {
	s.mu.Lock()
	s.stageIDs = append(s.stageIDs, *in.ApiId)
	s.mu.Unlock()
	s.once.Do(func() { close(s.staged) })
	return s.HTTPAPIAPI.GetStage(ctx, in, opts...)
}

// TestRefreshHTTPStageAfterAPI proves that refresh looks an HTTP API's
// stage up in the API that refresh found, not the one recorded: with a
// stale recorded id (the API found again by name), the stage is found on
// the API as it is, and the plan leaves it alone.
func TestRefreshHTTPStageAfterAPI(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, d := apiCloud()
	path := statePath(t)
	p := authProject(t, authConfig, authManifest(), "http")
	_, st, err := deploy(ctx, t, d, p, path)
	if err != nil {
		t.Fatal(err)
	}
	id := st.Resources["http_api"].ID
	for _, addr := range []string{"http_api", "http_stage:api"} {
		rs := st.Resources[addr]
		rs.ID = "stale"
		st.Resources[addr] = rs
	}

	slow := &slowGetApis{HTTPAPIAPI: d.Clients.HTTPAPI, wait: 200 * time.Millisecond, staged: make(chan struct{})}
	cl := *d.Clients
	cl.HTTPAPI = slow
	d.Clients = &cl
	d.Parallelism = 8
	plan, err := d.PlanProject(ctx, p, target, nil, st)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(plan.Changes, func(c deployer.Change) bool { return c.Address == "http_stage:api" }); i < 0 || plan.Changes[i].Action != deployer.NoOp {
		t.Errorf("changes = %v, want http_stage:api left alone", changes(plan))
	}
	if want := []string{id}; !slices.Equal(slow.stageIDs, want) {
		t.Errorf("GetStage asked of APIs %q, want %q (the API refresh found)", slow.stageIDs, want)
	}
}
