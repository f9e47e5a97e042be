package apptest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/apptest"
)

// echo answers what the handler saw, so tests can check what the API
// Gateway event carried.
func echo(name string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		rc := app.Context(r)
		ev1, v1 := app.ProxyRequest(r)
		ev2, v2 := app.V2HTTPRequest(r)
		resource := ""
		if v1 {
			resource = ev1.Resource
		} else if v2 {
			_, resource, _ = strings.Cut(ev2.RouteKey, " ")
		}
		body, _ := io.ReadAll(r.Body)
		cookie, _ := r.Cookie("session")
		var cv string
		if cookie != nil {
			cv = cookie.Value
		}
		_ = app.WriteJSON(w, http.StatusOK, map[string]any{
			"route":    name,
			"method":   r.Method,
			"path":     r.URL.Path,
			"id":       r.PathValue("id"),
			"rest":     r.PathValue("rest"),
			"q":        r.URL.Query()["q"],
			"header":   r.Header.Get("X-Test"),
			"body":     string(body),
			"stage":    rc.Stage,
			"claims":   rc.Claims,
			"v1":       v1,
			"v2":       v2,
			"cookie":   cv,
			"resource": resource,
		})
	}
}

func newTestApp() *app.App {
	a := app.New("apptest")
	a.Route("GET /items/{id}", echo("get item"))
	a.Route("GET /items/special", echo("special"))
	a.Route("/items/{id}/any", echo("any"))
	a.Route("GET /files/{rest...}", echo("files"))
	a.Route("POST /items", echo("post"), app.WithContentTypes("text/plain", "application/json"))
	a.Route("PUT /cors/{id}", echo("cors"), app.WithCORS(app.CORSConfig{MaxAge: 60}))
	a.Route("GET /image", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write([]byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff})
	})
	a.Route("GET /cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "a", Value: "1"})
		http.SetCookie(w, &http.Cookie{Name: "b", Value: "2"})
		w.WriteHeader(http.StatusNoContent)
	})
	return a
}

type result struct {
	status int
	header http.Header
	body   map[string]any
}

func do(t *testing.T, c *apptest.Client, method, url string, body string, header http.Header) result {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := c.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if len(data) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(data, &out); err != nil {
			t.Fatalf("%s %s: %q: %v", method, url, data, err)
		}
	}
	return result{resp.StatusCode, resp.Header, out}
}

func TestRoutingLikeAPIGateway(t *testing.T) {
	t.Parallel()
	for _, httpAPI := range []bool{false, true} {
		var opts []apptest.Option
		if httpAPI {
			opts = append(opts, apptest.WithHTTPAPI())
		}
		c := apptest.New(newTestApp(), opts...)
		unmatched := 403
		if httpAPI {
			unmatched = 404
		}
		tests := []struct {
			method, url string
			wantStatus  int
			wantRoute   string
			wantID      string
			wantRes     string
		}{
			{"GET", "/items/42", 200, "get item", "42", "/items/{id}"},
			{"GET", "/items/special", 200, "special", "", "/items/special"}, // a literal beats {id}
			{"DELETE", "/items/7/any", 200, "any", "7", "/items/{id}/any"},
			{"GET", "/items/a%2Fb", 200, "get item", "a/b", "/items/{id}"}, // an escaped slash stays in one segment
			{"GET", "/items/Los%20Angeles", 200, "get item", "Los Angeles", "/items/{id}"},
			{"GET", "/items/100%25", 200, "get item", "100%", "/items/{id}"}, // decoded once, not twice
			{"GET", "/files/a/b/c.txt", 200, "files", "", "/files/{rest+}"},
			// No route: REST API 403 Missing Authentication Token, HTTP API
			// 404 Not Found (package internal/apigw).
			{"GET", "/nowhere", unmatched, "", "", ""},
			{"POST", "/items/42", unmatched, "", "", ""}, // no POST on the resource
		}
		for _, tc := range tests {
			t.Run(fmt.Sprintf("httpAPI=%v %s %s", httpAPI, tc.method, tc.url), func(t *testing.T) {
				got := do(t, c, tc.method, tc.url, "", nil)
				if got.status != tc.wantStatus {
					t.Fatalf("status = %d %v, want %d", got.status, got.body, tc.wantStatus)
				}
				if tc.wantStatus == 403 {
					if got.body["message"] != "Missing Authentication Token" || got.header.Get("X-Amzn-Errortype") != "MissingAuthenticationTokenException" {
						t.Errorf("body = %v, error type %q; want API Gateway's Missing Authentication Token", got.body, got.header.Get("X-Amzn-Errortype"))
					}
					return
				}
				if tc.wantStatus == 404 {
					if len(got.body) != 1 || got.body["message"] != "Not Found" {
						t.Errorf("body = %v, want an HTTP API's {\"message\":\"Not Found\"}", got.body)
					}
					return
				}
				if got.body["route"] != tc.wantRoute || got.body["id"] != tc.wantID || got.body["resource"] != tc.wantRes {
					t.Errorf("route, id, resource = %v, %v, %v; want %q, %q, %q", got.body["route"], got.body["id"], got.body["resource"], tc.wantRoute, tc.wantID, tc.wantRes)
				}
				if got.body["v1"] == httpAPI || got.body["v2"] != httpAPI {
					t.Errorf("v1, v2 = %v, %v: the event was not of the kind the client sends", got.body["v1"], got.body["v2"])
				}
			})
		}
	}
}

func TestRequestDetailsReachTheHandler(t *testing.T) {
	t.Parallel()
	for _, httpAPI := range []bool{false, true} {
		t.Run(fmt.Sprintf("httpAPI=%v", httpAPI), func(t *testing.T) {
			opts := []apptest.Option{apptest.WithStage("prod"), apptest.WithClaims(map[string]string{"sub": "u-1"})}
			if httpAPI {
				opts = append(opts, apptest.WithHTTPAPI())
			}
			c := apptest.New(newTestApp(), opts...)
			got := do(t, c, "GET", "/files/x/y?q=1&q=2", "", http.Header{"X-Test": {"yes"}, "Cookie": {"session=abc; other=1"}})
			want := map[string]any{
				"route": "files", "method": "GET", "path": "/files/x/y", "id": "", "rest": "x/y",
				"q": []any{"1", "2"}, "header": "yes", "body": "", "stage": "prod",
				"claims": map[string]any{"sub": "u-1"}, "v1": !httpAPI, "v2": httpAPI, "cookie": "abc", "resource": "/files/{rest+}",
			}
			if diff := cmp.Diff(want, got.body); diff != "" {
				t.Errorf("handler saw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBodiesAndContentTypes(t *testing.T) {
	t.Parallel()
	c := apptest.New(newTestApp())
	got := do(t, c, "POST", "/items", "hello", http.Header{"Content-Type": {"text/plain"}})
	if got.status != 200 || got.body["body"] != "hello" {
		t.Errorf("text/plain POST = %d %v", got.status, got.body)
	}
	got = do(t, c, "POST", "/items", "<x/>", http.Header{"Content-Type": {"application/xml"}})
	if got.status != http.StatusUnsupportedMediaType || got.body["Code"] != "UnsupportedMediaType" {
		t.Errorf("application/xml POST = %d %v, want 415", got.status, got.body)
	}

	resp, err := c.HTTPClient().Get("/image")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	if want := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}; string(data) != string(want) {
		t.Errorf("binary body = %v, want %v (base64 through API Gateway and back)", data, want)
	}
}

func TestCookiesAndCORS(t *testing.T) {
	t.Parallel()
	for _, httpAPI := range []bool{false, true} {
		var opts []apptest.Option
		if httpAPI {
			opts = append(opts, apptest.WithHTTPAPI())
		}
		c := apptest.New(newTestApp(), opts...)
		got := do(t, c, "GET", "/cookie", "", nil)
		if diff := cmp.Diff([]string{"a=1", "b=2"}, got.header.Values("Set-Cookie")); got.status != 204 || diff != "" {
			t.Errorf("httpAPI=%v: Set-Cookie (-want +got):\n%s", httpAPI, diff)
		}
		got = do(t, c, "OPTIONS", "/cors/1", "", nil)
		if got.status != 200 || got.header.Get("Access-Control-Allow-Methods") != "OPTIONS,PUT" || got.header.Get("Access-Control-Max-Age") != "60" {
			t.Errorf("httpAPI=%v: preflight = %d %v", httpAPI, got.status, got.header)
		}
	}
}

func TestInvokeAndDynamoDB(t *testing.T) {
	t.Parallel()
	type donor struct {
		ID      string            `dynamodbav:"id"`
		Type    string            `dynamodbav:"blood_type"`
		Age     int               `json:"age"`
		Skip    string            `dynamodbav:"-"`
		Empty   string            `dynamodbav:"empty,omitempty"`
		Tags    []string          `dynamodbav:"tags,stringset"`
		Extra   map[string]any    `dynamodbav:"extra"`
		Nil     *string           `dynamodbav:"nil"`
		Created time.Time         `dynamodbav:"created"`
		Raw     []byte            `dynamodbav:"raw"`
		Labels  map[string]string `dynamodbav:"labels,omitempty"`
	}
	var seen []events.DynamoDBEventRecord
	a := app.New("apptest")
	a.OnDynamoDBBatch("stream", "arn:aws:dynamodb:eu-west-1:111122223333:table/donors/stream/2026-01-01T00:00:00.000",
		func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			seen = ev.Records
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: ev.Records[1].Change.SequenceNumber}}}, nil
		})
	a.OnDynamoDBRecord("plain", "donors", func(ctx context.Context, ev events.DynamoDBEvent) error {
		return errors.New("boom")
	})
	a.LambdaFunction("double", func(ctx context.Context, n int) (int, error) { return 2 * n, nil })
	c := apptest.New(a)

	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	d := donor{ID: "d1", Type: "O-", Age: 40, Skip: "x", Tags: []string{"a", "b"}, Extra: map[string]any{"n": 1.5, "ok": true}, Created: created, Raw: []byte{1, 2}}
	d2 := d
	d2.Type = "A+"
	resp, err := c.DynamoDB(context.Background(), "stream",
		apptest.Insert(d, apptest.WithKeys("id")),
		apptest.Modify(d, d2, apptest.WithKeys("id")),
		apptest.Remove(d2, apptest.WithKeys("id"), apptest.WithStreamViewType(events.DynamoDBStreamViewTypeKeysOnly)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 3 {
		t.Fatalf("handler saw %d records, want 3", len(seen))
	}
	if got := resp.BatchItemFailures; len(got) != 1 || got[0].ItemIdentifier != seen[1].Change.SequenceNumber {
		t.Errorf("batch response = %+v, want the second record's sequence number", got)
	}
	for i, want := range []string{"INSERT", "MODIFY", "REMOVE"} {
		r := seen[i]
		if r.EventName != want || r.EventSource != "aws:dynamodb" || r.AWSRegion != "us-east-1" ||
			r.EventSourceArn != "arn:aws:dynamodb:eu-west-1:111122223333:table/donors/stream/2026-01-01T00:00:00.000" ||
			r.Change.Keys["id"].String() != "d1" || r.Change.SizeBytes == 0 {
			t.Errorf("record %d = %+v", i, r)
		}
		if i > 0 && r.Change.SequenceNumber <= seen[i-1].Change.SequenceNumber {
			t.Errorf("sequence numbers do not increase: %s after %s", r.Change.SequenceNumber, seen[i-1].Change.SequenceNumber)
		}
	}
	img := seen[0].Change.NewImage
	checks := map[string]string{}
	for k, v := range img {
		switch v.DataType() {
		case events.DataTypeString:
			checks[k] = "S:" + v.String()
		case events.DataTypeNumber:
			checks[k] = "N:" + v.Number()
		case events.DataTypeStringSet:
			checks[k] = "SS:" + strings.Join(v.StringSet(), ",")
		case events.DataTypeMap:
			checks[k] = fmt.Sprintf("M:%d", len(v.Map()))
		case events.DataTypeNull:
			checks[k] = "NULL"
		case events.DataTypeBinary:
			checks[k] = fmt.Sprintf("B:%v", v.Binary())
		default:
			checks[k] = fmt.Sprintf("type %v", v.DataType())
		}
	}
	wantImg := map[string]string{
		"id": "S:d1", "blood_type": "S:O-", "age": "N:40", "tags": "SS:a,b", "extra": "M:2",
		"nil": "NULL", "created": "S:2026-01-02T03:04:05Z", "raw": "B:[1 2]",
	}
	if diff := cmp.Diff(wantImg, checks); diff != "" {
		t.Errorf("new image (-want +got):\n%s", diff)
	}
	if seen[1].Change.OldImage["blood_type"].String() != "O-" || seen[1].Change.NewImage["blood_type"].String() != "A+" {
		t.Errorf("MODIFY images = %v / %v", seen[1].Change.OldImage, seen[1].Change.NewImage)
	}
	if seen[2].Change.OldImage != nil || seen[2].Change.StreamViewType != "KEYS_ONLY" {
		t.Errorf("KEYS_ONLY record carries images: %+v", seen[2].Change)
	}

	if _, err := c.DynamoDB(context.Background(), "plain", apptest.Insert(d)); err == nil || err.Error() != "boom" {
		t.Errorf("handler error = %v, want boom", err)
	}
	if _, err := c.DynamoDB(context.Background(), "double"); err == nil {
		t.Error("DynamoDB on a plain function: want an error")
	}
	out, err := c.Invoke(context.Background(), "double", 21)
	if err != nil || string(out) != "42" {
		t.Errorf("Invoke double 21 = %s, %v; want 42", out, err)
	}
}

func TestMarshalItemRejects(t *testing.T) {
	t.Parallel()
	for _, v := range []any{42, "x", map[int]string{1: "a"}, struct{ C chan int }{}} {
		if _, err := apptest.MarshalItem(v); err == nil {
			t.Errorf("MarshalItem(%T) = nil error, want one", v)
		}
	}
}
