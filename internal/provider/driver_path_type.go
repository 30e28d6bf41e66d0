package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

var (
	_ basetypes.StringTypable                    = driverPathType{}
	_ basetypes.StringValuableWithSemanticEquals = driverPathValue{}
	_ planmodifier.String                        = keepEquivalentPath{}
)

// driverPathType is the type of a storage driver's path (key prefix). Paths
// that normalize to the same prefix ("raw", "/raw", "raw/") are semantically
// equal, so state keeps the form written in the configuration while the
// platform stores the normalized one. Semantic equality applies only to
// values the provider returns; keepEquivalentPath does the same for plans.
type driverPathType struct {
	basetypes.StringType
}

func (t driverPathType) String() string { return "driverPathType" }

func (t driverPathType) ValueType(_ context.Context) attr.Value { return driverPathValue{} }

func (t driverPathType) Equal(o attr.Type) bool {
	other, ok := o.(driverPathType)
	return ok && t.StringType.Equal(other.StringType)
}

func (t driverPathType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return driverPathValue{StringValue: in}, nil
}

func (t driverPathType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	s, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return driverPathValue{StringValue: s}, nil
}

// driverPathValue is a value of driverPathType.
type driverPathValue struct {
	basetypes.StringValue
}

func driverPathString(s string) driverPathValue {
	return driverPathValue{StringValue: basetypes.NewStringValue(s)}
}

func (v driverPathValue) Type(_ context.Context) attr.Type { return driverPathType{} }

func (v driverPathValue) Equal(o attr.Value) bool {
	other, ok := o.(driverPathValue)
	return ok && v.StringValue.Equal(other.StringValue)
}

// StringSemanticEquals reports whether both paths name the same prefix.
func (v driverPathValue) StringSemanticEquals(_ context.Context, newValuable basetypes.StringValuable) (bool, diag.Diagnostics) {
	var diags diag.Diagnostics
	other, ok := newValuable.(driverPathValue)
	if !ok {
		diags.AddError("Semantic Equality Check Error",
			fmt.Sprintf("Expected value type %T but got %T. This is always a bug in the provider, "+
				"please report this issue to the provider developers.", v, newValuable))
		return false, diags
	}
	return v.Normalized() == other.Normalized(), diags
}

// Normalized returns the prefix as the platform stores it: no leading slash,
// one trailing slash, or "" for the bucket root.
func (v driverPathValue) Normalized() string {
	return rules.NormalizeDriverPath(v.ValueString())
}

// keepEquivalentPath plans the prior path when the configured one names the
// same prefix, such as "raw" in the configuration and "raw/" in state after
// an import, so the plan shows no change. Terraform accepts a planned value
// that differs from the configuration when it is the prior state's value.
type keepEquivalentPath struct{}

func (keepEquivalentPath) Description(_ context.Context) string {
	return "Keeps the path in state when the configured path names the same prefix."
}

func (m keepEquivalentPath) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (keepEquivalentPath) PlanModifyString(_ context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.StateValue.IsUnknown() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() ||
		req.PlanValue.Equal(req.StateValue) {
		return
	}
	if rules.NormalizeDriverPath(req.PlanValue.ValueString()) == rules.NormalizeDriverPath(req.StateValue.ValueString()) {
		resp.PlanValue = req.StateValue
	}
}
