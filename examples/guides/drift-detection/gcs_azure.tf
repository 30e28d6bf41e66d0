# Cloud Storage and Azure drivers: the same pattern, one data source per
# distinct location. A GCS location is its integration, bucket, path and
# delete permission; an Azure location is its integration, container, path,
# delete permission and driver type (Blob Storage or Data Lake Storage Gen2).
locals {
  gcs_locations = {
    for d in dataloop_gcs_storage_driver.datasets :
    join("|", [d.integration_id, d.bucket, d.path, tostring(d.allow_delete)]) => {
      project_id     = d.project_id
      integration_id = d.integration_id
      bucket         = d.bucket
      path           = d.path
      allow_delete   = d.allow_delete
    }...
  }

  azure_locations = {
    for d in dataloop_azure_blob_storage_driver.datasets :
    join("|", [d.integration_id, d.container, d.path, tostring(d.allow_delete), tostring(d.data_lake_gen2)]) => {
      project_id     = d.project_id
      integration_id = d.integration_id
      driver_type    = d.data_lake_gen2 ? "azureDatalakeGen2" : "azureblob"
      container      = d.container
      path           = d.path
      allow_delete   = d.allow_delete
    }...
  }
}

data "dataloop_storage_access" "gcs" {
  for_each       = local.gcs_locations
  project_id     = each.value[0].project_id
  integration_id = each.value[0].integration_id
  driver_type    = "gcs"
  bucket         = each.value[0].bucket
  path           = each.value[0].path
  allow_delete   = each.value[0].allow_delete
}

data "dataloop_storage_access" "azure" {
  for_each       = local.azure_locations
  project_id     = each.value[0].project_id
  integration_id = each.value[0].integration_id
  driver_type    = each.value[0].driver_type
  container      = each.value[0].container
  path           = each.value[0].path
  allow_delete   = each.value[0].allow_delete
}

check "cloud_storage_access" {
  assert {
    condition = alltrue([
      for a in concat(values(data.dataloop_storage_access.gcs), values(data.dataloop_storage_access.azure)) : a.success
    ])
    error_message = join("\n", concat(
      [for location, a in data.dataloop_storage_access.gcs : "gcs ${location}: ${a.summary}" if !a.success],
      [for location, a in data.dataloop_storage_access.azure : "azure ${location}: ${a.summary}" if !a.success],
    ))
  }
}
