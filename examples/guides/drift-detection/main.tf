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

# Many drivers: check them all with for_each, and assert once.
data "dataloop_storage_access" "all" {
  for_each  = dataloop_s3_storage_driver.datasets
  driver_id = each.value.id
}

check "all_datasets_access" {
  assert {
    condition = alltrue([for a in data.dataloop_storage_access.all : a.success])
    error_message = join("\n", [
      for name, a in data.dataloop_storage_access.all : "${name}: ${a.summary}" if !a.success
    ])
  }
}
