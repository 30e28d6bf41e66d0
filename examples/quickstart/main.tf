# Quickstart: connect an S3 bucket to a Dataloop project through a
# cross-account integration, in one apply and without time_sleep.
#
#   1. The integration is created with the role ARN as a plain string (built
#      from the account ID and the role name), so it does not wait for the role.
#   2. The role is created next: its trust policy names the integration's
#      platform IAM user, its permissions come from dataloop_aws_bucket_policy.
#   3. The driver depends on both. Its access check runs before it is
#      created and retries while the new role propagates in IAM.
#
# The Terraform registry is not needed: the AWS side is created with the aws
# CLI from terraform_data, against moto when aws_endpoint is set (`make demo`).
# With the hashicorp/aws provider, use aws_s3_bucket, aws_iam_role and
# aws_iam_role_policy instead (see the cross-account setup guide).

terraform {
  required_version = ">= 1.11"
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

# DATALOOP_ENDPOINT, DATALOOP_TOKEN and DATALOOP_ORG_ID come from the environment.
provider "dataloop" {
  access_check {
    severity            = "error"
    propagation_timeout = "2m"

    # Only for a local Azure (`make demo`); null means the public cloud.
    azure_authority_host = var.azure_authority_host
    azure_blob_endpoint  = var.azure_blob_endpoint
  }
}

data "dataloop_project" "demo" {
  name = var.project_name
}

locals {
  # A string, not an attribute of the role: the role's trust policy needs
  # the integration, so the integration must not need the role.
  role_arn = "arn:aws:iam::${var.aws_account_id}:role/${var.role_name}"

  # Where the aws CLI calls go; empty means the CLI's own configuration.
  aws_env = var.aws_endpoint == null ? {} : { AWS_ENDPOINT_URL = var.aws_endpoint }
}

resource "terraform_data" "bucket" {
  input = {
    bucket = var.bucket
    region = var.region
    env    = local.aws_env
  }

  provisioner "local-exec" {
    command     = <<-EOT
      if [ "$REGION" = us-east-1 ]; then
        aws s3api create-bucket --bucket "$BUCKET" >/dev/null
      else
        aws s3api create-bucket --bucket "$BUCKET" --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
      fi
    EOT
    environment = merge(self.input.env, { BUCKET = self.input.bucket, REGION = self.input.region })
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "aws s3 rb \"s3://$BUCKET\" --force >/dev/null"
    environment = merge(self.input.env, { BUCKET = self.input.bucket })
  }
}

# 1. The integration. The platform assigns it an IAM user at creation.
resource "dataloop_aws_cross_account_integration" "quickstart" {
  name     = var.integration_name
  role_arn = local.role_arn
}

# 2. The role: trusts only the platform IAM user, may do exactly what the
#    driver needs under raw/.
data "dataloop_aws_trust_policy" "quickstart" {
  principal_arn = dataloop_aws_cross_account_integration.quickstart.platform_iam_user_arn
}

data "dataloop_aws_bucket_policy" "raw" {
  bucket       = var.bucket
  path         = "raw/"
  allow_delete = true
}

resource "terraform_data" "role" {
  input = {
    role_name = var.role_name
    trust     = data.dataloop_aws_trust_policy.quickstart.minified_json
    policy    = data.dataloop_aws_bucket_policy.raw.minified_json
    env       = local.aws_env
  }

  provisioner "local-exec" {
    command     = <<-EOT
      aws iam create-role --role-name "$ROLE" --assume-role-policy-document "$TRUST" >/dev/null &&
      aws iam put-role-policy --role-name "$ROLE" --policy-name dataloop --policy-document "$POLICY"
    EOT
    environment = merge(self.input.env, { ROLE = self.input.role_name, TRUST = self.input.trust, POLICY = self.input.policy })
  }

  provisioner "local-exec" {
    when        = destroy
    command     = "aws iam delete-role-policy --role-name \"$ROLE\" --policy-name dataloop; aws iam delete-role --role-name \"$ROLE\""
    environment = merge(self.input.env, { ROLE = self.input.role_name })
  }
}

# 3. The driver. depends_on makes it wait for the bucket and the role, which
#    none of its arguments reference.
resource "dataloop_s3_storage_driver" "raw" {
  project_id     = data.dataloop_project.demo.id
  name           = "quickstart-raw"
  integration_id = dataloop_aws_cross_account_integration.quickstart.id
  bucket         = var.bucket
  region         = var.region
  path           = "raw/"
  allow_delete   = true

  depends_on = [terraform_data.bucket, terraform_data.role]
}

# Re-checks every driver's access on every plan (drift detection), one check
# per driver location; a failed assertion is a warning.
locals {
  driver_ids = merge(
    { s3 = dataloop_s3_storage_driver.raw.id },
    var.azure == null ? {} : { azure = dataloop_azure_blob_storage_driver.raw[0].id },
    var.gcs == null ? {} : { gcs = dataloop_gcs_storage_driver.raw[0].id },
  )
}

data "dataloop_storage_access" "drivers" {
  for_each  = local.driver_ids
  driver_id = each.value
}

check "driver_access" {
  assert {
    condition     = alltrue([for a in data.dataloop_storage_access.drivers : a.success])
    error_message = join("\n\n", [for k, a in data.dataloop_storage_access.drivers : "${k}: ${a.summary}" if !a.success])
  }
}
