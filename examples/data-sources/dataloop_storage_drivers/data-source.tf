data "dataloop_project" "datasets" {
  name = "datasets"
}

data "dataloop_integration" "shared" {
  name = "shared-datasets"
}

# Every driver of a project.
data "dataloop_storage_drivers" "project" {
  project_id = data.dataloop_project.datasets.id
}

# Every driver that uses an integration, in any project: what breaks if the
# integration's role loses access.
data "dataloop_storage_drivers" "by_integration" {
  integration_id = data.dataloop_integration.shared.id
}

# Every driver over one bucket.
data "dataloop_storage_drivers" "raw_bucket" {
  bucket = "acme-raw-images"
}

output "drivers_using_shared" {
  value = { for d in data.dataloop_storage_drivers.by_integration.drivers : d.id => "${d.project_id}/${d.name}" }
}
