package provider

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ datasource.DataSource                     = (*storageDriverDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*storageDriverDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*storageDriverDataSource)(nil)
)

// NewStorageDriverDataSource returns the dataloop_storage_driver data source.
func NewStorageDriverDataSource() datasource.DataSource {
	return &storageDriverDataSource{platformDataSource: newPlatformDataSource("_storage_driver")}
}

type storageDriverDataSource struct {
	platformDataSource
}

// driverViewModel is a storage driver of any type as the lookups show it.
type driverViewModel struct {
	ID              types.String `tfsdk:"id"`
	Name            types.String `tfsdk:"name"`
	Type            types.String `tfsdk:"type"`
	ProjectID       types.String `tfsdk:"project_id"`
	OrgID           types.String `tfsdk:"org_id"`
	IntegrationID   types.String `tfsdk:"integration_id"`
	IntegrationType types.String `tfsdk:"integration_type"`
	Bucket          types.String `tfsdk:"bucket"`
	Region          types.String `tfsdk:"region"`
	Path            types.String `tfsdk:"path"`
	StorageClass    types.String `tfsdk:"storage_class"`
	Endpoint        types.String `tfsdk:"endpoint"`
	AllowDelete     types.Bool   `tfsdk:"allow_delete"`
	CreatedAt       types.String `tfsdk:"created_at"`
	Creator         types.String `tfsdk:"creator"`
}

// driverView converts what the platform returns. Location fields a driver
// type does not have (region for GCS, for example) are null.
func driverView(d platform.Driver) driverViewModel {
	optional := func(s string) types.String {
		if s == "" {
			return types.StringNull()
		}
		return types.StringValue(s)
	}
	return driverViewModel{
		ID:              types.StringValue(d.ID),
		Name:            types.StringValue(d.Name),
		Type:            types.StringValue(d.Type),
		ProjectID:       optional(d.ProjectID),
		OrgID:           optional(d.OrgID),
		IntegrationID:   types.StringValue(d.IntegrationID),
		IntegrationType: optional(d.IntegrationType),
		Bucket:          types.StringValue(d.BucketOrContainer()),
		Region:          optional(d.Region),
		// An empty path is the bucket's root; it reads as "".
		Path:         types.StringValue(d.Path),
		StorageClass: optional(d.StorageClass),
		Endpoint:     optional(d.Endpoint),
		AllowDelete:  types.BoolValue(d.AllowExternalDelete),
		CreatedAt:    timeString(d.CreatedAt),
		Creator:      optional(d.Creator),
	}
}

var driverViewDescriptions = map[string]string{
	"id":               "ID of the storage driver.",
	"name":             "Name of the storage driver, unique within its project.",
	"type":             "Driver type as the platform names it, for example `s3`, `gcs`, `azureblob` or `azureDatalakeGen2`.",
	"project_id":       "ID of the project the driver belongs to.",
	"org_id":           "ID of the organization of the driver's project. Null when the platform does not return it.",
	"integration_id":   "ID of the integration whose credentials or trust the driver uses.",
	"integration_type": "Type of the driver's integration, for example `aws-cross`. Null when the platform does not return it.",
	"bucket":           "Bucket (S3, GCS) or container (Azure Blob) the driver reads.",
	"region":           "Region of an S3 bucket. Null for types without a region, or when not set.",
	"path":             "Prefix inside the bucket that the driver is limited to; empty for the whole bucket.",
	"storage_class":    "S3 storage class of objects the platform writes. Null when not set.",
	"endpoint":         "Endpoint of an S3-compatible store. Null for AWS S3 and other types.",
	"allow_delete":     "Whether the platform may delete objects in the bucket (the platform's `allowExternalDelete`).",
	"created_at":       "When the driver was created, as an RFC 3339 timestamp in UTC.",
	"creator":          "Email address of the user who created the driver. Null when the platform does not return it.",
}

var driverViewAttrTypes = map[string]attr.Type{
	"id": types.StringType, "name": types.StringType, "type": types.StringType, "project_id": types.StringType,
	"org_id": types.StringType, "integration_id": types.StringType, "integration_type": types.StringType,
	"bucket": types.StringType, "region": types.StringType, "path": types.StringType,
	"storage_class": types.StringType, "endpoint": types.StringType, "allow_delete": types.BoolType,
	"created_at": types.StringType, "creator": types.StringType,
}

// driverViewAttributes returns the computed attributes of a driver view,
// leaving out the names in skip (the lookup inputs).
func driverViewAttributes(skip ...string) map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for name, typ := range driverViewAttrTypes {
		if slices.Contains(skip, name) {
			continue
		}
		if typ == types.BoolType {
			out[name] = schema.BoolAttribute{Computed: true, MarkdownDescription: driverViewDescriptions[name]}
			continue
		}
		out[name] = schema.StringAttribute{Computed: true, MarkdownDescription: driverViewDescriptions[name]}
	}
	return out
}

func (d *storageDriverDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := mergeDataSourceAttributes(driverViewAttributes("id", "name", "project_id"), map[string]schema.Attribute{
		// Optional (id, or project_id and name)
		"id": schema.StringAttribute{
			Optional:            true,
			Computed:            true,
			MarkdownDescription: "ID of the storage driver to look up. Set either `id`, or `project_id` and `name`.",
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"name": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "Exact, case-sensitive name of the storage driver to look up in `project_id`. " +
				"Set either `id`, or `project_id` and `name`.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
		"project_id": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "ID of the project to look `name` up in. Required with `name`; with `id` it is " +
				"read from the driver.",
			Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
		},
	})
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one Dataloop storage driver of any type (S3, GCS, Azure Blob) by ID, or by " +
			"project and name, for example to adopt a driver made in the console with an `import` block. To list " +
			"drivers by project, integration or bucket, use `dataloop_storage_drivers`.",
		Attributes: attributes,
	}
}

func mergeDataSourceAttributes(base, extra map[string]schema.Attribute) map[string]schema.Attribute {
	for k, v := range extra {
		base[k] = v
	}
	return base
}

func (d *storageDriverDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("project_id"), path.MatchRoot("name")),
	}
}

func (d *storageDriverDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg driverViewModel
	if !d.readConfig(ctx, req, resp, &cfg) {
		return
	}

	var found platform.Driver
	if !cfg.ID.IsNull() {
		id := cfg.ID.ValueString()
		tflog.Debug(ctx, "Reading storage driver by ID", map[string]any{"driver_id": id})
		drv, err := d.data.Client.GetDriver(ctx, id)
		if err != nil {
			lookupByIDError(&resp.Diagnostics, "Unable to Read Storage Driver",
				fmt.Sprintf("Could not read storage driver %q: %s", id, err),
				"Check the ID, and that the token's user can see the driver's project.", err)
			return
		}
		found = *drv
	} else {
		projectID, name := cfg.ProjectID.ValueString(), cfg.Name.ValueString()
		tflog.Debug(ctx, "Looking up storage driver by name", map[string]any{"project_id": projectID, "name": name})
		drivers, err := d.data.Client.FindDrivers(ctx, platform.DriverFilter{ProjectID: projectID})
		if err != nil {
			resp.Diagnostics.AddAttributeError(path.Root("project_id"), "Unable to List Storage Drivers",
				fmt.Sprintf("Could not list the storage drivers of project %q to find %q: %s", projectID, name, err))
			return
		}
		var matches []platform.Driver
		var names []string
		for _, drv := range drivers {
			if drv.Name == name {
				matches = append(matches, drv)
			}
			names = append(names, drv.Name)
		}
		switch len(matches) {
		case 0:
			sort.Strings(names)
			visible := "The project has no storage drivers."
			if len(names) > 0 {
				visible = "Its drivers: " + strings.Join(names, ", ") + "."
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Storage Driver Not Found",
				fmt.Sprintf("Project %q has no storage driver named %q (names are case sensitive). %s", projectID, name, visible))
			return
		case 1:
			found = matches[0]
		default:
			ids := make([]string, len(matches))
			for k, drv := range matches {
				ids[k] = drv.ID
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Ambiguous Storage Driver Name",
				fmt.Sprintf("%d storage drivers of project %q are named %q (IDs: %s). Look the driver up by id instead.",
					len(matches), projectID, name, strings.Join(ids, ", ")))
			return
		}
		if found.ProjectID == "" {
			found.ProjectID = projectID
		}
	}
	state := driverView(found)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
