package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var _ datasource.DataSource = (*awsTrustPolicyDataSource)(nil)

// NewAWSTrustPolicyDataSource returns the dataloop_aws_trust_policy data
// source.
func NewAWSTrustPolicyDataSource() datasource.DataSource {
	return &awsTrustPolicyDataSource{namedDataSource{typeSuffix: "_aws_trust_policy"}}
}

// awsTrustPolicyDataSource needs no provider data: it only runs the
// generator in internal/policy.
type awsTrustPolicyDataSource struct {
	namedDataSource
}

type awsTrustPolicyDataSourceModel struct {
	awsTrustPolicyInput
	JSON         types.String `tfsdk:"json"`
	MinifiedJSON types.String `tfsdk:"minified_json"`
}

// awsTrustPolicyInput holds the inputs of dataloop_aws_trust_policy, in the
// order of the aws_trust_policy function's parameters, so both generate the
// same document.
type awsTrustPolicyInput struct {
	PrincipalARN types.String `tfsdk:"principal_arn"`
	ExternalID   types.String `tfsdk:"external_id"`
}

func (in awsTrustPolicyInput) document() (*policy.Document, error) {
	return policy.AWSTrustPolicy(policy.TrustPolicyInput{
		PrincipalARN: in.PrincipalARN.ValueString(),
		ExternalID:   in.ExternalID.ValueString(),
	})
}

func (d *awsTrustPolicyDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Generates the trust policy (assume role policy) of the IAM role that Dataloop " +
			"uses to reach a bucket: it allows `principal_arn` to call `sts:AssumeRole`, and requires the " +
			"`sts:ExternalId` when `external_id` is set. The `provider::dataloop::aws_trust_policy` function " +
			"returns the same JSON and, unlike a data source, is known at plan time even when an input comes " +
			"from a resource.",
		Attributes: map[string]schema.Attribute{
			// Required
			"principal_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM principal allowed to assume the role: the platform IAM user " +
					"of a cross-account integration (`platform_iam_user_arn`), or the IAM user whose access key an " +
					"STS integration holds. IAM role and account root ARNs are accepted too; wildcards are not.",
				Validators: []validator.String{validators.Rule("Invalid Principal ARN",
					"value must be an IAM user, role or account root ARN", func(s string) error {
						_, err := rules.ParseIAMPrincipalARN(s)
						return err
					})},
			},

			// Optional
			"external_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "External ID that the caller of `sts:AssumeRole` must pass; when set, the " +
					"policy has a `StringEquals` condition on `sts:ExternalId`. It is 2 to 1224 letters, digits " +
					"and the characters `+=,.@:/-_`. Unset or empty means no condition.",
				Validators: []validator.String{validators.Rule("Invalid External ID",
					"value must be a valid sts:ExternalId", rules.STSExternalID)},
			},

			// Computed
			"json": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The trust policy document as JSON indented with two spaces.",
			},
			"minified_json": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The trust policy document as JSON without whitespace, which saves " +
					"characters of the trust policy size quota.",
			},
		},
	}
}

func (d *awsTrustPolicyDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m awsTrustPolicyDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	doc, err := m.document()
	if err != nil {
		addPolicyError(&resp.Diagnostics, "Unable to Generate Trust Policy", err)
		return
	}
	m.JSON, m.MinifiedJSON = renderPolicy(doc, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
