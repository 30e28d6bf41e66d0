data "dataloop_project" "datasets" {
  name = "datasets"
}

# Look a driver up by project and name...
data "dataloop_storage_driver" "raw" {
  project_id = data.dataloop_project.datasets.id
  name       = "raw-images"
}

# ...or by its ID.
data "dataloop_storage_driver" "by_id" {
  id = "6650a1b2c3d4e5f6a7b8c9d1"
}

output "raw_location" {
  value = "${data.dataloop_storage_driver.raw.bucket}/${data.dataloop_storage_driver.raw.path}"
}
