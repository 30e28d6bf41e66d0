package emulator

import (
	"context"
	"strings"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

// startWithGCP runs an emulator with a platform service account on the
// shared local GCS; it returns that account's email.
func startWithGCP(t *testing.T, strict bool) (*testenv.GCS, *api, string) {
	t.Helper()
	g := testenv.SharedGCS(t)
	email, key, err := g.CreateServiceAccount(context.Background(), testenv.UniqueName("plat-"))
	if err != nil {
		t.Fatal(err)
	}
	_, ts := startServer(t, Options{Strict: strict, GCP: &GCPOptions{PlatformKeyJSON: string(key), StorageEndpoint: g.Endpoint, IAMCredentialsEndpoint: g.Endpoint}})
	return g, newAPI(t, ts, DemoToken), email
}

func gcsDriverBody(name, integrationID, integrationType, bucket, path string) map[string]any {
	return map[string]any{"name": name, "type": "gcs", "integrationId": integrationID, "integrationType": integrationType,
		"creator": DemoUserEmail, "allowExternalDelete": false,
		"metadata": map[string]any{"system": map[string]any{"projectId": DemoProjectID}},
		"payload":  map[string]any{"bucket": bucket, "path": path}}
}

// grantGCS applies the generated grants for email on bucket.
func grantGCS(t *testing.T, g *testenv.GCS, bucket, path, email string, crossProject bool) {
	t.Helper()
	ctx := context.Background()
	grants, err := policy.GCSBucketGrants(policy.GCSGrantsInput{Bucket: bucket, Path: path, ServiceAccountEmail: email, CrossProject: crossProject})
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range []policy.GCSRoleGrant{grants.Data, grants.Probe} {
		role, err := g.CreateRole(ctx, testenv.UniqueName("r"), rg.Permissions)
		if err != nil {
			t.Fatal(err)
		}
		b := gcsfront.Binding{Role: role, Members: []string{grants.Member}}
		if rg.Condition != nil {
			b.Condition = &gcsfront.Condition{Expression: rg.Condition.Expression}
		}
		if err := g.AddBucketBinding(ctx, bucket, b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestDriverTestGCSPrivateKey(t *testing.T) {
	t.Parallel()
	g, a, _ := startWithGCP(t, false)
	ctx := context.Background()
	bucket := testenv.UniqueName("emu-")
	if err := g.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	email, key, err := g.CreateServiceAccount(ctx, testenv.UniqueName("cust-"))
	if err != nil {
		t.Fatal(err)
	}
	iid := a.createIntegration("gcs-key", "gcs", map[string]any{"key": "", "secret": "", "content": string(key)}).str("id")

	// No binding: the platform's test fails and names the permissions.
	r := a.must(424, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcs", bucket, "raw/"))
	if f := failedChecks(r); !strings.Contains(f["list"], "storage.objects.list") || !strings.Contains(f["list"], email) {
		t.Errorf("without a binding: failed checks %v", f)
	}
	// Every failed check carries its code, as the S3 checks do.
	if c := checkCodes(r); c["list"] != "denied" {
		t.Errorf("without a binding: check codes %v", c)
	}
	if strings.Contains(string(r.raw), "PRIVATE KEY") {
		t.Fatal("the answer contains the private key")
	}
	grantGCS(t, g, bucket, "raw/", email, false)
	a.must(204, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcs", bucket, "raw/"))
	id := a.must(200, "POST", "/drivers", gcsDriverBody("d", iid, "gcs", bucket, "raw/")).obj().str("id")
	a.must(204, "GET", "/drivers/"+id+"/test", nil)
	// A bucket name no check can use is the caller's mistake.
	r = a.must(400, "POST", "/drivers/test", gcsDriverBody("bad", iid, "gcs", "Bad_Bucket", ""))
	if !strings.Contains(r.message(), "payload.bucket") {
		t.Errorf("bad bucket name: %q", r.message())
	}
}

func TestDriverTestGCPCrossImpersonates(t *testing.T) {
	t.Parallel()
	g, a, platformSA := startWithGCP(t, false)
	ctx := context.Background()
	bucket := testenv.UniqueName("emu-")
	if err := g.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	customer, _, err := g.CreateServiceAccount(ctx, testenv.UniqueName("cust-"))
	if err != nil {
		t.Fatal(err)
	}
	in := a.createIntegration("cross", "gcp-cross", map[string]any{})
	iid := in.str("id")
	if got := metaValue(in, metaServiceAccount); got != platformSA {
		t.Fatalf("the integration exposes %q, want the platform's service account %q", got, platformSA)
	}
	// Nothing bound yet.
	r := a.must(424, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcp-cross", bucket, ""))
	if !strings.Contains(r.message(), "no service account is bound") {
		t.Errorf("unbound: %q", r.message())
	}
	bind := map[string]any{"integrationId": iid, "credentials": map[string]any{"type": "gcp-cross", "options": map[string]any{
		"email": customer, "resourceName": "projects/" + testenv.GCSProject + "/serviceAccounts/" + customer}}}
	a.must(200, "PATCH", "/orgs/"+DemoOrgID+"/integrations", bind)
	grantGCS(t, g, bucket, "", customer, true)

	// Bound, but the customer account does not let the platform act as it.
	r = a.must(424, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcp-cross", bucket, ""))
	if f := failedChecks(r); !strings.Contains(f["impersonate"], "roles/iam.serviceAccountTokenCreator") {
		t.Errorf("without the token creator grant: %v", f)
	}
	got := a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+iid, nil).obj()
	if metaValue(got, metaStatus) != statusTrustFailed {
		t.Errorf("status after a refused impersonation: %q", metaValue(got, metaStatus))
	}
	if err := g.AllowImpersonation(ctx, customer, "serviceAccount:"+platformSA); err != nil {
		t.Fatal(err)
	}
	a.must(204, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcp-cross", bucket, ""))
	got = a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+iid, nil).obj()
	if metaValue(got, metaStatus) != statusTrustEstablished {
		t.Errorf("status after the test passed: %q", metaValue(got, metaStatus))
	}
	// Revoking the grant shows at the next test: nothing is cached.
	if err := g.RevokeImpersonation(ctx, customer); err != nil {
		t.Fatal(err)
	}
	a.must(424, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcp-cross", bucket, ""))

	// A binding that is not a service account is refused.
	bad := map[string]any{"integrationId": iid, "credentials": map[string]any{"type": "gcp-cross", "options": map[string]any{
		"email": "alice@example.com", "resourceName": "projects/p/serviceAccounts/alice@example.com"}}}
	if r := a.must(400, "PATCH", "/orgs/"+DemoOrgID+"/integrations", bad); !strings.Contains(r.message(), "options.email") {
		t.Errorf("bad email: %q", r.message())
	}
}

func TestDriverTestGCSStrict(t *testing.T) {
	t.Parallel()
	g, a, _ := startWithGCP(t, true)
	ctx := context.Background()
	bucket := testenv.UniqueName("emu-")
	if err := g.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	_, key, err := g.CreateServiceAccount(ctx, testenv.UniqueName("cust-"))
	if err != nil {
		t.Fatal(err)
	}
	iid := a.createIntegration("gcs-key", "gcs", map[string]any{"content": string(key)}).str("id")
	r := a.must(424, "POST", "/drivers/test", gcsDriverBody("d", iid, "gcs", bucket, ""))
	if _, has := r.obj()["checks"]; has || r.message() == "" {
		t.Errorf("strict mode answers a bare {message}: %s", r.raw)
	}
}

// TestGCPCrossStrictOmitsServiceAccount: no published source names the
// metadata entry of the platform's service account, so strict mode leaves
// it out of every answer; the impersonation behind /drivers/test still uses
// the account.
func TestGCPCrossStrictOmitsServiceAccount(t *testing.T) {
	t.Parallel()
	_, a, _ := startWithGCP(t, true)
	in := a.createIntegration("cross", "gcp-cross", map[string]any{})
	got := a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+in.str("id"), nil).obj()
	for _, o := range []obj{in, got} {
		if v := metaValue(o, metaServiceAccount); v != "" {
			t.Errorf("strict mode exposes the %q entry: %q", metaServiceAccount, v)
		}
	}
}
