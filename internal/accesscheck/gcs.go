package accesscheck

import (
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
		fields := map[string]any{"service_account": key.ClientEmail, "impersonate": creds.Impersonate}
		return c.run(ctx, "GCS credentials check", fields, func(ctx context.Context) (Result, error) {
			r := &gcsRun{c: c, key: key, creds: creds}
			if _, err := r.token(ctx); err != nil {
				return Result{}, err
			}
			return r.result(), nil
		})
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
	recorder
	c      *Checker
	key    rules.ServiceAccountKey
	creds  GCSCredentials
	target GCSTarget
	bucket *storage.BucketHandle
}

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
	fields := map[string]any{"bucket": t.Bucket, "path": t.Path, "service_account": key.ClientEmail, "impersonate": creds.Impersonate, "allow_delete": t.AllowDelete}
	return c.run(ctx, "GCS access check", fields, func(ctx context.Context) (Result, error) {
		r := &gcsRun{c: c, key: key, creds: creds, target: t}
		ts, err := r.token(ctx)
		if err != nil || ts == nil {
			return r.result(), err
		}
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
		return r.result(), nil
	})
}

func (r *gcsRun) where() string {
	if r.target.Path == "" {
		return fmt.Sprintf("the root of bucket %q", r.target.Bucket)
	}
	return fmt.Sprintf("%q in bucket %q", r.target.Path, r.target.Bucket)
}

// gcsPerms are the permissions of the object operations.
var gcsPerms = map[storeOp]string{
	opList: policy.GCSPermObjectsList, opCreate: policy.GCSPermObjectsCreate,
	opGet: policy.GCSPermObjectsGet, opDelete: policy.GCSPermObjectsDelete,
}

// gcsWords are the words of the GCS check messages.
func gcsWords(bucket string) storeWords {
	return storeWords{
		service: "Cloud Storage", object: "object", container: "bucket", metadata: "metadata",
		perms:                gcsPerms,
		at:                   func(name string) string { return "gs://" + bucket + "/" + name },
		overwriteNeedsDelete: true,
	}
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
		ch, err := r.failure(CheckBucket, policy.GCSPermBucketsGet, "reading the metadata of bucket "+t.Bucket, false, err)
		if err != nil {
			return err
		}
		r.add(ch)
	}
	steps := &objectRun{
		c: r.c, store: gcsStore{r}, words: gcsWords(t.Bucket), rec: &r.recorder,
		path: t.Path, where: r.where(), allowDelete: t.AllowDelete,
		lockKey: hashKey("gcs", r.c.opts.GCSEndpoint, t.Bucket, t.Path+ProbeKey),
	}
	return steps.run(ctx)
}

// gcsStore is the objectStore of a GCS check.
type gcsStore struct{ r *gcsRun }

func (s gcsStore) list(ctx context.Context, prefix string) ([]string, error) {
	it := s.r.bucket.Objects(ctx, &storage.Query{Prefix: prefix})
	it.PageInfo().MaxSize = maxListed
	var names []string
	for len(names) < maxListed {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			if len(names) > 0 {
				// The first page proved listing.
				break
			}
			return nil, err
		}
		names = append(names, a.Name)
	}
	return names, nil
}

func (s gcsStore) put(ctx context.Context, name string, content []byte) error {
	w := s.r.bucket.Object(name).NewWriter(ctx)
	w.ChunkSize = 0 // one request; the probe is tiny
	w.ContentType = "text/plain"
	_, err := w.Write(content)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s gcsStore) get(ctx context.Context, name string) ([]byte, error) {
	rd, err := s.r.bucket.Object(name).NewReader(ctx)
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(io.LimitReader(rd, 4096))
}

func (s gcsStore) peek(ctx context.Context, name string) error {
	obj := s.r.bucket.Object(name)
	if _, err := obj.Attrs(ctx); err != nil {
		return err
	}
	rd, err := obj.NewRangeReader(ctx, 0, 1)
	if err != nil {
		return err
	}
	defer rd.Close()
	_, _ = io.Copy(io.Discard, rd)
	return nil
}

func (s gcsStore) delete(ctx context.Context, name string) error {
	return s.r.bucket.Object(name).Delete(ctx)
}

func (gcsStore) isNotFound(err error) bool { return errors.Is(err, storage.ErrObjectNotExist) }

func (s gcsStore) failure(name string, op storeOp, doing string, probe bool, err error) (Check, error) {
	return s.r.failure(name, gcsPerms[op], doing, probe, err)
}

// deniedPermission finds the permission Cloud Storage names in a denial.
var deniedPermission = regexp.MustCompile(`Permission '([a-z]+\.[A-Za-z.]+)' denied`)

// failure turns a Cloud Storage error into a failed check; perm is the
// permission the call needs, in the probe folder when probe is set. Errors that are not service responses
// (network, canceled context) are returned.
func (r *gcsRun) failure(name, perm, doing string, probe bool, err error) (Check, error) {
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
		if probe {
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
