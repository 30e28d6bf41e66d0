package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// TestAccIntegrations_renameInPlace renames an integration of every AWS
// type in place (same ID; for aws-cross the same platform IAM user, so the
// role's trust stays valid), then renames them in the console (through the
// API, out of band) and expects the next plan to rename them back in place.
func TestAccIntegrations_renameInPlace(t *testing.T) {
	e := testAccEmulator(t)
	client := testClient(t)
	role := "arn:aws:iam::210987654321:role/dataloop-access"
	names := map[string]string{
		testAccAccessKeyAddress:    testName(t, "tf-acc-key"),
		testAccSTSAddress:          testName(t, "tf-acc-sts"),
		testAccCrossAccountAddress: testName(t, "tf-acc-cross"),
	}
	keyID, secret, stsKeyID, stsSecret := testAccessKeyID(t), testSecretAccessKey(t), testAccessKeyID(t), testSecretAccessKey(t)
	config := func(suffix string) string {
		return testAccConfig(
			testAccCredentialCheckOff(),
			testAccAWSAccessKeyIntegrationConfig(names[testAccAccessKeyAddress]+suffix, keyID, secret, 1),
			testAccAWSSTSIntegrationConfig(names[testAccSTSAddress]+suffix, stsKeyID, stsSecret, 1, role),
			testAccAWSCrossAccountIntegrationConfig(names[testAccCrossAccountAddress]+suffix, role),
		)
	}
	renamed := config("-renamed")
	sameUser := statecheck.CompareValue(compare.ValuesSame())
	ids := map[string]string{}

	// inPlace expects every integration to be updated, not replaced.
	inPlace := func() []plancheck.PlanCheck {
		var checks []plancheck.PlanCheck
		for address := range names {
			checks = append(checks, plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate))
		}
		return checks
	}
	// platformNames checks the IDs against the first apply's and the names
	// the platform holds.
	platformNames := func(suffix string) statecheck.StateCheck {
		return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
			for address, name := range names {
				id, err := stateString(req.State, address, "id")
				if err != nil {
					resp.Error = err
					return
				}
				if prior, ok := ids[address]; ok && prior != id {
					resp.Error = fmt.Errorf("%s has ID %s, was %s: it was replaced, not renamed", address, id, prior)
					return
				}
				ids[address] = id
				in, err := client.GetIntegration(context.Background(), testOrgID, id)
				if err != nil {
					resp.Error = err
					return
				}
				if in.Name != name+suffix {
					resp.Error = fmt.Errorf("the platform holds %s %s as %q; want %q", address, id, in.Name, name+suffix)
					return
				}
			}
		})
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config(""),
				ConfigStateChecks: []statecheck.StateCheck{
					platformNames(""),
					sameUser.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn")),
				},
			},
			{
				Config:           renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: inPlace()},
				ConfigStateChecks: []statecheck.StateCheck{
					platformNames("-renamed"),
					sameUser.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn")),
					testAccCheckEmulatorRole(e, role),
				},
			},
			{
				// Renamed in the console: the plan renames them back, in place.
				PreConfig: func() {
					for address, id := range ids {
						name := "console-" + names[address]
						if _, err := client.UpdateIntegration(context.Background(), testOrgID, platform.UpdateIntegrationInput{
							IntegrationID: id, Name: &name,
						}); err != nil {
							t.Fatalf("renaming %s in the console: %v", id, err)
						}
					}
				},
				Config: renamed,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(inPlace(),
					plancheck.ExpectKnownValue(testAccCrossAccountAddress, tfjsonpath.New("name"),
						knownvalue.StringExact(names[testAccCrossAccountAddress]+"-renamed")))},
				ConfigStateChecks: []statecheck.StateCheck{
					platformNames("-renamed"),
					sameUser.AddStateValue(testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn")),
				},
			},
			testAccNoDriftStep(renamed),
		},
	})
}
