package soak

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// createRoutes are the routes of the creates the kill tests slow down.
var createRoutes = []string{"POST /orgs/{orgId}/integrations", "POST /drivers"}

// background is a terraform command running in its own process group.
type background struct {
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan error
}

func (w *workspace) start(args ...string) *background {
	w.t.Helper()
	out := &bytes.Buffer{}
	cmd := w.command(context.Background(), out, append(args, "-no-color")...)
	if err := cmd.Start(); err != nil {
		w.t.Fatalf("starting terraform: %v", err)
	}
	b := &background{cmd: cmd, out: out, done: make(chan error, 1)}
	go func() { b.done <- cmd.Wait() }()
	return b
}

// killGroup kills terraform and the provider it started with SIGKILL.
func (b *background) killGroup() { _ = syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL) }

// wait waits for the command to end, at most timeout; then it kills it.
func (b *background) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case err := <-b.done:
		return err
	case <-time.After(timeout):
		b.killGroup()
		err := <-b.done
		t.Fatalf("terraform did not end within %s (%v):\n%s", timeout, err, b.out.String())
		return nil
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (e *emulatorProc) creates() int {
	r := e.stats().Routes
	return r[createRoutes[0]] + r[createRoutes[1]]
}

// objectAddress maps an object name of fleetConfig to its resource address.
func objectAddress(prefix, name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, prefix+"-")
	if !ok {
		return "", false
	}
	if rest == "cross" {
		return "dataloop_aws_cross_account_integration.cross", true
	}
	if m := regexp.MustCompile(`^(keys|driver)-(\d+)$`).FindStringSubmatch(rest); m != nil {
		if m[1] == "keys" {
			return "dataloop_aws_access_key_integration.keys[" + m[2] + "]", true
		}
		return "dataloop_s3_storage_driver.drivers[" + m[2] + "]", true
	}
	return "", false
}

// recoverAndConverge is what an operator does after an interrupted apply:
// adopt what the platform created but the state does not know (terraform
// import, as the provider's messages advise), then apply again. It checks
// that no name was ever duplicated, that the platform then holds exactly
// what the state says and that a second plan is empty, and returns the
// number of objects adopted.
func recoverAndConverge(t *testing.T, w *workspace, e *emulatorProc, prefix string, want int) int {
	t.Helper()
	client := e.client()
	state := w.state()
	objects := platformObjects(t, client, prefix)
	known := map[string]bool{}
	for _, s := range state {
		known[s.id] = true
	}
	adopted := 0
	for _, p := range compare(state, objects) {
		if strings.HasPrefix(p, "duplicate:") {
			t.Errorf("after the interruption: %s", p)
		}
	}
	for _, o := range objects {
		if known[o.id] {
			continue
		}
		address, ok := objectAddress(prefix, o.name)
		if !ok {
			t.Fatalf("unexpected platform object %q", o.name)
		}
		if r := w.run("import", "-input=false", address, o.id); r.exit != 0 {
			t.Fatalf("adopting the orphan %s: %s", o.name, r)
		}
		adopted++
	}
	w.untilOK(2, "apply", "-auto-approve", "-input=false")
	state = w.state()
	if len(state) != want {
		t.Fatalf("the state holds %d objects after the re-apply, want %d", len(state), want)
	}
	if problems := compare(state, platformObjects(t, client, prefix)); len(problems) > 0 {
		t.Fatalf("after the re-apply:\n  %s", strings.Join(problems, "\n  "))
	}
	if r := w.run("plan", "-detailed-exitcode", "-input=false"); r.exit != 0 {
		t.Fatalf("the plan after the re-apply is not empty: %s", r)
	}
	return adopted
}

// TestKillTerraformDuringCreates kills terraform and its provider with
// SIGKILL while creates are in flight: once while the platform has not yet
// handled them, once after it applied them but before it answered. The
// state and the emulator's data file stay readable, nothing the state
// records is lost, no name is duplicated, and the re-apply converges.
func TestKillTerraformDuringCreates(t *testing.T) {
	tf := requireAcc(t)
	for _, tc := range []struct {
		name   string
		faults map[string]any
	}{
		{"before the change", map[string]any{"seed": 1, "latency": "800ms", "routes": createRoutes}},
		{"after the change", map[string]any{"seed": 1, "latencyAfter": "800ms", "routes": createRoutes}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const keys, drivers = 3, 3
			e := startEmulator(t, t.TempDir())
			w := newWorkspace(t, tf, e)
			prefix := fmt.Sprintf("kill-%d", time.Now().UnixNano()%1_000_000)
			w.writeConfig(fleetConfig(prefix, keys, drivers))
			e.setFaults(tc.faults)

			apply := w.start("apply", "-auto-approve", "-input=false")
			waitFor(t, 3*time.Minute, "the first creates", func() bool { return e.creates() >= 2 })
			time.Sleep(300 * time.Millisecond) // Inside the 800ms of latency.
			inFlight := e.creates()
			apply.killGroup()
			if err := apply.wait(t, time.Minute); err == nil {
				t.Fatalf("terraform finished before it was killed; the test proves nothing:\n%s", apply.out.String())
			}
			// Requests the dead provider left behind end on their own.
			time.Sleep(time.Second)
			e.clearFaults()

			// The data file loads: restarting the emulator reads it, and it
			// holds everything the state recorded.
			e.restart()
			adopted := recoverAndConverge(t, w, e, prefix, fleetSize(keys, drivers))
			t.Logf("killed after %d creates reached the platform; %d orphans adopted by import", inFlight, adopted)
		})
	}
}

// TestKillEmulatorMidApply kills the platform (the emulator, SIGKILL) while
// an apply creates objects, and starts it again from its data file. The
// file loads, every object the state recorded is still there, no name is
// duplicated, and the re-apply converges.
func TestKillEmulatorMidApply(t *testing.T) {
	tf := requireAcc(t)
	const keys, drivers = 3, 3
	e := startEmulator(t, t.TempDir())
	w := newWorkspace(t, tf, e)
	prefix := fmt.Sprintf("crash-%d", time.Now().UnixNano()%1_000_000)
	w.writeConfig(fleetConfig(prefix, keys, drivers))
	e.setFaults(map[string]any{"seed": 1, "latencyAfter": "600ms", "routes": createRoutes})

	apply := w.start("apply", "-auto-approve", "-input=false")
	waitFor(t, 3*time.Minute, "the first creates", func() bool { return e.creates() >= 2 })
	time.Sleep(200 * time.Millisecond)
	e.kill()
	if err := apply.wait(t, 5*time.Minute); err == nil {
		t.Fatalf("the apply succeeded although the platform died; the test proves nothing:\n%s", apply.out.String())
	}
	e.restart()
	adopted := recoverAndConverge(t, w, e, prefix, fleetSize(keys, drivers))
	t.Logf("%d orphans adopted by import after the platform restarted", adopted)
}

// TestEmulatorCrashDurability kills the emulator at random moments while
// clients create integrations, and starts it again from its data file each
// time. Whatever the persistence does, the file must load and hold every
// create the emulator acknowledged before it died.
func TestEmulatorCrashDurability(t *testing.T) {
	requireAcc(t)
	e := startEmulator(t, t.TempDir())
	acked := map[string]string{} // id -> name
	var mu sync.Mutex
	for round := range 4 {
		client := e.client()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for writer := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := 0; ; n++ {
					select {
					case <-stop:
						return
					default:
					}
					name := fmt.Sprintf("durable-%d-%d-%d", round, writer, n)
					i, err := client.CreateIntegration(context.Background(), orgID, platform.CreateIntegrationInput{
						Name: name, Type: platform.TypeS3, Options: map[string]any{"key": "AKIADURABLE", "secret": "not-a-secret"}})
					if err != nil {
						return // The emulator died.
					}
					mu.Lock()
					acked[i.ID] = name
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(200+rand.IntN(400)) * time.Millisecond)
		e.kill()
		close(stop)
		wg.Wait()
		e.restart()

		list, err := e.client().ListIntegrations(context.Background(), orgID)
		if err != nil {
			t.Fatalf("round %d: listing after the restart: %v", round, err)
		}
		present := map[string]bool{}
		for _, i := range list {
			present[i.ID] = true
		}
		mu.Lock()
		for id, name := range acked {
			if !present[id] {
				t.Errorf("round %d: integration %s (%s) was acknowledged before the crash but is gone", round, name, id)
			}
		}
		n := len(acked)
		mu.Unlock()
		if n == 0 {
			t.Fatalf("round %d: no create was acknowledged; the test proves nothing", round)
		}
	}
	t.Logf("%d acknowledged creates survived 4 crashes", len(acked))
}
