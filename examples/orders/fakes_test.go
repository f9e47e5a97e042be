package main

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// fakeTable is an in-memory DynamoDB table keyed by the string attribute
// "id", with the three operations the app uses. Scan returns pages of two
// items, so the app's paging is exercised.
type fakeTable struct {
	name  string
	mu    sync.Mutex
	items map[string]map[string]types.AttributeValue
}

func (f *fakeTable) check(table *string) error {
	if aws.ToString(table) != f.name {
		return fmt.Errorf("ResourceNotFoundException: table %q does not exist (the fake holds %q)", aws.ToString(table), f.name)
	}
	return nil
}

func (f *fakeTable) GetItem(_ context.Context, in *dynamodb.GetItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	if err := f.check(in.TableName); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := in.Key["id"].(*types.AttributeValueMemberS)
	if !ok || len(in.Key) != 1 {
		return nil, fmt.Errorf("ValidationException: the key must be the string attribute id")
	}
	return &dynamodb.GetItemOutput{Item: f.items[id.Value]}, nil
}

func (f *fakeTable) PutItem(_ context.Context, in *dynamodb.PutItemInput, _ ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	if err := f.check(in.TableName); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := in.Item["id"].(*types.AttributeValueMemberS)
	if !ok {
		return nil, fmt.Errorf("ValidationException: the item has no string attribute id")
	}
	if f.items == nil {
		f.items = map[string]map[string]types.AttributeValue{}
	}
	f.items[id.Value] = in.Item
	return &dynamodb.PutItemOutput{}, nil
}

func (f *fakeTable) Scan(_ context.Context, in *dynamodb.ScanInput, _ ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	if err := f.check(in.TableName); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]string, 0, len(f.items))
	for id := range f.items {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	after := ""
	if k, ok := in.ExclusiveStartKey["id"].(*types.AttributeValueMemberS); ok {
		after = k.Value
	}
	out := &dynamodb.ScanOutput{}
	for _, id := range ids {
		if id <= after && after != "" {
			continue
		}
		if len(out.Items) == 2 {
			out.LastEvaluatedKey = map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: out.Items[1]["id"].(*types.AttributeValueMemberS).Value}}
			break
		}
		out.Items = append(out.Items, f.items[id])
	}
	return out, nil
}

// order returns the stored order id.
func (f *fakeTable) order(t *testing.T, id string) Order {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var o Order
	if err := attributevalue.UnmarshalMap(f.items[id], &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// fakeQueue records the messages sent to it.
type fakeQueue struct {
	mu   sync.Mutex
	sent []sqs.SendMessageInput
}

func (f *fakeQueue) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, *in)
	return &sqs.SendMessageOutput{MessageId: aws.String(fmt.Sprintf("msg-%d", len(f.sent)))}, nil
}

// fakeTopic records what is published to it.
type fakeTopic struct {
	mu        sync.Mutex
	published []string // "topic: message"
}

func (f *fakeTopic) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.published = append(f.published, aws.ToString(in.TopicArn)+": "+aws.ToString(in.Message))
	return &sns.PublishOutput{}, nil
}

// world is the app with fakes behind it, configured as the dev stage.
type world struct {
	settings settings
	db       *fakeTable
	queue    *fakeQueue
	topic    *fakeTopic
	logs     *bytes.Buffer
	deps     deps
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s := devSettings(t)
	w := &world{settings: s, db: &fakeTable{name: s.Table}, queue: &fakeQueue{}, topic: &fakeTopic{}, logs: &bytes.Buffer{}}
	n := 0
	w.deps = deps{db: w.db, queue: w.queue, topic: w.topic, logger: log.New(w.logs, "", 0),
		newID: func() string { n++; return fmt.Sprintf("ord-%d", n) }}
	return w
}

// store is the app's own data access over the fakes, for setting up and
// reading state.
func (w *world) store() *orders {
	return &orders{deps: w.deps, table: w.settings.Table, queueURL: w.settings.QueueURL, topicARN: w.settings.TopicARN}
}
