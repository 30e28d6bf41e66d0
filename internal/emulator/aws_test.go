package emulator

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// startWithMoto runs an emulator that uses the shared moto server as the
// platform's AWS account.
func startWithMoto(t *testing.T) (*testenv.Moto, *api) {
	t.Helper()
	m := testenv.SharedMoto(t)
	_, ts := startServer(t, Options{AWS: &AWSOptions{Endpoint: m.Endpoint, Region: m.Region,
		AccessKeyID: m.AdminAccessKeyID, SecretAccessKey: m.AdminSecretAccessKey}})
	return m, newAPI(t, ts, DemoToken)
}

// uniqueName gives moto resources names that do not collide between tests
// sharing one server.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%s", prefix, newID()[:10])
}

func bucketPolicy(t *testing.T, bucket, path string) string {
	t.Helper()
	d, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{Bucket: bucket, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	j, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func trustPolicy(t *testing.T, principal string) string {
	t.Helper()
	d, err := policy.AWSTrustPolicy(policy.TrustPolicyInput{PrincipalARN: principal})
	if err != nil {
		t.Fatal(err)
	}
	j, err := d.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func driverBody(name, integrationID, integrationType, bucket, path string, allowDelete bool) map[string]any {
	return map[string]any{"name": name, "type": "s3", "integrationId": integrationID, "integrationType": integrationType,
		"creator": DemoUserEmail, "allowExternalDelete": allowDelete,
		"metadata": map[string]any{"system": map[string]any{"projectId": DemoProjectID}},
		"payload":  map[string]any{"bucketName": bucket, "region": testenv.MotoRegion, "path": path}}
}

// failedChecks maps the name of each failed check of a 424 to its message.
func failedChecks(r resp) map[string]string { return failedCheckField(r, "message") }

// checkCodes maps the name of each failed check of a 424 to its code.
func checkCodes(r resp) map[string]string { return failedCheckField(r, "code") }

// failedCheckField maps the name of each failed check of a 424 to the
// value of one of its fields.
func failedCheckField(r resp, field string) map[string]string {
	out := map[string]string{}
	list, _ := r.obj()["checks"].([]any)
	for _, c := range list {
		m, _ := c.(map[string]any)
		if ok, _ := m["success"].(bool); !ok {
			out[obj(m).str("name")] = obj(m).str(field)
		}
	}
	return out
}

func TestDriverTestAccessKey(t *testing.T) {
	t.Parallel()
	m, a := startWithMoto(t)
	bucket := uniqueName("emu-key")
	m.CreateBucket(t, bucket, "")
	key := m.CreateUser(t, uniqueName("emu-key-user"), bucketPolicy(t, bucket, "data/"))
	iid := a.createIntegration("key", "s3", map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey}).str("id")

	a.must(204, "POST", "/drivers/test", driverBody("ok", iid, "s3", bucket, "data/", false))
	id := a.must(200, "POST", "/drivers", driverBody("ok", iid, "s3", bucket, "data/", false)).obj().str("id")
	a.must(204, "GET", "/drivers/"+id+"/test", nil)

	// Deleting needs s3:DeleteObject, which this policy does not grant.
	r := a.must(424, "POST", "/drivers/test", driverBody("del", iid, "s3", bucket, "data/", true))
	t.Logf("424 answer: %s", r.raw)
	if f := failedChecks(r); !strings.Contains(f["delete"], "s3:DeleteObject") {
		t.Errorf("allow delete without the permission: failed checks %v, message %q", f, r.message())
	}
	// A missing bucket fails the bucket check.
	r = a.must(424, "POST", "/drivers/test", driverBody("missing", iid, "s3", bucket+"-missing", "data/", false))
	if f := failedChecks(r); f["bucket"] == "" || r.message() == "" {
		t.Errorf("missing bucket: %s", r.raw)
	}
	// A payload the checker cannot use is the caller's mistake.
	r = a.must(400, "POST", "/drivers/test", driverBody("bad", iid, "s3", "Not_A_Bucket", "", false))
	if !strings.Contains(r.message(), "payload.bucketName") {
		t.Errorf("bad bucket name: %q", r.message())
	}
	for _, s := range []string{key.SecretAccessKey, key.AccessKeyID} {
		if strings.Contains(string(r.raw), s) {
			t.Error("a test answer contains the credentials")
		}
	}
}

func TestDriverTestSTS(t *testing.T) {
	t.Parallel()
	m, a := startWithMoto(t)
	bucket := uniqueName("emu-sts")
	m.CreateBucket(t, bucket, "")
	key := m.CreateUser(t, uniqueName("emu-sts-user"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	role := m.CreateRole(t, uniqueName("emu-sts-role"), trustPolicy(t, key.UserARN), bucketPolicy(t, bucket, ""))
	created := a.createIntegration("sts", "aws-sts", map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey, "roleArns": role})
	iid := created.str("id")
	if v := metaValue(created, "status"); v == "trust-established" {
		t.Errorf("status = %q before any test", v)
	}
	a.must(204, "POST", "/drivers/test", driverBody("sts", iid, "aws-sts", bucket, "", false))
	got := a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+iid, nil).obj()
	if v := metaValue(got, "status"); v != "trust-established" {
		t.Errorf("status = %q after a successful test", v)
	}

	// A role that does not trust the user cannot be assumed.
	other := m.CreateRole(t, uniqueName("emu-sts-untrusting"), trustPolicy(t, "arn:aws:iam::123456789012:user/someone-else"),
		bucketPolicy(t, bucket, ""))
	iid2 := a.createIntegration("sts2", "aws-sts", map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey, "roleArns": other}).str("id")
	r := a.must(424, "POST", "/drivers/test", driverBody("sts2", iid2, "aws-sts", bucket, "", false))
	if f := failedChecks(r); f["assume_role"] == "" {
		t.Errorf("untrusting role: %s", r.raw)
	}
	if v := metaValue(a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+iid2, nil).obj(), "status"); v == "trust-established" {
		t.Errorf("status = %q after assume_role failed", v)
	}

	// A trusting role without s3:PutObject fails the test on write, but
	// the role was assumed, so the trust is established.
	noWrite := m.CreateRole(t, uniqueName("emu-sts-nowrite"), trustPolicy(t, key.UserARN), noWritePolicy(bucket, ""))
	iid3 := a.createIntegration("sts3", "aws-sts", map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey, "roleArns": noWrite}).str("id")
	r = a.must(424, "POST", "/drivers/test", driverBody("sts3", iid3, "aws-sts", bucket, "", false))
	if f := failedChecks(r); f["write"] == "" || f["assume_role"] != "" {
		t.Errorf("role without s3:PutObject: failed checks %v", f)
	}
	if v := metaValue(a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+iid3, nil).obj(), "status"); v != "trust-established" {
		t.Errorf("status = %q after assume_role passed and write failed", v)
	}
}

// noWritePolicy lets a role list and read under path but not write, not
// even the probe folder.
func noWritePolicy(bucket, path string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::%s"},`+
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/%s*"}]}`, bucket, bucket, path)
}

func TestAssumeRoleOutcome(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		checks         []checkJSON
		trusted, known bool
	}{
		{"assumed, all passed", []checkJSON{{Name: "assume_role", Success: true}, {Name: "write", Success: true}}, true, true},
		{"assumed, write denied", []checkJSON{{Name: "assume_role", Success: true}, {Name: "write"}}, true, true},
		{"not assumed", []checkJSON{{Name: "assume_role"}}, false, true},
		{"no assume_role check", []checkJSON{{Name: "bucket"}}, false, false},
		{"no checks", nil, false, false},
	}
	for _, tt := range tests {
		trusted, known := assumeRoleOutcome(tt.checks)
		if trusted != tt.trusted || known != tt.known {
			t.Errorf("%s: assumeRoleOutcome = %v, %v; want %v, %v", tt.name, trusted, known, tt.trusted, tt.known)
		}
	}
}

func TestAWSCrossWithMoto(t *testing.T) {
	t.Parallel()
	m, a := startWithMoto(t)
	org := "/orgs/" + DemoOrgID + "/integrations"
	in := a.createIntegration("cross", "aws-cross", map[string]any{})
	iid := in.str("id")
	userARN := metaValue(in, "userArn")
	wantARN := "arn:aws:iam::" + testenv.MotoAccountID + ":user/dataloop-platform-" + iid
	if userARN != wantARN {
		t.Fatalf("userArn = %q, want %q", userARN, wantARN)
	}
	userName := aws.String("dataloop-platform-" + iid)
	if _, err := m.IAM().GetUser(context.Background(), &iam.GetUserInput{UserName: userName}); err != nil {
		t.Fatalf("platform user not in moto: %v", err)
	}

	bucket := uniqueName("emu-cross")
	m.CreateBucket(t, bucket, "")
	body := driverBody("cross", iid, "aws-cross", bucket, "data/", false)
	r := a.must(424, "POST", "/drivers/test", body)
	if !strings.Contains(r.message(), "no role is bound") {
		t.Errorf("unbound: %q", r.message())
	}

	role := m.CreateRole(t, uniqueName("emu-cross-role"), trustPolicy(t, userARN), bucketPolicy(t, bucket, "data/"))
	a.must(200, "PATCH", org, map[string]any{"integrationId": iid,
		"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": role}}})
	a.must(204, "POST", "/drivers/test", body)
	got := a.must(200, "GET", org+"/"+iid, nil).obj()
	if v := metaValue(got, "status"); v != "trust-established" {
		t.Errorf("status = %q after a successful test", v)
	}
	did := a.must(200, "POST", "/drivers", body).obj().str("id")
	a.must(204, "GET", "/drivers/"+did+"/test", nil)

	// Rebinding to a role that does not trust the platform user resets
	// trust, and the test fails on assume_role.
	bad := m.CreateRole(t, uniqueName("emu-cross-bad"), trustPolicy(t, "arn:aws:iam::123456789012:user/not-the-platform"),
		bucketPolicy(t, bucket, "data/"))
	rebound := a.must(200, "PATCH", org, map[string]any{"integrationId": iid,
		"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": bad}}}).obj()
	if v := metaValue(rebound, "status"); v == "trust-established" {
		t.Errorf("status = %q after rebinding", v)
	}
	r = a.must(424, "GET", "/drivers/"+did+"/test", nil)
	if f := failedChecks(r); f["assume_role"] == "" {
		t.Errorf("untrusted role: %s", r.raw)
	}
	if v := metaValue(a.must(200, "GET", org+"/"+iid, nil).obj(), "status"); v == "trust-established" {
		t.Errorf("status = %q after assume_role failed", v)
	}

	// A role that trusts the platform user but may not write: the test
	// fails on write, yet the trust is established.
	noWrite := m.CreateRole(t, uniqueName("emu-cross-nowrite"), trustPolicy(t, userARN), noWritePolicy(bucket, "data/"))
	a.must(200, "PATCH", org, map[string]any{"integrationId": iid,
		"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": noWrite}}})
	r = a.must(424, "GET", "/drivers/"+did+"/test", nil)
	if f := failedChecks(r); f["write"] == "" || f["assume_role"] != "" {
		t.Errorf("role without s3:PutObject: failed checks %v", f)
	}
	if v := metaValue(a.must(200, "GET", org+"/"+iid, nil).obj(), "status"); v != "trust-established" {
		t.Errorf("status = %q after assume_role passed and write failed", v)
	}

	// Deleting the integration removes its IAM user.
	a.must(204, "DELETE", "/drivers/"+did, nil)
	a.must(200, "DELETE", org+"/"+iid, nil)
	for i := 0; ; i++ {
		_, err := m.IAM().GetUser(context.Background(), &iam.GetUserInput{UserName: userName})
		if err != nil {
			break
		}
		if i == 100 {
			t.Fatal("platform user still exists after the integration was deleted")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestAWSOptionsValidation(t *testing.T) {
	t.Parallel()
	for _, o := range []AWSOptions{{}, {Endpoint: "http://127.0.0.1:1"}} {
		if _, err := New(Options{AWS: &o}); err == nil {
			t.Errorf("New with AWS %+v: want an error", o)
		}
	}
	// An unreachable AWS endpoint makes aws-cross creation fail clearly.
	srv, err := New(Options{AWS: &AWSOptions{Endpoint: "http://127.0.0.1:1", AccessKeyID: "a", SecretAccessKey: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	r := newAPI(t, ts, DemoToken).do("POST", "/orgs/"+DemoOrgID+"/integrations",
		map[string]any{"name": "x", "type": "aws-cross", "options": map[string]any{}})
	if r.status != http.StatusBadGateway || !strings.Contains(r.message(), "platform IAM user") {
		t.Errorf("unreachable AWS: %d %s", r.status, r.raw)
	}
}
