// Command orders is gochalice's every-source example: a small shop's order
// service that uses each event source and each kind of API authorizer.
//
//   - POST /orders (custom token authorizer shop_token) stores an order in
//     the DynamoDB table ORDERS_TABLE and queues it on ORDERS_QUEUE_URL.
//   - GET /orders/{id} (Cognito user pool, scope orders/read) reads it.
//   - DELETE /orders/{id} (IAM: SigV4-signed by the shop's back office)
//     cancels it.
//   - GET /catalog (an API key on the REST API, shop_token on the HTTP
//     API, which has no API keys) lists the products for partners.
//   - worker (SQS, partial batch failures) processes queued orders and
//     publishes "order processed" to ORDERS_TOPIC_ARN.
//   - payments (EventBridge, custom bus PAYMENTS_BUS) marks orders paid;
//     events it fails on go to the FAILED_EVENTS_QUEUE failure destination.
//   - restock (SNS, a supplier's topic in another account) logs restocks.
//   - invoices (S3, invoices/*.pdf in INVOICE_BUCKET) attaches invoices.
//   - clicks (Kinesis, partial batch failures) counts product views.
//   - nightly (schedule) publishes a report of orders by status.
//
// Every resource name comes from the stage's environment variables
// (.chalice/config.json), so the tests run without AWS. See README.md.
package main

import (
	"context"
	"crypto/rand"
	"log"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/gochalice/gochalice/app"
)

func main() {
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("orders: load AWS config: %v", err)
	}
	deps := deps{
		db:     dynamodb.NewFromConfig(cfg),
		queue:  sqs.NewFromConfig(cfg),
		topic:  sns.NewFromConfig(cfg),
		logger: log.New(os.Stderr, "", 0),
		newID:  rand.Text,
	}
	newApp(settingsFromEnv(), deps).Run()
}

// settings are the names of the resources the app uses, from the stage's
// environment variables.
type settings struct {
	Table         string // ORDERS_TABLE
	QueueURL      string // ORDERS_QUEUE_URL: where the API queues orders
	Queue         string // ORDERS_QUEUE: the queue the worker reads (name or ARN)
	TopicARN      string // ORDERS_TOPIC_ARN: order notifications
	FailedQueue   string // FAILED_EVENTS_QUEUE: failure destination
	PaymentsBus   string // PAYMENTS_BUS: the payment service's event bus
	SupplierTopic string // SUPPLIER_TOPIC_ARN: a supplier's topic (another account)
	InvoiceBucket string // INVOICE_BUCKET
	ClickStream   string // CLICK_STREAM: the Kinesis stream of product views
	UserPoolARN   string // USER_POOL_ARN: the shop's Cognito user pool
	UserPoolApp   string // USER_POOL_CLIENT_ID: its app client (HTTP API audience)
	APITokens     string // API_TOKENS: "token=customer,..." for shop_token
	// PartnerAPIKeys (PARTNER_API_KEYS=required) makes GET /catalog need
	// an API key. Only REST APIs have API keys: the HTTP API stage leaves
	// it unset, and partners use shop_token tokens there.
	PartnerAPIKeys bool
}

// settingsFromEnv reads the settings. Each name is read with os.Getenv
// directly, so gochalice gen-policy scopes the statements of the calls
// that use it to the resource the stage names.
func settingsFromEnv() settings {
	return settings{
		Table:          os.Getenv("ORDERS_TABLE"),
		QueueURL:       os.Getenv("ORDERS_QUEUE_URL"),
		Queue:          os.Getenv("ORDERS_QUEUE"),
		TopicARN:       os.Getenv("ORDERS_TOPIC_ARN"),
		FailedQueue:    os.Getenv("FAILED_EVENTS_QUEUE"),
		PaymentsBus:    os.Getenv("PAYMENTS_BUS"),
		SupplierTopic:  os.Getenv("SUPPLIER_TOPIC_ARN"),
		InvoiceBucket:  os.Getenv("INVOICE_BUCKET"),
		ClickStream:    os.Getenv("CLICK_STREAM"),
		UserPoolARN:    os.Getenv("USER_POOL_ARN"),
		UserPoolApp:    os.Getenv("USER_POOL_CLIENT_ID"),
		APITokens:      os.Getenv("API_TOKENS"),
		PartnerAPIKeys: os.Getenv("PARTNER_API_KEYS") == "required",
	}
}

// newApp registers the routes, authorizers and event handlers.
func newApp(s settings, d deps) *app.App {
	o := &orders{deps: d, table: s.Table, queueURL: s.QueueURL, topicARN: s.TopicARN}
	a := app.New("orders")

	// CORS for every route: the shop's web front end calls the API.
	a.Defaults(app.WithCORS(app.CORSConfig{AllowOrigin: "https://shop.example.com", AllowHeaders: []string{"Authorization"}, MaxAge: 600}))

	shopToken := a.TokenAuthorizer("shop_token", tokenAuthorizer(parseTokens(s.APITokens)), app.WithTTL(5*time.Minute))
	var cognitoOpts []app.AuthorizerOption
	if s.UserPoolApp != "" {
		cognitoOpts = append(cognitoOpts, app.WithAudience(s.UserPoolApp))
	}
	shopUsers := app.CognitoAuthorizer("shop_users", []string{s.UserPoolARN}, cognitoOpts...)

	a.Route("POST /orders", o.create, app.WithAuthorizer(shopToken))
	a.Route("GET /orders/{id}", o.get, app.WithAuthorizer(shopUsers, "orders/read"))
	a.Route("DELETE /orders/{id}", o.cancel, app.WithAuthorizer(app.IAMAuthorizer()))
	catalogAuth := app.WithAuthorizer(shopToken)
	if s.PartnerAPIKeys {
		catalogAuth = app.WithAPIKey()
	}
	a.Route("GET /catalog", listCatalog, catalogAuth)

	a.OnSQSBatch("worker", s.Queue, o.work, app.WithBatchSize(10), app.WithMaximumConcurrency(5))
	a.OnEvent("payments", map[string]any{"source": []string{"shop.payments"}, "detail-type": []string{"PaymentSucceeded"}}, o.paid,
		app.WithBus(s.PaymentsBus), app.WithDescription("marks orders paid"),
		app.WithOnFailure(app.SQSDestination(s.FailedQueue)), app.WithMaximumRetryAttempts(2))
	a.OnSNSMessage("restock", s.SupplierTopic, o.restock, app.WithFilterPolicy(map[string]any{"event": []string{"restocked"}}))
	a.OnS3Event("invoices", s.InvoiceBucket, o.invoice, app.WithPrefix("invoices/"), app.WithSuffix(".pdf"))
	a.OnKinesisBatch("clicks", s.ClickStream, o.clicks, app.WithBatchSize(100), app.WithStartingPosition(app.TrimHorizon),
		app.WithOnFailure(app.SQSDestination(s.FailedQueue)), app.WithBisectBatchOnError(), app.WithMaximumRetryAttempts(3))
	a.Schedule("nightly", "cron(0 2 * * ? *)", o.nightly, app.WithDescription("nightly order report"))
	return a
}
