package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

// driverTypeAzureDataLake is the platform's driver type of Azure Data Lake
// Storage Gen2; it uses the same azureblob integration and containerName.
const driverTypeAzureDataLake = "azureDatalakeGen2"

var (
	_ resource.Resource                = (*storageDriverResource[azureBlobDriverModel, *azureBlobDriverModel])(nil)
	_ resource.ResourceWithModifyPlan  = (*storageDriverResource[azureBlobDriverModel, *azureBlobDriverModel])(nil)
	_ resource.ResourceWithImportState = (*storageDriverResource[azureBlobDriverModel, *azureBlobDriverModel])(nil)
)

// NewAzureBlobDriverResource returns the dataloop_azure_blob_storage_driver
// resource, on the shared driver lifecycle (driver_common.go). One resource
// serves both platform types, azureblob and azureDatalakeGen2, switched by
// data_lake_gen2: they take the same integration and payload.
func NewAzureBlobDriverResource() resource.Resource {
	return &storageDriverResource[azureBlobDriverModel, *azureBlobDriverModel]{kind: driverKind{
		typeSuffix:       "_azure_blob_storage_driver",
		article:          "an Azure Blob",
		driverTypes:      []string{platform.DriverTypeAzureBlob, driverTypeAzureDataLake},
		integrationTypes: []string{platform.TypeAzureBlob},
		schema:           azureBlobDriverSchema,
		locationAttribute: func(p path.Path) path.Path {
			if p.Equal(path.Root("bucket")) || p.Equal(path.Root("region")) {
				return path.Root("container")
			}
			return p
		},
	}}
}

type azureBlobDriverModel struct {
	driverBase
	Container    types.String `tfsdk:"container"`
	DataLakeGen2 types.Bool   `tfsdk:"data_lake_gen2"`
}

func (m *azureBlobDriverModel) base() *driverBase { return &m.driverBase }

func azureBlobDriverSchema(ctx context.Context) schema.Schema {
	return driverSchema(ctx, "Connects an Azure Blob Storage container, or a Data Lake Storage Gen2 file system "+
		"(`data_lake_gen2 = true`), or a prefix of it, to a Dataloop project through a "+
		"`dataloop_azure_client_secret_integration` (the storage account is the integration's). Before the driver "+
		"is created or its location changes, the provider asks the platform to prove with the integration's "+
		"service principal that it can list, write, read back and delete a probe blob under `<path>.dataloop/` and "+
		"read one existing blob under the path: at plan time when every input is known (a warning; "+
		"`access_check.plan_severity` makes it an error), and at apply time, retrying while role assignments "+
		"propagate, where a failure stops the apply before the driver is created or changed. A failed check names "+
		"the role to assign (Storage Blob Data Contributor) and the service principal to assign it to. "+
		"`terraform destroy` runs no check.",
		driverText{
			integrationID: "ID of the `dataloop_azure_client_secret_integration` (type `azureblob`) whose " +
				"service principal the platform uses.",
			prefix:   "Blob name",
			location: "container",
			allowDelete: "Whether the platform may delete blobs in the container when items are deleted in " +
				"Dataloop; the access check then also proves deleting outside `.dataloop/`",
		},
		map[string]schema.Attribute{
			// Required
			"container": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the blob container (the file system, for Data Lake Storage Gen2) in the " +
					"integration's storage account: 3 to 63 lowercase letters, digits and single hyphens, beginning and " +
					"ending with a letter or digit. It must exist.",
				Validators: []validator.String{validators.AzureContainerName()},
			},

			// Optional
			"data_lake_gen2": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether the driver is a Data Lake Storage Gen2 driver (platform type " +
					"`azureDatalakeGen2`, for storage accounts with a hierarchical namespace) rather than a Blob Storage " +
					"driver (`azureblob`) (default: `false`). The access check uses the Blob API, which both serve. " +
					"Changing it replaces the driver.",
				PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
			},
		})
}

func (m *azureBlobDriverModel) driverType() string {
	if m.DataLakeGen2.ValueBool() {
		return driverTypeAzureDataLake
	}
	return platform.DriverTypeAzureBlob
}

func (m *azureBlobDriverModel) target() (s3AccessTarget, bool) {
	for _, v := range []interface{ IsUnknown() bool }{m.ProjectID, m.IntegrationID, m.Container, m.Path, m.AllowDelete, m.DataLakeGen2} {
		if v.IsUnknown() {
			return s3AccessTarget{}, false
		}
	}
	return s3AccessTarget{
		DriverType:    m.driverType(),
		ProjectID:     m.ProjectID.ValueString(),
		IntegrationID: m.IntegrationID.ValueString(),
		Container:     m.Container.ValueString(),
		Path:          m.Path.Normalized(),
		AllowDelete:   m.AllowDelete.ValueBool(),
	}, true
}

func (m *azureBlobDriverModel) accessChanged(state *azureBlobDriverModel) bool {
	return !m.IntegrationID.Equal(state.IntegrationID) || !m.Container.Equal(state.Container) ||
		m.Path.IsUnknown() || m.Path.Normalized() != state.Path.Normalized() ||
		!m.AllowDelete.Equal(state.AllowDelete) || !m.DataLakeGen2.Equal(state.DataLakeGen2)
}

func (m *azureBlobDriverModel) replaced(state *azureBlobDriverModel) bool {
	return !m.ProjectID.Equal(state.ProjectID) || !m.IntegrationID.Equal(state.IntegrationID) ||
		!m.DataLakeGen2.Equal(state.DataLakeGen2) ||
		(state.Path.Normalized() != "" && !m.Path.IsUnknown() && m.Path.Normalized() == "")
}

func (m *azureBlobDriverModel) platformChanged(state *azureBlobDriverModel) bool {
	return m.accessChanged(state) || !m.ProjectID.Equal(state.ProjectID) || !m.Name.Equal(state.Name)
}

func (m *azureBlobDriverModel) keepComputed(state *azureBlobDriverModel) {
	m.driverBase.keepComputed(&state.driverBase)
}

// fromDriver copies what the platform returned into the model.
func (m *azureBlobDriverModel) fromDriver(d *platform.Driver) {
	m.driverBase.fromDriver(d)
	m.Container = types.StringValue(d.ContainerName)
	m.DataLakeGen2 = types.BoolValue(d.Type == driverTypeAzureDataLake)
}
