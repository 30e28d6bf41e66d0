package accesscheck

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func TestFlightCache(t *testing.T) {
	always := func(int) bool { return true }

	t.Run("concurrent callers share one computation", func(t *testing.T) {
		var fc flightCache[int]
		var calls atomic.Int32
		started := make(chan struct{})
		release := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				v, err := fc.get(context.Background(), "k", always, func(context.Context) (int, bool, error) {
					if calls.Add(1) == 1 {
						close(started)
					}
					<-release
					return 42, true, nil
				})
				if v != 42 || err != nil {
					t.Errorf("get = %d, %v", v, err)
				}
			})
		}
		// Let the first caller start, then release it; the others either
		// joined it or find the stored value.
		<-started
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("%d computations, want 1", n)
		}
	})

	t.Run("failures and unkept values are not stored", func(t *testing.T) {
		var fc flightCache[int]
		var calls int
		for _, keep := range []bool{false, true} {
			for range 2 {
				_, _ = fc.get(context.Background(), fmt.Sprint(keep), always, func(context.Context) (int, bool, error) {
					calls++
					if keep {
						return 0, true, errors.New("boom")
					}
					return 1, false, nil
				})
			}
		}
		if calls != 4 {
			t.Errorf("%d computations, want 4", calls)
		}
	})

	t.Run("invalid values are recomputed", func(t *testing.T) {
		var fc flightCache[int]
		var calls int
		compute := func(context.Context) (int, bool, error) { calls++; return calls, true, nil }
		_, _ = fc.get(context.Background(), "k", always, compute)
		v, _ := fc.get(context.Background(), "k", func(v int) bool { return v > 1 }, compute)
		if v != 2 || calls != 2 {
			t.Errorf("got %d after %d computations, want 2 after 2", v, calls)
		}
	})

	t.Run("a canceled starter does not fail the others", func(t *testing.T) {
		var fc flightCache[int]
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			_, err := fc.get(ctx, "k", always, func(ctx context.Context) (int, bool, error) {
				close(started)
				<-ctx.Done()
				return 0, false, ctx.Err()
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("starter got %v, want context.Canceled", err)
			}
		}()
		<-started
		follower := make(chan int)
		go func() {
			v, _ := fc.get(context.Background(), "k", always, func(context.Context) (int, bool, error) { return 7, true, nil })
			follower <- v
		}()
		cancel()
		<-done
		if v := <-follower; v != 7 {
			t.Errorf("follower got %d, want its own computation (7)", v)
		}
	})
}

func TestAWSCredentialsRedaction(t *testing.T) {
	c := AWSCredentials{AccessKeyID: "AKIAABCDEFGHIJKLMNOP", SecretAccessKey: "s3cr3t-value", SessionToken: "t0ken-value", RoleARN: "arn:aws:iam::123456789012:role/r", ExternalID: "ext-value"}
	out := fmt.Sprintf("%v %+v %#v %s", c, c, c, c)
	for _, secret := range []string{"s3cr3t-value", "t0ken-value", "ext-value", "AKIAABCDEFGHIJKLMNOP"} {
		if strings.Contains(out, secret) {
			t.Errorf("formatted credentials contain %q: %s", secret, out)
		}
	}
	if !strings.Contains(out, "arn:aws:iam::123456789012:role/r") {
		t.Errorf("formatted credentials lack the role ARN: %s", out)
	}
}

func TestSameRegion(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"eu-west-1", "eu-west-1", true},
		{"EU", "eu-west-1", true},
		{"", "us-east-1", true},
		{"us-east-1", "us-east-2", false},
	} {
		if got := sameRegion(tt.a, tt.b); got != tt.want {
			t.Errorf("sameRegion(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
