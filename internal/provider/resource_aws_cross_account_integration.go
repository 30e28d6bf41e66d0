package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var (
	_ resource.Resource                = (*awsCrossAccountIntegrationResource)(nil)
	_ resource.ResourceWithConfigure   = (*awsCrossAccountIntegrationResource)(nil)
	_ resource.ResourceWithImportState = (*awsCrossAccountIntegrationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*awsCrossAccountIntegrationResource)(nil)
)

// NewAWSCrossAccountIntegrationResource returns the
// dataloop_aws_cross_account_integration resource (platform type "aws-cross").
func NewAWSCrossAccountIntegrationResource() resource.Resource {
	return &awsCrossAccountIntegrationResource{}
}

type awsCrossAccountIntegrationResource struct {
	data *providerData
}

// awsCrossAccountIntegrationModel has the attributes of every integration,
// the bound role and what the platform reports about its IAM user.
type awsCrossAccountIntegrationModel struct {
	integrationModel
	RoleARN            types.String `tfsdk:"role_arn"`
	PlatformIAMUserARN types.String `tfsdk:"platform_iam_user_arn"`
}

func (r *awsCrossAccountIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_cross_account_integration"
}

func (r *awsCrossAccountIntegrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := mergeAttributes(integrationCommonAttributes(ctx), map[string]schema.Attribute{
		// Optional
		"role_arn": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "ARN of the IAM role in your account that the platform assumes, " +
				"`arn:aws:iam::<12-digit account ID>:role/<role name>`. The role must be in the `aws` partition: " +
				"the platform IAM user that assumes it is in `aws`, and a role trusts principals of its own partition only. " +
				"It is a plain string, so the role can be " +
				"created after the integration (its trust policy needs `platform_iam_user_arn`) without a cycle. " +
				"Changing it binds the new role in place; removing it removes the binding. The platform does not " +
				"return the bound role, so this is the value last applied: a role bound outside Terraform is not " +
				"detected, and an imported integration has no `role_arn` until the next apply binds the configured one.",
			Validators: []validator.String{validators.IAMRoleARN(rules.PartitionAWS)},
		},

		// Computed
		"platform_iam_user_arn": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "ARN of the IAM user that the platform created for this integration. Use it as " +
				"the principal of the role's trust policy, for example with the `dataloop_aws_trust_policy` data source.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a Dataloop cross-account AWS integration (platform type `aws-cross`): the " +
			"platform gets its own IAM user and accesses your buckets by assuming a role in your account, so no " +
			"key of yours is shared.\n\n" +
			"Changing `name` renames the integration in place: it keeps its ID, its `platform_iam_user_arn` (so " +
			"the role's trust stays valid) and its storage drivers. Changing `role_arn` binds another role in " +
			"place. An organization can have at most 15 cross-account AWS integrations.",
		Attributes: attributes,
	}
}

func (r *awsCrossAccountIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *awsCrossAccountIntegrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !planIntegrationOrgID(ctx, r.data, req, resp) {
		return
	}
	planIntegrationLimit(ctx, r.data, platform.TypeAWSCross, req, resp)
	planExistingIntegration(ctx, r.data, "dataloop_aws_cross_account_integration", platform.TypeAWSCross, req, resp)
}

func (r *awsCrossAccountIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan awsCrossAccountIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	orgID := r.data.orgIDOrDefault(plan.OrgID, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var bind bindStep
	if role := plan.RoleARN.ValueString(); role != "" {
		bind = bindStep{Credentials: roleCredentials(role), Attribute: "role_arn", Summary: "Unable to Bind IAM Role", What: "role " + role}
	}
	integration := createIntegration(ctx, r.data, orgID, "Unable to Create AWS Cross-Account Integration",
		platform.CreateIntegrationInput{Name: plan.Name.ValueString(), Type: platform.TypeAWSCross, Options: map[string]any{}},
		bind, &resp.Diagnostics)
	if integration == nil {
		return
	}
	resp.Diagnostics.Append(plan.applyIntegration(integration, orgID)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsCrossAccountIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state awsCrossAccountIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	integration, orgID := readIntegration(ctx, r.data, req, resp, platform.TypeAWSCross)
	if integration == nil {
		return
	}
	resp.Diagnostics.Append(state.applyIntegration(integration, orgID)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *awsCrossAccountIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state awsCrossAccountIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	orgID := r.data.orgIDOrDefault(plan.OrgID, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// NOTE: a rename and a new role binding go in one PATCH, as Dataloop's
	// SDK sends them; renaming keeps the integration and its platform IAM user.
	in := plan.updateInput(state.integrationModel)
	if !plan.RoleARN.Equal(state.RoleARN) {
		// An empty role ARN removes the binding.
		in.Credentials = roleCredentials(plan.RoleARN.ValueString())
	}
	integration, err := updateIntegration(ctx, r.data, orgID, in, "Updating AWS cross-account integration")
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update AWS Cross-Account Integration",
			fmt.Sprintf("Could not update integration %q of organization %q (name %q, role %q): %s",
				state.ID.ValueString(), orgID, plan.Name.ValueString(), plan.RoleARN.ValueString(), err))
		return
	}
	resp.Diagnostics.Append(plan.applyIntegration(integration, orgID)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsCrossAccountIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteIntegration(ctx, r.data, req, resp)
}

func (r *awsCrossAccountIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importIntegrationState(ctx, req, resp)
}

// roleCredentials are the credentials that bind role to an aws-cross
// integration; an empty role removes the binding.
func roleCredentials(role string) *platform.IntegrationCredentials {
	return &platform.IntegrationCredentials{
		Type:    platform.TypeAWSCross,
		Options: map[string]any{"roleArn": role},
	}
}

// applyIntegration copies what the platform returns into the model: the
// platform IAM user, from its metadata. The bound role is
// not returned by the platform (nothing documents it), so role_arn keeps
// the value the model already has: the plan's, or the state's on refresh.
func (m *awsCrossAccountIntegrationModel) applyIntegration(i *platform.Integration, orgID string) diag.Diagnostics {
	var diags diag.Diagnostics
	m.applyCommon(i, orgID)
	// NOTE: the trust status is not stored here: the platform sets it as a
	// side effect of a storage driver's check, so every refresh after the
	// first successful apply would report drift. The dataloop_platform_iam_user
	// data source reports it.

	userARN := i.PlatformUserARN()
	if userARN == "" {
		diags.AddError("Missing Platform IAM User",
			fmt.Sprintf("The platform returned cross-account integration %q without the ARN of its IAM user "+
				"(metadata %q). The role's trust policy cannot be written without it. Contact Dataloop support "+
				"if this persists.", i.ID, platform.MetadataUserARN))
		m.PlatformIAMUserARN = types.StringNull()
		return diags
	}
	m.PlatformIAMUserARN = types.StringValue(userARN)
	return diags
}
