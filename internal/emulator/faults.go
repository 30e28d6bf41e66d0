package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"
)

// Faults configures fault injection. Each API request draws from a random
// source seeded with Seed, so a run with the same requests in the same
// order sees the same faults. Rates are probabilities in [0, 1].
type Faults struct {
	// Seed seeds the random source (re-seeded on every change).
	Seed int64 `json:"seed"`
	// Latency is added before every API request is handled. A client that
	// gives up while it waits leaves the platform unchanged.
	Latency time.Duration `json:"-"`
	// LatencyAfter is added after an API request was handled, before its
	// answer is sent. A client that gives up while it waits does not learn
	// that the change took effect: a slow answer to a create that a client
	// deadline cuts short.
	LatencyAfter time.Duration `json:"-"`
	// Rate429 is the rate of 429 Too Many Requests answers (Retry-After: 1).
	Rate429 float64 `json:"rate429"`
	// Rate5xx is the rate of 5xx answers, of status Status5xx.
	Rate5xx float64 `json:"rate5xx"`
	// Status5xx is the status of injected 5xx answers: 500, 502, 503 or
	// 504 (0 means 503).
	Status5xx int `json:"status5xx,omitempty"`
	// RateDrop is the rate of connections closed before the request is
	// handled (nothing changes on the platform).
	RateDrop float64 `json:"rateDrop"`
	// DropAfterRate is the rate of mutating requests (POST, PUT, PATCH,
	// DELETE) whose connection is closed after the change was applied, so
	// the client cannot know whether it happened (an ambiguous create).
	DropAfterRate float64 `json:"dropAfterRate"`
	// Routes limits injection to these routes ("POST /orgs/{orgId}/integrations");
	// empty means every API route.
	Routes []string `json:"routes,omitempty"`
	// Max caps the number of injected faults (latency aside); 0 means no
	// cap. With a rate of 1 it makes "fail N times, then succeed".
	Max int `json:"max,omitempty"`
}

type faultsJSON struct {
	Seed          int64    `json:"seed"`
	Latency       string   `json:"latency,omitempty"`
	LatencyAfter  string   `json:"latencyAfter,omitempty"`
	Rate429       float64  `json:"rate429"`
	Rate5xx       float64  `json:"rate5xx"`
	Status5xx     int      `json:"status5xx,omitempty"`
	RateDrop      float64  `json:"rateDrop"`
	DropAfterRate float64  `json:"dropAfterRate"`
	Routes        []string `json:"routes,omitempty"`
	Max           int      `json:"max,omitempty"`
}

// MarshalJSON writes Latency and LatencyAfter as Go duration strings ("150ms").
func (f Faults) MarshalJSON() ([]byte, error) {
	j := faultsJSON{Seed: f.Seed, Rate429: f.Rate429, Rate5xx: f.Rate5xx, Status5xx: f.Status5xx, RateDrop: f.RateDrop,
		DropAfterRate: f.DropAfterRate, Routes: f.Routes, Max: f.Max}
	if f.Latency > 0 {
		j.Latency = f.Latency.String()
	}
	if f.LatencyAfter > 0 {
		j.LatencyAfter = f.LatencyAfter.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads Latency and LatencyAfter as Go duration strings ("150ms").
func (f *Faults) UnmarshalJSON(b []byte) error {
	var j faultsJSON
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	lat, err := parseLatency("latency", j.Latency)
	if err != nil {
		return err
	}
	latAfter, err := parseLatency("latencyAfter", j.LatencyAfter)
	if err != nil {
		return err
	}
	*f = Faults{Seed: j.Seed, Latency: lat, LatencyAfter: latAfter, Rate429: j.Rate429, Rate5xx: j.Rate5xx,
		Status5xx: j.Status5xx, RateDrop: j.RateDrop, DropAfterRate: j.DropAfterRate, Routes: j.Routes, Max: j.Max}
	return f.validate()
}

func parseLatency(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return d, nil
}

func (f Faults) validate() error {
	for name, r := range map[string]float64{"rate429": f.Rate429, "rate5xx": f.Rate5xx,
		"rateDrop": f.RateDrop, "dropAfterRate": f.DropAfterRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("%s must be between 0 and 1", name)
		}
	}
	if f.Latency < 0 || f.LatencyAfter < 0 {
		return fmt.Errorf("latency and latencyAfter must not be negative")
	}
	if f.Max < 0 {
		return fmt.Errorf("max must not be negative")
	}
	switch f.Status5xx {
	case 0, http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
	default:
		return fmt.Errorf("status5xx must be 500, 502, 503 or 504, not %d", f.Status5xx)
	}
	return nil
}

type faultInjector struct {
	mu       sync.Mutex
	cfg      Faults
	rng      *rand.Rand
	injected int
}

type faultPlan struct {
	latency      time.Duration
	latencyAfter time.Duration
	dropBefore   bool
	status       int
	dropAfter    bool
}

func newFaultInjector(f Faults) *faultInjector {
	fi := &faultInjector{}
	fi.set(f)
	return fi
}

func (fi *faultInjector) set(f Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.cfg = f
	fi.rng = rand.New(rand.NewSource(f.Seed))
	fi.injected = 0
}

func (fi *faultInjector) get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.cfg
}

// plan decides the faults of one request. It always draws the same number
// of values so that one request's outcome does not shift the next one's.
func (fi *faultInjector) plan(route, method string) faultPlan {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	c := fi.cfg
	if len(c.Routes) > 0 && !contains(c.Routes, route) {
		return faultPlan{}
	}
	p := faultPlan{latency: c.Latency, latencyAfter: c.LatencyAfter}
	dDrop, d429, d5xx, dAfter := fi.rng.Float64(), fi.rng.Float64(), fi.rng.Float64(), fi.rng.Float64()
	if c.Max > 0 && fi.injected >= c.Max {
		return p
	}
	switch {
	case dDrop < c.RateDrop:
		p.dropBefore = true
	case d429 < c.Rate429:
		p.status = http.StatusTooManyRequests
	case d5xx < c.Rate5xx:
		p.status = http.StatusServiceUnavailable
		if c.Status5xx != 0 {
			p.status = c.Status5xx
		}
	case dAfter < c.DropAfterRate && isMutating(method):
		p.dropAfter = true
	default:
		return p
	}
	fi.injected++
	return p
}

func isMutating(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// dropConnection closes the client's connection without an answer. Linger
// 0 makes the close a TCP reset, what a crashed proxy looks like.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 cannot be hijacked; panicking with ErrAbortHandler makes
		// net/http reset the stream instead.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

type stats struct {
	mu     sync.Mutex
	routes map[string]int
	faults map[string]int
}

// StatsReport is the body of GET /__emulator/stats.
type StatsReport struct {
	// Routes counts calls per "METHOD /template" (injected faults included).
	Routes map[string]int `json:"routes"`
	// Faults counts injected faults by kind: "429", the 5xx status ("503"),
	// "drop", "drop-after".
	Faults map[string]int `json:"faults"`
}

func newStats() *stats { return &stats{routes: map[string]int{}, faults: map[string]int{}} }

func (s *stats) count(route string) {
	s.mu.Lock()
	s.routes[route]++
	s.mu.Unlock()
}

func (s *stats) fault(kind string) {
	s.mu.Lock()
	s.faults[kind]++
	s.mu.Unlock()
}

func (s *stats) reset() {
	s.mu.Lock()
	s.routes, s.faults = map[string]int{}, map[string]int{}
	s.mu.Unlock()
}

func (s *stats) snapshot() StatsReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := StatsReport{Routes: make(map[string]int, len(s.routes)), Faults: make(map[string]int, len(s.faults))}
	for k, v := range s.routes {
		r.Routes[k] = v
	}
	for k, v := range s.faults {
		r.Faults[k] = v
	}
	return r
}

func (s *Server) getStats(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.stats.snapshot())
}

func (s *Server) deleteStats(w http.ResponseWriter, _ *http.Request) {
	s.stats.reset()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, s.fault.get())
}

func (s *Server) putFaults(w http.ResponseWriter, r *http.Request) {
	var f Faults
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&f); err != nil {
		writeError(w, http.StatusBadRequest, "invalid faults: %v", err)
		return
	}
	s.fault.set(f)
	writeJSON(w, http.StatusOK, f)
}

// getContract lists the violations recorded so far, for the demo and for
// tests that drive a separately started binary, and the emulator's
// additions to the API that the contract accepts.
func (s *Server) getContract(w http.ResponseWriter, _ *http.Request) {
	v := s.ContractViolations()
	sort.Strings(v)
	extensions := []string{}
	if s.opts.Contract != nil {
		for _, e := range s.opts.Contract.Extensions() {
			extensions = append(extensions, e.String())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"enabled": s.opts.Contract != nil,
		"violations": append([]string{}, v...), "extensions": extensions})
}

// recorder buffers a response so that it can be validated and, for a
// dropped-after-apply request, thrown away.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}} }

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

func (r *recorder) flushTo(w http.ResponseWriter) {
	for k, v := range r.header {
		w.Header()[k] = v
	}
	if r.status == 0 {
		r.status = http.StatusOK
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

// readBody reads a request body (up to 10 MiB) and puts it back so the
// handler can read it again.
func readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	_ = r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b, err
}
