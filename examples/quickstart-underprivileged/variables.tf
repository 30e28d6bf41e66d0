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
