terraform {
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

provider "dataloop" {}

# Find what the console made: every AWS cross-account integration of the
# organization, and the one to adopt by name.
data "dataloop_integrations" "cross" {
  type = "aws-cross"
}

data "dataloop_integration" "shared" {
  name = "shared-datasets"
}

data "dataloop_project" "datasets" {
  name = "datasets"
}

# Every driver that uses the shared integration, in any project.
data "dataloop_storage_drivers" "shared" {
  integration_id = data.dataloop_integration.shared.id
}

# Adopt the integration and one of its drivers: the next apply records them
# in the state without creating anything.
import {
  to = dataloop_aws_cross_account_integration.shared
  id = data.dataloop_integration.shared.id
}

resource "dataloop_aws_cross_account_integration" "shared" {
  name     = "shared-datasets"
  role_arn = "arn:aws:iam::123456789012:role/dataloop-shared"
}

data "dataloop_storage_driver" "raw" {
  project_id = data.dataloop_project.datasets.id
  name       = "raw-images"
}

import {
  to = dataloop_s3_storage_driver.raw
  id = data.dataloop_storage_driver.raw.id
}

resource "dataloop_s3_storage_driver" "raw" {
  project_id     = data.dataloop_project.datasets.id
  name           = "raw-images"
  integration_id = dataloop_aws_cross_account_integration.shared.id
  bucket         = data.dataloop_storage_driver.raw.bucket
  region         = data.dataloop_storage_driver.raw.region
  path           = data.dataloop_storage_driver.raw.path
}

output "cross_account_slots_left" {
  value = 15 - length(data.dataloop_integrations.cross.ids)
}

output "drivers_on_shared" {
  value = [for d in data.dataloop_storage_drivers.shared.drivers : "${d.project_id}/${d.name}"]
}
