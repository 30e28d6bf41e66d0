package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

const testAccAzureDriverAddress = "dataloop_azure_blob_storage_driver.test"

// testAccAzureDriverConfig is an integration (secret from the ephemeral
// variable, see testAccSetAzureSecret) and a driver on container.
func testAccAzureDriverConfig(id azureIdentity, name, container string, dataLake bool) string {
	return testAccAzureIntegrationConfig("tf-acc-azure-driver-integration", id, 1, testenv.AzureAccount) + fmt.Sprintf(`
resource "dataloop_azure_blob_storage_driver" "test" {
  project_id     = %[1]q
  name           = %[2]q
  integration_id = dataloop_azure_client_secret_integration.test.id
  container      = %[3]q
  path           = "raw/"
  data_lake_gen2 = %[4]t
}
`, testProjectID, name, container, dataLake)
}

func (env *azureEnv) container(t *testing.T, id azureIdentity) string {
	t.Helper()
	c := "tfacc-" + id.clientID[:8]
	if err := env.stack.CreateContainer(context.Background(), testenv.AzureAccount, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func (env *azureEnv) assignContributor(t *testing.T, id azureIdentity, container string) {
	t.Helper()
	if _, err := env.stack.AssignRole(context.Background(), env.stack.ContainerScope(testenv.AzureAccount, container), "Storage Blob Data Contributor", id.principalID); err != nil {
		t.Fatal(err)
	}
}

func expectAzureAccessSuccess() statecheck.StateCheck {
	return statecheck.ExpectKnownValue(testAccAzureDriverAddress, tfjsonpath.New("access"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"success": knownvalue.Bool(true),
	}))
}

// TestAccAzureBlobStorageDriver_basic stands in for connecting a container
// in the console with a service principal that holds Storage Blob Data
// Contributor: the platform's check passes and leaves no probe, the plan is
// empty right after, a rename is in place, import round-trips, Data Lake
// Gen2 replaces, and a driver deleted in the console is recreated.
func TestAccAzureBlobStorageDriver_basic(t *testing.T) {
	env := testAccAzureEnv(t)
	id := env.newIdentity()
	container := env.container(t, id)
	env.assignContributor(t, id, container)
	if err := env.stack.PutBlob(context.Background(), testenv.AzureAccount, container, "raw/img-001.jpg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	provider := env.providerConfig(nil)
	name, renamed := testName(t, "tf-acc-azure-drv"), testName(t, "tf-acc-azure-drv-renamed")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	var driverID string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetAzureSecret(t, id.secret) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: provider + testAccAzureDriverConfig(id, name, container, false),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAzureDriverAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccAzureDriverAddress, tfjsonpath.New("container"), knownvalue.StringExact(container)),
					statecheck.ExpectKnownValue(testAccAzureDriverAddress, tfjsonpath.New("path"), knownvalue.StringExact("raw/")),
					statecheck.ExpectKnownValue(testAccAzureDriverAddress, tfjsonpath.New("data_lake_gen2"), knownvalue.Bool(false)),
					expectAzureAccessSuccess(),
					expectPlatformDriver(t, testAccAzureDriverAddress, &driverID, func(d *platform.Driver) error {
						if d.Type != "azureblob" || d.ContainerName != container || d.Path != "raw/" {
							return fmt.Errorf("the platform holds %+v, want an azureblob driver on %s raw/", d, container)
						}
						left, err := env.stack.ListBlobs(context.Background(), testenv.AzureAccount, container, "")
						if err != nil || strings.Join(left, ",") != "raw/img-001.jpg" {
							return fmt.Errorf("probe blobs left behind: %v (%v)", left, err)
						}
						return nil
					}),
				},
			},
			testAccNoDriftStep(provider + testAccAzureDriverConfig(id, name, container, false)),
			testAccRenameInPlaceStep(testAccAzureDriverAddress, provider+testAccAzureDriverConfig(id, renamed, container, false), renamed, sameID),
			{
				ResourceName:            testAccAzureDriverAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access"},
			},
			testAccRecreateDeletedDriverStep(t, &driverID, testAccAzureDriverAddress, provider+testAccAzureDriverConfig(id, renamed, container, false),
				expectAzureAccessSuccess()),
			{
				Config: provider + testAccAzureDriverConfig(id, renamed, container, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAzureDriverAddress, plancheck.ResourceActionDestroyBeforeCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAzureDriverAddress, tfjsonpath.New("data_lake_gen2"), knownvalue.Bool(true)),
					expectAzureAccessSuccess(),
				},
			},
		},
	})
}

// TestAccAzureBlobStorageDriver_missingRole stands in for a service principal
// without a role on the container, against a platform that answers a failed
// test with a bare message (strict emulator): the plan warns, the apply fails
// naming the role and the principal, nothing is created, and once the role is
// assigned the same configuration applies in the same workspace.
func TestAccAzureBlobStorageDriver_missingRole(t *testing.T) {
	env := testAccAzureEnv(t, withStrictEmulator)
	id := env.newIdentity()
	container := env.container(t, id)
	provider := env.providerConfig(map[string]string{"propagation_timeout": "3s"})
	name := testName(t, "tf-acc-azure-norole")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetAzureSecret(t, id.secret) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:      provider + testAccAzureDriverConfig(id, name, container, false),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Nothing was changed on the\s+platform.*Storage\s+Blob\s+Data\s+Contributor.*` + id.clientID),
			},
			{
				PreConfig: func() {
					expectNoDriver(t, name)
					env.assignContributor(t, id, container)
				},
				Config:            provider + testAccAzureDriverConfig(id, name, container, false),
				ConfigStateChecks: []statecheck.StateCheck{expectAzureAccessSuccess()},
			},
		},
	})
}

// TestAzureBlobStorageDriver_validation: a malformed container name fails at
// validate time on container.
func TestAzureBlobStorageDriver_validation(t *testing.T) {
	testUnitProviderEnv(t)
	testAccSetAzureSecret(t, "s")
	id := azureIdentity{tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", clientID: "0b1f6471-1bf0-4dda-aec3-cb9272f09590"}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccAzureDriverConfig(id, "x", "Raw--Data", false),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Azure Container Name.*container`),
		}},
	})
}
