package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// testAccCreateCrossIntegrations creates n aws-cross integrations outside
// Terraform, as the console would.
func testAccCreateCrossIntegrations(t *testing.T, n int) {
	t.Helper()
	client := testClient(t)
	for i := range n {
		if _, err := client.CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
			Name: fmt.Sprintf("console-cross-%02d", i), Type: platform.TypeAWSCross, Options: map[string]any{}}); err != nil {
			t.Fatalf("creating integration %d: %v", i, err)
		}
	}
}

// testAccCrossIntegrations renders n aws-cross integrations, limit_0 ... .
func testAccCrossIntegrations(prefix string, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "resource \"dataloop_aws_cross_account_integration\" \"limit_%d\" {\n  name = \"%s-%d\"\n}\n\n", i, prefix, i)
	}
	return b.String()
}

// testAccCheckCrossCount checks how many aws-cross integrations the org holds.
func testAccCheckCrossCount(t *testing.T, want int) resource.TestCheckFunc {
	const typ = platform.TypeAWSCross
	return func(*terraform.State) error {
		list, err := testClient(t).ListIntegrations(context.Background(), testOrgID)
		if err != nil {
			return err
		}
		n := 0
		for _, i := range list {
			if i.Type == typ {
				n++
			}
		}
		if n != want {
			return fmt.Errorf("the org holds %d %s integrations, want %d", n, typ, want)
		}
		return nil
	}
}

// TestAccAWSCrossAccountIntegration_limit: with 13 cross-account
// integrations made in the console, a plan adding 3 fails at plan naming
// the count and the fix, and lists the org's integrations once for all
// three resources; a plan adding 2 applies (15 in all); one more, alone,
// fails at plan too.
func TestAccAWSCrossAccountIntegration_limit(t *testing.T) {
	e := testAccEmulator(t)
	testAccCreateCrossIntegrations(t, 13)
	prefix := testName(t, "tf-acc-limit")
	listRoute := "GET /orgs/{orgId}/integrations"

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckCrossCount(t, 13),
		Steps: []resource.TestStep{
			{
				PreConfig: e.ResetStats,
				Config:    testAccCrossIntegrations(prefix, 3),
				ExpectError: spacedRegexp(`Integration Limit Reached.*has 13 aws-cross integrations.*at most 15.*` +
					`creates 3 of them.*number 16.*Dataloop support`),
			},
			{
				// The failed plan listed the org once, for all three resources.
				PreConfig: func() {
					if n := e.Stats()[listRoute]; n != 1 {
						t.Errorf("the failed plan listed the org's integrations %d times, want once", n)
					}
				},
				Config: testAccCrossIntegrations(prefix, 2),
				Check:  testAccCheckCrossCount(t, 15),
			},
			{
				Config: testAccCrossIntegrations(prefix, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config:      testAccCrossIntegrations(prefix, 3),
				ExpectError: spacedRegexp(`Integration Limit Reached.*has 15 aws-cross integrations.*number 16`),
			},
		},
	})
}

// TestAccAWSCrossAccountIntegration_limitAtApply: the plan saw room for
// one more, but another client took the last slot before the create. The
// platform refuses the create and the error says why and what to do.
func TestAccAWSCrossAccountIntegration_limitAtApply(t *testing.T) {
	e := testAccEmulator(t)
	testAccCreateCrossIntegrations(t, 14)
	e.BeforeRequest("POST", "/api/v1/orgs/"+testOrgID+"/integrations", func() {
		if _, err := testClient(t).CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
			Name: "console-cross-last", Type: platform.TypeAWSCross, Options: map[string]any{}}); err != nil {
			t.Errorf("taking the last slot: %v", err)
		}
	})
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccCrossIntegrations(testName(t, "tf-acc-limit"), 1),
			ExpectError: spacedRegexp(`Unable to Create AWS Cross-Account Integration.*409.*` +
				`allows at most 15 aws-cross integrations per organization.*Dataloop support`),
			Check: testAccCheckCrossCount(t, 15),
		}},
		CheckDestroy: testAccCheckCrossCount(t, 15),
	})
}

// spacedRegexp is testAccErrorRegexp with (?s): its . also matches the
// line breaks of a wrapped diagnostic.
func spacedRegexp(pattern string) *regexp.Regexp {
	return testAccErrorRegexp(`(?s)` + pattern)
}
