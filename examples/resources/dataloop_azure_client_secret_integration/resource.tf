variable "azure_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The app registration (azuread_application) whose service principal holds
# "Storage Blob Data Contributor" on the containers its drivers use.
resource "dataloop_azure_client_secret_integration" "example" {
  name                 = "acme-azure-datasets"
  tenant_id            = "72f988bf-86f1-41af-91ab-2d7cd011db47"
  client_id            = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
  storage_account_name = "acmedatasets"

  # Write-only: sent to Dataloop, never stored in plan or state.
  # Bump the version whenever the secret changes to send the new one.
  client_secret_wo         = var.azure_client_secret
  client_secret_wo_version = 1
}
