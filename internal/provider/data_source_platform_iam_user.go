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
	return &platformIAMUserDataSource{}
}

type platformIAMUserDataSource struct {
	data *providerData
}

type platformIAMUserDataSourceModel struct {
	IntegrationID   types.String `tfsdk:"integration_id"`
	OrgID           types.String `tfsdk:"org_id"`
	ARN             types.String `tfsdk:"arn"`
	IntegrationName types.String `tfsdk:"integration_name"`
	RoleARN         types.String `tfsdk:"role_arn"`
}

func (d *platformIAMUserDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_platform_iam_user"
}

func (d *platformIAMUserDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Returns the ARN of the IAM user that the platform uses for a cross-account AWS " +
			"integration, to name as the principal of a role's trust policy.\n\n" +
			"With `integration_id`, it is that integration's user. Without it, it is the user of one of the " +
			"organization's cross-account integrations that no role is bound to yet (the console's \"choose from " +
			"unassigned IAM users\"), the oldest one first; it is an error when there is none.\n\n" +
			"~> **Note:** Without `integration_id` the answer changes once a role is bound to the chosen " +
			"integration: the next read picks another unassigned user, or fails when none is left. Use it for a " +
			"one-off lookup; a configuration that keeps a trust policy should pass `integration_id`.",
		Attributes: map[string]schema.Attribute{
			// Optional
			"integration_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "ID of a `dataloop_aws_cross_account_integration`. When unset, an integration " +
					"without a bound role is chosen and its ID is returned here.",
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
			"role_arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ARN of the role bound to the integration, or null when none is bound.",
			},
		},
	}
}

func (d *platformIAMUserDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *platformIAMUserDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var cfg platformIAMUserDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
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

	arn, _ := integration.MetadataValue(platform.MetadataUserARN)
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
		RoleARN:         types.StringNull(),
	}
	if role, ok := integration.MetadataValue(platform.MetadataRoleARN); ok && role != "" {
		state.RoleARN = types.StringValue(role)
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
	integrations, err := d.data.Client.ListIntegrations(ctx, orgID)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Integrations",
			fmt.Sprintf("Could not list the integrations of organization %q: %s", orgID, err))
		return nil
	}
	var free []platform.Integration
	for _, i := range integrations {
		if i.Type != platform.TypeAWSCross {
			continue
		}
		if role, _ := i.MetadataValue(platform.MetadataRoleARN); role != "" {
			continue
		}
		if arn, _ := i.MetadataValue(platform.MetadataUserARN); arn == "" {
			continue
		}
		free = append(free, i)
	}
	if len(free) == 0 {
		resp.Diagnostics.AddError("No Unassigned Platform IAM User",
			fmt.Sprintf("Organization %q has no cross-account AWS integration without a bound role, so there is "+
				"no unassigned platform IAM user. Create a dataloop_aws_cross_account_integration without "+
				"role_arn and use its platform_iam_user_arn, or set integration_id.", orgID))
		return nil
	}
	// The oldest first, so the answer is stable while the set does not change.
	sort.SliceStable(free, func(a, b int) bool {
		if !free[a].CreatedAt.Equal(free[b].CreatedAt) {
			return free[a].CreatedAt.Before(free[b].CreatedAt)
		}
		return free[a].ID < free[b].ID
	})
	return &free[0]
}
