resource "google_service_account" "dataloop" {
  account_id   = "dataloop-datasets"
  display_name = "Dataloop datasets"
}

resource "google_service_account_key" "dataloop" {
  service_account_id = google_service_account.dataloop.name
}

resource "dataloop_gcp_private_key_integration" "example" {
  name = "acme-gcs-datasets"

  # Write-only: sent to Dataloop, never stored in plan or state. Bump the
  # version whenever the key changes to send the new one.
  key_json_wo         = base64decode(google_service_account_key.dataloop.private_key)
  key_json_wo_version = 1
}

# client_email is the account to grant the bucket permissions to: a custom
# role with storage.buckets.get and storage.objects.* bound on the bucket.
output "dataloop_service_account" {
  value = dataloop_gcp_private_key_integration.example.client_email
}
