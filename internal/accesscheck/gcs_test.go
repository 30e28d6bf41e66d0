package accesscheck_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

// gcsFixture is a bucket and a service account with a key on the shared
// local GCS, and a checker pointed at it.
type gcsFixture struct {
	gcs     *testenv.GCS
	checker *accesscheck.Checker
	bucket  string
	email   string
	key     string
}

func newGCSFixture(t *testing.T) *gcsFixture {
	t.Helper()
	g := testenv.SharedGCS(t)
	ctx := context.Background()
	f := &gcsFixture{gcs: g, bucket: testenv.UniqueName("chk-")}
	if err := g.CreateBucket(ctx, f.bucket); err != nil {
		t.Fatal(err)
	}
	email, key, err := g.CreateServiceAccount(ctx, testenv.UniqueName("sa-"))
	if err != nil {
		t.Fatal(err)
	}
	f.email, f.key = email, string(key)
	f.checker = accesscheck.New(accesscheck.Options{GCSEndpoint: g.Endpoint, GCPIAMCredentialsEndpoint: g.Endpoint, ResultTTL: -1})
	return f
}

// grant applies the generated grants the way Terraform would: two custom
// roles and two conditional bucket bindings. It returns the data role.
func (f *gcsFixture) grant(t *testing.T, in policy.GCSGrantsInput) string {
	t.Helper()
	ctx := context.Background()
	in.Bucket = f.bucket
	if in.ServiceAccountEmail == "" {
		in.ServiceAccountEmail = f.email
	}
	grants, err := policy.GCSBucketGrants(in)
	if err != nil {
		t.Fatal(err)
	}
	var dataRole string
	for i, rg := range []policy.GCSRoleGrant{grants.Data, grants.Probe} {
		role, err := f.gcs.CreateRole(ctx, testenv.UniqueName("r"), rg.Permissions)
		if err != nil {
			t.Fatal(err)
		}
		b := gcsfront.Binding{Role: role, Members: []string{grants.Member}}
		if rg.Condition != nil {
			b.Condition = &gcsfront.Condition{Title: rg.Condition.Title, Expression: rg.Condition.Expression}
		}
		if err := f.gcs.AddBucketBinding(ctx, f.bucket, b); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			dataRole = role
		}
	}
	return dataRole
}

func (f *gcsFixture) creds() accesscheck.GCSCredentials {
	return accesscheck.GCSCredentials{KeyJSON: f.key}
}

func (f *gcsFixture) probesLeft(t *testing.T, path string) []string {
	t.Helper()
	names, err := f.gcs.ListObjects(context.Background(), f.bucket, path+".dataloop")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestCheckGCS_generatedGrantsPassAndCleanUp(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	ctx := context.Background()
	if err := f.gcs.PutObject(ctx, f.bucket, "raw/img-001.jpg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	f.grant(t, policy.GCSGrantsInput{Path: "raw/", AllowDelete: true})
	res, err := f.checker.CheckGCS(ctx, f.creds(), accesscheck.GCSTarget{Bucket: f.bucket, Path: "raw", AllowDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success() {
		t.Fatalf("check failed: %s", res.Error())
	}
	var names []string
	for _, c := range res.Checks {
		names = append(names, c.Name)
		if c.Warning {
			t.Errorf("unexpected warning %s: %s", c.Name, c.Message)
		}
	}
	want := []string{"credentials", "bucket", "list", "write", "read", "delete", "read_data"}
	if !slices.Equal(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}
	if c, _ := checkByName(res, accesscheck.CheckReadData); !strings.Contains(c.Message, "raw/img-001.jpg") {
		t.Errorf("read_data does not name the object it read: %q", c.Message)
	}
	if c, _ := checkByName(res, accesscheck.CheckCredentials); !strings.Contains(c.Message, f.email) {
		t.Errorf("credentials does not name the account: %q", c.Message)
	}
	if left := f.probesLeft(t, "raw/"); len(left) != 0 {
		t.Errorf("probe objects left behind: %v", left)
	}
}

func TestCheckGCS_missingPermissionNamesItAndTheMember(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	ctx := context.Background()
	dataRole := f.grant(t, policy.GCSGrantsInput{Path: "raw/"})
	// The custom role without storage.objects.list.
	if err := f.gcs.UpdateRole(ctx, dataRole, []string{policy.GCSPermBucketsGet, policy.GCSPermObjectsCreate, policy.GCSPermObjectsGet}); err != nil {
		t.Fatal(err)
	}
	res, err := f.checker.CheckGCS(ctx, f.creds(), accesscheck.GCSTarget{Bucket: f.bucket, Path: "raw/"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Success() {
		t.Fatal("check passed without storage.objects.list")
	}
	c, ok := checkByName(res, accesscheck.CheckList)
	if !ok || c.Success || c.Code != accesscheck.CodeDenied {
		t.Fatalf("list check: %+v", c)
	}
	for _, want := range []string{"storage.objects.list", "serviceAccount:" + f.email, f.bucket} {
		if !strings.Contains(c.Message, want) {
			t.Errorf("list message lacks %q: %s", want, c.Message)
		}
	}
	if !strings.Contains(c.Hint, `"add_permission": "storage.objects.list"`) {
		t.Errorf("hint: %s", c.Hint)
	}
	// A refused list found nothing: read_data must not claim the path is empty.
	if rd, _ := checkByName(res, accesscheck.CheckReadData); rd.Code != accesscheck.CodeNotProven || !strings.Contains(rd.Message, "was refused") {
		t.Errorf("read_data: want not proven because the list was refused, got %+v", rd)
	}
	// The probe still ran and was cleaned up.
	if w, _ := checkByName(res, accesscheck.CheckWrite); !w.Success {
		t.Errorf("write: %+v", w)
	}
	if left := f.probesLeft(t, "raw/"); len(left) != 0 {
		t.Errorf("probe objects left behind: %v", left)
	}
	// Restoring the permission makes the next check pass.
	if err := f.gcs.UpdateRole(ctx, dataRole, []string{policy.GCSPermBucketsGet, policy.GCSPermObjectsCreate, policy.GCSPermObjectsGet, policy.GCSPermObjectsList}); err != nil {
		t.Fatal(err)
	}
	res, err = f.checker.CheckGCSUntilReady(ctx, f.creds(), accesscheck.GCSTarget{Bucket: f.bucket, Path: "raw/"}, time.Minute)
	if err != nil || !res.Success() {
		t.Fatalf("after the fix: %v %s", err, res.Error())
	}
}

func TestCheckGCS_readOnlyCannotDeleteWithAllowDelete(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	f.grant(t, policy.GCSGrantsInput{Path: "raw/", ReadOnly: true})
	res, err := f.checker.CheckGCS(context.Background(), f.creds(), accesscheck.GCSTarget{Bucket: f.bucket, Path: "raw/", AllowDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := checkByName(res, accesscheck.CheckDelete)
	if c.Success || c.Code != accesscheck.CodeDenied || !strings.Contains(c.Message, "storage.objects.delete") {
		t.Fatalf("delete check: %+v", c)
	}
	// The probe folder grant let it write, read and remove the probe.
	if w, _ := checkByName(res, accesscheck.CheckWrite); !w.Success {
		t.Errorf("write: %+v", w)
	}
	if left := f.probesLeft(t, "raw/"); len(left) != 0 {
		t.Errorf("probe objects left behind: %v", left)
	}
}

func TestCheckGCS_noDataObjectIsNotProven(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	f.grant(t, policy.GCSGrantsInput{})
	res, err := f.checker.CheckGCS(context.Background(), f.creds(), accesscheck.GCSTarget{Bucket: f.bucket})
	if err != nil || !res.Success() {
		t.Fatalf("%v %s", err, res.Error())
	}
	c, _ := checkByName(res, accesscheck.CheckReadData)
	if !c.Warning || c.Code != accesscheck.CodeNotProven {
		t.Errorf("read_data: %+v", c)
	}
}

func TestCheckGCS_missingBucket(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	res, err := f.checker.CheckGCS(context.Background(), f.creds(), accesscheck.GCSTarget{Bucket: f.bucket + "-missing"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := checkByName(res, accesscheck.CheckBucket)
	if c.Success || c.Code != accesscheck.CodeNotFound {
		t.Fatalf("bucket: %+v", c)
	}
}

func TestCheckGCS_refusedKeyNeverQuotesIt(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	// A key of another account, relabelled: the signature does not verify.
	_, other, err := f.gcs.CreateServiceAccount(context.Background(), testenv.UniqueName("sb-"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(other, &m); err != nil {
		t.Fatal(err)
	}
	m["client_email"] = f.email
	b, _ := json.Marshal(m)
	forged := string(b)
	res, err := f.checker.CheckGCSCredentials(context.Background(), accesscheck.GCSCredentials{KeyJSON: forged})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := checkByName(res, accesscheck.CheckCredentials)
	if c.Success || c.Code != accesscheck.CodeBadCredentials || c.Input != accesscheck.InputKeyJSON {
		t.Fatalf("credentials: %+v", c)
	}
	if strings.Contains(c.Message, "PRIVATE KEY") || strings.Contains(res.Error(), "PRIVATE KEY") {
		t.Errorf("the message quotes the key: %s", c.Message)
	}
}

func TestCheckGCS_impersonation(t *testing.T) {
	t.Parallel()
	f := newGCSFixture(t)
	ctx := context.Background()
	platform, platformKey, err := f.gcs.CreateServiceAccount(ctx, testenv.UniqueName("plat-"))
	if err != nil {
		t.Fatal(err)
	}
	f.grant(t, policy.GCSGrantsInput{Path: "raw/", CrossProject: true})
	creds := accesscheck.GCSCredentials{KeyJSON: string(platformKey), Impersonate: f.email}
	target := accesscheck.GCSTarget{Bucket: f.bucket, Path: "raw/"}
	res, err := f.checker.CheckGCS(ctx, creds, target)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := checkByName(res, accesscheck.CheckImpersonate)
	if c.Success || c.Code != accesscheck.CodeDenied || !strings.Contains(c.Message, policy.GCPRoleTokenCreator) || !strings.Contains(c.Hint, platform) {
		t.Fatalf("impersonate without a grant: %+v", c)
	}
	if err := f.gcs.AllowImpersonation(ctx, f.email, "serviceAccount:"+platform); err != nil {
		t.Fatal(err)
	}
	res, err = f.checker.CheckGCS(ctx, creds, target)
	if err != nil || !res.Success() {
		t.Fatalf("with the grant: %v %s", err, res.Error())
	}
	// The storage calls acted as the customer's account.
	if c, _ := checkByName(res, accesscheck.CheckImpersonate); !strings.Contains(c.Message, f.email) {
		t.Errorf("impersonate: %s", c.Message)
	}
}
