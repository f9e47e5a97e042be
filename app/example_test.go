package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gochalice/gochalice/app"
	"github.com/gochalice/gochalice/app/apptest"
)

// A route is a plain net/http handler; on Lambda, API Gateway's event
// reaches it as an *http.Request.
func Example() {
	a := app.New("savealife")
	a.Route("GET /donors/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "42" {
			app.WriteError(w, app.NotFound("donor %s not found", r.PathValue("id")))
			return
		}
		_ = app.WriteJSON(w, http.StatusOK, map[string]string{"id": "42", "name": "Ana"})
	})

	for _, id := range []string{"42", "7"} {
		resp, err := a.HandleProxyRequest(context.Background(), &events.APIGatewayProxyRequest{
			HTTPMethod:     "GET",
			Resource:       "/donors/{id}",
			Path:           "/donors/" + id,
			PathParameters: map[string]string{"id": id},
		})
		if err != nil {
			panic(err)
		}
		fmt.Print(resp.StatusCode, " ", resp.Body)
	}
	// Output:
	// 200 {"id":"42","name":"Ana"}
	// 404 {"Code":"NotFoundError","Message":"donor 7 not found"}
}

// Handle takes any http.Handler; a pattern without a method answers every
// method (API Gateway's ANY).
func ExampleApp_Handle() {
	a := app.New("savealife")
	a.Handle("/health", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "ok (%s)", r.Method)
	}))

	for _, method := range []string{"GET", "DELETE"} {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest(method, "/health", nil))
		fmt.Println(rec.Code, rec.Body)
	}
	// Output:
	// 200 ok (GET)
	// 200 ok (DELETE)
}

func ExampleWriteError() {
	rec := httptest.NewRecorder()
	app.WriteError(rec, app.Conflict("donor %q already exists", "ana@example.com"))
	fmt.Print(rec.Code, " ", rec.Body)

	// Any other error answers a generic 500, never its text.
	rec = httptest.NewRecorder()
	app.WriteError(rec, fmt.Errorf("connect to db: password rejected"))
	fmt.Print(rec.Code, " ", rec.Body)
	// Output:
	// 409 {"Code":"ConflictError","Message":"donor \"ana@example.com\" already exists"}
	// 500 {"Code":"InternalServerError","Message":"An internal server error occurred."}
}

func ExampleApp_OnDynamoDBRecord() {
	a := app.New("savealife")
	a.OnDynamoDBRecord("handle_stream", "donors", func(ctx context.Context, ev events.DynamoDBEvent) error {
		for _, r := range ev.Records {
			fmt.Println(r.EventName, r.Change.NewImage["name"].String())
		}
		return nil
	}, app.WithBatchSize(10))

	// Invoke runs a function as Lambda does: JSON in, JSON out.
	out, err := a.Invoke(context.Background(), "handle_stream", []byte(`{"Records": [
		{"eventName": "INSERT", "dynamodb": {"NewImage": {"name": {"S": "Ana"}}}},
		{"eventName": "MODIFY", "dynamodb": {"NewImage": {"name": {"S": "Ben"}}}}
	]}`))
	fmt.Println(string(out), err)
	// Output:
	// INSERT Ana
	// MODIFY Ben
	// null <nil>
}

// OnSQSBatch reports the messages that failed; only those return to the
// queue.
func ExampleApp_OnSQSBatch() {
	a := app.New("savealife")
	a.OnSQSBatch("donations", os.Getenv("DONATIONS_QUEUE"), func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, m := range ev.Records {
			if m.Body == "" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: m.MessageId})
				continue
			}
			fmt.Println("donation", m.Body)
		}
		return resp, nil
	}, app.WithBatchSize(100), app.WithMaximumBatchingWindow(5*time.Second))

	out, err := a.Invoke(context.Background(), "donations", []byte(`{"Records": [
		{"messageId": "m1", "body": "O- 450ml"},
		{"messageId": "m2", "body": ""}
	]}`))
	fmt.Println(string(out), err)
	// Output:
	// donation O- 450ml
	// {"batchItemFailures":[{"itemIdentifier":"m2"}]} <nil>
}

// A schedule's expression is checked when it is registered; the manifest
// tells the deployer to create the EventBridge rule.
func ExampleApp_Schedule() {
	a := app.New("savealife")
	a.Schedule("nightly_report", "cron(0 3 * * ? *)", func(ctx context.Context, ev events.EventBridgeEvent) error {
		return nil
	}, app.WithDescription("send the nightly report"), app.WithOnFailure(app.SQSDestination("report-failures")))

	fn, _ := a.Manifest().Function("nightly_report")
	fmt.Println(fn.Kind, fn.Schedule.Expression, fn.OnFailure.DestinationKind, fn.OnFailure.Destination)

	fmt.Println(app.CheckScheduleExpression("rate(1 days)"))
	// Output:
	// schedule cron(0 3 * * ? *) sqs report-failures
	// schedule expression "rate(1 days)": a value of 1 takes the singular unit: rate(1 day)
}

// A TOKEN authorizer is a Lambda function of the app. apptest (and
// gochalice local) run it before the route, as API Gateway does.
func ExampleApp_TokenAuthorizer() {
	a := app.New("savealife")
	auth := a.TokenAuthorizer("token_auth", func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
		if req.AuthorizationToken != "Bearer let-me-in" {
			return events.APIGatewayCustomAuthorizerResponse{}, app.ErrUnauthorized
		}
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID: "ana",
			PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{Version: "2012-10-17", Statement: []events.IAMPolicyStatement{
				{Action: []string{"execute-api:Invoke"}, Effect: "Allow", Resource: []string{req.MethodArn}},
			}},
		}, nil
	})
	a.Route("GET /me", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "hello %s", app.Context(r).PrincipalID)
	}, app.WithAuthorizer(auth))

	c := apptest.New(a).HTTPClient()
	for _, token := range []string{"Bearer let-me-in", "Bearer guess"} {
		req, _ := http.NewRequest("GET", "/me", nil)
		req.Header.Set("Authorization", token)
		resp, err := c.Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 200 hello ana
	// 401 {"message":"Unauthorized"}
}

// Event middleware wraps every function once, whatever its event source:
// here Lambda Powertools-style structured logging, one JSON line per
// invocation with the function's name, the request id and whether it is
// a cold start.
func ExampleApp_UseEvents() {
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{} // left out to keep the example's output stable
			}
			return a
		},
	}))
	coldStart := true
	a := app.New("savealife")
	a.UseEvents(app.AllEvents, func(next app.InvokeFunc) app.InvokeFunc {
		return func(ctx context.Context, inv app.Invocation) ([]byte, error) {
			log := logger.With("function_name", inv.Function, "event_kind", inv.Kind, "cold_start", coldStart)
			coldStart = false
			if lc, ok := lambdacontext.FromContext(ctx); ok {
				log = log.With("function_request_id", lc.AwsRequestID)
			}
			out, err := next(ctx, inv)
			if err != nil {
				log.Error("invocation failed", "error", err)
				return out, err
			}
			log.Info("invocation done")
			return out, nil
		}
	})
	a.OnSQSMessage("remind", os.Getenv("REMINDERS_QUEUE"), func(ctx context.Context, ev events.SQSEvent) error {
		return nil
	})

	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"})
	_, _ = a.Invoke(ctx, "remind", []byte(`{"Records": []}`))
	_, _ = a.Invoke(ctx, "remind", []byte(`{"Records": []}`))
	// Output:
	// {"level":"INFO","msg":"invocation done","function_name":"remind","event_kind":"sqs","cold_start":true,"function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}
	// {"level":"INFO","msg":"invocation done","function_name":"remind","event_kind":"sqs","cold_start":false,"function_request_id":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}
}
