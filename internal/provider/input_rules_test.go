package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// The tests in this file prove that each input rule of internal/rules is
// applied at validate time, through the Terraform CLI, by every resource,
// data source and function that takes the input.

// TestS3StorageDriver_bucketRules rejects the bucket names the policy
// functions reject (once accepted by the driver and, with severity =
// "warning", created), and names the attribute and the fix.
func TestS3StorageDriver_bucketRules(t *testing.T) {
	testUnitProviderEnv(t)
	base := s3DriverConfig{Name: "d", IntegrationID: "int-1", Bucket: "acme-datasets", Region: "eu-west-1", Path: "raw/"}
	var steps []resource.TestStep
	for bucket, want := range map[string]string{
		"192.168.5.4":    `formatted as an IP address`,
		"xn--bucket":     `reserved prefix "xn--"`,
		"bucket-s3alias": `reserved suffix "-s3alias"`,
		"bucket..name":   `two adjacent dots`,
	} {
		c := base
		c.Bucket = bucket
		steps = append(steps, resource.TestStep{
			Config:      testAccConfig("provider \"dataloop\" {\n  access_check {\n    severity = \"warning\"\n  }\n}", c.String()),
			PlanOnly:    true,
			ExpectError: testAccErrorRegexp(`(?s)Invalid S3 Bucket Name.*with dataloop_s3_storage_driver.test.*bucket.*` + regexp.QuoteMeta(want) + `.*general purpose bucket`),
		})
	}
	resource.UnitTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// compatibleDriverConfig is a driver whose integration is not known until
// apply, so a plan runs every validator but no access check.
func compatibleDriverConfig(bucket, region, endpoint string) string {
	ep := ""
	if endpoint != "" {
		ep = fmt.Sprintf("  endpoint       = %q\n", endpoint)
	}
	return fmt.Sprintf(`resource "terraform_data" "integration" {}

resource "dataloop_s3_storage_driver" "test" {
  project_id     = %q
  name           = "compatible"
  integration_id = terraform_data.integration.id
  bucket         = %q
  region         = %q
%s}
`, testProjectID, bucket, region, ep)
}

// TestS3StorageDriver_compatibleStoreRules relaxes the AWS-only bucket and
// region rules when endpoint is set, and keeps them otherwise.
func TestS3StorageDriver_compatibleStoreRules(t *testing.T) {
	testUnitProviderEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             compatibleDriverConfig("My_Bucket", "auto", "https://r2.example.com"),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      compatibleDriverConfig("acme-datasets", "auto", ""),
				PlanOnly:    true,
				ExpectError: testAccErrorRegexp(`(?s)Invalid Region.*Region "auto" is not an AWS region name.*set endpoint`),
			},
			{
				Config:      compatibleDriverConfig("a/b", "auto", "https://r2.example.com"),
				PlanOnly:    true,
				ExpectError: testAccErrorRegexp(`(?s)Invalid S3 Bucket Name.*S3-compatible store`),
			},
		},
	})
}

// TestS3StorageDriver_pathAndNameRules rejects empty and dot segments,
// control characters, and names that are not one line of at most 256
// characters, at validate time.
func TestS3StorageDriver_pathAndNameRules(t *testing.T) {
	testUnitProviderEnv(t)
	base := s3DriverConfig{Name: "d", IntegrationID: "int-1", Bucket: "acme-datasets", Region: "eu-west-1", Path: "raw/"}
	invalid := func(change func(*s3DriverConfig), want string) resource.TestStep {
		c := base
		change(&c)
		return resource.TestStep{Config: c.String(), PlanOnly: true, ExpectError: testAccErrorRegexp(want)}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			invalid(func(c *s3DriverConfig) { c.Path = "raw//images" }, `(?s)Invalid Storage Driver Path.*path.*empty segment`),
			invalid(func(c *s3DriverConfig) { c.Path = "raw/../secrets" }, `(?s)Invalid Storage Driver Path.*path.*".." segment`),
			invalid(func(c *s3DriverConfig) { c.Name = "two\nlines" }, `(?s)Invalid Name.*name.*line break`),
			invalid(func(c *s3DriverConfig) { c.Name = strings.Repeat("n", 100000) }, `(?s)Invalid Name.*name.*100000 characters long; the limit is 256`),
		},
	})
}

// TestAccIntegration_nameAndRoleRules applies the name rule to integrations
// and the partition rule to a cross-account role: the platform IAM user is
// in the aws partition, and a role trusts its own partition only. An STS
// integration (the customer's own key) accepts a role in aws-cn.
func TestAccIntegration_nameAndRoleRules(t *testing.T) {
	testUnitProviderEnv(t)
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `resource "dataloop_aws_cross_account_integration" "test" {
  name     = "cross\r\nname"
  role_arn = "arn:aws:iam::123456789012:role/dataloop"
}`,
				PlanOnly:    true,
				ExpectError: testAccErrorRegexp(`(?s)Invalid Name.*name.*line break`),
			},
			{
				Config: `resource "dataloop_aws_cross_account_integration" "test" {
  name     = "cross"
  role_arn = "arn:aws-cn:iam::123456789012:role/dataloop"
}`,
				PlanOnly:    true,
				ExpectError: testAccErrorRegexp(`(?s)Invalid IAM Role ARN.*role_arn.*partition "aws-cn".*only trust principals of its own partition`),
			},
			{
				Config: `resource "dataloop_aws_sts_integration" "test" {
  name              = "sts"
  access_key_id     = "AKIAIOSFODNN7EXAMPLE"
  secret_access_key_wo = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  role_arn          = "arn:aws-cn:iam::123456789012:role/dataloop"
  verify_credentials = false
}
resource "dataloop_aws_sts_integration" "bad" {
  name              = "sts"
  access_key_id     = "AKIAIOSFODNN7EXAMPLE"
  secret_access_key_wo = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  role_arn          = "arn:aws-iso:iam::123456789012:role/dataloop"
  verify_credentials = false
}`,
				PlanOnly:    true,
				ExpectError: testAccErrorRegexp(`(?s)Invalid IAM Role ARN.*with dataloop_aws_sts_integration.bad.*partition "aws-iso"`),
			},
		},
	})
}
