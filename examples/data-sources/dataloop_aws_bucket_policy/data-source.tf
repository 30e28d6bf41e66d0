# The permissions of the role that Dataloop assumes for a read-write driver
# on raw/images/ that may delete items, in a bucket encrypted with SSE-KMS.
data "dataloop_aws_bucket_policy" "images" {
  bucket       = "acme-datasets"
  path         = "raw/images/"
  allow_delete = true
  kms_key_arns = ["arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"]
}

resource "aws_iam_role_policy" "dataloop_images" {
  name   = "dataloop-images"
  role   = "dataloop-datasets"
  policy = data.dataloop_aws_bucket_policy.images.json
}

# A read-only driver on the whole bucket. The platform still writes its
# permission test file to the hidden .dataloop/ folder.
data "dataloop_aws_bucket_policy" "archive" {
  bucket    = "acme-archive"
  read_only = true
}

output "archive_policy" {
  value = data.dataloop_aws_bucket_policy.archive.minified_json
}
