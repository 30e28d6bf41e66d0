# One check block per driver: the scoped data source asks the platform to
# prove its access again on every plan and apply, and in every health
# assessment. A failed assertion is a warning, so it reports lost access
# without blocking unrelated changes.
check "raw_access" {
  data "dataloop_storage_access" "raw" {
    driver_id = dataloop_s3_storage_driver.raw.id
  }

  assert {
    condition     = data.dataloop_storage_access.raw.success
    error_message = "Dataloop can no longer use s3://acme-datasets/raw/: ${data.dataloop_storage_access.raw.summary}"
  }
}

# Many drivers: check each distinct location once. Drivers with the same
# integration, bucket, region, path, delete permission and endpoint get the
# same answer, so the map groups them and each entry holds only the
# strings the data source needs, not whole driver objects.
locals {
  dataset_locations = {
    for d in dataloop_s3_storage_driver.datasets :
    join("|", [d.integration_id, d.bucket, d.region, d.path, tostring(d.allow_delete), coalesce(d.endpoint, "-")]) => {
      project_id     = d.project_id
      integration_id = d.integration_id
      bucket         = d.bucket
      region         = d.region
      path           = d.path
      allow_delete   = d.allow_delete
      endpoint       = d.endpoint
    }...
  }
}

data "dataloop_storage_access" "datasets" {
  for_each       = local.dataset_locations
  project_id     = each.value[0].project_id
  integration_id = each.value[0].integration_id
  bucket         = each.value[0].bucket
  region         = each.value[0].region
  path           = each.value[0].path
  allow_delete   = each.value[0].allow_delete
  endpoint       = each.value[0].endpoint
}

check "datasets_access" {
  assert {
    condition = alltrue([for a in data.dataloop_storage_access.datasets : a.success])
    error_message = join("\n", [
      for location, a in data.dataloop_storage_access.datasets : "${location}: ${a.summary}" if !a.success
    ])
  }
}
