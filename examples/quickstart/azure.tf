# Azure: connect a Blob Storage container through a client-secret
# integration. Skipped unless var.azure is set.
#
# The container, the application (service principal) and its role
# assignment exist already: with the azurerm and azuread providers they are
# azurerm_storage_container, azuread_application (+ a client secret) and
# azurerm_role_assignment, whose role and scope the
# dataloop_azure_role_assignments data source generates. `make demo` creates
# them in its local Azure (Azurite behind a token and role-assignment front).

resource "dataloop_azure_client_secret_integration" "quickstart" {
  count = var.azure == null ? 0 : 1

  name                 = "${var.integration_name}-azure"
  tenant_id            = var.azure.tenant_id
  client_id            = var.azure.client_id
  storage_account_name = var.azure.storage_account_name

  # Write-only: sent to Dataloop, never stored in plan or state. The
  # provider first proves the secret with Microsoft Entra ID and the account.
  client_secret_wo         = var.azure_client_secret
  client_secret_wo_version = 1
}

# The platform proves it can list, write, read back and delete a probe blob
# under raw/ before the driver is created.
resource "dataloop_azure_blob_storage_driver" "raw" {
  count = var.azure == null ? 0 : 1

  project_id     = data.dataloop_project.demo.id
  name           = "quickstart-azure-raw"
  integration_id = dataloop_azure_client_secret_integration.quickstart[0].id
  container      = var.azure.container
  path           = "raw/"
}
