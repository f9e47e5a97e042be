// Command hello is the baseline of the cold-start benchmark: the smallest
// Go Lambda function, aws-lambda-go's lambda.Start of one func.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, name string) (string, error) {
		return "hello " + name, nil
	})
}
