# Import by driver ID. The import also runs the platform's access check of
# the driver to fill the access attribute.
terraform import dataloop_s3_storage_driver.raw 6650a1b2c3d4e5f6a7b8c9d1
