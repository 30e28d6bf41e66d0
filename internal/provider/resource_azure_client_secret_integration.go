package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

// NewAzureClientSecretIntegrationResource returns the
// dataloop_azure_client_secret_integration resource (platform type
// "azureblob"), on the shared integration lifecycle (integration_resource.go).
func NewAzureClientSecretIntegrationResource() resource.Resource {
	return &integrationResource[azureClientSecretIntegrationModel, *azureClientSecretIntegrationModel]{kind: integrationKind{
		typeSuffix:   "_azure_client_secret_integration",
		platformType: platform.TypeAzureBlob,
		title:        "Azure Client Secret Integration",
		label:        "Azure client-secret integration",
		schema:       azureClientSecretIntegrationSchema,
		plan:         planAzureCredentialCheck,
	}}
}

var _ integrationModelMethods[azureClientSecretIntegrationModel] = (*azureClientSecretIntegrationModel)(nil)

type azureClientSecretIntegrationModel struct {
	integrationModel
	TenantID              types.String `tfsdk:"tenant_id"`
	ClientID              types.String `tfsdk:"client_id"`
	ClientSecretWO        types.String `tfsdk:"client_secret_wo"`
	ClientSecretWOVersion types.Int64  `tfsdk:"client_secret_wo_version"`
	StorageAccountName    types.String `tfsdk:"storage_account_name"`
	VerifyCredentials     types.Bool   `tfsdk:"verify_credentials"`
}

func azureClientSecretIntegrationSchema(ctx context.Context) schema.Schema {
	sent := "Changing it sends the tenant ID, the client ID, the secret from `client_secret_wo` and the storage " +
		"account name to the platform again, in place. The platform does not return it, so a change made outside " +
		"Terraform is not detected."
	return integrationSchema(ctx, "Manages a Dataloop Azure client-secret integration (platform type `azureblob`): the "+
		"platform signs in as an app registration's service principal with a client secret and uses the "+
		"storage roles that principal holds. It serves `dataloop_azure_blob_storage_driver` drivers of both "+
		"kinds, Blob Storage and Data Lake Storage Gen2. The client secret is write-only: it is sent to the "+
		"platform and never stored in the Terraform plan or state. Requires Terraform 1.11 or later.\n\n"+
		"Before the platform receives the credentials, the provider checks them: it requests an Azure Storage "+
		"token with the client-credentials flow from Microsoft Entra ID (check `credentials`; a wrong tenant "+
		"fails on `tenant_id`, an unknown application on `client_id`, a wrong or expired secret on "+
		"`client_secret_wo`), then sends one List Containers request to the storage account (check "+
		"`storage_account`; an account that does not answer fails on `storage_account_name`, while a denial "+
		"passes, since each driver's check proves the role on its container). The check runs at plan time "+
		"(`access_check.on_plan`) when the integration is created or one of its credentials changes and the "+
		"secret is known, and at apply time (`access_check.on_apply`) before the platform is called, where an "+
		"application that Microsoft Entra ID does not know yet is retried for up to "+
		"`access_check.propagation_timeout`. A failure stops the apply (a warning with "+
		"`access_check.severity = \"warning\"`), and nothing is created or changed on the platform. "+
		"`access_check.azure_authority_host` and `azure_blob_endpoint` point the check at a sovereign cloud or a local stack.\n\n"+
		"The platform never returns credentials, so after an import the next apply sends them again.",
		map[string]schema.Attribute{
			"tenant_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Directory (tenant) ID of the Microsoft Entra tenant of the app registration, a GUID " +
					"such as `00000000-0000-0000-0000-000000000000`. " + sent,
				Validators: []validator.String{validators.AzureGUID("tenant ID")},
			},
			"client_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Application (client) ID of the app registration whose service principal holds the " +
					"storage roles, a GUID. " + sent,
				Validators: []validator.String{validators.AzureGUID("client ID")},
			},
			"client_secret_wo": schema.StringAttribute{
				Required:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "Value (not the Secret ID) of a client secret of the app registration. Write-only: it " +
					"is sent to the platform and never stored in the plan or state. Change `client_secret_wo_version` to " +
					"send a new secret.",
			},
			"client_secret_wo_version": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "Any number that you change whenever `client_secret_wo` changes, for example when " +
					"rotating the secret. A new value sends the credentials to the platform again, in place. It is only " +
					"kept in Terraform state; the platform does not know it.",
			},
			"storage_account_name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the storage account the integration's drivers use, 3 to 24 lowercase " +
					"letters and digits (the console's \"Account name\"). " + sent,
				Validators: []validator.String{validators.AzureStorageAccountName()},
			},
			"verify_credentials": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
				MarkdownDescription: "Whether the provider checks the client credentials with Microsoft Entra ID and the " +
					"storage account before the platform receives them, at plan and at apply time (default: `true`). " +
					"`false` skips the check of this integration only; the access checks of its storage drivers still run.",
			},
		})
}

// credentialsChanged reports whether the credentials must be sent again.
func (m azureClientSecretIntegrationModel) credentialsChanged(prior *azureClientSecretIntegrationModel) bool {
	return !m.TenantID.Equal(prior.TenantID) || !m.ClientID.Equal(prior.ClientID) ||
		!m.ClientSecretWOVersion.Equal(prior.ClientSecretWOVersion) || !m.StorageAccountName.Equal(prior.StorageAccountName)
}

// platformCredentials are the client secret's check and options for Create
// and Update. Every credential is sent together, so the platform never holds
// a mix of old and new values.
func (m *azureClientSecretIntegrationModel) platformCredentials(pd *providerData) credentialSender {
	return secretCredentials{
		Type: platform.TypeAzureBlob, Attribute: "client_secret_wo", Label: "Azure client-secret integration",
		Fields: map[string]any{"tenant_id": m.TenantID.ValueString(), "client_id": m.ClientID.ValueString(),
			"storage_account_name": m.StorageAccountName.ValueString()},
		Check: func(ctx context.Context, secret string, diags *diag.Diagnostics) bool {
			return applyAzureCredentialCheck(ctx, pd, *m, secret, diags)
		},
		Options: m.options,
	}
}

// options are the credentials as the platform takes them: key is the
// storage account name and secret the client secret (the spec's
// AzureBlobIntegrationConfig names them accountName and clientSecret).
func (m azureClientSecretIntegrationModel) options(secret string) map[string]any {
	return map[string]any{"key": m.StorageAccountName.ValueString(), "secret": secret,
		"clientId": m.ClientID.ValueString(), "tenantId": m.TenantID.ValueString()}
}

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so they keep their planned or prior values; the
// write-only secret is always null.
func (m *azureClientSecretIntegrationModel) applyIntegration(i *platform.Integration, orgID string, _ applyOp) diag.Diagnostics {
	m.applyCommon(i, orgID)
	m.ClientSecretWO = types.StringNull()
	if m.VerifyCredentials.IsNull() {
		m.VerifyCredentials = types.BoolValue(true)
	}
	return nil
}
