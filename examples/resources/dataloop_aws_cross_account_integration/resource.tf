data "aws_caller_identity" "current" {}

# role_arn is built from the account ID and the role's name, so the
# integration does not wait for the role, whose trust policy needs the
# integration's platform IAM user.
resource "dataloop_aws_cross_account_integration" "example" {
  name     = "acme-datasets"
  role_arn = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/dataloop-datasets"
}

resource "aws_iam_role" "dataloop" {
  name = "dataloop-datasets"
  assume_role_policy = provider::dataloop::aws_trust_policy(
    dataloop_aws_cross_account_integration.example.platform_iam_user_arn,
    null,
  )
}
