# Google Cloud: connect a Cloud Storage bucket through a private-key
# integration. Skipped unless var.gcs is set.
#
# The bucket, the service account and its key, and the service account's
# custom roles and bucket bindings exist already: with the google provider
# they are google_storage_bucket, google_service_account (+ a key),
# google_project_iam_custom_role and google_storage_bucket_iam_member, whose
# permissions and conditions the dataloop_gcs_grants data source generates.
# `make demo` creates them in its local Cloud Storage (fake-gcs-server behind
# a token and IAM front).

resource "dataloop_gcp_private_key_integration" "quickstart" {
  count = var.gcs == null ? 0 : 1

  name = "${var.integration_name}-gcs"

  # Write-only: sent to Dataloop, never stored in plan or state. The
  # provider first proves that the key obtains a token.
  key_json_wo         = var.gcs_key_json
  key_json_wo_version = 1
}

# The platform proves it can list, write, read back and delete a probe
# object under raw/ before the driver is created.
resource "dataloop_gcs_storage_driver" "raw" {
  count = var.gcs == null ? 0 : 1

  project_id     = data.dataloop_project.demo.id
  name           = "quickstart-gcs-raw"
  integration_id = dataloop_gcp_private_key_integration.quickstart[0].id
  bucket         = var.gcs.bucket
  path           = "raw/"
}
