package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

const testAccSTSAddress = "dataloop_aws_sts_integration.test"

func TestAccAWSSTSIntegration_basic(t *testing.T) {
	e := testAccEmulator(t)
	name, renamed := testName(t, "tf-acc-sts"), testName(t, "tf-acc-sts-renamed")
	keyID, secret, rotated := testAccessKeyID(t), testSecretAccessKey(t), testSecretAccessKey(t)
	role1 := "arn:aws:iam::210987654321:role/dataloop-sts"
	role2 := "arn:aws:iam::210987654321:role/dataloop-sts-2"
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(name, keyID, secret, 1, role1),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccSTSAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("access_key_id"), knownvalue.StringExact(keyID)),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("secret_access_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(role1)),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("creator"), knownvalue.StringExact(testUserEmail)),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
					testAccCheckEmulatorSTSCredentials(e, keyID, secret, role1),
				},
			},
			testAccNoDriftStep(testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(name, keyID, secret, 1, role1)),
			{
				Config: testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(renamed, keyID, secret, 1, role1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccSTSAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccSTSAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
				},
			},
			{
				// A new role is sent with the key and the configured secret.
				Config: testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(renamed, keyID, secret, 1, role2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccSTSAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccSTSAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(role2)),
					testAccCheckEmulatorSTSCredentials(e, keyID, secret, role2),
				},
			},
			{
				Config: testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(renamed, keyID, rotated, 2, role2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccSTSAddress, plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("secret_access_key_wo"), knownvalue.Null()),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccSTSAddress, tfjsonpath.New("id")),
					expectStateNotContains(secret, rotated),
					testAccCheckEmulatorSTSCredentials(e, keyID, rotated, role2),
				},
			},
			{
				ResourceName:      testAccSTSAddress,
				ImportState:       true,
				ImportStateVerify: true,
				// NOTE: the platform never returns an STS integration's
				// credentials (key ID, role) and knows nothing of the secret's
				// version; the next apply after an import sends them again.
				ImportStateVerifyIgnore: []string{"access_key_id", "role_arn", "secret_access_key_wo_version"},
			},
		},
	})
}

func TestAccAWSSTSIntegration_disappears(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-sts")
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)
	role := "arn:aws:iam::210987654321:role/dataloop-sts"

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:             testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(name, keyID, secret, 1, role),
				ConfigStateChecks:  []statecheck.StateCheck{testAccDeleteIntegrationOutOfBand(t, testAccSTSAddress)},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: testAccCredentialCheckOff() + testAccAWSSTSIntegrationConfig(name, keyID, secret, 1, role),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccSTSAddress, plancheck.ResourceActionCreate),
					},
				},
			},
		},
	})
}

func TestAWSSTSIntegration_validation(t *testing.T) {
	testUnitProviderEnv(t)
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"bad role ARN": {
			config: testAccAWSSTSIntegrationConfig("x", keyID, secret, 1, "arn:aws:iam::123456789012:user/someone"),
			want:   regexp.MustCompile(`(?s)Invalid IAM Role ARN.*role_arn`),
		},
		"bad key ID": {
			config: testAccAWSSTSIntegrationConfig("x", "AKIA-not-a-key", secret, 1, "arn:aws:iam::123456789012:role/r"),
			want:   regexp.MustCompile(`(?s)Invalid AWS Access Key ID.*access_key_id`),
		},
		"missing role": {
			config: fmt.Sprintf(`
resource "dataloop_aws_sts_integration" "test" {
  name                 = "x"
  access_key_id        = %[1]q
  secret_access_key_wo = %[2]q
}
`, keyID, secret),
			want: regexp.MustCompile(`(?s)The argument "role_arn" is required`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config, PlanOnly: true, ExpectError: tc.want}},
			})
		})
	}
}

// testAccAWSSTSIntegrationConfig renders the integration under test; extra
// holds further attribute lines, such as "verify_credentials = false".
func testAccAWSSTSIntegrationConfig(name, keyID, secret string, version int, roleARN string, extra ...string) string {
	return fmt.Sprintf(`
resource "dataloop_aws_sts_integration" "test" {
  name                         = %[1]q
  access_key_id                = %[2]q
  secret_access_key_wo         = %[3]q
  secret_access_key_wo_version = %[4]d
  role_arn                     = %[5]q
%[6]s}
`, name, keyID, secret, version, roleARN, testAccAttributeLines(extra))
}

// testAccCheckEmulatorSTSCredentials checks the key, secret and role the
// emulator holds for the STS integration at testAccSTSAddress.
func testAccCheckEmulatorSTSCredentials(e *testEmulator, keyID, secret, role string) statecheck.StateCheck {
	credentials := testAccCheckEmulatorCredentials(e, testAccSTSAddress, keyID, secret)
	return stateCheckFunc(func(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		credentials.CheckState(ctx, req, resp)
		if resp.Error != nil {
			return
		}
		id, err := stateString(req.State, testAccSTSAddress, "id")
		if err != nil {
			resp.Error = err
			return
		}
		opts, _ := e.IntegrationOptions(id)
		if opts["roleArns"] != role {
			resp.Error = fmt.Errorf("the emulator holds roleArns %v, want %q", opts["roleArns"], role)
		}
	})
}
