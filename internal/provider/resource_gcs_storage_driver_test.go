package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

const testAccGCSDriverAddress = "dataloop_gcs_storage_driver.test"

// gcsDriverFixture is a bucket with one data object under raw/ on the local
// GCS and a customer service account (with a key) for the driver tests.
type gcsDriverFixture struct {
	env     *gcpEnv
	bucket  string
	email   string
	key     string
	keyLine string
}

func newGCSDriverFixture(t *testing.T, opts ...testEmulatorOption) *gcsDriverFixture {
	t.Helper()
	env := testAccGCPEnv(t, opts...)
	f := &gcsDriverFixture{env: env, bucket: testenv.UniqueName("tfacc-")}
	ctx := context.Background()
	if err := env.gcs.CreateBucket(ctx, f.bucket); err != nil {
		t.Fatal(err)
	}
	if err := env.gcs.PutObject(ctx, f.bucket, "raw/img-001.jpg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	f.email, f.key, f.keyLine = env.newServiceAccount(t)
	return f
}

// grant binds the generated grants for path raw/ to the customer service
// account the way Terraform would (google_project_iam_custom_role and
// google_storage_bucket_iam_member, one pair for the data and one for the
// probe folder), leaving out the data-role permissions in without. It
// returns the data role's name and the permissions it should have.
func (f *gcsDriverFixture) grant(t *testing.T, crossProject bool, without ...string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	grants, err := policy.GCSBucketGrants(policy.GCSGrantsInput{Bucket: f.bucket, Path: "raw/", ServiceAccountEmail: f.email, CrossProject: crossProject})
	if err != nil {
		t.Fatal(err)
	}
	var dataRole string
	for i, rg := range []policy.GCSRoleGrant{grants.Data, grants.Probe} {
		perms := slices.DeleteFunc(slices.Clone(rg.Permissions), func(p string) bool { return i == 0 && slices.Contains(without, p) })
		role, err := f.env.gcs.CreateRole(ctx, testenv.UniqueName("r"), perms)
		if err != nil {
			t.Fatal(err)
		}
		b := gcsfront.Binding{Role: role, Members: []string{grants.Member}}
		if rg.Condition != nil {
			b.Condition = &gcsfront.Condition{Title: rg.Condition.Title, Expression: rg.Condition.Expression}
		}
		if err := f.env.gcs.AddBucketBinding(ctx, f.bucket, b); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			dataRole = role
		}
	}
	return dataRole, grants.Data.Permissions
}

// allowImpersonation lets the platform's service account act as the
// customer's, as google_service_account_iam_member with
// roles/iam.serviceAccountTokenCreator would.
func (f *gcsDriverFixture) allowImpersonation(t *testing.T) {
	t.Helper()
	if err := f.env.gcs.AllowImpersonation(context.Background(), f.email, "serviceAccount:"+f.env.platformSA); err != nil {
		t.Fatal(err)
	}
}

// expectNoProbes fails when the bucket holds anything but the data object:
// every access check must remove its probe objects.
func (f *gcsDriverFixture) expectNoProbes() statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		names, err := f.env.gcs.ListObjects(context.Background(), f.bucket, "")
		if err != nil || !slices.Equal(names, []string{"raw/img-001.jpg"}) {
			resp.Error = fmt.Errorf("bucket %s holds %v (%v), want only raw/img-001.jpg: probe objects left behind", f.bucket, names, err)
		}
	})
}

// expectPlatformDriver checks what the platform stores: a gcs driver on the
// bucket (payload.bucket) and raw/.
func (f *gcsDriverFixture) expectPlatformDriver(t *testing.T, id *string) statecheck.StateCheck {
	return expectPlatformDriver(t, testAccGCSDriverAddress, id, func(d *platform.Driver) error {
		if d.Type != platform.DriverTypeGCS || d.Bucket != f.bucket || d.Path != "raw/" {
			return fmt.Errorf("the platform holds %+v, want a gcs driver on %s raw/", d, f.bucket)
		}
		return nil
	})
}

func expectGCSAccessSuccess() statecheck.StateCheck {
	return statecheck.ExpectKnownValue(testAccGCSDriverAddress, tfjsonpath.New("access"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"success": knownvalue.Bool(true),
	}))
}

// testAccGCSDriverBlock is a driver on bucket and path with the integration
// resource named by integration.
func testAccGCSDriverBlock(integration, name, bucket, path string) string {
	return fmt.Sprintf(`
resource "dataloop_gcs_storage_driver" "test" {
  project_id     = %[1]q
  name           = %[2]q
  integration_id = %[3]s.id
  bucket         = %[4]q
  path           = %[5]q
}
`, testProjectID, name, integration, bucket, path)
}

// testAccGCSKeyDriverConfig is a private-key integration (key from the
// ephemeral variable, see testAccSetGCPKey) and a driver on raw, spelled
// without the trailing slash the platform stores.
func testAccGCSKeyDriverConfig(provider, name, bucket string) string {
	return provider + testAccGCPKeyConfig("tf-acc-gcs-driver-key", 1) + testAccGCSDriverBlock(testAccGCPKeyAddress, name, bucket, "raw")
}

// testAccGCSCrossDriverConfig is a cross-project integration bound to email
// and a driver on raw/.
func testAccGCSCrossDriverConfig(provider, name, email, bucket string) string {
	return provider + testAccGCPCrossConfig("tf-acc-gcs-driver-cross", email) + testAccGCSDriverBlock(testAccGCPCrossAddress, name, bucket, "raw/")
}

// TestAccGCSStorageDriver_privateKey stands in for connecting a bucket in
// the console with a GCP (Private Key) integration whose service account
// holds the generated grants: the platform's test passes and leaves no
// probe, the plan is empty right after, a rename is in place, import
// round-trips, and a driver deleted in the console is recreated.
func TestAccGCSStorageDriver_privateKey(t *testing.T) {
	f := newGCSDriverFixture(t)
	f.grant(t, false)
	provider := testAccProviderConfig(map[string]string{"propagation_timeout": "5s"})
	name, renamed := testName(t, "tf-acc-gcs-drv"), testName(t, "tf-acc-gcs-drv-renamed")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var driverID string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetGCPKey(t, f.key) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccGCSKeyDriverConfig(provider, name, f.bucket),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCSDriverAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccGCSDriverAddress, tfjsonpath.New("bucket"), knownvalue.StringExact(f.bucket)),
					// The configured spelling stays: raw and raw/ name the same prefix.
					statecheck.ExpectKnownValue(testAccGCSDriverAddress, tfjsonpath.New("path"), knownvalue.StringExact("raw")),
					statecheck.ExpectKnownValue(testAccGCSDriverAddress, tfjsonpath.New("allow_delete"), knownvalue.Bool(false)),
					expectGCSAccessSuccess(),
					f.expectPlatformDriver(t, &driverID),
					f.expectNoProbes(),
					expectStateNotContains(f.keyLine),
				},
			},
			testAccNoDriftStep(testAccGCSKeyDriverConfig(provider, name, f.bucket)),
			testAccRenameInPlaceStep(testAccGCSDriverAddress, testAccGCSKeyDriverConfig(provider, renamed, f.bucket), renamed, sameID),
			{
				ResourceName:      testAccGCSDriverAddress,
				ImportState:       true,
				ImportStateVerify: true,
				// The import stores the platform's form of the path (raw/).
				ImportStateVerifyIgnore: []string{"path"},
			},
			testAccRecreateDeletedDriverStep(t, &driverID, testAccGCSDriverAddress, testAccGCSKeyDriverConfig(provider, renamed, f.bucket),
				expectGCSAccessSuccess(), f.expectNoProbes()),
			testAccNoDriftStep(testAccGCSKeyDriverConfig(provider, renamed, f.bucket)),
		},
	})
}

// TestAccGCSStorageDriver_crossProject stands in for the console's
// cross-project flow: the customer's service account holds the generated
// grants (with storage.buckets.getIamPolicy) and lets the platform's
// service account impersonate it; the driver is created in the same apply
// as the integration, the plan is empty right after, and import
// round-trips.
func TestAccGCSStorageDriver_crossProject(t *testing.T) {
	f := newGCSDriverFixture(t)
	f.grant(t, true)
	f.allowImpersonation(t)
	provider := testAccProviderConfig(map[string]string{"propagation_timeout": "5s"})
	name := testName(t, "tf-acc-gcs-drv-x")
	var driverID string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccGCSCrossDriverConfig(provider, name, f.email, f.bucket),
				ConfigStateChecks: []statecheck.StateCheck{
					expectGCSAccessSuccess(),
					f.expectPlatformDriver(t, &driverID),
					f.expectNoProbes(),
				},
			},
			{
				ResourceName:      testAccGCSDriverAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			testAccNoDriftStep(testAccGCSCrossDriverConfig(provider, name, f.email, f.bucket)),
		},
	})
}

// TestAccGCSStorageDriver_missingPermission stands in for a custom role that
// lacks storage.objects.list: the apply fails naming the permission and the
// service account, nothing is created, and once the role has the permission
// the same configuration applies in the same workspace. Against a platform
// that answers a failed test with a bare message (strict emulator), the
// message names them; with per-check results (the emulator's extension),
// the failed check points at path and the provider adds the fix.
func TestAccGCSStorageDriver_missingPermission(t *testing.T) {
	member := `serviceAccount:\S+@` + regexp.QuoteMeta(testenv.GCSProject) + `\.iam\.gserviceaccount\.com`
	for name, tc := range map[string]struct {
		mode          testEmulatorOption
		where, detail string
	}{
		"strict": {withStrictEmulator, `bucket\s+=`, `The\s+platform\s+answered:.*lacks\s+storage\.objects\.list.*` + member},
		"per-check results": {withEmulatorExtensions, `path\s+=\s+"raw"`,
			`list:\s+FAILED.*` + member + `.*To\s+fix\s+"list":\s+Add\s+storage\.objects\.list\s+to\s+the\s+custom\s+role.*` +
				`whose\s+key\s+the\s+integration\s+holds.*dataloop_gcs_grants`},
	} {
		t.Run(name, func(t *testing.T) {
			f := newGCSDriverFixture(t, tc.mode)
			dataRole, perms := f.grant(t, false, policy.GCSPermObjectsList)
			provider := testAccProviderConfig(map[string]string{"propagation_timeout": "3s"})
			driverName := testName(t, "tf-acc-gcs-nolist")

			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t); testAccSetGCPKey(t, f.key) },
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
				Steps: []resource.TestStep{
					{
						Config: testAccGCSKeyDriverConfig(provider, driverName, f.bucket),
						ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*` + tc.where + `.*Checked\s+before\s+creating\s+the\s+driver.*` +
							`Nothing\s+was\s+changed\s+on\s+the\s+platform.*` + tc.detail),
					},
					{
						PreConfig: func() {
							expectNoDriver(t, driverName)
							if err := f.env.gcs.UpdateRole(context.Background(), dataRole, perms); err != nil {
								t.Fatal(err)
							}
						},
						Config:            testAccGCSKeyDriverConfig(provider, driverName, f.bucket),
						ConfigStateChecks: []statecheck.StateCheck{expectGCSAccessSuccess(), f.expectNoProbes()},
					},
				},
			})
		})
	}
}

// TestAccGCSStorageDriver_missingImpersonation stands in for a cross-project
// integration whose service account does not let the platform's service
// account impersonate it yet. With access_check.plan_severity = "error" the
// plan still goes through (the same apply usually grants it; the trust is
// not established), the apply-time check fails naming the token-creator
// role and the platform's service account, nothing is created, and once the
// grant exists the same configuration applies.
func TestAccGCSStorageDriver_missingImpersonation(t *testing.T) {
	f := newGCSDriverFixture(t, withStrictEmulator)
	f.grant(t, true)
	provider := testAccProviderConfig(map[string]string{"propagation_timeout": "3s", "plan_severity": "error"})
	name := testName(t, "tf-acc-gcs-noimp")
	integrationOnly := provider + testAccGCPCrossConfig("tf-acc-gcs-driver-cross", f.email)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			// The integration exists first, so the plan-time check runs.
			{Config: integrationOnly},
			{
				Config: testAccGCSCrossDriverConfig(provider, name, f.email, f.bucket),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+before\s+creating\s+the\s+driver.*` +
					`Nothing\s+was\s+changed\s+on\s+the\s+platform.*` + regexp.QuoteMeta(policy.GCPRoleTokenCreator) + `.*` +
					regexp.QuoteMeta("serviceAccount:"+f.env.platformSA)),
			},
			{
				PreConfig: func() {
					expectNoDriver(t, name)
					f.allowImpersonation(t)
				},
				Config:            testAccGCSCrossDriverConfig(provider, name, f.email, f.bucket),
				ConfigStateChecks: []statecheck.StateCheck{expectGCSAccessSuccess(), f.expectNoProbes()},
			},
		},
	})
}

// TestGCSStorageDriver_validation: malformed bucket names and paths fail at
// validate time on their attribute.
func TestGCSStorageDriver_validation(t *testing.T) {
	testUnitProviderEnv(t)
	for name, tc := range map[string]struct{ bucket, path, want string }{
		"uppercase":  {"Raw-Data", "raw", `(?s)Invalid GCS Bucket Name.*The value of bucket is not valid`},
		"scheme":     {"gs://raw-data", "raw", `(?s)Invalid GCS Bucket Name.*The value of bucket is not valid.*without\s+gs://`},
		"google":     {"my-google-data", "raw", `(?s)Invalid GCS Bucket Name.*The value of bucket is not valid.*"google"`},
		"too short":  {"ab", "raw", `(?s)Invalid GCS Bucket Name.*The value of bucket is not valid`},
		"empty part": {"raw..data", "raw", `(?s)Invalid GCS Bucket Name.*The value of bucket is not valid`},
		"path //":    {"raw-data", "a//b", `(?s)Invalid Storage Driver Path.*The value of path is not valid`},
		"path ..":    {"raw-data", "raw/../x", `(?s)Invalid Storage Driver Path.*The value of path is not valid`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
resource "dataloop_gcs_storage_driver" "test" {
  project_id     = "p"
  name           = "d"
  integration_id = "i"
  bucket         = %q
  path           = %q
}
`, tc.bucket, tc.path),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccGCSStorageDriver_allowDelete stands in for a driver whose platform
// may delete items (allow_delete = true) on a bucket whose custom role does
// not grant storage.objects.delete under the path: the apply fails naming
// the permission, nothing is created, and once the role grants it the same
// configuration applies and the check leaves no probe behind.
func TestAccGCSStorageDriver_allowDelete(t *testing.T) {
	f := newGCSDriverFixture(t, withEmulatorExtensions)
	// The generated grants without allow_delete: no delete under raw/.
	dataRole, perms := f.grant(t, false)
	provider := testAccProviderConfig(map[string]string{"propagation_timeout": "3s"})
	name := testName(t, "tf-acc-gcs-del")
	config := provider + testAccGCPKeyConfig("tf-acc-gcs-driver-del", 1) + fmt.Sprintf(`
resource "dataloop_gcs_storage_driver" "test" {
  project_id     = %[1]q
  name           = %[2]q
  integration_id = %[3]s.id
  bucket         = %[4]q
  path           = "raw/"
  allow_delete   = true
}
`, testProjectID, name, testAccGCPKeyAddress, f.bucket)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetGCPKey(t, f.key) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Nothing\s+was\s+changed\s+on\s+the\s+platform.*` +
					`delete:\s+FAILED.*storage\.objects\.delete`),
			},
			{
				PreConfig: func() {
					expectNoDriver(t, name)
					if err := f.env.gcs.UpdateRole(context.Background(), dataRole, append(slices.Clone(perms), policy.GCSPermObjectsDelete)); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccGCSDriverAddress, tfjsonpath.New("allow_delete"), knownvalue.Bool(true)),
					expectGCSAccessSuccess(),
					f.expectNoProbes(),
				},
			},
			testAccNoDriftStep(config),
		},
	})
}
