package accesscheck

import (
	"context"
	"maps"
	"math/rand/v2"
	"time"
)

// Backoff between attempts of CheckS3UntilReady and
// CheckCredentialsUntilReady: exponential from
// retryInitialDelay, capped at retryMaxDelay, each delay drawn from its
// upper half (jitter), so checks started together do not retry in step.
const (
	retryInitialDelay = 500 * time.Millisecond
	retryMaxDelay     = 15 * time.Second
)

// CheckS3UntilReady runs CheckS3 until it succeeds, retrying only failures
// that IAM propagation explains: a denied AssumeRole, denied S3 requests and
// access keys not known yet, as seen right after a role, trust or policy
// change. A missing bucket, a wrong region or malformed input fail at once.
// When timeout passes it returns the last result (or error); Result.Attempts
// tells how many runs it took.
func (c *Checker) CheckS3UntilReady(ctx context.Context, creds AWSCredentials, target S3Target, timeout time.Duration) (Result, error) {
	return c.untilReady(ctx, timeout, map[string]any{"bucket": target.Bucket}, func() (Result, error) {
		return c.CheckS3(ctx, creds, target)
	})
}

// CheckCredentialsUntilReady runs CheckCredentials with the retry rules of
// CheckS3UntilReady: an access key not known yet and a denied AssumeRole are
// retried until timeout passes; a secret that does not match its key or
// malformed input fail at once.
func (c *Checker) CheckCredentialsUntilReady(ctx context.Context, creds AWSCredentials, timeout time.Duration) (Result, error) {
	return c.untilReady(ctx, timeout, map[string]any{"role_arn": creds.RoleARN}, func() (Result, error) {
		return c.CheckCredentials(ctx, creds)
	})
}

// untilReady runs check until it succeeds, fails in a way IAM propagation
// does not explain, returns an error, or timeout passes, with exponential
// backoff and jitter between attempts. fields describe the check in the
// debug log.
func (c *Checker) untilReady(ctx context.Context, timeout time.Duration, fields map[string]any, check func() (Result, error)) (Result, error) {
	deadline := c.now().Add(timeout)
	backoff := &PropagationBackoff{delay: retryInitialDelay, random: c.random}
	for attempt := 1; ; attempt++ {
		res, err := check()
		res.Attempts = attempt
		if err != nil || res.Success() || !res.retryable() {
			return res, err
		}
		remaining := deadline.Sub(c.now())
		if remaining <= 0 {
			return res, nil
		}
		wait := backoff.Next(remaining)
		f := maps.Clone(fields)
		f["attempt"], f["delay_ms"], f["failed"] = attempt, wait.Milliseconds(), res.Error()
		c.debug(ctx, "Retrying access check", f)
		if err := c.sleep(ctx, wait); err != nil {
			return res, err
		}
	}
}

// PropagationBackoff is the wait schedule of retries that IAM propagation
// explains, shared by the checker and by callers that retry a platform-side
// check: exponential from 500ms, capped at 15s, each wait drawn from the upper
// half of its step so checks started together do not retry in step.
type PropagationBackoff struct {
	delay  time.Duration
	random func() float64
}

// NewPropagationBackoff starts a schedule at its first step.
func NewPropagationBackoff() *PropagationBackoff {
	return &PropagationBackoff{delay: retryInitialDelay, random: randomFloat}
}

// Next returns the wait before the next attempt, never more than remaining,
// so the last attempt runs at the deadline rather than before it.
func (b *PropagationBackoff) Next(remaining time.Duration) time.Duration {
	wait := b.delay/2 + time.Duration(b.random()*float64(b.delay/2))
	b.delay = min(2*b.delay, retryMaxDelay)
	return min(wait, remaining)
}

func randomFloat() float64 { return rand.Float64() }

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
