package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

// expectOneTestPerLocation checks, on the emulator's call counts since the
// last ResetStats, that every provider run that read the data sources (each
// reads the project once) sent one POST /drivers/test per distinct location,
// and no per-driver test: a driver and the data sources naming its location
// share one check.
func expectOneTestPerLocation(e *testEmulator, locations int) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		stats := e.Stats()
		runs := stats[routeGetProject]
		switch {
		case runs == 0:
			resp.Error = fmt.Errorf("no provider run read the project: %v", stats)
		case stats[routeDriverTest] != locations*runs:
			resp.Error = fmt.Errorf("%d access tests in %d provider runs, want %d (one per distinct location per run): %v",
				stats[routeDriverTest], runs, locations*runs, stats)
		case stats[routeDriverTestByID] != 0:
			resp.Error = fmt.Errorf("%d per-driver tests, want 0: a driver shares its location's test: %v", stats[routeDriverTestByID], stats)
		}
	})
}

// expectPlatformCheck checks the one "platform" check a strict platform's
// answer yields: a passed test says only that, a failed one its message.
func expectPlatformCheck(address string, success bool, message *regexp.Regexp) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("checks"), knownvalue.ListExact([]knownvalue.Check{
		knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":    knownvalue.StringExact(platform.PlatformCheckName),
			"success": knownvalue.Bool(success),
			"message": knownvalue.StringRegexp(message),
		}),
	}))
}

// TestAccStorageAccessDataSource_azure stands in for drift detection of Azure
// Blob drivers against a platform that answers a passed test with 204 and a
// failed one with a bare message: a driver (by ID) and the same location
// share one check per run and pass; a container the service principal holds
// no role on fails, as data, naming the role to assign.
func TestAccStorageAccessDataSource_azure(t *testing.T) {
	env := testAccAzureEnv(t)
	id := env.newIdentity()
	granted := env.container(t, id)
	denied := "tfacc-denied-" + id.clientID[:8]
	if err := env.stack.CreateContainer(context.Background(), testenv.AzureAccount, denied); err != nil {
		t.Fatal(err)
	}
	env.assignContributor(t, id, granted)
	in, err := testClient(t).CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: testName(t, "tf-acc-azure-access"), Type: platform.TypeAzureBlob,
		Options: map[string]any{"key": testenv.AzureAccount, "secret": id.secret, "clientId": id.clientID, "tenantId": id.tenantID},
	})
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
resource "dataloop_azure_blob_storage_driver" "test" {
  project_id     = %[1]q
  name           = %[2]q
  integration_id = %[3]q
  container      = %[4]q
  path           = "raw/"
}

data "dataloop_storage_access" "by_driver" {
  driver_id = dataloop_azure_blob_storage_driver.test.id
}

data "dataloop_storage_access" "same_location" {
  project_id     = %[1]q
  integration_id = %[3]q
  container      = dataloop_azure_blob_storage_driver.test.container
  path           = "raw"
}

data "dataloop_storage_access" "denied" {
  project_id     = %[1]q
  integration_id = %[3]q
  driver_type    = "azureDatalakeGen2"
  container      = %[5]q
  path           = "raw/"
}
`, testProjectID, testName(t, "tf-acc-azure-access"), in.ID, granted, denied)
	passed := regexp.MustCompile(`^The Dataloop platform's storage test passed for prefix "raw/" of container "` + granted + `"\.$`)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_storage_access.by_driver", tfjsonpath.New("success"), knownvalue.Bool(true)),
					expectPlatformCheck("data.dataloop_storage_access.by_driver", true, passed),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.same_location", tfjsonpath.New("success"), knownvalue.Bool(true)),
					expectPlatformCheck("data.dataloop_storage_access.same_location", true, passed),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.denied", tfjsonpath.New("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.denied", tfjsonpath.New("summary"), knownvalue.StringRegexp(regexp.MustCompile(
						`(?s)cannot use container "`+denied+`" \(prefix "raw/", driver type azureDatalakeGen2\).*The platform answered: .*`+
							`Grant "Storage Blob Data Contributor" on container "`+denied+`".*`+id.clientID))),
					expectPlatformCheck("data.dataloop_storage_access.denied", false, regexp.MustCompile(`(?i)denied|not authori[sz]ed|403`)),
				},
			},
			{
				// The same configuration again: per run, two distinct
				// locations, two tests, whoever asks.
				PreConfig:         env.ResetStats,
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{expectOneTestPerLocation(env.testEmulator, 2)},
			},
		},
	})
	for _, c := range []string{granted, denied} {
		if left, err := env.stack.ListBlobs(context.Background(), testenv.AzureAccount, c, ""); err != nil || len(left) != 0 {
			t.Errorf("container %s holds %v after the checks (%v), want no probe blobs", c, left, err)
		}
	}
}

// TestAccStorageAccessDataSource_gcs stands in for drift detection of GCS
// drivers (private key integration): a driver (by ID) and the same location
// share one check per run and pass; a prefix the service account's custom
// role does not cover fails, as data, naming the missing permission and,
// from the per-check results of the emulator's extension, the fix (a custom
// role, never an S3 policy).
func TestAccStorageAccessDataSource_gcs(t *testing.T) {
	env := testAccGCPEnv(t, withEmulatorExtensions)
	ctx := context.Background()
	email, key, _ := env.newServiceAccount(t)
	bucket := testenv.UniqueName("tfacc-access-")
	if err := env.gcs.CreateBucket(ctx, bucket); err != nil {
		t.Fatal(err)
	}
	grants, err := policy.GCSBucketGrants(policy.GCSGrantsInput{Bucket: bucket, Path: "raw/", ServiceAccountEmail: email})
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range []policy.GCSRoleGrant{grants.Data, grants.Probe} {
		role, err := env.gcs.CreateRole(ctx, testenv.UniqueName("r"), rg.Permissions)
		if err != nil {
			t.Fatal(err)
		}
		b := gcsfront.Binding{Role: role, Members: []string{grants.Member}}
		if rg.Condition != nil {
			b.Condition = &gcsfront.Condition{Title: rg.Condition.Title, Expression: rg.Condition.Expression}
		}
		if err := env.gcs.AddBucketBinding(ctx, bucket, b); err != nil {
			t.Fatal(err)
		}
	}
	client := testClient(t)
	in, err := client.CreateIntegration(ctx, testOrgID, platform.CreateIntegrationInput{
		Name: testName(t, "tf-acc-gcs-access"), Type: platform.TypeGCS, Options: map[string]any{"key": "", "secret": "", "content": key},
	})
	if err != nil {
		t.Fatal(err)
	}
	// The driver is made through the API: the data source reads any driver.
	driver, err := client.CreateDriver(ctx, platform.CreateDriverInput{
		Name: testName(t, "tf-acc-gcs-access"), Type: platform.DriverTypeGCS, IntegrationID: in.ID, IntegrationType: in.Type,
		ProjectID: testProjectID, Payload: platform.DriverLocation{Bucket: bucket, Path: "raw/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
data "dataloop_storage_access" "by_driver" {
  driver_id = %[1]q
}

data "dataloop_storage_access" "same_location" {
  project_id     = %[2]q
  integration_id = %[3]q
  driver_type    = "gcs"
  bucket         = %[4]q
  path           = "raw/"
}

data "dataloop_storage_access" "denied" {
  project_id     = %[2]q
  integration_id = %[3]q
  driver_type    = "gcs"
  bucket         = %[4]q
  path           = "curated/"
}
`, driver.ID, testProjectID, in.ID, bucket)
	passed := regexp.MustCompile(`^The Dataloop platform's storage test passed for prefix "raw/" of bucket "` + bucket + `"\.$`)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: env.ResetStats,
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_storage_access.by_driver", tfjsonpath.New("success"), knownvalue.Bool(true)),
					expectPlatformCheck("data.dataloop_storage_access.by_driver", true, passed),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.same_location", tfjsonpath.New("success"), knownvalue.Bool(true)),
					expectPlatformCheck("data.dataloop_storage_access.same_location", true, passed),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.denied", tfjsonpath.New("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.denied", tfjsonpath.New("summary"), knownvalue.StringRegexp(regexp.MustCompile(
						`(?s)cannot use bucket "`+bucket+`" \(prefix "curated/", driver type gcs\).*write: FAILED: .*`+regexp.QuoteMeta(email)+
							` lacks storage\.objects\.create.*To fix "write": Add storage\.objects\.create to the custom role.* bound on bucket `+bucket+`.*prefix "curated/"`))),
					stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
						summary, err := stateString(req.State, "data.dataloop_storage_access.denied", "summary")
						if err == nil && strings.Contains(summary, "s3:") {
							err = fmt.Errorf("the summary of a GCS location suggests an S3 action:\n%s", summary)
						}
						resp.Error = err
					}),
					expectOneTestPerLocation(env.testEmulator, 2),
				},
			},
		},
	})
	if left, err := env.gcs.ListObjects(ctx, bucket, ""); err != nil || len(left) != 0 {
		t.Errorf("bucket %s holds %v after the checks (%v), want no probe objects", bucket, left, err)
	}
}

// TestStorageAccessDataSource_locationValidation: a location names what its
// driver type needs, and nothing of another type's, at validate time.
func TestStorageAccessDataSource_locationValidation(t *testing.T) {
	testUnitProviderEnv(t)
	for name, tc := range map[string]struct{ body, want string }{
		"gcs with region": {`driver_type = "gcs"
  bucket      = "acme-data"
  region      = "us-east-1"`, `(?s)Invalid Attribute Combination.*region.*driver type "gcs" has no region`},
		"gcs without bucket": {`driver_type = "gcs"`, `(?s)Missing Attribute Configuration.*driver type "gcs" needs bucket`},
		"azure with bucket": {`container = "raw-data"
  bucket    = "acme-data"`, `(?s)Invalid Attribute Combination.*bucket.*driver type "azureblob" has no bucket`},
		"data lake without container": {`driver_type = "azureDatalakeGen2"`, `(?s)Missing Attribute Configuration.*driver type "azureDatalakeGen2" needs container`},
		"s3 without region":           {`bucket = "acme-data"`, `(?s)Missing Attribute Configuration.*driver type "s3" needs region`},
		"bad gcs bucket": {`driver_type = "gcs"
  bucket      = "goog-data"`, `(?s)Invalid Bucket Name.*bucket.*"goog"`},
		"bad container": {`container = "Raw_Data"`, `(?s)Invalid Azure Container Name.*container`},
		"unknown type": {`driver_type = "minio"
  bucket      = "acme-data"`, `(?s)Invalid Attribute Value Match.*driver_type`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: fmt.Sprintf(`
data "dataloop_storage_access" "test" {
  project_id     = "proj-1"
  integration_id = "int-1"
  %s
}
`, tc.body),
					ExpectError: testAccErrorRegexp(tc.want),
				}},
			})
		})
	}
}
