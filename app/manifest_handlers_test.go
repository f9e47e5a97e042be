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

func manifestNightly(ctx context.Context, ev events.EventBridgeEvent) error { return nil }

func manifestOnEvent(ctx context.Context, ev events.EventBridgeEvent) error { return nil }

func manifestSQS(ctx context.Context, ev events.SQSEvent) error { return nil }

func manifestSQSBatch(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return events.SQSEventResponse{}, nil
}

func manifestSNS(ctx context.Context, ev events.SNSEvent) error { return nil }

func manifestS3(ctx context.Context, ev events.S3Event) error { return nil }

func manifestKinesis(ctx context.Context, ev events.KinesisEvent) error { return nil }

func manifestKinesisBatch(ctx context.Context, ev events.KinesisEvent) (events.KinesisEventResponse, error) {
	return events.KinesisEventResponse{}, nil
}

func manifestTokenAuth(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{}, nil
}

func manifestRequestAuth(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return events.APIGatewayCustomAuthorizerResponse{}, nil
}
