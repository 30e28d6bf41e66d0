package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestAccStorageAccessDataSource_basic checks an existing driver by ID and a
// location that is not a driver yet, whose integration lacks s3:PutObject:
// the failed check is data, not an error, so check blocks can assert on it.
func TestAccStorageAccessDataSource_basic(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	full := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	noPut := env.keyIntegration(t, s3DriverPolicy(t, bucket, "", false, policy.ActionPutObject))

	config := testAccConfig(
		s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: full, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
		fmt.Sprintf(`
data "dataloop_storage_access" "driver" {
  driver_id = dataloop_s3_storage_driver.test.id
}

data "dataloop_storage_access" "location" {
  project_id     = %[1]q
  integration_id = %[2]q
  bucket         = %[3]q
  region         = %[4]q
  path           = "incoming"
}
`, testProjectID, noPut, bucket, testenv.MotoRegion),
	)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_storage_access.driver", tfjsonpath.New("success"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.driver", tfjsonpath.New("summary"), knownvalue.StringExact("")),
					// A passed check is the platform's 204, without per-check details.
					statecheck.ExpectKnownValue("data.dataloop_storage_access.driver", tfjsonpath.New("checks"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":    knownvalue.StringExact("platform"),
							"success": knownvalue.Bool(true),
							"message": knownvalue.StringExact(`The Dataloop platform's storage test passed for prefix "raw/" of bucket "` + bucket + `".`),
						}),
					})),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.location", tfjsonpath.New("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.location", tfjsonpath.New("summary"),
						knownvalue.StringRegexp(regexp.MustCompile(`(?s)write: FAILED.*"Action": "s3:PutObject".*incoming/`))),
				},
			},
		},
	})
	env.expectNoProbeObjects(t, bucket)
}

// TestAccStorageAccessDataSource_invalid rejects a configuration that names
// neither a driver nor a location, before any API call.
func TestAccStorageAccessDataSource_invalid(t *testing.T) {
	testUnitProviderEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      `data "dataloop_storage_access" "test" {}`,
				ExpectError: regexp.MustCompile(`(?s)Missing Attribute Configuration.*driver_id,integration_id`),
			},
			{
				Config: `
data "dataloop_storage_access" "test" {
  integration_id = "int-1"
  project_id     = "proj-1"
}
`,
				ExpectError: testAccErrorRegexp(`(?s)Missing Attribute Configuration.*driver type "s3" needs bucket`),
			},
		},
	})
}
