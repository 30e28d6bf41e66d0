package accesscheck_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// countingTransport counts the S3 requests a checker sends, by the service
// in their SigV4 credential scope.
type countingTransport struct {
	mu  sync.Mutex
	ops []string
}

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.Header.Get("Authorization"), "/s3/aws4_request") {
		c.mu.Lock()
		c.ops = append(c.ops, req.Method+" "+req.URL.Path+"?"+req.URL.RawQuery)
		c.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func (c *countingTransport) s3Calls() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.ops...)
}

func (e *env) putObject(t *testing.T, key, body string) {
	t.Helper()
	if _, err := e.moto.S3().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(e.bucket), Key: aws.String(key), Body: strings.NewReader(body),
	}); err != nil {
		t.Fatalf("putting %s: %v", key, err)
	}
}

// probeFolderOnly grants what the probe needs and nothing on the data:
// listing the path and writing, reading and deleting in .dataloop/.
func probeFolderOnly(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `"},
{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::` + bucket + `/data/.dataloop/*"}]}`
}

// TestCheckS3_ReadsDataObjects: a role that can write and read .dataloop/
// but not the data under the path fails the read check on a data object;
// a role that can read it passes, and the message names the object.
func TestCheckS3_ReadsDataObjects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.putObject(t, testPath+".dataloop/test-file-1", "platform probe")
	e.putObject(t, testPath+"images/cat.jpg", "jpeg bytes")

	creds := e.role(t, "", probeFolderOnly(e.bucket))
	res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
	if err != nil {
		t.Fatal(err)
	}
	read, _ := check(res, "read")
	if res.Success() || read.Success || read.Code != accesscheck.CodeDenied ||
		!strings.Contains(read.Message, "s3:GetObject on arn:aws:s3:::"+e.bucket+"/data/images/cat.jpg") ||
		!strings.Contains(read.Hint, `"arn:aws:s3:::`+e.bucket+`/data/*"`) {
		t.Fatalf("read check = %+v, want a denied s3:GetObject on the data object with a hint for data/*", read)
	}
	if w, _ := check(res, "write"); !w.Success || !strings.Contains(w.Message, "data/.dataloop/access-check (s3:PutObject)") {
		t.Errorf("write check = %+v", w)
	}

	full := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})))
	res, err = e.checker(accesscheck.Options{}).CheckS3(context.Background(), full, e.target(false))
	requireSuccess(t, res, err)
	read, _ = check(res, "read")
	if !strings.Contains(read.Message, "Read the first byte of the data object data/images/cat.jpg (s3:GetObject") {
		t.Errorf("read message %q does not name the data object read", read.Message)
	}
}

// TestCheckS3_NoDataObjectNotProven: with nothing under the path but the
// probe folder, the read check reads the probe back and says that reading
// data objects was not proven.
func TestCheckS3_NoDataObjectNotProven(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.putObject(t, testPath+".dataloop/test-file-1", "platform probe")
	e.putObject(t, "other/x.txt", "outside the path")
	creds := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})))
	res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
	requireSuccess(t, res, err)
	read, _ := check(res, "read")
	if !strings.Contains(read.Message, "Read the probe object data/.dataloop/access-check back") ||
		!strings.Contains(read.Message, "Reading data objects was not proven") {
		t.Errorf("read message %q must say what was read and that data reads were not proven", read.Message)
	}
}

// TestCheckS3_AtMostFourS3Calls counts the S3 requests of one check, with
// and without allow_delete and a data object: the region comes from the
// list's x-amz-bucket-region header, not a HeadBucket.
func TestCheckS3_AtMostFourS3Calls(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	perms := policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath, AllowDelete: true}))
	creds := e.role(t, "", perms)
	for _, withData := range []bool{false, true} {
		if withData {
			e.putObject(t, testPath+"a.txt", "data")
		}
		for _, allowDelete := range []bool{false, true} {
			ct := &countingTransport{}
			c := e.checker(accesscheck.Options{HTTPClient: &http.Client{Transport: ct}})
			res, err := c.CheckS3(context.Background(), creds, e.target(allowDelete))
			requireSuccess(t, res, err)
			if calls := ct.s3Calls(); len(calls) > 4 {
				t.Errorf("data=%v allow_delete=%v: %d S3 calls, want at most 4: %v", withData, allowDelete, len(calls), calls)
			}
			if r, _ := check(res, "region"); !strings.Contains(r.Message, "x-amz-bucket-region") {
				t.Errorf("region check %q does not say where the region came from", r.Message)
			}
			if d, _ := check(res, "delete"); allowDelete && !strings.Contains(d.Message, "outside .dataloop/") {
				t.Errorf("delete check %q does not say it proved deletes outside the probe folder", d.Message)
			}
		}
	}
	if keys := e.probeKeys(t); len(keys) != 1 || keys[0] != testPath+"a.txt" {
		t.Errorf("objects in the bucket = %v, want only the data object", keys)
	}
}

// TestCheckS3_ExplicitDeny reports a Deny statement as such, with no
// grant as the fix, and does not wait for it to propagate away.
func TestCheckS3_ExplicitDeny(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	doc := bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})
	doc.Statement = append(doc.Statement, policy.Statement{
		Sid: "NoWrites", Effect: "Deny", Action: policy.Values{policy.ActionPutObject}, Resource: policy.Values{"arn:aws:s3:::" + e.bucket + "/*"},
	})
	creds := e.role(t, "", policyJSON(t, doc))
	res, err := e.checker(accesscheck.Options{}).CheckS3UntilReady(context.Background(), creds, e.target(false), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := check(res, "write")
	if w.Success || w.Code != accesscheck.CodeExplicitDeny || !strings.Contains(w.Message, "Explicitly denied") ||
		!strings.Contains(w.Message, "remove the Deny statement or narrow it") || w.Hint != "" {
		t.Fatalf("write check = %+v, want an explicit deny without a grant hint", w)
	}
	if res.Attempts != 1 {
		t.Errorf("an explicit deny was retried: %d attempts", res.Attempts)
	}
}

// TestCheckS3_MissingRole fails assume_role for a role that does not exist
// (AWS refuses AssumeRole on it) instead of passing it and blaming the
// bucket.
func TestCheckS3_MissingRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey,
		RoleARN: "arn:aws:iam::123456789012:role/" + uniqueName("missing")}
	res, err := e.checker(accesscheck.Options{}).CheckS3(context.Background(), creds, e.target(false))
	ch := requireAssumeRoleFailure(t, res, err)
	if ch.Code != accesscheck.CodeDenied || !strings.Contains(ch.Message, "The role must exist") {
		t.Errorf("assume_role check = %+v, want a denial saying the role must exist", ch)
	}
}

// TestCheckS3_FreshSessionsSeeRevokedTrust: with FreshSessions (the
// emulator's setting) a trust revoked after a passed check fails the next
// check; a reused session would hide it until it expired.
func TestCheckS3_FreshSessionsSeeRevokedTrust(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	roleName := uniqueName("role")
	arn := e.moto.CreateRole(t, roleName, trustPolicy(t, e.user.UserARN, ""),
		policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})))
	creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
	c := e.checker(accesscheck.Options{ResultTTL: -1, FreshSessions: true})
	res, err := c.CheckS3(context.Background(), creds, e.target(false))
	requireSuccess(t, res, err)

	other := e.moto.CreateUser(t, uniqueName("other"), "")
	if _, err := e.moto.IAM().UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName: aws.String(roleName), PolicyDocument: aws.String(trustPolicy(t, other.UserARN, "")),
	}); err != nil {
		t.Fatal(err)
	}
	res, err = c.CheckS3(context.Background(), creds, e.target(false))
	requireAssumeRoleFailure(t, res, err)
	if got := c.Stats().AssumeRoleCalls; got != 2 {
		t.Errorf("%d AssumeRole calls, want one per check", got)
	}
}
