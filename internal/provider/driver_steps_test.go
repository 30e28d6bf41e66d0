package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// Steps and checks shared by the storage driver tests (S3, GCS, Azure).

// expectPlatformDriver reads the ID of the driver at address from state,
// keeps it in *id for later steps (when id is not nil), fetches the driver
// from the platform and hands it to check.
func expectPlatformDriver(t *testing.T, address string, id *string, check func(d *platform.Driver) error) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		driverID, err := stateString(req.State, address, "id")
		if err != nil {
			resp.Error = err
			return
		}
		if id != nil {
			*id = driverID
		}
		d, err := testClient(t).GetDriver(context.Background(), driverID)
		if err != nil {
			resp.Error = err
			return
		}
		resp.Error = check(d)
	})
}

// expectNoDriver fails the test when a driver called name exists.
func expectNoDriver(t *testing.T, name string) {
	t.Helper()
	drivers, err := testClient(t).ListDrivers(context.Background(), testProjectID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drivers {
		if d.Name == name {
			t.Fatalf("driver %s (%q) was created although its access check failed", d.ID, d.Name)
		}
	}
}

// sameValue is what statecheck.CompareValue returns: it collects a value at
// each step and compares it with the ones before.
type sameValue interface {
	AddStateValue(address string, attr tfjsonpath.Path) statecheck.StateCheck
}

// testAccRenameInPlaceStep applies config, in which the resource at address
// is renamed to name: the plan must update it in place, and sameID must see
// the same ID as in the earlier steps.
func testAccRenameInPlaceStep(address, config, name string, sameID sameValue) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(address, plancheck.ResourceActionUpdate),
		}},
		ConfigStateChecks: []statecheck.StateCheck{
			sameID.AddStateValue(address, tfjsonpath.New("id")),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("name"), knownvalue.StringExact(name)),
		},
	}
}

// testAccRecreateDeletedDriverStep deletes the driver *id through the API,
// as a user would in the console, then applies config: the refresh must
// drop the driver from state and the apply create it again; checks then
// run on the new one.
func testAccRecreateDeletedDriverStep(t *testing.T, id *string, address, config string, checks ...statecheck.StateCheck) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			if err := testClient(t).DeleteDriver(context.Background(), *id); err != nil {
				t.Fatalf("deleting driver %s: %v", *id, err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
			plancheck.ExpectResourceAction(address, plancheck.ResourceActionCreate),
		}},
		ConfigStateChecks: checks,
	}
}
