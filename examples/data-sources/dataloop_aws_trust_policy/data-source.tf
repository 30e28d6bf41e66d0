variable "platform_iam_user_arn" {
  type        = string
  description = "The platform IAM user of the cross-account integration."
}

# The role trusts the platform IAM user and requires an external ID.
data "dataloop_aws_trust_policy" "dataloop" {
  principal_arn = var.platform_iam_user_arn
  external_id   = "acme-datasets"
}

resource "aws_iam_role" "dataloop" {
  name               = "dataloop-datasets"
  assume_role_policy = data.dataloop_aws_trust_policy.dataloop.json
}
