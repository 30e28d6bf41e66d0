package platform

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

// answerServer is a platform that answers every storage test with the given
// statuses in turn (the last one repeats) and bodies, as a deployment that
// documents only 204 might. It counts the test calls.
func answerServer(t *testing.T, body string, statuses ...int) (*Client, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/test") {
			// GET /drivers/{id} of TestDriverByID's 404 follow-up.
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"d1","name":"d","type":"s3"}`)
			return
		}
		n := int(calls.Add(1))
		status := statuses[min(n, len(statuses))-1]
		if status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	c, err := New(Config{Endpoint: ts.URL + "/api/v1", Token: "tok", MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	c.wait = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	return c, &calls
}

var verdictInput = CreateDriverInput{Name: "d", Type: DriverTypeS3, Creator: "me@example.com", ProjectID: "p1",
	IntegrationID: "i1", IntegrationType: TypeS3, Payload: DriverLocation{BucketName: "b"}}

// TestDriverTestVerdicts classifies every answer class of /drivers/test,
// whose spec documents only 204.
func TestDriverTestVerdicts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		statuses []int
		body     string
		verdict  TestVerdict
		checks   []CheckResult
		calls    int32
	}{
		{name: "204", statuses: []int{204}, verdict: TestPassed, calls: 1},
		{name: "200", statuses: []int{200}, body: `{}`, verdict: TestPassed, calls: 1},
		{name: "403 denial", statuses: []int{403}, body: `{"message":"Access Denied for bucket b"}`, verdict: TestFailed,
			checks: []CheckResult{{Name: PlatformCheckName, Message: "Access Denied for bucket b"}}, calls: 1},
		{name: "400 denial", statuses: []int{400}, body: `{"message":"bucket b does not exist"}`, verdict: TestFailed,
			checks: []CheckResult{{Name: PlatformCheckName, Message: "bucket b does not exist"}}, calls: 1},
		{name: "422 without a message", statuses: []int{422}, body: `{}`, verdict: TestFailed,
			checks: []CheckResult{{Name: PlatformCheckName,
				Message: "the platform refused the storage access test (HTTP 422 Unprocessable Entity) without saying why"}}, calls: 1},
		{name: "424 with checks", statuses: []int{424},
			body:    `{"message":"failed","checks":[{"name":"list","success":true,"message":"ok"},{"name":"write","success":false,"message":"AccessDenied"}]}`,
			verdict: TestFailed,
			checks:  []CheckResult{{Name: "list", Success: true, Message: "ok"}, {Name: "write", Message: "AccessDenied"}}, calls: 1},
		{name: "404", statuses: []int{404}, body: `{"message":"no route"}`, verdict: TestUnsupported, calls: 1},
		{name: "405", statuses: []int{405}, body: ``, verdict: TestUnsupported, calls: 1},
		{name: "500 retried, then passed", statuses: []int{500, 204}, body: `{"message":"oops"}`, verdict: TestPassed, calls: 2},
		{name: "500 every time", statuses: []int{500}, body: `{"message":"oops"}`, verdict: TestUnavailable, calls: 3},
		{name: "503 every time", statuses: []int{503}, body: `{"message":"down"}`, verdict: TestUnavailable, calls: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, calls := answerServer(t, tc.body, tc.statuses...)
			res, err := c.TestDriver(t.Context(), verdictInput)
			if err != nil {
				t.Fatalf("TestDriver: %v", err)
			}
			if res.Verdict != tc.verdict {
				t.Errorf("verdict %q, want %q (%+v)", res.Verdict, tc.verdict, res)
			}
			if len(res.Checks) != len(tc.checks) {
				t.Fatalf("checks %+v, want %+v", res.Checks, tc.checks)
			}
			for i := range tc.checks {
				if res.Checks[i] != tc.checks[i] {
					t.Errorf("check %d = %+v, want %+v", i, res.Checks[i], tc.checks[i])
				}
			}
			if n := calls.Load(); n != tc.calls {
				t.Errorf("%d test calls, want %d", n, tc.calls)
			}
		})
	}
}

// TestDriverTestErrors: answers that are not about the storage are errors.
func TestDriverTestErrors(t *testing.T) {
	t.Parallel()
	c, _ := answerServer(t, `{"message":"invalid token"}`, 401)
	if _, err := c.TestDriver(t.Context(), verdictInput); !IsUnauthorized(err) {
		t.Errorf("401: %v, want an authentication error", err)
	}
	c, _ = answerServer(t, `{"message":"busy"}`, 409)
	if _, err := c.TestDriver(t.Context(), verdictInput); StatusCode(err) != http.StatusConflict {
		t.Errorf("409: %v, want the API error", err)
	}
}

// TestDriverTestByIDNotFound tells a driver that does not exist from a
// platform that cannot test one that does.
func TestDriverTestByIDNotFound(t *testing.T) {
	t.Parallel()
	c, _ := answerServer(t, `{"message":"no route"}`, 404)
	res, err := c.TestDriverByID(t.Context(), "d1")
	if err != nil || res.Verdict != TestUnsupported {
		t.Errorf("existing driver: %+v, %v, want unsupported", res, err)
	}

	env := newTestEnv(t)
	if _, err := env.client.TestDriverByID(t.Context(), "000000000000000000000000"); !IsNotFound(err) {
		t.Errorf("unknown driver: %v, want a 404", err)
	}
}

// TestDriverTestStrictEmulator: the emulator in strict mode answers a failed
// test with a bare {message}, which becomes one failed "platform" check.
func TestDriverTestStrictEmulator(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		env := newTestEnv(t, func(o *emulator.Options, _ *Config) { o.Strict = strict })
		ctx := t.Context()
		integration := env.createS3Integration(t, "test-me")
		in := s3DriverInput("tested", integration)
		// Without an AWS endpoint the emulator cannot check and says so.
		res, err := env.client.TestDriver(ctx, in)
		if err != nil || res.Verdict != TestFailed || res.StatusCode != http.StatusFailedDependency || res.Message == "" ||
			len(res.Checks) != 1 || res.Checks[0].Name != PlatformCheckName || res.Checks[0].Message != res.Message {
			t.Errorf("strict=%v: %+v, %v", strict, res, err)
		}
		d, err := env.client.CreateDriver(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if res, err := env.client.TestDriverByID(ctx, d.ID); err != nil || res.Verdict != TestFailed {
			t.Errorf("strict=%v: TestDriverByID: %+v, %v", strict, res, err)
		}
		if n := env.calls("POST /drivers/test"); n != 1 {
			t.Errorf("%d test calls, want 1: a failed check is not retried", n)
		}
	}
}

// TestRetryOn500 injects 500s with the emulator's fault injector: reads and
// the storage test are resent, a test that keeps failing could not check,
// and a create is resent only after the lookup found nothing.
func TestRetryOn500(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 1, Rate5xx: 1, Status5xx: http.StatusInternalServerError, Max: 2,
		Routes: []string{"GET /users/me"}}))
	if _, err := env.client.Me(t.Context()); err != nil {
		t.Errorf("Me after two 500s: %v", err)
	}
	if n := env.calls("GET /users/me"); n != 3 {
		t.Errorf("%d calls, want 3: two 500s, then the answer", n)
	}

	env = newTestEnv(t, withFaults(emulator.Faults{Seed: 1, Rate5xx: 1, Status5xx: http.StatusInternalServerError,
		Routes: []string{"POST /drivers/test"}}))
	integration := env.createS3Integration(t, "test-me")
	res, err := env.client.TestDriver(t.Context(), s3DriverInput("tested", integration))
	if err != nil || res.Verdict != TestUnavailable || res.StatusCode != http.StatusInternalServerError {
		t.Errorf("TestDriver under 500s: %+v, %v, want unavailable", res, err)
	}
	if n := env.calls("POST /drivers/test"); n != defaultMaxRetries+1 {
		t.Errorf("%d test calls, want %d", n, defaultMaxRetries+1)
	}

	env = newTestEnv(t, withFaults(emulator.Faults{Seed: 1, Rate5xx: 1, Status5xx: http.StatusInternalServerError, Max: 1,
		Routes: []string{"POST /orgs/{orgId}/integrations"}}))
	if _, err := env.client.CreateIntegration(t.Context(), emulator.DemoOrgID, CreateIntegrationInput{
		Name: "once", Type: TypeS3, Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey},
	}); err != nil {
		t.Fatalf("CreateIntegration after one 500: %v", err)
	}
	// One list before, one lookup after the 500, then the resent create.
	if n := env.calls("GET /orgs/{orgId}/integrations"); n != 2 {
		t.Errorf("%d list calls, want 2: the create is looked up before it is resent", n)
	}
	list, err := env.client.ListIntegrations(t.Context(), emulator.DemoOrgID)
	if err != nil {
		t.Fatal(err)
	}
	if n := countNamed(list, func(i Integration) string { return i.Name }, "once"); n != 1 {
		t.Errorf("%d integrations named once, want 1", n)
	}
}
