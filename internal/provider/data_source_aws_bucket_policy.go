package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var (
	_ datasource.DataSource                   = (*awsBucketPolicyDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*awsBucketPolicyDataSource)(nil)
)

// NewAWSBucketPolicyDataSource returns the dataloop_aws_bucket_policy data
// source.
func NewAWSBucketPolicyDataSource() datasource.DataSource {
	return &awsBucketPolicyDataSource{namedDataSource{typeSuffix: "_aws_bucket_policy"}}
}

// awsBucketPolicyDataSource needs no provider data: it only runs the
// generator in internal/policy.
type awsBucketPolicyDataSource struct {
	namedDataSource
}

type awsBucketPolicyDataSourceModel struct {
	Bucket       types.String `tfsdk:"bucket"`
	Path         types.String `tfsdk:"path"`
	AllowDelete  types.Bool   `tfsdk:"allow_delete"`
	ReadOnly     types.Bool   `tfsdk:"read_only"`
	KMSKeyARNs   types.List   `tfsdk:"kms_key_arns"`
	Partition    types.String `tfsdk:"partition"`
	JSON         types.String `tfsdk:"json"`
	MinifiedJSON types.String `tfsdk:"minified_json"`
}

func (d *awsBucketPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Generates the AWS IAM permission policy that a Dataloop S3 storage driver needs. " +
			"It grants `s3:ListBucket` on the bucket limited to `path`, `s3:GetObject` and (unless `read_only`) " +
			"`s3:PutObject` on the objects under `path`, write access to the hidden `.dataloop/` folder under `path` " +
			"where the platform writes its permission test file, `s3:DeleteObject` under `path` only with " +
			"`allow_delete`, and `kms:Decrypt` and `kms:GenerateDataKey` on the given KMS keys.\n\n" +
			"Attach the policy to the IAM role or user that the integration uses: it is an identity policy, " +
			"not an S3 bucket policy. The `provider::dataloop::aws_bucket_policy` function returns the same JSON " +
			"and, unlike a data source, is known at plan time even when an input comes from a resource.",
		Attributes: map[string]schema.Attribute{
			// Required
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the S3 bucket. It must follow the S3 bucket naming rules: 3 to 63 " +
					"lowercase letters, digits, dots and hyphens.",
				Validators: []validator.String{validators.S3BucketName("")},
			},

			// Optional
			"path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Key prefix of the storage driver inside the bucket. It is normalized like the " +
					"driver's `path`: leading slashes are removed and one trailing slash is added. " +
					"Unset or empty means the whole bucket. Wildcard characters are matched literally.",
				Validators: []validator.String{validators.DriverPath()},
			},
			"allow_delete": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to grant `s3:DeleteObject` on the objects under `path`, for a storage " +
					"driver with `allow_delete` (default: `false`). It cannot be combined with `read_only`.",
			},
			"read_only": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to leave out `s3:PutObject` on the objects under `path` (default: `false`). " +
					"The hidden `.dataloop/` folder stays writable because the platform validates every driver by " +
					"writing a test file there.",
			},
			"kms_key_arns": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "ARNs of the KMS keys that encrypt the bucket's objects (SSE-KMS); the policy " +
					"grants `kms:Decrypt` and `kms:GenerateDataKey` on them. Use key ARNs, not alias ARNs. " +
					"The order does not matter: the policy lists them sorted and without duplicates.",
				Validators: []validator.List{
					listvalidator.NoNullValues(),
					listvalidator.ValueStringsAre(validators.Rule(
						"Invalid KMS Key ARN", "value must be a KMS key ARN", rules.KMSKeyARN)),
				},
			},

			"partition": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "AWS partition of the bucket, which the S3 ARNs of the policy name: " +
					quoteList(rules.Partitions()) + " (default: `aws`). Use `aws-cn` for a bucket in China and " +
					"`aws-us-gov` for GovCloud, the partition of the role or user the policy is attached to.",
				Validators: []validator.String{validators.AWSPartition()},
			},

			// Computed
			"json": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The policy document as JSON indented with two spaces.",
			},
			"minified_json": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The policy document as JSON without whitespace, which saves characters of " +
					"the IAM policy size quota.",
			},
		},
	}
}

func (d *awsBucketPolicyDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	validateReadOnlyDelete(ctx, req, resp, "Conflicting Bucket Policy Settings")
}

// validateReadOnlyDelete reports allow_delete = true with read_only = true,
// which the policy generators refuse, on allow_delete with summary. The
// data sources with both attributes call it from ValidateConfig.
func validateReadOnlyDelete(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse, summary string) {
	var readOnly, allowDelete types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("read_only"), &readOnly)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("allow_delete"), &allowDelete)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if readOnly.ValueBool() && allowDelete.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("allow_delete"), summary,
			"The value of allow_delete must not be true when read_only is true: a read-only storage driver "+
				"cannot delete objects. Set one of them to false.")
	}
}

func (d *awsBucketPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m awsBucketPolicyDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var keys []string
	resp.Diagnostics.Append(m.KMSKeyARNs.ElementsAs(ctx, &keys, false)...)
	if resp.Diagnostics.HasError() {
		return
	}

	doc, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{
		Bucket:      m.Bucket.ValueString(),
		Path:        m.Path.ValueString(),
		AllowDelete: m.AllowDelete.ValueBool(),
		ReadOnly:    m.ReadOnly.ValueBool(),
		KMSKeyARNs:  keys,
		Partition:   m.Partition.ValueString(),
	})
	if err != nil {
		addPolicyError(&resp.Diagnostics, "Unable to Generate Bucket Policy", err)
		return
	}
	m.JSON, m.MinifiedJSON = renderPolicy(doc, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// renderPolicy returns both JSON forms of a generated document, which the
// policy data sources expose as json and minified_json.
func renderPolicy(doc *policy.Document, diags *diag.Diagnostics) (types.String, types.String) {
	indented, err := doc.JSON()
	if err == nil {
		var minified string
		if minified, err = doc.MinifiedJSON(); err == nil {
			return types.StringValue(indented), types.StringValue(minified)
		}
	}
	diags.AddError("Unable to Encode Policy",
		"The generated policy could not be encoded as JSON: "+err.Error()+
			". This is always a bug in the provider, please report this issue to the provider developers.")
	return types.StringNull(), types.StringNull()
}

// addPolicyError reports an error of the policy generators, as an error on
// the offending attribute when the generator names one. The attribute
// validators normally catch these values first.
func addPolicyError(diags *diag.Diagnostics, summary string, err error) {
	var fe *policy.FieldError
	if !errors.As(err, &fe) {
		diags.AddError(summary, err.Error())
		return
	}
	p := path.Root(fe.Field)
	if fe.Index >= 0 {
		p = p.AtListIndex(fe.Index)
	}
	detail := fe.Message + "."
	if re, ok := rules.AsError(err); ok {
		detail = re.Detail()
	}
	diags.AddAttributeError(p, summary, fmt.Sprintf("The value of %s is not valid. %s", p, detail))
}
