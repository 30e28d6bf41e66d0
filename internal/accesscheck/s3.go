package accesscheck

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// S3Target is the bucket location a storage driver declares.
type S3Target struct {
	Bucket string
	// Region is the declared bucket region; empty means "not declared",
	// and the bucket's own region is used.
	Region string
	// Path is the key prefix; it is normalized (no leading slash, one
	// trailing slash, "" for the whole bucket).
	Path string
	// AllowDelete means the platform may delete objects under Path, so
	// s3:DeleteObject there is required.
	AllowDelete bool
	// Endpoint is the URL of an S3-compatible store; empty means AWS (or
	// Options.AWSEndpoint).
	Endpoint string
}

// Keys of the probe objects, relative to the normalized path.
const (
	// ProbeKey is written, read back and deleted by every check. It lives
	// in the hidden folder the generated policies always grant.
	ProbeKey = ".dataloop/access-check"
	// DeleteProbeKey is deleted (never written) when AllowDelete is set, to
	// prove s3:DeleteObject under the whole path rather than only in the
	// probe folder. NOTE: in a versioned bucket, deleting a missing key
	// leaves a delete marker under this name.
	DeleteProbeKey = ".dataloop-delete-check"
)

const probeContentPrefix = "dataloop access check "

// CheckS3 runs the checks once. A successful result is reused for identical
// calls (see Options.ResultTTL); a failed one is not. The error is non-nil
// only when the check could not run: malformed input (*InputError), a
// canceled context, or AWS unreachable. Missing permissions, a missing
// bucket or a wrong region are failed checks in the Result.
func (c *Checker) CheckS3(ctx context.Context, creds AWSCredentials, target S3Target) (Result, error) {
	if err := validate(creds, target); err != nil {
		return Result{}, err
	}
	target.Path = policy.NormalizePath(target.Path)
	key := hashKey(creds.cacheKey(), c.opts.AWSEndpoint, target.Endpoint, target.Bucket, target.Path, target.Region, fmt.Sprint(target.AllowDelete))
	return c.cached(ctx, key, func(ctx context.Context) (Result, error) {
		return c.runS3(ctx, creds, target)
	})
}

// s3Run holds the state of one check run.
type s3Run struct {
	c       *Checker
	client  *s3.Client
	target  S3Target
	checks  []Check
	started time.Time
	// rejected is set when AWS refused the credentials themselves; the
	// later checks would only repeat that.
	rejected bool
}

func (r *s3Run) add(ch Check) { r.checks = append(r.checks, ch) }

func (r *s3Run) result() Result { return Result{Checks: r.checks} }

func (c *Checker) runS3(ctx context.Context, creds AWSCredentials, target S3Target) (Result, error) {
	if err := c.acquire(ctx); err != nil {
		return Result{}, err
	}
	defer func() { <-c.sem }()
	c.checkRuns.Add(1)

	r := &s3Run{c: c, target: target, started: c.now()}
	fields := map[string]any{"bucket": target.Bucket, "path": target.Path, "region": target.Region, "role_arn": creds.RoleARN, "allow_delete": target.AllowDelete}
	c.debug(ctx, "Running access check", fields)

	sessionCreds, err := c.credentialsFor(ctx, creds, target.Region)
	var ar *errAssumeRole
	switch {
	case errors.As(err, &ar):
		r.add(ar.check)
		return r.finish(ctx, fields), nil
	case err != nil:
		return Result{}, err
	case creds.RoleARN != "":
		r.add(assumedRole(creds.RoleARN))
	}

	region, ok, err := r.checkBucket(ctx, sessionCreds)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return r.finish(ctx, fields), nil
	}
	// Later requests go to the bucket's own region when none was declared.
	if target.Region == "" && region != "" {
		r.client = c.s3Client(region, target.Endpoint, sessionCreds)
	}

	if err := r.checkList(ctx); err != nil {
		return Result{}, err
	}
	if !r.rejected {
		if err := r.checkObjects(ctx); err != nil {
			return Result{}, err
		}
	}
	return r.finish(ctx, fields), nil
}

func (r *s3Run) finish(ctx context.Context, fields map[string]any) Result {
	res := r.result()
	fields["success"] = res.Success()
	fields["duration_ms"] = r.c.now().Sub(r.started).Milliseconds()
	if !res.Success() {
		fields["failed"] = res.Error()
	}
	r.c.debug(ctx, "Access check finished", fields)
	return res
}

func (c *Checker) s3Client(region, endpoint string, creds aws.Credentials) *s3.Client {
	if endpoint == "" {
		endpoint = c.opts.AWSEndpoint
	}
	return s3.NewFromConfig(c.awsConfig(region, creds), func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			o.UsePathStyle = true
		}
		// NOTE: the SDK's default CRC checksums on every upload break many
		// S3-compatible stores; the probe needs none.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	})
}

// checkBucket adds the bucket and region checks. It returns the bucket's
// region (when reported) and whether the other checks should run.
func (r *s3Run) checkBucket(ctx context.Context, creds aws.Credentials) (string, bool, error) {
	t := r.target
	r.client = r.c.s3Client(t.Region, t.Endpoint, creds)
	out, err := r.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.Bucket)})
	var region string
	if err == nil {
		region = aws.ToString(out.BucketRegion)
		r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists.", t.Bucket)})
	} else {
		ae := parseAWSError(err)
		if !ae.isAWSResponse() {
			return "", false, fmt.Errorf("s3:HeadBucket on %s: %w", t.Bucket, err)
		}
		// GOTCHA: HeadBucket has no response body, so there is no error
		// code, only the status. S3 reports the region of an existing bucket
		// even when it denies access (403), or when asked in the wrong
		// region (301, 400), so the header proves the bucket exists.
		region = ae.header.Get("x-amz-bucket-region")
		switch {
		case ae.status == http.StatusNotFound || ae.code == codeNoSuchBucket:
			r.add(Check{Name: CheckBucket, Message: fmt.Sprintf("Bucket %q does not exist (HeadBucket returned %s). Check the bucket name.", t.Bucket, ae.describe())})
			return "", false, nil
		case region != "":
			r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists.", t.Bucket)})
		case ae.status == http.StatusForbidden:
			// Without the header (S3-compatible stores) a 403 still means
			// the name is taken; the list check reports the permission.
			r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists (HeadBucket was denied; the list check covers listing).", t.Bucket)})
		default:
			r.add(Check{Name: CheckBucket, Message: fmt.Sprintf("Bucket %q could not be checked: HeadBucket returned %s.", t.Bucket, ae.describe())})
			return "", false, nil
		}
	}

	switch {
	case region == "":
		r.add(Check{Name: CheckRegion, Success: true, Warning: t.Region != "",
			Message: "The endpoint does not report the bucket's region, so it was not verified."})
	case t.Region == "":
		r.add(Check{Name: CheckRegion, Success: true, Message: fmt.Sprintf("Bucket is in region %s (no region declared).", region)})
	case !sameRegion(region, t.Region):
		r.add(Check{Name: CheckRegion, Message: fmt.Sprintf("Bucket %q is in region %s, not %s as declared. Set the region to %q.", t.Bucket, region, t.Region, region)})
		return region, false, nil
	default:
		r.add(Check{Name: CheckRegion, Success: true, Message: fmt.Sprintf("Bucket is in region %s.", region)})
	}
	return region, true, nil
}

// sameRegion compares region names, mapping the legacy location
// constraints S3 still reports for old buckets.
func sameRegion(a, b string) bool {
	norm := func(s string) string {
		switch s {
		case "", "US":
			return "us-east-1"
		case "EU":
			return "eu-west-1"
		}
		return s
	}
	return norm(a) == norm(b)
}

func (r *s3Run) checkList(ctx context.Context) error {
	t := r.target
	_, err := r.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket:  aws.String(t.Bucket),
		Prefix:  aws.String(t.Path),
		MaxKeys: aws.Int32(1),
	})
	if err == nil {
		r.add(Check{Name: CheckList, Success: true, Message: fmt.Sprintf("Listed objects under %s.", r.where())})
		return nil
	}
	ch, err := r.failure(CheckList, policy.ActionListBucket, bucketARN(t.Bucket), fmt.Sprintf("listing %s", r.where()), t.Path, err)
	if err != nil {
		return err
	}
	r.add(ch)
	return nil
}

// checkObjects writes, reads back and deletes the probe object.
func (r *s3Run) checkObjects(ctx context.Context) error {
	t := r.target
	key := t.Path + ProbeKey
	mu := r.c.probeLock(hashKey(t.Endpoint, r.c.opts.AWSEndpoint, t.Bucket, key))
	mu.Lock()
	defer mu.Unlock()

	content := newProbeContent()
	_, err := r.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(t.Bucket),
		Key:           aws.String(key),
		Body:          bytes.NewReader(content),
		ContentLength: aws.Int64(int64(len(content))),
		ContentType:   aws.String("text/plain"),
	})
	if err != nil {
		ch, err := r.failure(CheckWrite, policy.ActionPutObject, objectARN(t.Bucket, t.Path+"*"), "writing the probe object "+key, t.Path, err)
		if err != nil {
			return err
		}
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckWrite, Success: true, Message: fmt.Sprintf("Wrote the probe object %s.", key)})

	// From here on the probe exists: remove it even if the context ends.
	readErr := r.checkRead(ctx, key, content)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	deleteErr := r.checkDelete(cleanupCtx, key)
	if readErr != nil {
		return readErr
	}
	if deleteErr != nil {
		return deleteErr
	}
	return ctx.Err()
}

func (r *s3Run) checkRead(ctx context.Context, key string, want []byte) error {
	t := r.target
	out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)})
	var got []byte
	if err == nil {
		got, err = io.ReadAll(io.LimitReader(out.Body, 4096))
		out.Body.Close()
		if err != nil {
			return fmt.Errorf("reading the probe object %s: %w", key, err)
		}
	}
	switch {
	case err == nil && bytes.Equal(got, want):
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe object %s back.", key)})
	case err == nil && bytes.HasPrefix(got, []byte(probeContentPrefix)):
		// Another checker (another process) probed the same path at the
		// same time; reading its probe proves the same permission.
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe object %s back (another access check rewrote it meanwhile).", key)})
	case err == nil:
		r.add(Check{Name: CheckRead, Message: fmt.Sprintf("Read the probe object %s back, but its content differs from what was written. Check that nothing rewrites objects in this bucket (e.g. a Lambda or an object lock configuration).", key)})
	default:
		ae := parseAWSError(err)
		if ae.code == codeNoSuchKey {
			r.add(Check{Name: CheckRead, retryable: true, Message: fmt.Sprintf("The probe object %s was gone right after it was written (another access check may have removed it).", key)})
			return nil
		}
		ch, err := r.failure(CheckRead, policy.ActionGetObject, objectARN(t.Bucket, t.Path+"*"), "reading the probe object "+key, t.Path, err)
		if err != nil {
			return err
		}
		r.add(ch)
	}
	return nil
}

// checkDelete removes the probe object and, when AllowDelete is set, proves
// s3:DeleteObject under the whole path.
func (r *s3Run) checkDelete(ctx context.Context, key string) error {
	t := r.target
	_, err := r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)})
	if err != nil {
		if !t.AllowDelete {
			// Deleting is not required: report what is left behind and how
			// to let the platform clean up, as a warning.
			ch, ferr := r.failure(CheckDelete, policy.ActionDeleteObject, objectARN(t.Bucket, t.Path+".dataloop/*"), "deleting the probe object "+key, t.Path+".dataloop/", err)
			if ferr != nil {
				return ferr
			}
			ch.Success, ch.Warning, ch.retryable = true, true, false
			ch.Message += " The probe object stays in the bucket; deleting is not required because allow_delete is false."
			r.add(ch)
			return nil
		}
		ch, err := r.failure(CheckDelete, policy.ActionDeleteObject, objectARN(t.Bucket, t.Path+"*"), "deleting the probe object "+key, t.Path, err)
		if err != nil {
			return err
		}
		ch.Message += " allow_delete is true, so the platform needs it."
		r.add(ch)
		return nil
	}
	if !t.AllowDelete {
		r.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe object %s.", key)})
		return nil
	}
	// The probe folder alone may grant s3:DeleteObject (the generated
	// policy does), so prove it outside: S3 authorizes a delete before it
	// looks for the key, and deleting a missing key is a no-op.
	other := t.Path + DeleteProbeKey
	_, err = r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(other)})
	if err != nil {
		ch, err := r.failure(CheckDelete, policy.ActionDeleteObject, objectARN(t.Bucket, t.Path+"*"), "deleting "+other, t.Path, err)
		if err != nil {
			return err
		}
		ch.Message += " allow_delete is true, so the platform needs it."
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe object %s; s3:DeleteObject is granted under %s.", key, r.where())})
	return nil
}

// failure turns an S3 error into a failed check. action on resource is what
// the check needs; hintPath is the path its fix statement grants. Errors
// that are not AWS responses (network, canceled context) are returned.
func (r *s3Run) failure(name, action, resource, doing, hintPath string, err error) (Check, error) {
	ae := parseAWSError(err)
	if !ae.isAWSResponse() {
		return Check{}, fmt.Errorf("%s: %w", doing, err)
	}
	ch := Check{Name: name}
	switch {
	case ae.accessDenied():
		ch.retryable = true
		ch.Message = fmt.Sprintf("Access denied: %s on %s is not granted (%s returned %s).", action, resource, doing, ae.describe())
		ch.Hint = statementHint(action, r.target.Bucket, hintPath)
	case ae.unknownKey():
		ch.retryable = true
		r.rejected = true
		ch.Message = fmt.Sprintf("The access key was rejected while %s (%s). Check the access key ID; a key created moments ago can take a few seconds to become valid.", doing, ae.describe())
	case ae.badCredentials():
		r.rejected = true
		ch.Message = fmt.Sprintf("The credentials were rejected while %s (%s). Check the secret access key.", doing, ae.describe())
	case ae.code == codePermanentRedirect || ae.code == codeAuthHeaderMalformed || ae.status == http.StatusMovedPermanently:
		ch.Message = fmt.Sprintf("S3 refused %s because the bucket is in another region (%s). Check the region.", doing, ae.describe())
	default:
		ch.Message = fmt.Sprintf("%s failed: %s.", upperFirst(doing), ae.describe())
	}
	return ch, nil
}

func statementHint(action, bucket, path string) string {
	s, err := policy.StatementFor(action, bucket, path).JSON()
	if err != nil {
		return ""
	}
	return s
}

func (r *s3Run) where() string {
	if r.target.Path == "" {
		return "the bucket root"
	}
	return fmt.Sprintf("%q", r.target.Path)
}

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

func newProbeContent() []byte {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return []byte(probeContentPrefix + hex.EncodeToString(b) + "\n")
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
