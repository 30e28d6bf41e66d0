variable "aws_secret_access_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dataloop_aws_access_key_integration" "example" {
  name          = "datasets-reader"
  access_key_id = "AKIAIOSFODNN7EXAMPLE"

  # Write-only: sent to Dataloop, never stored in plan or state.
  # Bump the version whenever the secret changes to send the new one.
  secret_access_key_wo         = var.aws_secret_access_key
  secret_access_key_wo_version = 1
}
