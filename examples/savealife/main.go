// Command savealife is gochalice's seed app: a blood-donor registry.
//
// The API (one Lambda function, api_handler) registers, lists, reads,
// updates and deletes donors in the DynamoDB table named by TABLE_NAME, and
// reports how many donors of each blood type there are. handle_stream reads
// the table's stream (STREAM_ARN): it keeps the per-blood-type counts that
// GET /stats reports, and flags new or changed donors whose blood type is
// urgently needed (URGENT_BLOOD_TYPES). Each function has its own role and
// environment variables; see .chalice/.
package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gochalice/gochalice/app"
)

func main() {
	// The AWS client is made once, here, before Run, and serves every
	// invocation (clients are safe for concurrent use); a handler never
	// makes its own. Nothing here calls the network, so start-up never
	// waits on AWS: LoadDefaultConfig reads the environment (on Lambda, the
	// function's credentials and region) and config files, and the client
	// resolves its endpoint and connects at its first request. Making it
	// here rather than on first use costs under a millisecond of a cold
	// start (go run ./internal/coldstart); the SDK's larger cost is its
	// packages' own initialisation, paid by any binary that links them.
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Fatalf("savealife: load AWS config: %v", err)
	}
	db := dynamodb.NewFromConfig(cfg)
	newApp(db, os.Getenv("TABLE_NAME"), os.Getenv("STREAM_ARN"), os.Getenv("URGENT_BLOOD_TYPES"), log.New(os.Stderr, "", 0)).Run()
}

// newApp registers savealife's routes and stream handler. handle_stream
// writes its notices to logger (CloudWatch Logs through standard error on
// Lambda).
func newApp(db *dynamodb.Client, table, streamARN, urgent string, logger *log.Logger) *app.App {
	s := &store{db: db, table: table}
	a := app.New("savealife")
	cors := app.WithCORS(app.CORSConfig{AllowOrigin: "*", MaxAge: 600})
	a.Route("POST /donors", s.createDonor, cors)
	a.Route("GET /donors", s.listDonors, cors)
	a.Route("GET /donors/{id}", s.getDonor, cors)
	a.Route("PUT /donors/{id}", s.updateDonor, cors)
	a.Route("DELETE /donors/{id}", s.deleteDonor, cors)
	a.Route("GET /stats", s.getStats)

	h := &streamHandler{store: s, urgent: parseBloodTypes(urgent), logger: logger}
	a.OnDynamoDBBatch("handle_stream", streamARN, h.handle, app.WithBatchSize(50), app.WithStartingPosition(app.TrimHorizon))
	return a
}
