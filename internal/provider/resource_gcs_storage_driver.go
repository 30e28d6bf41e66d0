package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var (
	_ resource.Resource                = (*storageDriverResource[gcsDriverModel, *gcsDriverModel])(nil)
	_ resource.ResourceWithConfigure   = (*storageDriverResource[gcsDriverModel, *gcsDriverModel])(nil)
	_ resource.ResourceWithModifyPlan  = (*storageDriverResource[gcsDriverModel, *gcsDriverModel])(nil)
	_ resource.ResourceWithImportState = (*storageDriverResource[gcsDriverModel, *gcsDriverModel])(nil)
)

// NewGCSDriverResource returns the dataloop_gcs_storage_driver resource, on
// the shared driver lifecycle (driver_common.go). It serves both GCP
// integration types: gcs (a service account key) and gcp-cross (a service
// account the platform impersonates).
func NewGCSDriverResource() resource.Resource {
	return &storageDriverResource[gcsDriverModel, *gcsDriverModel]{kind: driverKind{
		typeSuffix:       "_gcs_storage_driver",
		article:          "a GCS",
		driverTypes:      []string{platform.DriverTypeGCS},
		integrationTypes: supportedGCSIntegrationTypes(),
		schema:           gcsDriverSchema,
		locationAttribute: func(p path.Path) path.Path {
			if p.Equal(path.Root("region")) || p.Equal(path.Root("container")) {
				return path.Root("bucket")
			}
			return p
		},
	}}
}

// supportedGCSIntegrationTypes are the integration types a GCS driver can use.
func supportedGCSIntegrationTypes() []string {
	return []string{platform.TypeGCS, platform.TypeGCPCross}
}

type gcsDriverModel struct {
	driverBase
	Bucket types.String `tfsdk:"bucket"`
}

func (m *gcsDriverModel) base() *driverBase { return &m.driverBase }

func gcsDriverSchema(ctx context.Context) schema.Schema {
	return driverSchema(ctx, "Connects a Google Cloud Storage bucket (or a prefix of it) to a Dataloop project through a "+
		"`dataloop_gcp_private_key_integration` or a `dataloop_gcp_cross_project_integration`. Before the driver is "+
		"created or its location changes, the provider asks the platform to check the location (POST "+
		"`/drivers/test`): at plan time when every input is known (a warning; `access_check.plan_severity` makes it "+
		"an error), and at apply time, retrying while IAM changes propagate, where a failure stops the apply before "+
		"the driver is created or changed. The provider does not check the bucket itself: it does not keep the "+
		"private key after the integration is created (`key_json_wo` is write-only), and a cross-project "+
		"integration acts through the platform's own service account. The platform's test (the emulator's, like "+
		"the console's) obtains a token with the integration's key, or impersonates the bound service account, "+
		"reads the bucket's metadata, lists under the path, writes, reads back and deletes a probe object in "+
		"`<path>.dataloop/` and reads one existing object under the path. A passed test is recorded as the "+
		"platform's answer, which does not say which operations it tried. A failed check names the missing "+
		"permission (for example `"+policy.GCSPermObjectsList+"`) and the service account to grant it to, or the "+
		"`"+policy.GCPRoleTokenCreator+"` grant the platform's service account lacks. For a cross-project "+
		"integration whose impersonation is not established yet, a failed impersonation at plan time is silent "+
		"(the same apply usually grants it). `terraform destroy` runs no check.",
		driverText{
			integrationID: "ID of the integration whose service account the platform uses, of type " +
				quoteList(supportedGCSIntegrationTypes()) + " (the `dataloop_gcp_private_key_integration` or " +
				"`dataloop_gcp_cross_project_integration` resource).",
			prefix:   "Object name",
			location: "bucket",
			allowDelete: "Whether the platform may delete objects in the bucket when items are deleted in Dataloop. " +
				"The access check passes it to the platform's test, which may then also try `" + policy.GCSPermObjectsDelete +
				"` under `path` outside `.dataloop/`; a passed test does not say whether it did",
		},
		map[string]schema.Attribute{
			// Required
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the Cloud Storage bucket, without `gs://`. The bucket must exist. It must " +
					"follow the Cloud Storage bucket naming rules: 3 to 63 lowercase letters, digits, hyphens, " +
					"underscores and dots (up to 222 with dots, each dot-separated part at most 63), beginning and " +
					"ending with a letter or digit; not an IP address; not beginning with `goog` or containing `google`.",
				Validators: []validator.String{validators.Rule("Invalid GCS Bucket Name",
					"must be a valid Cloud Storage bucket name", rules.GCSBucketName)},
			},
		})
}

// target returns the location to check, and false while any part of it is
// unknown.
func (m *gcsDriverModel) target() (s3AccessTarget, bool) {
	for _, v := range []interface{ IsUnknown() bool }{m.ProjectID, m.IntegrationID, m.Bucket, m.Path, m.AllowDelete} {
		if v.IsUnknown() {
			return s3AccessTarget{}, false
		}
	}
	return s3AccessTarget{
		DriverType:    platform.DriverTypeGCS,
		ProjectID:     m.ProjectID.ValueString(),
		IntegrationID: m.IntegrationID.ValueString(),
		Bucket:        m.Bucket.ValueString(),
		Path:          m.Path.Normalized(),
		AllowDelete:   m.AllowDelete.ValueBool(),
	}, true
}

// accessChanged reports whether the plan changes anything the access check
// depends on; a rename does not.
func (m *gcsDriverModel) accessChanged(state *gcsDriverModel) bool {
	return !m.IntegrationID.Equal(state.IntegrationID) || !m.Bucket.Equal(state.Bucket) ||
		m.Path.IsUnknown() || m.Path.Normalized() != state.Path.Normalized() ||
		!m.AllowDelete.Equal(state.AllowDelete)
}

// replaced reports whether the plan replaces the driver: a new project or
// integration, or the path cleared (see requiresReplaceWhenCleared).
func (m *gcsDriverModel) replaced(state *gcsDriverModel) bool {
	return !m.ProjectID.Equal(state.ProjectID) || !m.IntegrationID.Equal(state.IntegrationID) ||
		(state.Path.Normalized() != "" && !m.Path.IsUnknown() && m.Path.Normalized() == "")
}

// platformChanged reports whether the plan changes anything the platform
// stores about the driver; timeouts live in Terraform only.
func (m *gcsDriverModel) platformChanged(state *gcsDriverModel) bool {
	return m.accessChanged(state) || !m.ProjectID.Equal(state.ProjectID) || !m.Name.Equal(state.Name)
}

func (m *gcsDriverModel) keepComputed(state *gcsDriverModel) {
	m.driverBase.keepComputed(&state.driverBase)
}

// fromDriver copies what the platform returned into the model.
func (m *gcsDriverModel) fromDriver(d *platform.Driver) {
	m.driverBase.fromDriver(d)
	m.Bucket = types.StringValue(firstNonEmpty(d.Bucket, d.BucketName))
}
