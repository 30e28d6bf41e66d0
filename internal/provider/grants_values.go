package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// The generated GCS and Azure grants, shared by the dataloop_gcs_grants /
// dataloop_azure_role_assignments data sources and their provider
// functions, so both return the same values: one input type each, which the
// data source's model embeds and the function reads its arguments into, and
// one conversion to Terraform values.

// gcsGrantsInput holds the inputs of dataloop_gcs_grants, in the order of
// the gcs_grants function's parameters.
type gcsGrantsInput struct {
	Bucket                 types.String `tfsdk:"bucket"`
	Path                   types.String `tfsdk:"path"`
	AllowDelete            types.Bool   `tfsdk:"allow_delete"`
	ReadOnly               types.Bool   `tfsdk:"read_only"`
	Project                types.String `tfsdk:"project"`
	ServiceAccountEmail    types.String `tfsdk:"service_account_email"`
	PlatformServiceAccount types.String `tfsdk:"platform_service_account"`
}

// grants generates the GCS grants. Unknown identities (only the function
// allows them) are generated with placeholders, whose derived values
// gcsGrantsValue then marks unknown; Terraform calls the function again once
// they are known, and they are validated then.
func (in gcsGrantsInput) grants() generatedGrants {
	u := grantsUnknowns{account: in.ServiceAccountEmail.IsUnknown(), principal: in.PlatformServiceAccount.IsUnknown()}
	gin := policy.GCSIAMInput{
		Bucket:                 in.Bucket.ValueString(),
		Path:                   in.Path.ValueString(),
		AllowDelete:            in.AllowDelete.ValueBool(),
		ReadOnly:               in.ReadOnly.ValueBool(),
		Project:                in.Project.ValueString(),
		ServiceAccountEmail:    in.ServiceAccountEmail.ValueString(),
		PlatformServiceAccount: in.PlatformServiceAccount.ValueString(),
	}
	if u.account {
		gin.ServiceAccountEmail = placeholderServiceAccount
	}
	if u.principal {
		gin.PlatformServiceAccount = placeholderServiceAccount
	}
	g, err := policy.GCSIAMGrants(gin)
	if err != nil {
		return generatedGrants{err: err}
	}
	v, diags := gcsGrantsValue(g, u)
	return generatedGrants{value: v, diags: diags}
}

// azureRoleAssignmentsInput holds the inputs of
// dataloop_azure_role_assignments, in the order of the
// azure_role_assignments function's parameters.
type azureRoleAssignmentsInput struct {
	StorageAccountID types.String `tfsdk:"storage_account_id"`
	Container        types.String `tfsdk:"container"`
	PrincipalID      types.String `tfsdk:"principal_id"`
}

// assignments generates the Azure role assignments. An unknown storage
// account (only the function allows it) is generated with a placeholder and
// an unknown principal as none; azureRoleAssignmentsValue then marks what
// derives from them unknown.
func (in azureRoleAssignmentsInput) assignments() generatedGrants {
	u := grantsUnknowns{account: in.StorageAccountID.IsUnknown(), principal: in.PrincipalID.IsUnknown()}
	ain := policy.AzureRolesInput{
		StorageAccountID: in.StorageAccountID.ValueString(),
		Container:        in.Container.ValueString(),
		PrincipalID:      in.PrincipalID.ValueString(),
	}
	if u.account {
		ain.StorageAccountID = placeholderStorageAccountID
	}
	if u.principal {
		ain.PrincipalID = ""
	}
	as, err := policy.AzureDriverRoleAssignments(ain)
	if err != nil {
		return generatedGrants{err: err}
	}
	v, diags := azureRoleAssignmentsValue(as, u)
	return generatedGrants{value: v, diags: diags}
}

// generatedGrants is what a grants generator returned, for a data source's
// state or a function's result.
type generatedGrants struct {
	value types.Object
	// diags are from building value: a bug in the provider.
	diags diag.Diagnostics
	// err is the generator's: an input is not valid.
	err error
}

// into sets result, the computed attributes of a grants data source, to the
// generated value. It returns false with the errors in diags; an invalid
// input is reported with summary.
func (g generatedGrants) into(ctx context.Context, diags *diag.Diagnostics, summary string, result any) bool {
	if g.err != nil {
		addPolicyError(diags, summary, g.err)
		return false
	}
	diags.Append(g.diags...)
	if diags.HasError() {
		return false
	}
	diags.Append(g.value.As(ctx, result, basetypes.ObjectAsOptions{})...)
	return !diags.HasError()
}

// setResult sets a grants function's result to the generated value, or its
// error to the argument params names for the invalid input.
func (g generatedGrants) setResult(ctx context.Context, resp *function.RunResponse, params map[string]int64) {
	switch {
	case g.err != nil:
		resp.Error = policyFuncError(g.err, params)
	case g.diags.HasError():
		resp.Error = function.FuncErrorFromDiags(ctx, g.diags)
	default:
		resp.Error = resp.Result.Set(ctx, g.value)
	}
}

var (
	gcsCustomRoleType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"project":     types.StringType,
		"role_id":     types.StringType,
		"title":       types.StringType,
		"description": types.StringType,
		"permissions": types.ListType{ElemType: types.StringType},
	}}
	gcsConditionType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"title":       types.StringType,
		"description": types.StringType,
		"expression":  types.StringType,
	}}
	gcsBucketIAMMemberType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"bucket":    types.StringType,
		"role":      types.StringType,
		"member":    types.StringType,
		"condition": gcsConditionType,
	}}
	gcsServiceAccountIAMMemberType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"service_account_id": types.StringType,
		"role":               types.StringType,
		"member":             types.StringType,
	}}
	// gcsGrantsType is the function's result and the data source's
	// computed attributes.
	gcsGrantsType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"member":                     types.StringType,
		"custom_roles":               types.MapType{ElemType: gcsCustomRoleType},
		"bucket_iam_members":         types.MapType{ElemType: gcsBucketIAMMemberType},
		"service_account_iam_member": gcsServiceAccountIAMMemberType,
	}}

	azureRoleAssignmentType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"scope":                types.StringType,
		"role_definition_name": types.StringType,
		"role_definition_id":   types.StringType,
		"principal_id":         types.StringType,
		"description":          types.StringType,
	}}
	azureRoleAssignmentsType = types.ObjectType{AttrTypes: map[string]attr.Type{
		"role_assignments": types.MapType{ElemType: azureRoleAssignmentType},
	}}
)

// grantsUnknowns says which identity inputs of a generator were unknown
// (the function allows unknown values for them), so that the values derived
// from them are unknown while the rest stays known at plan.
type grantsUnknowns struct {
	// account: the GCS service_account_email or the Azure storage_account_id.
	account bool
	// principal: the GCS platform_service_account or the Azure principal_id.
	principal bool
}

// Placeholders that the generators run with in place of an unknown value;
// every value derived from them is replaced by unknown.
const (
	placeholderServiceAccount   = "placeholder-account@placeholder-project.iam.gserviceaccount.com"
	placeholderStorageAccountID = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/placeholder" +
		"/providers/Microsoft.Storage/storageAccounts/placeholder"
)

// knownOr returns v, or an unknown string when unknown is set.
func knownOr(unknown bool, v string) types.String {
	if unknown {
		return types.StringUnknown()
	}
	return types.StringValue(v)
}

// gcsGrantsValue converts generated GCS grants to a gcsGrantsType value.
// With an unknown service account, the member, role IDs and roles are
// unknown; with an unknown platform service account, so are the data role's
// permissions (storage.buckets.getIamPolicy depends on it) and the
// impersonation grant.
func gcsGrantsValue(g *policy.GCSIAM, u grantsUnknowns) (types.Object, diag.Diagnostics) {
	var diags diag.Diagnostics
	obj := func(t types.ObjectType, v map[string]attr.Value) types.Object {
		o, d := types.ObjectValue(t.AttrTypes, v)
		diags.Append(d...)
		return o
	}
	roles := map[string]attr.Value{}
	for k, r := range g.CustomRoles {
		perms := make([]attr.Value, len(r.Permissions))
		for i, p := range r.Permissions {
			perms[i] = types.StringValue(p)
		}
		list, d := types.ListValue(types.StringType, perms)
		diags.Append(d...)
		if u.principal && k == policy.GCSGrantData {
			list = types.ListUnknown(types.StringType)
		}
		roles[k] = obj(gcsCustomRoleType, map[string]attr.Value{
			"project": types.StringValue(r.Project), "role_id": knownOr(u.account, r.RoleID),
			"title": types.StringValue(r.Title), "description": types.StringValue(r.Description), "permissions": list,
		})
	}
	members := map[string]attr.Value{}
	for k, m := range g.BucketIAMMembers {
		cond := types.ObjectNull(gcsConditionType.AttrTypes)
		if m.Condition != nil {
			cond = obj(gcsConditionType, map[string]attr.Value{
				"title": types.StringValue(m.Condition.Title), "description": types.StringValue(m.Condition.Description),
				"expression": types.StringValue(m.Condition.Expression),
			})
		}
		members[k] = obj(gcsBucketIAMMemberType, map[string]attr.Value{
			"bucket": types.StringValue(m.Bucket), "role": knownOr(u.account, m.Role),
			"member": knownOr(u.account, m.Member), "condition": cond,
		})
	}
	impersonation := types.ObjectNull(gcsServiceAccountIAMMemberType.AttrTypes)
	switch s := g.ServiceAccountIAMMember; {
	case u.principal:
		// A platform service account that is not known yet may turn out null.
		impersonation = types.ObjectUnknown(gcsServiceAccountIAMMemberType.AttrTypes)
	case s != nil:
		impersonation = obj(gcsServiceAccountIAMMemberType, map[string]attr.Value{
			"service_account_id": knownOr(u.account, s.ServiceAccountID), "role": types.StringValue(s.Role),
			"member": types.StringValue(s.Member),
		})
	}
	rolesMap, d := types.MapValue(gcsCustomRoleType, roles)
	diags.Append(d...)
	membersMap, d := types.MapValue(gcsBucketIAMMemberType, members)
	diags.Append(d...)
	return obj(gcsGrantsType, map[string]attr.Value{
		"member": knownOr(u.account, g.Member), "custom_roles": rolesMap,
		"bucket_iam_members": membersMap, "service_account_iam_member": impersonation,
	}), diags
}

// azureRoleAssignmentsValue converts generated role assignments to an
// azureRoleAssignmentsType value. An empty principal ID is null. With an
// unknown storage account, the scope and role definition ID are unknown;
// with an unknown principal, the principal ID.
func azureRoleAssignmentsValue(as map[string]policy.AzureDriverAssignment, u grantsUnknowns) (types.Object, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := map[string]attr.Value{}
	for k, a := range as {
		principal := types.StringNull()
		switch {
		case u.principal:
			principal = types.StringUnknown()
		case a.PrincipalID != "":
			principal = types.StringValue(a.PrincipalID)
		}
		o, d := types.ObjectValue(azureRoleAssignmentType.AttrTypes, map[string]attr.Value{
			"scope": knownOr(u.account, a.Scope), "role_definition_name": types.StringValue(a.RoleDefinitionName),
			"role_definition_id": knownOr(u.account, a.ScopedRoleDefinitionID), "principal_id": principal,
			"description": types.StringValue(a.Reason),
		})
		diags.Append(d...)
		elems[k] = o
	}
	m, d := types.MapValue(azureRoleAssignmentType, elems)
	diags.Append(d...)
	o, d := types.ObjectValue(azureRoleAssignmentsType.AttrTypes, map[string]attr.Value{"role_assignments": m})
	diags.Append(d...)
	return o, diags
}
