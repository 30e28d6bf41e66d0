package accesscheck

import (
	"context"
	"errors"
	"sync"
)

// flightCache remembers values by key and lets concurrent callers of the
// same key share one computation (like x/sync/singleflight, plus a store of
// the values worth keeping).
type flightCache[T any] struct {
	mu      sync.Mutex
	values  map[string]T
	flights map[string]*flight[T]
}

type flight[T any] struct {
	done chan struct{}
	val  T
	err  error
}

// get returns the stored value for key when valid accepts it; otherwise it
// joins the running computation for key or starts one with compute, whose
// keep result decides whether the value is stored. A caller that joined a
// computation aborted by its starter's context computes again with its own.
func (fc *flightCache[T]) get(ctx context.Context, key string, valid func(T) bool,
	compute func(context.Context) (val T, keep bool, err error),
) (T, error) {
	for {
		fc.mu.Lock()
		if v, ok := fc.values[key]; ok {
			if valid(v) {
				fc.mu.Unlock()
				return v, nil
			}
			delete(fc.values, key)
		}
		if f, ok := fc.flights[key]; ok {
			fc.mu.Unlock()
			select {
			case <-f.done:
				if isContextError(f.err) && ctx.Err() == nil {
					continue
				}
				return f.val, f.err
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		f := &flight[T]{done: make(chan struct{})}
		if fc.flights == nil {
			fc.flights = make(map[string]*flight[T])
			fc.values = make(map[string]T)
		}
		fc.flights[key] = f
		fc.mu.Unlock()

		keep := false
		func() {
			// Waiters are released even if compute panics.
			defer func() {
				fc.mu.Lock()
				delete(fc.flights, key)
				if keep && f.err == nil {
					fc.values[key] = f.val
				}
				fc.mu.Unlock()
				close(f.done)
			}()
			f.val, keep, f.err = compute(ctx)
		}()
		return f.val, f.err
	}
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
