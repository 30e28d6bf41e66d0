// Package emulator is a local stand-in for the Dataloop platform: a real
// HTTP server speaking the subset of the REST API that the provider uses
// (users/me, orgs, projects, integrations, storage drivers), for tests
// (in process, with httptest) and for the demo (cmd/dataloop-emulator).
//
// It maps tokens to users and users to orgs, scopes every object by org,
// validates integration options per type and driver payloads per driver
// type with messages that name the field, enforces the per-org limits of
// cross-account integrations, stores secrets without ever returning them,
// and persists its state to a file (written atomically) when asked to.
// With an AWS endpoint (moto) it plays the platform's AWS account: it
// creates the IAM user of each aws-cross integration and runs the embedded
// access checker for /drivers/test.
//
// The access test (POST /drivers/test, GET /drivers/{id}/test) answers more
// than the platform is known to. The spec documents only 204 (the storage
// is reachable) and leaves failures undocumented; all a client can rely on
// is the platform's usual error body, {"message": ...}. The emulator
// answers a failed test with 424 {"message", "checks": [{"name", "success",
// "code", "message", "hint"}]}, the per-check results of its access checker,
// where code classifies a failure (accesscheck.Code) and hint is the policy
// JSON that fixes a check. This is an extension, listed
// in Extensions: the contract check accepts it there, and rejects fields
// beyond "message" in any other undocumented error body. Clients must not
// depend on it; internal/platform turns a failure without checks into one
// "platform" check holding the message.
//
// Outside the API, under /__emulator/, it serves per-route call counts
// (GET stats), seeded fault injection settings (GET and PUT faults) and the
// contract violations recorded so far with the extensions the contract
// accepts (GET contract). With Options.Contract set, every request and
// response is validated against the OpenAPI spec.
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
)

// BasePath is the prefix of every platform API route; a client's endpoint
// is the server's URL + BasePath.
const BasePath = "/api/v1"

// Options configures a Server. The zero value is an in-memory emulator with
// the default seed, no faults, no contract check and no AWS endpoint.
type Options struct {
	// Seed lists the orgs, users and projects to start with (and to restore
	// on every start). Nil means DefaultSeed().
	Seed *Seed
	// StateFile is where the state is persisted after every change. Empty
	// keeps the state in memory only.
	StateFile string
	// Faults configures fault injection; it can be changed at runtime with
	// SetFaults or PUT /__emulator/faults.
	Faults Faults
	// Contract, when set, validates every API request and response against
	// the OpenAPI spec and records violations (see ContractViolations).
	Contract *Contract
	// AWS, when set, makes the emulator create real IAM users for aws-cross
	// integrations and run storage checks for /drivers/test in that AWS
	// endpoint (moto in tests and the demo).
	AWS *AWSOptions
	// Azure, when set, makes /drivers/test check azureblob and
	// azureDatalakeGen2 drivers against that authority and Blob service.
	Azure *AzureOptions
	// GCP, when set, gives the platform a service account of its own and
	// makes /drivers/test check gcs drivers against that Cloud Storage.
	GCP *GCPOptions
	// Strict makes the emulator behave only as the published API and
	// Dataloop's documentation describe, with none of its extensions: a
	// failed storage test is a bare {"message"} (no checks[]), and an
	// integration's metadata has no roleArn echo and no serviceAccount
	// entry on a gcp-cross integration. The contract check then
	// accepts no extension either.
	Strict bool
	// Logf, when set, receives one line per request and notable events.
	// Secrets are never passed to it.
	Logf func(format string, args ...any)
}

// Server is an emulated Dataloop platform. Its methods are safe for
// concurrent use.
type Server struct {
	opts Options
	api  *http.ServeMux
	ctl  *http.ServeMux

	mu      sync.Mutex // guards st and order
	st      *state
	order   driverOrder
	store   *store // nil without a state file
	aws     *awsBackend
	checker *accesscheck.Checker
	// azureChecker checks Azure drivers; nil without Options.Azure.
	azureChecker *accesscheck.Checker
	// gcp is the platform's Google Cloud side; nil without Options.GCP.
	gcp   *gcpBackend
	fault *faultInjector
	stats *stats

	violationsMu sync.Mutex
	violations   []string
}

// New builds a Server, loading the state file if there is one and applying
// the seed.
func New(opts Options) (*Server, error) {
	seed := opts.Seed
	if seed == nil {
		seed = DefaultSeed()
	}
	if err := seed.validate(); err != nil {
		return nil, fmt.Errorf("emulator: seed: %w", err)
	}
	if err := opts.Faults.validate(); err != nil {
		return nil, fmt.Errorf("emulator: faults: %w", err)
	}
	if opts.Strict && opts.Contract != nil {
		opts.Contract = opts.Contract.WithoutExtensions()
	}
	st := newState()
	if opts.StateFile != "" {
		loaded, err := loadState(opts.StateFile)
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		st = loaded
	}
	st.applySeed(seed, nowMillis())
	s := &Server{
		opts:  opts,
		st:    st,
		fault: newFaultInjector(opts.Faults),
		stats: newStats(),
	}
	if opts.AWS != nil {
		b, err := newAWSBackend(*opts.AWS)
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		s.aws = b
		s.checker = newChecker(*opts.AWS)
	}
	if opts.Azure != nil {
		s.azureChecker = newAzureChecker(*opts.Azure)
	}
	if opts.GCP != nil {
		g, err := newGCPBackend(*opts.GCP)
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		s.gcp = g
	}
	if opts.StateFile != "" {
		store, err := openStore(opts.StateFile, st)
		if err != nil {
			return nil, fmt.Errorf("emulator: %w", err)
		}
		s.store = store
	}
	s.order.rebuild(st)
	s.routes()
	return s, nil
}

// Close writes the state file one last time and closes it. Changes after
// Close fail. Without a state file it does nothing.
func (s *Server) Close() error {
	if s.store == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.store.close(s.st)
}

// Handler returns the HTTP handler serving the API under BasePath and the
// emulator's control endpoints under /__emulator/.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// ContractViolations returns the contract violations recorded so far, one
// line each naming the operation and what was wrong. It is empty when no
// Contract was configured.
func (s *Server) ContractViolations() []string {
	s.violationsMu.Lock()
	defer s.violationsMu.Unlock()
	return append([]string(nil), s.violations...)
}

// Stats returns the number of calls per route, keyed by method and route
// template, e.g. "POST /orgs/{orgId}/integrations".
func (s *Server) Stats() map[string]int { return s.stats.snapshot().Routes }

// ResetStats sets all call counts back to zero.
func (s *Server) ResetStats() { s.stats.reset() }

// SetFaults replaces the fault configuration and reseeds its random source.
func (s *Server) SetFaults(f Faults) { s.fault.set(f) }

// IntegrationOptions returns a copy of the options (credentials) stored for
// an integration, so tests can check what the platform holds without the
// API ever returning a secret.
func (s *Server) IntegrationOptions(id string) (map[string]any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.st.Integrations[id]
	if !ok {
		return nil, false
	}
	return cloneOptions(in.Options), true
}

func (s *Server) recordViolation(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.violationsMu.Lock()
	s.violations = append(s.violations, msg)
	s.violationsMu.Unlock()
	s.logf("contract violation: %s", msg)
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// commit persists the changed objects; callers hold s.mu and pass the
// request's context. The change is journaled now; serveHTTP sends the
// answer only once the journal is on disk (see persist.go). A failed write
// is reported to the client as a 500, like a failed database write would be.
func (s *Server) commit(ctx context.Context, changes ...change) error {
	if s.store == nil {
		return nil
	}
	seq, err := s.store.append(s.st, changes)
	if err != nil {
		s.logf("persist state: %v", err)
		return err
	}
	if t, ok := ctx.Value(ticketKey{}).(*commitTicket); ok {
		t.raise(seq)
	} else if err := s.store.waitSynced(seq); err != nil {
		s.logf("persist state: %v", err)
		return err
	}
	if err := s.store.compactIfLong(s.st); err != nil {
		s.logf("persist state: %v", err)
	}
	return nil
}

// commitOrUndo commits ch for a handler; when the change cannot be
// persisted, undo puts the in-memory state back and the answer is a 500.
// It reports whether the change was committed.
func (s *Server) commitOrUndo(w http.ResponseWriter, r *http.Request, ch change, undo func()) bool {
	if err := s.commit(r.Context(), ch); err != nil {
		undo()
		writeError(w, http.StatusInternalServerError, "persist state failed")
		return false
	}
	return true
}

type apiHandler func(w http.ResponseWriter, r *http.Request, u *user)

func (s *Server) routes() {
	s.api = http.NewServeMux()
	handle := func(pattern string, h apiHandler) {
		method, path, _ := strings.Cut(pattern, " ")
		s.api.HandleFunc(method+" "+BasePath+path, func(w http.ResponseWriter, r *http.Request) {
			u := s.authenticate(r)
			if u == nil {
				writeError(w, http.StatusUnauthorized, "missing or invalid token: send 'authorization: Bearer <token>'")
				return
			}
			h(w, r, u)
		})
	}
	handle("GET /users/me", s.getMe)
	handle("GET /orgs", s.listOrgs)
	handle("GET /orgs/{orgId}", s.getOrg)
	handle("GET /projects", s.listProjects)
	handle("POST /projects", s.createProject)
	handle("GET /projects/{projectId}", s.getProject)
	handle("DELETE /projects/{projectId}", s.deleteProject)

	handle("GET /orgs/{orgId}/integrations", s.listIntegrations)
	handle("POST /orgs/{orgId}/integrations", s.createIntegration)
	handle("PATCH /orgs/{orgId}/integrations", s.updateIntegration)
	handle("GET /orgs/{orgId}/integrations/{integrationId}", s.getIntegration)
	handle("DELETE /orgs/{orgId}/integrations/{integrationId}", s.deleteIntegration)
	handle("GET /integrations/{integrationId}", s.getIntegrationByID)

	handle("GET /drivers", s.listDrivers)
	handle("POST /drivers", s.createDriver)
	handle("GET /drivers/byIntegration/{integrationId}", s.countDriversByIntegration)
	handle("POST /drivers/test", s.testDriverPayload)
	handle("GET /drivers/{id}", s.getDriver)
	handle("PATCH /drivers/{id}", s.updateDriver)
	handle("DELETE /drivers/{id}", s.deleteDriver)
	// ServeMux refuses "/drivers/{id}/test" beside
	// "/drivers/byIntegration/{integrationId}" (both match
	// /drivers/byIntegration/test), so the action is a wildcard here.
	handle("GET /drivers/{id}/{action}", func(w http.ResponseWriter, r *http.Request, u *user) {
		if r.PathValue("action") != "test" {
			writeError(w, http.StatusNotFound, "no route for %s %s", r.Method, r.URL.Path)
			return
		}
		s.testDriverByID(w, r, u)
	})

	s.api.HandleFunc(BasePath+"/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no route for %s %s", r.Method, r.URL.Path)
	})

	s.ctl = http.NewServeMux()
	s.ctl.HandleFunc("GET /__emulator/stats", s.getStats)
	s.ctl.HandleFunc("DELETE /__emulator/stats", s.deleteStats)
	s.ctl.HandleFunc("GET /__emulator/faults", s.getFaults)
	s.ctl.HandleFunc("PUT /__emulator/faults", s.putFaults)
	s.ctl.HandleFunc("GET /__emulator/contract", s.getContract)
}

// routeKey names the API route a request matches, as "METHOD /template"
// without the base path, or "" when no API route matches.
func (s *Server) routeKey(r *http.Request) string {
	_, pattern := s.api.Handler(r)
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || path == BasePath+"/" {
		return ""
	}
	if path == BasePath+"/drivers/{id}/{action}" {
		if !strings.HasSuffix(r.URL.Path, "/test") {
			return ""
		}
		path = BasePath + "/drivers/{id}/test"
	}
	return method + " " + strings.TrimPrefix(path, BasePath)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__emulator/") {
		s.ctl.ServeHTTP(w, r)
		return
	}
	if r.URL.Path != BasePath && !strings.HasPrefix(r.URL.Path, BasePath+"/") {
		writeError(w, http.StatusNotFound, "no route for %s %s (the API is under %s)", r.Method, r.URL.Path, BasePath)
		return
	}
	key := s.routeKey(r)
	statKey := key
	if statKey == "" {
		statKey = "unmatched"
	}
	s.stats.count(statKey)

	var body []byte
	if s.opts.Contract != nil {
		var err error
		if body, err = readBody(r); err != nil {
			writeError(w, http.StatusBadRequest, "read request body: %v", err)
			return
		}
		for _, v := range s.opts.Contract.ValidateRequest(r, body) {
			s.recordViolation("%s", v)
		}
	}

	plan := s.fault.plan(key, r.Method)
	if plan.latency > 0 {
		t := time.NewTimer(plan.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if plan.dropBefore {
		s.stats.fault("drop")
		dropConnection(w)
		return
	}

	ctx, ticket := withTicket(r.Context())
	r = r.WithContext(ctx)
	rec := newRecorder()
	switch {
	case plan.status == http.StatusTooManyRequests:
		s.stats.fault("429")
		rec.Header().Set("Retry-After", "1")
		writeError(rec, http.StatusTooManyRequests, "rate limit exceeded (injected by the emulator); retry after 1s")
	case plan.status != 0:
		s.stats.fault(strconv.Itoa(plan.status))
		writeError(rec, plan.status, "%s (injected by the emulator)", strings.ToLower(http.StatusText(plan.status)))
	default:
		s.api.ServeHTTP(rec, r)
	}
	if s.opts.Contract != nil {
		for _, v := range s.opts.Contract.ValidateResponse(r, body, rec.status, rec.Header(), rec.body.Bytes()) {
			s.recordViolation("%s", v)
		}
	}
	if seq := ticket.wanted(); seq > 0 {
		// Acknowledge a change only once it is on disk.
		if err := s.store.waitSynced(seq); err != nil {
			s.logf("persist state: %v", err)
			rec = newRecorder()
			writeError(rec, http.StatusInternalServerError, "persist state failed")
		}
	}
	s.logf("%s %s -> %d", r.Method, r.URL.Path, rec.status)
	if plan.latencyAfter > 0 {
		t := time.NewTimer(plan.latencyAfter)
		select {
		case <-t.C:
		case <-r.Context().Done():
			// The client gave up; the change, if any, stands.
			t.Stop()
			return
		}
	}
	if plan.dropAfter && plan.status == 0 {
		s.stats.fault("drop-after")
		dropConnection(w)
		return
	}
	rec.flushTo(w)
}

func (s *Server) authenticate(r *http.Request) *user {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") || token == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.st.Users {
		if u.Token == token {
			cp := *u
			cp.Orgs = append([]string(nil), u.Orgs...)
			return &cp
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "encode response: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers with the platform's error shape, {"message": ...}.
func writeError(w http.ResponseWriter, status int, format string, args ...any) {
	b, _ := marshal(map[string]string{"message": fmt.Sprintf(format, args...)})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// marshal encodes JSON without HTML escaping, so messages read as written.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func nowMillis() int64 { return time.Now().UnixMilli() }
