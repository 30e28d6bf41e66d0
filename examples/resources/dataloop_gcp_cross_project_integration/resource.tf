locals {
  # A plain string, so the integration does not wait for the service
  # account (whose token-creator grant references the integration).
  dataloop_sa_email = "dataloop-datasets@acme-prod.iam.gserviceaccount.com"
}

resource "dataloop_gcp_cross_project_integration" "example" {
  name                  = "acme-gcs-cross"
  service_account_email = local.dataloop_sa_email
}

resource "google_service_account" "dataloop" {
  project    = "acme-prod"
  account_id = "dataloop-datasets"
}

# Only needed when the platform's answer does not name its service account
# (platform_service_account is then null): copy it from the integration's
# page in the Dataloop console.
variable "dataloop_platform_service_account" {
  type    = string
  default = null
}

# Let Dataloop's own service account act as yours.
resource "google_service_account_iam_member" "dataloop_impersonation" {
  service_account_id = google_service_account.dataloop.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member = "serviceAccount:${coalesce(
    dataloop_gcp_cross_project_integration.example.platform_service_account,
    var.dataloop_platform_service_account,
  )}"
}
