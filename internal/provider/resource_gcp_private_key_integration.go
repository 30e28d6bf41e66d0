package provider

import (
	"context"

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

// NewGCPPrivateKeyIntegrationResource returns the
// dataloop_gcp_private_key_integration resource (platform type "gcs"), on
// the shared integration lifecycle (integration_resource.go).
func NewGCPPrivateKeyIntegrationResource() resource.Resource {
	return &integrationResource[gcpPrivateKeyIntegrationModel, *gcpPrivateKeyIntegrationModel]{kind: integrationKind{
		typeSuffix:   "_gcp_private_key_integration",
		platformType: platform.TypeGCS,
		title:        "GCP Private Key Integration",
		label:        "GCP private-key integration",
		schema:       gcpPrivateKeyIntegrationSchema,
		plan:         planGCPKey,
	}}
}

var _ integrationModelMethods[gcpPrivateKeyIntegrationModel] = (*gcpPrivateKeyIntegrationModel)(nil)

type gcpPrivateKeyIntegrationModel struct {
	integrationModel
	KeyJSONWO         types.String `tfsdk:"key_json_wo"`
	KeyJSONWOVersion  types.Int64  `tfsdk:"key_json_wo_version"`
	ClientEmail       types.String `tfsdk:"client_email"`
	VerifyCredentials types.Bool   `tfsdk:"verify_credentials"`
}

func gcpPrivateKeyIntegrationSchema(ctx context.Context) schema.Schema {
	return integrationSchema(ctx, "Manages a Dataloop GCP private-key integration (platform type `gcs`): the platform "+
		"authenticates as a service account with its key file and uses the Cloud Storage permissions that "+
		"account holds. It serves `dataloop_gcs_storage_driver` drivers. The key is write-only: it is sent to the "+
		"platform and never stored in the Terraform plan or state. Requires Terraform 1.11 or later. Dataloop "+
		"recommends `dataloop_gcp_cross_project_integration`, which shares no key.\n\n"+
		"Before the platform receives the key, the provider obtains an access token with it (the service "+
		"account JWT-bearer grant at the key's `token_uri`; check `credentials`): a deleted or disabled key, or "+
		"a deleted account, fails on `key_json_wo`. The check runs at plan time (`access_check.on_plan`) when "+
		"the integration is created or the key changes and the key is known (a failure is a warning unless "+
		"`access_check.plan_severity = \"error\"`), and at apply time (`access_check.on_apply`), where a key "+
		"Google does not know yet is retried for up to `access_check.propagation_timeout`. A failure at apply "+
		"stops it (a warning with `access_check.severity = \"warning\"`), and nothing is created or changed on "+
		"the platform. The check proves the key only: each driver's access check proves the bucket permissions.\n\n"+
		"The platform never returns credentials, so after an import the next apply sends the key again.",
		map[string]schema.Attribute{
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
}

// credentialsChanged reports whether the key must be sent again.
func (m gcpPrivateKeyIntegrationModel) credentialsChanged(prior *gcpPrivateKeyIntegrationModel) bool {
	return !m.KeyJSONWOVersion.Equal(prior.KeyJSONWOVersion) || prior.ClientEmail.IsNull()
}

// platformCredentials are the key's check and options for Create and Update; a key
// that passes sets the model's client_email.
func (m *gcpPrivateKeyIntegrationModel) platformCredentials(pd *providerData) credentialSender {
	return secretCredentials{
		Type: platform.TypeGCS, Attribute: "key_json_wo", Label: "GCP private-key integration", Mask: maskGCPKey,
		Check: func(ctx context.Context, key string, diags *diag.Diagnostics) bool {
			email, ok := applyGCPKeyCheck(ctx, pd, *m, key, diags)
			if ok {
				m.ClientEmail = types.StringValue(email)
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

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so client_email keeps its planned or prior value;
// the write-only key is always null.
func (m *gcpPrivateKeyIntegrationModel) applyIntegration(i *platform.Integration, orgID string, _ applyOp) diag.Diagnostics {
	m.applyCommon(i, orgID)
	m.KeyJSONWO = types.StringNull()
	if m.ClientEmail.IsUnknown() {
		m.ClientEmail = types.StringNull()
	}
	if m.VerifyCredentials.IsNull() {
		m.VerifyCredentials = types.BoolValue(true)
	}
	return nil
}
