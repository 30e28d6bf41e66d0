# Re-check a driver's access on every plan, including scheduled drift
# detection and health assessments, without blocking applies: a failed
# assertion in a check block is a warning.
check "raw_access" {
  data "dataloop_storage_access" "raw" {
    driver_id = dataloop_s3_storage_driver.raw.id
  }

  assert {
    condition     = data.dataloop_storage_access.raw.success
    error_message = data.dataloop_storage_access.raw.summary
  }
}

# Check a location before a driver exists, for example to gate a rollout.
data "dataloop_storage_access" "curated" {
  project_id     = data.dataloop_project.driving.id
  integration_id = dataloop_aws_cross_account_integration.datasets.id
  bucket         = "acme-datasets"
  region         = "eu-west-1"
  path           = "curated/"
}

output "curated_failed_checks" {
  value = [for c in data.dataloop_storage_access.curated.checks : c.name if !c.success]
}

# A Cloud Storage location: driver_type "gcs", a bucket and no region.
data "dataloop_storage_access" "gcs_incoming" {
  project_id     = data.dataloop_project.driving.id
  integration_id = dataloop_gcp_private_key_integration.datasets.id
  driver_type    = "gcs"
  bucket         = "acme-datasets-gcs"
  path           = "incoming/"
}

# An Azure Blob Storage container (driver_type "azureDatalakeGen2" for a
# Data Lake Storage Gen2 file system) of the integration's storage account.
data "dataloop_storage_access" "azure_incoming" {
  project_id     = data.dataloop_project.driving.id
  integration_id = dataloop_azure_client_secret_integration.datasets.id
  container      = "datasets"
  path           = "incoming/"
}
