package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
)

// expectNoDrift fails when the refresh before the plan found a managed
// resource that differs from what the last apply stored: the plan's
// resource_drift, the changes for which `terraform plan -refresh-only
// -detailed-exitcode` exits 2. A resource must not store a value that
// changes as a side effect of another resource (or of a check).
func expectNoDrift() plancheck.PlanCheck {
	return planCheckFunc(func(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
		var drifted []string
		for _, rc := range req.Plan.ResourceDrift {
			if rc == nil || rc.Change == nil || rc.Mode != "managed" {
				continue
			}
			drifted = append(drifted, fmt.Sprintf("%s (%v): before %v, after %v", rc.Address, rc.Change.Actions, rc.Change.Before, rc.Change.After))
		}
		if len(drifted) > 0 {
			resp.Error = fmt.Errorf("refresh found %d resources changed right after apply (false drift):\n%s",
				len(drifted), strings.Join(drifted, "\n"))
		}
	})
}

// testAccNoDriftStep plans config again right after the apply of the same
// configuration and expects no drift and no change: what a drift-detection
// run (`terraform plan -refresh-only -detailed-exitcode`) would see.
func testAccNoDriftStep(config string) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{expectNoDrift(), plancheck.ExpectEmptyPlan()},
		},
	}
}
