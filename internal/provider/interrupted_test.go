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
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestAccS3StorageDriver_interruptedCreate stands in for a terraform killed
// after the platform created the driver: the driver exists (created out of
// band), the state does not know it. The re-apply fails naming the driver's
// ID with the import block and command; with that import block it applies.
func TestAccS3StorageDriver_interruptedCreate(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	integrationID := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	config := s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}
	existing, err := env.client.CreateDriver(context.Background(), platform.CreateDriverInput{
		Name: config.Name, Type: platform.DriverTypeS3, IntegrationID: integrationID, IntegrationType: platform.TypeS3,
		ProjectID: testProjectID, Payload: platform.DriverLocation{BucketName: bucket, Region: testenv.MotoRegion, Path: "raw/"},
	})
	if err != nil {
		t.Fatalf("creating the driver out of band: %v", err)
	}
	q := regexp.QuoteMeta

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config.String(),
				ExpectError: regexp.MustCompile(`(?s)Storage Driver Already Exists.*ID\s+` + q(existing.ID) + `.*import\s+\{\s+to\s+=\s+dataloop_s3_storage_driver.NAME\s+id\s+=\s+"` +
					q(existing.ID) + `"\s+\}.*terraform\s+import\s+dataloop_s3_storage_driver.NAME\s+` + q(existing.ID)),
			},
			{
				Config: testAccConfig(config.String(), fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", testS3DriverAddress, existing.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
				},
			},
		},
	})
}

// TestAccAWSCrossAccountIntegration_interruptedCreate stands in for a
// terraform killed while the platform created the integration: one of the
// same name and type exists and the state does not know it. The plan warns
// with its ID and the import block and command; importing it creates no
// second integration.
func TestAccAWSCrossAccountIntegration_interruptedCreate(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-cross")
	testAccInterruptedIntegrationCreate(t, platform.TypeAWSCross, name, testAccCrossAccountAddress,
		testAccAWSCrossAccountIntegrationConfig(name, ""))
}

// TestAccGCPCrossProjectIntegration_interruptedCreate is the GCP
// counterpart: a cross-project integration of the same name exists (each
// has its own platform service account and counts toward the limit of 3),
// the plan warns with its ID and the import block and command, and
// importing it creates no second one.
func TestAccGCPCrossProjectIntegration_interruptedCreate(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-gcpx")
	testAccInterruptedIntegrationCreate(t, platform.TypeGCPCross, name, testAccGCPCrossAddress,
		testAccGCPCrossConfig(name, ""), "gcp-cross integration named")
}

// testAccInterruptedIntegrationCreate creates an integration of type typ
// named name out of band, as an interrupted apply would leave it, and
// plans config, which declares it at address: the plan must warn with its
// ID, the import block and command, and details. Applying config with that
// import block must adopt it without creating a second one.
func testAccInterruptedIntegrationCreate(t *testing.T, typ, name, address, config string, details ...string) {
	t.Helper()
	diags := testAccDiagnosticLog(t)
	existing, err := testClient(t).CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: name, Type: typ, Options: map[string]any{},
	})
	if err != nil {
		t.Fatalf("creating the integration out of band: %v", err)
	}
	resourceType := strings.TrimSuffix(address, ".test")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				PreConfig: func() {
					diags.expectWarning(t, "PlanResourceChange", "Integration Already Exists", append([]string{"ID " + existing.ID,
						"to = " + resourceType + ".NAME", `id = "` + existing.ID + `"`,
						"terraform import " + resourceType + ".NAME " + existing.ID}, details...)...)
				},
				Config: testAccConfig(config, fmt.Sprintf("import {\n  to = %s\n  id = %q\n}\n", address, existing.ID)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					testAccCheckIntegrationCount(t, name, 1),
				},
			},
		},
	})
}

// testAccCheckIntegrationCount checks that the organization has want
// integrations named name.
func testAccCheckIntegrationCount(t *testing.T, name string, want int) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		list, err := testClient(t).ListIntegrations(context.Background(), testOrgID)
		if err != nil {
			resp.Error = err
			return
		}
		n := 0
		for _, in := range list {
			if in.Name == name {
				n++
			}
		}
		if n != want {
			resp.Error = fmt.Errorf("the organization has %d integrations named %q; want %d", n, name, want)
		}
	})
}
