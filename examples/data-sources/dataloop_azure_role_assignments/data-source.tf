# The role assignment of the integration's service principal for a driver
# on the "datasets" container.
data "dataloop_azure_role_assignments" "datasets" {
  storage_account_id = azurerm_storage_account.datasets.id
  container          = "datasets"
  principal_id       = azuread_service_principal.dataloop.object_id
}

resource "azurerm_role_assignment" "dataloop" {
  scope                = data.dataloop_azure_role_assignments.datasets.role_assignments["data"].scope
  role_definition_name = data.dataloop_azure_role_assignments.datasets.role_assignments["data"].role_definition_name
  principal_id         = data.dataloop_azure_role_assignments.datasets.role_assignments["data"].principal_id
  description          = data.dataloop_azure_role_assignments.datasets.role_assignments["data"].description
}
