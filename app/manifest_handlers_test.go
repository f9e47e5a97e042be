package app

// The handlers of the manifest golden test (manifest_test.go). Their
// lines are in testdata/manifest.golden.json: edit this file only at its
// end, or run the test with -update.

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

func manifestGetDonor(w http.ResponseWriter, r *http.Request) {}

func manifestPutDonor(w http.ResponseWriter, r *http.Request) {}

func manifestCreateDonor(w http.ResponseWriter, r *http.Request) {}

func manifestDonorPhoto(w http.ResponseWriter, r *http.Request) {}

func manifestFiles(w http.ResponseWriter, r *http.Request) {}

type manifestHealth struct{}

func (manifestHealth) ServeHTTP(w http.ResponseWriter, r *http.Request) {}

type manifestServer struct{}

func (*manifestServer) stats(w http.ResponseWriter, r *http.Request) {}

func manifestHandleStream(ctx context.Context, ev events.DynamoDBEvent) error { return nil }

func manifestHandleBatch(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	return events.DynamoDBEventResponse{}, nil
}

func manifestNightlyReport(ctx context.Context, in struct{ Day string }) (int, error) { return 0, nil }
