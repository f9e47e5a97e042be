package deployer

import (
	"context"
	"errors"
	"strings"
	"time"

	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// retryable reports whether err is worth trying again after a pause: AWS
// throttling, a function that is still being updated, a role Lambda
// cannot assume yet (IAM is eventually consistent), a stream a new role
// cannot read yet, or a concurrent modification.
func retryable(err error) bool {
	var conflict *lambdatypes.ResourceConflictException
	if errors.As(err, &conflict) {
		return !strings.Contains(strings.ToLower(conflict.ErrorMessage()), "already exist")
	}
	var inUse *lambdatypes.ResourceInUseException
	if errors.As(err, &inUse) {
		return true
	}
	var invalid *lambdatypes.InvalidParameterValueException
	if errors.As(err, &invalid) {
		return roleNotReady(invalid.ErrorMessage())
	}
	var tooMany *lambdatypes.TooManyRequestsException
	var apiTooMany *apigwtypes.TooManyRequestsException
	var apiConflict *apigwtypes.ConflictException
	var iamConcurrent *iamtypes.ConcurrentModificationException
	if errors.As(err, &tooMany) || errors.As(err, &apiTooMany) || errors.As(err, &apiConflict) || errors.As(err, &iamConcurrent) {
		return true
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException",
			"RequestLimitExceeded", "RequestThrottled", "RequestThrottledException":
			return true
		}
	}
	return false
}

// roleNotReady recognises Lambda's answers about a role that IAM has not
// finished propagating.
func roleNotReady(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "cannot be assumed") || strings.Contains(msg, "please ensure the role can perform") ||
		strings.Contains(msg, "execution role does not have permissions")
}

// retry runs op until it succeeds, fails with an error that is not
// retryable, the attempts run out, or ctx ends. Pauses grow from
// d.backoff() and are capped at 32 times it.
func (d *Deployer) retry(ctx context.Context, op func() error) error {
	attempts := d.MaxAttempts
	if attempts <= 0 {
		attempts = 10
	}
	delay := d.backoff()
	for i := 1; ; i++ {
		err := op()
		if err == nil || !retryable(err) || i >= attempts {
			return err
		}
		if cerr := sleep(ctx, delay); cerr != nil {
			return err
		}
		if delay < 32*d.backoff() {
			delay *= 2
		}
	}
}

func (d *Deployer) backoff() time.Duration {
	if d.Backoff > 0 {
		return d.Backoff
	}
	return time.Second
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
