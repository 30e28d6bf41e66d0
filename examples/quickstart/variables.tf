variable "project_name" {
  type        = string
  description = "Name of the Dataloop project that gets the driver."
  default     = "demo-project"
}

variable "integration_name" {
  type        = string
  description = "Name of the cross-account integration."
  default     = "quickstart"
}

variable "bucket" {
  type        = string
  description = "Name of the S3 bucket to create and connect."
  default     = "dataloop-quickstart"
}

variable "region" {
  type        = string
  description = "Region of the bucket."
  default     = "us-east-1"
}

variable "role_name" {
  type        = string
  description = "Name of the IAM role the platform assumes."
  default     = "dataloop-quickstart"
}

variable "aws_account_id" {
  type        = string
  description = "AWS account that owns the bucket and the role (moto's default account in the demo)."
  default     = "123456789012"
}

variable "aws_endpoint" {
  type        = string
  description = "AWS endpoint for the aws CLI, such as moto's URL; null means the CLI's own configuration."
  default     = null
}

variable "azure" {
  type = object({
    tenant_id            = string
    client_id            = string
    storage_account_name = string
    container            = string
  })
  description = "An existing Azure container and the application (service principal) holding Storage Blob Data Contributor on it; null skips the Azure driver."
  default     = null
}

variable "azure_client_secret" {
  type        = string
  description = "Client secret of the application in var.azure."
  sensitive   = true
  ephemeral   = true
  default     = null
}

variable "azure_authority_host" {
  type        = string
  description = "Microsoft Entra authority for the provider's credential check, such as the demo's local one; null means the public cloud."
  default     = null
}

variable "azure_blob_endpoint" {
  type        = string
  description = "Blob service URL for the provider's credential check, such as the demo's local one; null means the public cloud."
  default     = null
}

variable "gcs" {
  type = object({
    bucket = string
  })
  description = "An existing Cloud Storage bucket on whose raw/ prefix the service account of var.gcs_key_json holds the driver's permissions; null skips the GCS driver."
  default     = null
}

variable "gcs_key_json" {
  type        = string
  description = "Key file (JSON) of the service account the GCS integration uses."
  sensitive   = true
  ephemeral   = true
  default     = null
}
