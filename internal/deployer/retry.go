package deployer

import (
	"context"
	"errors"
	"strings"
	"time"

	apigwtypes "github.com/aws/aws-sdk-go-v2/service/apigateway/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// retryable reports whether err is worth trying again after a pause: a
// function that is still being updated, a role Lambda cannot assume yet
// (IAM is eventually consistent), a stream a new role cannot read yet, or
// a concurrent modification.
//
// Throttling is not among them: the SDK's standard retryer already
// retries it, with backoff and a retry quota, on every client (gochalice
// deploy sets its attempts with config.WithRetryMaxAttempts). Retrying it
// here as well would multiply the attempts (10 SDK tries in each of 10
// deployer tries). The in-memory fakes put their throttling behind the
// same standard retryer, so tests see what production sees.
func retryable(err error) bool {
	var later *retryLater
	if errors.As(err, &later) {
		return true
	}
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
	var apiConflict *apigwtypes.ConflictException
	var iamConcurrent *iamtypes.ConcurrentModificationException
	return errors.As(err, &apiConflict) || errors.As(err, &iamConcurrent)
}

// roleNotReady recognises Lambda's answers about a role that IAM has not
// finished propagating.
func roleNotReady(msg string) bool {
	msg = strings.ToLower(msg)
	return strings.Contains(msg, "cannot be assumed") || strings.Contains(msg, "please ensure the role can perform") ||
		strings.Contains(msg, "execution role does not have permissions")
}

// retry runs op until it succeeds, fails with an error that is not
// retryable (see retryable: throttling is the SDK's to retry), the attempts run out, or ctx ends. Pauses grow from
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
