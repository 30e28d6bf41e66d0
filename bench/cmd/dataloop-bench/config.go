package main

import (
	"fmt"
	"strings"
)

// Drift patterns the benchmark can generate.
const (
	// driftPerLocation is the drift guide's pattern: one
	// dataloop_storage_access per distinct location of the drivers.
	driftPerLocation = "per-location"
	// driftPerDriver checks every driver by driver_id (the guide's pattern
	// before the per-location one).
	driftPerDriver = "per-driver"
)

// configHCL is the benchmark's root module: n S3 drivers cycling through the
// locations, with the provider's checks switched by var.checks and the
// drift guide's check pattern switched by var.drift.
func configHCL(n int, locs []location, project, drift string) string {
	var b strings.Builder
	b.WriteString(`terraform {
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

variable "checks" {
  type    = bool
  default = true
}

variable "drift" {
  type    = bool
  default = false
}

provider "dataloop" {
  access_check {
    on_plan  = var.checks
    on_apply = var.checks
  }
}

locals {
  locations = [
`)
	for _, l := range locs {
		fmt.Fprintf(&b, "    { integration_id = %q, bucket = %q, path = %q },\n", l.IntegrationID, l.Bucket, l.Path)
	}
	fmt.Fprintf(&b, `  ]
  drivers = { for i in range(%d) : format("bench-%%04d", i) => local.locations[i %% %d] }
}

resource "dataloop_s3_storage_driver" "datasets" {
  for_each       = local.drivers
  project_id     = %q
  name           = each.key
  integration_id = each.value.integration_id
  bucket         = each.value.bucket
  region         = %q
  path           = each.value.path
}
`, n, len(locs), project, benchRegion)

	switch drift {
	case driftPerDriver:
		b.WriteString(`
data "dataloop_storage_access" "datasets" {
  for_each  = var.drift ? dataloop_s3_storage_driver.datasets : {}
  driver_id = each.value.id
}
`)
	default:
		// Keep in step with examples/guides/drift-detection/main.tf.
		b.WriteString(`
locals {
  access_locations = {
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
  for_each       = var.drift ? local.access_locations : {}
  project_id     = each.value[0].project_id
  integration_id = each.value[0].integration_id
  bucket         = each.value[0].bucket
  region         = each.value[0].region
  path           = each.value[0].path
  allow_delete   = each.value[0].allow_delete
  endpoint       = each.value[0].endpoint
}
`)
	}
	b.WriteString(`
check "datasets_access" {
  assert {
    condition = alltrue([for a in data.dataloop_storage_access.datasets : a.success])
    error_message = join("\n", [
      for k, a in data.dataloop_storage_access.datasets : "${k}: ${a.summary}" if !a.success
    ])
  }
}
`)
	return b.String()
}
