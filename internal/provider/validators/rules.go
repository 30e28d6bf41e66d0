package validators

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var _ validator.String = ruleValidator{}

// ruleValidator runs one rule of internal/rules at validate time and
// reports its *rules.Error on the attribute: what is wrong and the fix.
type ruleValidator struct {
	summary     string
	description string
	check       func(context.Context, validator.StringRequest) error
}

// Rule wraps check, a rule of internal/rules, as a string validator whose
// errors carry summary (a Title Case phrase such as "Invalid S3 Bucket
// Name"). description is the validator's Markdown description.
func Rule(summary, description string, check func(string) error) validator.String {
	return ruleValidator{summary: summary, description: description,
		check: func(_ context.Context, req validator.StringRequest) error {
			return check(req.ConfigValue.ValueString())
		}}
}

// DriverPath checks a storage driver path with rules.DriverPath.
func DriverPath() validator.String {
	return Rule("Invalid Storage Driver Path",
		"value must be a key prefix without control characters, empty segments (`a//b`) or `.` and `..` segments",
		rules.DriverPath)
}

// ObjectName checks the name of an integration or storage driver with
// rules.ObjectName.
func ObjectName() validator.String {
	return Rule("Invalid Name",
		fmt.Sprintf("value must be a single line of 1 to %d characters without control characters", rules.MaxObjectNameLength),
		rules.ObjectName)
}

func (v ruleValidator) Description(_ context.Context) string { return v.description }

func (v ruleValidator) MarkdownDescription(_ context.Context) string { return v.description }

func (v ruleValidator) ValidateString(ctx context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	err := v.check(ctx, req)
	if err == nil {
		return
	}
	detail := err.Error() + "."
	if e, ok := rules.AsError(err); ok {
		detail = e.Detail()
	}
	resp.Diagnostics.AddAttributeError(req.Path, v.summary, fmt.Sprintf("The value of %s is not valid. %s", req.Path, detail))
}

// siblingSet reports whether the sibling attribute name of the validated
// one is set or not known yet. A missing configuration (unit tests) or
// attribute counts as unset.
func siblingSet(ctx context.Context, req validator.StringRequest, name string) bool {
	if name == "" || req.Config.Raw.IsNull() {
		return false
	}
	var v types.String
	if d := req.Config.GetAttribute(ctx, req.Path.ParentPath().AtName(name), &v); d.HasError() {
		return false
	}
	return v.IsUnknown() || v.ValueString() != ""
}
