package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
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
