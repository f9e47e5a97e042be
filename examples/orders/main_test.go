package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/app/apptest"
	"github.com/gochalice/gochalice/internal/stages"
	"github.com/gochalice/gochalice/manifest"
)

var update = flag.Bool("update", false, "rewrite testdata/manifest.json")

// devSettings are the resource names the dev stage of .chalice/config.json
// gives the app, as settingsFromEnv reads them on Lambda.
func devSettings(t *testing.T) settings {
	t.Helper()
	cfg, err := stages.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.Resolve("dev", manifest.APIHandlerName)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range s.EnvironmentVariables {
		t.Setenv(k, v)
	}
	return settingsFromEnv()
}

// jwt returns an unsigned token with the given claims: local mode (and so
// apptest) reads a Cognito token's claims without checking its signature.
func jwt(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"RS256","kid":"test"}`)) + "." + enc.EncodeToString(payload) + ".c2lnbmF0dXJl"
}

type request struct {
	method, path, body string
	header             map[string]string
}

type response struct {
	Status int
	Body   string
	Header map[string]string // the headers the test asks about
}

func do(t *testing.T, c *apptest.Client, req request, headers ...string) response {
	t.Helper()
	r, err := http.NewRequest(req.method, req.path, strings.NewReader(req.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range req.header {
		r.Header.Set(k, v)
	}
	resp, err := c.HTTPClient().Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	out := response{Status: resp.StatusCode, Body: strings.TrimSpace(string(body))}
	for _, h := range headers {
		if out.Header == nil {
			out.Header = map[string]string{}
		}
		out.Header[h] = resp.Header.Get(h)
	}
	return out
}

// TestRoutes calls every route through the apptest client, as a REST API
// and as an HTTP API, with and without the credentials each route's
// authorizer wants: shop_token (a custom TOKEN authorizer run for real),
// the Cognito user pool (scope orders/read, audience = the app client),
// IAM (a SigV4 Authorization header) and an API key. Every answer carries
// the app-wide CORS headers.
func TestRoutes(t *testing.T) {
	s := devSettings(t)
	reader := jwt(t, map[string]any{"sub": "u-1", "client_id": s.UserPoolApp, "scope": "orders/read", "token_use": "access"})
	noScope := jwt(t, map[string]any{"sub": "u-1", "client_id": s.UserPoolApp, "scope": "profile", "token_use": "access"})
	otherApp := jwt(t, map[string]any{"sub": "u-1", "client_id": "someone-else", "scope": "orders/read", "token_use": "access"})
	const sigV4 = "AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc"
	order := `{"id":"ord-1","customer":"alice","product":"kettle","quantity":2,"status":"received"}`
	cors := "https://shop.example.com"

	for _, api := range []struct {
		name string
		opts []apptest.Option
	}{{"rest", nil}, {"http", []apptest.Option{apptest.WithHTTPAPI()}}} {
		t.Run(api.name, func(t *testing.T) {
			w := newWorld(t)
			c := apptest.New(newApp(w.settings, w.deps), api.opts...)
			steps := []struct {
				name string
				req  request
				want response
			}{
				{"create without token", request{method: "POST", path: "/orders", body: `{"product":"kettle","quantity":2}`},
					response{Status: 401, Body: `{"message":"Unauthorized"}`}},
				{"create with unknown token", request{method: "POST", path: "/orders", body: `{"product":"kettle","quantity":2}`, header: map[string]string{"Authorization": "Bearer stolen"}},
					response{Status: 401, Body: `{"message":"Unauthorized"}`}},
				{"create", request{method: "POST", path: "/orders", body: `{"product":"kettle","quantity":2}`, header: map[string]string{"Authorization": "Bearer dev-token-alice"}},
					response{Status: 202, Body: order, Header: map[string]string{"Location": "/orders/ord-1", "Access-Control-Allow-Origin": cors}}},
				{"create an unknown product", request{method: "POST", path: "/orders", body: `{"product":"piano","quantity":1}`, header: map[string]string{"Authorization": "Bearer dev-token-bob"}},
					response{Status: 400, Body: `{"Code":"BadRequestError","Message":"order 1 to 100 of one of espresso-beans, grinder, kettle"}`}},
				{"get without token", request{method: "GET", path: "/orders/ord-1"},
					response{Status: 401, Body: `{"message":"Unauthorized"}`}},
				{"get without the scope", request{method: "GET", path: "/orders/ord-1", header: map[string]string{"Authorization": noScope}},
					response{Status: 401, Body: `{"message":"Unauthorized"}`}},
				{"get with another app's token", request{method: "GET", path: "/orders/ord-1", header: map[string]string{"Authorization": otherApp}},
					response{Status: 401, Body: `{"message":"Unauthorized"}`}},
				{"get", request{method: "GET", path: "/orders/ord-1", header: map[string]string{"Authorization": reader}},
					response{Status: 200, Body: order, Header: map[string]string{"Access-Control-Allow-Origin": cors}}},
				{"get a missing order", request{method: "GET", path: "/orders/ord-9", header: map[string]string{"Authorization": reader}},
					response{Status: 404, Body: `{"Code":"NotFoundError","Message":"no order \"ord-9\""}`}},
				{"cancel unsigned", request{method: "DELETE", path: "/orders/ord-1"},
					response{Status: 403, Body: `{"message":"Missing Authentication Token"}`}},
				{"cancel", request{method: "DELETE", path: "/orders/ord-1", header: map[string]string{"Authorization": sigV4}},
					response{Status: 200, Body: strings.Replace(order, "received", "cancelled", 1)}},
				{"catalog without key", request{method: "GET", path: "/catalog"},
					response{Status: 403, Body: `{"message":"Forbidden"}`}},
				{"catalog", request{method: "GET", path: "/catalog", header: map[string]string{"X-Api-Key": "partner-key"}},
					response{Status: 200, Body: `{"products":["espresso-beans","grinder","kettle"]}`, Header: map[string]string{"Access-Control-Allow-Origin": cors}}},
				{"preflight", request{method: "OPTIONS", path: "/orders", header: map[string]string{"Origin": cors, "Access-Control-Request-Method": "POST"}},
					response{Status: 200, Body: "", Header: map[string]string{"Access-Control-Allow-Origin": cors, "Access-Control-Allow-Headers": "Authorization,Content-Type,X-Amz-Date,X-Amz-Security-Token,X-Api-Key"}}},
			}
			for _, st := range steps {
				var headers []string
				for h := range st.want.Header {
					headers = append(headers, h)
				}
				got := do(t, c, st.req, headers...)
				if diff := cmp.Diff(st.want, got); diff != "" {
					t.Errorf("%s: %s %s (-want +got):\n%s", st.name, st.req.method, st.req.path, diff)
				}
			}
			// The order was queued for the worker, as alice's.
			if len(w.queue.sent) != 1 || aws.ToString(w.queue.sent[0].QueueUrl) != w.settings.QueueURL {
				t.Fatalf("sent %+v, want one message to %s", w.queue.sent, w.settings.QueueURL)
			}
			if got := aws.ToString(w.queue.sent[0].MessageBody); got != order {
				t.Errorf("queued %s, want %s", got, order)
			}
		})
	}
}

// TestWorker processes a batch with one message that is not an order: it
// alone is reported failed, the order is processed and announced.
func TestWorker(t *testing.T) {
	w := newWorld(t)
	c := apptest.New(newApp(w.settings, w.deps))
	ctx := context.Background()
	if err := w.store().put(ctx, Order{ID: "ord-1", Customer: "alice", Product: "kettle", Quantity: 2, Status: statusReceived}); err != nil {
		t.Fatal(err)
	}
	good := apptest.Message(`{"id":"ord-1","customer":"alice","product":"kettle","quantity":2,"status":"received"}`)
	bad := apptest.Message("not an order")
	bad.MessageId = "bad-1"
	resp, err := c.SQS(ctx, "worker", good, bad)
	if err != nil {
		t.Fatal(err)
	}
	want := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "bad-1"}}}
	if diff := cmp.Diff(want, resp); diff != "" {
		t.Errorf("batch response (-want +got):\n%s", diff)
	}
	if got := w.db.order(t, "ord-1").Status; got != statusProcessed {
		t.Errorf("status %q, want %q", got, statusProcessed)
	}
	wantPub := []string{w.settings.TopicARN + ": order ord-1 processed: 2 x kettle"}
	if diff := cmp.Diff(wantPub, w.topic.published); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
	if !strings.Contains(w.logs.String(), `worker: message bad-1 is not an order: "not an order"`) {
		t.Errorf("logs: %s", w.logs.String())
	}
}

// TestPayments marks an order paid from the payment service's event on
// the payments bus; an event without an order id fails, so Lambda retries
// it and then sends it to the failure destination.
func TestPayments(t *testing.T) {
	w := newWorld(t)
	c := apptest.New(newApp(w.settings, w.deps))
	ctx := context.Background()
	if err := w.store().put(ctx, Order{ID: "ord-1", Customer: "alice", Product: "kettle", Quantity: 1, Status: statusProcessed}); err != nil {
		t.Fatal(err)
	}
	if err := c.Event(ctx, "payments", "PaymentSucceeded", "shop.payments", map[string]string{"orderId": "ord-1"}); err != nil {
		t.Fatal(err)
	}
	if got := w.db.order(t, "ord-1").Status; got != statusPaid {
		t.Errorf("status %q, want %q", got, statusPaid)
	}
	err := c.Event(ctx, "payments", "PaymentSucceeded", "shop.payments", map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "has no detail.orderId") {
		t.Errorf("err = %v, want the missing order id", err)
	}
}

// TestRestock receives a notice from the supplier's topic (in another
// account).
func TestRestock(t *testing.T) {
	w := newWorld(t)
	c := apptest.New(newApp(w.settings, w.deps))
	if err := c.SNS(context.Background(), "restock", apptest.Notification("", "kettle: 20 in stock", apptest.WithNotificationAttribute("event", "restocked"))); err != nil {
		t.Fatal(err)
	}
	want := "restock: kettle: 20 in stock (from arn:aws:sns:us-east-1:210987654321:supplier-stock)\n"
	if got := w.logs.String(); got != want {
		t.Errorf("logs = %q, want %q", got, want)
	}
}

// TestInvoices attaches an uploaded invoice to its order; an invoice that
// names no order is logged. Objects outside invoices/*.pdf never reach the
// function (apptest refuses them as S3 would not send them).
func TestInvoices(t *testing.T) {
	w := newWorld(t)
	c := apptest.New(newApp(w.settings, w.deps))
	ctx := context.Background()
	if err := w.store().put(ctx, Order{ID: "ord-1", Customer: "alice", Product: "kettle", Quantity: 1, Status: statusPaid}); err != nil {
		t.Fatal(err)
	}
	if err := c.S3(ctx, "invoices", apptest.ObjectCreated("invoices/ord-1.pdf", 2048), apptest.ObjectCreated("invoices/ord-7.pdf", 10)); err != nil {
		t.Fatal(err)
	}
	if got, want := w.db.order(t, "ord-1").Invoice, "s3://"+w.settings.InvoiceBucket+"/invoices/ord-1.pdf"; got != want {
		t.Errorf("invoice %q, want %q", got, want)
	}
	if want := "invoices: " + w.settings.InvoiceBucket + "/invoices/ord-7.pdf names no order\n"; w.logs.String() != want {
		t.Errorf("logs = %q, want %q", w.logs.String(), want)
	}
	for _, key := range []string{"invoices/ord-1.txt", "drafts/ord-1.pdf"} {
		if err := c.S3(ctx, "invoices", apptest.ObjectCreated(key, 1)); err == nil {
			t.Errorf("S3 event for %s reached the function", key)
		}
	}
}

// TestClicks counts product views; the first record that is not a view is
// reported, and no record from it on is counted (Lambda retries them).
func TestClicks(t *testing.T) {
	w := newWorld(t)
	c := apptest.New(newApp(w.settings, w.deps))
	ctx := context.Background()
	view := func(p string) events.KinesisEventRecord {
		return apptest.Record("session-1", []byte(`{"product":"`+p+`"}`))
	}
	resp, err := c.Kinesis(ctx, "clicks", view("kettle"), view("grinder"), view("kettle"))
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
	resp, err = c.Kinesis(ctx, "clicks", view("kettle"), apptest.Record("session-2", []byte("garbage")), view("kettle"))
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier == "" {
		t.Errorf("failures %+v, want the garbage record", resp.BatchItemFailures)
	}
	got := map[string]int{}
	for _, p := range catalog {
		var ctr counter
		if err := w.store().get1(ctx, "views#"+p, &ctr); err == nil {
			got[p] = ctr.Views
		}
	}
	if diff := cmp.Diff(map[string]int{"grinder": 1, "kettle": 3}, got); diff != "" {
		t.Errorf("views (-want +got):\n%s", diff)
	}
}

// TestNightly publishes the report over several Scan pages.
func TestNightly(t *testing.T) {
	w := newWorld(t)
	c := apptest.New(newApp(w.settings, w.deps))
	ctx := context.Background()
	for i, st := range []string{statusReceived, statusProcessed, statusPaid, statusPaid, statusCancelled} {
		if err := w.store().put(ctx, Order{ID: "ord-" + string(rune('a'+i)), Customer: "bob", Product: "grinder", Quantity: 1, Status: st}); err != nil {
			t.Fatal(err)
		}
	}
	// A view counter is not an order.
	if err := w.store().putItem(ctx, counter{ID: "views#kettle", Views: 4}); err != nil {
		t.Fatal(err)
	}
	if err := c.Schedule(ctx, "nightly"); err != nil {
		t.Fatal(err)
	}
	want := []string{w.settings.TopicARN + ": nightly report: received 1, processed 1, paid 2, cancelled 1"}
	if diff := cmp.Diff(want, w.topic.published); diff != "" {
		t.Errorf("published (-want +got):\n%s", diff)
	}
}

// TestManifest pins what the app registers for the dev stage: one
// function per event source with its options, and the authorizers. It is
// golden (go test -update rewrites testdata/manifest.json).
func TestManifest(t *testing.T) {
	w := newWorld(t)
	got, err := newApp(w.settings, w.deps).Manifest().MarshalIndent()
	if err != nil {
		t.Fatal(err)
	}
	// Handler positions change with every edit; the names stay.
	var m manifest.Manifest
	if err := json.Unmarshal(got, &m); err != nil {
		t.Fatal(err)
	}
	kinds := map[manifest.Kind]bool{}
	for i := range m.Functions {
		m.Functions[i].Handler.File, m.Functions[i].Handler.Line = "", 0
		kinds[m.Functions[i].Kind] = true
	}
	for i := range m.Routes {
		m.Routes[i].Handler.File, m.Routes[i].Handler.Line = "", 0
	}
	for _, k := range []manifest.Kind{manifest.KindAPI, manifest.KindAuthorizer, manifest.KindSchedule, manifest.KindEventBridge, manifest.KindSQS, manifest.KindSNS, manifest.KindS3, manifest.KindKinesis} {
		if !kinds[k] {
			t.Errorf("no %s function", k)
		}
	}
	if got, err = m.MarshalIndent(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "manifest.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("manifest (-want +got):\n%s", diff)
	}
}
