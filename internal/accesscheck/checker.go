// Package accesscheck proves that a set of credentials can really use a
// storage driver's bucket: it assumes the role when there is one, lists
// under the driver's path (which also proves the bucket exists in the
// declared region), writes a probe object at "<path>.dataloop/access-check",
// reads the first byte of a data object the list found (or, when the path
// holds none, the probe back, and says that reading data was not proven)
// and deletes the probe; at most 4 S3 requests. With AllowDelete the probe
// is "<path>.dataloop-access-check", outside the probe folder, so deleting
// it proves s3:DeleteObject on the path. Every message names the operation
// and key it exercised. A failed check carries a Code (denied action,
// explicit deny, not found, region mismatch, propagation, ...), names the
// missing action and resource, and carries the policy statement that
// grants it.
// CheckCredentials proves the credentials alone (the key is valid, the role
// can be assumed), for an integration that has no bucket yet.
//
// The same Checker serves terraform plan and apply (through the provider)
// and the emulator's /drivers/test. It has no Terraform dependencies.
//
// Costs are bounded per Checker, which lives as long as the provider
// process: one AssumeRole per credentials and role until shortly before the
// session expires, one check per distinct credentials and target (a failed
// check is not remembered, so retries run again), and at most
// Options.MaxConcurrency checks at a time.
package accesscheck

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"golang.org/x/oauth2"
)

// Logger receives debug messages. Fields never hold secrets.
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
}

// DefaultMaxConcurrency is the number of checks that run at once when
// Options.MaxConcurrency is zero.
const DefaultMaxConcurrency = 4

// Options configures a Checker. The zero value checks against AWS.
type Options struct {
	// AWSEndpoint replaces the AWS endpoints of S3 and STS (e.g. moto's
	// URL); S3 requests then use path-style addressing.
	AWSEndpoint string
	// AzureBlobEndpoint replaces the Blob service URL of Azure checks:
	// "https://{account}.blob.core.windows.net" by default. A URL holding
	// "{account}" is used as a template (sovereign clouds); any other URL is
	// path-style, <endpoint>/<account> (Azurite and the local stack).
	AzureBlobEndpoint string
	// AzureAuthorityHost replaces the Microsoft Entra authority of Azure
	// checks (default https://login.microsoftonline.com/). It must be
	// HTTPS; instance discovery is then skipped.
	AzureAuthorityHost string
	// GCSEndpoint replaces the Cloud Storage JSON API endpoint of GCS checks
	// (default https://storage.googleapis.com/storage/v1/); a base URL
	// without a path gets /storage/v1/ appended.
	GCSEndpoint string
	// GCPIAMCredentialsEndpoint replaces the IAM Credentials API endpoint
	// used to impersonate a service account (default
	// https://iamcredentials.googleapis.com/).
	GCPIAMCredentialsEndpoint string
	// MaxConcurrency bounds the checks running at once (default 4).
	MaxConcurrency int
	// Logger receives debug messages; nil discards them.
	Logger Logger
	// HTTPClient sends the AWS requests; nil means the AWS SDK's default.
	HTTPClient *http.Client
	// ResultTTL is how long a successful result is reused for an identical
	// check: zero reuses it for the Checker's lifetime (right for a
	// provider process), a negative value never reuses it (right for a
	// long-running server). Identical checks running at the same time
	// always share one run.
	ResultTTL time.Duration
	// FreshSessions assumes the role anew for every check instead of
	// reusing a session until it expires, so a revoked trust fails the next
	// check (right for a long-running server such as the emulator).
	FreshSessions bool
}

// Checker runs access checks. It is safe for concurrent use; create one per
// process and share it.
type Checker struct {
	opts   Options
	http   aws.HTTPClient
	sem    chan struct{}
	now    func() time.Time
	sleep  func(context.Context, time.Duration) error
	random func() float64

	results     flightCache[cachedResult]
	credentials flightCache[aws.Credentials]
	// azureCreds (guarded by probeMu) keeps one credential per client
	// secret, so its token cache serves every check of the run.
	azureCreds map[string]azcore.TokenCredential
	// gcsTokens (guarded by probeMu) keeps one token source per service
	// account key, so its token serves every check of the run.
	gcsTokens map[string]oauth2.TokenSource

	// probeLocks (guarded by probeMu) serializes probes of the same object
	// key, so two checks of one bucket and path with different credentials
	// do not read each other's probe.
	probeMu    sync.Mutex
	probeLocks map[string]*sync.Mutex

	assumeRoleCalls atomic.Int64
	checkRuns       atomic.Int64
}

type cachedResult struct {
	result Result
	at     time.Time
}

// New returns a Checker.
func New(opts Options) *Checker {
	if opts.MaxConcurrency <= 0 {
		opts.MaxConcurrency = DefaultMaxConcurrency
	}
	c := &Checker{
		opts:   opts,
		sem:    make(chan struct{}, opts.MaxConcurrency),
		now:    time.Now,
		sleep:  sleepContext,
		random: randomFloat,
	}
	if opts.HTTPClient != nil {
		c.http = opts.HTTPClient
	} else {
		c.http = awshttp.NewBuildableClient()
	}
	return c
}

// Stats counts the AWS work a Checker has done.
type Stats struct {
	// AssumeRoleCalls is the number of sts:AssumeRole requests sent.
	AssumeRoleCalls int64
	// CheckRuns is the number of checks that ran (cache hits excluded).
	CheckRuns int64
}

// Stats returns the counters, for tests and debug logs.
func (c *Checker) Stats() Stats {
	return Stats{AssumeRoleCalls: c.assumeRoleCalls.Load(), CheckRuns: c.checkRuns.Load()}
}

func (c *Checker) debug(ctx context.Context, msg string, fields map[string]any) {
	if c.opts.Logger != nil {
		c.opts.Logger.Debug(ctx, msg, fields)
	}
}

// acquire takes a concurrency slot; release with <-c.sem.
func (c *Checker) acquire(ctx context.Context) error {
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run runs one check in a concurrency slot and counts it, logging its start
// ("Running <what>") and its outcome ("<What> finished") with fields.
func (c *Checker) run(ctx context.Context, what string, fields map[string]any, check func(context.Context) (Result, error)) (Result, error) {
	if err := c.acquire(ctx); err != nil {
		return Result{}, err
	}
	defer func() { <-c.sem }()
	c.checkRuns.Add(1)
	started := c.now()
	if fields == nil {
		fields = map[string]any{}
	}
	c.debug(ctx, "Running "+what, fields)
	res, err := check(ctx)
	if err != nil {
		return Result{}, err
	}
	fields["success"] = res.Success()
	fields["duration_ms"] = c.now().Sub(started).Milliseconds()
	if !res.Success() {
		fields["failed"] = res.Error()
	}
	c.debug(ctx, upperFirst(what)+" finished", fields)
	return res, nil
}

func (c *Checker) probeLock(key string) *sync.Mutex {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	mu, ok := c.probeLocks[key]
	if !ok {
		if c.probeLocks == nil {
			c.probeLocks = make(map[string]*sync.Mutex)
		}
		mu = &sync.Mutex{}
		c.probeLocks[key] = mu
	}
	return mu
}

// cached returns the result of run for key: a successful result is reused
// as Options.ResultTTL allows, a failed one never, and identical checks
// running at the same time share one run.
func (c *Checker) cached(ctx context.Context, key string, run func(context.Context) (Result, error)) (Result, error) {
	valid := func(v cachedResult) bool {
		ttl := c.opts.ResultTTL
		return ttl == 0 || ttl > 0 && c.now().Sub(v.at) < ttl
	}
	v, err := c.results.get(ctx, key, valid, func(ctx context.Context) (cachedResult, bool, error) {
		res, err := run(ctx)
		return cachedResult{result: res, at: c.now()}, err == nil && res.Success() && c.opts.ResultTTL >= 0, err
	})
	if err != nil {
		return Result{}, err
	}
	res := v.result.clone()
	res.Attempts = 1
	return res, nil
}
