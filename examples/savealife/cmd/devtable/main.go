// Command devtable creates savealife's table (with its stream) in the
// DynamoDB that AWS_ENDPOINT_URL points at, for local development against
// dynalite or another emulator.
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gochalice/gochalice/examples/savealife/internal/devtable"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: devtable TABLE_NAME   (with AWS_ENDPOINT_URL set to a local DynamoDB)")
		os.Exit(2)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Fatalf("devtable: %v", err)
	}
	if err := devtable.Create(ctx, dynamodb.NewFromConfig(cfg), os.Args[1]); err != nil {
		log.Fatalf("devtable: %v", err)
	}
}
