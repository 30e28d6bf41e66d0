package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var _ function.Function = (*awsBucketPolicyFunction)(nil)

// NewAWSBucketPolicyFunction returns the provider::dataloop::aws_bucket_policy
// function.
func NewAWSBucketPolicyFunction() function.Function {
	return &awsBucketPolicyFunction{namedFunction{name: "aws_bucket_policy"}}
}

// awsBucketPolicyFunction is the plan-time twin of the
// dataloop_aws_bucket_policy data source.
//
// NOTE: provider functions have no optional parameters, and an object
// parameter would make callers spell out every attribute
// (terraform-plugin-framework#955), so the parameters are positional, named
// like the data source's attributes, and all but bucket accept null for the
// default.
type awsBucketPolicyFunction struct {
	namedFunction
}

// Positions of the function's parameters, for argument errors.
var awsBucketPolicyParams = map[string]int64{
	policy.FieldBucket:      0,
	policy.FieldPath:        1,
	policy.FieldAllowDelete: 2,
	policy.FieldReadOnly:    3,
	policy.FieldKMSKeyARNs:  4,
	policy.FieldPartition:   5,
}

func (f *awsBucketPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Generates the IAM permission policy that an S3 storage driver needs",
		MarkdownDescription: "Returns the AWS IAM permission policy, as JSON indented with two spaces, that a " +
			"Dataloop S3 storage driver needs: `s3:ListBucket` on the bucket limited to `path`, `s3:GetObject` and " +
			"(unless `read_only`) `s3:PutObject` under `path`, write access to the hidden `.dataloop/` folder where " +
			"the platform writes its permission test file, `s3:DeleteObject` under `path` only with `allow_delete`, " +
			"and `kms:Decrypt` and `kms:GenerateDataKey` on the given KMS keys. It returns exactly the `json` of " +
			"the `dataloop_aws_bucket_policy` data source for the same inputs, and is known at plan time whenever " +
			"its arguments are.\n\n" +
			"Pass `null` for an argument to use its default. Attach the policy to the IAM role or user that the " +
			"integration uses: it is an identity policy, not an S3 bucket policy.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: policy.FieldBucket,
				MarkdownDescription: "Name of the S3 bucket. It must follow the S3 bucket naming rules: 3 to 63 " +
					"lowercase letters, digits, dots and hyphens.",
			},
			function.StringParameter{
				Name:           policy.FieldPath,
				AllowNullValue: true,
				MarkdownDescription: "Key prefix of the storage driver inside the bucket, normalized like the " +
					"driver's `path`. `null` or `\"\"` means the whole bucket.",
			},
			function.BoolParameter{
				Name:           policy.FieldAllowDelete,
				AllowNullValue: true,
				MarkdownDescription: "Whether to grant `s3:DeleteObject` on the objects under `path` " +
					"(`null` means `false`). It cannot be combined with `read_only`.",
			},
			function.BoolParameter{
				Name:           policy.FieldReadOnly,
				AllowNullValue: true,
				MarkdownDescription: "Whether to leave out `s3:PutObject` on the objects under `path` " +
					"(`null` means `false`). The hidden `.dataloop/` folder stays writable.",
			},
			function.ListParameter{
				Name:           policy.FieldKMSKeyARNs,
				ElementType:    types.StringType,
				AllowNullValue: true,
				MarkdownDescription: "ARNs of the KMS keys that encrypt the bucket's objects; `null` or `[]` " +
					"means none. Use key ARNs, not alias ARNs.",
			},
		},
		VariadicParameter: function.StringParameter{
			Name: policy.FieldPartition,
			MarkdownDescription: "Optional: the AWS partition of the bucket, " + quoteList(rules.Partitions()) +
				" (default: `aws`), which the S3 ARNs of the policy name. Pass it as a sixth argument for a bucket " +
				"in China (`aws-cn`) or GovCloud (`aws-us-gov`); at most one value.",
		},
		Return: function.StringReturn{},
	}
}

func (f *awsBucketPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var (
		bucket, path          types.String
		allowDelete, readOnly types.Bool
		keys                  []types.String
		partitions            []string
	)
	resp.Error = req.Arguments.Get(ctx, &bucket, &path, &allowDelete, &readOnly, &keys, &partitions)
	if resp.Error != nil {
		return
	}
	if len(partitions) > 1 {
		resp.Error = function.NewArgumentFuncError(awsBucketPolicyParams[policy.FieldPartition],
			"Pass at most one partition")
		return
	}
	partition := ""
	if len(partitions) == 1 {
		partition = partitions[0]
	}
	arns := make([]string, len(keys))
	for i, k := range keys {
		if k.IsNull() {
			resp.Error = function.NewArgumentFuncError(awsBucketPolicyParams[policy.FieldKMSKeyARNs],
				"The list of KMS key ARNs must not contain null values")
			return
		}
		arns[i] = k.ValueString()
	}

	doc, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{
		Bucket:      bucket.ValueString(),
		Path:        path.ValueString(),
		AllowDelete: allowDelete.ValueBool(),
		ReadOnly:    readOnly.ValueBool(),
		KMSKeyARNs:  arns,
		Partition:   partition,
	})
	setPolicyResult(ctx, resp, doc, err, awsBucketPolicyParams)
}

// setPolicyResult sets a policy function's result to the generated document
// as JSON indented with two spaces (the data source's json), or its error to
// the argument params names for the invalid input.
func setPolicyResult(ctx context.Context, resp *function.RunResponse, doc *policy.Document, err error, params map[string]int64) {
	if err != nil {
		resp.Error = policyFuncError(err, params)
		return
	}
	s, err := doc.JSON()
	if err != nil {
		resp.Error = function.NewFuncError("The generated policy could not be encoded as JSON: " + err.Error() +
			". This is always a bug in the provider, please report this issue to the provider developers.")
		return
	}
	resp.Error = resp.Result.Set(ctx, s)
}

// policyFuncError turns an error of the policy generators into an error on
// the argument it names; Terraform then prints the parameter's name.
func policyFuncError(err error, params map[string]int64) *function.FuncError {
	var fe *policy.FieldError
	if errors.As(err, &fe) {
		if i, ok := params[fe.Field]; ok {
			msg := fe.Message
			if fe.Index >= 0 {
				msg = fe.Error()
			}
			// NOTE: Terraform prints "Invalid value for "<name>" parameter: <msg>."
			// so the message has no final period.
			return function.NewArgumentFuncError(i, msg)
		}
	}
	return function.NewFuncError(err.Error())
}
