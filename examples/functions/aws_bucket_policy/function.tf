# Arguments: bucket, path, allow_delete, read_only, kms_key_arns.
# Pass null for the default of an optional argument.
resource "aws_iam_role_policy" "dataloop" {
  name   = "dataloop-datasets"
  role   = aws_iam_role.dataloop.id
  policy = provider::dataloop::aws_bucket_policy("acme-datasets", "raw/images/", false, false, null)
}

# A read-only driver on the whole bucket, with objects encrypted by a KMS key.
output "read_only_policy" {
  value = provider::dataloop::aws_bucket_policy(
    "acme-archive",
    null,
    false,
    true,
    ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"],
  )
}
