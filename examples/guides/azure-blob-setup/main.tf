terraform {
  required_version = ">= 1.11"
  required_providers {
    azuread = {
      source = "hashicorp/azuread"
    }
    azurerm = {
      source = "hashicorp/azurerm"
    }
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

provider "azurerm" {
  features {}
}

# DATALOOP_TOKEN and DATALOOP_ORG_ID come from the environment.
provider "dataloop" {}

data "azuread_client_config" "current" {}

data "azurerm_storage_account" "datasets" {
  name                = "acmedatasets"
  resource_group_name = "datasets"
}

data "dataloop_project" "driving" {
  name = "autonomous-driving"
}

# 1. The application the platform signs in as, its service principal and a
#    client secret.
resource "azuread_application" "dataloop" {
  display_name = "dataloop-datasets"
}

resource "azuread_service_principal" "dataloop" {
  client_id = azuread_application.dataloop.client_id
}

resource "azuread_application_password" "dataloop" {
  application_id = azuread_application.dataloop.id
}

# 2. The role assignment a driver on the "datasets" container needs. The
#    storage account already exists, so the whole assignment is known at plan
#    except the principal, created in the same apply.
locals {
  roles = provider::dataloop::azure_role_assignments(
    data.azurerm_storage_account.datasets.id,
    "datasets",
    azuread_service_principal.dataloop.object_id,
  ).role_assignments
}

resource "azurerm_role_assignment" "dataloop" {
  scope                = local.roles["data"].scope
  role_definition_name = local.roles["data"].role_definition_name
  principal_id         = local.roles["data"].principal_id
  description          = local.roles["data"].description
}

# 3. The integration. Its credential check obtains a token for the service
#    principal before the platform receives the secret.
resource "dataloop_azure_client_secret_integration" "datasets" {
  name                     = "acme-azure-datasets"
  tenant_id                = data.azuread_client_config.current.tenant_id
  client_id                = azuread_application.dataloop.client_id
  storage_account_name     = data.azurerm_storage_account.datasets.name
  client_secret_wo         = azuread_application_password.dataloop.value
  client_secret_wo_version = 1
}

# 4. The driver. The platform's access check runs before it is created,
#    retrying while the role assignment propagates; depends_on makes it wait
#    for the assignment, which nothing in its arguments references.
resource "dataloop_azure_blob_storage_driver" "raw" {
  project_id     = data.dataloop_project.driving.id
  name           = "acme-azure-raw"
  integration_id = dataloop_azure_client_secret_integration.datasets.id
  container      = "datasets"
  path           = "raw/"

  depends_on = [azurerm_role_assignment.dataloop]
}
