output "project_id" {
  description = "The project that holds the driver."
  value       = data.dataloop_project.demo.id
}

output "integration_id" {
  description = "The cross-account integration."
  value       = dataloop_aws_cross_account_integration.quickstart.id
}

output "platform_iam_user_arn" {
  description = "The platform IAM user that the role trusts."
  value       = dataloop_aws_cross_account_integration.quickstart.platform_iam_user_arn
}

output "role_arn" {
  description = "The role the platform assumes."
  value       = dataloop_aws_cross_account_integration.quickstart.role_arn
}

output "bucket" {
  description = "The connected bucket."
  value       = dataloop_s3_storage_driver.raw.bucket
}

output "region" {
  description = "The bucket's region."
  value       = dataloop_s3_storage_driver.raw.region
}

output "driver_id" {
  description = "The storage driver."
  value       = dataloop_s3_storage_driver.raw.id
}

output "driver_access" {
  description = "The access check that ran before the driver was created."
  value       = dataloop_s3_storage_driver.raw.access
}

output "azure_integration_id" {
  description = "The Azure client-secret integration (null without var.azure)."
  value       = one(dataloop_azure_client_secret_integration.quickstart[*].id)
}

output "azure_driver_id" {
  description = "The Azure Blob storage driver (null without var.azure)."
  value       = one(dataloop_azure_blob_storage_driver.raw[*].id)
}

output "driver_checks" {
  description = "The last check of each driver: whether the platform can use its location."
  value       = { for k, a in data.dataloop_storage_access.drivers : k => a.success }
}

output "gcs_integration_id" {
  description = "The GCP private-key integration (null without var.gcs)."
  value       = one(dataloop_gcp_private_key_integration.quickstart[*].id)
}

output "gcs_driver_id" {
  description = "The GCS storage driver (null without var.gcs)."
  value       = one(dataloop_gcs_storage_driver.raw[*].id)
}
