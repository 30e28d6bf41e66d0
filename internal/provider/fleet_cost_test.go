package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// Emulator routes the fleet tests count.
const (
	routeDriverTest      = "POST /drivers/test"
	routeDriverTestByID  = "GET /drivers/{id}/test"
	routeListDrivers     = "GET /drivers"
	routeCreateDriver    = "POST /drivers"
	routeGetProject      = "GET /projects/{projectId}"
	routeGetIntegration  = "GET /orgs/{orgId}/integrations/{integrationId}"
	routeMe              = "GET /users/me"
	fleetDrivers         = 9
	fleetDistinctTargets = 3
)

// fleetConfig is fleetDrivers drivers cycling through three prefixes of one
// bucket (three distinct locations), plus, with drift set, the drift
// guide's per-location data sources and a per-driver data source.
func fleetConfig(name, integrationID, bucket string, drift bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, `
# NOTE: count, not for_each: terraform-plugin-testing's state shim does
# not take for_each on data sources.
resource "dataloop_s3_storage_driver" "fleet" {
  count          = %d
  project_id     = %q
  name           = format("%s-%%02d", count.index)
  integration_id = %q
  bucket         = %q
  region         = %q
  path           = ["a/", "b/", "c/"][count.index %% 3]
}
`, fleetDrivers, testProjectID, name, integrationID, bucket, testenv.MotoRegion)
	if drift {
		b.WriteString(`
locals {
  access_locations = {
    for d in dataloop_s3_storage_driver.fleet :
    join("|", [d.integration_id, d.bucket, d.region, d.path, tostring(d.allow_delete), coalesce(d.endpoint, "-")]) => d...
  }
}

data "dataloop_storage_access" "by_location" {
  count          = length(local.access_locations)
  project_id     = values(local.access_locations)[count.index][0].project_id
  integration_id = values(local.access_locations)[count.index][0].integration_id
  bucket         = values(local.access_locations)[count.index][0].bucket
  region         = values(local.access_locations)[count.index][0].region
  path           = values(local.access_locations)[count.index][0].path
  allow_delete   = values(local.access_locations)[count.index][0].allow_delete
  endpoint       = values(local.access_locations)[count.index][0].endpoint
}

data "dataloop_storage_access" "by_driver" {
  count     = length(dataloop_s3_storage_driver.fleet)
  driver_id = dataloop_s3_storage_driver.fleet[count.index].id
}

check "fleet_access" {
  assert {
    condition     = alltrue(concat([for a in data.dataloop_storage_access.by_location : a.success], [for a in data.dataloop_storage_access.by_driver : a.success]))
    error_message = "lost access"
  }
}
`)
	}
	return b.String()
}

// expectCalls checks the emulator's call counts since the last ResetStats.
func expectCalls(env *s3TestEnv, check func(stats map[string]int) error) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		if err := check(env.Stats()); err != nil {
			resp.Error = err
		}
	})
}

// TestAccS3StorageDriver_fleetCost applies drivers over a few shared
// locations and counts platform calls: every provider run (one per
// Terraform walk, each reads the project once when it checks) tests each
// distinct location once, however many drivers and data sources ask about
// it; creates send no list of the project's drivers; /users/me is read at
// most once per run and each integration at most twice (once at plan, once
// fresh at apply).
func TestAccS3StorageDriver_fleetCost(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	// Delete is granted so that the checks leave no probe objects behind.
	integration := env.keyIntegration(t, s3DriverPolicy(t, bucket, "", true))
	name := testName(t, "fleet")

	perRun := func(stats map[string]int) error {
		runs := stats[routeGetProject]
		if runs == 0 {
			return fmt.Errorf("no provider run read the project: %v", stats)
		}
		if got, want := stats[routeDriverTest], fleetDistinctTargets*runs; got != want {
			return fmt.Errorf("%d access tests in %d provider runs, want %d (one per distinct location per run): %v", got, runs, want, stats)
		}
		if n := stats[routeDriverTestByID]; n != 0 {
			return fmt.Errorf("%d per-driver tests, want 0: drivers share their location's test: %v", n, stats)
		}
		if n := stats[routeMe]; n > runs {
			return fmt.Errorf("%d requests for /users/me in %d runs, want at most one per run: %v", n, runs, stats)
		}
		if n := stats[routeGetIntegration]; n > 2*runs {
			return fmt.Errorf("%d integration reads in %d runs, want at most 2 per run: %v", n, runs, stats)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: env.ResetStats,
				Config:    testAccConfig(fleetConfig(name, integration, bucket, false)),
				ConfigStateChecks: []statecheck.StateCheck{
					expectCalls(env, perRun),
					expectCalls(env, func(stats map[string]int) error {
						if n := stats[routeCreateDriver]; n != fleetDrivers {
							return fmt.Errorf("%d creates, want %d: %v", n, fleetDrivers, stats)
						}
						if n := stats[routeListDrivers]; n != 0 {
							return fmt.Errorf("%d lists of the project's drivers, want 0 when no create failed: %v", n, stats)
						}
						return nil
					}),
				},
			},
			{
				PreConfig: env.ResetStats,
				Config:    testAccConfig(fleetConfig(name, integration, bucket, true)),
				ConfigStateChecks: []statecheck.StateCheck{
					expectCalls(env, perRun),
				},
			},
		},
	})
	env.expectNoProbeObjects(t, bucket)
}
