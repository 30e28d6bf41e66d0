package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ datasource.DataSource              = (*storageDriversDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*storageDriversDataSource)(nil)
)

// NewStorageDriversDataSource returns the dataloop_storage_drivers data source.
func NewStorageDriversDataSource() datasource.DataSource {
	return &storageDriversDataSource{platformDataSource: newPlatformDataSource("_storage_drivers")}
}

type storageDriversDataSource struct {
	platformDataSource
}

type storageDriversDataSourceModel struct {
	ProjectID     types.String      `tfsdk:"project_id"`
	IntegrationID types.String      `tfsdk:"integration_id"`
	Bucket        types.String      `tfsdk:"bucket"`
	Type          types.String      `tfsdk:"type"`
	IDs           []types.String    `tfsdk:"ids"`
	Drivers       []driverViewModel `tfsdk:"drivers"`
}

func (d *storageDriversDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists Dataloop storage drivers of every type (S3, GCS, Azure Blob) by project, by " +
			"integration and by bucket. Filters that are set must all match; with none set, every driver the token " +
			"can see is listed. An empty result is not an error.\n\n" +
			"`project_id` and `integration_id` are sent to the platform, whose `GET /drivers` filters by them; " +
			"`bucket` and `type` are not filters of the platform's API, so the provider applies them to the answer.",
		Attributes: map[string]schema.Attribute{
			// Optional
			"project_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only drivers of this project (filtered by the platform).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"integration_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only drivers that use this integration (filtered by the platform).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"bucket": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only drivers of this bucket (S3, GCS) or container (Azure Blob), exact match " +
					"(filtered by the provider).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only drivers of this type, for example `s3`, `gcs` or `azureblob` (filtered by " +
					"the provider).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},

			// Computed
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "IDs of the matching drivers, in the order of `drivers`.",
			},
			"drivers": schema.ListNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The matching drivers, sorted by project, name and ID. Empty when none matches.",
				NestedObject:        schema.NestedAttributeObject{Attributes: driverViewAttributes()},
			},
		},
	}
}

func (d *storageDriversDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg storageDriversDataSourceModel
	if !d.readConfig(ctx, req, resp, &cfg) {
		return
	}
	filter := platform.DriverFilter{ProjectID: cfg.ProjectID.ValueString(), IntegrationID: cfg.IntegrationID.ValueString()}
	drivers, err := d.data.Client.FindDrivers(ctx, filter)
	if err != nil {
		resp.Diagnostics.AddError("Unable to List Storage Drivers", fmt.Sprintf("Could not list storage drivers: %s", err))
		return
	}
	bucket, typ := cfg.Bucket.ValueString(), cfg.Type.ValueString()
	var matches []platform.Driver
	for _, drv := range drivers {
		if (bucket == "" || drv.BucketOrContainer() == bucket) && (typ == "" || drv.Type == typ) {
			if drv.ProjectID == "" {
				drv.ProjectID = filter.ProjectID
			}
			matches = append(matches, drv)
		}
	}
	sort.SliceStable(matches, func(a, b int) bool {
		x, y := matches[a], matches[b]
		if x.ProjectID != y.ProjectID {
			return x.ProjectID < y.ProjectID
		}
		if x.Name != y.Name {
			return x.Name < y.Name
		}
		return x.ID < y.ID
	})
	tflog.Debug(ctx, "Listed storage drivers", map[string]any{"listed": len(drivers), "matching": len(matches)})

	state := cfg
	state.IDs = make([]types.String, 0, len(matches))
	state.Drivers = make([]driverViewModel, 0, len(matches))
	for _, drv := range matches {
		state.IDs = append(state.IDs, types.StringValue(drv.ID))
		state.Drivers = append(state.Drivers, driverView(drv))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
