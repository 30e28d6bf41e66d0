package soak

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// defaultSoakCycles is what `make test` runs; `make soak` sets SOAK_CYCLES.
const defaultSoakCycles = 3

// soakFaults is the seeded fault mix of one command: throttling with
// Retry-After, 5xx answers of the given status, connections dropped before
// a request is handled and after a change was applied, and latency on
// every call.
func soakFaults(seed int64, status5xx int) map[string]any {
	return map[string]any{
		"seed":          seed,
		"rate429":       0.04,
		"rate5xx":       0.06,
		"status5xx":     status5xx,
		"rateDrop":      0.03,
		"dropAfterRate": 0.08,
		"latency":       "5ms",
		"latencyAfter":  "5ms",
	}
}

// firstSoakCycle is SOAK_FIRST_CYCLE, 1 when unset: each cycle's faults
// come from the seed and the cycle's number, so SOAK_FIRST_CYCLE=91
// SOAK_CYCLES=91 replays cycle 91 alone.
func firstSoakCycle(t *testing.T, cycles int) int {
	t.Helper()
	v := os.Getenv("SOAK_FIRST_CYCLE")
	if v == "" {
		return 1
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > cycles {
		t.Fatalf("SOAK_FIRST_CYCLE=%q: want a number from 1 to SOAK_CYCLES (%d)", v, cycles)
	}
	return n
}

func soakCycles(t *testing.T) int {
	t.Helper()
	v := os.Getenv("SOAK_CYCLES")
	if v == "" {
		return defaultSoakCycles
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("SOAK_CYCLES=%q: want a positive number", v)
	}
	return n
}

// TestSoak applies, re-plans and destroys a mixed configuration over and
// over while the platform misbehaves. After each apply the platform holds
// exactly what the state says (nothing lost, no orphan, no duplicate) and
// a second plan is empty; after each destroy nothing is left. A command
// that fails under the faults is run again, as a pipeline would, a bounded
// number of times.
func TestSoak(t *testing.T) {
	tf := requireAcc(t)
	cycles := soakCycles(t)
	seed := int64(1)
	if v := os.Getenv("SOAK_SEED"); v != "" {
		var err error
		if seed, err = strconv.ParseInt(v, 10, 64); err != nil {
			t.Fatalf("SOAK_SEED=%q: %v", v, err)
		}
	}
	dir := t.TempDir()
	e := startEmulator(t, dir)
	w := newWorkspace(t, tf, e)
	const keys, drivers = 2, 3
	prefix := fmt.Sprintf("soak-%d", time.Now().UnixNano()%1_000_000)
	w.writeConfig(fleetConfig(prefix, keys, drivers))
	client := e.client()

	var retried []string
	start := time.Now()
	for c := firstSoakCycle(t, cycles); c <= cycles; c++ {
		// 500 and 503 take turns between the commands of a cycle.
		first, second := 500, 503
		if c%2 == 0 {
			first, second = second, first
		}
		e.setFaults(soakFaults(seed*1_000_003+int64(c), first))
		for _, r := range w.untilOK(4, "apply", "-auto-approve", "-input=false") {
			retried = append(retried, fmt.Sprintf("cycle %d apply: %s", c, firstError(r.output)))
		}
		e.clearFaults()
		state := w.state()
		if len(state) != fleetSize(keys, drivers) {
			t.Fatalf("cycle %d: the state holds %d objects after apply, want %d", c, len(state), fleetSize(keys, drivers))
		}
		if problems := compare(state, platformObjects(t, client, prefix)); len(problems) > 0 {
			t.Fatalf("cycle %d, after apply:\n  %s", c, strings.Join(problems, "\n  "))
		}

		e.setFaults(soakFaults(seed*1_000_003+int64(c)+500_000, second))
		emptyPlan := false
		for attempt := 1; attempt <= 4 && !emptyPlan; attempt++ {
			r := w.run("plan", "-detailed-exitcode", "-input=false")
			switch r.exit {
			case 0:
				emptyPlan = true
			case 2:
				t.Fatalf("cycle %d: the plan after apply is not empty:\n%s", c, r.output)
			default:
				retried = append(retried, fmt.Sprintf("cycle %d plan: %s", c, firstError(r.output)))
			}
		}
		if !emptyPlan {
			t.Fatalf("cycle %d: the plan after apply failed 4 times", c)
		}

		e.setFaults(soakFaults(seed*1_000_003+int64(c)+700_000, first))
		for _, r := range w.untilOK(4, "destroy", "-auto-approve", "-input=false") {
			retried = append(retried, fmt.Sprintf("cycle %d destroy: %s", c, firstError(r.output)))
		}
		e.clearFaults()
		if state := w.state(); len(state) != 0 {
			t.Fatalf("cycle %d: the state holds %d objects after destroy", c, len(state))
		}
		if left := platformObjects(t, client, prefix); len(left) != 0 {
			t.Fatalf("cycle %d: the platform still holds %v after destroy", c, left)
		}
		total, kinds := faultSummary(e.stats().Faults)
		t.Logf("cycle %d/%d ok after %s: faults so far %d (%s), commands run again %d",
			c, cycles, time.Since(start).Round(time.Second), total, kinds, len(retried))
	}

	total, kinds := faultSummary(e.stats().Faults)
	t.Logf("soak: %d cycles in %s; faults injected: %d (%s); commands run again after a failure: %d",
		cycles, time.Since(start).Round(time.Second), total, kinds, len(retried))
	for _, r := range retried {
		t.Logf("  %s", r)
	}
	if total == 0 {
		t.Errorf("no fault was injected; the soak proves nothing")
	}
	for _, v := range e.contractViolations() {
		t.Errorf("contract violation: %s", v)
	}
}

// faultSummary totals the emulator's injected faults and lists them by kind.
func faultSummary(faults map[string]int) (int, string) {
	total := 0
	kinds := make([]string, 0, len(faults))
	for k, n := range faults {
		total += n
		kinds = append(kinds, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(kinds)
	return total, strings.Join(kinds, " ")
}

// firstError returns the first "Error: ..." line of terraform's output.
func firstError(output string) string {
	lines := strings.Split(output, "\n")
	for n, line := range lines {
		i := strings.Index(line, "Error: ")
		if i < 0 {
			continue
		}
		// The summary, then the detail up to the end of the diagnostic box,
		// so the log says which fault the retries could not get past.
		msg := []string{strings.TrimSpace(line[i:])}
		for _, d := range lines[n+1:] {
			d = strings.TrimSpace(strings.TrimLeft(d, "│ "))
			if strings.HasPrefix(d, "╵") {
				break
			}
			if d != "" && !strings.HasPrefix(d, "with ") && !strings.HasPrefix(d, "on ") {
				msg = append(msg, d)
			}
		}
		return strings.Join(msg, " ")
	}
	return "(no error line)"
}
