data "dataloop_project" "driving" {
  name = "autonomous-driving"
}

# The raw/ prefix of a bucket, through a cross-account integration. Before
# the driver is created the provider asks the platform to list, write, read
# back and delete a probe object under raw/.dataloop/, and fails the plan or
# apply with the missing permission and the statement that grants it.
resource "dataloop_s3_storage_driver" "raw" {
  project_id     = data.dataloop_project.driving.id
  name           = "acme-raw"
  integration_id = dataloop_aws_cross_account_integration.datasets.id
  bucket         = "acme-datasets"
  region         = "eu-west-1"
  path           = "raw/"
  allow_delete   = true
}

# An S3-compatible store (MinIO, Ceph, ...) through an access key integration.
# AWS does not know the store's key, so the integration turns off the
# provider's AWS credential check; the driver's access check still probes
# the bucket at the store's endpoint.
variable "minio_secret_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dataloop_aws_access_key_integration" "minio" {
  name                         = "lab-minio"
  access_key_id                = "lab-datasets-reader"
  secret_access_key_wo         = var.minio_secret_key
  secret_access_key_wo_version = 1
  verify_credentials           = false
}

resource "dataloop_s3_storage_driver" "minio" {
  project_id     = data.dataloop_project.driving.id
  name           = "lab-minio"
  integration_id = dataloop_aws_access_key_integration.minio.id
  bucket         = "lab-datasets"
  region         = "us-east-1"
  endpoint       = "https://minio.lab.example.com:9000"
  storage_class  = "STANDARD"

  timeouts = {
    create = "10m"
  }
}

output "raw_access" {
  description = "The checks that ran before the driver was created."
  value       = dataloop_s3_storage_driver.raw.access
}
