package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

var _ function.Function = (*awsTrustPolicyFunction)(nil)

// NewAWSTrustPolicyFunction returns the provider::dataloop::aws_trust_policy
// function.
func NewAWSTrustPolicyFunction() function.Function {
	return &awsTrustPolicyFunction{namedFunction{name: "aws_trust_policy"}}
}

// awsTrustPolicyFunction is the plan-time twin of the
// dataloop_aws_trust_policy data source.
type awsTrustPolicyFunction struct {
	namedFunction
}

// Positions of the function's parameters, for argument errors.
var awsTrustPolicyParams = map[string]int64{
	policy.FieldPrincipalARN: 0,
	policy.FieldExternalID:   1,
}

func (f *awsTrustPolicyFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Generates the trust policy of the IAM role that Dataloop assumes",
		MarkdownDescription: "Returns the trust policy (assume role policy), as JSON indented with two spaces, " +
			"of the IAM role that Dataloop uses to reach a bucket: it allows `principal_arn` to call " +
			"`sts:AssumeRole`, and requires the `sts:ExternalId` when `external_id` is set. It returns exactly " +
			"the `json` of the `dataloop_aws_trust_policy` data source for the same inputs, and is known at plan " +
			"time whenever its arguments are.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: policy.FieldPrincipalARN,
				MarkdownDescription: "ARN of the IAM principal allowed to assume the role, usually the " +
					"`platform_iam_user_arn` of a cross-account integration. IAM user, role and account root ARNs " +
					"are accepted; wildcards are not.",
			},
			function.StringParameter{
				Name:           policy.FieldExternalID,
				AllowNullValue: true,
				MarkdownDescription: "External ID that the caller of `sts:AssumeRole` must pass: 2 to 1224 letters, " +
					"digits and the characters `+=,.@:/-_`. `null` or `\"\"` means no condition.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *awsTrustPolicyFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var in awsTrustPolicyInput
	resp.Error = req.Arguments.Get(ctx, &in.PrincipalARN, &in.ExternalID)
	if resp.Error != nil {
		return
	}
	doc, err := in.document()
	setPolicyResult(ctx, resp, doc, err, awsTrustPolicyParams)
}
