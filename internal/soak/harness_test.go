package soak

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// Seed values of the emulator's default seed.
const (
	orgID     = emulator.DemoOrgID
	token     = emulator.DemoToken
	projectID = emulator.DemoProjectID
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// requireAcc skips the test unless TF_ACC is set, and returns the
// terraform binary to run.
func requireAcc(t *testing.T) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("soak and crash tests run only with TF_ACC set")
	}
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("terraform is not on PATH")
		}
	}
	return tf
}

// moduleRoot is the repository root, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the test source")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// binaries builds the provider and the emulator once per test binary and
// returns the directory holding both.
func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// NOTE: not t.TempDir: the binaries outlive the first test that
		// builds them; TestMain removes the directory.
		buildDir, buildErr = os.MkdirTemp("", "dataloop-soak-bin-") //nolint:usetesting
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", buildDir+string(os.PathSeparator), ".", "./cmd/dataloop-emulator")
		cmd.Dir = moduleRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildDir
}

// emulatorProc is cmd/dataloop-emulator run as a subprocess with a data file.
type emulatorProc struct {
	t         *testing.T
	bin       string
	stateFile string
	addr      string // host:port, fixed after the first start
	cmd       *exec.Cmd
	exited    chan struct{}
	log       *bytes.Buffer
	logMu     *sync.Mutex
}

// startEmulator starts the emulator with a data file in dir.
func startEmulator(t *testing.T, dir string) *emulatorProc {
	t.Helper()
	e := &emulatorProc{t: t, bin: filepath.Join(binaries(t), "dataloop-emulator"),
		stateFile: filepath.Join(dir, "platform.json"), addr: "127.0.0.1:0", log: &bytes.Buffer{}, logMu: &sync.Mutex{}}
	e.start()
	t.Cleanup(func() {
		e.kill()
		if t.Failed() {
			e.logMu.Lock()
			t.Logf("emulator log:\n%s", e.log.String())
			e.logMu.Unlock()
		}
	})
	return e
}

func (e *emulatorProc) start() {
	e.t.Helper()
	spec := filepath.Join(moduleRoot(e.t), "testdata", "openapi", "dataloop-openapi-subset.json")
	cmd := exec.Command(e.bin, "-listen", e.addr, "-state", e.stateFile, "-contract", spec)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	cmd.Stderr = &lockedWriter{mu: e.logMu, w: e.log}
	if err := cmd.Start(); err != nil {
		e.t.Fatalf("starting the emulator: %v", err)
	}
	e.cmd, e.exited = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); close(e.exited) }()
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case line := <-lines:
		u := strings.TrimSpace(line)
		if !strings.HasPrefix(u, "http://") {
			e.kill()
			e.t.Fatalf("the emulator did not start (printed %q); log:\n%s", u, e.logString())
		}
		e.addr = strings.TrimSuffix(strings.TrimPrefix(u, "http://"), emulator.BasePath)
	case <-time.After(60 * time.Second):
		e.kill()
		e.t.Fatalf("the emulator did not print its URL within 60s; log:\n%s", e.logString())
	}
}

func (e *emulatorProc) logString() string {
	e.logMu.Lock()
	defer e.logMu.Unlock()
	return e.log.String()
}

// kill ends the emulator with SIGKILL, as a crash would, and waits for it.
func (e *emulatorProc) kill() {
	if e.cmd == nil || e.cmd.Process == nil {
		return
	}
	select {
	case <-e.exited:
	default:
		_ = e.cmd.Process.Signal(syscall.SIGKILL)
		<-e.exited
	}
}

// restart starts the emulator again on the same address and data file.
// Loading the data file is part of starting, so a corrupt file fails here.
func (e *emulatorProc) restart() {
	e.t.Helper()
	e.kill()
	// The port was just freed; binding it again can race with the kernel.
	deadline := time.Now().Add(30 * time.Second)
	for !tryListen(e.addr) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	e.start()
}

func (e *emulatorProc) endpoint() string { return "http://" + e.addr + emulator.BasePath }

func (e *emulatorProc) control(method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+e.addr+path, rd)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// setFaults replaces the emulator's fault settings (PUT /__emulator/faults).
// A setting this emulator does not know (it refuses unknown fields) is
// left out, so the tests run against emulators with fewer fault kinds.
func (e *emulatorProc) setFaults(f map[string]any) {
	e.t.Helper()
	body := map[string]any{}
	for k, v := range f {
		body[k] = v
	}
	for range len(f) + 1 {
		err := e.control("PUT", "/__emulator/faults", body, nil)
		if err == nil {
			return
		}
		m := unknownField.FindStringSubmatch(err.Error())
		if m == nil {
			e.t.Fatalf("setting faults: %v", err)
		}
		delete(body, m[1])
	}
	e.t.Fatalf("setting faults %v failed", f)
}

var unknownField = regexp.MustCompile(`unknown field \\?"(\w+)\\?"`)

func (e *emulatorProc) clearFaults() { e.setFaults(map[string]any{"seed": 1}) }

func (e *emulatorProc) stats() emulator.StatsReport {
	e.t.Helper()
	var r emulator.StatsReport
	if err := e.control("GET", "/__emulator/stats", nil, &r); err != nil {
		e.t.Fatalf("reading stats: %v", err)
	}
	return r
}

// contractViolations returns what the emulator's contract check recorded.
func (e *emulatorProc) contractViolations() []string {
	e.t.Helper()
	var r struct {
		Violations []string `json:"violations"`
	}
	if err := e.control("GET", "/__emulator/contract", nil, &r); err != nil {
		e.t.Fatalf("reading contract violations: %v", err)
	}
	return r.Violations
}

// client is an API client that does not retry, for checks made while no
// fault is injected.
func (e *emulatorProc) client() *platform.Client {
	e.t.Helper()
	c, err := platform.New(platform.Config{Endpoint: e.endpoint(), Token: token, MaxRetries: -1, UserAgent: "dataloop-soak"})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// workspace is a Terraform working directory that uses the freshly built
// provider through a dev_overrides CLI configuration.
type workspace struct {
	t   *testing.T
	tf  string
	dir string
	env []string
}

func newWorkspace(t *testing.T, tf string, e *emulatorProc) *workspace {
	t.Helper()
	dir := t.TempDir()
	rc := filepath.Join(dir, "dev.tfrc")
	rcText := fmt.Sprintf("disable_checkpoint = true\n\nprovider_installation {\n  dev_overrides {\n"+
		"    \"registry.terraform.io/terraform-dataloop/dataloop\" = %q\n  }\n  direct {}\n}\n", binaries(t))
	if err := os.WriteFile(rc, []byte(rcText), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{}
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "TF_CLI_CONFIG_FILE", "TF_LOG", "TF_LOG_PATH", "DATALOOP_ENDPOINT", "DATALOOP_TOKEN", "DATALOOP_ORG_ID", "TF_ACC_LOG_PATH":
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"DATALOOP_ENDPOINT="+e.endpoint(), "DATALOOP_TOKEN="+token, "DATALOOP_ORG_ID="+orgID)
	return &workspace{t: t, tf: tf, dir: work, env: env}
}

func (w *workspace) writeConfig(config string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// result is the outcome of one terraform command.
type result struct {
	args   []string
	exit   int
	output string
}

func (r result) String() string {
	return fmt.Sprintf("terraform %s: exit %d\n%s", strings.Join(r.args, " "), r.exit, r.output)
}

// command prepares terraform with args in its own process group, so that
// the test can kill terraform and the provider it started at once.
func (w *workspace) command(ctx context.Context, out *bytes.Buffer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.tf, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// run runs terraform with args, bounded by a generous timeout.
func (w *workspace) run(args ...string) result {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var out bytes.Buffer
	args = append(args, "-no-color")
	err := w.command(ctx, &out, args...).Run()
	r := result{args: args, output: out.String()}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		r.exit = exitErr.ExitCode()
	default:
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	if ctx.Err() != nil {
		w.t.Fatalf("terraform %s did not finish within 10 minutes\n%s", strings.Join(args, " "), out.String())
	}
	return r
}

// untilOK runs terraform with args until it succeeds, at most attempts
// times: under injected faults a command may fail, and a pipeline would run
// it again. It returns the failed attempts.
func (w *workspace) untilOK(attempts int, args ...string) []result {
	w.t.Helper()
	var failed []result
	for range attempts {
		r := w.run(args...)
		if r.exit == 0 {
			return failed
		}
		failed = append(failed, r)
	}
	w.t.Fatalf("terraform %s failed %d times; last:\n%s", strings.Join(args, " "), attempts, failed[len(failed)-1])
	return nil
}

// stateObject is a managed object as the Terraform state records it.
type stateObject struct {
	address, typ, id, name string
}

// state reads the managed resources of the state from the working
// directory's state file (the local backend's terraform.tfstate), which is
// what every terraform command of the test reads and writes. Reading the
// file rather than running `terraform show -json` saves a terraform run,
// which starts the provider for its schema, twice per soak cycle.
func (w *workspace) state() []stateObject {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		w.t.Fatal(err)
	}
	// Terraform truncates the file before it writes a new state, so a
	// terraform killed at that moment leaves it empty; Terraform itself
	// reads an empty state file as no state.
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	var st struct {
		Version   int `json:"version"`
		Resources []struct {
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Module    string `json:"module"`
			Instances []struct {
				IndexKey   any            `json:"index_key"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		w.t.Fatalf("the state file is not valid JSON: %v\n%s", err, b)
	}
	if st.Version != 4 {
		w.t.Fatalf("the state file has format version %d; this test reads version 4", st.Version)
	}
	var out []stateObject
	for _, res := range st.Resources {
		if res.Mode != "managed" || res.Module != "" {
			continue
		}
		for _, in := range res.Instances {
			address := res.Type + "." + res.Name
			switch k := in.IndexKey.(type) {
			case float64:
				address += fmt.Sprintf("[%d]", int(k))
			case string:
				address += fmt.Sprintf("[%q]", k)
			}
			id, _ := in.Attributes["id"].(string)
			name, _ := in.Attributes["name"].(string)
			out = append(out, stateObject{address: address, typ: res.Type, id: id, name: name})
		}
	}
	return out
}

// platformObject is an integration or driver on the platform.
type platformObject struct {
	kind, id, name string // kind: "integration" or "driver"
}

// platformObjects lists the integrations of the org and the drivers of the
// project whose names start with prefix.
func platformObjects(t *testing.T, c *platform.Client, prefix string) []platformObject {
	t.Helper()
	ctx := context.Background()
	integrations, err := c.ListIntegrations(ctx, orgID)
	if err != nil {
		t.Fatalf("listing integrations: %v", err)
	}
	drivers, err := c.FindDrivers(ctx, platform.DriverFilter{ProjectID: projectID})
	if err != nil {
		t.Fatalf("listing drivers: %v", err)
	}
	var out []platformObject
	for _, i := range integrations {
		if strings.HasPrefix(i.Name, prefix) {
			out = append(out, platformObject{kind: "integration", id: i.ID, name: i.Name})
		}
	}
	for _, d := range drivers {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, platformObject{kind: "driver", id: d.ID, name: d.Name})
		}
	}
	return out
}

func kindOf(resourceType string) string {
	if strings.HasSuffix(resourceType, "_integration") {
		return "integration"
	}
	return "driver"
}

// compare reports every difference between the state and the platform's
// objects with the prefix: an object the state has that the platform lost,
// an object on the platform the state does not know (an orphan), and a
// name the platform holds more than once (a duplicate).
func compare(state []stateObject, objects []platformObject) []string {
	var problems []string
	byID := map[string]platformObject{}
	names := map[string]int{}
	for _, o := range objects {
		byID[o.kind+"/"+o.id] = o
		names[o.kind+"/"+o.name]++
	}
	known := map[string]bool{}
	for _, s := range state {
		key := kindOf(s.typ) + "/" + s.id
		known[key] = true
		o, ok := byID[key]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s (%s) is in the state but not on the platform", s.address, s.id))
		case o.name != s.name:
			problems = append(problems, fmt.Sprintf("%s is named %q in the state but %q on the platform", s.address, s.name, o.name))
		}
	}
	for _, o := range objects {
		if !known[o.kind+"/"+o.id] {
			problems = append(problems, fmt.Sprintf("orphan: %s %q (%s) is on the platform but not in the state", o.kind, o.name, o.id))
		}
	}
	for name, n := range names {
		if n > 1 {
			problems = append(problems, fmt.Sprintf("duplicate: the platform holds %d objects %s", n, name))
		}
	}
	sort.Strings(problems)
	return problems
}

// tryListen reports whether addr can be bound now.
func tryListen(addr string) bool {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	_ = l.Close()
	return true
}
