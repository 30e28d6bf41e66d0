package provider

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

// testAccExpectNoIntegration fails the test when the organization has an
// integration named name: a failed plan or apply must not leave it behind.
func testAccExpectNoIntegration(t *testing.T, name string) {
	t.Helper()
	list, err := testClient(t).ListIntegrations(context.Background(), testOrgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if in.Name == name {
			t.Fatalf("integration %s (%s) exists although the failed run should have left none", in.ID, name)
		}
	}
}

// TestAccAccountCheck_badToken stands in for a revoked or mistyped API key:
// a plan that only creates (so no refresh needs the token) fails at plan
// time, once for all its resources, naming DATALOOP_TOKEN and the fix,
// without the token in the error, the log or the working directory; with
// state, the refresh fails with the same hint; with a valid token the same
// configuration applies.
func TestAccAccountCheck_badToken(t *testing.T) {
	testAccEmulator(t)
	scan := testAccSecretScan(t)
	badToken := "tf-acc-bad-token-" + randomString(t, "abcdefghijklmnopqrstuvwxyz0123456789", 24)
	name := testName(t, "tf-acc-token")
	integration := testAccAWSCrossAccountIntegrationConfig(name, "")
	driver := s3DriverConfig{Name: testName(t, "tf-acc-token-driver"), IntegrationID: testAccCrossAccountAddress + ".id", Ref: true,
		Bucket: "tf-acc-token-bucket", Region: "us-east-1", Path: "raw/"}
	rejected := spacedRegexp(`Dataloop API Token Rejected.*does not accept the provider's API token.*401.*` +
		`token setting.*DATALOOP_TOKEN environment variable.*valid API key.*Nothing was created`)
	refreshRejected := spacedRegexp(`Unable to Read Integration.*401.*does not accept the provider's API token.*DATALOOP_TOKEN`)
	var planErrors, refreshErrors int

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               scan.WorkingDir,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		// ErrorCheck sees the whole error output of the steps that fail, so
		// it can prove what it does not contain (ExpectError only matches).
		ErrorCheck: func(err error) error {
			msg := err.Error()
			switch {
			case strings.Contains(msg, badToken):
				return errors.New("the error output contains the API token")
			case rejected.MatchString(msg):
				if n := strings.Count(msg, "Dataloop API Token Rejected"); n != 1 {
					return fmt.Errorf("the token error is reported %d times for 2 resources, want once: %w", n, err)
				}
				planErrors++
				return nil
			case refreshRejected.MatchString(msg):
				refreshErrors++
				return nil
			}
			return err
		},
		Steps: []resource.TestStep{
			{
				PreConfig: func() { t.Setenv(envToken, badToken) },
				Config:    testAccConfig(integration, driver.String()),
				PlanOnly:  true,
			},
			{
				PreConfig: func() {
					t.Setenv(envToken, testToken)
					testAccExpectNoIntegration(t, name)
				},
				Config: integration,
			},
			{
				PreConfig: func() { t.Setenv(envToken, badToken) },
				Config:    integration,
				PlanOnly:  true,
			},
			{
				PreConfig: func() { t.Setenv(envToken, testToken) },
				Config:    integration,
			},
		},
	})
	if t.Failed() {
		return
	}
	if planErrors != 1 || refreshErrors != 1 {
		t.Fatalf("%d plan-time token errors and %d refresh errors, want 1 each", planErrors, refreshErrors)
	}
	scan.Verify(t, []string{badToken}, "Dataloop API Token Rejected")
}

// TestAccAccountCheck_foreignOrg stands in for an org_id the token's user is
// not a member of, or that does not exist: the plan fails on org_id, naming
// the user's organizations, whether the resource or the provider
// (DATALOOP_ORG_ID) names the organization; nothing is created.
func TestAccAccountCheck_foreignOrg(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-org")
	withOrg := func(org string) string {
		return fmt.Sprintf("resource \"dataloop_aws_cross_account_integration\" \"test\" {\n  name   = %q\n  org_id = %q\n}\n", name, org)
	}
	notMember := func(org, status, source string) *regexp.Regexp {
		return spacedRegexp(`Organization Not Accessible.*` + regexp.QuoteMeta(testUserEmail) + `.*cannot see organization "` +
			regexp.QuoteMeta(org) + `".*` + status + `.*member of ` + testOrgID + `.*comes from ` + source + `.*Nothing was created`)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      withOrg(emulator.OtherOrgID),
				PlanOnly:    true,
				ExpectError: notMember(emulator.OtherOrgID, "403", "org_id of this resource"),
			},
			{
				Config:      withOrg("org-does-not-exist"),
				PlanOnly:    true,
				ExpectError: notMember("org-does-not-exist", "404", "org_id of this resource"),
			},
			{
				PreConfig:   func() { t.Setenv(envOrgID, emulator.OtherOrgID) },
				Config:      testAccAWSCrossAccountIntegrationConfig(name, ""),
				PlanOnly:    true,
				ExpectError: notMember(emulator.OtherOrgID, "403", `the provider's org_id setting.*DATALOOP_ORG_ID`),
			},
		},
	})
	testAccExpectNoIntegration(t, name)
}

// TestAccAccountCheck_destroyNotBlocked: after the provider's org_id moves
// to an organization the token cannot see, a plan that would recreate the
// integration there fails, saying how to destroy anyway; terraform destroy
// -refresh=false, as it says, deletes the integration from the organization
// in state.
func TestAccAccountCheck_destroyNotBlocked(t *testing.T) {
	testAccEmulator(t)
	config := testAccAWSCrossAccountIntegrationConfig(testName(t, "tf-acc-org-destroy"), "")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		// Every plan of the case runs with -refresh=false: the destroy step
		// is the command the error advises.
		AdditionalCLIOptions: &resource.AdditionalCLIOptions{Plan: resource.PlanOptions{NoRefresh: true}},
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig:   func() { t.Setenv(envOrgID, emulator.OtherOrgID) },
				Config:      config,
				PlanOnly:    true,
				ExpectError: spacedRegexp(`Organization Not Accessible.*run terraform destroy -refresh=false`),
			},
			{Config: config, Destroy: true},
		},
	})
}
