package accesscheck_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

const (
	testRegion = "eu-west-1"
	testPath   = "data/"
)

// assumeAnyRole lets the platform user call sts:AssumeRole; moto (like AWS
// across accounts) requires it besides the role's trust policy.
const assumeAnyRole = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

var nameSeq atomic.Int64

// uniqueName returns a bucket-safe name unique in the shared moto server.
func uniqueName(kind string) string {
	return fmt.Sprintf("ac-%s-%d-%d", kind, time.Now().UnixNano()%1e6, nameSeq.Add(1))
}

// env is one test's AWS side: a bucket and a platform user allowed to
// assume roles, in the moto server shared by the package.
type env struct {
	moto   *testenv.Moto
	bucket string
	user   testenv.AccessKey
}

func newEnv(t *testing.T) *env {
	t.Helper()
	m := testenv.SharedMoto(t)
	e := &env{moto: m, bucket: uniqueName("bucket")}
	m.CreateBucket(t, e.bucket, testRegion)
	e.user = m.CreateUser(t, uniqueName("platform"), assumeAnyRole)
	return e
}

func (e *env) checker(opts accesscheck.Options) *accesscheck.Checker {
	opts.AWSEndpoint = e.moto.Endpoint
	return accesscheck.New(opts)
}

func (e *env) target(allowDelete bool) accesscheck.S3Target {
	return accesscheck.S3Target{Bucket: e.bucket, Region: testRegion, Path: testPath, AllowDelete: allowDelete}
}

// role creates a role trusted by the platform user (with externalID when
// set) and granted permissions, and returns credentials that assume it.
func (e *env) role(t *testing.T, externalID, permissions string) accesscheck.AWSCredentials {
	t.Helper()
	arn := e.moto.CreateRole(t, uniqueName("role"), trustPolicy(t, e.user.UserARN, externalID), permissions)
	return accesscheck.AWSCredentials{
		AccessKeyID:     e.user.AccessKeyID,
		SecretAccessKey: e.user.SecretAccessKey,
		RoleARN:         arn,
		ExternalID:      externalID,
	}
}

func (e *env) probeKeys(t *testing.T) []string {
	t.Helper()
	out, err := e.moto.S3().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(e.bucket)})
	if err != nil {
		t.Fatalf("listing bucket: %v", err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func bucketPolicy(t *testing.T, in policy.BucketPolicyInput) *policy.Document {
	t.Helper()
	doc, err := policy.AWSBucketPolicy(in)
	if err != nil {
		t.Fatalf("AWSBucketPolicy: %v", err)
	}
	return doc
}

func policyJSON(t *testing.T, doc *policy.Document) string {
	t.Helper()
	s, err := doc.JSON()
	if err != nil {
		t.Fatalf("policy JSON: %v", err)
	}
	return s
}

func trustPolicy(t *testing.T, principal, externalID string) string {
	t.Helper()
	doc, err := policy.AWSTrustPolicy(policy.TrustPolicyInput{PrincipalARN: principal, ExternalID: externalID})
	if err != nil {
		t.Fatalf("AWSTrustPolicy: %v", err)
	}
	return policyJSON(t, doc)
}

// withoutAction removes action from every statement of doc.
func withoutAction(doc *policy.Document, action string) *policy.Document {
	out := &policy.Document{Version: doc.Version}
	for _, st := range doc.Statement {
		st.Action = slices.DeleteFunc(slices.Clone(st.Action), func(a string) bool { return a == action })
		if len(st.Action) > 0 {
			out.Statement = append(out.Statement, st)
		}
	}
	return out
}

func check(res accesscheck.Result, name string) (accesscheck.Check, bool) {
	for _, c := range res.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return accesscheck.Check{}, false
}

func names(res accesscheck.Result) []string {
	var out []string
	for _, c := range res.Checks {
		out = append(out, c.Name)
	}
	return out
}

func requireSuccess(t *testing.T, res accesscheck.Result, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	if !res.Success() {
		t.Fatalf("check failed: %s\nchecks: %+v", res.Error(), res.Checks)
	}
}

func TestCheckS3_StaticKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, allowDelete := range []bool{false, true} {
		t.Run(fmt.Sprintf("allow_delete=%t", allowDelete), func(t *testing.T) {
			doc := bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath, AllowDelete: allowDelete})
			key := e.moto.CreateUser(t, uniqueName("s3key"), policyJSON(t, doc))
			c := e.checker(accesscheck.Options{})
			res, err := c.CheckS3(context.Background(), accesscheck.AWSCredentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}, e.target(allowDelete))
			requireSuccess(t, res, err)
			want := []string{"bucket", "region", "list", "write", "read", "delete"}
			if got := names(res); !slices.Equal(got, want) {
				t.Errorf("checks = %v, want %v", got, want)
			}
			for _, ch := range res.Checks {
				// The bucket holds no data object: the read check says so.
				notProven := ch.Name == "read" && ch.Code == accesscheck.CodeNotProven
				if ch.Warning != notProven || ch.Hint != "" {
					t.Errorf("check %s: unexpected warning or hint: %+v", ch.Name, ch)
				}
			}
			if keys := e.probeKeys(t); len(keys) != 0 {
				t.Errorf("objects left in the bucket: %v", keys)
			}
		})
	}
}

func TestCheckS3_AssumeRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	perms := policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath, AllowDelete: true}))
	for _, externalID := range []string{"", "ext-id-123"} {
		t.Run("external_id="+externalID, func(t *testing.T) {
			creds := e.role(t, externalID, perms)
			res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(true))
			requireSuccess(t, res, err)
			if ch, _ := check(res, "assume_role"); !strings.Contains(ch.Message, accesscheck.SessionName) {
				t.Errorf("assume_role message %q does not name the session", ch.Message)
			}
			if keys := e.probeKeys(t); len(keys) != 0 {
				t.Errorf("objects left in the bucket: %v", keys)
			}
		})
	}
}

func TestCheckS3_EndpointOverride(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := e.moto.CreateUser(t, uniqueName("compat"), policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})))
	// An S3-compatible store: the endpoint comes with the target, not the
	// checker.
	c := accesscheck.New(accesscheck.Options{})
	target := e.target(false)
	target.Endpoint = e.moto.Endpoint
	res, err := c.CheckS3(context.Background(), accesscheck.AWSCredentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}, target)
	requireSuccess(t, res, err)
}

// TestCheckS3_MissingAction removes one action from the generated policy
// and expects the matching check to fail, naming the action.
func TestCheckS3_MissingAction(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		action      string
		allowDelete bool
		check       string
	}{
		{action: policy.ActionListBucket, check: "list"},
		{action: policy.ActionPutObject, check: "write"},
		{action: policy.ActionGetObject, check: "read"},
		{action: policy.ActionDeleteObject, allowDelete: true, check: "delete"},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			doc := bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath, AllowDelete: tt.allowDelete})
			creds := e.role(t, "", policyJSON(t, withoutAction(doc, tt.action)))
			res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(tt.allowDelete))
			if err != nil {
				t.Fatalf("check error: %v", err)
			}
			if res.Success() {
				t.Fatalf("check passed without %s: %+v", tt.action, res.Checks)
			}
			failed := res.Failed()
			if len(failed) != 1 || failed[0].Name != tt.check {
				t.Fatalf("failed checks = %+v, want only %q", failed, tt.check)
			}
			if !strings.Contains(failed[0].Message, tt.action) {
				t.Errorf("message %q does not name %s", failed[0].Message, tt.action)
			}
			if !strings.Contains(failed[0].Message, "arn:aws:s3:::"+e.bucket) {
				t.Errorf("message %q does not name the resource", failed[0].Message)
			}
			if !strings.Contains(failed[0].Hint, `"`+tt.action+`"`) {
				t.Errorf("hint %q does not grant %s", failed[0].Hint, tt.action)
			}
			if !strings.Contains(res.Error(), tt.action) {
				t.Errorf("summary %q does not name %s", res.Error(), tt.action)
			}

			// The probe is removed whenever the role may delete it.
			var want []string
			if tt.action == policy.ActionDeleteObject {
				// With allow_delete the probe lies outside .dataloop/.
				want = []string{testPath + accesscheck.DeleteProbeKey}
			}
			if keys := e.probeKeys(t); !slices.Equal(keys, want) {
				t.Errorf("objects in the bucket = %v, want %v", keys, want)
			}
			for _, k := range want {
				if _, err := e.moto.S3().DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(e.bucket), Key: aws.String(k)}); err != nil {
					t.Fatalf("removing %s: %v", k, err)
				}
			}
		})
	}
}

// TestCheckS3_ReadOnlyRoleWithAllowDelete: the probe folder grants
// s3:DeleteObject, but allow_delete needs it on the whole path, so its probe
// lies outside .dataloop/, where a read-only role cannot write it.
func TestCheckS3_ReadOnlyRoleWithAllowDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath, ReadOnly: true})))
	c := e.checker(accesscheck.Options{})

	res, err := c.CheckS3(context.Background(), creds, e.target(true))
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	ch, _ := check(res, "write")
	if res.Success() || ch.Success || !strings.Contains(ch.Message, "s3:PutObject on arn:aws:s3:::"+e.bucket+"/data/.dataloop-access-check") ||
		!strings.Contains(ch.Hint, `"arn:aws:s3:::`+e.bucket+`/data/*"`) {
		t.Fatalf("write check = %+v, want a failure naming s3:PutObject on the probe outside .dataloop/", ch)
	}
	if _, ran := check(res, "delete"); ran {
		t.Errorf("delete ran without a probe to delete: %v", names(res))
	}

	res, err = c.CheckS3(context.Background(), creds, e.target(false))
	requireSuccess(t, res, err)
}

func TestCheckS3_ProbeNotDeletable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := withoutAction(bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath}), policy.ActionDeleteObject)
	creds := e.role(t, "", policyJSON(t, doc))
	res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
	requireSuccess(t, res, err)
	ch, _ := check(res, "delete")
	if !ch.Warning || !strings.Contains(ch.Message, "s3:DeleteObject") || !strings.Contains(ch.Hint, ".dataloop/") {
		t.Errorf("delete check = %+v, want a warning with a probe-folder hint", ch)
	}
	// The other warning: the empty bucket holds no data object to read.
	if got := len(res.Warnings()); got != 2 {
		t.Errorf("%d warnings, want 2 (delete, and read not proven): %+v", got, res.Warnings())
	}
}

func TestCheckS3_AssumeRoleDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	perms := policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath}))

	t.Run("wrong principal", func(t *testing.T) {
		other := e.moto.CreateUser(t, uniqueName("other"), "")
		arn := e.moto.CreateRole(t, uniqueName("role"), trustPolicy(t, other.UserARN, ""), perms)
		creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
		res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
		ch := requireAssumeRoleFailure(t, res, err)
		if !strings.Contains(ch.Message, arn) || !strings.Contains(ch.Message, e.user.UserARN) {
			t.Errorf("message %q should name the role and the caller", ch.Message)
		}
		if !strings.Contains(ch.Hint, e.user.UserARN) {
			t.Errorf("hint %q should trust the caller", ch.Hint)
		}
	})

	t.Run("wrong external id", func(t *testing.T) {
		creds := e.role(t, "right-id", perms)
		creds.ExternalID = "wrong-id"
		res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
		ch := requireAssumeRoleFailure(t, res, err)
		if !strings.Contains(ch.Message, "sts:ExternalId") || !strings.Contains(ch.Hint, "wrong-id") {
			t.Errorf("assume_role check = %+v, want the external ID condition in message and hint", ch)
		}
	})

	t.Run("unknown key", func(t *testing.T) {
		creds := e.role(t, "", perms)
		creds.AccessKeyID = "AKIAUNKNOWNKEY000000"
		res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
		ch := requireAssumeRoleFailure(t, res, err)
		if !strings.Contains(ch.Message, "InvalidClientTokenId") {
			t.Errorf("message %q should give the AWS error code", ch.Message)
		}
	})
}

func requireAssumeRoleFailure(t *testing.T, res accesscheck.Result, err error) accesscheck.Check {
	t.Helper()
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	if got := names(res); !slices.Equal(got, []string{"assume_role"}) || res.Success() {
		t.Fatalf("checks = %+v, want only a failed assume_role", res.Checks)
	}
	ch := res.Checks[0]
	if !strings.Contains(ch.Message, "sts:AssumeRole") && !strings.Contains(ch.Message, "access key") {
		t.Errorf("message %q does not explain the failure", ch.Message)
	}
	return ch
}

func TestCheckS3_WrongRegion(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})))
	target := e.target(false)
	target.Region = "us-west-2"
	c := e.checker(accesscheck.Options{})
	res, err := c.CheckS3UntilReady(context.Background(), creds, target, time.Minute)
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	ch, _ := check(res, "region")
	if ch.Success || !strings.Contains(ch.Message, testRegion) || !strings.Contains(ch.Message, "us-west-2") {
		t.Fatalf("region check = %+v, want a failure naming both regions", ch)
	}
	if _, ok := check(res, "list"); ok {
		t.Errorf("checks after a wrong region ran: %v", names(res))
	}
	if res.Attempts != 1 {
		t.Errorf("a wrong region was retried: %d attempts", res.Attempts)
	}

	// Without a declared region the bucket's own is used.
	target.Region = ""
	res, err = c.CheckS3(context.Background(), creds, target)
	requireSuccess(t, res, err)
}

func TestCheckS3_MissingBucket(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	missing := uniqueName("missing")
	creds := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: missing, Path: testPath})))
	target := e.target(false)
	target.Bucket = missing
	res, err := e.checker(accesscheck.Options{}).CheckS3UntilReady(context.Background(), creds, target, time.Minute)
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	ch, _ := check(res, "bucket")
	if ch.Success || !strings.Contains(ch.Message, "does not exist") {
		t.Fatalf("bucket check = %+v, want a failure", ch)
	}
	if got := names(res); !slices.Equal(got, []string{"assume_role", "bucket"}) {
		t.Errorf("checks = %v, want assume_role and bucket only", got)
	}
	if res.Attempts != 1 {
		t.Errorf("a missing bucket was retried: %d attempts", res.Attempts)
	}
}

func TestCheckS3_InvalidInput(t *testing.T) {
	t.Parallel()
	c := accesscheck.New(accesscheck.Options{AWSEndpoint: "http://127.0.0.1:1"})
	key := accesscheck.AWSCredentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret"}
	good := accesscheck.S3Target{Bucket: "my-bucket", Region: "us-east-1", Path: "data"}
	tests := map[string]struct {
		creds  accesscheck.AWSCredentials
		target accesscheck.S3Target
	}{
		"empty bucket":   {key, accesscheck.S3Target{Region: "us-east-1"}},
		"invalid bucket": {key, accesscheck.S3Target{Bucket: "My_Bucket"}},
		"bad region":     {key, accesscheck.S3Target{Bucket: "my-bucket", Region: "Frankfurt"}},
		"bad role ARN":   {accesscheck.AWSCredentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", RoleARN: "arn:aws:iam::123:user/x"}, good},
		"bad external":   {accesscheck.AWSCredentials{AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", RoleARN: "arn:aws:iam::123456789012:role/r", ExternalID: "x"}, good},
		"empty key":      {accesscheck.AWSCredentials{}, good},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			res, err := c.CheckS3UntilReady(context.Background(), tt.creds, tt.target, time.Minute)
			if !accesscheck.IsInputError(err) {
				t.Fatalf("got (%+v, %v), want an input error", res, err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error %q leaks the secret", err)
			}
		})
	}
	if got := c.Stats(); got.CheckRuns != 0 {
		t.Errorf("%d checks ran for invalid input", got.CheckRuns)
	}
}

// retryHook is a Logger that closes ch the first time the checker
// schedules a retry, i.e. once a first attempt has failed.
type retryHook struct {
	once sync.Once
	ch   chan struct{}
}

func newRetryHook() *retryHook { return &retryHook{ch: make(chan struct{})} }

func (h *retryHook) Debug(_ context.Context, msg string, _ map[string]any) {
	if msg == "Retrying access check" {
		h.once.Do(func() { close(h.ch) })
	}
}

func TestCheckS3UntilReady_Propagation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	perms := policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath}))

	t.Run("permission granted after the check started", func(t *testing.T) {
		roleName := uniqueName("late-perm")
		arn := e.moto.CreateRole(t, roleName, trustPolicy(t, e.user.UserARN, ""), "")
		creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
		hook := newRetryHook()
		done := make(chan struct{})
		go func() {
			defer close(done)
			select {
			case <-hook.ch:
				e.moto.PutRolePolicy(t, roleName, perms)
			case <-time.After(2 * time.Minute):
			}
		}()
		res, err := e.checker(accesscheck.Options{Logger: hook}).CheckS3UntilReady(context.Background(), creds, e.target(false), 2*time.Minute)
		<-done
		requireSuccess(t, res, err)
		if res.Attempts < 2 {
			t.Errorf("attempts = %d, want a retry", res.Attempts)
		}
	})

	t.Run("trust granted after the check started", func(t *testing.T) {
		roleName := uniqueName("late-trust")
		other := e.moto.CreateUser(t, uniqueName("other"), "")
		arn := e.moto.CreateRole(t, roleName, trustPolicy(t, other.UserARN, ""), perms)
		creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
		hook := newRetryHook()
		done := make(chan struct{})
		go func() {
			defer close(done)
			select {
			case <-hook.ch:
				if _, err := e.moto.IAM().UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
					RoleName:       aws.String(roleName),
					PolicyDocument: aws.String(trustPolicy(t, e.user.UserARN, "")),
				}); err != nil {
					t.Errorf("updating trust policy: %v", err)
				}
			case <-time.After(2 * time.Minute):
			}
		}()
		c := e.checker(accesscheck.Options{Logger: hook})
		res, err := c.CheckS3UntilReady(context.Background(), creds, e.target(false), 2*time.Minute)
		<-done
		requireSuccess(t, res, err)
		if got := c.Stats().AssumeRoleCalls; got < 2 {
			t.Errorf("AssumeRole calls = %d, want the denied one retried", got)
		}
	})

	t.Run("permission never granted", func(t *testing.T) {
		creds := e.role(t, "", "")
		res, err := e.checker(accesscheck.Options{}).CheckS3UntilReady(context.Background(), creds, e.target(false), 3*time.Second)
		if err != nil {
			t.Fatalf("check error: %v", err)
		}
		if res.Success() {
			t.Fatal("check passed without permissions")
		}
		ch, _ := check(res, "list")
		if ch.Success || !strings.Contains(ch.Message, "s3:ListBucket") {
			t.Errorf("list check = %+v, want the last AccessDenied", ch)
		}
	})

	t.Run("context canceled", func(t *testing.T) {
		creds := e.role(t, "", "")
		ctx, cancel := context.WithCancel(context.Background())
		hook := newRetryHook()
		go func() {
			<-hook.ch
			cancel()
		}()
		_, err := e.checker(accesscheck.Options{Logger: hook}).CheckS3UntilReady(ctx, creds, e.target(false), 10*time.Minute)
		if err == nil {
			t.Fatal("want the context's error")
		}
	})
}

func TestCheckS3_Cache(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	perms := policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: ""}))
	creds := e.role(t, "", perms)
	c := e.checker(accesscheck.Options{})
	ctx := context.Background()

	// Identical checks, several at once: one run, one AssumeRole.
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			res, err := c.CheckS3(ctx, creds, e.target(false))
			if err != nil || !res.Success() {
				t.Errorf("concurrent check: %v %s", err, res.Error())
			}
		})
	}
	wg.Wait()
	if got := c.Stats(); got != (accesscheck.Stats{AssumeRoleCalls: 1, CheckRuns: 1}) {
		t.Fatalf("stats after identical checks = %+v, want 1 AssumeRole and 1 run", got)
	}
	res, err := c.CheckS3(ctx, creds, e.target(false))
	requireSuccess(t, res, err)
	if got := c.Stats(); got != (accesscheck.Stats{AssumeRoleCalls: 1, CheckRuns: 1}) {
		t.Fatalf("stats after a repeated check = %+v, want it served from the cache", got)
	}

	// A different path runs again with the same session.
	other := e.target(false)
	other.Path = "other/"
	res, err = c.CheckS3(ctx, creds, other)
	requireSuccess(t, res, err)
	if got := c.Stats(); got != (accesscheck.Stats{AssumeRoleCalls: 1, CheckRuns: 2}) {
		t.Fatalf("stats after another path = %+v, want 1 AssumeRole and 2 runs", got)
	}

	// Paths are normalized before they are compared.
	other.Path = "/other"
	if _, err := c.CheckS3(ctx, creds, other); err != nil || c.Stats().CheckRuns != 2 {
		t.Fatalf("an equivalent path ran again: %v %+v", err, c.Stats())
	}

	// Failures are not remembered.
	denied := e.target(true) // the role may not delete under the path
	for range 2 {
		res, err := c.CheckS3(ctx, creds, denied)
		if err != nil || res.Success() {
			t.Fatalf("check with allow_delete: %v %+v", err, res)
		}
	}
	if got := c.Stats().CheckRuns; got != 4 {
		t.Errorf("runs after two failed checks = %d, want 4", got)
	}
}

func TestCheckS3_SessionRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket})))
	c := e.checker(accesscheck.Options{ResultTTL: -1})
	var offset atomic.Int64
	accesscheck.SetClock(c, func() time.Time { return time.Now().Add(time.Duration(offset.Load())) })
	ctx := context.Background()

	for range 2 {
		res, err := c.CheckS3(ctx, creds, e.target(false))
		requireSuccess(t, res, err)
	}
	if got := c.Stats(); got != (accesscheck.Stats{AssumeRoleCalls: 1, CheckRuns: 2}) {
		t.Fatalf("stats = %+v, want 2 runs (ResultTTL < 0) and 1 AssumeRole", got)
	}
	// moto's sessions last an hour; 56 minutes later one is due for
	// renewal.
	offset.Store(int64(56 * time.Minute))
	res, err := c.CheckS3(ctx, creds, e.target(false))
	requireSuccess(t, res, err)
	if got := c.Stats().AssumeRoleCalls; got != 2 {
		t.Errorf("AssumeRole calls = %d, want the session renewed", got)
	}
}

// recordingLogger keeps every field logged.
type recordingLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *recordingLogger) Debug(_ context.Context, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf("%s %v", msg, fields))
}

func TestCheckS3_NoSecretsInOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	log := &recordingLogger{}
	c := e.checker(accesscheck.Options{Logger: log})
	creds := e.role(t, "ext-secret-id", "") // no permissions: failures with messages
	creds.SessionToken = ""
	res, err := c.CheckS3UntilReady(context.Background(), creds, e.target(true), time.Second)
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	out := strings.Join(log.lines, "\n") + res.Error()
	for _, ch := range res.Checks {
		out += ch.Message + ch.Hint
	}
	out += fmt.Sprintf("%v %+v %#v %s", creds, creds, creds, creds)
	if strings.Contains(out, e.user.SecretAccessKey) {
		t.Errorf("secret access key in output:\n%s", out)
	}
	if !strings.Contains(fmt.Sprintf("%#v", creds), "<redacted>") {
		t.Errorf("%%#v does not redact: %#v", creds)
	}
}

func BenchmarkCheckS3Cached(b *testing.B) {
	m := testenv.SharedMoto(b)
	bucket := uniqueName("bench")
	m.CreateBucket(b, bucket, testRegion)
	doc, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{Bucket: bucket, Path: testPath})
	if err != nil {
		b.Fatal(err)
	}
	perms, _ := doc.JSON()
	key := m.CreateUser(b, uniqueName("bench"), perms)
	c := accesscheck.New(accesscheck.Options{AWSEndpoint: m.Endpoint})
	creds := accesscheck.AWSCredentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	target := accesscheck.S3Target{Bucket: bucket, Region: testRegion, Path: testPath}
	ctx := context.Background()
	if res, err := c.CheckS3(ctx, creds, target); err != nil || !res.Success() {
		b.Fatalf("warm-up check: %v %s", err, res.Error())
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.CheckS3(ctx, creds, target); err != nil {
			b.Fatal(err)
		}
	}
	if got := c.Stats().CheckRuns; got != 1 {
		b.Fatalf("%d runs, want 1", got)
	}
}
