package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// The tests in this file prove that the access check claims exactly what it
// exercised (issue 7 §3), through the Terraform CLI against the emulator,
// whose /drivers/test runs internal/accesscheck against moto.

// TestAccS3StorageDriver_dataObjectRead: a role that can write and read
// .dataloop/ but cannot read the data under the path fails the read check
// on a data object the list found, instead of passing on the probe alone.
func TestAccS3StorageDriver_dataObjectRead(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions) // per-check detail is asserted
	bucket := env.bucket(t)
	if _, err := env.moto.S3().PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("raw/cat.jpg"), Body: strings.NewReader("jpeg"),
	}); err != nil {
		t.Fatal(err)
	}
	probeOnly := env.keyIntegration(t, `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::`+bucket+`"},
{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::`+bucket+`/raw/.dataloop/*"}]}`)
	testAccS3PlanFailures(t, env, []planFailureCase{{
		config: s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: probeOnly, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"},
		want: `(?s)Storage Access Check Failed.*write:\s+passed.*raw/\.dataloop/access-check.*read:\s+FAILED.*s3:GetObject\s+on\s+arn:aws:s3:::` +
			regexp.QuoteMeta(bucket) + `/raw/cat\.jpg.*"Action":\s+"s3:GetObject"`,
	}})
}

// TestAccS3StorageDriver_explicitDeny reports a Deny statement as a deny to
// remove or narrow, not as a missing Allow, and the apply-time check does
// not wait for IAM propagation to fix it.
func TestAccS3StorageDriver_explicitDeny(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions) // per-check detail is asserted
	bucket := env.bucket(t)
	policyJSON := s3DriverPolicy(t, bucket, "raw/", false)
	denied := env.keyIntegration(t, strings.Replace(policyJSON, `"Statement":[`,
		`"Statement":[{"Sid":"NoUploads","Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::`+bucket+`/*"},`, 1))
	config := s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: denied, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccConfig(testAccProviderConfig(map[string]string{"on_plan": "false", "propagation_timeout": "10m"}), config.String()),
			ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*not\s+retried,\s+because\s+IAM\s+propagation\s+cannot\s+explain.*` +
				`write:\s+FAILED:\s+Explicitly\s+denied.*Remove\s+the\s+Deny\s+statement`),
		}},
	})
	env.expectNoDrivers(t)
}

// TestAccS3StorageDriver_missingRole reports a role that does not exist as
// a failed assume_role (AWS refuses AssumeRole on it), not as a passed one
// followed by a bucket failure.
func TestAccS3StorageDriver_missingRole(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions) // per-check detail is asserted
	bucket := env.bucket(t)
	user := env.moto.CreateUser(t, testName(t, "tf-sts-user"), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	missing := fmt.Sprintf("arn:aws:iam::%s:role/%s", env.moto.AccountID, testName(t, "tf-no-such-role"))
	integration := env.createIntegration(t, platform.TypeAWSSTS, map[string]any{
		"key": user.AccessKeyID, "secret": user.SecretAccessKey, "roleArns": []string{missing},
	})
	testAccS3PlanFailures(t, env, []planFailureCase{{
		config: s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integration, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"},
		want:   `(?s)Storage Access Check Failed.*assume_role:\s+FAILED.*` + regexp.QuoteMeta(missing) + `.*The\s+role\s+must\s+exist`,
	}})
}

// TestAccStorageAccessDataSource_revokedTrust: the emulator assumes the role
// anew for every test, so a trust revoked after a passing run shows in the
// data source on the next run (a drift run), not an hour later.
func TestAccStorageAccessDataSource_revokedTrust(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions) // per-check detail is asserted
	bucket := env.bucket(t)
	userName := testName(t, "tf-sts-user")
	user := env.moto.CreateUser(t, userName, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	roleName := testName(t, "tf-sts-role")
	roleARN := env.moto.CreateRole(t, roleName, s3DriverTrust(t, user.UserARN), s3DriverPolicy(t, bucket, "raw/", false))
	integration := env.createIntegration(t, platform.TypeAWSSTS, map[string]any{
		"key": user.AccessKeyID, "secret": user.SecretAccessKey, "roleArns": []string{roleARN},
	})
	config := fmt.Sprintf(`
data "dataloop_storage_access" "drift" {
  project_id     = %q
  integration_id = %q
  bucket         = %q
  region         = %q
  path           = "raw/"
}
`, testProjectID, integration, bucket, testenv.MotoRegion)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_storage_access.drift", tfjsonpath.New("success"), knownvalue.Bool(true)),
				},
			},
			{
				PreConfig: func() {
					other := env.moto.CreateUser(t, testName(t, "tf-other"), "")
					if _, err := env.moto.IAM().UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
						RoleName: aws.String(roleName), PolicyDocument: aws.String(s3DriverTrust(t, other.UserARN)),
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_storage_access.drift", tfjsonpath.New("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.dataloop_storage_access.drift", tfjsonpath.New("summary"),
						knownvalue.StringRegexp(regexp.MustCompile(`assume_role.*sts:AssumeRole`))),
				},
			},
		},
	})
}

// TestAccS3StorageDriver_missingProject reports a project that does not
// exist (or that the token cannot see) on project_id, not as an integration
// that was not found.
func TestAccS3StorageDriver_missingProject(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	integration := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	config := strings.Replace(
		s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integration, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
		fmt.Sprintf("%q", testProjectID), `"no-such-project"`, 1)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Project Not Found.*with dataloop_s3_storage_driver.test.*project_id.*No\s+project\s+"no-such-project"\s+exists`),
		}},
	})
}
