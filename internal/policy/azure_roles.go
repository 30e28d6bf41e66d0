package policy

import (
	"encoding/json"
	"strings"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// Built-in Azure roles a storage driver's service principal can hold. The
// role definition IDs are the same in every subscription.
const (
	AzureRoleBlobDataReader      = "Storage Blob Data Reader"
	AzureRoleBlobDataContributor = "Storage Blob Data Contributor"
	AzureRoleBlobDataOwner       = "Storage Blob Data Owner"

	azureRoleIDBlobDataReader      = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
	azureRoleIDBlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
)

// AzureRoleAssignment is one role assignment, shaped for
// azurerm_role_assignment: role_definition_name, scope and the built-in
// role's definition GUID.
type AzureRoleAssignment struct {
	RoleDefinitionName string `json:"role_definition_name"`
	RoleDefinitionID   string `json:"role_definition_id"`
	Scope              string `json:"scope"`
	// Reason says what the platform does with the role.
	Reason string `json:"reason"`
}

// AzureContainerScope is the ARM scope of a blob container (or Data Lake
// Storage Gen2 file system) in the storage account with resource ID
// storageAccountID.
func AzureContainerScope(storageAccountID, container string) string {
	return strings.TrimSuffix(storageAccountID, "/") + "/blobServices/default/containers/" + container
}

// AzureRoleAssignments returns the role assignments a storage driver on
// container needs: Storage Blob Data Contributor on the container, or on
// the whole storage account when container is "". The platform lists and
// reads the data, and writes thumbnails, converted files and its
// permission probe under the driver path's hidden .dataloop folder, so
// Storage Blob Data Reader alone is not enough, even for a read-only
// driver; built-in roles cannot be narrowed to a path, and Contributor also
// grants delete, whether or not the driver allows the platform to delete.
// The inputs are validated by the caller (internal/rules), or use
// AzureDriverRoleAssignments.
func AzureRoleAssignments(storageAccountID, container string) []AzureRoleAssignment {
	scope, what := strings.TrimSuffix(storageAccountID, "/"), "every container of the storage account"
	if container != "" {
		scope, what = AzureContainerScope(storageAccountID, container), "container "+container
	}
	return []AzureRoleAssignment{{
		RoleDefinitionName: AzureRoleBlobDataContributor,
		RoleDefinitionID:   azureRoleIDBlobDataContributor,
		Scope:              scope,
		Reason: "Lets Dataloop list and read the data in " + what +
			", and write and delete its own files under the driver path's .dataloop/ folder.",
	}}
}

// AzureGrantData is the key of the role assignment a driver's data needs.
const AzureGrantData = "data"

// AzureRolesInput describes the role assignments of an Azure Blob Storage
// (or Data Lake Storage Gen2) driver.
type AzureRolesInput struct {
	// StorageAccountID is the storage account's ARM resource ID.
	StorageAccountID string
	// Container is the driver's container (file system); "" scopes the
	// assignment to the whole storage account.
	Container string
	// PrincipalID is the object ID of the integration's service principal;
	// "" leaves it to the caller.
	PrincipalID string
}

// AzureDriverAssignment is an AzureRoleAssignment shaped for
// azurerm_role_assignment.
type AzureDriverAssignment struct {
	AzureRoleAssignment
	// ScopedRoleDefinitionID is the role definition's ID in the storage
	// account's subscription, what azurerm_role_assignment's
	// role_definition_id takes.
	ScopedRoleDefinitionID string
	PrincipalID            string
}

// Validate checks every field and returns the first problem as a
// *FieldError.
func (in AzureRolesInput) Validate() error {
	if _, err := rules.AzureStorageAccountID(in.StorageAccountID); err != nil {
		return ruleError(FieldStorageAccountID, -1, err)
	}
	if in.Container != "" {
		if err := ruleError(FieldContainer, -1, rules.AzureContainerName(in.Container)); err != nil {
			return err
		}
	}
	if in.PrincipalID != "" {
		return ruleError(FieldPrincipalID, -1, rules.AzureGUID("principal (object) ID", in.PrincipalID))
	}
	return nil
}

// AzureDriverRoleAssignments validates in and returns the role assignments
// of AzureRoleAssignments keyed AzureGrantData. Equal inputs give equal
// output.
func AzureDriverRoleAssignments(in AzureRolesInput) (map[string]AzureDriverAssignment, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	// Validate accepted the ID, so it starts /subscriptions/<id>/.
	subscription := strings.SplitN(in.StorageAccountID, "/", 4)[2]
	as := AzureRoleAssignments(in.StorageAccountID, in.Container)
	return map[string]AzureDriverAssignment{AzureGrantData: {
		AzureRoleAssignment: as[0],
		ScopedRoleDefinitionID: "/subscriptions/" + subscription +
			"/providers/Microsoft.Authorization/roleDefinitions/" + as[0].RoleDefinitionID,
		PrincipalID: in.PrincipalID,
	}}, nil
}

// AzureRoleHint is the fix for a denied Azure Storage call, as JSON shaped
// like an azurerm_role_assignment: the role, the scope (the container in
// the storage account; the account's resource ID is not known to the
// checker, so it is written as a placeholder) and the principal to grant it
// to.
func AzureRoleHint(role, account, container, tenantID, clientID string) string {
	b, err := json.MarshalIndent(map[string]string{
		"role_definition_name": role,
		"scope":                "<resource ID of storage account " + account + ">/blobServices/default/containers/" + container,
		"principal_id":         "<object ID of the service principal of application (client) " + clientID + " in tenant " + tenantID + ">",
	}, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}
