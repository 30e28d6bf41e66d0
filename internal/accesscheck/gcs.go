package accesscheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/googleapi"
	iamcredentials "google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// OAuth scopes of the GCS checks.
const (
	gcsScope         = "https://www.googleapis.com/auth/devstorage.read_write"
	cloudPlatformScp = "https://www.googleapis.com/auth/cloud-platform"
)

// GCSCredentials are a service account key file (a gcs integration), or, with
// Impersonate set, the platform's own key acting as the customer's service
// account (a gcp-cross integration, as the platform's driver test does).
// String, GoString and LogValue leave the key out.
type GCSCredentials struct {
	// KeyJSON is the service account key file, as IAM issues it.
	KeyJSON string
	// Impersonate is the email of the service account to act as, through
	// the IAM Credentials API; empty to act as the key's own account.
	Impersonate string
}

// String describes the credentials without the key.
func (c GCSCredentials) String() string {
	return fmt.Sprintf("GCSCredentials{KeyJSON: %s, Impersonate: %q}", redacted(c.KeyJSON), c.Impersonate)
}

// GoString is String, so %#v does not print the key either.
func (c GCSCredentials) GoString() string { return c.String() }

// LogValue keeps the key out of log/slog output.
func (c GCSCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("impersonate", c.Impersonate))
}

func (c GCSCredentials) cacheKey() string { return hashKey("gcs", c.KeyJSON, c.Impersonate) }

// GCSTarget is the bucket location a GCS storage driver declares.
type GCSTarget struct {
	Bucket string
	// Path is the object prefix; normalized like S3Target.Path.
	Path string
	// AllowDelete means the platform may delete objects under Path.
	AllowDelete bool
}

// validateGCSCredentials parses the key; it returns the key's account.
func validateGCSCredentials(creds GCSCredentials) (rules.ServiceAccountKey, error) {
	k, err := rules.GCPServiceAccountKey(creds.KeyJSON)
	if err != nil {
		return k, ruleInputError(InputKeyJSON, err)
	}
	if creds.Impersonate != "" {
		if err := rules.GCPServiceAccountEmail(creds.Impersonate); err != nil {
			return k, ruleInputError(InputServiceAccountEmail, err)
		}
	}
	return k, nil
}

// CheckGCSCredentials proves that the key obtains an access token from its
// token_uri (the "credentials" check) and, with Impersonate set, that the
// key's account may mint tokens for that service account (the
// "impersonate" check). Results are cached and errors reported as by
// CheckS3. Messages name the service accounts, never the key.
func (c *Checker) CheckGCSCredentials(ctx context.Context, creds GCSCredentials) (Result, error) {
	key, err := validateGCSCredentials(creds)
	if err != nil {
		return Result{}, err
	}
	return c.cached(ctx, hashKey(CheckCredentials, creds.cacheKey(), c.opts.GCPIAMCredentialsEndpoint), func(ctx context.Context) (Result, error) {
		if err := c.acquire(ctx); err != nil {
			return Result{}, err
		}
		defer func() { <-c.sem }()
		c.checkRuns.Add(1)
		r := &gcsRun{c: c, key: key, creds: creds}
		if _, err := r.token(ctx); err != nil {
			return Result{}, err
		}
		return Result{Checks: r.checks}, nil
	})
}

// CheckGCSCredentialsUntilReady runs CheckGCSCredentials, retrying what IAM
// propagation explains (a key or an impersonation grant made moments ago)
// until timeout passes.
func (c *Checker) CheckGCSCredentialsUntilReady(ctx context.Context, creds GCSCredentials, timeout time.Duration) (Result, error) {
	return c.untilReady(ctx, timeout, map[string]any{"impersonate": creds.Impersonate}, func() (Result, error) {
		return c.CheckGCSCredentials(ctx, creds)
	})
}

// CheckGCS obtains a token, then reads the bucket's metadata, lists under the
// path, writes, reads back and deletes a probe object at
// <path>.dataloop/access-check, proves deleting under the path when
// AllowDelete is set, and reads one existing object under the path when
// there is one. A successful result is reused as for CheckS3; the error is
// non-nil only when the check could not run.
func (c *Checker) CheckGCS(ctx context.Context, creds GCSCredentials, t GCSTarget) (Result, error) {
	key, err := validateGCSCredentials(creds)
	if err != nil {
		return Result{}, err
	}
	if err := rules.GCSBucketName(t.Bucket); err != nil {
		return Result{}, ruleInputError("bucket", err)
	}
	if err := rules.DriverPath(t.Path); err != nil {
		return Result{}, ruleInputError("path", err)
	}
	t.Path = policy.NormalizePath(t.Path)
	k := hashKey("gcs-check", creds.cacheKey(), c.opts.GCSEndpoint, c.opts.GCPIAMCredentialsEndpoint, t.Bucket, t.Path, fmt.Sprint(t.AllowDelete))
	return c.cached(ctx, k, func(ctx context.Context) (Result, error) {
		return c.runGCS(ctx, key, creds, t)
	})
}

// CheckGCSUntilReady runs CheckGCS until it succeeds, retrying only
// failures that IAM propagation explains (denied calls, a refused
// impersonation, a key not known yet); a missing bucket fails at once.
func (c *Checker) CheckGCSUntilReady(ctx context.Context, creds GCSCredentials, t GCSTarget, timeout time.Duration) (Result, error) {
	return c.untilReady(ctx, timeout, map[string]any{"bucket": t.Bucket}, func() (Result, error) {
		return c.CheckGCS(ctx, creds, t)
	})
}

type gcsRun struct {
	c      *Checker
	key    rules.ServiceAccountKey
	creds  GCSCredentials
	target GCSTarget
	bucket *storage.BucketHandle
	checks []Check
}

func (r *gcsRun) add(ch Check) { r.checks = append(r.checks, ch) }

// identity is the service account the storage calls act as.
func (r *gcsRun) identity() string {
	if r.creds.Impersonate != "" {
		return r.creds.Impersonate
	}
	return r.key.ClientEmail
}

func (r *gcsRun) member() string { return "serviceAccount:" + r.identity() }

// keyTokenSource returns the cached token source of a key (JWT-bearer grant
// at the key's token_uri).
func (c *Checker) keyTokenSource(keyJSON string, scope string) (oauth2.TokenSource, error) {
	id := hashKey(keyJSON, scope)
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if ts, ok := c.gcsTokens[id]; ok {
		return ts, nil
	}
	conf, err := google.JWTConfigFromJSON([]byte(keyJSON), scope)
	if err != nil {
		return nil, err
	}
	// NOTE: the token source outlives the check that made it, so its
	// requests get their own bounded client rather than the check's ctx.
	hc := c.opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	ts := conf.TokenSource(context.WithValue(context.Background(), oauth2.HTTPClient, hc))
	if c.gcsTokens == nil {
		c.gcsTokens = map[string]oauth2.TokenSource{}
	}
	c.gcsTokens[id] = ts
	return ts, nil
}

// token adds the credentials (and impersonate) checks and returns the token
// source the storage calls use, nil when a check failed.
func (r *gcsRun) token(ctx context.Context) (oauth2.TokenSource, error) {
	scope := gcsScope
	if r.creds.Impersonate != "" {
		scope = cloudPlatformScp
	}
	ts, err := r.c.keyTokenSource(r.creds.KeyJSON, scope)
	if err != nil {
		return nil, &InputError{Field: InputKeyJSON, Message: "the key cannot be used: " + scrubKey(err.Error())}
	}
	if _, err := ts.Token(); err != nil {
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return nil, fmt.Errorf("requesting a token for %s from %s: %s", r.key.ClientEmail, r.key.TokenURI, scrubKey(err.Error()))
		}
		ch := Check{Name: CheckCredentials, Input: InputKeyJSON, Code: CodeBadCredentials}
		code, description := re.ErrorCode, re.ErrorDescription
		if code == "" {
			// The JWT flow does not parse the error body; read it here.
			var body struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if json.Unmarshal(re.Body, &body) == nil {
				code, description = body.Error, body.Description
			}
		}
		desc := strings.TrimSpace(code + ": " + description)
		if code == "" {
			desc = fmt.Sprintf("HTTP %d", re.Response.StatusCode)
		}
		ch.Message = fmt.Sprintf("The token endpoint %s refused the key of service account %s (%s). The key may have been deleted or disabled, "+
			"or its account removed: create a new key and bump key_json_wo_version.", r.key.TokenURI, r.key.ClientEmail, desc)
		if strings.Contains(strings.ToLower(description), "not found") {
			// A key or account created moments ago can take a while to
			// become usable.
			ch.Code, ch.retryable = CodeUnknownIdentity, true
		}
		r.add(ch)
		// NOTE: a refused token is not remembered; the next run asks again.
		r.c.forgetTokenSource(r.creds.KeyJSON, scope)
		return nil, nil
	}
	r.add(Check{Name: CheckCredentials, Success: true, Message: fmt.Sprintf(
		"Obtained an access token for service account %s from %s (JWT-bearer grant signed with the key).", r.key.ClientEmail, r.key.TokenURI)})
	if r.creds.Impersonate == "" {
		return ts, nil
	}
	return r.impersonate(ctx, ts)
}

func (c *Checker) forgetTokenSource(keyJSON, scope string) {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	delete(c.gcsTokens, hashKey(keyJSON, scope))
}

// impersonate mints a token of creds.Impersonate with the IAM Credentials
// API. It is never cached, so a revoked grant shows at the next check.
func (r *gcsRun) impersonate(ctx context.Context, base oauth2.TokenSource) (oauth2.TokenSource, error) {
	opts := []option.ClientOption{option.WithTokenSource(base)}
	if e := r.c.opts.GCPIAMCredentialsEndpoint; e != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimSuffix(e, "/")+"/"))
	}
	svc, err := iamcredentials.NewService(ctx, opts...)
	if err != nil {
		return nil, err
	}
	target := r.creds.Impersonate
	resp, err := svc.Projects.ServiceAccounts.GenerateAccessToken("projects/-/serviceAccounts/"+target,
		&iamcredentials.GenerateAccessTokenRequest{Scope: []string{gcsScope}, Lifetime: "900s"}).Context(ctx).Do()
	if err != nil {
		var ge *googleapi.Error
		if !errors.As(err, &ge) {
			return nil, fmt.Errorf("impersonating %s: %w", target, err)
		}
		ch := Check{Name: CheckImpersonate, Input: InputServiceAccountEmail, Code: CodeFailed}
		switch ge.Code {
		case http.StatusForbidden, http.StatusNotFound:
			ch.Code, ch.retryable = CodeDenied, true
			ch.Message = fmt.Sprintf("Service account %s may not act as %s: IAM refused iam.serviceAccounts.getAccessToken (HTTP %d). "+
				"Grant %s on service account %s to serviceAccount:%s (google_service_account_iam_member), and check that %s exists. IAM changes can take a few minutes to apply.",
				r.key.ClientEmail, target, ge.Code, policy.GCPRoleTokenCreator, target, r.key.ClientEmail, target)
			ch.Hint = policy.GCPImpersonationHint(target, r.key.ClientEmail)
		default:
			ch.Message = fmt.Sprintf("Impersonating service account %s failed: HTTP %d %s.", target, ge.Code, ge.Message)
		}
		r.add(ch)
		return nil, nil
	}
	r.add(Check{Name: CheckImpersonate, Success: true, Message: fmt.Sprintf(
		"Service account %s obtained a token of %s (IAM Credentials generateAccessToken).", r.key.ClientEmail, target)})
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: resp.AccessToken, TokenType: "Bearer"}), nil
}

// gcsEndpoint is the JSON API base URL the storage client uses.
func (c *Checker) gcsEndpoint() string {
	e := c.opts.GCSEndpoint
	if e == "" {
		return ""
	}
	e = strings.TrimSuffix(e, "/")
	if !strings.Contains(strings.TrimPrefix(strings.TrimPrefix(e, "https://"), "http://"), "/") {
		e += "/storage/v1"
	}
	return e + "/"
}

func (c *Checker) runGCS(ctx context.Context, key rules.ServiceAccountKey, creds GCSCredentials, t GCSTarget) (Result, error) {
	if err := c.acquire(ctx); err != nil {
		return Result{}, err
	}
	defer func() { <-c.sem }()
	c.checkRuns.Add(1)
	started := c.now()
	fields := map[string]any{"bucket": t.Bucket, "path": t.Path, "service_account": key.ClientEmail, "impersonate": creds.Impersonate, "allow_delete": t.AllowDelete}
	c.debug(ctx, "Running GCS access check", fields)

	r := &gcsRun{c: c, key: key, creds: creds, target: t}
	ts, err := r.token(ctx)
	if err != nil {
		return Result{}, err
	}
	if ts != nil {
		opts := []option.ClientOption{option.WithTokenSource(ts), storage.WithJSONReads()}
		if e := c.gcsEndpoint(); e != "" {
			opts = append(opts, option.WithEndpoint(e))
		}
		client, err := storage.NewClient(ctx, opts...)
		if err != nil {
			return Result{}, err
		}
		defer client.Close()
		// NOTE: bounded, so a plan never waits long on one call; the
		// propagation retries are ours (untilReady).
		client.SetRetry(storage.WithMaxAttempts(3))
		r.bucket = client.Bucket(t.Bucket)
		if err := r.run(ctx); err != nil {
			return Result{}, err
		}
	}
	res := Result{Checks: r.checks}
	fields["success"] = res.Success()
	fields["duration_ms"] = c.now().Sub(started).Milliseconds()
	if !res.Success() {
		fields["failed"] = res.Error()
	}
	c.debug(ctx, "GCS access check finished", fields)
	return res, nil
}

func (r *gcsRun) where() string {
	if r.target.Path == "" {
		return fmt.Sprintf("the root of bucket %q", r.target.Bucket)
	}
	return fmt.Sprintf("%q in bucket %q", r.target.Path, r.target.Bucket)
}

func (r *gcsRun) run(ctx context.Context) error {
	t := r.target
	_, err := r.bucket.Attrs(ctx)
	switch {
	case err == nil:
		r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Read the metadata of bucket %q (storage.buckets.get).", t.Bucket)})
	case errors.Is(err, storage.ErrBucketNotExist):
		r.add(Check{Name: CheckBucket, Code: CodeNotFound, Message: fmt.Sprintf("Bucket %q does not exist. Check the bucket name, or create it.", t.Bucket)})
		return nil
	default:
		// The platform reads the bucket's metadata; a denial is a failure,
		// but the other checks still run so every missing permission shows.
		ch, err := r.failure(CheckBucket, policy.GCSPermBucketsGet, "reading the metadata of bucket "+t.Bucket, err)
		if err != nil {
			return err
		}
		r.add(ch)
	}
	dataObject, err := r.list(ctx)
	if err != nil {
		return err
	}
	if err := r.probe(ctx); err != nil {
		return err
	}
	return r.readData(ctx, dataObject)
}

// list adds the list check and returns the name of a data object under the
// path (outside .dataloop/), "" when none was seen.
func (r *gcsRun) list(ctx context.Context) (string, error) {
	t := r.target
	it := r.bucket.Objects(ctx, &storage.Query{Prefix: t.Path})
	it.PageInfo().MaxSize = 50
	found := ""
	for i := 0; i < 50; i++ {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			if i > 0 {
				break
			}
			ch, err := r.failure(CheckList, policy.GCSPermObjectsList, "listing objects under "+r.where(), err)
			if err != nil {
				return "", err
			}
			r.add(ch)
			return "", nil
		}
		if found == "" && !strings.HasPrefix(a.Name, t.Path+rules.ProbeFolder) && !strings.HasSuffix(a.Name, "/") {
			found = a.Name
		}
	}
	r.add(Check{Name: CheckList, Success: true, Message: fmt.Sprintf("Listed objects under %s (storage.objects.list).", r.where())})
	return found, nil
}

// probe writes, reads back and deletes the probe object.
func (r *gcsRun) probe(ctx context.Context) error {
	t := r.target
	name := t.Path + ProbeKey
	mu := r.c.probeLock(hashKey("gcs", r.c.opts.GCSEndpoint, t.Bucket, name))
	mu.Lock()
	defer mu.Unlock()

	obj := r.bucket.Object(name)
	content := newProbeContent()
	w := obj.NewWriter(ctx)
	w.ChunkSize = 0 // one request; the probe is tiny
	w.ContentType = "text/plain"
	_, err := w.Write(content)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		ch, err := r.failure(CheckWrite, policy.GCSPermObjectsCreate, "writing the probe object "+name, err)
		if err != nil {
			return err
		}
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckWrite, Success: true, Message: fmt.Sprintf("Wrote the probe object gs://%s/%s (storage.objects.create).", t.Bucket, name)})

	// From here on the probe exists: remove it even if the context ends.
	readErr := r.readProbe(ctx, obj, name, content)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	deleteErr := r.deleteProbe(cleanupCtx, name)
	if readErr != nil {
		return readErr
	}
	if deleteErr != nil {
		return deleteErr
	}
	return ctx.Err()
}

func (r *gcsRun) readProbe(ctx context.Context, obj *storage.ObjectHandle, name string, want []byte) error {
	var got []byte
	rd, err := obj.NewReader(ctx)
	if err == nil {
		got, err = io.ReadAll(io.LimitReader(rd, 4096))
		rd.Close()
	}
	switch {
	case err == nil && bytes.Equal(got, want):
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe object %s back (storage.objects.get).", name)})
	case err == nil && bytes.HasPrefix(got, []byte(probeContentPrefix)):
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe object %s back (another access check rewrote it meanwhile).", name)})
	case err == nil:
		r.add(Check{Name: CheckRead, Code: CodeContentMismatch, Message: fmt.Sprintf("Read the probe object %s back, but its content differs from what was written. Check that nothing rewrites objects in this bucket.", name)})
	case errors.Is(err, storage.ErrObjectNotExist):
		r.add(Check{Name: CheckRead, retryable: true, Code: CodeFailed, Message: fmt.Sprintf("The probe object %s was gone right after it was written (another access check may have removed it).", name)})
	default:
		ch, err := r.failure(CheckRead, policy.GCSPermObjectsGet, "reading the probe object "+name, err)
		if err != nil {
			return err
		}
		r.add(ch)
	}
	return nil
}

func (r *gcsRun) deleteProbe(ctx context.Context, name string) error {
	t := r.target
	if err := r.bucket.Object(name).Delete(ctx); err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		ch, ferr := r.failure(CheckDelete, policy.GCSPermObjectsDelete, "deleting the probe object "+name, err)
		if ferr != nil {
			return ferr
		}
		// GOTCHA: unlike S3, Cloud Storage needs storage.objects.delete to
		// overwrite an object, so without it the platform cannot rewrite its
		// own files under .dataloop/: a failure even when allow_delete is false.
		ch.Message += fmt.Sprintf(" The probe object stays in the bucket. Cloud Storage needs %s to overwrite an object, so the platform needs it under %s%s even when allow_delete is false.",
			policy.GCSPermObjectsDelete, t.Path, rules.ProbeFolder)
		r.add(ch)
		return nil
	}
	if !t.AllowDelete {
		r.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe object %s (storage.objects.delete).", name)})
		return nil
	}
	// Prove delete outside the probe folder too: Cloud Storage authorizes a
	// delete before it looks for the object, so deleting a missing one
	// answers 404 when allowed.
	other := t.Path + DeleteProbeKey
	err := r.bucket.Object(other).Delete(ctx)
	if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		ch, err := r.failure(CheckDelete, policy.GCSPermObjectsDelete, "deleting "+other, err)
		if err != nil {
			return err
		}
		ch.Message += " allow_delete is true, so the platform needs it."
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe object %s; storage.objects.delete is granted under %s.", name, r.where())})
	return nil
}

// readData reads the metadata and the first byte of one existing object
// under the path, so a role that reaches only the probe folder cannot pass.
func (r *gcsRun) readData(ctx context.Context, name string) error {
	if name == "" {
		r.add(Check{Name: CheckReadData, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf(
			"No object under %s outside .dataloop/ to read, so reading data objects was not proven.", r.where())})
		return nil
	}
	obj := r.bucket.Object(name)
	_, err := obj.Attrs(ctx)
	if err == nil {
		var rd *storage.Reader
		rd, err = obj.NewRangeReader(ctx, 0, 1)
		if err == nil {
			_, _ = io.Copy(io.Discard, rd)
			rd.Close()
		}
	}
	if err != nil {
		if errors.Is(err, storage.ErrObjectNotExist) {
			r.add(Check{Name: CheckReadData, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf(
				"The data object %s disappeared before it could be read, so reading data objects was not proven.", name)})
			return nil
		}
		ch, err := r.failure(CheckReadData, policy.GCSPermObjectsGet, "reading the data object "+name, err)
		if err != nil {
			return err
		}
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckReadData, Success: true, Message: fmt.Sprintf("Read the metadata and the first byte of the data object %s (storage.objects.get).", name)})
	return nil
}

// deniedPermission finds the permission Cloud Storage names in a denial.
var deniedPermission = regexp.MustCompile(`Permission '([a-z]+\.[A-Za-z.]+)' denied`)

// failure turns a Cloud Storage error into a failed check; perm is the
// permission the call needs. Errors that are not service responses
// (network, canceled context) are returned.
func (r *gcsRun) failure(name, perm, doing string, err error) (Check, error) {
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return Check{}, fmt.Errorf("%s: %w", doing, err)
	}
	ch := Check{Name: name, Code: CodeFailed}
	switch ge.Code {
	case http.StatusForbidden:
		if m := deniedPermission.FindStringSubmatch(ge.Message); m != nil {
			perm = m[1]
		}
		ch.Code, ch.retryable = CodeDenied, true
		ch.Message = fmt.Sprintf("Access denied while %s: %s lacks %s on bucket %q (HTTP 403). Grant %s on gs://%s to %s: add it to the custom role "+
			"bound to that member on the bucket. IAM changes can take a few minutes to apply.",
			doing, r.member(), perm, r.target.Bucket, perm, r.target.Bucket, r.member())
		path := r.target.Path
		if name == CheckWrite || name == CheckRead || strings.Contains(doing, "probe") {
			path += rules.ProbeFolder
		}
		ch.Hint = policy.GCSPermissionHint(perm, r.target.Bucket, path, r.member())
	case http.StatusUnauthorized:
		ch.Code = CodeBadCredentials
		ch.Message = fmt.Sprintf("Cloud Storage did not accept the token of %s while %s (HTTP 401).", r.identity(), doing)
	default:
		ch.Message = fmt.Sprintf("%s failed: HTTP %d %s.", upperFirst(doing), ge.Code, ge.Message)
	}
	return ch, nil
}

// scrubKey drops anything that looks like PEM from a message.
func scrubKey(msg string) string {
	if i := strings.Index(msg, "-----BEGIN"); i >= 0 {
		return msg[:i] + "<key redacted>"
	}
	return msg
}
