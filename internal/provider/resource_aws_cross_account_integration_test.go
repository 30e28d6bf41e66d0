package provider

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

const testAccCrossAccountAddress = "dataloop_aws_cross_account_integration.test"

var platformUserARNPattern = regexp.MustCompile(`^arn:aws:iam::\d{12}:user/.+$`)

func TestAccAWSCrossAccountIntegration_basic(t *testing.T) {
	e := testAccEmulator(t)
	name, renamed := testName(t, "tf-acc-cross"), testName(t, "tf-acc-cross-renamed")
	role1 := "arn:aws:iam::210987654321:role/dataloop-access"
	role2 := "arn:aws:iam::210987654321:role/path/dataloop-access-2"
	sameID := statecheck.CompareValue(compare.ValuesSame())
	sameUser := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				// Without a role: the platform IAM user exists, nothing is trusted.
				Config: testAccAWSCrossAccountIntegrationConfig(name, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("id")),
					sameUser.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn")),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn"), knownvalue.StringRegexp(platformUserARNPattern)),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("creator"), knownvalue.StringExact(testUserEmail)),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
					testAccCheckEmulatorRole(e, ""),
				},
			},
			testAccNoDriftStep(testAccAWSCrossAccountIntegrationConfig(name, "")),
			{
				// Binding a role is an in-place update.
				Config: testAccAWSCrossAccountIntegrationConfig(name, role1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccCrossAccountAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn"), knownvalue.StringRegexp(platformUserARNPattern)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("id")),
					sameUser.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn")),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(role1)),
					testAccCheckEmulatorRole(e, role1),
				},
			},
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, role2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccCrossAccountAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(role2)),
					testAccCheckEmulatorRole(e, role2),
				},
			},
			{
				// Everything but the role is read back from the platform,
				// which does not return the bound role.
				ResourceName:            testAccCrossAccountAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"role_arn"},
			},
			{
				// Removing role_arn removes the binding.
				Config: testAccAWSCrossAccountIntegrationConfig(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccCrossAccountAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.Null()),
					testAccCheckEmulatorRole(e, ""),
				},
			},
			{
				// Renaming, with a new role in the same PATCH, is in place:
				// same integration, same platform IAM user, so the role's
				// trust stays valid and no driver is recreated.
				Config: testAccAWSCrossAccountIntegrationConfig(renamed, role1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccCrossAccountAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("id")),
					sameUser.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn")),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(role1)),
					testAccCheckEmulatorRole(e, role1),
				},
			},
		},
	})
}

// The platform does not return the bound role (nothing Dataloop publishes
// says it does), so role_arn is the configured value: binding, rebinding
// and unbinding work against a platform that never echoes it, with no
// "inconsistent result" and no drift afterwards.
func TestAccAWSCrossAccountIntegration_roleNotEchoed(t *testing.T) {
	e := testAccEmulator(t, withStrictEmulator)
	name := testName(t, "tf-acc-cross")
	role := "arn:aws:iam::210987654321:role/dataloop-access"
	other := "arn:aws:iam::210987654321:role/dataloop-access-2"

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, role),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(role)),
					testAccCheckEmulatorRole(e, role),
					testAccCheckNoRoleEcho(t, testAccCrossAccountAddress),
				},
			},
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, role),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, other),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(other)),
					testAccCheckEmulatorRole(e, other),
				},
			},
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("role_arn"), knownvalue.Null()),
					testAccCheckEmulatorRole(e, ""),
				},
			},
		},
	})
}

// testAccCheckNoRoleEcho proves the platform under test did not echo the
// bound role, so a passing test did not depend on it.
func testAccCheckNoRoleEcho(t *testing.T, address string) statecheck.StateCheck {
	return stateCheckFunc(func(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		id, err := stateString(req.State, address, "id")
		if err != nil {
			resp.Error = err
			return
		}
		in, err := testClient(t).GetIntegration(ctx, testOrgID, id)
		if err != nil {
			resp.Error = err
			return
		}
		for _, m := range in.Metadata {
			if m.Name == "roleArn" {
				resp.Error = fmt.Errorf("the platform echoed the bound role (metadata %q); the test needs one that does not", m.Name)
			}
		}
	})
}

// When the role cannot be bound at create, the integration just created is
// deleted again and the error says so.
func TestAccAWSCrossAccountIntegration_bindFailureCleansUp(t *testing.T) {
	e := testAccEmulator(t)
	name := testName(t, "tf-acc-cross")
	e.FailRequests(http.MethodPatch, "/api/v1/orgs/"+testOrgID+"/integrations", http.StatusBadRequest, 1,
		"credentials.options.roleArn: rejected by the test")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      testAccAWSCrossAccountIntegrationConfig(name, "arn:aws:iam::210987654321:role/dataloop-access"),
				ExpectError: regexp.MustCompile(`(?s)Unable to Bind IAM Role.*rejected by the test.*deleted again`),
			},
		},
	})

	testAccExpectNoIntegration(t, name)
}

// When the create timeout runs out while the role is being bound, the
// cleanup still deletes the integration: it gets a context of its own.
func TestAccAWSCrossAccountIntegration_bindTimeoutCleansUp(t *testing.T) {
	testAccEmulator(t, func(o *emulator.Options) {
		o.Faults = emulator.Faults{Latency: time.Minute, Routes: []string{"PATCH /orgs/{orgId}/integrations"}}
	})
	name := testName(t, "tf-acc-cross")
	config := fmt.Sprintf(`
resource "dataloop_aws_cross_account_integration" "test" {
  name     = %q
  role_arn = "arn:aws:iam::210987654321:role/dataloop-access"
  timeouts = { create = "10s" }
}
`, name)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Unable to Bind IAM Role.*deadline exceeded.*deleted again`),
			},
		},
	})

	testAccExpectNoIntegration(t, name)
}

func TestAccAWSCrossAccountIntegration_disappears(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-cross")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:             testAccAWSCrossAccountIntegrationConfig(name, ""),
				ConfigStateChecks:  []statecheck.StateCheck{testAccDeleteIntegrationOutOfBand(t, testAccCrossAccountAddress)},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccCrossAccountAddress, plancheck.ResourceActionCreate),
					},
				},
			},
		},
	})
}

// Importing an integration of another type names the resource to use.
func TestAccAWSCrossAccountIntegration_importWrongType(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-key")
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1)},
			{
				Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1) +
					testAccAWSCrossAccountIntegrationConfig("imported", ""),
				ResourceName:      testAccCrossAccountAddress,
				ImportState:       true,
				ImportStateIdFunc: testAccImportIDWithOrg(testAccAccessKeyAddress),
				ExpectError:       regexp.MustCompile(`(?s)Unexpected Integration Type.*"s3".*dataloop_aws_access_key_integration`),
			},
		},
	})
}

func TestAWSCrossAccountIntegration_validation(t *testing.T) {
	testUnitProviderEnv(t)
	for _, arn := range []string{
		"arn:aws:iam::123:role/too-short-account",
		"arn:aws:iam::123456789012:user/not-a-role",
		"arn:aws:s3:::a-bucket",
		"dataloop-access",
	} {
		t.Run(arn, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:      testAccAWSCrossAccountIntegrationConfig("x", arn),
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(`(?s)Invalid IAM Role ARN.*role_arn.*arn:aws:iam::<12-digit\s+account\s+ID>:role/<role\s+name>`),
					},
				},
			})
		})
	}
}

func testAccAWSCrossAccountIntegrationConfig(name, roleARN string) string {
	role := ""
	if roleARN != "" {
		role = fmt.Sprintf("\n  role_arn = %q", roleARN)
	}
	return fmt.Sprintf(`
resource "dataloop_aws_cross_account_integration" "test" {
  name = %[1]q%[2]s
}
`, name, role)
}

// testAccCheckEmulatorRole checks the role the emulator holds for the
// cross-account integration in state; an empty role means none is bound.
func testAccCheckEmulatorRole(e *testEmulator, role string) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		id, err := stateString(req.State, testAccCrossAccountAddress, "id")
		if err != nil {
			resp.Error = err
			return
		}
		opts, ok := e.IntegrationOptions(id)
		if !ok {
			resp.Error = fmt.Errorf("the emulator has no integration %s", id)
			return
		}
		got, _ := opts["roleArn"].(string)
		if got != role {
			resp.Error = fmt.Errorf("the emulator has role %q bound to %s, want %q", got, id, role)
		}
	})
}
