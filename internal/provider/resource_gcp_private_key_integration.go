package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var (
	_ resource.Resource                = (*gcpPrivateKeyIntegrationResource)(nil)
	_ resource.ResourceWithConfigure   = (*gcpPrivateKeyIntegrationResource)(nil)
	_ resource.ResourceWithImportState = (*gcpPrivateKeyIntegrationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*gcpPrivateKeyIntegrationResource)(nil)
)

// NewGCPPrivateKeyIntegrationResource returns the
// dataloop_gcp_private_key_integration resource (platform type "gcs").
func NewGCPPrivateKeyIntegrationResource() resource.Resource {
	return &gcpPrivateKeyIntegrationResource{}
}

type gcpPrivateKeyIntegrationResource struct {
	data *providerData
}

type gcpPrivateKeyIntegrationModel struct {
	integrationModel
	KeyJSONWO         types.String `tfsdk:"key_json_wo"`
	KeyJSONWOVersion  types.Int64  `tfsdk:"key_json_wo_version"`
	ClientEmail       types.String `tfsdk:"client_email"`
	VerifyCredentials types.Bool   `tfsdk:"verify_credentials"`
}

func (r *gcpPrivateKeyIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_gcp_private_key_integration"
}

func (r *gcpPrivateKeyIntegrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := mergeAttributes(integrationCommonAttributes(ctx), map[string]schema.Attribute{
		"key_json_wo": schema.StringAttribute{
			Required:  true,
			WriteOnly: true,
			Sensitive: true,
			MarkdownDescription: "Key file of the service account, the JSON that Google Cloud creates for it " +
				"(`base64decode(google_service_account_key.<name>.private_key)`, or the downloaded file). It is " +
				"validated at plan time without being shown: valid JSON, `\"type\": \"service_account\"`, a service " +
				"account `client_email`, an RSA `private_key` in PEM, and a `token_uri` (https, or http to a loopback " +
				"host). Write-only: it is sent to the platform and never stored in the plan or state. Change " +
				"`key_json_wo_version` to send a new key.",
			Validators: []validator.String{validators.Rule("Invalid Service Account Key",
				"value must be a Google Cloud service account key file",
				func(v string) error { _, err := rules.GCPServiceAccountKey(v); return err })},
		},
		"key_json_wo_version": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Any number that you change whenever `key_json_wo` changes, for example when " +
				"rotating the key. A new value sends the key to the platform again, in place. It is only kept in " +
				"Terraform state; the platform does not know it.",
		},
		"client_email": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Email of the service account the key belongs to (the key's `client_email`), known " +
				"at plan time when the key is. Grant it the storage permissions on the buckets of its drivers " +
				"(`storage.buckets.get` and `storage.objects.create/delete/get/list`). The platform does not return it, so after an import it is " +
				"unknown until the next apply sends the key.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"verify_credentials": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(true),
			MarkdownDescription: "Whether the provider obtains an access token with the key from its `token_uri` " +
				"before the platform receives it, at plan and at apply time (default: `true`). `false` skips the " +
				"check of this integration only; the access checks of its storage drivers still run.",
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a Dataloop GCP private-key integration (platform type `gcs`): the platform " +
			"authenticates as a service account with its key file and uses the Cloud Storage permissions that " +
			"account holds. It serves `dataloop_gcs_storage_driver` drivers. The key is write-only: it is sent to the " +
			"platform and never stored in the Terraform plan or state. Requires Terraform 1.11 or later. Dataloop " +
			"recommends `dataloop_gcp_cross_project_integration`, which shares no key.\n\n" +
			"Before the platform receives the key, the provider obtains an access token with it (the service " +
			"account JWT-bearer grant at the key's `token_uri`; check `credentials`): a deleted or disabled key, or " +
			"a deleted account, fails on `key_json_wo`. The check runs at plan time (`access_check.on_plan`) when " +
			"the integration is created or the key changes and the key is known (a failure is a warning unless " +
			"`access_check.plan_severity = \"error\"`), and at apply time (`access_check.on_apply`), where a key " +
			"Google does not know yet is retried for up to `access_check.propagation_timeout`. A failure at apply " +
			"stops it (a warning with `access_check.severity = \"warning\"`), and nothing is created or changed on " +
			"the platform. The check proves the key only: each driver's access check proves the bucket permissions.\n\n" +
			"The platform never returns credentials, so after an import the next apply sends the key again.",
		Attributes: attributes,
	}
}

func (r *gcpPrivateKeyIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *gcpPrivateKeyIntegrationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !planIntegrationOrgID(ctx, r.data, req, resp) {
		return
	}
	planExistingIntegration(ctx, r.data, "dataloop_gcp_private_key_integration", platform.TypeGCS, req, resp)
	planGCPKey(ctx, r.data, req, resp)
}

// keyChanged reports whether the key must be sent again.
func (m gcpPrivateKeyIntegrationModel) keyChanged(prior gcpPrivateKeyIntegrationModel) bool {
	return !m.KeyJSONWOVersion.Equal(prior.KeyJSONWOVersion) || prior.ClientEmail.IsNull()
}

// credentials are the key's check and options for Create and Update; a key
// that passes sets plan's client_email.
func (r *gcpPrivateKeyIntegrationResource) credentials(plan *gcpPrivateKeyIntegrationModel) secretCredentials {
	return secretCredentials{
		Type: platform.TypeGCS, Attribute: "key_json_wo", Label: "GCP private-key integration", Mask: maskGCPKey,
		Check: func(ctx context.Context, key string, diags *diag.Diagnostics) bool {
			email, ok := applyGCPKeyCheck(ctx, r.data, *plan, key, diags)
			if ok {
				plan.ClientEmail = types.StringValue(email)
			}
			return ok
		},
		Options: gcpKeyOptions,
	}
}

// options are the credentials as the platform takes them (dtlpy's shape).
func gcpKeyOptions(keyJSON string) map[string]any {
	return map[string]any{"key": "", "secret": "", "content": keyJSON}
}

func (r *gcpPrivateKeyIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan gcpPrivateKeyIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	orgID := r.data.orgIDOrDefault(plan.OrgID, &resp.Diagnostics)
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	integration := r.credentials(&plan).create(ctx, r.data, req.Config, orgID, plan.Name.ValueString(),
		"Unable to Create GCP Private Key Integration", &resp.Diagnostics)
	if integration == nil {
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *gcpPrivateKeyIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state gcpPrivateKeyIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	integration, orgID := readIntegration(ctx, r.data, req, resp, platform.TypeGCS)
	if integration == nil {
		return
	}
	state.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func (r *gcpPrivateKeyIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state gcpPrivateKeyIntegrationModel
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
	if plan.keyChanged(state) {
		var ok bool
		if ctx, in.Credentials, ok = r.credentials(&plan).update(ctx, req.Config, &resp.Diagnostics); !ok {
			return
		}
	}
	integration, err := updateIntegration(ctx, r.data, orgID, in, "Updating GCP private-key integration")
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update GCP Private Key Integration",
			fmt.Sprintf("Could not update integration %q of organization %q: %s", state.ID.ValueString(), orgID, err))
		return
	}
	plan.applyIntegration(integration, orgID)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *gcpPrivateKeyIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteIntegration(ctx, r.data, req, resp)
}

func (r *gcpPrivateKeyIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importIntegrationState(ctx, req, resp)
}

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so client_email keeps its planned or prior value;
// the write-only key is always null.
func (m *gcpPrivateKeyIntegrationModel) applyIntegration(i *platform.Integration, orgID string) {
	m.applyCommon(i, orgID)
	m.KeyJSONWO = types.StringNull()
	if m.ClientEmail.IsUnknown() {
		m.ClientEmail = types.StringNull()
	}
	if m.VerifyCredentials.IsNull() {
		m.VerifyCredentials = types.BoolValue(true)
	}
}
