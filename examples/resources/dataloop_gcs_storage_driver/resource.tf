# A prefix of a Cloud Storage bucket, through a GCP integration. The
# integration's service account needs storage.buckets.get,
# storage.objects.list, storage.objects.get and storage.objects.create on
# the bucket (and storage.objects.delete under <path>.dataloop/), e.g. from a
# google_project_iam_custom_role bound with google_storage_bucket_iam_member.
resource "dataloop_gcs_storage_driver" "example" {
  project_id     = "6650a1b2c3d4e5f6a7b8c9d1"
  name           = "acme-gcs-raw"
  integration_id = dataloop_gcp_cross_project_integration.example.id
  bucket         = "acme-datasets"
  path           = "raw/"
}
