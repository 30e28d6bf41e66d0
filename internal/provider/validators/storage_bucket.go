package validators

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// StorageBucketName checks a bucket name with the rule of the storage that
// the sibling attribute typeAttr names: rules.GCSBucketName when it is
// gcsType, else rules.S3BucketName (relaxed when the endpointAttr sibling is
// set, as in S3BucketName). While the type is not known yet, nothing is
// checked: the value is checked again once it is.
func StorageBucketName(typeAttr, gcsType, endpointAttr string) validator.String {
	return ruleValidator{
		summary: "Invalid Bucket Name",
		description: "value must be a bucket name: for S3 3 to 63 lowercase letters, digits, dots and hyphens " +
			"(relaxed for an S3-compatible `endpoint`); for Cloud Storage the Cloud Storage naming rules",
		check: func(ctx context.Context, req validator.StringRequest) error {
			var typ types.String
			if !req.Config.Raw.IsNull() {
				if d := req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName(typeAttr), &typ); d.HasError() {
					typ = types.StringNull()
				}
			}
			switch {
			case typ.IsUnknown():
				return nil
			case typ.ValueString() == gcsType:
				return rules.GCSBucketName(req.ConfigValue.ValueString())
			}
			return rules.S3BucketName(req.ConfigValue.ValueString(), siblingSet(ctx, req, endpointAttr))
		},
	}
}
