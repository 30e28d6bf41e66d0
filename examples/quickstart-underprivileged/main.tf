# A storage driver that the quickstart's role is not allowed to serve: the
# role's policy (from dataloop_aws_bucket_policy) grants raw/ only, and this
# driver asks for curated/. `make demo` plans it after applying the quickstart.
#
# Every input is known at plan time and the integration's trust is already
# established, so the access check runs during `terraform plan` and fails it,
# naming the denied action and the policy statement that grants it. Nothing
# is created on the platform.

terraform {
  required_version = ">= 1.11"
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

# DATALOOP_ENDPOINT, DATALOOP_TOKEN and DATALOOP_ORG_ID come from the environment.
provider "dataloop" {}

resource "dataloop_s3_storage_driver" "curated" {
  project_id     = var.project_id
  name           = "quickstart-curated"
  integration_id = var.integration_id
  bucket         = var.bucket
  region         = var.region
  path           = "curated/"
}
