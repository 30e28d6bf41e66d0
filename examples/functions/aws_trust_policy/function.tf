# Arguments: principal_arn, external_id (null for none).
# The role trusts the platform IAM user of a cross-account integration. The
# integration takes the role ARN as a plain string, so there is no cycle.
resource "dataloop_aws_cross_account_integration" "datasets" {
  name     = "acme-datasets"
  role_arn = "arn:aws:iam::111122223333:role/dataloop-datasets"
}

resource "aws_iam_role" "dataloop" {
  name = "dataloop-datasets"
  assume_role_policy = provider::dataloop::aws_trust_policy(
    dataloop_aws_cross_account_integration.datasets.platform_iam_user_arn,
    null,
  )
}

# With an external ID, for an STS integration's IAM user.
output "trust_policy" {
  value = provider::dataloop::aws_trust_policy("arn:aws:iam::111122223333:user/dataloop-sts", "acme-datasets")
}
