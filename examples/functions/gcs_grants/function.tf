# Arguments: bucket, path, allow_delete, read_only, project,
# service_account_email, platform_service_account.
# Pass null for the default of an optional argument.
locals {
  # A driver on raw/images/ that may delete items, through a cross-project
  # integration. While the service accounts are not known yet, only the
  # values derived from them are unknown at plan.
  gcs_grants = provider::dataloop::gcs_grants(
    "acme-datasets",
    "raw/images/",
    true,
    false,
    "acme-prod",
    "dataloop-datasets@acme-prod.iam.gserviceaccount.com",
    dataloop_gcp_cross_project_integration.example.platform_service_account,
  )
}

resource "google_project_iam_custom_role" "dataloop_data" {
  project     = local.gcs_grants.custom_roles["data"].project
  role_id     = local.gcs_grants.custom_roles["data"].role_id
  title       = local.gcs_grants.custom_roles["data"].title
  description = local.gcs_grants.custom_roles["data"].description
  permissions = local.gcs_grants.custom_roles["data"].permissions
}

resource "google_project_iam_custom_role" "dataloop_probe" {
  project     = local.gcs_grants.custom_roles["probe"].project
  role_id     = local.gcs_grants.custom_roles["probe"].role_id
  title       = local.gcs_grants.custom_roles["probe"].title
  description = local.gcs_grants.custom_roles["probe"].description
  permissions = local.gcs_grants.custom_roles["probe"].permissions
}

resource "google_storage_bucket_iam_member" "dataloop_data" {
  bucket = local.gcs_grants.bucket_iam_members["data"].bucket
  role   = google_project_iam_custom_role.dataloop_data.name
  member = local.gcs_grants.bucket_iam_members["data"].member
  condition {
    title       = local.gcs_grants.bucket_iam_members["data"].condition.title
    description = local.gcs_grants.bucket_iam_members["data"].condition.description
    expression  = local.gcs_grants.bucket_iam_members["data"].condition.expression
  }
}

resource "google_storage_bucket_iam_member" "dataloop_probe" {
  bucket = local.gcs_grants.bucket_iam_members["probe"].bucket
  role   = google_project_iam_custom_role.dataloop_probe.name
  member = local.gcs_grants.bucket_iam_members["probe"].member
  condition {
    title       = local.gcs_grants.bucket_iam_members["probe"].condition.title
    description = local.gcs_grants.bucket_iam_members["probe"].condition.description
    expression  = local.gcs_grants.bucket_iam_members["probe"].condition.expression
  }
}

resource "google_service_account_iam_member" "dataloop_impersonation" {
  service_account_id = local.gcs_grants.service_account_iam_member.service_account_id
  role               = local.gcs_grants.service_account_iam_member.role
  member             = local.gcs_grants.service_account_iam_member.member
}

# The permissions of a read-only driver on the whole bucket, private key.
output "read_only_permissions" {
  value = provider::dataloop::gcs_grants(
    "acme-archive", null, null, true, "acme-prod",
    "dataloop-reader@acme-prod.iam.gserviceaccount.com", null,
  ).custom_roles["data"].permissions
}
