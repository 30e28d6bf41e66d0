package platform

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

const (
	testAccessKeyID = "AKIAIOSFODNN7EXAMPLE"
	testSecretKey   = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

// testEnv is an in-process emulator and a client pointed at it. The client
// records the backoffs it would wait instead of sleeping, so retry tests
// are fast and can check what was waited without timing assertions.
type testEnv struct {
	srv    *emulator.Server
	url    string
	client *Client

	mu      sync.Mutex
	waits   []time.Duration
	logs    []map[string]any
	headers []http.Header
}

type envOption func(*emulator.Options, *Config)

func withFaults(f emulator.Faults) envOption {
	return func(o *emulator.Options, _ *Config) { o.Faults = f }
}

func withConfig(mod func(*Config)) envOption {
	return func(_ *emulator.Options, c *Config) { mod(c) }
}

func newTestEnv(tb testing.TB, opts ...envOption) *testEnv {
	tb.Helper()
	eopts := emulator.Options{}
	cfg := Config{Token: emulator.DemoToken, UserAgent: "platform-test/1.0"}
	for _, o := range opts {
		o(&eopts, &cfg)
	}
	if _, isBench := tb.(*testing.B); !isBench {
		// Every request the client sends and every answer it decodes must
		// match the OpenAPI spec.
		contract, err := emulator.DefaultContract()
		if err != nil {
			tb.Fatalf("emulator.DefaultContract: %v", err)
		}
		eopts.Contract = contract
	}
	srv, err := emulator.New(eopts)
	if err != nil {
		tb.Fatalf("emulator.New: %v", err)
	}
	tb.Cleanup(func() {
		for _, v := range srv.ContractViolations() {
			tb.Errorf("contract violation: %s", v)
		}
	})
	env := &testEnv{srv: srv}
	h := srv.Handler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		env.mu.Lock()
		env.headers = append(env.headers, r.Header.Clone())
		env.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	tb.Cleanup(ts.Close)
	env.url = ts.URL

	cfg.Endpoint = ts.URL + emulator.BasePath
	userLogf := cfg.Logf
	cfg.Logf = func(ctx context.Context, msg string, fields map[string]any) {
		env.mu.Lock()
		env.logs = append(env.logs, fields)
		env.mu.Unlock()
		if userLogf != nil {
			userLogf(ctx, msg, fields)
		}
	}
	c, err := New(cfg)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	c.wait = func(ctx context.Context, d time.Duration) error {
		env.mu.Lock()
		env.waits = append(env.waits, d)
		env.mu.Unlock()
		return ctx.Err()
	}
	env.client = c
	return env
}

// clientWithToken returns a second client on the same emulator.
func (e *testEnv) clientWithToken(tb testing.TB, token string) *Client {
	tb.Helper()
	c, err := New(Config{Endpoint: e.url + emulator.BasePath, Token: token, MaxRetries: -1})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return c
}

func (e *testEnv) recordedWaits() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Duration(nil), e.waits...)
}

func (e *testEnv) calls(route string) int { return e.srv.Stats()[route] }

func (e *testEnv) createS3Integration(tb testing.TB, name string) *Integration {
	tb.Helper()
	i, err := e.client.CreateIntegration(tb.Context(), emulator.DemoOrgID, CreateIntegrationInput{
		Name:    name,
		Type:    TypeS3,
		Options: map[string]any{"key": testAccessKeyID, "secret": testSecretKey},
	})
	if err != nil {
		tb.Fatalf("CreateIntegration: %v", err)
	}
	return i
}

func s3DriverInput(name string, integration *Integration) CreateDriverInput {
	return CreateDriverInput{
		Name:            name,
		Type:            DriverTypeS3,
		IntegrationID:   integration.ID,
		IntegrationType: integration.Type,
		ProjectID:       emulator.DemoProjectID,
		Payload: DriverLocation{
			BucketName:   "raw-images",
			Region:       "eu-west-1",
			Path:         "Raw/2024",
			StorageClass: "STANDARD",
		},
	}
}

func countNamed[T any](items []T, name func(T) string, want string) int {
	n := 0
	for _, it := range items {
		if name(it) == want {
			n++
		}
	}
	return n
}

func assertNoSecret(tb testing.TB, what, s string) {
	tb.Helper()
	for _, secret := range []string{testSecretKey, emulator.DemoToken} {
		if strings.Contains(s, secret) {
			tb.Errorf("%s contains a secret: %q", what, s)
		}
	}
}
