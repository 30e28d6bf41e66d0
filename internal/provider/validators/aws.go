package validators

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// AWSAccessKeyID checks the shape of an AWS access key ID (rules.AWSAccessKeyID:
// AKIA… or ASIA…, 20 characters). It catches a secret pasted into the key ID
// field, or a key ID with stray whitespace, before anything is sent to the
// platform. The value is never echoed.
func AWSAccessKeyID() validator.String {
	return Rule("Invalid AWS Access Key ID",
		"value must be an AWS access key ID: `AKIA` or `ASIA` followed by 16 upper-case letters or digits",
		rules.AWSAccessKeyID)
}

// IAMRoleARN checks that a string is an IAM role ARN (rules.ParseIAMRoleARN)
// in one of partitions, or in any supported partition when none are given.
func IAMRoleARN(partitions ...string) validator.String {
	desc := "value must be an IAM role ARN of the form `arn:<partition>:iam::<12-digit account ID>:role/<role name>`"
	allowed := partitions
	if len(allowed) == 0 {
		allowed = rules.Partitions()
	}
	desc += " in partition `" + strings.Join(allowed, "`, `") + "`"
	return Rule("Invalid IAM Role ARN", desc, func(s string) error {
		a, err := rules.ParseIAMRoleARN(s)
		if err != nil {
			return err
		}
		return rules.RoleInPartitions(a, partitions...)
	})
}

// S3BucketName checks a bucket name with rules.S3BucketName. When
// endpointAttr names a sibling attribute that is set (an S3-compatible
// store), or not known yet, the relaxed rules for S3-compatible stores apply.
func S3BucketName(endpointAttr string) validator.String {
	return ruleValidator{
		summary:     "Invalid S3 Bucket Name",
		description: "value must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens; relaxed for an S3-compatible `endpoint`)",
		check: func(ctx context.Context, req validator.StringRequest) error {
			return rules.S3BucketName(req.ConfigValue.ValueString(), siblingSet(ctx, req, endpointAttr))
		},
	}
}

// AWSRegion checks a region with rules.AWSRegion, relaxed like S3BucketName
// when the endpointAttr sibling is set or not known yet.
func AWSRegion(endpointAttr string) validator.String {
	return ruleValidator{
		summary:     "Invalid Region",
		description: "value must be an AWS region name such as `eu-west-1` (any region name, such as `auto`, for an S3-compatible `endpoint`)",
		check: func(ctx context.Context, req validator.StringRequest) error {
			return rules.AWSRegion(req.ConfigValue.ValueString(), siblingSet(ctx, req, endpointAttr))
		},
	}
}

// AWSPartition checks a partition name with rules.AWSPartition.
func AWSPartition() validator.String {
	return Rule("Invalid AWS Partition",
		"value must be one of `"+strings.Join(rules.Partitions(), "`, `")+"`", rules.AWSPartition)
}
