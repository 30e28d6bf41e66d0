package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

var _ datasource.DataSource = (*azureRoleAssignmentsDataSource)(nil)

// NewAzureRoleAssignmentsDataSource returns the
// dataloop_azure_role_assignments data source.
func NewAzureRoleAssignmentsDataSource() datasource.DataSource {
	return &azureRoleAssignmentsDataSource{namedDataSource{typeSuffix: "_azure_role_assignments"}}
}

// azureRoleAssignmentsDataSource needs no provider data: it only runs the
// generator in internal/policy.
type azureRoleAssignmentsDataSource struct {
	namedDataSource
}

type azureRoleAssignmentsDataSourceModel struct {
	azureRoleAssignmentsInput
	azureRoleAssignmentsResult
}

// azureRoleAssignmentsResult is azureRoleAssignmentsType as Go fields.
type azureRoleAssignmentsResult struct {
	RoleAssignments types.Map `tfsdk:"role_assignments"`
}

// Descriptions shared by the data source and the function.
const (
	azureRoleAssignmentsSummary = "Generates the Azure role assignments that a Dataloop Azure Blob Storage driver needs"
	azureRoleAssignmentsAbout   = "They are shaped for the `azurerm_role_assignment` resource and keyed `data`: " +
		"the built-in role **Storage Blob Data Contributor** on the driver's container (or on the whole storage " +
		"account without `container`), for the service principal of the integration's application. The same " +
		"assignment serves `azureblob` and Data Lake Storage Gen2 drivers (a file system is a container).\n\n" +
		"Why not Storage Blob Data Reader: the platform lists and reads the data, and also writes its permission " +
		"test file, thumbnails and converted files under the driver path's hidden `.dataloop/` folder, which " +
		"Reader does not allow, so even a read-only driver needs Contributor. What it does not restrict: built-in " +
		"roles cannot be narrowed to a path, so the principal can read, write and delete every blob of the " +
		"container (of the account, without `container`), whatever the driver's `path` and `allow_delete`."
)

func azureRoleAssignmentAttributes() map[string]schema.Attribute {
	s := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"scope": s("The ARM scope: `<storage_account_id>/blobServices/default/containers/<container>`, or " +
			"`storage_account_id` without `container`."),
		"role_definition_name": s("The built-in role's name, `Storage Blob Data Contributor`."),
		"role_definition_id": s("The role definition's ID in the storage account's subscription, " +
			"`/subscriptions/<subscription>/providers/Microsoft.Authorization/roleDefinitions/<guid>`. " +
			"`azurerm_role_assignment` takes either this or `role_definition_name`, not both."),
		"principal_id": s("The service principal's object ID (`principal_id`), or null when it was not given."),
		"description":  s("What the assignment lets Dataloop do, for the assignment's `description`."),
	}
}

func (d *azureRoleAssignmentsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: azureRoleAssignmentsSummary + ". " + azureRoleAssignmentsAbout + "\n\n" +
			"The `provider::dataloop::azure_role_assignments` function returns the same values and, unlike a data " +
			"source, is known at plan time even when an input comes from a resource.",
		Attributes: map[string]schema.Attribute{
			// Required
			"storage_account_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Resource ID of the storage account, " +
					"`/subscriptions/<subscription-id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>` " +
					"(`azurerm_storage_account`'s `id`).",
				Validators: []validator.String{validators.AzureStorageAccountID()},
			},

			// Optional
			"container": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The driver's container (Data Lake Storage Gen2 file system): 3 to 63 lowercase " +
					"letters, digits and single hyphens. Unset means the whole storage account, which is broader than " +
					"a driver needs.",
				Validators: []validator.String{validators.AzureContainerName()},
			},
			"principal_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Object ID of the service principal of the integration's application (not the " +
					"application (client) ID): `azuread_service_principal`'s `object_id`. It is copied into the " +
					"assignments; unset leaves `principal_id` null, to set in the `azurerm_role_assignment` itself.",
				Validators: []validator.String{validators.AzureGUID("principal (object) ID")},
			},

			// Computed
			"role_assignments": schema.MapNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The role assignments, keyed `data`, with the arguments of `azurerm_role_assignment`.",
				NestedObject:        schema.NestedAttributeObject{Attributes: azureRoleAssignmentAttributes()},
			},
		},
	}
}

func (d *azureRoleAssignmentsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m azureRoleAssignmentsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.assignments().into(ctx, &resp.Diagnostics, "Unable to Generate Azure Role Assignments", &m.azureRoleAssignmentsResult) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
