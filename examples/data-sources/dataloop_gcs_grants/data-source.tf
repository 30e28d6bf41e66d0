# The grants of a read-write driver on raw/images/ through a cross-project
# integration: two custom roles, their conditional bindings on the bucket,
# and the impersonation grant for Dataloop's service account.
data "dataloop_gcs_grants" "images" {
  bucket                   = "acme-datasets"
  path                     = "raw/images/"
  project                  = "acme-prod"
  service_account_email    = "dataloop-datasets@acme-prod.iam.gserviceaccount.com"
  platform_service_account = dataloop_gcp_cross_project_integration.example.platform_service_account
}

# The keys are fixed ("data" and "probe"), so for_each works even while the
# values are known only after apply.
resource "google_project_iam_custom_role" "dataloop" {
  for_each    = toset(["data", "probe"])
  project     = data.dataloop_gcs_grants.images.custom_roles[each.key].project
  role_id     = data.dataloop_gcs_grants.images.custom_roles[each.key].role_id
  title       = data.dataloop_gcs_grants.images.custom_roles[each.key].title
  description = data.dataloop_gcs_grants.images.custom_roles[each.key].description
  permissions = data.dataloop_gcs_grants.images.custom_roles[each.key].permissions
}

# IAM conditions need uniform bucket-level access on the bucket.
resource "google_storage_bucket_iam_member" "dataloop" {
  for_each = toset(["data", "probe"])
  bucket   = data.dataloop_gcs_grants.images.bucket_iam_members[each.key].bucket
  # The role's name, so the binding waits for the role.
  role   = google_project_iam_custom_role.dataloop[each.key].name
  member = data.dataloop_gcs_grants.images.bucket_iam_members[each.key].member

  # With a path, both bindings carry a condition.
  condition {
    title       = data.dataloop_gcs_grants.images.bucket_iam_members[each.key].condition.title
    description = data.dataloop_gcs_grants.images.bucket_iam_members[each.key].condition.description
    expression  = data.dataloop_gcs_grants.images.bucket_iam_members[each.key].condition.expression
  }
}

# Cross-project only: let Dataloop's service account act as yours.
resource "google_service_account_iam_member" "dataloop_impersonation" {
  service_account_id = data.dataloop_gcs_grants.images.service_account_iam_member.service_account_id
  role               = data.dataloop_gcs_grants.images.service_account_iam_member.role
  member             = data.dataloop_gcs_grants.images.service_account_iam_member.member
}

# A read-only driver on the whole bucket through a private-key integration:
# no conditions, no impersonation grant (service_account_iam_member is null).
data "dataloop_gcs_grants" "archive" {
  bucket                = "acme-archive"
  project               = "acme-prod"
  service_account_email = "dataloop-reader@acme-prod.iam.gserviceaccount.com"
  read_only             = true
}

output "archive_permissions" {
  value = data.dataloop_gcs_grants.archive.custom_roles["data"].permissions
}
