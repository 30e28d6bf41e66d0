# Look an integration made in the console up by its name...
data "dataloop_integration" "shared" {
  name = "shared-datasets"
}

# ...or by its ID.
data "dataloop_integration" "by_id" {
  id = "6650a1b2c3d4e5f6a7b8c9d0"
}

# Adopt it: Terraform manages it from the next apply on.
import {
  to = dataloop_aws_cross_account_integration.shared
  id = data.dataloop_integration.shared.id
}

resource "dataloop_aws_cross_account_integration" "shared" {
  name     = "shared-datasets"
  role_arn = "arn:aws:iam::123456789012:role/dataloop-shared"
}

output "shared_is_trusted" {
  value = data.dataloop_integration.shared.trusted
}
