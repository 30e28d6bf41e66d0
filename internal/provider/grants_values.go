package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// Terraform values of the generated GCS and Azure grants, shared by the
// dataloop_gcs_grants / dataloop_azure_role_assignments data sources and
// their provider functions, so both return the same values.

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

// gcsGrantsValue converts generated GCS grants to a gcsGrantsType value.
func gcsGrantsValue(g *policy.GCSIAM) (types.Object, diag.Diagnostics) {
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
		roles[k] = obj(gcsCustomRoleType, map[string]attr.Value{
			"project": types.StringValue(r.Project), "role_id": types.StringValue(r.RoleID),
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
			"bucket": types.StringValue(m.Bucket), "role": types.StringValue(m.Role),
			"member": types.StringValue(m.Member), "condition": cond,
		})
	}
	impersonation := types.ObjectNull(gcsServiceAccountIAMMemberType.AttrTypes)
	if s := g.ServiceAccountIAMMember; s != nil {
		impersonation = obj(gcsServiceAccountIAMMemberType, map[string]attr.Value{
			"service_account_id": types.StringValue(s.ServiceAccountID), "role": types.StringValue(s.Role),
			"member": types.StringValue(s.Member),
		})
	}
	rolesMap, d := types.MapValue(gcsCustomRoleType, roles)
	diags.Append(d...)
	membersMap, d := types.MapValue(gcsBucketIAMMemberType, members)
	diags.Append(d...)
	return obj(gcsGrantsType, map[string]attr.Value{
		"member": types.StringValue(g.Member), "custom_roles": rolesMap,
		"bucket_iam_members": membersMap, "service_account_iam_member": impersonation,
	}), diags
}

// azureRoleAssignmentsValue converts generated role assignments to an
// azureRoleAssignmentsType value. An empty principal ID is null.
func azureRoleAssignmentsValue(as map[string]policy.AzureDriverAssignment) (types.Object, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := map[string]attr.Value{}
	for k, a := range as {
		principal := types.StringNull()
		if a.PrincipalID != "" {
			principal = types.StringValue(a.PrincipalID)
		}
		o, d := types.ObjectValue(azureRoleAssignmentType.AttrTypes, map[string]attr.Value{
			"scope": types.StringValue(a.Scope), "role_definition_name": types.StringValue(a.RoleDefinitionName),
			"role_definition_id": types.StringValue(a.ScopedRoleDefinitionID), "principal_id": principal,
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
