package deployer

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigateway"
	"github.com/aws/aws-sdk-go-v2/service/apigatewayv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
)

// A create call that AWS gives no idempotency token for (ImportRestApi,
// ImportApi, CreateUsagePlan, CreateEventSourceMapping, and the WebSocket
// API's CreateApi, CreateIntegration and CreateRoute) makes a second
// resource when it is sent again after its first answer was lost (a
// timeout, a reset connection, a 5xx after the resource was made). The
// SDK's retryer would send it again on its own, so these calls are made
// with its retries off (the options below), and createOnce retries them
// itself, looking for what the lost try made before each new one.

func apigwOnce(o *apigateway.Options)     { o.RetryMaxAttempts = 1 }
func apigwv2Once(o *apigatewayv2.Options) { o.RetryMaxAttempts = 1 }
func lambdaOnce(o *lambda.Options)        { o.RetryMaxAttempts = 1 }

// createOnce runs create (made with the SDK's retries off) until it
// succeeds, or fails in a way that shows it took no effect. After a
// failure that may have taken effect (ambiguous), find looks for what
// create made: found, it is adopted (find records it for the caller) and
// createOnce returns nil with adopted set. Throttling and d.retry's
// retryable errors are retried with d.retry's pauses and attempts.
func (d *Deployer) createOnce(ctx context.Context, create func() error, find func() (found bool, err error)) (adopted bool, err error) {
	err = d.retry(ctx, func() error {
		err := create()
		if err == nil || retryable(err) {
			return err
		}
		if throttled(err) {
			return &retryLater{err}
		}
		if !ambiguous(err) || ctx.Err() != nil {
			return err
		}
		found, ferr := find()
		if ferr != nil {
			return errors.Join(err, ferr)
		}
		if found {
			adopted = true
			return nil
		}
		return &retryLater{err}
	})
	var later *retryLater
	if errors.As(err, &later) {
		err = later.err
	}
	return adopted, err
}

// retryLater is a create failure worth trying again (retryable says so).
type retryLater struct{ err error }

func (e *retryLater) Error() string { return e.err.Error() }
func (e *retryLater) Unwrap() error { return e.err }

// throttled reports whether err is AWS's throttling, which never takes
// effect.
func throttled(err error) bool {
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err).Bool()
}

// ambiguous reports whether a failed call may have taken effect: anything
// but an answer from AWS that blames the request (a 4xx).
func ambiguous(err error) bool {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorFault() == smithy.FaultClient {
		return false
	}
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 && re.HTTPStatusCode() < 500 {
		return false
	}
	return !errors.Is(err, context.Canceled)
}
