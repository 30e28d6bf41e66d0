package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

// mixedFaults is the fault mix of the chaos test and the benchmark: every
// kind the emulator injects, on every API route.
var mixedFaults = emulator.Faults{Seed: 20240611, Rate429: 0.2, Rate5xx: 0.1, RateDrop: 0.05, DropAfterRate: 0.1}

// faultKinds are the keys of emulator.StatsReport.Faults.
var faultKinds = []string{"429", "503", "drop", "drop-after"}

// TestClientUnderMixedFaults_Chaos runs concurrent integration and driver
// lifecycles against an emulator that throttles, fails and drops
// connections before and after applying changes. Every call must succeed in
// the end, and no ambiguous create may leave a second object behind.
func TestClientUnderMixedFaults_Chaos(t *testing.T) {
	t.Parallel()
	const (
		workers    = 3
		iterations = 10
		maxBackoff = 50 * time.Millisecond
		prefix     = "chaos-"
	)
	env := newTestEnv(t, withFaults(mixedFaults), withConfig(func(c *Config) {
		// The 429s' Retry-After of 1s is capped by MaxBackoff, which keeps
		// the test fast. With about a third of the requests failing, 20
		// retries make a call that never gets through vanishingly unlikely.
		c.MaxRetries = 20
		c.MaxBackoff = maxBackoff
	}))
	// Really wait, so that retries interleave with the other workers'
	// calls, and record the waits to check the cap.
	env.client.wait = func(ctx context.Context, d time.Duration) error {
		env.mu.Lock()
		env.waits = append(env.waits, d)
		env.mu.Unlock()
		return sleep(ctx, d)
	}

	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range iterations {
				if err := chaosLifecycle(t.Context(), env.client, fmt.Sprintf("%sw%d-i%d", prefix, w, i)); err != nil {
					t.Errorf("worker %d, iteration %d: %v", w, i, err)
					return
				}
			}
		}()
	}
	wg.Wait()

	// Nothing of the test may remain. The faults stay on: listing must
	// succeed through them, too.
	ctx := t.Context()
	integrations, err := env.client.ListIntegrations(ctx, emulator.DemoOrgID)
	if err != nil {
		t.Fatalf("ListIntegrations: %v", err)
	}
	for _, i := range integrations {
		if strings.HasPrefix(i.Name, prefix) {
			t.Errorf("integration %s (%s) remains", i.Name, i.ID)
		}
	}
	drivers, err := env.client.ListDrivers(ctx, emulator.DemoProjectID)
	if err != nil {
		t.Fatalf("ListDrivers: %v", err)
	}
	for _, d := range drivers {
		if strings.HasPrefix(d.Name, prefix) {
			t.Errorf("driver %s (%s) remains", d.Name, d.ID)
		}
	}

	faults := faultStats(t, env)
	for _, kind := range faultKinds {
		if faults[kind] == 0 {
			t.Errorf("no %q fault was injected (faults: %v); the test proves nothing about it", kind, faults)
		}
	}
	waits := env.recordedWaits()
	if len(waits) == 0 {
		t.Error("the client never retried")
	}
	for _, d := range waits {
		if d > maxBackoff {
			t.Errorf("the client waited %s, more than MaxBackoff %s", d, maxBackoff)
			break
		}
	}
	t.Logf("faults injected: %v; retries: %d", faults, len(waits))
}

// chaosLifecycle creates, reads, renames and deletes an integration with a
// driver, checking after the creates that each name has exactly one object.
func chaosLifecycle(ctx context.Context, c *Client, name string) error {
	renamed, driverName := name+"-renamed", name+"-driver"
	created, err := c.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
		Name:    name,
		Type:    TypeS3,
		Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey},
	})
	if err != nil {
		return fmt.Errorf("CreateIntegration: %w", err)
	}
	got, err := c.GetIntegration(ctx, emulator.DemoOrgID, created.ID)
	if err != nil {
		return fmt.Errorf("GetIntegration: %w", err)
	}
	if got.Name != name {
		return fmt.Errorf("GetIntegration: name %q, want %q", got.Name, name)
	}
	updated, err := c.UpdateIntegration(ctx, emulator.DemoOrgID, UpdateIntegrationInput{IntegrationID: created.ID, Name: &renamed})
	if err != nil {
		return fmt.Errorf("UpdateIntegration: %w", err)
	}
	if updated.Name != renamed {
		return fmt.Errorf("UpdateIntegration: name %q, want %q", updated.Name, renamed)
	}
	driver, err := c.CreateDriver(ctx, s3DriverInput(driverName, updated))
	if err != nil {
		return fmt.Errorf("CreateDriver: %w", err)
	}
	gotDriver, err := c.GetDriver(ctx, driver.ID)
	if err != nil {
		return fmt.Errorf("GetDriver: %w", err)
	}
	if gotDriver.Name != driverName || gotDriver.IntegrationID != created.ID {
		return fmt.Errorf("GetDriver = %+v, want name %q on integration %s", gotDriver, driverName, created.ID)
	}

	integrations, err := c.ListIntegrations(ctx, emulator.DemoOrgID)
	if err != nil {
		return fmt.Errorf("ListIntegrations: %w", err)
	}
	integrationName := func(i Integration) string { return i.Name }
	if n := countNamed(integrations, integrationName, renamed) + countNamed(integrations, integrationName, name); n != 1 {
		return fmt.Errorf("%d integrations named %q or %q, want 1", n, name, renamed)
	}
	drivers, err := c.ListDrivers(ctx, emulator.DemoProjectID)
	if err != nil {
		return fmt.Errorf("ListDrivers: %w", err)
	}
	if n := countNamed(drivers, func(d Driver) string { return d.Name }, driverName); n != 1 {
		return fmt.Errorf("%d drivers named %q, want 1", n, driverName)
	}

	if err := c.DeleteDriver(ctx, driver.ID); err != nil {
		return fmt.Errorf("DeleteDriver: %w", err)
	}
	if err := c.DeleteIntegration(ctx, emulator.DemoOrgID, created.ID); err != nil {
		return fmt.Errorf("DeleteIntegration: %w", err)
	}
	return nil
}

// faultStats returns the emulator's injected fault counts by kind, which
// only its stats endpoint reports.
func faultStats(tb testing.TB, env *testEnv) map[string]int {
	tb.Helper()
	resp, err := http.Get(env.url + "/__emulator/stats")
	if err != nil {
		tb.Fatalf("GET /__emulator/stats: %v", err)
	}
	defer resp.Body.Close()
	var report emulator.StatsReport
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil {
		tb.Fatalf("decoding /__emulator/stats: %v", err)
	}
	return report.Faults
}

// BenchmarkClientUnderFaults measures how many retries the client needs per
// call when the platform throttles 20% and fails 10% of the requests. One
// op is one call (create, get or delete of an integration, in turn).
//
// The goal: no call fails, and retries/op equals faults/op, i.e. every
// injected fault costs exactly one retry and nothing else is retried. At
// this mix about 28% of requests fail, which is about 0.39 retries per
// request; a create lists the integrations before it posts, so it makes two
// requests, and the average is about 0.56 retries per call. Waits are
// recorded rather than slept, so ns/op is the client's and emulator's own
// cost.
func BenchmarkClientUnderFaults(b *testing.B) {
	f := mixedFaults
	f.RateDrop, f.DropAfterRate = 0, 0
	env := newTestEnv(b, withFaults(f), withConfig(func(c *Config) { c.MaxRetries = 20 }))
	ctx := b.Context()
	var current *Integration
	for i := 0; b.Loop(); i++ {
		var err error
		switch i % 3 {
		case 0:
			current, err = env.client.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
				Name:    fmt.Sprintf("bench-%d", i),
				Type:    TypeS3,
				Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey},
			})
		case 1:
			_, err = env.client.GetIntegration(ctx, emulator.DemoOrgID, current.ID)
		case 2:
			err = env.client.DeleteIntegration(ctx, emulator.DemoOrgID, current.ID)
		}
		if err != nil {
			b.Fatalf("call %d failed: %v", i, err)
		}
	}
	faults := faultStats(b, env)
	total := 0
	for _, kind := range faultKinds {
		total += faults[kind]
	}
	retries := len(env.recordedWaits())
	if retries > total {
		b.Errorf("%d retries for %d injected faults: the client retried answers that were not faults", retries, total)
	}
	b.ReportMetric(float64(retries)/float64(b.N), "retries/op")
	b.ReportMetric(float64(total)/float64(b.N), "faults/op")
}
