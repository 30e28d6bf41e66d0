package soak

import (
	"fmt"
	"strings"
)

// fleetConfig renders a mixed configuration: key integrations, one
// cross-account integration and S3 drivers spread over the key
// integrations, every name starting with prefix. Access and credential
// checks are off: these tests are about the platform API under faults and
// crashes, not about AWS.
func fleetConfig(prefix string, keys, drivers int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `terraform {
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

provider "dataloop" {
  access_check {
    on_plan  = false
    on_apply = false
  }
}

resource "dataloop_aws_access_key_integration" "keys" {
  count                        = %[2]d
  name                         = "%[1]s-keys-${count.index}"
  access_key_id                = format("AKIASOAKTEST%%08d", count.index)
  secret_access_key_wo         = "soak-secret-not-used-by-any-check-000000"
  secret_access_key_wo_version = 1
  verify_credentials           = false
}

resource "dataloop_aws_cross_account_integration" "cross" {
  name = "%[1]s-cross"
}

resource "dataloop_s3_storage_driver" "drivers" {
  count          = %[3]d
  project_id     = %[4]q
  name           = "%[1]s-driver-${count.index}"
  integration_id = dataloop_aws_access_key_integration.keys[count.index %% %[2]d].id
  bucket         = "soak-bucket-${count.index %% 2}"
  region         = "us-east-1"
  path           = "data/${count.index}/"
}
`, prefix, keys, drivers, projectID)
	return b.String()
}

// fleetSize is the number of objects fleetConfig manages.
func fleetSize(keys, drivers int) int { return keys + 1 + drivers } //nolint:unparam // Callers pick sizes.
