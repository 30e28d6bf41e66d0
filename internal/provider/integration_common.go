package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// This file holds what every integration resource shares: the common
// attributes (name, id, org_id, created_at, creator, timeouts) and their
// model, the org_id default from the provider, import by id, Read's fetch,
// Update's PATCH and Delete. The attributes and model of the static AWS
// access key, shared by dataloop_aws_access_key_integration and
// dataloop_aws_sts_integration, are at the end.

// integrationTypeResource maps a platform integration type to the resource
// that manages it, so a mismatched import can say which resource to use.
var integrationTypeResource = map[string]string{
	platform.TypeS3:        "dataloop_aws_access_key_integration",
	platform.TypeAWSSTS:    "dataloop_aws_sts_integration",
	platform.TypeAWSCross:  "dataloop_aws_cross_account_integration",
	platform.TypeGCS:       "dataloop_gcp_private_key_integration",
	platform.TypeGCPCross:  "dataloop_gcp_cross_project_integration",
	platform.TypeAzureBlob: "dataloop_azure_client_secret_integration",
}

// integrationModel holds the attributes of integrationCommonAttributes.
// Every integration resource's model embeds it.
type integrationModel struct {
	ID        types.String   `tfsdk:"id"`
	Name      types.String   `tfsdk:"name"`
	OrgID     types.String   `tfsdk:"org_id"`
	CreatedAt types.String   `tfsdk:"created_at"`
	Creator   types.String   `tfsdk:"creator"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

// applyCommon copies the attributes every integration has from what the
// platform returns. orgID is the organization the request named; it stands
// in when the platform's answer does not say.
func (m *integrationModel) applyCommon(i *platform.Integration, orgID string) {
	m.ID = types.StringValue(i.ID)
	m.Name = types.StringValue(i.Name)
	if i.OrgID != "" {
		orgID = i.OrgID
	}
	m.OrgID = types.StringValue(orgID)
	m.CreatedAt = timeString(i.CreatedAt)
	m.Creator = types.StringValue(i.Creator)
}

// updateInput starts the PATCH that brings the integration in prior state
// to m: the integration's ID and, when it changes, the new name.
func (m integrationModel) updateInput(prior integrationModel) platform.UpdateIntegrationInput {
	in := platform.UpdateIntegrationInput{IntegrationID: prior.ID.ValueString()}
	if !m.Name.Equal(prior.Name) {
		name := m.Name.ValueString()
		in.Name = &name
	}
	return in
}

// integrationCommonAttributes returns the attributes every integration
// resource has, timeouts included. Every integration type can be renamed in
// place (the console's Rename; PATCH {integrationId, name}); what a
// cross-account integration does not allow changing is its platform identity.
func integrationCommonAttributes(ctx context.Context) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "Name of the integration as shown in the Dataloop console. Changing it renames the " +
				"integration in place, for every integration type; a name changed in the console is renamed back at " +
				"the next apply. It is one line of 1 to " + fmt.Sprint(rules.MaxObjectNameLength) +
				" characters without control characters.",
			Validators: []validator.String{validators.ObjectName()},
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
		"timeouts": timeoutsAttribute(ctx),
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
// with the provider's org_id, marks the integration for replacement when
// the organization changes, and runs the run's account check
// (planAccountCheck) when the plan creates or changes the integration. Call
// it first from ModifyPlan; it returns false when the plan must not go on
// to other platform calls.
func planIntegrationOrgID(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if pd == nil || req.Plan.Raw.IsNull() {
		return true
	}
	var configured types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("org_id"), &configured)...)
	if resp.Diagnostics.HasError() {
		return false
	}
	orgID := ""
	if !configured.IsUnknown() {
		if orgID = pd.orgIDOrDefault(configured, &resp.Diagnostics); orgID == "" {
			return false
		}
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("org_id"), orgID)...)
		if !req.State.Raw.IsNull() {
			var prior types.String
			resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("org_id"), &prior)...)
			if !prior.IsNull() && prior.ValueString() != orgID {
				resp.RequiresReplace = append(resp.RequiresReplace, path.Root("org_id"))
			}
		}
	}
	fromConfig := !configured.IsNull() && !configured.IsUnknown() && configured.ValueString() != ""
	return planAccountCheck(ctx, pd, orgID, fromConfig, req, &resp.Diagnostics) && !resp.Diagnostics.HasError()
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

// readIntegration fetches, within the read timeout, the integration that
// the state of a Read points at, and returns it with its organization. It
// returns nil when Read has nothing to write: after an error diagnostic, or
// when the integration is gone, which removes the resource from state so
// that Terraform plans to create it again. An integration of another type
// (a mistaken import) is an error naming the resource that manages it.
func readIntegration(ctx context.Context, pd *providerData, req resource.ReadRequest, resp *resource.ReadResponse, wantType string) (*platform.Integration, string) {
	if pd == nil {
		unconfiguredError(&resp.Diagnostics)
		return nil, ""
	}
	id, orgID, t := stateIntegration(ctx, pd, req.State, &resp.Diagnostics)
	timeout, diags := t.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return nil, ""
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	integration, err := pd.Client.GetIntegration(ctx, orgID, id)
	if platform.IsNotFound(err) {
		tflog.Warn(ctx, "Integration no longer exists, removing it from state",
			map[string]any{"integration_id": id, "org_id": orgID})
		resp.State.RemoveResource(ctx)
		return nil, ""
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Integration",
			fmt.Sprintf("Could not read integration %q of organization %q: %s%s", id, orgID, err, tokenHint(err)))
		return nil, ""
	}
	if integration.Type != wantType {
		detail := fmt.Sprintf("Integration %q is of type %q, but this resource manages integrations of type %q.",
			id, integration.Type, wantType)
		if other, ok := integrationTypeResource[integration.Type]; ok {
			detail += fmt.Sprintf(" Manage it with the %s resource instead.", other)
		}
		resp.Diagnostics.AddError("Unexpected Integration Type", detail)
		return nil, ""
	}
	return integration, orgID
}

// deleteIntegration is the Delete of every integration resource: it deletes
// the integration in state within the delete timeout. One that is already
// gone is not an error.
func deleteIntegration(ctx context.Context, pd *providerData, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if pd == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	id, orgID, t := stateIntegration(ctx, pd, req.State, &resp.Diagnostics)
	timeout, diags := t.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tflog.Debug(ctx, "Deleting integration", map[string]any{"integration_id": id, "org_id": orgID})
	err := pd.Client.DeleteIntegration(ctx, orgID, id)
	if err != nil && !platform.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to Delete Integration",
			fmt.Sprintf("Could not delete integration %q of organization %q: %s%s", id, orgID, err, tokenHint(err)))
	}
}

// stateIntegration reads the integration ID, its organization (the
// provider's org_id when state has none, right after an import by bare ID)
// and the timeouts from state. It reads single attributes rather than a
// model, so Read and Delete of every integration resource can use it.
func stateIntegration(ctx context.Context, pd *providerData, state tfsdk.State, diags *diag.Diagnostics) (id, orgID string, t timeouts.Value) {
	var idValue, orgIDValue types.String
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &idValue)...)
	diags.Append(state.GetAttribute(ctx, path.Root("org_id"), &orgIDValue)...)
	diags.Append(state.GetAttribute(ctx, path.Root("timeouts"), &t)...)
	if diags.HasError() {
		return "", "", t
	}
	return idValue.ValueString(), pd.orgIDOrDefault(orgIDValue, diags), t
}

// updateIntegration sends a PATCH when in renames the integration or
// carries new credentials, logging msg; a plan that changes neither (only
// timeouts, say) just reads the integration back.
func updateIntegration(ctx context.Context, pd *providerData, orgID string, in platform.UpdateIntegrationInput, msg string) (*platform.Integration, error) {
	if in.Name == nil && in.Credentials == nil {
		return pd.Client.GetIntegration(ctx, orgID, in.IntegrationID)
	}
	tflog.Debug(ctx, msg, map[string]any{
		"integration_id": in.IntegrationID, "org_id": orgID,
		"rename": in.Name != nil, "new_credentials": in.Credentials != nil,
	})
	// Forget the run's read of it before and after, so a driver checked in
	// the same apply reads it again.
	pd.Access.forgetIntegration(in.IntegrationID)
	defer pd.Access.forgetIntegration(in.IntegrationID)
	return pd.Client.UpdateIntegration(ctx, orgID, in)
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

// awsKeyModel holds the attributes of awsKeyAttributes. The models of
// dataloop_aws_access_key_integration and dataloop_aws_sts_integration embed it.
type awsKeyModel struct {
	AccessKeyID              types.String `tfsdk:"access_key_id"`
	SecretAccessKeyWO        types.String `tfsdk:"secret_access_key_wo"`
	SecretAccessKeyWOVersion types.Int64  `tfsdk:"secret_access_key_wo_version"`
	VerifyCredentials        types.Bool   `tfsdk:"verify_credentials"`
}

// keyChanged reports whether the key must be sent to the platform again: its
// ID or the secret's version differs from prior. verify_credentials is not
// sent, so a change of it alone does not count.
func (k awsKeyModel) keyChanged(prior awsKeyModel) bool {
	return !k.AccessKeyID.Equal(prior.AccessKeyID) || !k.SecretAccessKeyWOVersion.Equal(prior.SecretAccessKeyWOVersion)
}

// verify reports whether the credential check runs for this key; only
// verify_credentials = false turns it off.
func (k awsKeyModel) verify() bool {
	return !k.VerifyCredentials.Equal(types.BoolValue(false))
}

// applyDefaults prepares the key's attributes for state. The platform
// returns neither the key ID nor the secret's version, so they keep their
// planned or prior values; the write-only secret is always null.
// verify_credentials gets its default where state has none: after an import,
// and in state written by a provider version without the attribute.
func (k *awsKeyModel) applyDefaults() {
	k.SecretAccessKeyWO = types.StringNull()
	if k.VerifyCredentials.IsNull() {
		k.VerifyCredentials = types.BoolValue(true)
	}
}

// awsKeyAttributes are the static-key attributes of
// dataloop_aws_access_key_integration and dataloop_aws_sts_integration;
// withRole describes verify_credentials for the STS integration.
func awsKeyAttributes(withRole bool) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		// Required
		"access_key_id": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "AWS access key ID of the IAM user, for example `AKIAIOSFODNN7EXAMPLE`; with " +
				"`verify_credentials = false`, any access key ID, such as one of an S3-compatible store. The platform " +
				"does not return it, so a change made outside Terraform is not detected. Changing it sends the " +
				"key ID and `secret_access_key_wo` to the platform again, in place.",
			// NOTE: the shape check of validators.AWSAccessKeyID runs in
			// validateAccessKeyID, which can see verify_credentials.
		},
		"secret_access_key_wo": schema.StringAttribute{
			Required:  true,
			WriteOnly: true,
			Sensitive: true,
			MarkdownDescription: "AWS secret access key of the IAM user. Write-only: Terraform sends it to the " +
				"platform and never stores it in plan or state. Terraform cannot see changes to it, so change " +
				"`secret_access_key_wo_version` to send a new secret.",
		},

		// Optional
		"secret_access_key_wo_version": schema.Int64Attribute{
			Optional: true,
			MarkdownDescription: "Any number that you change whenever `secret_access_key_wo` changes, for example " +
				"when rotating the key. A new value sends the secret to the platform again, in place. It is only " +
				"kept in Terraform state; the platform does not know it.",
		},
		"verify_credentials": schema.BoolAttribute{
			Optional:            true,
			Computed:            true,
			Default:             booldefault.StaticBool(true),
			MarkdownDescription: verifyCredentialsDescription(withRole),
		},
	}
}

// validateAccessKeyID checks that access_key_id has the shape of an AWS
// access key ID (validators.AWSAccessKeyID) unless verify_credentials is
// false, because the keys of S3-compatible stores have other shapes. Call it
// from ValidateConfig: an attribute validator cannot see verify_credentials.
func validateAccessKeyID(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) {
	var (
		keyID  types.String
		verify types.Bool
	)
	diags.Append(config.GetAttribute(ctx, path.Root("access_key_id"), &keyID)...)
	diags.Append(config.GetAttribute(ctx, path.Root("verify_credentials"), &verify)...)
	if diags.HasError() || verify.IsUnknown() || verify.Equal(types.BoolValue(false)) {
		return
	}
	req := validator.StringRequest{Path: path.Root("access_key_id"), ConfigValue: keyID, Config: config}
	var resp validator.StringResponse
	validators.AWSAccessKeyID().ValidateString(ctx, req, &resp)
	for _, d := range resp.Diagnostics {
		diags.AddAttributeError(req.Path, d.Summary(), d.Detail()+" For the access key of an S3-compatible "+
			"store, such as MinIO, Wasabi or Ceph, set verify_credentials = false.")
	}
}

// bindStep is the second step of a create that binds credentials (a role,
// a service account) to a new integration with a PATCH: the credentials,
// the attribute they come from and what to call them in messages.
type bindStep struct {
	Credentials *platform.IntegrationCredentials
	Attribute   string // e.g. "role_arn"
	Summary     string // the diagnostic summary of a failed bind
	What        string // e.g. "role arn:aws:iam::123456789012:role/x"
}

// createIntegration is the Create of an integration resource: it creates
// the integration of in, reporting a refusal under createSummary, and, when
// bind carries credentials, binds them. A failed bind deletes the
// integration just created, with a cleanup deadline of its own (the
// create's may have passed), so a failed multi-step create leaves nothing
// behind; the error says whether that worked. It returns nil after an
// error diagnostic.
func createIntegration(ctx context.Context, pd *providerData, orgID, createSummary string, in platform.CreateIntegrationInput, bind bindStep, diags *diag.Diagnostics) *platform.Integration {
	tflog.Debug(ctx, "Creating integration", map[string]any{"org_id": orgID, "name": in.Name, "type": in.Type})
	integration, err := pd.Client.CreateIntegration(ctx, orgID, in)
	if err != nil {
		diags.AddError(createSummary, integrationCreateError(orgID, in.Name, in.Type, err))
		return nil
	}
	if bind.Credentials == nil {
		return integration
	}
	bound, err := updateIntegration(ctx, pd, orgID, platform.UpdateIntegrationInput{IntegrationID: integration.ID, Credentials: bind.Credentials},
		"Binding credentials to the new integration")
	if err == nil {
		return bound
	}
	detail := fmt.Sprintf("Integration %q was created, but binding %s to it failed: %s", integration.ID, bind.What, err)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if derr := pd.Client.DeleteIntegration(cleanupCtx, orgID, integration.ID); derr != nil && !platform.IsNotFound(derr) {
		detail += fmt.Sprintf("\n\nDeleting the integration again also failed: %s. Delete integration %q in the Dataloop "+
			"console, or import it with terraform import.", derr, integration.ID)
	} else {
		detail += fmt.Sprintf("\n\nThe integration was deleted again, so nothing was left behind. Check %s and apply again.", bind.Attribute)
	}
	diags.AddAttributeError(path.Root(bind.Attribute), bind.Summary, detail)
	return nil
}
