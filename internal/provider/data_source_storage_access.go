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
)

// NewStorageAccessDataSource returns the dataloop_storage_access data source.
func NewStorageAccessDataSource() datasource.DataSource { return &storageAccessDataSource{} }

type storageAccessDataSource struct {
	data *providerData
}

type storageAccessModel struct {
	DriverID      types.String    `tfsdk:"driver_id"`
	ProjectID     types.String    `tfsdk:"project_id"`
	IntegrationID types.String    `tfsdk:"integration_id"`
	Bucket        types.String    `tfsdk:"bucket"`
	Region        types.String    `tfsdk:"region"`
	Path          driverPathValue `tfsdk:"path"`
	AllowDelete   types.Bool      `tfsdk:"allow_delete"`
	Endpoint      types.String    `tfsdk:"endpoint"`
	Success       types.Bool      `tfsdk:"success"`
	Summary       types.String    `tfsdk:"summary"`
	Checks        types.List      `tfsdk:"checks"`
}

func (d *storageAccessDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_storage_access"
}

func (d *storageAccessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Asks the Dataloop platform to prove that it can use a bucket: an existing storage driver " +
			"(`driver_id`) or a location that is not a driver yet (`integration_id`, `bucket`, `region`, ...). " +
			"A failed check does not fail the read; use `success` in a `check` block's `assert` so that scheduled " +
			"drift detection and health assessments report lost access, with `summary` as the message.",
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
				MarkdownDescription: "Integration whose credentials or trust the platform would use, of type " +
					quoteList(supportedS3IntegrationTypes()) + ".",
				Validators: []validator.String{stringvalidator.AlsoRequires(
					path.MatchRoot("project_id"), path.MatchRoot("bucket"), path.MatchRoot("region"))},
			},
			"bucket": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name of the S3 bucket. Required with `integration_id`.",
				Validators: []validator.String{
					validators.S3BucketName("endpoint"),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"region": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "AWS region of the bucket. Required with `integration_id`.",
				Validators: []validator.String{
					validators.AWSRegion("endpoint"),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"path": schema.StringAttribute{
				CustomType:          driverPathType{},
				Optional:            true,
				MarkdownDescription: "Key prefix to check; unset means the bucket root.",
				Validators: []validator.String{
					validators.DriverPath(),
					stringvalidator.AlsoRequires(path.MatchRoot("integration_id")),
				},
			},
			"allow_delete": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Whether to check s3:DeleteObject too (default: `false`).",
			},
			"endpoint": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Endpoint of an S3-compatible store, in the form `http(s)://host:port`.",
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

func (d *storageAccessDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (d *storageAccessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	if d.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()
	var m storageAccessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
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
		t = s3AccessTarget{
			ProjectID:     m.ProjectID.ValueString(),
			IntegrationID: m.IntegrationID.ValueString(),
			Bucket:        m.Bucket.ValueString(),
			Region:        m.Region.ValueString(),
			Path:          m.Path.Normalized(),
			Endpoint:      m.Endpoint.ValueString(),
			AllowDelete:   m.AllowDelete.ValueBool(),
		}
		var ok bool
		in, ok = s3Integration(ctx, d.data, run, t, false, &resp.Diagnostics)
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

// checkDriver checks an existing driver. An S3 driver's location is checked
// like any other (POST /drivers/test), so that drivers sharing a location,
// and the location data sources and resources asking about it, share one
// check per run; other drivers are checked by ID (GET /drivers/{id}/test).
func (d *storageAccessDataSource) checkDriver(ctx context.Context, run *accessRun, id string) (s3AccessTarget, *platform.Integration, accessOutcome, error) {
	driver, err := d.data.Client.GetDriver(ctx, id)
	if err != nil {
		return s3AccessTarget{}, nil, accessOutcome{}, fmt.Errorf("reading driver %q: %w", id, err)
	}
	t := s3AccessTarget{
		ProjectID:       driver.ProjectID,
		IntegrationID:   driver.IntegrationID,
		IntegrationType: driver.IntegrationType,
		Bucket:          firstNonEmpty(driver.BucketName, driver.Bucket, driver.ContainerName),
		Region:          driver.Region,
		Path:            driverPathString(driver.Path).Normalized(),
		Endpoint:        driver.Endpoint,
		AllowDelete:     driver.AllowExternalDelete,
	}
	var in *platform.Integration
	if t.IntegrationType == platform.TypeAWSCross && t.ProjectID != "" {
		// The integration only improves the fix hint; the check does not need it.
		if i, err := run.integration(ctx, d.data.Client, t.ProjectID, t.IntegrationID, false); err == nil {
			in = i
		}
	}

	if (driver.Type == "" || driver.Type == platform.DriverTypeS3) && t.ProjectID != "" && t.IntegrationType != "" {
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
