package platform

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

// slowCreate is a create whose answer the emulator holds back (the
// LatencyAfter fault) after applying it, so the caller's context ends
// while the object already exists on the platform.
type slowCreate struct {
	name             string
	route, listRoute string
	// listsBefore is how many lists a create sends before its POST.
	listsBefore int
	// prepare sets up what the create needs and returns the create and a
	// list of the IDs of the objects it may have made.
	prepare func(t *testing.T, env *testEnv) (create func(context.Context) (string, error), list func(context.Context) ([]string, error))
}

var slowCreates = []slowCreate{
	{
		name: "integration", route: routeCreateIntegration, listRoute: routeListIntegrations, listsBefore: 1,
		prepare: func(t *testing.T, env *testEnv) (func(context.Context) (string, error), func(context.Context) ([]string, error)) {
			create := func(ctx context.Context) (string, error) {
				i, err := env.client.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
					Name: "slow", Type: TypeS3, Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey}})
				if err != nil {
					return "", err
				}
				return i.ID, nil
			}
			list := func(ctx context.Context) ([]string, error) {
				all, err := env.client.ListIntegrations(ctx, emulator.DemoOrgID)
				var ids []string
				for _, i := range all {
					if i.Name == "slow" {
						ids = append(ids, i.ID)
					}
				}
				return ids, err
			}
			return create, list
		},
	},
	{
		name: "driver", route: routeCreateDriver, listRoute: routeListDrivers,
		prepare: func(t *testing.T, env *testEnv) (func(context.Context) (string, error), func(context.Context) ([]string, error)) {
			integration := env.createS3Integration(t, "for-slow-driver")
			create := func(ctx context.Context) (string, error) {
				in := s3DriverInput("slow", integration)
				in.Creator = emulator.DemoUserEmail
				d, err := env.client.CreateDriver(ctx, in)
				if err != nil {
					return "", err
				}
				return d.ID, nil
			}
			list := func(ctx context.Context) ([]string, error) {
				all, err := env.client.ListDrivers(ctx, emulator.DemoProjectID)
				var ids []string
				for _, d := range all {
					if d.Name == "slow" {
						ids = append(ids, d.ID)
					}
				}
				return ids, err
			}
			return create, list
		},
	},
}

// eventuallyOne waits (bounded) for the platform to hold an object the
// create made, then requires exactly one.
func eventuallyOne(t *testing.T, list func(context.Context) ([]string, error)) string {
	t.Helper()
	for i := 0; ; i++ {
		ids, err := list(t.Context())
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		if len(ids) > 0 || i == 1000 {
			if len(ids) != 1 {
				t.Fatalf("objects on the platform: %v, want exactly one", ids)
			}
			return ids[0]
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestCreateAfterDeadlineLooksUp: the caller's deadline passes while the
// platform holds back the answer to a create it applied. The client looks
// the object up with a context of its own and returns it; the lookup
// never creates a second one.
func TestCreateAfterDeadlineLooksUp(t *testing.T) {
	t.Parallel()
	for _, sc := range slowCreates {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			create, list := sc.prepare(t, env)
			env.srv.SetFaults(emulator.Faults{LatencyAfter: time.Hour, Routes: []string{sc.route}})
			env.srv.ResetStats()

			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			id, err := create(ctx)
			env.srv.SetFaults(emulator.Faults{})

			// The lists before the create, one lookup after the deadline.
			if n := env.calls(sc.listRoute); n < sc.listsBefore+1 {
				t.Errorf("%d lists, want a lookup after the deadline passed", n)
			}
			if n := env.calls(sc.route); n != 1 {
				t.Errorf("%d creates sent, want 1", n)
			}
			if err != nil && !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("create: %v, want the object or context.DeadlineExceeded", err)
			}
			got := eventuallyOne(t, list)
			if err == nil && id != got {
				t.Errorf("create returned %s, the platform holds %s", id, got)
			}
			if err != nil {
				// The lookup ran before the platform stored the object; only
				// a very slow machine gets here.
				t.Logf("create: %v (the object %s appeared after the lookup)", err, got)
			}
		})
	}
}

// TestCreateAfterCancelAdoptsObject cancels the caller's context once the
// platform holds the object but has not answered: the client must return
// that object.
func TestCreateAfterCancelAdoptsObject(t *testing.T) {
	t.Parallel()
	for _, sc := range slowCreates {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			env := newTestEnv(t)
			create, list := sc.prepare(t, env)
			env.srv.SetFaults(emulator.Faults{LatencyAfter: time.Hour, Routes: []string{sc.route}})

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			go func() {
				defer cancel()
				for i := 0; i < 2000; i++ {
					if ids, err := list(t.Context()); err == nil && len(ids) > 0 {
						return
					}
					time.Sleep(5 * time.Millisecond)
				}
			}()
			id, err := create(ctx)
			env.srv.SetFaults(emulator.Faults{})
			if err != nil {
				t.Fatalf("create: %v, want the object the platform created before the cancellation", err)
			}
			if got := eventuallyOne(t, list); id != got {
				t.Errorf("create returned %s, the platform holds %s", id, got)
			}
		})
	}
}

// TestCreateLookupFailureIsOutcomeUnknown: when the lookup after a
// cancellation fails too, the error says the create may have taken effect.
func TestCreateLookupFailureIsOutcomeUnknown(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	env.srv.SetFaults(emulator.Faults{LatencyAfter: time.Hour, Routes: []string{routeCreateIntegration}})
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Cancel once the create is in; from then on every list fails.
	go func() {
		defer cancel()
		for i := 0; i < 2000 && env.calls(routeCreateIntegration) == 0; i++ {
			time.Sleep(5 * time.Millisecond)
		}
		// The pending create keeps the latency it was planned with.
		env.srv.SetFaults(emulator.Faults{Rate5xx: 1, Routes: []string{routeListIntegrations}})
	}()
	_, err := env.client.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
		Name: "unknown", Type: TypeS3, Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey}})
	if !errors.Is(err, ErrOutcomeUnknown) || !errors.Is(err, context.Canceled) {
		t.Fatalf("create: %v, want ErrOutcomeUnknown and context.Canceled", err)
	}
	assertNoSecret(t, "error", err.Error())
}

// TestCreateCancelledBeforeSendingSkipsLookup: a create whose context ends
// while it is still connecting never reached the platform, so the client
// does not look for it.
func TestCreateCancelledBeforeSendingSkipsLookup(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var block atomic.Bool
	dialer := &net.Dialer{}
	transport := &http.Transport{
		DisableKeepAlives: true,
		DialContext: func(dctx context.Context, network, addr string) (net.Conn, error) {
			if block.Load() {
				// The caller gives up while the connection is being made.
				cancel()
				<-dctx.Done()
				return nil, dctx.Err()
			}
			return dialer.DialContext(dctx, network, addr)
		},
	}
	env := newTestEnv(t, withConfig(func(c *Config) {
		c.HTTPClient = &http.Client{Transport: transport}
		// Block connections from the attempt after the list before the create.
		c.Logf = func(_ context.Context, _ string, fields map[string]any) {
			if fields["method"] == http.MethodGet {
				block.Store(true)
			}
		}
	}))
	_, err := env.client.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
		Name: "unsent", Type: TypeS3, Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey}})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("create: %v, want context.Canceled alone", err)
	}
	if n := env.calls(routeCreateIntegration); n != 0 {
		t.Errorf("%d creates reached the platform, want 0", n)
	}
	if n := env.calls(routeListIntegrations); n != 1 {
		t.Errorf("%d lists, want 1: nothing was sent, so there is nothing to look up", n)
	}
}
