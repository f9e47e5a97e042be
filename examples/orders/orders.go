package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/gochalice/gochalice/app"
)

// The AWS operations the app uses: *dynamodb.Client, *sqs.Client and
// *sns.Client in production, in-memory fakes in tests.
type (
	table interface {
		GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
		PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
		Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	}
	queue interface {
		SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	}
	publisher interface {
		Publish(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error)
	}
)

var (
	_ table     = (*dynamodb.Client)(nil)
	_ queue     = (*sqs.Client)(nil)
	_ publisher = (*sns.Client)(nil)
)

// deps are what the handlers need from outside.
type deps struct {
	db     table
	queue  queue
	topic  publisher
	logger *log.Logger
	newID  func() string
}

// Order statuses, in the order an order goes through them.
const (
	statusReceived  = "received"
	statusProcessed = "processed"
	statusPaid      = "paid"
	statusCancelled = "cancelled"
)

// Order is an item of the orders table.
type Order struct {
	ID       string `json:"id" dynamodbav:"id"`
	Customer string `json:"customer" dynamodbav:"customer"`
	Product  string `json:"product" dynamodbav:"product"`
	Quantity int    `json:"quantity" dynamodbav:"quantity"`
	Status   string `json:"status" dynamodbav:"status"`
	Invoice  string `json:"invoice,omitempty" dynamodbav:"invoice,omitempty"`
}

// counter is the item that counts a product's views ("views#<product>").
type counter struct {
	ID    string `dynamodbav:"id"`
	Views int    `dynamodbav:"views"`
}

type orders struct {
	deps
	table, queueURL, topicARN string
}

// catalog is what the shop sells.
var catalog = []string{"espresso-beans", "grinder", "kettle"}

func listCatalog(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string][]string{"products": catalog})
}

// create stores a new order for the customer the token authorizer found
// (its principal ID) and queues it for the worker.
func (o *orders) create(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Product  string `json:"product"`
		Quantity int    `json:"quantity"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		app.WriteError(w, app.BadRequest(`the body must be {"product": ..., "quantity": ...}: %v`, err))
		return
	}
	if !known(in.Product) || in.Quantity < 1 || in.Quantity > 100 {
		app.WriteError(w, app.BadRequest("order 1 to 100 of one of %s", strings.Join(catalog, ", ")))
		return
	}
	ord := Order{ID: o.newID(), Customer: principal(r), Product: in.Product, Quantity: in.Quantity, Status: statusReceived}
	if err := o.put(r.Context(), ord); err != nil {
		internalError(w, "store the order", err)
		return
	}
	body, _ := json.Marshal(ord)
	if _, err := o.queue.SendMessage(r.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(o.queueURL), MessageBody: aws.String(string(body))}); err != nil {
		internalError(w, "queue the order", err)
		return
	}
	w.Header().Set("Location", "/orders/"+ord.ID)
	writeJSON(w, http.StatusAccepted, ord)
}

func (o *orders) get(w http.ResponseWriter, r *http.Request) {
	ord, err := o.load(r.Context(), r.PathValue("id"))
	switch {
	case errors.Is(err, errNotFound):
		app.WriteError(w, app.NotFound("no order %q", r.PathValue("id")))
	case err != nil:
		internalError(w, "read the order", err)
	default:
		writeJSON(w, http.StatusOK, ord)
	}
}

func (o *orders) cancel(w http.ResponseWriter, r *http.Request) {
	ord, err := o.setStatus(r.Context(), r.PathValue("id"), statusCancelled)
	switch {
	case errors.Is(err, errNotFound):
		app.WriteError(w, app.NotFound("no order %q", r.PathValue("id")))
	case err != nil:
		internalError(w, "read the order", err)
	default:
		writeJSON(w, http.StatusOK, ord)
	}
}

// work processes queued orders. A message that is not an order is
// reported as failed, so SQS retries it (and, after the queue's
// maxReceiveCount, moves it to the queue's dead-letter queue) while the
// rest of the batch is deleted.
func (o *orders) work(ctx context.Context, e events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, m := range e.Records {
		var ord Order
		if err := json.Unmarshal([]byte(m.Body), &ord); err != nil || ord.ID == "" {
			o.logger.Printf("worker: message %s is not an order: %q", m.MessageId, m.Body)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		}
		if _, err := o.setStatus(ctx, ord.ID, statusProcessed); err != nil {
			o.logger.Printf("worker: order %s: %v", ord.ID, err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
			continue
		}
		if err := o.notify(ctx, fmt.Sprintf("order %s processed: %d x %s", ord.ID, ord.Quantity, ord.Product)); err != nil {
			return events.SQSEventResponse{}, err
		}
	}
	return resp, nil
}

// paid handles the payment service's PaymentSucceeded events. An error
// makes Lambda retry the event (twice), then send it to the failure
// destination.
func (o *orders) paid(ctx context.Context, e events.EventBridgeEvent) error {
	var detail struct {
		OrderID string `json:"orderId"`
	}
	if err := json.Unmarshal(e.Detail, &detail); err != nil || detail.OrderID == "" {
		return fmt.Errorf("payments: event %s has no detail.orderId", e.ID)
	}
	_, err := o.setStatus(ctx, detail.OrderID, statusPaid)
	return err
}

// restock logs the supplier's restock notices.
func (o *orders) restock(_ context.Context, e events.SNSEvent) error {
	for _, r := range e.Records {
		o.logger.Printf("restock: %s (from %s)", r.SNS.Message, r.SNS.TopicArn)
	}
	return nil
}

// invoice attaches invoices/<order id>.pdf to its order.
func (o *orders) invoice(ctx context.Context, e events.S3Event) error {
	for _, r := range e.Records {
		key := r.S3.Object.URLDecodedKey
		if key == "" {
			key = r.S3.Object.Key
		}
		id := strings.TrimSuffix(strings.TrimPrefix(key, "invoices/"), ".pdf")
		ord, err := o.load(ctx, id)
		if errors.Is(err, errNotFound) {
			o.logger.Printf("invoices: %s/%s names no order", r.S3.Bucket.Name, key)
			continue
		}
		if err != nil {
			return err
		}
		ord.Invoice = "s3://" + r.S3.Bucket.Name + "/" + key
		if err := o.put(ctx, ord); err != nil {
			return err
		}
	}
	return nil
}

// clicks counts product views from the web front end's clickstream
// ({"product": "..."} records). A record that is not a view is reported
// as failed: Lambda retries from it, splitting the batch.
func (o *orders) clicks(ctx context.Context, e events.KinesisEvent) (events.KinesisEventResponse, error) {
	views := map[string]int{}
	var resp events.KinesisEventResponse
	for _, r := range e.Records {
		var v struct {
			Product string `json:"product"`
		}
		if err := json.Unmarshal(r.Kinesis.Data, &v); err != nil || !known(v.Product) {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.KinesisBatchItemFailure{ItemIdentifier: r.Kinesis.SequenceNumber})
			// Records after a failed one are retried too: count none of them.
			break
		}
		views[v.Product]++
	}
	products := make([]string, 0, len(views))
	for p := range views {
		products = append(products, p)
	}
	sort.Strings(products)
	for _, p := range products {
		c := counter{ID: "views#" + p}
		if err := o.get1(ctx, c.ID, &c); err != nil && !errors.Is(err, errNotFound) {
			return events.KinesisEventResponse{}, err
		}
		c.Views += views[p]
		if err := o.putItem(ctx, c); err != nil {
			return events.KinesisEventResponse{}, err
		}
	}
	return resp, nil
}

// nightly publishes the number of orders in each status.
func (o *orders) nightly(ctx context.Context, _ events.EventBridgeEvent) error {
	counts := map[string]int{}
	var start map[string]types.AttributeValue
	for {
		out, err := o.db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(o.table), ExclusiveStartKey: start})
		if err != nil {
			return fmt.Errorf("nightly: scan %s: %w", o.table, err)
		}
		var page []Order
		if err := attributevalue.UnmarshalListOfMaps(out.Items, &page); err != nil {
			return err
		}
		for _, ord := range page {
			if ord.Status != "" {
				counts[ord.Status]++
			}
		}
		if start = out.LastEvaluatedKey; len(start) == 0 {
			break
		}
	}
	var parts []string
	for _, s := range []string{statusReceived, statusProcessed, statusPaid, statusCancelled} {
		parts = append(parts, s+" "+strconv.Itoa(counts[s]))
	}
	return o.notify(ctx, "nightly report: "+strings.Join(parts, ", "))
}

func (o *orders) notify(ctx context.Context, msg string) error {
	if _, err := o.topic.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(o.topicARN), Message: aws.String(msg)}); err != nil {
		return fmt.Errorf("publish to %s: %w", o.topicARN, err)
	}
	return nil
}

var errNotFound = errors.New("not found")

func (o *orders) load(ctx context.Context, id string) (Order, error) {
	var ord Order
	err := o.get1(ctx, id, &ord)
	if err == nil && ord.Status == "" {
		err = errNotFound // a counter, not an order
	}
	return ord, err
}

func (o *orders) put(ctx context.Context, ord Order) error { return o.putItem(ctx, ord) }

func (o *orders) setStatus(ctx context.Context, id, status string) (Order, error) {
	ord, err := o.load(ctx, id)
	if err != nil {
		return Order{}, err
	}
	ord.Status = status
	return ord, o.put(ctx, ord)
}

func (o *orders) get1(ctx context.Context, id string, v any) error {
	out, err := o.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(o.table),
		Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
	})
	if err != nil {
		return fmt.Errorf("get %s: %w", id, err)
	}
	if out.Item == nil {
		return errNotFound
	}
	return attributevalue.UnmarshalMap(out.Item, v)
}

func (o *orders) putItem(ctx context.Context, v any) error {
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return err
	}
	if _, err := o.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(o.table), Item: item}); err != nil {
		return fmt.Errorf("put: %w", err)
	}
	return nil
}

func known(product string) bool {
	for _, p := range catalog {
		if p == product {
			return true
		}
	}
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// internalError logs what failed and answers a 500 that does not show the
// AWS error to the caller.
func internalError(w http.ResponseWriter, what string, err error) {
	log.Printf("orders: %s: %v", what, err)
	app.WriteError(w, app.InternalServerError("could not %s", what))
}
