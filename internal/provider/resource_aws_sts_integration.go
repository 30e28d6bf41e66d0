package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

var (
	_ resource.Resource                   = (*awsSTSIntegrationResource)(nil)
	_ resource.ResourceWithConfigure      = (*awsSTSIntegrationResource)(nil)
	_ resource.ResourceWithImportState    = (*awsSTSIntegrationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*awsSTSIntegrationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*awsSTSIntegrationResource)(nil)
)

// NewAWSSTSIntegrationResource returns the dataloop_aws_sts_integration
// resource (platform type "aws-sts").
func NewAWSSTSIntegrationResource() resource.Resource {
	return &awsSTSIntegrationResource{}
}

type awsSTSIntegrationResource struct {
	data *providerData
}

// awsSTSIntegrationModel has the attributes of every integration, those of
// the access key, and the role.
type awsSTSIntegrationModel struct {
	integrationModel
	awsKeyModel
	RoleARN types.String `tfsdk:"role_arn"`
}

func (r *awsSTSIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_sts_integration"
}

func (r *awsSTSIntegrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := mergeAttributes(integrationCommonAttributes(ctx), awsKeyAttributes(true))
	attributes = mergeAttributes(attributes, map[string]schema.Attribute{
		// Required
		"role_arn": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "ARN of the IAM role that the platform assumes with the access key, " +
				"`arn:aws:iam::<12-digit account ID>:role/<role name>`. Its trust policy must allow the key's IAM " +
				"user to call `sts:AssumeRole`. Changing it sends the key ID, the secret from " +
				"`secret_access_key_wo` and the new role to the platform, in place. The platform does not return " +
				"it, so a change made outside Terraform is not detected.",
			Validators: []validator.String{validators.IAMRoleARN()},
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a Dataloop AWS STS integration (platform type `aws-sts`): the platform " +
			"uses an IAM user's access key only to assume a role, and accesses your buckets with the role's " +
			"temporary credentials. The secret access key is write-only: it is sent to the platform and never " +
			"stored in the Terraform plan or state. Requires Terraform 1.11 or later.\n\n" +
			"The platform's API has no field for an `sts:ExternalId`, so the role's trust policy cannot require " +
			"one for this type of integration. The platform never returns credentials, so after an import the " +
			"next apply sends `access_key_id`, the secret and `role_arn` to the platform again.\n\n" +
			credentialCheckDescription(true),
		Attributes: attributes,
	}
}

func (r *awsSTSIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *awsSTSIntegrationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateAccessKeyID(ctx, req.Config, &resp.Diagnostics)
}

func (r *awsSTSIntegrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !planIntegrationOrgID(ctx, r.data, req, resp) {
		return
	}
	planExistingIntegration(ctx, r.data, "dataloop_aws_sts_integration", platform.TypeAWSSTS, req, resp)
	planAWSCredentialCheck(ctx, r.data, true, req, resp)
}

func (r *awsSTSIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan awsSTSIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	orgID := r.data.orgIDOrDefault(plan.OrgID, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	integration := r.credentials(plan).create(ctx, r.data, req.Config, orgID, plan.Name.ValueString(),
		"Unable to Create AWS STS Integration", &resp.Diagnostics)
	if integration == nil {
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsSTSIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state awsSTSIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	integration, orgID := readIntegration(ctx, r.data, req, resp, platform.TypeAWSSTS)
	if integration == nil {
		return
	}
	state.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *awsSTSIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state awsSTSIntegrationModel
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

	in := plan.updateInput(state.integrationModel)
	// NOTE: the key, the secret and the role are always sent together, so
	// the platform never holds a mix of old and new credentials.
	if plan.keyChanged(state.awsKeyModel) || !plan.RoleARN.Equal(state.RoleARN) {
		var ok bool
		if ctx, in.Credentials, ok = r.credentials(plan).update(ctx, req.Config, &resp.Diagnostics); !ok {
			return
		}
	}

	integration, err := updateIntegration(ctx, r.data, orgID, in, "Updating AWS STS integration")
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update AWS STS Integration",
			fmt.Sprintf("Could not update integration %q of organization %q: %s", state.ID.ValueString(), orgID, err))
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsSTSIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteIntegration(ctx, r.data, req, resp)
}

func (r *awsSTSIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importIntegrationState(ctx, req, resp)
}

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so the key's attributes and the role keep their
// planned or prior values.
func (m *awsSTSIntegrationModel) applyIntegration(i *platform.Integration, orgID string) {
	m.applyCommon(i, orgID)
	m.applyDefaults()
	// NOTE: the trust status is not stored: the platform sets it as a side
	// effect of a storage driver's check, which would show as drift.
}

// stsOptions are the credentials of an "aws-sts" integration as the
// platform takes them; roleArns is a string, as the platform's SDK documents.
// credentials are the key and role's check and options for Create and Update.
func (r *awsSTSIntegrationResource) credentials(plan awsSTSIntegrationModel) secretCredentials {
	keyID, role := plan.AccessKeyID.ValueString(), plan.RoleARN.ValueString()
	return secretCredentials{
		Type: platform.TypeAWSSTS, Attribute: "secret_access_key_wo", Label: "AWS STS integration",
		Fields: map[string]any{"access_key_id": keyID, "role_arn": role},
		Check: func(ctx context.Context, secret string, diags *diag.Diagnostics) bool {
			return applyAWSCredentialCheck(ctx, r.data, plan.awsKeyModel, secret, role, diags)
		},
		Options: func(secret string) map[string]any { return stsOptions(keyID, secret, role) },
	}
}

func stsOptions(accessKeyID, secret, roleARN string) map[string]any {
	return map[string]any{"key": accessKeyID, "secret": secret, "roleArns": roleARN}
}
