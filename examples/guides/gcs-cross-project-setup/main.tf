terraform {
  required_version = ">= 1.11"
  required_providers {
    google = {
      source = "hashicorp/google"
    }
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

variable "project" {
  type        = string
  description = "The Google Cloud project of the bucket, the service account and the custom roles."
  default     = "acme-prod"
}

variable "bucket" {
  type        = string
  description = "The existing bucket that holds the datasets, with uniform bucket-level access."
  default     = "acme-datasets"
}

variable "dataloop_service_account" {
  type        = string
  description = "Dataloop's service account for the integration, as the Dataloop console shows it. Leave null to use the integration's platform_service_account."
  default     = null
}

provider "google" {
  project = var.project
}

# DATALOOP_TOKEN and DATALOOP_ORG_ID come from the environment.
provider "dataloop" {}

data "dataloop_project" "driving" {
  name = "autonomous-driving"
}

locals {
  account_id = "dataloop-datasets"
  # Built from the account ID and the project rather than taken from
  # google_service_account.dataloop.email: the account's token-creator grant
  # needs the integration's platform service account, so the integration must
  # not wait for the account. Known at plan, so are the grants below.
  sa_email = "${local.account_id}@${var.project}.iam.gserviceaccount.com"
}

# 1. The integration, bound to your service account by its email.
resource "dataloop_gcp_cross_project_integration" "datasets" {
  name                  = "acme-gcs-datasets"
  service_account_email = local.sa_email
}

resource "google_service_account" "dataloop" {
  account_id   = local.account_id
  display_name = "Dataloop datasets"
}

# 2. The grants of a read-write driver on raw/: two custom roles, their
#    conditional bindings on the bucket, and the impersonation grant.
locals {
  grants = provider::dataloop::gcs_grants(
    var.bucket,
    "raw/",
    false, # allow_delete
    false, # read_only
    var.project,
    local.sa_email,
    coalesce(var.dataloop_service_account, dataloop_gcp_cross_project_integration.datasets.platform_service_account),
  )
}

resource "google_project_iam_custom_role" "dataloop" {
  for_each    = toset(["data", "probe"])
  project     = local.grants.custom_roles[each.key].project
  role_id     = local.grants.custom_roles[each.key].role_id
  title       = local.grants.custom_roles[each.key].title
  description = local.grants.custom_roles[each.key].description
  permissions = local.grants.custom_roles[each.key].permissions
}

resource "google_storage_bucket_iam_member" "dataloop" {
  for_each = toset(["data", "probe"])
  bucket   = local.grants.bucket_iam_members[each.key].bucket
  role     = google_project_iam_custom_role.dataloop[each.key].name
  member   = "serviceAccount:${google_service_account.dataloop.email}"
  condition {
    title       = local.grants.bucket_iam_members[each.key].condition.title
    description = local.grants.bucket_iam_members[each.key].condition.description
    expression  = local.grants.bucket_iam_members[each.key].condition.expression
  }
}

# 3. Let Dataloop's service account act as yours.
resource "google_service_account_iam_member" "dataloop_impersonation" {
  service_account_id = google_service_account.dataloop.name
  role               = local.grants.service_account_iam_member.role
  member             = local.grants.service_account_iam_member.member
}

# 4. The driver. The platform's access check runs before it is created;
#    depends_on makes it wait for the grants, which nothing in its arguments
#    references.
resource "dataloop_gcs_storage_driver" "raw" {
  project_id     = data.dataloop_project.driving.id
  name           = "acme-gcs-raw"
  integration_id = dataloop_gcp_cross_project_integration.datasets.id
  bucket         = var.bucket
  path           = "raw/"

  depends_on = [
    google_storage_bucket_iam_member.dataloop,
    google_service_account_iam_member.dataloop_impersonation,
  ]
}
