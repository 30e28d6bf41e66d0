resource "dataloop_aws_cross_account_integration" "datasets" {
  name = "acme-datasets"
}

# The platform IAM user of a given cross-account integration.
data "dataloop_platform_iam_user" "datasets" {
  integration_id = dataloop_aws_cross_account_integration.datasets.id
}

# Or the user of an integration that no role is bound to yet.
data "dataloop_platform_iam_user" "unassigned" {}

output "trust_principal" {
  value = data.dataloop_platform_iam_user.datasets.arn
}
