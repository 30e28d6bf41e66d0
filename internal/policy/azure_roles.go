package policy

import (
	"encoding/json"
	"strings"
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
// container needs: Storage Blob Data Contributor on the container. The
// platform lists and reads the data, and writes thumbnails, converted files
// and its permission probe under the driver path's hidden .dataloop folder,
// so Storage Blob Data Reader alone is not enough; built-in roles cannot be
// narrowed to a path, and Contributor also grants delete, whether or not
// the driver allows the platform to delete. The inputs are validated by
// the caller (internal/rules).
func AzureRoleAssignments(storageAccountID, container string) []AzureRoleAssignment {
	return []AzureRoleAssignment{{
		RoleDefinitionName: AzureRoleBlobDataContributor,
		RoleDefinitionID:   azureRoleIDBlobDataContributor,
		Scope:              AzureContainerScope(storageAccountID, container),
		Reason:             "List and read the data, and write and delete the platform's files under <path>.dataloop/.",
	}}
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
