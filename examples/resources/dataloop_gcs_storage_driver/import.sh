# Import by driver ID.
terraform import dataloop_gcs_storage_driver.example 6650a1b2c3d4e5f6a7b8c9d3
