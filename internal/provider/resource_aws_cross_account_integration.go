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

// NewAWSCrossAccountIntegrationResource returns the
// dataloop_aws_cross_account_integration resource (platform type
// "aws-cross"), on the shared integration lifecycle (integration_resource.go).
func NewAWSCrossAccountIntegrationResource() resource.Resource {
	return &integrationResource[awsCrossAccountIntegrationModel, *awsCrossAccountIntegrationModel]{kind: integrationKind{
		typeSuffix:   "_aws_cross_account_integration",
		platformType: platform.TypeAWSCross,
		title:        "AWS Cross-Account Integration",
		label:        "AWS cross-account integration",
		schema:       awsCrossAccountIntegrationSchema,
	}}
}

var _ integrationModelMethods[awsCrossAccountIntegrationModel] = (*awsCrossAccountIntegrationModel)(nil)

// awsCrossAccountIntegrationModel has the attributes of every integration,
// the bound role and what the platform reports about its IAM user.
type awsCrossAccountIntegrationModel struct {
	integrationModel
	RoleARN            types.String `tfsdk:"role_arn"`
	PlatformIAMUserARN types.String `tfsdk:"platform_iam_user_arn"`
}

func awsCrossAccountIntegrationSchema(ctx context.Context) schema.Schema {
	return integrationSchema(ctx, "Manages a Dataloop cross-account AWS integration (platform type `aws-cross`): the "+
		"platform gets its own IAM user and accesses your buckets by assuming a role in your account, so no "+
		"key of yours is shared.\n\n"+
		"Changing `name` renames the integration in place: it keeps its ID, its `platform_iam_user_arn` (so "+
		"the role's trust stays valid) and its storage drivers. Changing `role_arn` binds another role in "+
		"place. An organization can have at most 15 cross-account AWS integrations.", map[string]schema.Attribute{
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
}

// platformCredentials bind role_arn after a create, when it is set, and on
// an update that changes it, where an empty role ARN removes the binding. A
// rename and a new role binding go in one PATCH, as Dataloop's SDK sends
// them; renaming keeps the integration and its platform IAM user.
func (m *awsCrossAccountIntegrationModel) platformCredentials(*providerData) credentialSender {
	role := m.RoleARN.ValueString()
	c := boundCredentials{Type: platform.TypeAWSCross, Update: roleCredentials(role)}
	if role != "" {
		c.Bind = bindStep{Credentials: roleCredentials(role), Attribute: "role_arn", Summary: "Unable to Bind IAM Role", What: "role " + role}
	}
	return c
}

func (m *awsCrossAccountIntegrationModel) credentialsChanged(prior *awsCrossAccountIntegrationModel) bool {
	return !m.RoleARN.Equal(prior.RoleARN)
}

// updateNote names the planned name and role in a failed update's detail.
func (m *awsCrossAccountIntegrationModel) updateNote() string {
	return fmt.Sprintf(" (name %q, role %q)", m.Name.ValueString(), m.RoleARN.ValueString())
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
func (m *awsCrossAccountIntegrationModel) applyIntegration(i *platform.Integration, orgID string, _ applyOp) diag.Diagnostics {
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
