variable "project_id" {
  type        = string
  description = "The project of the quickstart (its project_id output)."
}

variable "integration_id" {
  type        = string
  description = "The quickstart's cross-account integration (its integration_id output)."
}

variable "bucket" {
  type        = string
  description = "The quickstart's bucket (its bucket output)."
}

variable "region" {
  type        = string
  description = "The bucket's region (the quickstart's region output)."
}

variable "azure_integration_id" {
  type        = string
  description = "The quickstart's Azure integration (its azure_integration_id output); null skips the Azure driver."
  default     = null
}

variable "azure_container" {
  type        = string
  description = "A container of the integration's storage account on which its service principal holds no role."
  default     = null
}

variable "gcs_integration_id" {
  type        = string
  description = "The quickstart's GCS integration (its gcs_integration_id output); null skips the GCS driver."
  default     = null
}

variable "gcs_bucket" {
  type        = string
  description = "The quickstart's GCS bucket, whose grants cover raw/ only."
  default     = null
}
