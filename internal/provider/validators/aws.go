package validators

import (
	"context"
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var (
	// NOTE: long-term IAM user keys start with AKIA and temporary (STS) keys
	// with ASIA; both are 20 characters of upper-case letters and digits.
	// moto issues keys of the same shape.
	accessKeyIDPattern = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)

	// IAM role names are 1-64 characters of [\w+=,.@-]; a role may sit under
	// a path (role/path/name). The partition covers aws, aws-cn and aws-us-gov.
	roleARNPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)
)

var (
	_ validator.String = accessKeyIDValidator{}
	_ validator.String = roleARNValidator{}
)

type accessKeyIDValidator struct{}

// AWSAccessKeyID checks the shape of an AWS access key ID (AKIA… or ASIA…,
// 20 characters). It catches a secret pasted into the key ID field, or a key
// ID with stray whitespace, before anything is sent to the platform.
func AWSAccessKeyID() validator.String {
	return accessKeyIDValidator{}
}

func (v accessKeyIDValidator) Description(_ context.Context) string {
	return "value must be an AWS access key ID: AKIA or ASIA followed by 16 upper-case letters or digits"
}

func (v accessKeyIDValidator) MarkdownDescription(_ context.Context) string {
	return "value must be an AWS access key ID: `AKIA` or `ASIA` followed by 16 upper-case letters or digits"
}

func (v accessKeyIDValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !accessKeyIDPattern.MatchString(req.ConfigValue.ValueString()) {
		// NOTE: the value is not echoed: if a secret access key was pasted
		// here by mistake it must not end up in the output.
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid AWS Access Key ID",
			fmt.Sprintf("The value of %s is not an AWS access key ID. An access key ID is 20 characters long, "+
				"starts with AKIA (IAM user keys) or ASIA (temporary keys) and holds only upper-case letters and digits, "+
				"for example AKIAIOSFODNN7EXAMPLE. Check that the key ID and the secret access key were not swapped "+
				"and that the value has no surrounding whitespace.", req.Path))
	}
}

type roleARNValidator struct{}

// IAMRoleARN checks that a string is an IAM role ARN,
// arn:aws:iam::<12-digit account id>:role/<name>.
func IAMRoleARN() validator.String {
	return roleARNValidator{}
}

func (v roleARNValidator) Description(_ context.Context) string {
	return "value must be an IAM role ARN of the form arn:aws:iam::<12-digit account ID>:role/<role name>"
}

func (v roleARNValidator) MarkdownDescription(_ context.Context) string {
	return "value must be an IAM role ARN of the form `arn:aws:iam::<12-digit account ID>:role/<role name>`"
}

func (v roleARNValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if !roleARNPattern.MatchString(req.ConfigValue.ValueString()) {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid IAM Role ARN",
			fmt.Sprintf("The value of %s, %q, is not an IAM role ARN. Use the form "+
				"arn:aws:iam::<12-digit account ID>:role/<role name>, for example "+
				"arn:aws:iam::123456789012:role/dataloop-access. The role does not need to exist yet.",
				req.Path, req.ConfigValue.ValueString()))
	}
}
