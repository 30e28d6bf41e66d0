package testenv_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/googleapi"
	iamcredentials "google.golang.org/api/iamcredentials/v1"
	"google.golang.org/api/option"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

const storageScope = "https://www.googleapis.com/auth/devstorage.read_write"

func keyClient(t *testing.T, g *testenv.GCS, key []byte) *storage.Client {
	t.Helper()
	ctx := context.Background()
	conf, err := google.JWTConfigFromJSON(key, storageScope)
	if err != nil {
		t.Fatal(err)
	}
	c, err := storage.NewClient(ctx, option.WithEndpoint(g.Endpoint+"/storage/v1/"),
		option.WithTokenSource(conf.TokenSource(ctx)), storage.WithJSONReads())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func status(err error) int {
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		return ge.Code
	}
	return 0
}

func write(ctx context.Context, c *storage.Client, bucket, name string) error {
	w := c.Bucket(bucket).Object(name).NewWriter(ctx)
	w.ChunkSize = 0
	if _, err := w.Write([]byte("x")); err != nil {
		_ = w.Close()
		return err
	}
	return w.Close()
}

// The front enforces bucket IAM bindings (with prefix conditions) on calls
// that carry a token minted from a service-account key, as Cloud Storage
// does.
func TestGCSFront_EnforcesBucketIAM(t *testing.T) {
	ctx := context.Background()
	g := testenv.SharedGCS(t)
	bucket := testenv.UniqueName("front-")
	if err := g.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	email, key, err := g.CreateServiceAccount(ctx, testenv.UniqueName("sa-"))
	if err != nil {
		t.Fatal(err)
	}
	c := keyClient(t, g, key)

	// No binding: everything is denied, naming the permission.
	_, err = c.Bucket(bucket).Object("raw/a").Attrs(ctx)
	if status(err) != http.StatusForbidden || !strings.Contains(err.Error(), "storage.objects.get") {
		t.Fatalf("read without a binding: %v", err)
	}
	it := c.Bucket(bucket).Objects(ctx, &storage.Query{Prefix: "raw/"})
	if _, err := it.Next(); status(err) != http.StatusForbidden || !strings.Contains(err.Error(), "storage.objects.list") {
		t.Fatalf("list without a binding: %v", err)
	}

	role, err := g.CreateRole(ctx, testenv.UniqueName("r"), []string{gcsfront.PermObjectsList, gcsfront.PermObjectsCreate, gcsfront.PermObjectsGet})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.AddBucketBinding(ctx, bucket, gcsfront.Binding{Role: role, Members: []string{"serviceAccount:" + email},
		Condition: &gcsfront.Condition{Title: "raw", Expression: `resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith("projects/_/buckets/` + bucket + `/objects/raw/")`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Bucket(bucket).Objects(ctx, &storage.Query{Prefix: "raw/"}).Next(); err != nil && !strings.Contains(err.Error(), "no more items") {
		t.Fatalf("list with the binding: %v", err)
	}
	if err := write(ctx, c, bucket, "raw/a"); err != nil {
		t.Fatalf("write under raw/: %v", err)
	}
	if err := write(ctx, c, bucket, "other/a"); status(err) != http.StatusForbidden {
		t.Fatalf("write outside the condition's prefix: %v", err)
	}
	// Overwriting needs storage.objects.delete too, which the role lacks.
	if err := write(ctx, c, bucket, "raw/a"); status(err) != http.StatusForbidden || !strings.Contains(err.Error(), "storage.objects.delete") {
		t.Fatalf("overwrite without delete: %v", err)
	}
	if err := c.Bucket(bucket).Object("raw/a").Delete(ctx); status(err) != http.StatusForbidden {
		t.Fatalf("delete without the permission: %v", err)
	}
	// Removing a permission from the custom role takes effect.
	if err := g.UpdateRole(ctx, role, []string{gcsfront.PermObjectsList}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Bucket(bucket).Object("raw/a").NewReader(ctx); status(err) != http.StatusForbidden {
		t.Fatalf("read after the role lost storage.objects.get: %v", err)
	}
}

// A token is issued only for a JWT signed with a key registered for its
// issuer.
func TestGCSFront_TokenEndpointVerifiesSignature(t *testing.T) {
	ctx := context.Background()
	g := testenv.SharedGCS(t)
	email, key, err := g.CreateServiceAccount(ctx, testenv.UniqueName("sa-"))
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := g.CreateServiceAccount(ctx, testenv.UniqueName("sb-"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := google.JWTConfigFromJSON(key, storageScope)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conf.TokenSource(ctx).Token(); err != nil {
		t.Fatalf("valid key: %v", err)
	}
	// The other account's private key, claiming to be email.
	forged, err := google.JWTConfigFromJSON(other, storageScope)
	if err != nil {
		t.Fatal(err)
	}
	forged.Email = email
	if _, err := forged.TokenSource(ctx).Token(); err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("forged assertion: %v", err)
	}
}

// generateAccessToken answers only callers the target's IAM policy lets
// impersonate it.
func TestGCSFront_Impersonation(t *testing.T) {
	ctx := context.Background()
	g := testenv.SharedGCS(t)
	platform, platformKey, err := g.CreateServiceAccount(ctx, testenv.UniqueName("plat-"))
	if err != nil {
		t.Fatal(err)
	}
	customer, _, err := g.CreateServiceAccount(ctx, testenv.UniqueName("cust-"))
	if err != nil {
		t.Fatal(err)
	}
	conf, err := google.JWTConfigFromJSON(platformKey, "https://www.googleapis.com/auth/cloud-platform")
	if err != nil {
		t.Fatal(err)
	}
	svc, err := iamcredentials.NewService(ctx, option.WithEndpoint(g.Endpoint+"/"), option.WithTokenSource(conf.TokenSource(ctx)))
	if err != nil {
		t.Fatal(err)
	}
	gen := func() (*iamcredentials.GenerateAccessTokenResponse, error) {
		return svc.Projects.ServiceAccounts.GenerateAccessToken("projects/-/serviceAccounts/"+customer,
			&iamcredentials.GenerateAccessTokenRequest{Scope: []string{storageScope}}).Context(ctx).Do()
	}
	if _, err := gen(); status(err) != http.StatusForbidden || !strings.Contains(err.Error(), "iam.serviceAccounts.getAccessToken") {
		t.Fatalf("impersonation without a binding: %v", err)
	}
	if err := g.AllowImpersonation(ctx, customer, "serviceAccount:"+platform); err != nil {
		t.Fatal(err)
	}
	resp, err := gen()
	if err != nil {
		t.Fatalf("impersonation with the binding: %v", err)
	}
	// The minted token acts as the customer account.
	bucket := testenv.UniqueName("imp-")
	if err := g.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	if err := g.AddBucketBinding(ctx, bucket, gcsfront.Binding{Role: "roles/storage.objectViewer", Members: []string{"serviceAccount:" + customer}}); err != nil {
		t.Fatal(err)
	}
	c, err := storage.NewClient(ctx, option.WithEndpoint(g.Endpoint+"/storage/v1/"),
		option.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: resp.AccessToken})))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Bucket(bucket).Objects(ctx, nil).Next(); err != nil && !strings.Contains(err.Error(), "no more items") {
		t.Fatalf("list as the impersonated account: %v", err)
	}
	if err := g.RevokeImpersonation(ctx, customer); err != nil {
		t.Fatal(err)
	}
	if _, err := gen(); status(err) != http.StatusForbidden {
		t.Fatalf("impersonation after revoking: %v", err)
	}
}
