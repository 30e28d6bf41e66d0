package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// planIntegrationLimit fails the plan of a new integration of type typ when
// it would take the organization past the platform's limit for that type
// (platform.IntegrationLimit): the integrations the org has now plus the
// creates of that type this run has planned so far. The ModifyPlan of
// every integration resource (integrationResource) calls it after
// planIntegrationOrgID; types without a limit return at once.
//
// NOTE: an integration that the same plan destroys still counts. Terraform
// may run a create before an unrelated delete, and the platform refuses the
// create while the old integration exists, so such a plan cannot be applied
// reliably; the message says to delete first.
func planIntegrationLimit(ctx context.Context, pd *providerData, typ string, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if pd == nil || req.Plan.Raw.IsNull() || !req.State.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	limit, ok := platform.IntegrationLimit(typ)
	if !ok {
		return
	}
	var orgID types.String
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root("org_id"), &orgID)...)
	if resp.Diagnostics.HasError() || orgID.IsUnknown() || orgID.ValueString() == "" {
		return
	}
	org := orgID.ValueString()
	list, err := pd.runIntegrations(ctx, org)
	if err != nil {
		resp.Diagnostics.AddWarning("Unable to Check the Integration Limit",
			fmt.Sprintf("Could not list the integrations of organization %q to check the platform's limit of %d %s "+
				"integrations: %s. The apply fails if the organization is at the limit.", org, limit, typ, err))
		return
	}
	existing := 0
	for _, i := range list {
		if i.Type == typ {
			existing++
		}
	}
	planned := pd.planCreate(org, typ)
	if existing+planned <= limit {
		return
	}
	detail := fmt.Sprintf("Organization %q has %d %s integrations, and the platform allows at most %d.", org, existing, typ, limit)
	if planned > 1 {
		detail += fmt.Sprintf(" This plan creates %d of them, so this one would be number %d.", planned, existing+planned)
	} else {
		detail += fmt.Sprintf(" This one would be number %d.", existing+1)
	}
	detail += " " + integrationLimitFix(typ)
	resp.Diagnostics.AddError("Integration Limit Reached", detail)
}

// integrationLimitFix says how to get below the limit of type typ.
func integrationLimitFix(typ string) string {
	return fmt.Sprintf("Delete %s integrations that no storage driver uses (the dataloop_integrations data source "+
		"with type = %q lists them), in a separate apply before this one since Terraform may run a create before "+
		"an unrelated delete, or contact Dataloop support to raise the organization's limit.", typ, typ)
}

// integrationCreateError is the detail of a failed integration create. When
// the platform refused it with a conflict and the type has a limit, it
// says that the organization is most likely at the limit and how to get
// below it.
func integrationCreateError(orgID, name, typ string, err error) string {
	detail := fmt.Sprintf("Could not create integration %q in organization %q: %s", name, orgID, err)
	if limit, ok := platform.IntegrationLimit(typ); ok && platform.IsConflict(err) {
		detail += fmt.Sprintf("\n\nThe platform allows at most %d %s integrations per organization, and refuses "+
			"more (for example when another apply created one since this plan was made). %s", limit, typ, integrationLimitFix(typ))
	}
	return detail
}
