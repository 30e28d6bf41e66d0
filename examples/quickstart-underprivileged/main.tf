# Storage drivers that the quickstart's identities are not allowed to serve:
# the role's policy (from dataloop_aws_bucket_policy) grants raw/ only, and
# the S3 driver asks for curated/; with the Azure inputs set, the Azure
# driver asks for a container its service principal holds no role on; with
# the GCS inputs set, the GCS driver asks for curated/ of a bucket whose
# grants cover raw/ only.
# `make demo` plans this after applying the quickstart.
#
# Every input is known at plan time and the integration's trust is already
# established, so the access check runs during `terraform plan`. By default a
# plan-time failure is a warning (the same plan might be the one that extends
# the role's policy) and the apply-time check stops the apply; this
# configuration sets plan_severity = "error", as a strict pipeline would, so
# the plan itself fails, naming the denied action and the policy statement
# that grants it. Nothing is created on the platform.

terraform {
  required_version = ">= 1.11"
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

# DATALOOP_ENDPOINT, DATALOOP_TOKEN and DATALOOP_ORG_ID come from the environment.
provider "dataloop" {
  access_check {
    plan_severity = "error"
  }
}

resource "dataloop_s3_storage_driver" "curated" {
  project_id     = var.project_id
  name           = "quickstart-curated"
  integration_id = var.integration_id
  bucket         = var.bucket
  region         = var.region
  path           = "curated/"
}

# Azure: a container of the same storage account on which the quickstart's
# service principal holds no role assignment. The plan fails naming the role
# to assign and the principal to assign it to.
resource "dataloop_azure_blob_storage_driver" "curated" {
  count = var.azure_integration_id == null ? 0 : 1

  project_id     = var.project_id
  name           = "quickstart-azure-curated"
  integration_id = var.azure_integration_id
  container      = var.azure_container
  path           = "curated/"
}

# GCS: curated/ of the quickstart's bucket, outside the prefix its service
# account's custom roles are bound to. The plan fails naming the missing
# Cloud Storage permission.
resource "dataloop_gcs_storage_driver" "curated" {
  count = var.gcs_integration_id == null ? 0 : 1

  project_id     = var.project_id
  name           = "quickstart-gcs-curated"
  integration_id = var.gcs_integration_id
  bucket         = var.gcs_bucket
  path           = "curated/"
}
