package provider

import (
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestAccS3StorageDriver_planReportsOncePerLocation plans four drivers over
// two failing locations (three share one): the platform tests each
// location once, and each failure is reported once, on one of the drivers
// that share it, saying so.
func TestAccS3StorageDriver_planReportsOncePerLocation(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	diags := testAccDiagnosticLog(t)
	bucket := env.bucket(t)
	noPut := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false, policy.ActionPutObject))
	name := testName(t, "tf-driver")

	blocks := []string{testAccProviderConfig(nil)}
	for _, d := range []struct{ label, path string }{{"a", "raw/"}, {"b", "raw/"}, {"c", "raw/"}, {"other", "other/"}} {
		blocks = append(blocks, s3DriverConfig{Label: d.label, Name: name + "-" + d.label, IntegrationID: noPut,
			Bucket: bucket, Region: testenv.MotoRegion, Path: d.path}.String())
	}
	before := env.driverTestCalls()
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:             testAccConfig(blocks...),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	// PlanOnly plans twice (plan, then the refreshed plan it checks is
	// non-empty), each in a provider run of its own.
	if got := env.driverTestCalls() - before; got != 4 {
		t.Errorf("the platform ran %d access tests for two plans over 2 distinct locations, want 4 (one per location per run)", got)
	}
	found := diags.warnings(t, "PlanResourceChange", "Storage Access Check Failed")
	if len(found) != 4 {
		t.Errorf("got %d plan-time access warnings over two plans, want 4 (one per location per plan):\n%s", len(found), strings.Join(found, "\n"))
	}
	for _, w := range found {
		if !strings.Contains(w, "once per location: every driver in this plan with the same location shares this result") {
			t.Errorf("a warning does not say that drivers with the same location share it:\n%s", w)
		}
	}
	diags.expectWarning(t, "PlanResourceChange", "Storage Access Check Failed", `"raw/"`, "write: FAILED")
	diags.expectWarning(t, "PlanResourceChange", "Storage Access Check Failed", `"other/"`, "FAILED")
}

// TestAccS3StorageDriver_projectOutsideProviderOrg: the provider's
// organization (DATALOOP_ORG_ID) is not the driver project's. The plan-time
// check, which reads the integration from the provider's organization while
// it looks up the project, must use the integration of the project's
// organization, and check the location.
func TestAccS3StorageDriver_projectOutsideProviderOrg(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	noPut := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false, policy.ActionPutObject))
	t.Setenv(envOrgID, emulator.OtherOrgID)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccConfig(testAccProviderConfig(testAccStrictPlan),
				s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: noPut, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String()),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*write:\s+FAILED.*s3:PutObject`),
		}},
	})
	env.expectNoDrivers(t)
}
