package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// flakyRoutes are the integration and driver routes the flaky-platform test
// injects faults on. The access test routes (POST /drivers/test, GET
// /drivers/{id}/test) are left out: their answer is a check result the
// provider records, and the test is about retries and duplicate-safe
// creates, not about what a check concludes.
var flakyRoutes = []string{
	"GET /orgs/{orgId}/integrations",
	"POST /orgs/{orgId}/integrations",
	"PATCH /orgs/{orgId}/integrations",
	"GET /orgs/{orgId}/integrations/{integrationId}",
	"DELETE /orgs/{orgId}/integrations/{integrationId}",
	"GET /integrations/{integrationId}",
	"GET /drivers",
	"POST /drivers",
	"GET /drivers/byIntegration/{integrationId}",
	"GET /drivers/{id}",
	"PATCH /drivers/{id}",
	"DELETE /drivers/{id}",
}

// flakyFaults returns the faults of one step. Max stays at the provider
// client's default MaxRetries (5): even if every fault of a step hit the
// same call, its last attempt goes through, so the test cannot fail by
// chance. Each step sets the faults anew, which restarts the count.
func flakyFaults(seed int64) emulator.Faults {
	return emulator.Faults{
		Seed:          seed,
		Rate429:       0.15,
		Rate5xx:       0.15,
		RateDrop:      0.1,
		DropAfterRate: 0.25,
		Routes:        flakyRoutes,
		Max:           5,
	}
}

// TestAccProvider_FlakyPlatform applies, re-applies and destroys two key
// integrations while the platform throttles, fails and drops connections,
// also after a create took effect. The provider must converge: no error,
// an empty plan after the apply and exactly one integration per name.
func TestAccProvider_FlakyPlatform(t *testing.T) {
	e := testAccEmulator(t)
	names := []string{testName(t, "tf-acc-flaky-a"), testName(t, "tf-acc-flaky-b")}
	config := testAccCredentialCheckOff() + testAccFlakyConfig(t, names)
	setFaults := func(seed int64) func() {
		return func() { e.SetFaults(flakyFaults(seed)) }
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationNames(names, 0),
		Steps: []resource.TestStep{
			{
				PreConfig: setFaults(1),
				Config:    config,
				Check:     testAccCheckIntegrationNames(names, 1),
			},
			{
				// The refreshed state matches the configuration.
				PreConfig: setFaults(2),
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: testAccCheckIntegrationNames(names, 1),
			},
			{
				// The destroy runs with a fresh fault budget of its own.
				PreConfig: setFaults(3),
				Config:    config,
				Destroy:   true,
			},
		},
	})

	faults := testAccFaultStats(t, e)
	total := 0
	for _, n := range faults {
		total += n
	}
	if total == 0 {
		t.Errorf("no fault was injected; the test proves nothing")
	}
	t.Logf("faults injected: %v", faults)
}

// testAccFlakyConfig renders one access key integration per name. The
// credential check is off, so no AWS endpoint is needed.
func testAccFlakyConfig(t *testing.T, names []string) string {
	var config string
	for i, name := range names {
		config += fmt.Sprintf(`
resource "dataloop_aws_access_key_integration" "flaky_%[1]d" {
  name                         = %[2]q
  access_key_id                = %[3]q
  secret_access_key_wo         = %[4]q
  secret_access_key_wo_version = 1
  verify_credentials           = false
}
`, i, name, testAccessKeyID(t), testSecretAccessKey(t))
	}
	return config
}

// testAccCheckIntegrationNames checks that each name has exactly want
// integrations on the platform. Its client retries like the provider's,
// since the faults are still on when it runs.
func testAccCheckIntegrationNames(names []string, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		client, err := platform.New(platform.Config{
			Endpoint:  os.Getenv(envEndpoint),
			Token:     os.Getenv(envToken),
			UserAgent: "terraform-provider-dataloop-tests",
		})
		if err != nil {
			return err
		}
		integrations, err := client.ListIntegrations(context.Background(), testOrgID)
		if err != nil {
			return err
		}
		for _, name := range names {
			n := 0
			for _, i := range integrations {
				if i.Name == name {
					n++
				}
			}
			if n != want {
				return fmt.Errorf("%d integrations named %q on the platform, want %d", n, name, want)
			}
		}
		return nil
	}
}

// testAccFaultStats returns the emulator's injected fault counts by kind.
func testAccFaultStats(t *testing.T, e *testEmulator) map[string]int {
	t.Helper()
	resp, err := http.Get(e.URL + "/__emulator/stats")
	if err != nil {
		t.Fatalf("GET /__emulator/stats: %v", err)
	}
	defer resp.Body.Close()
	var report emulator.StatsReport
	if err := json.NewDecoder(resp.Body).Decode(&report); err != nil {
		t.Fatalf("decoding /__emulator/stats: %v", err)
	}
	return report.Faults
}
