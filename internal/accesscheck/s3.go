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

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
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
	// ProbeKey is written, read back when there is no data object to read,
	// and deleted by every check without AllowDelete. It lives in the
	// hidden folder the generated policies always grant.
	ProbeKey = ".dataloop/access-check"
	// DeleteProbeKey replaces ProbeKey when AllowDelete is set. It lies
	// directly under the path, outside .dataloop/, so deleting it proves
	// s3:DeleteObject on the path's objects with the same call that removes
	// the probe. Writing it needs s3:PutObject under the path, which a
	// driver allowed to delete objects has (read_only and allow_delete
	// exclude each other in the generated policies).
	DeleteProbeKey = ".dataloop-access-check"
)

// maxListKeys is how many keys the list asks for: enough to find a data
// object beside a .dataloop/ folder full of the platform's test files.
const maxListKeys = 100

const probeContentPrefix = "dataloop access check "

// CheckS3 runs the checks once. A successful result is reused for identical
// calls (see Options.ResultTTL); a failed one is not. The error is non-nil
// only when the check could not run: malformed input (*InputError), a
// canceled context, or AWS unreachable. Missing permissions, a missing
// bucket or a wrong region are failed checks in the Result.
//
// A check makes at most 4 S3 requests when the region is declared: one
// ListObjectsV2 under the path (which also proves the bucket exists and, by
// its x-amz-bucket-region header, its region), one PutObject of the probe,
// one GetObject (the first byte of a data object the list found, else the
// probe) and one DeleteObject of the probe. Without a declared region a
// HeadBucket finds it first.
func (c *Checker) CheckS3(ctx context.Context, creds AWSCredentials, target S3Target) (Result, error) {
	if err := validate(creds, target); err != nil {
		return Result{}, err
	}
	target.Path = rules.NormalizeDriverPath(target.Path)
	key := hashKey(creds.cacheKey(), c.opts.AWSEndpoint, target.Endpoint, target.Bucket, target.Path, target.Region, fmt.Sprint(target.AllowDelete))
	return c.cached(ctx, key, func(ctx context.Context) (Result, error) {
		return c.runS3(ctx, creds, target)
	})
}

// s3Run holds the state of one check run.
type s3Run struct {
	recorder
	c         *Checker
	client    *s3.Client
	target    S3Target
	partition string
	// rejected is set when AWS refused the credentials themselves; the
	// later checks would only repeat that.
	rejected bool
	// dataKey is a data object (outside .dataloop/) the list found, and
	// noData says why there is none.
	dataKey string
	noData  string
}

func (c *Checker) runS3(ctx context.Context, creds AWSCredentials, target S3Target) (Result, error) {
	fields := map[string]any{"bucket": target.Bucket, "path": target.Path, "region": target.Region, "role_arn": creds.RoleARN, "allow_delete": target.AllowDelete}
	return c.run(ctx, "access check", fields, func(ctx context.Context) (Result, error) {
		r := &s3Run{c: c, target: target, partition: rules.PartitionOfRegion(target.Region)}
		if err := r.run(ctx, creds); err != nil {
			return Result{}, err
		}
		return r.result(), nil
	})
}

func (r *s3Run) run(ctx context.Context, creds AWSCredentials) error {
	c, target := r.c, r.target
	sessionCreds, err := c.credentialsFor(ctx, creds, target.Region)
	var ar *errAssumeRole
	switch {
	case errors.As(err, &ar):
		r.add(ar.check)
		return nil
	case err != nil:
		return err
	case creds.RoleARN != "":
		r.add(assumedRole(creds.RoleARN))
	}

	if target.Region == "" {
		// No region declared: find it, then list in it.
		region, ok, err := r.checkBucket(ctx, sessionCreds)
		if err != nil || !ok {
			return err
		}
		r.partition = rules.PartitionOfRegion(region)
		r.client = c.s3Client(region, target.Endpoint, sessionCreds)
		if err := r.checkList(ctx, false); err != nil {
			return err
		}
	} else {
		r.client = c.s3Client(target.Region, target.Endpoint, sessionCreds)
		if err := r.checkList(ctx, true); err != nil || r.stopped() {
			return err
		}
	}
	if r.rejected {
		return nil
	}
	return r.checkObjects(ctx)
}

// stopped reports whether the bucket or region check failed: nothing else
// can run against a missing bucket or the wrong region.
func (r *s3Run) stopped() bool {
	for _, ch := range r.checks {
		if !ch.Success && (ch.Name == CheckBucket || ch.Name == CheckRegion) {
			return true
		}
	}
	return false
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

// checkBucket adds the bucket and region checks from a HeadBucket, for a
// target without a declared region. It returns the bucket's region (when
// reported) and whether the other checks should run.
func (r *s3Run) checkBucket(ctx context.Context, creds aws.Credentials) (string, bool, error) {
	t := r.target
	r.client = r.c.s3Client(t.Region, t.Endpoint, creds)
	out, err := r.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(t.Bucket)})
	var region string
	if err == nil {
		region = aws.ToString(out.BucketRegion)
		r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists (HeadBucket).", t.Bucket)})
	} else {
		ae := parseAWSError(err)
		if !ae.isAWSResponse() {
			return "", false, fmt.Errorf("s3:HeadBucket on %s: %w", t.Bucket, err)
		}
		// GOTCHA: HeadBucket has no response body, so there is no error
		// code, only the status. S3 reports the region of an existing bucket
		// even when it denies access (403), or when asked in the wrong
		// region (301, 400), so the header proves the bucket exists.
		region = ae.header.Get(headerBucketRegion)
		switch {
		case ae.status == http.StatusNotFound || ae.code == codeNoSuchBucket:
			r.add(Check{Name: CheckBucket, Code: CodeNotFound, Message: fmt.Sprintf("Bucket %q does not exist (HeadBucket returned %s). Check the bucket name.", t.Bucket, ae.describe())})
			return "", false, nil
		case region != "":
			r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists (HeadBucket).", t.Bucket)})
		case ae.status == http.StatusForbidden:
			// Without the header (S3-compatible stores) a 403 still means
			// the name is taken; the list check reports the permission.
			r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists (HeadBucket was denied; the list check covers listing).", t.Bucket)})
		default:
			r.add(Check{Name: CheckBucket, Code: CodeFailed, Message: fmt.Sprintf("Bucket %q could not be checked: HeadBucket returned %s.", t.Bucket, ae.describe())})
			return "", false, nil
		}
	}
	if region == "" {
		r.add(Check{Name: CheckRegion, Success: true, Message: "The endpoint does not report the bucket's region, and none was declared."})
	} else {
		r.add(Check{Name: CheckRegion, Success: true, Message: fmt.Sprintf("Bucket is in region %s (no region declared).", region)})
	}
	return region, true, nil
}

// headerBucketRegion is the response header in which S3 names a bucket's
// region: on HeadBucket, on every ListObjects(V2) answer, and on the errors
// for an existing bucket asked in the wrong region or denied.
const headerBucketRegion = "x-amz-bucket-region"

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

// checkList lists under the path (s3:ListBucket) and picks a data object
// for the read check. With locate set (a declared region) the same answer
// also decides the bucket and region checks: a 404 means no bucket, and the
// x-amz-bucket-region header, or a redirect, tells the region.
func (r *s3Run) checkList(ctx context.Context, locate bool) error {
	t := r.target
	out, err := r.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket:  aws.String(t.Bucket),
		Prefix:  aws.String(t.Path),
		MaxKeys: aws.Int32(maxListKeys),
	})
	var ae awsError
	var header http.Header
	if err == nil {
		header = rawHeader(out.ResultMetadata)
	} else {
		ae = parseAWSError(err)
		if !ae.isAWSResponse() {
			return fmt.Errorf("listing %s: %w", r.where(), err)
		}
		header = ae.header
	}
	if locate && (err == nil || !ae.badCredentials()) {
		if !r.locate(err, ae, header.Get(headerBucketRegion)) {
			return nil
		}
	}
	if err != nil {
		ch, err := r.failure(CheckList, policy.ActionListBucket, policy.BucketARN(r.partition, t.Bucket), "listing "+r.where(), t.Path, err)
		if err != nil {
			return err
		}
		r.add(ch)
		r.noData = "the list was refused, so no data object was found"
		return nil
	}
	r.dataKey, r.noData = pickDataObject(out, t.Path)
	r.add(Check{Name: CheckList, Success: true, Message: fmt.Sprintf("Listed objects under %s (s3:ListBucket, ListObjectsV2).", r.where())})
	return nil
}

// locate adds the bucket and region checks from the list's answer and
// reports whether the other checks can run.
func (r *s3Run) locate(err error, ae awsError, region string) bool {
	t := r.target
	wrongRegion := err != nil && (ae.code == codePermanentRedirect || ae.code == codeAuthHeaderMalformed || ae.status == http.StatusMovedPermanently)
	switch {
	case err != nil && (ae.status == http.StatusNotFound || ae.code == codeNoSuchBucket):
		r.add(Check{Name: CheckBucket, Code: CodeNotFound, Message: fmt.Sprintf("Bucket %q does not exist (ListObjectsV2 returned %s). Check the bucket name.", t.Bucket, ae.describe())})
		return false
	case err != nil && !ae.accessDenied() && !wrongRegion && region == "":
		r.add(Check{Name: CheckBucket, Code: CodeFailed, Message: fmt.Sprintf("Bucket %q could not be checked: ListObjectsV2 returned %s.", t.Bucket, ae.describe())})
		return false
	}
	r.add(Check{Name: CheckBucket, Success: true, Message: fmt.Sprintf("Bucket %q exists (it answered ListObjectsV2).", t.Bucket)})
	switch {
	case region != "" && !sameRegion(region, t.Region):
		r.add(Check{Name: CheckRegion, Code: CodeRegionMismatch, Message: fmt.Sprintf("Bucket %q is in region %s, not %s as declared. Set the region to %q.", t.Bucket, region, t.Region, region)})
		return false
	case wrongRegion:
		r.add(Check{Name: CheckRegion, Code: CodeRegionMismatch, Message: fmt.Sprintf("S3 refused the list because bucket %q is not in region %s (%s). Check the region.", t.Bucket, t.Region, ae.describe())})
		return false
	case region != "":
		r.add(Check{Name: CheckRegion, Success: true, Message: fmt.Sprintf("Bucket is in region %s (x-amz-bucket-region of the list answer).", region)})
	case t.Endpoint != "":
		r.add(Check{Name: CheckRegion, Success: true, Warning: true,
			Message: "The endpoint does not report the bucket's region, so it was not verified."})
	default:
		r.add(Check{Name: CheckRegion, Success: true, Message: fmt.Sprintf("Bucket is in region %s: S3 answered the request sent to that region without redirecting it.", t.Region)})
	}
	return true
}

// pickDataObject returns the first non-empty object of the list outside
// the probe folder and the probes, or "" and why there is none.
func pickDataObject(out *s3.ListObjectsV2Output, path string) (string, string) {
	for _, o := range out.Contents {
		k := aws.ToString(o.Key)
		if isDataObject(k, path) && (o.Size == nil || *o.Size > 0) {
			return k, ""
		}
	}
	if aws.ToBool(out.IsTruncated) {
		return "", fmt.Sprintf("the first %d keys under the path are all in %s, probes or empty", maxListKeys, rules.ProbeFolder)
	}
	return "", "the path holds no non-empty object outside " + rules.ProbeFolder
}

// rawHeader returns the HTTP headers of a successful answer.
func rawHeader(md middleware.Metadata) http.Header {
	if resp, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok && resp != nil {
		return resp.Header
	}
	return http.Header{}
}

// probeKey is the probe of this run (see DeleteProbeKey).
func (r *s3Run) probeKey() string {
	if r.target.AllowDelete {
		return r.target.Path + DeleteProbeKey
	}
	return r.target.Path + ProbeKey
}

// checkObjects writes the probe, reads a data object (or, when there is
// none, the probe back) and deletes the probe.
func (r *s3Run) checkObjects(ctx context.Context) error {
	t := r.target
	key := r.probeKey()
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
		hintPath := t.Path + rules.ProbeFolder
		if t.AllowDelete {
			hintPath = t.Path
		}
		ch, err := r.failure(CheckWrite, policy.ActionPutObject, policy.ObjectARN(r.partition, t.Bucket, key), "writing the probe object "+key, hintPath, err)
		if err != nil {
			return err
		}
		r.add(ch)
		if r.dataKey != "" && !r.rejected {
			// Reading data does not depend on the probe.
			return r.readData(ctx)
		}
		return nil
	}
	r.add(Check{Name: CheckWrite, Success: true, Message: fmt.Sprintf("Wrote the probe object %s (s3:PutObject).", key)})

	return whileProbeExists(ctx,
		func(ctx context.Context) error {
			if r.dataKey != "" {
				return r.readData(ctx)
			}
			return r.readProbe(ctx, key, content)
		},
		func(ctx context.Context) error { return r.checkDelete(ctx, key) })
}

// readData reads the first byte of the data object the list found: the
// platform reads the items under the path, not only its probe folder.
func (r *s3Run) readData(ctx context.Context) error {
	t, key := r.target, r.dataKey
	out, err := r.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key), Range: aws.String("bytes=0-0")})
	if err == nil {
		_, err = io.Copy(io.Discard, io.LimitReader(out.Body, 16))
		out.Body.Close()
		if err != nil {
			return fmt.Errorf("reading the data object %s: %w", key, err)
		}
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the first byte of the data object %s (s3:GetObject on a data object under %s).", key, r.where())})
		return nil
	}
	if ae := parseAWSError(err); ae.code == codeNoSuchKey {
		r.add(Check{Name: CheckRead, Code: CodePropagation, retryable: true, Message: fmt.Sprintf("The data object %s was deleted between the list and the read; reading data objects was not proven.", key)})
		return nil
	}
	ch, err := r.failure(CheckRead, policy.ActionGetObject, policy.ObjectARN(r.partition, t.Bucket, key), "reading the first byte of the data object "+key, t.Path, err)
	if err != nil {
		return err
	}
	r.add(ch)
	return nil
}

// readProbe reads the probe back, when the path holds no data object.
func (r *s3Run) readProbe(ctx context.Context, key string, want []byte) error {
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
	notProven := fmt.Sprintf(" Reading data objects was not proven: %s.", r.noData)
	switch {
	case err == nil && readProbeContent(got, want) == probeIntact:
		r.add(Check{Name: CheckRead, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf("Read the probe object %s back (s3:GetObject).", key) + notProven})
	case err == nil && readProbeContent(got, want) == probeRewritten:
		r.add(Check{Name: CheckRead, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf("Read the probe object %s back (s3:GetObject; another access check rewrote it meanwhile).", key) + notProven})
	case err == nil:
		r.add(Check{Name: CheckRead, Code: CodeContentMismatch, Message: fmt.Sprintf("Read the probe object %s back, but its content differs from what was written. Check that nothing rewrites objects in this bucket (e.g. a Lambda or an object lock configuration).", key)})
	default:
		ae := parseAWSError(err)
		if ae.code == codeNoSuchKey {
			r.add(Check{Name: CheckRead, Code: CodePropagation, retryable: true, Message: fmt.Sprintf("The probe object %s was gone right after it was written (another access check may have removed it).", key)})
			return nil
		}
		ch, err := r.failure(CheckRead, policy.ActionGetObject, policy.ObjectARN(r.partition, t.Bucket, key), "reading the probe object "+key, t.Path, err)
		if err != nil {
			return err
		}
		r.add(ch)
	}
	return nil
}

// checkDelete removes the probe. With AllowDelete the probe lies outside
// .dataloop/, so this one call also proves s3:DeleteObject on the path.
func (r *s3Run) checkDelete(ctx context.Context, key string) error {
	t := r.target
	_, err := r.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(t.Bucket), Key: aws.String(key)})
	if err == nil {
		msg := fmt.Sprintf("Deleted the probe object %s (s3:DeleteObject).", key)
		if t.AllowDelete {
			msg = fmt.Sprintf("Deleted the probe object %s, which lies under %s outside %s (s3:DeleteObject on the path's objects, as allow_delete needs).",
				key, r.where(), rules.ProbeFolder)
		}
		r.add(Check{Name: CheckDelete, Success: true, Message: msg})
		return nil
	}
	if !t.AllowDelete {
		// Deleting is not required: report what is left behind and how
		// to let the platform clean up, as a warning.
		ch, ferr := r.failure(CheckDelete, policy.ActionDeleteObject, policy.ObjectARN(r.partition, t.Bucket, key), "deleting the probe object "+key, t.Path+rules.ProbeFolder, err)
		if ferr != nil {
			return ferr
		}
		ch.Success, ch.Warning, ch.retryable = true, true, false
		ch.Message += " The probe object stays in the bucket; deleting is not required because allow_delete is false."
		r.add(ch)
		return nil
	}
	ch, err := r.failure(CheckDelete, policy.ActionDeleteObject, policy.ObjectARN(r.partition, t.Bucket, key), "deleting the probe object "+key, t.Path, err)
	if err != nil {
		return err
	}
	ch.Message += " allow_delete is true, so the platform needs it. The probe object stays in the bucket."
	r.add(ch)
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
	case ae.explicitDeny():
		ch.Code = CodeExplicitDeny
		ch.Message = fmt.Sprintf("Explicitly denied: a Deny statement covers %s on %s (%s returned %s). An Allow cannot override it: remove the Deny statement or narrow it so that it does not match this action and resource.",
			action, resource, doing, ae.describe())
	case ae.accessDenied():
		ch.Code = CodeDenied
		ch.retryable = true
		ch.Message = fmt.Sprintf("Access denied: %s on %s is not granted (%s returned %s).", action, resource, doing, ae.describe())
		ch.Hint = statementHint(r.partition, action, r.target.Bucket, hintPath)
	case ae.unknownKey():
		ch.Code = CodePropagation
		ch.retryable = true
		r.rejected = true
		ch.Message = fmt.Sprintf("The access key was rejected while %s (%s). Check the access key ID; a key created moments ago can take a few seconds to become valid.", doing, ae.describe())
	case ae.badCredentials():
		ch.Code = CodeBadCredentials
		r.rejected = true
		ch.Message = fmt.Sprintf("The credentials were rejected while %s (%s). Check the secret access key.", doing, ae.describe())
	case ae.code == codePermanentRedirect || ae.code == codeAuthHeaderMalformed || ae.status == http.StatusMovedPermanently:
		ch.Code = CodeRegionMismatch
		ch.Message = fmt.Sprintf("S3 refused %s because the bucket is in another region (%s). Check the region.", doing, ae.describe())
	default:
		ch.Code = CodeFailed
		ch.Message = fmt.Sprintf("%s failed: %s.", upperFirst(doing), ae.describe())
	}
	return ch, nil
}

func statementHint(partition, action, bucket, path string) string {
	s, err := policy.StatementIn(partition, action, bucket, path).JSON()
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
