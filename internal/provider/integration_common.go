package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// This file holds what every integration resource shares: the common
// attributes (id, org_id, created_at, creator), the org_id default from the
// provider, import by id, and reading an integration back.

// integrationTypeResource maps a platform integration type to the resource
// that manages it, so a mismatched import can say which resource to use.
var integrationTypeResource = map[string]string{
	platform.TypeS3:        "dataloop_aws_access_key_integration",
	platform.TypeAWSSTS:    "dataloop_aws_sts_integration",
	platform.TypeAWSCross:  "dataloop_aws_cross_account_integration",
	platform.TypeGCS:       "dataloop_gcp_service_account_integration",
	platform.TypeGCPCross:  "dataloop_gcp_cross_project_integration",
	platform.TypeAzureBlob: "dataloop_azure_client_secret_integration",
}

// integrationCommonAttributes returns the attributes every integration
// resource has. nameReplace makes a name change replace the integration, for
// types whose name the platform does not let change.
func integrationCommonAttributes(nameReplace bool) map[string]schema.Attribute {
	nameModifiers := []planmodifier.String{}
	nameDescription := "Name of the integration as shown in the Dataloop console. Changing it renames the " +
		"integration in place."
	if nameReplace {
		nameModifiers = append(nameModifiers, stringplanmodifier.RequiresReplace())
		nameDescription = "Name of the integration as shown in the Dataloop console. The platform does not allow " +
			"renaming this type of integration, so changing it replaces the integration, and the new one gets a " +
			"new platform identity."
	}
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: nameDescription,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			PlanModifiers:       nameModifiers,
		},
		"org_id": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "ID of the organization that owns the integration. Defaults to the provider's " +
				"`org_id`. Changing it replaces the integration.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"id": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "ID of the integration.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"created_at": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the integration was created, as an RFC 3339 timestamp in UTC.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"creator": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "Email address (or ID) of the user who created the integration.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	}
}

// mergeAttributes adds the entries of extra to base and returns base.
func mergeAttributes(base map[string]schema.Attribute, extra map[string]schema.Attribute) map[string]schema.Attribute {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

// planIntegrationOrgID fills a planned org_id the configuration leaves unset
// with the provider's org_id, and marks the integration for replacement when
// the organization changes. Call it from ModifyPlan.
func planIntegrationOrgID(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if pd == nil || req.Plan.Raw.IsNull() {
		return
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("org_id"), &configured)...)
	if resp.Diagnostics.HasError() || configured.IsUnknown() {
		return
	}
	orgID := pd.orgIDOrDefault(configured, &resp.Diagnostics)
	if orgID == "" {
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("org_id"), orgID)...)
	if req.State.Raw.IsNull() {
		return
	}
	var prior types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("org_id"), &prior)...)
	if !prior.IsNull() && prior.ValueString() != orgID {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("org_id"))
	}
}

// importIntegrationState accepts "<integration id>" (organization from the
// provider) or "<org id>/<integration id>".
func importIntegrationState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	orgID, id, found := strings.Cut(req.ID, "/")
	if !found {
		id, orgID = orgID, ""
	}
	if id == "" || (found && orgID == "") || strings.Contains(id, "/") {
		resp.Diagnostics.AddError("Invalid Import ID",
			fmt.Sprintf("The import ID %q is not valid. Use the integration ID, or <org_id>/<integration_id> "+
				"to import from an organization other than the provider's.", req.ID))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
	if orgID != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("org_id"), orgID)...)
	}
}

// readIntegration reads an integration for Read. It returns nil without a
// diagnostic when the integration is gone, so the caller drops it from state.
// An integration of another type (a mistaken import) is an error naming the
// resource that manages it.
func readIntegration(ctx context.Context, pd *providerData, orgID, id, wantType string, diags *diag.Diagnostics) *platform.Integration {
	integration, err := pd.Client.GetIntegration(ctx, orgID, id)
	if platform.IsNotFound(err) {
		tflog.Warn(ctx, "Integration no longer exists, removing it from state",
			map[string]any{"integration_id": id, "org_id": orgID})
		return nil
	}
	if err != nil {
		diags.AddError("Unable to Read Integration",
			fmt.Sprintf("Could not read integration %q of organization %q: %s", id, orgID, err))
		return nil
	}
	if integration.Type != wantType {
		detail := fmt.Sprintf("Integration %q is of type %q, but this resource manages integrations of type %q.",
			id, integration.Type, wantType)
		if other, ok := integrationTypeResource[integration.Type]; ok {
			detail += fmt.Sprintf(" Manage it with the %s resource instead.", other)
		}
		diags.AddError("Unexpected Integration Type", detail)
		return nil
	}
	return integration
}

// stateOrgID returns the org_id held in state, or the provider's when state
// has none (right after an import by bare id).
func stateOrgID(ctx context.Context, pd *providerData, state tfsdk.State, diags *diag.Diagnostics) string {
	var v types.String
	diags.Append(state.GetAttribute(ctx, path.Root("org_id"), &v)...)
	return pd.orgIDOrDefault(v, diags)
}

// deleteIntegration deletes an integration; one that is already gone is not
// an error.
func deleteIntegration(ctx context.Context, pd *providerData, orgID, id string, diags *diag.Diagnostics) {
	tflog.Debug(ctx, "Deleting integration", map[string]any{"integration_id": id, "org_id": orgID})
	err := pd.Client.DeleteIntegration(ctx, orgID, id)
	if err != nil && !platform.IsNotFound(err) {
		diags.AddError("Unable to Delete Integration",
			fmt.Sprintf("Could not delete integration %q of organization %q: %s", id, orgID, err))
	}
}

// writeOnlyString reads a write-only attribute from the configuration; it is
// never in the plan or state. It is the only place secrets enter the provider.
func writeOnlyString(ctx context.Context, config tfsdk.Config, p path.Path, diags *diag.Diagnostics) string {
	var v types.String
	diags.Append(config.GetAttribute(ctx, p, &v)...)
	if diags.HasError() {
		return ""
	}
	if v.IsNull() || v.IsUnknown() || v.ValueString() == "" {
		diags.AddAttributeError(p, "Missing Write-Only Value",
			fmt.Sprintf("%s must be set to a known value during apply: it is sent to the platform and never stored "+
				"in state, so Terraform cannot reuse an earlier value.", p))
		return ""
	}
	return v.ValueString()
}

// unconfiguredError is the diagnostic for a CRUD call without provider data.
func unconfiguredError(diags *diag.Diagnostics) {
	diags.AddError("Unconfigured Dataloop Provider",
		"The provider was not configured before this operation. This is always a bug in the provider, "+
			"please report this issue to the provider developers.")
}
