package provider

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// planCallTimeout bounds the network work of one plan-time step: a storage
// driver's access check (with the integration and project lookups it
// needs), a key or STS integration's credential check, and one data source
// read. The API client's retries and the checker's AWS calls stop when it
// passes, so a slow or unreachable platform or AWS endpoint fails that step
// instead of holding the plan; without it one call could wait about 12
// minutes (a 2-minute attempt timeout, 5 retries and their backoff).
// Resource refreshes have their own timeouts.read. A variable so that tests
// can shorten it.
var planCallTimeout = 2 * time.Minute

// withPlanCallTimeout returns ctx bounded by planCallTimeout.
func withPlanCallTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, planCallTimeout)
}

// planCallTimeoutHint explains an error that planCallTimeout caused, or
// returns "" for any other error.
func planCallTimeoutHint(ctx context.Context, err error) string {
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return ""
	}
	return fmt.Sprintf("\n\nThe provider stops the network calls of a plan-time check or data source read after %s, "+
		"so that a slow or unreachable endpoint cannot hold the plan. Try again; if the endpoint stays slow, set "+
		"access_check.on_plan = false to check only at apply time.", formatDuration(planCallTimeout))
}
