package app

import (
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
)

// benchHandler is the trivial handler both sides serve.
func benchHandler(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Donor-Id", r.PathValue("id"))
	io.WriteString(w, `{"id":"`+r.PathValue("id")+`","name":"Ana","blood_type":"O+"}`)
}

// benchEvent is a realistic REST API event for GET /donors/{id}.
func benchEvent() events.APIGatewayProxyRequest {
	headers := map[string]string{
		"Accept":                     "application/json",
		"Accept-Encoding":            "gzip, deflate, br",
		"Authorization":              "Bearer eyJraWQiOiJrMSIsImFsZyI6IlJTMjU2In0.e30.c2ln",
		"CloudFront-Forwarded-Proto": "https",
		"CloudFront-Viewer-Country":  "US",
		"Host":                       "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
		"User-Agent":                 "curl/8.5.0",
		"X-Amzn-Trace-Id":            "Root=1-65f1c2d3-1a2b3c4d5e6f7a8b9c0d1e2f",
		"X-Forwarded-For":            "203.0.113.7, 64.252.172.65",
		"X-Forwarded-Port":           "443",
		"X-Forwarded-Proto":          "https",
	}
	multi := make(map[string][]string, len(headers))
	for k, v := range headers {
		multi[k] = []string{v}
	}
	return events.APIGatewayProxyRequest{
		Resource:                        "/donors/{id}",
		Path:                            "/donors/42",
		HTTPMethod:                      "GET",
		Headers:                         headers,
		MultiValueHeaders:               multi,
		QueryStringParameters:           map[string]string{"fields": "name"},
		MultiValueQueryStringParameters: map[string][]string{"fields": {"name"}},
		PathParameters:                  map[string]string{"id": "42"},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:    "123456789012",
			ResourceID:   "x1y2z3",
			Stage:        "dev",
			RequestID:    "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			ResourcePath: "/donors/{id}",
			HTTPMethod:   "GET",
			APIID:        "a1b2c3d4e5",
			DomainName:   "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
			Identity:     events.APIGatewayRequestIdentity{SourceIP: "203.0.113.7", UserAgent: "curl/8.5.0"},
		},
	}
}

// BenchmarkProxyAdapter serves the same REST API event through the same
// handler with gochalice's adapter and with aws-lambda-go-api-proxy's
// httpadapter. Every iteration gets a fresh copy of the event's header map,
// as every Lambda invocation decodes a fresh event: gochalice's adapter
// takes the event over and uses that map as the request's header.
func BenchmarkProxyAdapter(b *testing.B) {
	ctx := context.Background()
	fresh := func(ev events.APIGatewayProxyRequest) *events.APIGatewayProxyRequest {
		ev.MultiValueHeaders = maps.Clone(ev.MultiValueHeaders)
		return &ev
	}
	b.Run("gochalice", func(b *testing.B) {
		a := New("bench")
		a.Route("GET /donors/{id}", benchHandler)
		ev := benchEvent()
		b.ReportAllocs()
		for b.Loop() {
			resp, err := a.HandleProxyRequest(ctx, fresh(ev))
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(resp, err)
			}
		}
	})
	// The copy both sides pay for, to subtract from their figures.
	b.Run("event-copy", func(b *testing.B) {
		ev := benchEvent()
		b.ReportAllocs()
		for b.Loop() {
			if fresh(ev).MultiValueHeaders == nil {
				b.Fatal("no headers")
			}
		}
	})
	b.Run("httpadapter", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /donors/{id}", benchHandler)
		adapter := httpadapter.New(mux)
		ev := benchEvent()
		b.ReportAllocs()
		for b.Loop() {
			resp, err := adapter.ProxyWithContext(ctx, *fresh(ev))
			if err != nil || resp.StatusCode != 200 {
				b.Fatal(resp, err)
			}
		}
	})
}

// BenchmarkLambdaInvoke is the whole path a Lambda invocation takes: the
// event's JSON in, the response's JSON out, through the same handler.
func BenchmarkLambdaInvoke(b *testing.B) {
	ctx := context.Background()
	ev := benchEvent()
	payload, err := json.Marshal(ev)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("gochalice", func(b *testing.B) {
		a := New("bench")
		a.Route("GET /donors/{id}", benchHandler)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.Invoke(ctx, "api_handler", payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("httpadapter", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /donors/{id}", benchHandler)
		h := lambda.NewHandler(httpadapter.New(mux).ProxyWithContext)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := h.Invoke(ctx, payload); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLocalServer compares the local server (Serve) with a plain
// http.Server and ServeMux, over real connections with keep-alive.
func BenchmarkLocalServer(b *testing.B) {
	run := func(b *testing.B, serve func(ln net.Listener) (stop func())) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		stop := serve(ln)
		defer stop()
		url := "http://" + ln.Addr().String() + "/donors/42?fields=name"
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
		defer client.CloseIdleConnections()
		get := func() {
			resp, err := client.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatal(resp.Status)
			}
		}
		get()
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				get()
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	}
	b.Run("gochalice", func(b *testing.B) {
		run(b, func(ln net.Listener) func() {
			a := New("bench")
			a.Route("GET /donors/{id}", benchHandler)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- a.Serve(ctx, ln, "dev") }()
			return func() {
				cancel()
				if err := <-done; err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("nethttp", func(b *testing.B) {
		run(b, func(ln net.Listener) func() {
			mux := http.NewServeMux()
			mux.HandleFunc("GET /donors/{id}", benchHandler)
			srv := &http.Server{Handler: mux}
			go func() { _ = srv.Serve(ln) }()
			return func() { _ = srv.Close() }
		})
	})
}
