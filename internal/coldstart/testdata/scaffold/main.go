// Command coldstart is a gochalice app: an HTTP API and a DynamoDB stream
// handler, served locally by `gochalice local` and deployed to AWS Lambda by
// `gochalice deploy`.
package main

import (
	"context"
	"log"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"

	"github.com/gochalice/gochalice/app"
)

func main() {
	// Make AWS clients (aws-sdk-go-v2) here, once, before Run, and pass
	// them to newApp; every invocation shares them, and a handler never
	// makes its own:
	//
	//	cfg, err := config.LoadDefaultConfig(context.Background())
	//	if err != nil {
	//		log.Fatal(err)
	//	}
	//	db := dynamodb.NewFromConfig(cfg)
	//
	// Neither calls the network, so start-up never waits on AWS. Make no
	// AWS call before Run: it would add to every cold start.
	newApp().Run()
}

func newApp() *app.App {
	a := app.New("coldstart")
	a.Route("GET /", index)
	a.Route("GET /hello/{name}", hello)
	// STREAM_ARN comes from .chalice/config.json; set it to your table's
	// stream ARN (or the table's name) before deploying.
	a.OnDynamoDBRecord("handle_stream", os.Getenv("STREAM_ARN"), handleStream)
	return a
}

func index(w http.ResponseWriter, r *http.Request) {
	_ = app.WriteJSON(w, http.StatusOK, map[string]string{"hello": "world"})
}

func hello(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if len(name) > 64 {
		app.WriteError(w, app.BadRequest("name is longer than 64 characters"))
		return
	}
	_ = app.WriteJSON(w, http.StatusOK, map[string]string{"hello": name})
}

func handleStream(ctx context.Context, ev events.DynamoDBEvent) error {
	for _, rec := range ev.Records {
		log.Printf("%s %v", rec.EventName, rec.Change.Keys)
	}
	return nil
}
