package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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

// NewGCPCrossProjectIntegrationResource returns the
// dataloop_gcp_cross_project_integration resource (platform type
// "gcp-cross"), on the shared integration lifecycle (integration_resource.go).
func NewGCPCrossProjectIntegrationResource() resource.Resource {
	return &integrationResource[gcpCrossProjectIntegrationModel, *gcpCrossProjectIntegrationModel]{kind: integrationKind{
		typeSuffix:       "_gcp_cross_project_integration",
		platformType:     platform.TypeGCPCross,
		title:            "GCP Cross-Project Integration",
		label:            "GCP cross-project integration",
		schema:           gcpCrossProjectIntegrationSchema,
		configValidators: []resource.ConfigValidator{gcpCrossBindingValidator{}},
		plan: func(ctx context.Context, _ *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
			planPlatformServiceAccount(ctx, req, resp)
		},
	}}
}

var _ integrationModelMethods[gcpCrossProjectIntegrationModel] = (*gcpCrossProjectIntegrationModel)(nil)

type gcpCrossProjectIntegrationModel struct {
	integrationModel
	ServiceAccountEmail        types.String `tfsdk:"service_account_email"`
	ServiceAccountResourceName types.String `tfsdk:"service_account_resource_name"`
	PlatformServiceAccount     types.String `tfsdk:"platform_service_account"`
}

func gcpCrossProjectIntegrationSchema(ctx context.Context) schema.Schema {
	notReturned := "The platform does not return the bound account, so this is the value last applied: an account " +
		"bound outside Terraform is not detected, and an imported integration has none until the next apply binds the configured one."
	return integrationSchema(ctx, "Manages a Dataloop GCP cross-project integration (platform type `gcp-cross`): the "+
		"platform impersonates a service account in your project with its own service account, so no key is "+
		"shared. Create the integration, let `platform_service_account` impersonate your service account "+
		"(`roles/iam.serviceAccountTokenCreator`), give your service account the bucket permissions "+
		"(`storage.buckets.get`, `storage.buckets.getIamPolicy` and `storage.objects.create/delete/get/list`, which Dataloop "+
		"documents for this integration), and bind it with `service_account_email`. "+
		"The storage drivers' access checks, run by the platform, prove the whole chain.\n\n"+
		"Renaming updates the integration in place. An organization can have at most 3 cross-project GCP "+
		"integrations.", map[string]schema.Attribute{
		"service_account_email": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Email of the service account in your project that the platform acts as, " +
				"`<name>@<project-id>.iam.gserviceaccount.com`. It is a plain string, so the service account's " +
				"token-creator grant can reference `platform_service_account` without a cycle. Changing it binds the " +
				"new account in place. " + notReturned,
			Validators: []validator.String{validators.Rule("Invalid Service Account Email",
				"value must be a service account email", rules.GCPServiceAccountEmail)},
		},
		"service_account_resource_name": schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "Resource name of that service account, `projects/<project-id>/serviceAccounts/<email>` " +
				"(google_service_account's `name`). Unset means `projects/-/serviceAccounts/<service_account_email>`. " +
				"It requires `service_account_email` and must name the same account. " + notReturned,
			Validators: []validator.String{validators.Rule("Invalid Service Account Resource Name",
				"value must be projects/<project-id>/serviceAccounts/<email or unique id>",
				func(v string) error { _, err := rules.GCPServiceAccountResourceName(v); return err })},
		},
		"platform_service_account": schema.StringAttribute{
			Computed: true,
			MarkdownDescription: "Email of the platform's own service account for this integration. Let it " +
				"impersonate your service account: grant it `roles/iam.serviceAccountTokenCreator` on that account " +
				"(google_service_account_iam_member with member `serviceAccount:<this>`). " + platformSANote,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
	})
}

// gcpCrossBindingValidator requires the resource name to come with, and
// name, the service account email.
type gcpCrossBindingValidator struct{}

func (gcpCrossBindingValidator) Description(context.Context) string {
	return "service_account_resource_name requires service_account_email and must name the same account"
}

func (v gcpCrossBindingValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (gcpCrossBindingValidator) ValidateResource(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var email, name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("service_account_email"), &email)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("service_account_resource_name"), &name)...)
	if resp.Diagnostics.HasError() || name.IsNull() || name.IsUnknown() || email.IsUnknown() {
		return
	}
	if email.IsNull() {
		resp.Diagnostics.AddAttributeError(path.Root("service_account_resource_name"), "Missing Service Account Email",
			"service_account_resource_name is set but service_account_email is not. The platform binds both together: set service_account_email too.")
		return
	}
	account, err := rules.GCPServiceAccountResourceName(name.ValueString())
	if err == nil && account != email.ValueString() && !isDigits(account) {
		resp.Diagnostics.AddAttributeError(path.Root("service_account_resource_name"), "Mismatched Service Account",
			fmt.Sprintf("service_account_resource_name names %s, but service_account_email is %s. Name the same account in both.", account, email.ValueString()))
	}
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// platformSANote says where the platform's service account is when the
// platform's answer does not name it.
const platformSANote = "Dataloop's published API documents no field for it: the provider reads it from the " +
	"integration's `serviceAccount` metadata entry when the platform returns one, and leaves it null (with a warning " +
	"at plan and apply) when not. Then copy the account from the integration's page in the Dataloop console, which " +
	"shows it, into your configuration, for example as a variable used with " +
	"`coalesce(dataloop_gcp_cross_project_integration.<name>.platform_service_account, var.<name>)`."

// planPlatformServiceAccount keeps platform_service_account as it is in
// state, null included (UseStateForUnknown keeps only known non-null
// values), since an integration's platform account never changes; and
// warns while it is null. A new or replaced integration gets it at apply.
func planPlatformServiceAccount(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	// A move to another organization (planIntegrationOrgID) replaces it.
	if req.Plan.Raw.IsNull() || req.State.Raw.IsNull() || len(resp.RequiresReplace) > 0 || resp.Diagnostics.HasError() {
		return
	}
	var prior types.String
	p := path.Root("platform_service_account")
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &prior)...)
	if resp.Diagnostics.HasError() || !prior.IsNull() {
		return
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, prior)...)
	addPlatformSAWarning(&resp.Diagnostics, id.ValueString())
}

// addPlatformSAWarning says that the platform did not name its service
// account for integration id, and where to find it.
func addPlatformSAWarning(diags *diag.Diagnostics, id string) {
	diags.AddAttributeWarning(path.Root("platform_service_account"), "Platform Service Account Not Returned",
		fmt.Sprintf("The platform's answer for cross-project integration %s does not name the platform's service "+
			"account, so platform_service_account is null. Dataloop's published API documents no field for it. "+
			"Find the account on the integration's page in the Dataloop console, let it impersonate your service "+
			"account (roles/iam.serviceAccountTokenCreator on that account), and pass it to your configuration, for "+
			"example as a variable with coalesce(platform_service_account, var.<name>). Until it can impersonate, "+
			"the access checks of the integration's storage drivers fail on impersonation.", id))
}

// credentialsChanged reports whether the bound account must be sent again.
func (m gcpCrossProjectIntegrationModel) credentialsChanged(prior *gcpCrossProjectIntegrationModel) bool {
	return !m.ServiceAccountEmail.Equal(prior.ServiceAccountEmail) || !m.ServiceAccountResourceName.Equal(prior.ServiceAccountResourceName)
}

// credentials is the PATCH that binds the account (dtlpy's {email,
// resourceName}); nil when no account is configured.
func (m gcpCrossProjectIntegrationModel) credentials() *platform.IntegrationCredentials {
	email := m.ServiceAccountEmail.ValueString()
	if email == "" {
		return nil
	}
	name := m.ServiceAccountResourceName.ValueString()
	if name == "" {
		name = "projects/-/serviceAccounts/" + email
	}
	return &platform.IntegrationCredentials{Type: platform.TypeGCPCross, Options: map[string]any{"email": email, "resourceName": name}}
}

// platformCredentials bind the configured account after a create and on an
// update that changes it.
func (m *gcpCrossProjectIntegrationModel) platformCredentials(*providerData) credentialSender {
	creds := m.credentials()
	// NOTE: the platform has no way to unbind; removing the email sends
	// nothing and keeps the last binding on the platform.
	c := boundCredentials{Type: platform.TypeGCPCross, Update: creds}
	if creds != nil {
		c.Bind = bindStep{Credentials: creds, Attribute: "service_account_email", Summary: "Unable to Bind Service Account",
			What: "service account " + m.ServiceAccountEmail.ValueString()}
	}
	return c
}

// applyIntegration copies what the platform returns into the model. A
// create takes the platform's service account, or null, with a warning, when
// the answer does not name it (later plans warn too: planPlatformServiceAccount).
// A refresh takes it when the platform names it; otherwise, and after an
// update, the planned or prior value stays, since the account of an
// integration does not change.
func (m *gcpCrossProjectIntegrationModel) applyIntegration(i *platform.Integration, orgID string, op applyOp) diag.Diagnostics {
	m.applyCommon(i, orgID)
	sa := i.PlatformServiceAccount()
	switch {
	case m.PlatformServiceAccount.IsUnknown() && sa == "":
		m.PlatformServiceAccount = types.StringNull()
	case m.PlatformServiceAccount.IsUnknown(), op == applyRead && sa != "":
		m.PlatformServiceAccount = types.StringValue(sa)
	}
	var diags diag.Diagnostics
	if op == applyCreate && m.PlatformServiceAccount.IsNull() {
		addPlatformSAWarning(&diags, i.ID)
	}
	return diags
}
