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
