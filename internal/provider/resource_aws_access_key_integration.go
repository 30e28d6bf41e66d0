package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

var (
	_ resource.Resource                = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithConfigure   = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithImportState = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*awsAccessKeyIntegrationResource)(nil)
)

// NewAWSAccessKeyIntegrationResource returns the
// dataloop_aws_access_key_integration resource (platform type "s3").
func NewAWSAccessKeyIntegrationResource() resource.Resource {
	return &awsAccessKeyIntegrationResource{}
}

type awsAccessKeyIntegrationResource struct {
	data *providerData
}

type awsAccessKeyIntegrationModel struct {
	ID                       types.String   `tfsdk:"id"`
	Name                     types.String   `tfsdk:"name"`
	OrgID                    types.String   `tfsdk:"org_id"`
	AccessKeyID              types.String   `tfsdk:"access_key_id"`
	SecretAccessKeyWO        types.String   `tfsdk:"secret_access_key_wo"`
	SecretAccessKeyWOVersion types.Int64    `tfsdk:"secret_access_key_wo_version"`
	CreatedAt                types.String   `tfsdk:"created_at"`
	Creator                  types.String   `tfsdk:"creator"`
	Timeouts                 timeouts.Value `tfsdk:"timeouts"`
}

func (r *awsAccessKeyIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_access_key_integration"
}

func (r *awsAccessKeyIntegrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := integrationCommonAttributes(false)
	attributes = mergeAttributes(attributes, awsKeyAttributes())
	attributes["timeouts"] = timeoutsAttribute(ctx)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a Dataloop integration that accesses AWS with an IAM user's access key " +
			"(platform type `s3`). The secret access key is write-only: it is sent to the platform and never " +
			"stored in the Terraform plan or state. Requires Terraform 1.11 or later.\n\n" +
			"The platform never returns credentials, so after an import the next apply sends `access_key_id` " +
			"and the secret to the platform again.\n\n" +
			credentialCheckDescription(false),
		Attributes: attributes,
	}
}

// awsKeyAttributes are the static-key attributes shared with
// dataloop_aws_sts_integration.
func awsKeyAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"access_key_id": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "AWS access key ID of the IAM user, for example `AKIAIOSFODNN7EXAMPLE`. The platform " +
				"does not return it, so a change made outside Terraform is not detected. Changing it sends the " +
				"key ID and `secret_access_key_wo` to the platform again, in place.",
			Validators: []validator.String{validators.AWSAccessKeyID()},
		},
		"secret_access_key_wo": schema.StringAttribute{
			Required:  true,
			WriteOnly: true,
			Sensitive: true,
			MarkdownDescription: "AWS secret access key of the IAM user. Write-only: Terraform sends it to the " +
				"platform and never stores it in plan or state. Terraform cannot see changes to it, so change " +
				"`secret_access_key_wo_version` to send a new secret.",
		},
		"secret_access_key_wo_version": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Any number that you change whenever `secret_access_key_wo` changes, for example " +
				"when rotating the key. A new value sends the secret to the platform again, in place. It is only " +
				"kept in Terraform state; the platform does not know it.",
		},
	}
}

func (r *awsAccessKeyIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *awsAccessKeyIntegrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	planIntegrationOrgID(ctx, r.data, req, resp)
	planAWSCredentialCheck(ctx, r.data, false, req, resp)
}

func (r *awsAccessKeyIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan awsAccessKeyIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	secret := writeOnlyString(ctx, req.Config, path.Root("secret_access_key_wo"), &resp.Diagnostics)
	orgID := r.data.orgIDOrDefault(plan.OrgID, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if !applyAWSCredentialCheck(ctx, r.data, plan.AccessKeyID.ValueString(), secret, "", &resp.Diagnostics) {
		return
	}

	tflog.Debug(ctx, "Creating AWS access key integration", map[string]any{
		"org_id": orgID, "name": plan.Name.ValueString(), "access_key_id": plan.AccessKeyID.ValueString(),
	})
	integration, err := r.data.Client.CreateIntegration(ctx, orgID, platform.CreateIntegrationInput{
		Name:    plan.Name.ValueString(),
		Type:    platform.TypeS3,
		Options: s3Options(plan.AccessKeyID.ValueString(), secret),
	})
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create AWS Access Key Integration",
			fmt.Sprintf("Could not create integration %q in organization %q: %s", plan.Name.ValueString(), orgID, err))
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsAccessKeyIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var state awsAccessKeyIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	orgID := stateOrgID(ctx, r.data, req.State, &resp.Diagnostics)
	timeout, diags := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	integration := readIntegration(ctx, r.data, orgID, state.ID.ValueString(), platform.TypeS3, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if integration == nil {
		resp.State.RemoveResource(ctx)
		return
	}
	state.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *awsAccessKeyIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state awsAccessKeyIntegrationModel
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

	in := platform.UpdateIntegrationInput{IntegrationID: state.ID.ValueString()}
	if !plan.Name.Equal(state.Name) {
		name := plan.Name.ValueString()
		in.Name = &name
	}
	if !plan.AccessKeyID.Equal(state.AccessKeyID) || !plan.SecretAccessKeyWOVersion.Equal(state.SecretAccessKeyWOVersion) {
		secret := writeOnlyString(ctx, req.Config, path.Root("secret_access_key_wo"), &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if !applyAWSCredentialCheck(ctx, r.data, plan.AccessKeyID.ValueString(), secret, "", &resp.Diagnostics) {
			return
		}
		in.Credentials = &platform.IntegrationCredentials{
			Type:    platform.TypeS3,
			Options: s3Options(plan.AccessKeyID.ValueString(), secret),
		}
	}

	integration, err := r.updateIntegration(ctx, orgID, in, &state)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update AWS Access Key Integration",
			fmt.Sprintf("Could not update integration %q of organization %q: %s", state.ID.ValueString(), orgID, err))
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

// updateIntegration sends the PATCH when there is something to change; a
// change of timeouts alone only needs a read.
func (r *awsAccessKeyIntegrationResource) updateIntegration(ctx context.Context, orgID string, in platform.UpdateIntegrationInput, state *awsAccessKeyIntegrationModel) (*platform.Integration, error) {
	if in.Name == nil && in.Credentials == nil {
		return r.data.Client.GetIntegration(ctx, orgID, state.ID.ValueString())
	}
	tflog.Debug(ctx, "Updating AWS access key integration", map[string]any{
		"integration_id": in.IntegrationID, "org_id": orgID,
		"rename": in.Name != nil, "new_credentials": in.Credentials != nil,
	})
	return r.data.Client.UpdateIntegration(ctx, orgID, in)
}

func (r *awsAccessKeyIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var state awsAccessKeyIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	orgID := stateOrgID(ctx, r.data, req.State, &resp.Diagnostics)
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deleteIntegration(ctx, r.data, orgID, state.ID.ValueString(), &resp.Diagnostics)
}

func (r *awsAccessKeyIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importIntegrationState(ctx, req, resp)
}

// applyIntegration copies what the platform returns into the model. The
// access key ID and the secret version are not returned, so they keep their
// planned or prior values; the write-only secret is always null in state.
func (m *awsAccessKeyIntegrationModel) applyIntegration(i *platform.Integration, orgID string) {
	m.ID = types.StringValue(i.ID)
	m.Name = types.StringValue(i.Name)
	if i.OrgID != "" {
		orgID = i.OrgID
	}
	m.OrgID = types.StringValue(orgID)
	m.CreatedAt = timeString(i.CreatedAt)
	m.Creator = types.StringValue(i.Creator)
	m.SecretAccessKeyWO = types.StringNull()
}

// s3Options are the credentials of an "s3" integration as the platform takes them.
func s3Options(accessKeyID, secret string) map[string]any {
	return map[string]any{"key": accessKeyID, "secret": secret}
}
