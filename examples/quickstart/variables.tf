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
