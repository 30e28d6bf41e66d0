# Look a project up by its name...
data "dataloop_project" "datasets" {
  name = "datasets"
}

# ...or by its ID.
data "dataloop_project" "by_id" {
  id = "6650a1b2c3d4e5f6a7b8c9d0"
}

output "datasets_project_id" {
  value = data.dataloop_project.datasets.id
}
