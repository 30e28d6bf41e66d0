# Arguments: storage_account_id, container, principal_id.
# Pass null for the default of an optional argument.
locals {
  dataloop_roles = provider::dataloop::azure_role_assignments(
    azurerm_storage_account.datasets.id,
    "datasets",
    null, # principal_id: set below instead
  ).role_assignments
}

resource "azurerm_role_assignment" "dataloop" {
  scope                = local.dataloop_roles["data"].scope
  role_definition_name = local.dataloop_roles["data"].role_definition_name
  description          = local.dataloop_roles["data"].description
  # The object ID of the service principal, not the application (client) ID.
  principal_id = azuread_service_principal.dataloop.object_id
}
