package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

const testStreamARN = "arn:aws:dynamodb:us-east-1:123456789012:table/donors/stream/2024-03-13T09:00:00.000"

// recordSummary is what the tests check of a DynamoDB stream record.
func recordSummary(ev events.DynamoDBEvent) []string {
	var out []string
	for _, r := range ev.Records {
		img := r.Change.NewImage
		if img == nil {
			img = r.Change.OldImage
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", r.EventName, r.Change.Keys["id"].String(), img["name"].String(), r.Change.SequenceNumber))
	}
	return out
}

var fixtureRecords = []string{
	"INSERT d-001 Ana 111100000000012345678901",
	"MODIFY d-002 Ben 222200000000012345678902",
	"REMOVE d-003 Caro 333300000000012345678903",
}

func TestOnDynamoDBRecord(t *testing.T) {
	t.Parallel()
	errFail := errors.New("table unavailable")
	var (
		mu  sync.Mutex
		got []string
	)
	a := New("streams")
	a.OnDynamoDBRecord("handle_stream", testStreamARN, func(ctx context.Context, ev events.DynamoDBEvent) error {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, recordSummary(ev)...)
		if ev.Records[0].EventSourceArn != testStreamARN {
			return fmt.Errorf("event source %q", ev.Records[0].EventSourceArn)
		}
		return nil
	})
	a.OnDynamoDBRecord("failing", "donors", func(context.Context, events.DynamoDBEvent) error {
		return fmt.Errorf("write audit log: %w", errFail)
	})
	ctx := context.Background()
	payload := readFixture(t, "dynamodb-stream-event.json")

	out, err := a.Invoke(ctx, "handle_stream", payload)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "null" {
		t.Errorf("result = %s, want null", out)
	}
	if diff := cmp.Diff(fixtureRecords, got); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}

	if _, err := a.Invoke(ctx, "failing", payload); !errors.Is(err, errFail) {
		t.Errorf("error = %v, want it to wrap %v", err, errFail)
	}
	if _, err := a.Invoke(ctx, "handle_stream", []byte(`{"Records": 5}`)); err == nil || !strings.Contains(err.Error(), "decode DynamoDB stream event") {
		t.Errorf("malformed event: error = %v", err)
	}
}

func TestOnDynamoDBBatch(t *testing.T) {
	t.Parallel()
	a := New("streams")
	a.OnDynamoDBBatch("handle_batch", testStreamARN, func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		for _, r := range ev.Records {
			if r.EventName == "REMOVE" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			}
		}
		return resp, nil
	})
	a.OnDynamoDBBatch("failing", testStreamARN, func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		return events.DynamoDBEventResponse{}, errors.New("whole batch failed")
	})
	ctx := context.Background()
	out, err := a.Invoke(ctx, "handle_batch", readFixture(t, "dynamodb-stream-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"batchItemFailures":[{"itemIdentifier":"333300000000012345678903"}]}`; string(out) != want {
		t.Errorf("result = %s, want %s", out, want)
	}
	if _, err := a.Invoke(ctx, "failing", readFixture(t, "dynamodb-stream-event.json")); err == nil || err.Error() != "whole batch failed" {
		t.Errorf("error = %v", err)
	}
}

type greetIn struct {
	Name string `json:"name"`
}

type greetOut struct {
	Greeting string `json:"greeting"`
}

func TestLambdaFunction(t *testing.T) {
	t.Parallel()
	errNope := errors.New("nope")
	a := New("functions")
	a.LambdaFunction("greet", func(ctx context.Context, in greetIn) (greetOut, error) {
		return greetOut{Greeting: "hello " + in.Name}, nil
	})
	a.LambdaFunction("plain", func() {})
	a.LambdaFunction("fails", func(context.Context) error { return errNope })
	a.LambdaFunction("value", func(in []int) (int, error) { return len(in), nil })
	ctx := context.Background()
	tests := []struct {
		name, payload, want, err string
	}{
		{name: "greet", payload: `{"name":"Ana"}`, want: `{"greeting":"hello Ana"}`},
		{name: "plain", payload: `{}`, want: `null`},
		{name: "fails", payload: `{}`, err: "nope"},
		{name: "value", payload: `[1,2,3]`, want: `3`},
		{name: "value", payload: `{"not":"a list"}`, err: "cannot unmarshal"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := a.Invoke(ctx, tc.name, []byte(tc.payload))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(out)) != tc.want {
				t.Errorf("result = %s, want %s", out, tc.want)
			}
		})
	}
}

func TestUnknownFunction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	nop := func(context.Context, events.DynamoDBEvent) error { return nil }

	a := New("known")
	a.Route("GET /x", text("x"))
	a.OnDynamoDBRecord("handle_stream", "", nop)
	a.LambdaFunction("report", func() {})
	_, err := a.Invoke(ctx, "nope", []byte(`{}`))
	var ue *UnknownFunctionError
	if !errors.As(err, &ue) {
		t.Fatalf("error = %v (%T), want *UnknownFunctionError", err, err)
	}
	want := &UnknownFunctionError{Name: "nope", Known: []string{"api_handler", "handle_stream", "report"}}
	if diff := cmp.Diff(want, ue); diff != "" {
		t.Errorf("error (-want +got):\n%s", diff)
	}
	if got := err.Error(); got != `no function "nope" is registered (registered: [api_handler handle_stream report])` {
		t.Errorf("Error() = %q", got)
	}

	// Without routes there is no API handler.
	b := New("noroutes")
	b.LambdaFunction("report", func() {})
	if _, err := b.Invoke(ctx, "api_handler", []byte(`{}`)); !errors.As(err, &ue) || !cmp.Equal(ue.Known, []string{"report"}) {
		t.Errorf("error = %v", err)
	}
}

func TestInvokeConcurrently(t *testing.T) {
	t.Parallel()
	a := newAPIApp()
	payload, _ := json.Marshal(events.APIGatewayProxyRequest{HTTPMethod: "GET", Resource: "/image", Path: "/image"})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				out, err := a.Invoke(context.Background(), "api_handler", payload)
				if err != nil || !strings.Contains(string(out), `"isBase64Encoded":true`) {
					t.Errorf("%s %v", out, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
