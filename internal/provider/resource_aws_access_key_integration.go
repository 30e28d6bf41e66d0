package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ resource.Resource                   = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithConfigure      = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithImportState    = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*awsAccessKeyIntegrationResource)(nil)
	_ resource.ResourceWithValidateConfig = (*awsAccessKeyIntegrationResource)(nil)
)

// NewAWSAccessKeyIntegrationResource returns the
// dataloop_aws_access_key_integration resource (platform type "s3").
func NewAWSAccessKeyIntegrationResource() resource.Resource {
	return &awsAccessKeyIntegrationResource{}
}

type awsAccessKeyIntegrationResource struct {
	data *providerData
}

// awsAccessKeyIntegrationModel has the attributes of every integration and
// those of the access key; the platform type adds none.
type awsAccessKeyIntegrationModel struct {
	integrationModel
	awsKeyModel
}

func (r *awsAccessKeyIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_aws_access_key_integration"
}

func (r *awsAccessKeyIntegrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := mergeAttributes(integrationCommonAttributes(ctx), awsKeyAttributes(false))
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

func (r *awsAccessKeyIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *awsAccessKeyIntegrationResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	validateAccessKeyID(ctx, req.Config, &resp.Diagnostics)
}

func (r *awsAccessKeyIntegrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !planIntegrationOrgID(ctx, r.data, req, resp) {
		return
	}
	planExistingIntegration(ctx, r.data, "dataloop_aws_access_key_integration", platform.TypeS3, req, resp)
	planAWSCredentialCheck(ctx, r.data, false, req, resp)
}

func (r *awsAccessKeyIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan awsAccessKeyIntegrationModel
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
		"Unable to Create AWS Access Key Integration", &resp.Diagnostics)
	if integration == nil {
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsAccessKeyIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state awsAccessKeyIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	integration, orgID := readIntegration(ctx, r.data, req, resp, platform.TypeS3)
	if integration == nil {
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

	in := plan.updateInput(state.integrationModel)
	if plan.keyChanged(state.awsKeyModel) {
		var ok bool
		if ctx, in.Credentials, ok = r.credentials(plan).update(ctx, req.Config, &resp.Diagnostics); !ok {
			return
		}
	}

	integration, err := updateIntegration(ctx, r.data, orgID, in, "Updating AWS access key integration")
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update AWS Access Key Integration",
			fmt.Sprintf("Could not update integration %q of organization %q: %s", state.ID.ValueString(), orgID, err))
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *awsAccessKeyIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteIntegration(ctx, r.data, req, resp)
}

func (r *awsAccessKeyIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importIntegrationState(ctx, req, resp)
}

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so the key's attributes keep their planned or
// prior values.
func (m *awsAccessKeyIntegrationModel) applyIntegration(i *platform.Integration, orgID string) {
	m.applyCommon(i, orgID)
	m.applyDefaults()
}

// s3Options are the credentials of an "s3" integration as the platform takes them.
// credentials are the key's check and options for Create and Update.
func (r *awsAccessKeyIntegrationResource) credentials(plan awsAccessKeyIntegrationModel) secretCredentials {
	keyID := plan.AccessKeyID.ValueString()
	return secretCredentials{
		Type: platform.TypeS3, Attribute: "secret_access_key_wo", Label: "AWS access key integration",
		Fields: map[string]any{"access_key_id": keyID},
		Check: func(ctx context.Context, secret string, diags *diag.Diagnostics) bool {
			return applyAWSCredentialCheck(ctx, r.data, plan.awsKeyModel, secret, "", diags)
		},
		Options: func(secret string) map[string]any { return s3Options(keyID, secret) },
	}
}

func s3Options(accessKeyID, secret string) map[string]any {
	return map[string]any{"key": accessKeyID, "secret": secret}
}
