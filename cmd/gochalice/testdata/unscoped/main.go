// Command unscoped is an app whose table is named by an environment
// variable its dev stage does not set: deploy must refuse to grant "*".
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/gochalice/gochalice/app"
)

func main() {
	a := app.New("unscoped")
	var db *dynamodb.Client
	a.Route("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if db == nil {
			cfg, err := config.LoadDefaultConfig(r.Context())
			if err != nil {
				http.Error(w, "no AWS configuration", http.StatusInternalServerError)
				return
			}
			db = dynamodb.NewFromConfig(cfg)
		}
		getItem(r.Context(), db, r.PathValue("id"))
	})
	a.Route("GET /legacy/:id", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	a.Run()
}

func getItem(ctx context.Context, db *dynamodb.Client, id string) {
	_, _ = db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(os.Getenv("ITEMS_TABLE")),
		Key:       map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}},
	})
	// A service gochalice has no special code for: the action and the
	// ARN come from the SDK's and IAM's own data.
	_, _ = sfn.New(sfn.Options{}).StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(machineARN)})
}

const machineARN = "arn:aws:states:us-east-1:123456789012:stateMachine:fulfil"
