# Every AWS integration whose role the platform has not assumed yet.
data "dataloop_integrations" "untrusted_aws" {
  cloud_provider = "aws"
  trusted        = false
}

# The cross-account integrations, for example to see how close the
# organization is to its limit of 15.
data "dataloop_integrations" "cross" {
  type = "aws-cross"
}

# What one user made, by name search (case-insensitive).
data "dataloop_integrations" "ops_staging" {
  creator       = "ops@example.com"
  name_contains = "staging"
}

output "untrusted_aws_names" {
  value = data.dataloop_integrations.untrusted_aws.integrations[*].name
}

output "cross_account_slots_left" {
  value = 15 - length(data.dataloop_integrations.cross.ids)
}
