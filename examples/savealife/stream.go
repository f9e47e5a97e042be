package main

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// streamHandler is handle_stream: it reads the donors table's stream.
type streamHandler struct {
	store  *store
	urgent []string
	logger *log.Logger
}

// handle keeps the per-blood-type counts and flags donors whose blood type
// is urgently needed. Records are applied in order; on the first failure it
// reports that record and stops, so Lambda retries from there and no count
// is applied twice or out of order.
func (h *streamHandler) handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	var resp events.DynamoDBEventResponse
	for i, rec := range ev.Records {
		if err := h.apply(ctx, rec); err != nil {
			h.logger.Printf(`{"level":"ERROR","msg":"handle_stream: record failed","event_id":%q,"error":%q}`, rec.EventID, err.Error())
			for _, r := range ev.Records[i:] {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: r.Change.SequenceNumber})
			}
			return resp, nil
		}
	}
	return resp, nil
}

func (h *streamHandler) apply(ctx context.Context, rec events.DynamoDBEventRecord) error {
	oldID, oldType := donorFields(rec.Change.OldImage)
	newID, newType := donorFields(rec.Change.NewImage)
	if strings.HasPrefix(oldID, statsPrefix) || strings.HasPrefix(newID, statsPrefix) {
		return nil // our own counters
	}
	if oldType == newType {
		return nil
	}
	if oldType != "" {
		if err := h.count(ctx, oldType, -1); err != nil {
			return err
		}
	}
	if newType != "" {
		if err := h.count(ctx, newType, +1); err != nil {
			return err
		}
		if slices.Contains(h.urgent, newType) {
			h.logger.Printf(`{"level":"NOTICE","msg":"urgent donor match","donor_id":%q,"blood_type":%q,"event":%q}`, newID, newType, rec.EventName)
		}
	}
	return nil
}

// count adds delta to the donor count of a blood type.
func (h *streamHandler) count(ctx context.Context, bloodType string, delta int) error {
	table, err := h.store.tableName()
	if err != nil {
		return err
	}
	_, err = h.store.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        table,
		Key:              donorKey(statsPrefix + bloodType),
		UpdateExpression: aws.String("ADD donors :d"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":d": &types.AttributeValueMemberN{Value: strconv.Itoa(delta)},
		},
	})
	if err != nil {
		return fmt.Errorf("count %s %+d: %w", bloodType, delta, err)
	}
	return nil
}

// donorFields reads the id and blood type of a stream image.
func donorFields(img map[string]events.DynamoDBAttributeValue) (id, bloodType string) {
	if v, ok := img["id"]; ok && v.DataType() == events.DataTypeString {
		id = v.String()
	}
	if v, ok := img["blood_type"]; ok && v.DataType() == events.DataTypeString {
		bloodType = v.String()
	}
	return id, bloodType
}

// parseBloodTypes reads a comma-separated list such as "O-,AB-".
func parseBloodTypes(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); slices.Contains(bloodTypes, t) {
			out = append(out, t)
		}
	}
	return out
}
