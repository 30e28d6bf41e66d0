package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// testAccProtoV6ProviderFactories runs the provider under test in-process.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"dataloop": providerserver.NewProtocol6WithError(New("test")()),
}

// Seed values of the emulator's default seed (emulator.DefaultSeed).
const (
	testOrgID       = "org-demo"
	testToken       = "demo-token"
	testProjectID   = "proj-demo"
	testProjectName = "demo-project"
	testUserEmail   = "dev@example.com"
)

// testEmulator is a Dataloop emulator started for one test.
type testEmulator struct {
	*emulator.Server
	// URL is the server's base URL; Endpoint is URL + the API base path.
	URL      string
	Endpoint string

	mu         sync.Mutex
	userAgents map[string]bool
	failures   []injectedFailure
	before     []requestHook
	answered   map[string]int
}

// requestHook runs fn once, before the first request with the given
// method and path is passed to the emulator.
type requestHook struct {
	method, path string
	fn           func()
	done         bool
}

// BeforeRequest runs fn once, just before the emulator handles the next
// request with method and path, e.g. to change the platform behind the
// provider's back between its plan and its apply.
func (e *testEmulator) BeforeRequest(method, path string, fn func()) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.before = append(e.before, requestHook{method: method, path: path, fn: fn})
}

// runHooks runs and uses up the hooks that match r.
func (e *testEmulator) runHooks(r *http.Request) {
	e.mu.Lock()
	var run []func()
	for i := range e.before {
		h := &e.before[i]
		if !h.done && h.method == r.Method && h.path == r.URL.Path {
			h.done = true
			run = append(run, h.fn)
		}
	}
	e.mu.Unlock()
	for _, fn := range run {
		fn()
	}
}

// injectedCount returns how many requests with the method and path were
// answered by FailRequests.
func (e *testEmulator) injectedCount(method, path string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.answered[method+" "+path]
}

// injectedFailure answers matching requests with an error instead of
// passing them to the emulator.
type injectedFailure struct {
	method, path string
	status       int
	message      string
	remaining    int
}

// FailRequests makes the next n requests with the given method and path
// (e.g. "PATCH", "/api/v1/orgs/org-demo/integrations") fail with status and
// a platform-style {"message": ...} body. Use a status the client does not
// retry (4xx other than 429) to test how the provider handles the failure.
func (e *testEmulator) FailRequests(method, path string, status, n int, message string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures = append(e.failures, injectedFailure{method: method, path: path, status: status, message: message, remaining: n})
}

// injected returns the failure to answer r with, if any, and uses it up.
func (e *testEmulator) injected(r *http.Request) *injectedFailure {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.userAgents[r.UserAgent()] = true
	for i := range e.failures {
		f := &e.failures[i]
		if f.remaining > 0 && f.method == r.Method && f.path == r.URL.Path {
			f.remaining--
			e.answered[f.method+" "+f.path]++
			out := *f
			return &out
		}
	}
	return nil
}

// UserAgents returns the distinct User-Agent headers the emulator received.
func (e *testEmulator) UserAgents() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.userAgents))
	for ua := range e.userAgents {
		out = append(out, ua)
	}
	sort.Strings(out)
	return out
}

// testEmulatorOption adjusts the emulator's options before it starts, e.g.
// to give it an AWS endpoint.
type testEmulatorOption func(*emulator.Options)

// withStrictEmulator makes the test emulator behave only as the published
// API and Dataloop's documentation describe (emulator.Options.Strict). It
// is the default; tests name it where strictness is what they prove.
func withStrictEmulator(o *emulator.Options) { o.Strict = true }

// withEmulatorExtensions turns the emulator's extensions on (the checks[]
// of a failed storage test, the roleArn echo), for tests that assert the
// per-check detail only the extension carries. Every other acceptance test
// runs against the strict emulator, which proves the provider works with
// what Dataloop publishes.
func withEmulatorExtensions(o *emulator.Options) { o.Strict = false }

// testAccEmulator starts an emulator with the default seed, in strict mode
// unless an option says otherwise, for the calling acceptance test and points the provider at it through DATALOOP_ENDPOINT,
// DATALOOP_TOKEN and DATALOOP_ORG_ID. Every request and response is checked
// against the OpenAPI contract, and a violation fails the test at cleanup.
// It skips the test unless TF_ACC is set, like resource.Test does.
//
// NOTE: t.Setenv makes the test incompatible with t.Parallel.
func testAccEmulator(t *testing.T, opts ...testEmulatorOption) *testEmulator {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
	o := emulator.Options{Contract: testContract(t), Strict: true}
	for _, opt := range opts {
		opt(&o)
	}
	srv, err := emulator.New(o)
	if err != nil {
		t.Fatalf("starting emulator: %v", err)
	}
	e := &testEmulator{Server: srv, userAgents: map[string]bool{}, answered: map[string]int{}}
	handler := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.runHooks(r)
		if f := e.injected(r); f != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(f.status)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": f.message})
			return
		}
		handler.ServeHTTP(w, r)
	}))
	e.URL, e.Endpoint = ts.URL, ts.URL+emulator.BasePath
	t.Cleanup(func() {
		ts.Close()
		for _, v := range srv.ContractViolations() {
			t.Errorf("emulator contract violation: %s", v)
		}
	})
	t.Setenv(envEndpoint, e.Endpoint)
	t.Setenv(envToken, testToken)
	t.Setenv(envOrgID, testOrgID)
	return e
}

// testAccPreCheck verifies that the environment points at a reachable
// Dataloop API with a valid token before a test case runs.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	for _, name := range []string{envEndpoint, envToken, envOrgID} {
		if os.Getenv(name) == "" {
			t.Fatalf("%s must be set for acceptance tests (testAccEmulator sets it)", name)
		}
	}
	client := testClient(t)
	if _, err := client.Me(context.Background()); err != nil {
		t.Fatalf("the Dataloop API at %s does not accept the token: %v", os.Getenv(envEndpoint), err)
	}
}

// testClient is an API client for the environment's endpoint and token, for
// setting up or inspecting objects outside Terraform.
func testClient(t *testing.T) *platform.Client {
	t.Helper()
	client, err := platform.New(platform.Config{
		Endpoint:   os.Getenv(envEndpoint),
		Token:      os.Getenv(envToken),
		UserAgent:  "terraform-provider-dataloop-tests",
		MaxRetries: -1,
	})
	if err != nil {
		t.Fatalf("creating API client: %v", err)
	}
	return client
}

// testAccConfig joins configuration blocks into one configuration.
func testAccConfig(blocks ...string) string {
	return strings.Join(blocks, "\n")
}

// testAccProviderConfig renders a provider block with an access_check block
// holding the given settings, e.g. {"aws_endpoint": url, "severity": "warning"}.
// Values are written as HCL strings, except booleans written as true/false.
func testAccProviderConfig(accessCheck map[string]string) string {
	var b strings.Builder
	b.WriteString("provider \"dataloop\" {\n  access_check {\n")
	for _, k := range sortedMapKeys(accessCheck) {
		v := accessCheck[k]
		if v == "true" || v == "false" {
			fmt.Fprintf(&b, "    %s = %s\n", k, v)
		} else {
			fmt.Fprintf(&b, "    %s = %q\n", k, v)
		}
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// testContract returns the OpenAPI contract checker for test emulators.
func testContract(t *testing.T) *emulator.Contract {
	t.Helper()
	c, err := emulator.DefaultContract()
	if err != nil {
		t.Fatalf("loading the OpenAPI contract: %v", err)
	}
	return c
}

// testUnitProviderEnv configures the provider for tests that fail before any
// API call (validation), so they run without TF_ACC or an emulator.
func testUnitProviderEnv(t *testing.T) {
	t.Helper()
	t.Setenv(envEndpoint, "http://127.0.0.1:1/api/v1")
	t.Setenv(envToken, "unit-test-token")
	t.Setenv(envOrgID, testOrgID)
}
