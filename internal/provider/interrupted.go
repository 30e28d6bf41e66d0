package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// This file helps an apply recover after Terraform was killed while the
// platform created an object: the object exists, but the state does not
// know it. The provider is not told the resource's address, so the import
// instructions name the resource type and ask for the address Terraform
// shows with the diagnostic.

// importInstructions is the import block and the terraform import command
// that adopt the object with import ID id into a resource of type typeName.
func importInstructions(typeName, id string) string {
	return fmt.Sprintf("To manage it with this configuration, import it: add this block, with the address shown "+
		"above in place of %[1]s.NAME, and apply again:\n\n"+
		"    import {\n      to = %[1]s.NAME\n      id = %[2]q\n    }\n\n"+
		"or run:\n\n    terraform import %[1]s.NAME %[2]s", typeName, id)
}

// driverConflictError reports a create that the platform refused with 409:
// a driver of that name already exists in the project, typically created by
// an apply that was interrupted before it saved the driver in state. It
// looks the driver up (one list, only on this failure) to name its ID.
func driverConflictError(ctx context.Context, pd *providerData, typeName, projectID, name string, createErr error, diags *diag.Diagnostics) {
	var existing *platform.Driver
	drivers, err := pd.Client.ListDrivers(ctx, projectID)
	if err != nil {
		tflog.Warn(ctx, "Unable to list the project's drivers after a conflict", map[string]any{"error": err.Error()})
	}
	for i := range drivers {
		if drivers[i].Name == name {
			existing = &drivers[i]
			break
		}
	}
	if existing == nil {
		diags.AddAttributeError(path.Root("name"), "Storage Driver Name Already Taken",
			fmt.Sprintf("The platform refused to create driver %q in project %q: %s\n\nAnother driver of that name "+
				"exists in the project. Rename this driver, or find the existing one in the Dataloop console and "+
				"import it with terraform import %s.NAME <driver id>.", name, projectID, createErr, typeName))
		return
	}
	diags.AddAttributeError(path.Root("name"), "Storage Driver Already Exists",
		fmt.Sprintf("Project %q already has a storage driver named %q: ID %s, type %s, integration %s, created %s. "+
			"An earlier apply that was interrupted after the platform created it, before Terraform saved it in "+
			"state, leaves exactly this.\n\n%s\n\nOtherwise rename this driver, or delete driver %s in the Dataloop "+
			"console.", projectID, name, existing.ID, existing.Type, existing.IntegrationID,
			existing.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), importInstructions(typeName, existing.ID), existing.ID))
}

// planExistingIntegration warns, when the plan creates an integration, that
// the organization already has one of the same name and type that this
// resource does not manage: most likely created by an interrupted apply,
// and applying would create a second one (with its own platform identity,
// counting toward the organization's limit). It reads the run's one list of
// the organization's integrations (runIntegrations). Call it from ModifyPlan
// after planIntegrationOrgID.
func planExistingIntegration(ctx context.Context, pd *providerData, typeName, typ string, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if pd == nil || req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var orgID, name types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("org_id"), &orgID)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() || orgID.IsUnknown() || orgID.ValueString() == "" || name.IsUnknown() || name.IsNull() {
		return
	}
	list, err := pd.runIntegrations(ctx, orgID.ValueString())
	if err != nil {
		tflog.Warn(ctx, "Unable to list the organization's integrations to look for one of the same name",
			map[string]any{"org_id": orgID.ValueString(), "error": err.Error()})
		return
	}
	for _, in := range list {
		if in.Type != typ || in.Name != name.ValueString() {
			continue
		}
		resp.Diagnostics.AddAttributeWarning(path.Root("name"), "Integration Already Exists",
			fmt.Sprintf("Organization %q already has a %s integration named %q: ID %s, created %s by %s. This plan "+
				"creates another one. If an earlier apply was interrupted while it created this integration, the "+
				"existing one is that integration, and applying would leave it behind as a duplicate (with its own "+
				"platform identity, counting toward the organization's limits).\n\n%s",
				orgID.ValueString(), typ, name.ValueString(), in.ID, in.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"),
				in.Creator, importInstructions(typeName, in.ID)))
		return
	}
}
