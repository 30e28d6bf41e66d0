package provider

import (
	"context"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

var (
	_ resource.Resource                = (*storageDriverResource[s3DriverModel, *s3DriverModel])(nil)
	_ resource.ResourceWithConfigure   = (*storageDriverResource[s3DriverModel, *s3DriverModel])(nil)
	_ resource.ResourceWithModifyPlan  = (*storageDriverResource[s3DriverModel, *s3DriverModel])(nil)
	_ resource.ResourceWithImportState = (*storageDriverResource[s3DriverModel, *s3DriverModel])(nil)
)

// NewS3DriverResource returns the dataloop_s3_storage_driver resource, on
// the shared driver lifecycle (driver_common.go).
func NewS3DriverResource() resource.Resource {
	return &storageDriverResource[s3DriverModel, *s3DriverModel]{kind: driverKind{
		typeSuffix:       "_s3_storage_driver",
		article:          "an S3",
		driverTypes:      []string{platform.DriverTypeS3},
		integrationTypes: supportedS3IntegrationTypes(),
		schema:           s3DriverSchema,
	}}
}

type s3DriverModel struct {
	driverBase
	Bucket       types.String `tfsdk:"bucket"`
	Region       types.String `tfsdk:"region"`
	StorageClass types.String `tfsdk:"storage_class"`
	Endpoint     types.String `tfsdk:"endpoint"`
}

func (m *s3DriverModel) base() *driverBase { return &m.driverBase }

// privateKeyImported marks state that came from an import, so the next Read
// fills access with a check of the imported driver.
const privateKeyImported = "imported"

// supportedS3IntegrationTypes are the integration types an S3 driver can use.
func supportedS3IntegrationTypes() []string {
	return []string{platform.TypeS3, platform.TypeAWSSTS, platform.TypeAWSCross}
}

// supportedStorageClasses are the S3 storage classes a general purpose
// bucket accepts on upload. The SDK lists more (Outposts, Snow, FSx, backup
// tiers), which a storage driver cannot write to.
func supportedStorageClasses() []string {
	var out []string
	for _, c := range []s3types.StorageClass{
		s3types.StorageClassStandard,
		s3types.StorageClassIntelligentTiering,
		s3types.StorageClassStandardIa,
		s3types.StorageClassOnezoneIa,
		s3types.StorageClassGlacierIr,
		s3types.StorageClassGlacier,
		s3types.StorageClassDeepArchive,
		s3types.StorageClassReducedRedundancy,
	} {
		out = append(out, string(c))
	}
	return out
}

func s3DriverSchema(ctx context.Context) schema.Schema {
	return driverSchema(ctx, "Connects an Amazon S3 bucket (or a prefix of it) to a Dataloop project through an AWS "+
		"integration. Before the driver is created or its location changes, the provider asks the platform to "+
		"prove that it can use the prefix: at plan time when every input is known, and again at apply time, "+
		"retrying while IAM changes propagate. The embedded check (the emulator's, and the provider's own) lists "+
		"the prefix, writes a probe object in `<path>.dataloop/`, reads the first byte of a data object under the "+
		"prefix (or, when the prefix holds none, the probe back, saying that reading data was not proven) and "+
		"deletes the probe. With `allow_delete` the probe lies directly under the prefix, so deleting it proves "+
		"`s3:DeleteObject` there; writing it then needs `s3:PutObject` under the prefix. A failed check names the "+
		"missing permission and the policy statement that grants it, or the Deny statement to remove or narrow. At plan time it is a warning "+
		"(the same plan may fix it; `access_check.plan_severity` makes it an error); at apply time it stops the "+
		"apply before the driver is created or changed. `terraform destroy` runs no check.",
		driverText{
			integrationID: "ID of the integration whose credentials or trust the platform uses, of type " +
				quoteList(supportedS3IntegrationTypes()) + " (the `dataloop_aws_access_key_integration`, " +
				"`dataloop_aws_sts_integration` or `dataloop_aws_cross_account_integration` resource).",
			prefix:   "Key",
			location: "bucket",
			allowDelete: "Whether the platform may delete objects in the bucket when items are deleted in " +
				"Dataloop; the access check then writes and deletes its probe directly under `path` instead of in " +
				"`.dataloop/`, proving `s3:DeleteObject` (and `s3:PutObject`) on the path's objects",
		},
		map[string]schema.Attribute{
			// Required
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the S3 bucket. The bucket must exist. It must follow the S3 general purpose " +
					"bucket naming rules (3 to 63 lowercase letters, digits, dots and hyphens; not an IP address; no " +
					"reserved prefix such as `xn--` or suffix such as `-s3alias`); with `endpoint` set, the store's " +
					"names of 3 to 255 letters, digits, dots, hyphens and underscores are accepted.",
				Validators: []validator.String{validators.S3BucketName("endpoint")},
			},
			"region": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "AWS region of the bucket, such as `eu-west-1`. The access check fails when the bucket " +
					"is in another region. With `endpoint` set, any region name the store uses is accepted, such as `auto`.",
				Validators: []validator.String{validators.AWSRegion("endpoint")},
			},

			// Optional
			"storage_class": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Storage class of the objects the platform writes: " + quoteList(supportedStorageClasses()) +
					". Unset means the bucket's default. Removing it replaces the driver.",
				Validators: []validator.String{stringvalidator.OneOf(supportedStorageClasses()...)},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(requiresReplaceWhenCleared(false),
						"Removing the storage class replaces the driver.", "Removing the storage class replaces the driver."),
				},
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Endpoint of an S3-compatible store, in the form `http(s)://host:port`. " +
					"Unset means Amazon S3. Removing it replaces the driver.",
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(requiresReplaceWhenCleared(false),
						"Removing the endpoint replaces the driver.", "Removing the endpoint replaces the driver."),
				},
			},
		})
}

// accessAttributeSchema is the computed result of the last access check.
func accessAttributeSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "Result of the last access check, run when the driver was created or its location, " +
			"integration or `allow_delete` changed (and on import). Null when `access_check.on_apply` is `false`. " +
			"Use the `dataloop_storage_access` data source in a `check` block to re-check on every run.",
		Attributes: map[string]schema.Attribute{
			"success": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether every check passed.",
			},
			"checks": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The individual checks in the order they ran. When the platform reports " +
					"per-check results, a failed check lists them as far as they ran: `bucket`, `list`, `write`, `read` " +
					"and `delete`, with `assume_role` (STS and cross-account integrations) and `region` for S3, " +
					"`credentials`, `impersonate` (cross-project integrations) and `read_data` for Cloud Storage, and " +
					"`credentials`, `container` and `read_data` for Azure Blob Storage. Otherwise " +
					"one check named `platform` holds what the platform answered: that its storage test passed (it does " +
					"not say which operations it tried), its failure message, or that it cannot test, in which case " +
					"nothing was verified and `success` is `false`.",
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

// requiresReplaceWhenCleared replaces the driver when a location field goes
// from a value to none: PATCH /drivers/{id} leaves fields it is not sent
// unchanged, so it cannot clear them. isPath compares normalized paths.
func requiresReplaceWhenCleared(isPath bool) stringplanmodifier.RequiresReplaceIfFunc {
	return func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		if req.StateValue.IsNull() || req.PlanValue.IsUnknown() {
			return
		}
		before, after := req.StateValue.ValueString(), req.PlanValue.ValueString()
		if isPath {
			before, after = driverPathString(before).Normalized(), driverPathString(after).Normalized()
		}
		resp.RequiresReplace = before != "" && after == ""
	}
}

// target returns the location to check, and false while any part of it is
// unknown.
func (m *s3DriverModel) target() (s3AccessTarget, bool) {
	for _, v := range []interface{ IsUnknown() bool }{
		m.ProjectID, m.IntegrationID, m.Bucket, m.Region, m.Path, m.AllowDelete, m.StorageClass, m.Endpoint,
	} {
		if v.IsUnknown() {
			return s3AccessTarget{}, false
		}
	}
	return s3AccessTarget{
		ProjectID:     m.ProjectID.ValueString(),
		IntegrationID: m.IntegrationID.ValueString(),
		Bucket:        m.Bucket.ValueString(),
		Region:        m.Region.ValueString(),
		Path:          m.Path.Normalized(),
		Endpoint:      m.Endpoint.ValueString(),
		StorageClass:  m.StorageClass.ValueString(),
		AllowDelete:   m.AllowDelete.ValueBool(),
	}, true
}

// accessChanged reports whether the plan changes anything the access check
// depends on; renames and storage class changes do not need a new check.
func (plan *s3DriverModel) accessChanged(state *s3DriverModel) bool {
	return !plan.IntegrationID.Equal(state.IntegrationID) ||
		!plan.Bucket.Equal(state.Bucket) ||
		!plan.Region.Equal(state.Region) ||
		plan.Path.IsUnknown() || plan.Path.Normalized() != state.Path.Normalized() ||
		!plan.AllowDelete.Equal(state.AllowDelete) ||
		!plan.Endpoint.Equal(state.Endpoint)
}

// replaced reports whether the plan replaces the driver: a new project or
// integration, or a location field cleared (see requiresReplaceWhenCleared).
func (plan *s3DriverModel) replaced(state *s3DriverModel) bool {
	cleared := func(before, after interface{ IsNull() bool }) bool { return !before.IsNull() && after.IsNull() }
	return !plan.ProjectID.Equal(state.ProjectID) ||
		!plan.IntegrationID.Equal(state.IntegrationID) ||
		(state.Path.Normalized() != "" && !plan.Path.IsUnknown() && plan.Path.Normalized() == "") ||
		cleared(state.StorageClass, plan.StorageClass) ||
		cleared(state.Endpoint, plan.Endpoint)
}

// platformChanged reports whether the plan changes anything the platform
// stores about the driver; timeouts live in Terraform only.
func (plan *s3DriverModel) platformChanged(state *s3DriverModel) bool {
	return plan.accessChanged(state) ||
		!plan.ProjectID.Equal(state.ProjectID) ||
		!plan.Name.Equal(state.Name) ||
		!plan.StorageClass.Equal(state.StorageClass)
}

func (m *s3DriverModel) keepComputed(state *s3DriverModel) {
	m.driverBase.keepComputed(&state.driverBase)
}

// fromDriver copies what the platform returned into the model.
func (m *s3DriverModel) fromDriver(d *platform.Driver) {
	m.driverBase.fromDriver(d)
	m.Bucket = types.StringValue(d.BucketName)
	m.Region = types.StringValue(d.Region)
	m.StorageClass = stringOrNull(d.StorageClass)
	m.Endpoint = stringOrNull(d.Endpoint)
}

// stringOrNull maps the platform's empty string for an unset field to null.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
