//go:build !race

package app

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// maxProxyAllocs is the most allocations HandleProxyRequest may make to
// serve benchEvent through benchHandler, the three of which are the
// handler's own: the request and its match, one block holding its URL,
// context and body reader, the query string, the response's header map and
// its group, the response body. BenchmarkProxyAdapter says what they cost.
const maxProxyAllocs = 10

// TestProxyAllocs holds serving a REST API event to maxProxyAllocs
// allocations.
func TestProxyAllocs(t *testing.T) {
	a := New("allocs")
	a.Route("GET /donors/{id}", benchHandler)
	ctx := context.Background()
	base := benchEvent()
	// A fresh event each run, as canonicalHeader changes its headers.
	evs := make([]events.APIGatewayProxyRequest, 101)
	for i := range evs {
		evs[i] = base
		evs[i].MultiValueHeaders = maps.Clone(base.MultiValueHeaders)
	}
	i := 0
	allocs := testing.AllocsPerRun(100, func() {
		resp, err := a.HandleProxyRequest(ctx, &evs[i])
		i++
		if err != nil || resp.StatusCode != 200 {
			t.Fatal(resp, err)
		}
	})
	if allocs > maxProxyAllocs {
		t.Errorf("HandleProxyRequest makes %v allocations, want at most %d", allocs, maxProxyAllocs)
	}
}
