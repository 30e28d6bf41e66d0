terraform {
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

# The token, organization and endpoint come from DATALOOP_TOKEN,
# DATALOOP_ORG_ID and DATALOOP_ENDPOINT, so the block can stay empty.
provider "dataloop" {}

# Or set them explicitly, with the token from a sensitive variable.
variable "dataloop_token" {
  type      = string
  sensitive = true
}

provider "dataloop" {
  alias  = "explicit"
  token  = var.dataloop_token
  org_id = "org-1234"

  access_check {
    plan_severity       = "warning" # plan-time failures warn; the apply-time check is the gate
    severity            = "error"
    propagation_timeout = "2m"
  }
}
