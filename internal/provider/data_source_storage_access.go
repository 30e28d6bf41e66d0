package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

var (
	_ datasource.DataSource                     = (*storageAccessDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*storageAccessDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*storageAccessDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig   = (*storageAccessDataSource)(nil)
)

// NewStorageAccessDataSource returns the dataloop_storage_access data source.
func NewStorageAccessDataSource() datasource.DataSource {
	return &storageAccessDataSource{platformDataSource: newPlatformDataSource("_storage_access")}
}

type storageAccessDataSource struct {
	platformDataSource
}

type storageAccessModel struct {
	DriverID      types.String    `tfsdk:"driver_id"`
	ProjectID     types.String    `tfsdk:"project_id"`
	IntegrationID types.String    `tfsdk:"integration_id"`
	DriverType    types.String    `tfsdk:"driver_type"`
	Bucket        types.String    `tfsdk:"bucket"`
	Container     types.String    `tfsdk:"container"`
	Region        types.String    `tfsdk:"region"`
	Path          driverPathValue `tfsdk:"path"`
	AllowDelete   types.Bool      `tfsdk:"allow_delete"`
	Endpoint      types.String    `tfsdk:"endpoint"`
	Success       types.Bool      `tfsdk:"success"`
	Summary       types.String    `tfsdk:"summary"`
	Checks        types.List      `tfsdk:"checks"`
}

func (d *storageAccessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Asks the Dataloop platform to prove that it can use a bucket or container: an existing " +
			"storage driver of any type (`driver_id`) or a location that is not a driver yet (`integration_id` with " +
			"`bucket` and `region` for S3, `driver_type = \"gcs\"` and `bucket` for Cloud Storage, `container` for " +
			"Azure Blob Storage or Data Lake Storage Gen2, ...). Every driver and data source of one provider run that " +
			"names the same location shares one check. A failed check does not fail the read; use `success` in a " +
			"`check` block's `assert` so that scheduled drift detection and health assessments report lost access, " +
			"with `summary` as the message.",
		Attributes: map[string]schema.Attribute{
			// Optional
			"driver_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ID of a storage driver to check. Conflicts with the location attributes. " +
					"The driver's location is checked, once per run for all drivers and data sources that share it.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"project_id": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Project the location would belong to. Required with `integration_id`.",
				Validators:          []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("integration_id"))},
			},
			"integration_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Integration whose credentials or trust the platform would use: of type " +
					quoteList(supportedS3IntegrationTypes()) + " for S3, " + quoteList(gcsIntegrationTypes()) +
					" for Cloud Storage, " + quoteList(azureIntegrationTypes()) + " for Azure.",
				Validators: []validator.String{stringvalidator.AlsoRequires(path.MatchRoot("project_id"))},
			},
			"driver_type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Platform driver type of the location: " + quoteList(locationDriverTypes()) +
					" (default: `azureblob` when `container` is set, else `s3`). `azureDatalakeGen2` is checked like " +
					"`azureblob`, through the Blob API both serve.",
				Validators: []validator.String{
					stringvalidator.OneOf(locationDriverTypes()...),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"bucket": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of the S3 or Cloud Storage bucket. Required with `integration_id` for the " +
					"`s3` and `gcs` driver types.",
				Validators: []validator.String{
					validators.StorageBucketName("driver_type", platform.DriverTypeGCS, "endpoint"),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"container": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Name of the Azure blob container (the file system, for Data Lake Storage Gen2) in " +
					"the integration's storage account. Required with `integration_id` for the `azureblob` and " +
					"`azureDatalakeGen2` driver types.",
				Validators: []validator.String{
					validators.AzureContainerName(),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region of the S3 bucket. Required with `integration_id` for the `s3` driver type.",
				Validators: []validator.String{
					validators.AWSRegion("endpoint"),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"path": schema.StringAttribute{
				CustomType:          driverPathType{},
				Optional:            true,
				MarkdownDescription: "Key (object, blob) prefix to check; unset means the bucket or container root.",
				Validators: []validator.String{
					validators.DriverPath(),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"allow_delete": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to check deleting outside the probe folder too, as a driver with " +
					"`allow_delete` needs (default: `false`).",
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Endpoint of an S3-compatible store, in the form `http(s)://host:port`; for the " +
					"`s3` driver type only.",
				Validators: []validator.String{
					validators.URLWithScheme("https", "http"),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},

			// Computed
			"success": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether every check passed.",
			},
			"summary": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "Empty when every check passed; otherwise the failed checks, each with its message " +
					"and the policy statement that fixes it.",
			},
			"checks": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The individual checks in the order they ran, when the platform reports them. " +
					"Otherwise one check named `platform` holds what the platform answered: that its storage test " +
					"passed (it does not say which operations it tried), its failure message, or that it cannot test " +
					"or could not check, in which case nothing was verified and `success` is `false`.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":    schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the check."},
						"success": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the check passed."},
						"message": schema.StringAttribute{Computed: true, MarkdownDescription: "What the check found."},
					},
				},
			},
		},
	}
}

func (d *storageAccessDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("driver_id"), path.MatchRoot("integration_id")),
	}
}

// ValidateConfig checks that a location names what its driver type needs,
// and nothing of another type's.
func (d *storageAccessDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var m storageAccessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() || m.IntegrationID.IsNull() || m.DriverType.IsUnknown() || m.Container.IsUnknown() {
		return
	}
	typ := m.driverType()
	var need, refuse []string
	switch typ {
	case platform.DriverTypeGCS:
		need, refuse = []string{"bucket"}, []string{"container", "region", "endpoint"}
	case platform.DriverTypeAzureBlob, driverTypeAzureDataLake:
		need, refuse = []string{"container"}, []string{"bucket", "region", "endpoint"}
	default:
		need, refuse = []string{"bucket", "region"}, []string{"container"}
	}
	set := map[string]types.String{"bucket": m.Bucket, "container": m.Container, "region": m.Region, "endpoint": m.Endpoint}
	for _, a := range need {
		if set[a].IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(a), "Missing Attribute Configuration",
				fmt.Sprintf("A location of driver type %q needs %s. Set %s, or set driver_type to the type of the location.", typ, a, a))
		}
	}
	for _, a := range refuse {
		if !set[a].IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root(a), "Invalid Attribute Combination",
				fmt.Sprintf("A location of driver type %q has no %s. Remove %s, or set driver_type to the type of the location.", typ, a, a))
		}
	}
}

// driverType is the platform driver type of the configured location.
func (m storageAccessModel) driverType() string {
	switch {
	case m.DriverType.ValueString() != "":
		return m.DriverType.ValueString()
	case !m.Container.IsNull():
		return platform.DriverTypeAzureBlob
	}
	return platform.DriverTypeS3
}

// locationDriverTypes are the driver types a location can name.
func locationDriverTypes() []string {
	return []string{platform.DriverTypeS3, platform.DriverTypeGCS, platform.DriverTypeAzureBlob, driverTypeAzureDataLake}
}

func gcsIntegrationTypes() []string { return []string{platform.TypeGCS, platform.TypeGCPCross} }

func azureIntegrationTypes() []string { return []string{platform.TypeAzureBlob} }

// locationTarget is the check target of a configured location, with the
// integration types its driver type takes and the article of messages. An
// S3 location keeps DriverType empty, as S3 drivers do, so both share a check.
func (m storageAccessModel) locationTarget() (s3AccessTarget, []string, string) {
	t := s3AccessTarget{
		ProjectID:     m.ProjectID.ValueString(),
		IntegrationID: m.IntegrationID.ValueString(),
		Path:          m.Path.Normalized(),
		AllowDelete:   m.AllowDelete.ValueBool(),
	}
	switch typ := m.driverType(); typ {
	case platform.DriverTypeGCS:
		t.DriverType, t.Bucket = typ, m.Bucket.ValueString()
		return t, gcsIntegrationTypes(), "a GCS"
	case platform.DriverTypeAzureBlob, driverTypeAzureDataLake:
		t.DriverType, t.Container = typ, m.Container.ValueString()
		return t, azureIntegrationTypes(), "an Azure Blob"
	}
	t.Bucket, t.Region, t.Endpoint = m.Bucket.ValueString(), m.Region.ValueString(), m.Endpoint.ValueString()
	return t, supportedS3IntegrationTypes(), "an S3"
}

func (d *storageAccessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()
	var m storageAccessModel
	if !d.readConfig(ctx, req, resp, &m) {
		return
	}
	run := d.data.Access

	var (
		t   s3AccessTarget
		in  *platform.Integration
		o   accessOutcome
		err error
	)
	if !m.DriverID.IsNull() {
		t, in, o, err = d.checkDriver(ctx, run, m.DriverID.ValueString())
	} else {
		var (
			integrationTypes []string
			article          string
			ok               bool
		)
		t, integrationTypes, article = m.locationTarget()
		in, ok = integrationForDriver(ctx, d.data, run, t, integrationTypes, article, false, &resp.Diagnostics)
		if !ok {
			return
		}
		t.IntegrationType = in.Type
		o, err = run.checkOnce(ctx, d.data.Client, t)
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Run Access Check", err.Error()+planCallTimeoutHint(ctx, err))
		return
	}

	m.Success = types.BoolValue(o.Success)
	m.Summary = types.StringValue("")
	if !o.Success {
		m.Summary = types.StringValue(accessFailureDetail(o, t, in, ""))
	}
	if o.Verdict == platform.TestUnsupported {
		// Not a failure of the storage, and never a pass: say so.
		resp.Diagnostics.AddWarning("Storage Access Not Verified", m.Summary.ValueString())
	}
	checks, diags := accessChecksList(o)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	m.Checks = checks
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// checkDriver checks an existing driver. An S3, GCS or Azure driver's
// location is checked like any other (POST /drivers/test), so that drivers
// sharing a location, and the location data sources and resources asking
// about it, share one check per run; a driver of another type, or one whose
// project or integration type the platform does not return, is checked by
// ID (GET /drivers/{id}/test).
func (d *storageAccessDataSource) checkDriver(ctx context.Context, run *accessRun, id string) (s3AccessTarget, *platform.Integration, accessOutcome, error) {
	driver, err := d.data.Client.GetDriver(ctx, id)
	if err != nil {
		return s3AccessTarget{}, nil, accessOutcome{}, fmt.Errorf("reading driver %q: %w", id, err)
	}
	t := s3AccessTarget{
		ProjectID:       driver.ProjectID,
		IntegrationID:   driver.IntegrationID,
		IntegrationType: driver.IntegrationType,
		Path:            driverPathString(driver.Path).Normalized(),
		AllowDelete:     driver.AllowExternalDelete,
	}
	// shared: the driver's location is checked like the same location of a
	// resource or data source (the target fields each driver type sets).
	shared := t.ProjectID != "" && t.IntegrationType != ""
	switch driver.Type {
	case "", platform.DriverTypeS3:
		t.Bucket, t.Region, t.Endpoint = firstNonEmpty(driver.BucketName, driver.Bucket), driver.Region, driver.Endpoint
	case platform.DriverTypeGCS:
		t.DriverType, t.Bucket = driver.Type, firstNonEmpty(driver.Bucket, driver.BucketName)
	case platform.DriverTypeAzureBlob, driverTypeAzureDataLake:
		t.DriverType, t.Container = driver.Type, driver.ContainerName
	default:
		t.DriverType, t.Bucket = driver.Type, firstNonEmpty(driver.BucketName, driver.Bucket, driver.ContainerName)
		shared = false
	}
	var in *platform.Integration
	if t.IntegrationType == platform.TypeAWSCross && t.ProjectID != "" {
		// The integration only improves the fix hint; the check does not need it.
		if i, err := run.integration(ctx, d.data.Client, t.ProjectID, t.IntegrationID, false); err == nil {
			in = i
		}
	}

	if shared {
		o, err := run.checkOnce(ctx, d.data.Client, t)
		if err != nil {
			return t, in, o, fmt.Errorf("checking driver %q: %w", id, err)
		}
		return t, in, o, nil
	}

	select {
	case run.sem <- struct{}{}:
	case <-ctx.Done():
		return t, in, accessOutcome{}, ctx.Err()
	}
	defer func() { <-run.sem }()
	tflog.Debug(ctx, "Running storage access check of a driver on the platform", map[string]any{"driver_id": id})
	res, err := d.data.Client.TestDriverByID(ctx, id)
	if err != nil {
		return t, in, accessOutcome{}, fmt.Errorf("checking driver %q: %w", id, testError(err))
	}
	return t, in, outcomeOf(res, t), nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
