package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var (
	_ datasource.DataSource                   = (*gcsGrantsDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*gcsGrantsDataSource)(nil)
)

// NewGCSGrantsDataSource returns the dataloop_gcs_grants data source.
func NewGCSGrantsDataSource() datasource.DataSource {
	return &gcsGrantsDataSource{namedDataSource{typeSuffix: "_gcs_grants"}}
}

// gcsGrantsDataSource needs no provider data: it only runs the generator
// in internal/policy.
type gcsGrantsDataSource struct {
	namedDataSource
}

type gcsGrantsDataSourceModel struct {
	gcsGrantsInput
	gcsGrantsResult
}

// gcsGrantsResult is gcsGrantsType as Go fields.
type gcsGrantsResult struct {
	Member                  types.String `tfsdk:"member"`
	CustomRoles             types.Map    `tfsdk:"custom_roles"`
	BucketIAMMembers        types.Map    `tfsdk:"bucket_iam_members"`
	ServiceAccountIAMMember types.Object `tfsdk:"service_account_iam_member"`
}

// Descriptions shared by the data source and the function.
const (
	gcsGrantsSummary = "Generates the Google Cloud IAM grants that a Dataloop GCS storage driver needs"
	gcsGrantsAbout   = "They are shaped for the Google provider's resources: two custom roles for " +
		"`google_project_iam_custom_role` (`custom_roles`), their bindings to the service account on the bucket for " +
		"`google_storage_bucket_iam_member` (`bucket_iam_members`), and, for a cross-project integration, the " +
		"`roles/iam.serviceAccountTokenCreator` grant that lets Dataloop's service account impersonate yours, for " +
		"`google_service_account_iam_member` (`service_account_iam_member`). Both maps are keyed `data` (the " +
		"driver's objects: `storage.buckets.get`, `storage.objects.get` and `storage.objects.list`, plus " +
		"`storage.objects.create` unless `read_only` and `storage.objects.delete` with `allow_delete`, plus " +
		"`storage.buckets.getIamPolicy` for a cross-project integration, which Dataloop uses to validate it) and " +
		"`probe` (`storage.objects.create`, `storage.objects.get` and `storage.objects.delete` on the hidden " +
		"`<path>.dataloop/` folder, where the platform writes its permission test file, thumbnails and converted " +
		"files; Cloud Storage needs delete to overwrite, so even a read-only driver has it there).\n\n" +
		"With a `path`, the bindings carry IAM conditions on `resource.name` that limit object access to the " +
		"objects under `path` (and the probe role to `<path>.dataloop/`). What they do not restrict: IAM " +
		"conditions on a bucket need uniform bucket-level access on it; `storage.objects.list` and the bucket " +
		"permissions are checked on the bucket, so the data binding also matches the bucket and the service " +
		"account can list every object in the bucket (names and metadata, not contents) and read the bucket's " +
		"metadata (and, cross-project, its IAM policy)."
)

// gcsBucketValidator checks a Cloud Storage bucket name with rules.GCSBucketName.
func gcsBucketValidator() validator.String {
	return validators.Rule("Invalid GCS Bucket Name",
		"value must be a Cloud Storage bucket name: 3 to 63 lowercase letters, digits, hyphens, underscores and dots (up to 222 with dots)",
		rules.GCSBucketName)
}

func gcsServiceAccountEmailValidator() validator.String {
	return validators.Rule("Invalid Service Account Email", "value must be a service account email",
		rules.GCPServiceAccountEmail)
}

func (d *gcsGrantsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: gcsGrantsSummary + ". " + gcsGrantsAbout + "\n\n" +
			"The `provider::dataloop::gcs_grants` function returns the same values and, unlike a data source, is " +
			"known at plan time even when an input comes from a resource.",
		Attributes: map[string]schema.Attribute{
			// Required
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the Cloud Storage bucket, without `gs://`: 3 to 63 lowercase letters, " +
					"digits, hyphens, underscores and dots (up to 222 with dots).",
				Validators: []validator.String{gcsBucketValidator()},
			},
			"project": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ID of the Google Cloud project that holds the custom roles, usually the " +
					"bucket's: 6 to 30 lowercase letters, digits and hyphens. The bindings' `role` is " +
					"`projects/<project>/roles/<role_id>`.",
				Validators: []validator.String{validators.Rule("Invalid GCP Project ID", "value must be a project ID",
					rules.GCPProjectID)},
			},
			"service_account_email": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Email of the service account the platform acts as: the `client_email` of a " +
					"private-key integration's key, or the service account of a cross-project integration " +
					"(its `service_account_email`).",
				Validators: []validator.String{gcsServiceAccountEmailValidator()},
			},

			// Optional
			"path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Object prefix of the storage driver inside the bucket. It is normalized like " +
					"the driver's `path`: leading slashes are removed and one trailing slash is added. Unset or " +
					"empty means the whole bucket, without conditions.",
				Validators: []validator.String{validators.DriverPath()},
			},
			"allow_delete": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to grant `storage.objects.delete` on the objects under `path`, for a " +
					"storage driver with `allow_delete` (default: `false`). It cannot be combined with `read_only`.",
			},
			"read_only": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to leave out `storage.objects.create` on the objects under `path` " +
					"(default: `false`). The hidden `.dataloop/` folder stays writable because the platform validates " +
					"every driver by writing a test file there.",
			},
			"platform_service_account": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Email of Dataloop's service account of a cross-project integration (its " +
					"`platform_service_account`, or the account the Dataloop console shows). When set, the data role " +
					"gains `storage.buckets.getIamPolicy` and `service_account_iam_member` lets this account " +
					"impersonate `service_account_email`. Unset for a private-key integration.",
				Validators: []validator.String{gcsServiceAccountEmailValidator()},
			},

			// Computed
			"member": computedString("The IAM member of the service account, `serviceAccount:<service_account_email>`."),
			"custom_roles": schema.MapNestedAttribute{
				Computed: true,
				MarkdownDescription: "The custom roles, keyed `data` and `probe`, with the arguments of " +
					"`google_project_iam_custom_role`. The role IDs are derived from the bucket, the normalized path " +
					"and the service account, so they stay the same (and the role is updated in place) when only the " +
					"permissions change.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"project":     computedString("The project of the role (`project`)."),
					"role_id":     computedString("The role ID, `dataloop_data_<hash>` or `dataloop_probe_<hash>`."),
					"title":       computedString("The role title, at most 100 characters."),
					"description": computedString("What the role lets Dataloop do, at most 256 characters."),
					"permissions": schema.ListAttribute{Computed: true, ElementType: types.StringType,
						MarkdownDescription: "The role's permissions, in a fixed order."},
				}},
			},
			"bucket_iam_members": schema.MapNestedAttribute{
				Computed: true,
				MarkdownDescription: "The bucket bindings, keyed like `custom_roles`, with the arguments of " +
					"`google_storage_bucket_iam_member`.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"bucket": computedString("The bucket (`bucket`)."),
					"role":   computedString("The custom role of the same key, `projects/<project>/roles/<role_id>`."),
					"member": computedString("The service account, `serviceAccount:<service_account_email>`."),
					"condition": schema.SingleNestedAttribute{
						Computed: true,
						MarkdownDescription: "The IAM condition of the binding (a `condition` block), or null for " +
							"the `data` binding of a driver on the whole bucket.",
						Attributes: map[string]schema.Attribute{
							"title":       computedString("The condition title."),
							"description": computedString("What the condition limits the binding to."),
							"expression":  computedString("The CEL expression on `resource.name` and `resource.type`."),
						},
					},
				}},
			},
			"service_account_iam_member": schema.SingleNestedAttribute{
				Computed: true,
				MarkdownDescription: "The impersonation grant, with the arguments of " +
					"`google_service_account_iam_member`; null without `platform_service_account`.",
				Attributes: map[string]schema.Attribute{
					"service_account_id": computedString("The service account, `projects/-/serviceAccounts/<service_account_email>`."),
					"role":               computedString("`roles/iam.serviceAccountTokenCreator`."),
					"member":             computedString("Dataloop's service account, `serviceAccount:<platform_service_account>`."),
				},
			},
		},
	}
}

func (d *gcsGrantsDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateReadOnlyDelete(ctx, req, resp, "Conflicting GCS Grants Settings")
}

func (d *gcsGrantsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m gcsGrantsDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !m.grants().into(ctx, &resp.Diagnostics, "Unable to Generate GCS Grants", &m.gcsGrantsResult) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
