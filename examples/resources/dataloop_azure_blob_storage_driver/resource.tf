# A Blob Storage container (or a Data Lake Storage Gen2 file system with
# data_lake_gen2 = true) in the integration's storage account. The
# integration's service principal needs "Storage Blob Data Contributor" on
# the container, e.g. from azurerm_role_assignment.
resource "dataloop_azure_blob_storage_driver" "example" {
  project_id     = "6650a1b2c3d4e5f6a7b8c9d1"
  name           = "acme-azure-raw"
  integration_id = dataloop_azure_client_secret_integration.example.id
  container      = "datasets"
  path           = "raw/"
}
