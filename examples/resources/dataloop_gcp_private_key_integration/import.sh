# Import by integration ID; the organization is the provider's org_id.
terraform import dataloop_gcp_private_key_integration.example 6650a1b2c3d4e5f6a7b8c9d0

# Import from another organization with <org_id>/<integration_id>.
terraform import dataloop_gcp_private_key_integration.example org-1234/6650a1b2c3d4e5f6a7b8c9d0
