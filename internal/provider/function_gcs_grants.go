package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

var _ function.Function = (*gcsGrantsFunction)(nil)

// NewGCSGrantsFunction returns the provider::dataloop::gcs_grants function.
func NewGCSGrantsFunction() function.Function {
	return &gcsGrantsFunction{namedFunction{name: "gcs_grants"}}
}

// gcsGrantsFunction is the plan-time twin of the dataloop_gcs_grants data
// source. Its parameters are positional (see awsBucketPolicyFunction): the
// first four are those of aws_bucket_policy.
type gcsGrantsFunction struct {
	namedFunction
}

// Positions of the function's parameters, for argument errors.
var gcsGrantsParams = map[string]int64{
	policy.FieldBucket:                 0,
	policy.FieldPath:                   1,
	policy.FieldAllowDelete:            2,
	policy.FieldReadOnly:               3,
	policy.FieldProject:                4,
	policy.FieldServiceAccountEmail:    5,
	policy.FieldPlatformServiceAccount: 6,
}

func (f *gcsGrantsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: gcsGrantsSummary,
		MarkdownDescription: "Returns the Google Cloud IAM grants that a Dataloop GCS storage driver needs, as an " +
			"object with the computed attributes of the `dataloop_gcs_grants` data source (`member`, `custom_roles`, " +
			"`bucket_iam_members`, `service_account_iam_member`), equal to them for the same inputs, and known at " +
			"plan time whenever its arguments are. " + gcsGrantsAbout + "\n\n" +
			"Pass `null` for an optional argument to use its default. `service_account_email` and " +
			"`platform_service_account` may be unknown at plan (from resources created in the same apply): only " +
			"the values derived from them are then unknown. An unknown `service_account_email` leaves `member`, " +
			"the role IDs, the bindings' `role` and `member`, and the impersonation's `service_account_id` unknown; " +
			"an unknown `platform_service_account` leaves the `data` role's permissions and " +
			"`service_account_iam_member` unknown, since it may turn out null.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                policy.FieldBucket,
				MarkdownDescription: "Name of the Cloud Storage bucket, without `gs://`.",
			},
			function.StringParameter{
				Name:           policy.FieldPath,
				AllowNullValue: true,
				MarkdownDescription: "Object prefix of the storage driver inside the bucket, normalized like the " +
					"driver's `path`. `null` or `\"\"` means the whole bucket.",
			},
			function.BoolParameter{
				Name:           policy.FieldAllowDelete,
				AllowNullValue: true,
				MarkdownDescription: "Whether to grant `storage.objects.delete` under `path` (`null` means " +
					"`false`). It cannot be combined with `read_only`.",
			},
			function.BoolParameter{
				Name:           policy.FieldReadOnly,
				AllowNullValue: true,
				MarkdownDescription: "Whether to leave out `storage.objects.create` under `path` (`null` means " +
					"`false`). The hidden `.dataloop/` folder stays writable.",
			},
			function.StringParameter{
				Name:                policy.FieldProject,
				MarkdownDescription: "ID of the Google Cloud project that holds the custom roles, usually the bucket's.",
			},
			function.StringParameter{
				Name:               policy.FieldServiceAccountEmail,
				AllowUnknownValues: true,
				MarkdownDescription: "Email of the service account the platform acts as: the key's `client_email` " +
					"(private key) or your service account (cross-project).",
			},
			function.StringParameter{
				Name:               policy.FieldPlatformServiceAccount,
				AllowNullValue:     true,
				AllowUnknownValues: true,
				MarkdownDescription: "Email of Dataloop's service account of a cross-project integration; `null` " +
					"for a private-key integration. When set, the data role gains `storage.buckets.getIamPolicy` and " +
					"`service_account_iam_member` lets this account impersonate `service_account_email`.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: gcsGrantsType.AttrTypes},
	}
}

func (f *gcsGrantsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var in gcsGrantsInput
	resp.Error = req.Arguments.Get(ctx, &in.Bucket, &in.Path, &in.AllowDelete, &in.ReadOnly, &in.Project,
		&in.ServiceAccountEmail, &in.PlatformServiceAccount)
	if resp.Error != nil {
		return
	}
	in.grants().setResult(ctx, resp, gcsGrantsParams)
}
