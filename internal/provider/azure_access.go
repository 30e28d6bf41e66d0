package provider

import (
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// azureFixHint says how to fix a failed check of an Azure driver. The
// platform's messages name the role to grant and the service principal;
// this adds where the assignment comes from.
func azureFixHint(c platform.CheckResult, t s3AccessTarget) string {
	switch {
	case c.Name == accesscheck.CheckContainer:
		return "Check container and the integration's storage_account_name; the container must exist before the driver is created."
	case c.Name == accesscheck.CheckCredentials:
		return "Check tenant_id, client_id and the client secret of the integration, then bump client_secret_wo_version."
	case !c.Denied():
		return ""
	}
	return "Assign the role \"Storage Blob Data Contributor\" on container " + t.Container + " to the service principal " +
		"of the integration's client_id, for example with azurerm_role_assignment (role_definition_name = \"Storage Blob " +
		"Data Contributor\", scope = \"${azurerm_storage_account.<name>.id}/blobServices/default/containers/" + t.Container +
		"\"). Role assignments can take several minutes to apply."
}
