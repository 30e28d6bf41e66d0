terraform {
  required_version = ">= 1.11"
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

variable "bucket" {
  type        = string
  description = "The existing S3 bucket that holds the datasets."
  default     = "acme-datasets"
}

variable "region" {
  type        = string
  description = "The bucket's region."
  default     = "eu-west-1"
}

provider "aws" {
  region = var.region
}

# DATALOOP_TOKEN and DATALOOP_ORG_ID come from the environment.
provider "dataloop" {}

data "aws_caller_identity" "current" {}

data "dataloop_project" "driving" {
  name = "autonomous-driving"
}

locals {
  role_name = "dataloop-datasets"
  # Built from the account ID and the role name rather than taken from
  # aws_iam_role.dataloop.arn: the role's trust policy needs the integration's
  # platform IAM user, so the integration must not wait for the role.
  role_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${local.role_name}"
}

# 1. The integration. Dataloop assigns it a platform IAM user at creation.
resource "dataloop_aws_cross_account_integration" "datasets" {
  name     = "acme-datasets"
  role_arn = local.role_arn
}

# 2. The role, trusting only that platform IAM user.
resource "aws_iam_role" "dataloop" {
  name = local.role_name
  assume_role_policy = provider::dataloop::aws_trust_policy(
    dataloop_aws_cross_account_integration.datasets.platform_iam_user_arn,
    null,
  )
}

# 3. Exactly the permissions the drivers below need: list, read and write
#    under raw/, plus the platform's test file in raw/.dataloop/.
resource "aws_iam_role_policy" "dataloop" {
  name   = "dataloop-raw"
  role   = aws_iam_role.dataloop.id
  policy = provider::dataloop::aws_bucket_policy(var.bucket, "raw/", false, false, null)
}

# 4. The driver. The access check runs before it is created, retrying while
#    the new role and policy propagate; depends_on makes it wait for the
#    policy, which nothing in its arguments references.
resource "dataloop_s3_storage_driver" "raw" {
  project_id     = data.dataloop_project.driving.id
  name           = "acme-raw"
  integration_id = dataloop_aws_cross_account_integration.datasets.id
  bucket         = var.bucket
  region         = var.region
  path           = "raw/"

  depends_on = [aws_iam_role_policy.dataloop]
}

output "driver_access" {
  description = "The result of the access check that ran before the driver was created."
  value       = dataloop_s3_storage_driver.raw.access
}
