package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ datasource.DataSource              = (*platformIAMUserDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*platformIAMUserDataSource)(nil)
)

// NewPlatformIAMUserDataSource returns the dataloop_platform_iam_user data source.
func NewPlatformIAMUserDataSource() datasource.DataSource {
	return &platformIAMUserDataSource{platformDataSource: newPlatformDataSource("_platform_iam_user")}
}

type platformIAMUserDataSource struct {
	platformDataSource
}

type platformIAMUserDataSourceModel struct {
	IntegrationID   types.String `tfsdk:"integration_id"`
	OrgID           types.String `tfsdk:"org_id"`
	ARN             types.String `tfsdk:"arn"`
	IntegrationName types.String `tfsdk:"integration_name"`
	Trusted         types.Bool   `tfsdk:"trusted"`
}

func (d *platformIAMUserDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Returns the ARN of the IAM user that the platform uses for a cross-account AWS " +
			"integration, to name as the principal of a role's trust policy.\n\n" +
			"With `integration_id`, it is that integration's user. Without it, it is the user of one of the " +
			"organization's unassigned cross-account integrations (the console's \"choose from unassigned IAM " +
			"users\"), the oldest one first; it is an error when there is none. The platform does not report which " +
			"role an integration is bound to, so unassigned means what it does report: the platform has not " +
			"established trust with a role (its `status` metadata is not `trust-established`) and no storage " +
			"driver uses the integration. An integration whose role was bound but never assumed counts as unassigned.\n\n" +
			"~> **Note:** Without `integration_id` the answer changes once the chosen integration is trusted or " +
			"used by a storage driver: the next read picks another unassigned user, or fails when none is left. Use " +
			"it for a one-off lookup; a configuration that keeps a trust policy should pass `integration_id`.",
		Attributes: map[string]schema.Attribute{
			// Optional
			"integration_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "ID of a `dataloop_aws_cross_account_integration`. When unset, an unassigned " +
					"integration is chosen and its ID is returned here.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"org_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ID of the organization to look in. Defaults to the provider's `org_id`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},

			// Computed
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the platform's IAM user, for example `arn:aws:iam::123456789012:user/dataloop-platform-abc`.",
			},
			"integration_name": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Name of the integration the user belongs to.",
			},
			"trusted": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the platform reports that it has assumed the integration's role: its " +
					"`status` metadata entry is `trust-established`. It is `false` until the platform has assumed the " +
					"bound role, for example in a storage driver's access check, and is read on every plan, so it " +
					"suits a `check` block.",
			},
		},
	}
}

func (d *platformIAMUserDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()
	var cfg platformIAMUserDataSourceModel
	if !d.readConfig(ctx, req, resp, &cfg) {
		return
	}
	orgID := d.data.orgIDOrDefault(cfg.OrgID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	var integration *platform.Integration
	if id := cfg.IntegrationID.ValueString(); id != "" {
		integration = d.byID(ctx, orgID, id, resp)
	} else {
		integration = d.unassigned(ctx, orgID, resp)
	}
	if integration == nil {
		return
	}

	arn := integration.PlatformUserARN()
	if arn == "" {
		resp.Diagnostics.AddError("Missing Platform IAM User",
			fmt.Sprintf("The platform returned cross-account integration %q without the ARN of its IAM user "+
				"(metadata %q). Contact Dataloop support if this persists.", integration.ID, platform.MetadataUserARN))
		return
	}
	state := platformIAMUserDataSourceModel{
		IntegrationID:   types.StringValue(integration.ID),
		OrgID:           types.StringValue(orgID),
		ARN:             types.StringValue(arn),
		IntegrationName: types.StringValue(integration.Name),
		Trusted:         types.BoolValue(integration.TrustEstablished()),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (d *platformIAMUserDataSource) byID(ctx context.Context, orgID, id string, resp *datasource.ReadResponse) *platform.Integration {
	tflog.Debug(ctx, "Reading platform IAM user of integration", map[string]any{"integration_id": id, "org_id": orgID})
	integration, err := d.data.Client.GetIntegration(ctx, orgID, id)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("integration_id"), "Unable to Read Integration",
			fmt.Sprintf("Could not read integration %q of organization %q: %s", id, orgID, err))
		return nil
	}
	if integration.Type != platform.TypeAWSCross {
		resp.Diagnostics.AddAttributeError(path.Root("integration_id"), "Not a Cross-Account Integration",
			fmt.Sprintf("Integration %q is of type %q. Only cross-account AWS integrations (type %q) have a "+
				"platform IAM user.", id, integration.Type, platform.TypeAWSCross))
		return nil
	}
	return integration
}

func (d *platformIAMUserDataSource) unassigned(ctx context.Context, orgID string, resp *datasource.ReadResponse) *platform.Integration {
	tflog.Debug(ctx, "Looking for an unassigned platform IAM user", map[string]any{"org_id": orgID})
	// The run's list of the org, shared with the other lookups and checks.
	integrations, ok := d.integrations(ctx, orgID, "", &resp.Diagnostics)
	if !ok {
		return nil
	}
	var candidates []platform.Integration
	for _, i := range integrations {
		if i.Type == platform.TypeAWSCross && !i.TrustEstablished() && i.PlatformUserARN() != "" {
			candidates = append(candidates, i)
		}
	}
	// The oldest first, so the answer is stable while the set does not change.
	sort.SliceStable(candidates, func(a, b int) bool {
		if !candidates[a].CreatedAt.Equal(candidates[b].CreatedAt) {
			return candidates[a].CreatedAt.Before(candidates[b].CreatedAt)
		}
		return candidates[a].ID < candidates[b].ID
	})
	for _, i := range candidates {
		// NOTE: the platform does not report the bound role; an integration
		// that a storage driver uses is assigned all the same.
		drivers, err := d.data.Client.ListDriversByIntegration(ctx, i.ID)
		if err != nil {
			resp.Diagnostics.AddError("Unable to List Storage Drivers",
				fmt.Sprintf("Could not list the storage drivers that use integration %q: %s", i.ID, err))
			return nil
		}
		if len(drivers) == 0 {
			return &i
		}
	}
	resp.Diagnostics.AddError("No Unassigned Platform IAM User",
		fmt.Sprintf("Organization %q has no unassigned cross-account AWS integration (one whose trust is not "+
			"established and that no storage driver uses), so there is no unassigned platform IAM user. "+
			"Create a dataloop_aws_cross_account_integration and use its platform_iam_user_arn, or set "+
			"integration_id.", orgID))
	return nil
}
