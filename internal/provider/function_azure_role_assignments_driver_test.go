package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// applyAzureRolesOutput creates the role assignments in the output "roles"
// on the local stack's ARM endpoint, as azurerm_role_assignment would with
// scope, role_definition_name and principal_id. Nothing is taken from
// elsewhere, so a wrong scope or role makes the driver's check fail.
func applyAzureRolesOutput(stack *testenv.AzureStack) statecheck.StateCheck {
	return stateCheckFunc(func(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		var roles struct {
			RoleAssignments map[string]struct {
				Scope              string `json:"scope"`
				RoleDefinitionName string `json:"role_definition_name"`
				PrincipalID        string `json:"principal_id"`
			} `json:"role_assignments"`
		}
		if resp.Error = stateOutput(req.State, "roles", &roles); resp.Error != nil {
			return
		}
		if len(roles.RoleAssignments) == 0 {
			resp.Error = fmt.Errorf("no role assignments in the output roles")
			return
		}
		for _, a := range roles.RoleAssignments {
			if _, err := stack.AssignRole(context.Background(), a.Scope, a.RoleDefinitionName, a.PrincipalID); err != nil {
				resp.Error = err
				return
			}
		}
	})
}

// TestAccAzureRoleAssignmentsFunction_assignmentPassesDriverCheck stands in
// for a customer who feeds azure_role_assignments into
// azurerm_role_assignment: created on the local stack (which enforces role
// assignments by scope), exactly that assignment lets the platform's test of
// a driver on the container pass, and the driver is created.
func TestAccAzureRoleAssignmentsFunction_assignmentPassesDriverCheck(t *testing.T) {
	env := testAccAzureEnv(t)
	id := env.newIdentity()
	container := env.container(t, id)
	provider := env.providerConfig(nil)
	roles := fmt.Sprintf(`output "roles" {
  value = provider::dataloop::azure_role_assignments(%q, %q, %q)
}`, env.stack.StorageAccountID(testenv.AzureAccount), container, id.principalID)
	name := testName(t, "tf-acc-azure-roles")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t); testAccSetAzureSecret(t, id.secret) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:            provider + roles,
				ConfigStateChecks: []statecheck.StateCheck{applyAzureRolesOutput(env.stack)},
			},
			{
				Config:            provider + testAccAzureDriverConfig(id, name, container, false) + roles,
				ConfigStateChecks: []statecheck.StateCheck{expectAzureAccessSuccess()},
			},
		},
	})
}
