// Package platform is a typed client for the Dataloop REST API: users,
// orgs, projects, integrations and storage drivers.
//
// The client retries throttled and transiently failing calls with capped,
// jittered exponential backoff, and never sends a create twice when it
// cannot tell whether the first attempt took effect: it looks the object up
// first. Tokens and request bodies never appear in errors or logs; should a
// server echo them, the token and the request's secret option values are
// removed from its messages.
package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const (
	defaultMaxRetries  = 5
	defaultMaxBackoff  = 30 * time.Second
	baseBackoff        = 500 * time.Millisecond
	defaultHTTPTimeout = 2 * time.Minute
	defaultUserAgent   = "terraform-provider-dataloop"

	// maxIdleConnsPerHost keeps a connection for each request Terraform
	// runs at once (-parallelism, default 10), with room for a higher
	// setting; idle ones close after the transport's idle timeout.
	maxIdleConnsPerHost = 32

	// maxResponseBytes bounds how much of a response body is read.
	maxResponseBytes = 16 << 20

	// lookupTimeout bounds the lookup after an ambiguous create. The lookup
	// runs even when the caller's context has ended, since an object the
	// platform created but nobody adopts would be orphaned.
	lookupTimeout = 30 * time.Second
)

// Config configures a Client.
type Config struct {
	// Endpoint is the API base URL, e.g. https://gate.dataloop.ai/api/v1.
	Endpoint string
	// Token is the bearer token; it is sent only in the authorization header.
	Token string
	// UserAgent names the provider and Terraform versions.
	UserAgent string
	// HTTPClient is optional; the default has a 2 minute per-attempt timeout.
	HTTPClient *http.Client
	// MaxRetries is the number of retries after the first attempt
	// (default 5; a negative value disables retries).
	MaxRetries int
	// MaxBackoff caps the wait between attempts, including Retry-After (default 30s).
	MaxBackoff time.Duration
	// Logf, when set, receives one debug entry per attempt: method, path,
	// status, attempt and duration. It never receives bodies or the token.
	Logf func(ctx context.Context, msg string, fields map[string]any)
	// AllowInsecureHTTP allows a plain http:// endpoint on a host that is not
	// loopback, which sends the token unencrypted. Without it New refuses
	// such an endpoint (see ErrInsecureEndpoint); loopback is always allowed.
	AllowInsecureHTTP bool
}

// ErrInsecureEndpoint is wrapped by New's error for a plain http:// endpoint
// on a host that is not loopback, unless Config.AllowInsecureHTTP is set.
var ErrInsecureEndpoint = errors.New("plain HTTP would send the API token unencrypted")

// IsLoopbackHost reports whether host (without port) names this machine:
// localhost or a loopback IP address.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Client talks to the Dataloop API. It is safe for concurrent use.
type Client struct {
	endpoint   string
	token      string
	userAgent  string
	httpClient *http.Client
	maxRetries int
	maxBackoff time.Duration
	logf       func(ctx context.Context, msg string, fields map[string]any)

	// wait pauses between attempts; tests replace it to observe backoffs.
	wait func(ctx context.Context, d time.Duration) error

	// integrationWrites counts integration creates, updates and deletes
	// started, so that callers caching a list can tell it may be stale.
	integrationWrites atomic.Uint64

	// me caches the token's user: it cannot change for the client's
	// lifetime (one provider run). meMu also makes concurrent first
	// callers wait for one request.
	meMu sync.Mutex
	me   *User
}

// IntegrationWrites returns how many integration creates, updates and
// deletes this client has started. A list read before the count changed
// may be stale.
func (c *Client) IntegrationWrites() uint64 { return c.integrationWrites.Load() }

// New validates cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	endpoint := strings.TrimRight(strings.TrimSpace(cfg.Endpoint), "/")
	if endpoint == "" {
		return nil, errors.New("dataloop API: endpoint is required")
	}
	base, err := url.Parse(endpoint)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("dataloop API: endpoint %q must be an absolute http(s) URL", endpoint)
	}
	if base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("dataloop API: endpoint %q must not have a query or fragment", endpoint)
	}
	if base.User != nil {
		return nil, errors.New("dataloop API: endpoint must not contain credentials; use the token")
	}
	if base.Scheme == "http" && !IsLoopbackHost(base.Hostname()) && !cfg.AllowInsecureHTTP {
		return nil, fmt.Errorf("dataloop API: endpoint %q: %w to %s", endpoint, ErrInsecureEndpoint, base.Hostname())
	}
	if cfg.Token == "" {
		return nil, errors.New("dataloop API: token is required")
	}
	c := &Client{
		endpoint:   endpoint,
		token:      cfg.Token,
		userAgent:  cfg.UserAgent,
		httpClient: cfg.HTTPClient,
		maxRetries: cfg.MaxRetries,
		maxBackoff: cfg.MaxBackoff,
		logf:       cfg.Logf,
	}
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.httpClient == nil {
		// A transport of its own keeps clients (and tests) from sharing
		// connection pools through http.DefaultTransport.
		transport := http.DefaultTransport
		if t, ok := transport.(*http.Transport); ok {
			t = t.Clone()
			// Terraform sends up to -parallelism (default 10) requests at
			// once; the default of 2 idle connections per host would close
			// and reopen a connection for most calls.
			t.MaxIdleConnsPerHost = maxIdleConnsPerHost
			transport = t
		}
		c.httpClient = &http.Client{Timeout: defaultHTTPTimeout, Transport: transport}
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = defaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.maxBackoff <= 0 {
		c.maxBackoff = defaultMaxBackoff
	}
	c.wait = sleep
	return c, nil
}

// request describes one API call.
type request struct {
	method string
	path   string // relative to the endpoint, already escaped
	query  url.Values
	body   any

	// idempotent marks calls that may be resent after an ambiguous failure
	// (the request may or may not have been processed).
	idempotent bool
	// recover is consulted after an ambiguous failure of a non-idempotent
	// call. It reports whether the earlier attempt took effect, in which
	// case it has already stored the result and the call succeeds.
	recover func(ctx context.Context) (bool, error)
	// goneOK makes a 404 after an ambiguous attempt count as success; for
	// deletes whose first attempt went through but whose answer was lost.
	goneOK bool
}

// response is a completed HTTP exchange.
type response struct {
	status     int
	body       []byte
	retryAfter time.Duration
	// date is the server's Date header (zero when absent), read with the
	// local monotonic time it arrived at, to place server timestamps.
	date     time.Time
	received time.Time
}

// do runs r with retries and decodes a 2xx JSON answer into out (when non-nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	if resp == nil || out == nil || len(bytes.TrimSpace(resp.body)) == 0 {
		return nil
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		return fmt.Errorf("dataloop API: %s %s: decoding response: %w", r.method, r.path, err)
	}
	return nil
}

// send runs r with retries. It returns the response of a 2xx answer, nil
// when a recover or goneOK rule settled the call, or an error; non-2xx
// answers come back as *Error.
func (c *Client) send(ctx context.Context, r request) (*response, error) {
	resp, err := c.sendRaw(ctx, r)
	if err != nil {
		return nil, err
	}
	if resp != nil && resp.status >= 300 {
		return nil, c.apiError(r, resp)
	}
	return resp, nil
}

// sendRaw is send without turning a final non-retryable non-2xx answer
// into an error, for callers that read the error body.
func (c *Client) sendRaw(ctx context.Context, r request) (*response, error) {
	var payload []byte
	if r.body != nil {
		var err error
		payload, err = json.Marshal(r.body)
		if err != nil {
			// The body may hold secrets, so the marshal error is not echoed.
			return nil, fmt.Errorf("dataloop API: %s %s: encoding request body failed", r.method, r.path)
		}
	}

	ambiguousBefore := false
	for attempt := 1; ; attempt++ {
		resp, err := c.attempt(ctx, r, payload, attempt)
		if err == nil && resp.status < 300 {
			return resp, nil
		}
		if err == nil && ambiguousBefore {
			switch {
			case resp.status == http.StatusNotFound && r.goneOK:
				return nil, nil
			case resp.status == http.StatusConflict && r.recover != nil:
				// The lookup missed an earlier attempt that did take effect
				// (a name conflict with ourselves); look once more.
				if found, rerr := c.lookUp(ctx, r); rerr == nil && found {
					return nil, nil
				}
			}
		}

		var (
			lastErr   error
			wait      time.Duration
			retry     bool
			ambiguous bool
		)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				ctxFailure := fmt.Errorf("dataloop API: %s %s: %w", r.method, r.path, ctxErr)
				if r.idempotent || r.recover == nil || !maybeSent(err) {
					return nil, ctxFailure
				}
				// The caller stopped waiting after the request went out, so
				// the platform may have processed it.
				found, rerr := c.lookUp(ctx, r)
				if rerr != nil {
					return nil, outcomeUnknown(ctxFailure, rerr)
				}
				if found {
					return nil, nil
				}
				return nil, ctxFailure
			}
			lastErr = err
			retry, ambiguous = classifyTransportError(err)
		} else {
			lastErr = c.apiError(r, resp)
			switch resp.status {
			case http.StatusTooManyRequests:
				// A throttled request was not processed, so even a create may be resent.
				retry, wait = true, resp.retryAfter
			case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
				// The request may have been processed before the failure: an
				// idempotent call is resent, a create is looked up first (and
				// one without a lookup is not resent).
				retry, ambiguous = true, true
			}
			if !retry {
				return resp, nil
			}
		}
		if !retry {
			return nil, lastErr
		}
		if ambiguous {
			ambiguousBefore = true
			if !r.idempotent {
				// Look the object up even when no retries are left: the
				// attempt may have taken effect, and reporting a failure
				// then would make the caller create it again.
				if r.recover == nil {
					return nil, lastErr
				}
				found, rerr := c.lookUp(ctx, r)
				if rerr != nil {
					return nil, outcomeUnknown(lastErr, rerr)
				}
				if found {
					return nil, nil
				}
			}
		}
		if attempt > c.maxRetries {
			return nil, lastErr
		}
		if err := c.wait(ctx, c.backoff(attempt, wait)); err != nil {
			return nil, fmt.Errorf("dataloop API: %s %s: %w; last attempt: %w", r.method, r.path, err, lastErr)
		}
	}
}

// lookUp runs r.recover with a context detached from ctx's cancellation
// and bounded by lookupTimeout: the lookup must run after ctx ended, too.
func (c *Client) lookUp(ctx context.Context, r request) (bool, error) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), lookupTimeout)
	defer cancel()
	return r.recover(lctx)
}

// outcomeUnknown is the error of a call that may have taken effect when the
// lookup that would tell failed too; it wraps ErrOutcomeUnknown.
func outcomeUnknown(err, lookupErr error) error {
	return fmt.Errorf("%w; %w (looking it up failed: %w)", err, ErrOutcomeUnknown, lookupErr)
}

// attempt performs one HTTP exchange.
func (c *Client) attempt(ctx context.Context, r request, payload []byte, attempt int) (*response, error) {
	// r.path is already escaped, so the URL is built as a string.
	u := c.endpoint + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	var progress sendProgress
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, progress.trace()), r.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("dataloop API: %s %s: building request: %w", r.method, r.path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	start := time.Now()
	httpResp, err := c.httpClient.Do(req)
	if err != nil {
		te := c.transportError(r, err)
		te.unsent = progress.unsent()
		c.log(ctx, r, attempt, start, 0, te)
		return nil, te
	}
	defer httpResp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	if err != nil {
		err = c.transportError(r, err)
		c.log(ctx, r, attempt, start, httpResp.StatusCode, err)
		return nil, err
	}
	c.log(ctx, r, attempt, start, httpResp.StatusCode, nil)
	received := time.Now()
	date, _ := http.ParseTime(httpResp.Header.Get("Date"))
	return &response{
		status:     httpResp.StatusCode,
		body:       data,
		retryAfter: parseRetryAfter(httpResp.Header.Get("Retry-After"), received),
		date:       date,
		received:   received,
	}, nil
}

// transportError strips the URL that net/http puts in its errors and names
// the call instead, keeping the cause available to errors.Is.
func (c *Client) transportError(r request, err error) *transportErr {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &transportErr{method: r.method, path: r.path, err: err}
}

type transportErr struct {
	method, path string
	err          error
	// unsent is true when the request is known not to have been written.
	unsent bool
}

func (e *transportErr) Error() string {
	return fmt.Sprintf("dataloop API: %s %s: %v", e.method, e.path, e.err)
}

func (e *transportErr) Unwrap() error { return e.err }

// maybeSent reports whether a failed attempt may have reached the server:
// anything but an attempt that is known to have failed before writing.
func maybeSent(err error) bool {
	var te *transportErr
	return !errors.As(err, &te) || !te.unsent
}

// sendProgress follows one attempt through httptrace. Transports that do
// not report to httptrace leave it empty, which counts as maybe sent.
type sendProgress struct {
	connecting, wrote atomic.Bool
}

func (p *sendProgress) trace() *httptrace.ClientTrace {
	return &httptrace.ClientTrace{
		GetConn:      func(string) { p.connecting.Store(true) },
		WroteHeaders: func() { p.wrote.Store(true) },
	}
}

// unsent reports whether the attempt is known to have written nothing.
func (p *sendProgress) unsent() bool { return p.connecting.Load() && !p.wrote.Load() }

// classifyTransportError reports whether a failed exchange may be retried and
// whether the server may have processed the request.
func classifyTransportError(err error) (retry, ambiguous bool) {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		// Nothing was sent. A refused connection or unknown host points at a
		// wrong endpoint, which retrying would only delay reporting.
		var netErr net.Error
		if errors.As(err, &netErr) && netErr.Timeout() {
			return true, false
		}
		return false, false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return dnsErr.IsTimeout || dnsErr.IsTemporary, false
	}
	switch {
	case errors.Is(err, io.EOF),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE):
		return true, true
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return true, true
	}
	return false, false
}

// apiError builds the typed error of a non-2xx answer.
func (c *Client) apiError(r request, resp *response) *Error {
	return &Error{
		StatusCode: resp.status,
		Method:     r.method,
		Path:       r.path,
		Message:    c.redactFor(r, errorMessage(resp.body)),
	}
}

// errorMessage extracts the platform's JSON "message" from an error body.
func errorMessage(body []byte) string {
	var e struct {
		Message any `json:"message"`
		Error   any `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	for _, v := range []any{e.Message, e.Error} {
		switch v := v.(type) {
		case string:
			if v != "" {
				return v
			}
		case nil:
		default:
			if b, err := json.Marshal(v); err == nil {
				return string(b)
			}
		}
	}
	return ""
}

// redact removes the token should a server ever echo it back.
func (c *Client) redact(s string) string {
	if c.token == "" || s == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "<redacted>")
}

// secretOptions are the request body fields (integration options, at any
// depth) that hold secrets; "key" is an access key ID, not a secret.
var secretOptions = map[string]bool{
	"secret":       true,
	"content":      true,
	"clientSecret": true,
	"password":     true,
	"privateKey":   true,
	"private_key":  true,
}

// redactFor removes the token and the secret values of r's body from a
// message the server sent, should a server ever echo the request.
func (c *Client) redactFor(r request, s string) string {
	s = c.redact(s)
	if s == "" || r.body == nil {
		return s
	}
	for _, secret := range requestSecrets(r.body) {
		s = strings.ReplaceAll(s, secret, "<redacted>")
	}
	return s
}

// requestSecrets lists the values of the secret fields of a request body,
// each also as it reads inside a JSON string, longest first so that a
// secret holding another (a service account key holding its private key)
// is replaced whole.
func requestSecrets(body any) []string {
	b, err := json.Marshal(body)
	if err != nil {
		return nil
	}
	var v any
	if json.Unmarshal(b, &v) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	var walk func(v any, secret bool)
	walk = func(v any, secret bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, secretOptions[k])
			}
		case []any:
			for _, x := range v {
				walk(x, secret)
			}
		case string:
			if !secret {
				return
			}
			add(v)
			// As a JSON string it may read differently: escaped quotes,
			// newlines and, depending on the encoder, <, > and &.
			for _, html := range []bool{true, false} {
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(html)
				if enc.Encode(v) == nil {
					q := bytes.TrimSpace(buf.Bytes())
					add(string(q[1 : len(q)-1]))
				}
			}
			// A secret that is itself JSON (a service account key) also
			// holds secrets that could be echoed on their own.
			var inner any
			if json.Unmarshal([]byte(v), &inner) == nil {
				walk(inner, false)
			}
		}
	}
	walk(v, false)
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// backoff returns the wait before attempt+1: the server's Retry-After when it
// sent one, otherwise exponential with equal jitter; both capped.
func (c *Client) backoff(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, c.maxBackoff)
	}
	d := c.maxBackoff
	if shift := attempt - 1; shift < 20 {
		d = min(baseBackoff<<shift, c.maxBackoff)
	}
	half := d / 2
	if half <= 0 {
		return d
	}
	return half + rand.N(half+1)
}

// sleep waits d or until ctx ends. It gives up at once when ctx's deadline
// would pass before the wait is over, since no further attempt could finish.
func sleep(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return context.DeadlineExceeded
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 || secs > 1e6 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

func (c *Client) log(ctx context.Context, r request, attempt int, start time.Time, status int, err error) {
	if c.logf == nil {
		return
	}
	fields := map[string]any{
		"method":      r.method,
		"path":        r.path,
		"attempt":     attempt,
		"duration_ms": time.Since(start).Milliseconds(),
	}
	if status != 0 {
		fields["status"] = status
	}
	if err != nil {
		fields["error"] = c.redact(err.Error())
	}
	c.logf(ctx, "Dataloop API request", fields)
}

// escape escapes one path segment.
func escape(s string) string { return url.PathEscape(s) }
