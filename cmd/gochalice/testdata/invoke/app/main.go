// Command app is the fixture of the invoke --local tests: one function per
// event source, each printing what it got, and an SQS worker that fails on
// a poison message.
package main

import (
	"context"
	"errors"
	"log"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
)

func main() {
	logger := log.New(os.Stderr, "", 0)
	a := app.New("invokeapp")
	a.Schedule("nightly", "rate(1 day)", func(_ context.Context, e events.EventBridgeEvent) error {
		logger.Printf("nightly: %s from %s", e.DetailType, e.Source)
		return nil
	})
	a.OnEvent("order_events", map[string]any{"source": []string{"shop.orders"}}, func(_ context.Context, e events.EventBridgeEvent) error {
		logger.Printf("order_events: %s", e.DetailType)
		return nil
	}, app.WithBus("orders"))
	a.OnSQSBatch("worker", os.Getenv("QUEUE_NAME"), func(_ context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, m := range e.Records {
			if m.Body == "poison" {
				return resp, errors.New("worker: poison message " + m.MessageId)
			}
			if m.Body == "retry" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			}
			logger.Printf("worker: %s from %s (GREETING=%s)", m.Body, m.EventSourceARN, os.Getenv("GREETING"))
		}
		return resp, nil
	})
	a.OnSNSMessage("notify", "alerts", func(_ context.Context, e events.SNSEvent) error {
		for _, r := range e.Records {
			logger.Printf("notify: %s", r.SNS.TopicArn)
		}
		return nil
	})
	a.OnS3Event("upload", "invoke-bucket", func(_ context.Context, e events.S3Event) error {
		for _, r := range e.Records {
			logger.Printf("upload: %s/%s", r.S3.Bucket.Name, r.S3.Object.Key)
		}
		return nil
	})
	a.OnKinesisRecord("clicks", "clickstream", func(_ context.Context, e events.KinesisEvent) error {
		logger.Printf("clicks: %d records", len(e.Records))
		return nil
	})
	a.OnDynamoDBRecord("changes", "arn:aws:dynamodb:us-east-1:123456789012:table/invoke-table/stream/2026-01-01T00:00:00.000", func(_ context.Context, e events.DynamoDBEvent) error {
		logger.Printf("changes: %d records", len(e.Records))
		return nil
	})
	a.Run()
}
