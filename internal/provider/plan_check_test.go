package provider

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// These tests prove that a plan is never blocked by what the same plan
// fixes: the plan-time check sees the cloud before the plan and only warns,
// and the apply-time check, after the fix, is the gate.

// awsCLIConfig renders a terraform_data "<label>" that runs command with the
// aws CLI against moto, as moto's admin, whenever one of vars changes. The
// values of vars reach the command as environment variables.
func awsCLIConfig(m *testenv.Moto, label string, vars map[string]string, command string) string {
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"terraform_data\" %q {\n  triggers_replace = {\n", label)
	for _, k := range keys {
		fmt.Fprintf(&b, "    %s = %q\n", k, vars[k])
	}
	fmt.Fprintf(&b, `  }

  provisioner "local-exec" {
    command = %q
    environment = merge(self.triggers_replace, {
      AWS_ENDPOINT_URL      = %q
      AWS_ACCESS_KEY_ID     = %q
      AWS_SECRET_ACCESS_KEY = %q
      AWS_DEFAULT_REGION    = %q
    })
  }
}
`, command, m.Endpoint, m.AdminAccessKeyID, m.AdminSecretAccessKey, m.Region)
	return b.String()
}

// userPolicyConfig sets the inline policy of an IAM user from the
// configuration, as an aws_iam_user_policy would.
func userPolicyConfig(m *testenv.Moto, user, policyJSON string) string {
	return awsCLIConfig(m, "user_policy", map[string]string{"USER": user, "POLICY": policyJSON},
		`aws iam put-user-policy --user-name "$USER" --policy-name inline --policy-document "$POLICY"`)
}

// rolePolicyConfig sets the inline policy of a role from the configuration,
// as an aws_iam_role_policy would.
func rolePolicyConfig(m *testenv.Moto, role, policyJSON string) string {
	return awsCLIConfig(m, "role_policy", map[string]string{"ROLE": role, "POLICY": policyJSON},
		`aws iam put-role-policy --role-name "$ROLE" --policy-name inline --policy-document "$POLICY"`)
}

// roleTrustConfig sets the trust policy of a role from the configuration.
func roleTrustConfig(m *testenv.Moto, role, trustJSON string) string {
	return awsCLIConfig(m, "role_trust", map[string]string{"ROLE": role, "TRUST": trustJSON},
		`aws iam update-assume-role-policy --role-name "$ROLE" --policy-document "$TRUST"`)
}

// bucketConfig creates a bucket from the configuration, as an aws_s3_bucket would.
func bucketConfig(m *testenv.Moto, bucket string) string {
	return awsCLIConfig(m, "bucket", map[string]string{"BUCKET": bucket},
		`aws s3api create-bucket --bucket "$BUCKET" >/dev/null`)
}

// mergedPolicy joins the statements of generated bucket policies, as a
// role policy granting several prefixes would.
func mergedPolicy(t *testing.T, inputs ...policy.BucketPolicyInput) string {
	t.Helper()
	var merged policy.Document
	for i, in := range inputs {
		doc, err := policy.AWSBucketPolicy(in)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			merged = *doc
			merged.Statement = nil
		}
		for _, st := range doc.Statement {
			// Sids must be unique in a policy.
			st.Sid = fmt.Sprintf("%s%d", st.Sid, i)
			merged.Statement = append(merged.Statement, st)
		}
	}
	js, err := merged.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// TestAccS3StorageDriver_planFixesPolicy: a driver whose key cannot write
// fails the apply at the apply-time check, and nothing is created. The same
// configuration then fixes the IAM user's policy: the plan warns (its check
// sees the old policy), and the apply, which changes the policy first,
// creates the driver. No -target, no provider setting changed.
func TestAccS3StorageDriver_planFixesPolicy(t *testing.T) {
	// Per-check detail (the emulator extension) is asserted.
	env := testAccS3Env(t, withEmulatorExtensions)
	diags := testAccDiagnosticLog(t)
	bucket := env.bucket(t)
	user := testName(t, "tf-user")
	key := env.moto.CreateUser(t, user, "")
	integrationID := env.createIntegration(t, "s3", map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey})
	provider := testAccProviderConfig(map[string]string{"propagation_timeout": "2s"})
	driver := s3DriverConfig{
		Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion,
		Path: "raw/", DependsOn: "terraform_data.user_policy",
	}.String()
	broken := testAccConfig(provider, userPolicyConfig(env.moto, user, s3DriverPolicy(t, bucket, "raw/", false, policy.ActionPutObject)), driver)
	fixed := testAccConfig(provider, userPolicyConfig(env.moto, user, s3DriverPolicy(t, bucket, "raw/", false)), driver)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: broken,
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+before\s+creating\s+the\s+driver.*` +
					`Nothing\s+was\s+changed.*write:\s+FAILED.*"Action":\s+"s3:PutObject"`),
			},
			{
				PreConfig: func() { env.expectNoDrivers(t) },
				Config:    fixed,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testS3DriverAddress, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectAccessSuccess()},
			},
		},
	})
	// The plan of the fixing configuration checked the old policy and warned.
	diags.expectWarning(t, "PlanResourceChange", "Storage Access Check Failed", "Checked at plan time, once per location", "write: FAILED",
		"runs again at apply time", `access_check.plan_severity = "error"`)
}

// TestAccS3StorageDriver_planCreatesBucket: a driver on a bucket that does
// not exist fails the apply; adding the bucket to the same configuration
// plans with a warning and applies.
func TestAccS3StorageDriver_planCreatesBucket(t *testing.T) {
	// Per-check detail (the emulator extension) is asserted.
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := testName(t, "tf-bkt")
	integrationID := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	driver := s3DriverConfig{
		Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/",
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: driver.String(),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+before\s+creating\s+the\s+driver;\s+not\s+retried.*` +
					`bucket:\s+FAILED.*does\s+not\s+exist`),
			},
			{
				PreConfig: func() { env.expectNoDrivers(t) },
				Config: func() string {
					d := driver
					d.DependsOn = "terraform_data.bucket"
					return testAccConfig(bucketConfig(env.moto, bucket), d.String())
				}(),
				ConfigStateChecks: []statecheck.StateCheck{expectAccessSuccess()},
			},
		},
	})
}

// TestAccS3StorageDriver_newPrefixSamePlan is the common pull request: add
// a driver for a new prefix and extend the role's policy for it. The plan
// is green (with a warning for the new driver, whose check sees the old
// policy), and the apply creates the driver.
func TestAccS3StorageDriver_newPrefixSamePlan(t *testing.T) {
	// Per-check detail (the emulator extension) is asserted.
	env := testAccS3Env(t, withEmulatorExtensions)
	diags := testAccDiagnosticLog(t)
	bucket := env.bucket(t)
	userName := testName(t, "tf-sts-user")
	key := env.moto.CreateUser(t, userName, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	role := testName(t, "tf-sts-role")
	roleARN := env.moto.CreateRole(t, role, s3DriverTrust(t, key.UserARN), "")
	integrationID := env.createIntegration(t, "aws-sts", map[string]any{
		"key": key.AccessKeyID, "secret": key.SecretAccessKey, "roleArns": []string{roleARN},
	})
	raw := s3DriverConfig{
		Name: testName(t, "tf-raw"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion,
		Path: "raw/", DependsOn: "terraform_data.role_policy",
	}
	curated := raw
	curated.Label, curated.Name, curated.Path = "curated", testName(t, "tf-curated"), "curated/"
	rawOnly := rolePolicyConfig(env.moto, role, s3DriverPolicy(t, bucket, "raw/", false))
	both := rolePolicyConfig(env.moto, role, mergedPolicy(t,
		policy.BucketPolicyInput{Bucket: bucket, Path: "raw/"},
		policy.BucketPolicyInput{Bucket: bucket, Path: "curated/"}))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            testAccConfig(rawOnly, raw.String()),
				ConfigStateChecks: []statecheck.StateCheck{expectAccessSuccess()},
			},
			{
				Config: testAccConfig(both, raw.String(), curated.String()),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("dataloop_s3_storage_driver.curated", plancheck.ResourceActionCreate),
						plancheck.ExpectResourceAction(testS3DriverAddress, plancheck.ResourceActionNoop),
					},
				},
			},
		},
	})
	diags.expectWarning(t, "PlanResourceChange", "Storage Access Check Failed", "Checked at plan time, once per location", `"curated/"`, "FAILED")
}

// TestAccAWSSTSIntegration_planFixesTrust: an STS integration whose role
// does not trust the key's user fails the apply at the apply-time
// credential check; the same configuration then fixes the trust, plans
// with a warning and applies.
func TestAccAWSSTSIntegration_planFixesTrust(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	diags := testAccDiagnosticLog(t)
	user := env.stsUser(t)
	role := testName(t, "tf-sts-role")
	roleARN := env.moto.CreateRole(t, role, s3DriverTrust(t, env.moto.AdminARN), "")
	name := testName(t, "tf-acc-sts")
	provider := env.providerConfig(map[string]string{"propagation_timeout": "2s"})
	integration := testAccAWSSTSIntegrationConfig(name, user.AccessKeyID, user.SecretAccessKey, 1, roleARN,
		"depends_on = [terraform_data.role_trust]")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(provider, roleTrustConfig(env.moto, role, s3DriverTrust(t, env.moto.AdminARN)), integration),
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*role_arn.*Checked\s+at\s+apply\s+time.*` +
					`assume_role: FAILED`),
			},
			{
				PreConfig: func() { env.expectNoIntegrationWrites(t, name) },
				Config:    testAccConfig(provider, roleTrustConfig(env.moto, role, s3DriverTrust(t, user.UserARN)), integration),
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorSTSCredentials(env.testEmulator, user.AccessKeyID, user.SecretAccessKey, roleARN),
				},
			},
		},
	})
	diags.expectWarning(t, "PlanResourceChange", "AWS Credentials Check Failed", "Checked at plan time.", "assume_role: FAILED",
		"runs again at apply time")
}

// TestAccS3StorageDriver_destroyAfterPartialApply: an apply that creates the
// integration but stops at the driver's apply-time check leaves the driver
// uncreated. terraform destroy then deletes the integration: the refresh it
// runs first plans the driver, whose plan-time check fails, and that must
// not block it.
func TestAccS3StorageDriver_destroyAfterPartialApply(t *testing.T) {
	// Per-check detail (the emulator extension) is asserted.
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	key := env.moto.CreateUser(t, testName(t, "tf-user"), s3DriverPolicy(t, bucket, "raw/", false, policy.ActionPutObject))
	config := testAccConfig(
		testAccProviderConfig(map[string]string{"aws_endpoint": env.moto.Endpoint, "propagation_timeout": "1s"}),
		testAccAWSAccessKeyIntegrationConfig(testName(t, "tf-acc-key"), key.AccessKeyID, key.SecretAccessKey, 1),
		s3DriverConfig{
			Name: testName(t, "tf-driver"), IntegrationID: testAccAccessKeyAddress + ".id", Ref: true,
			Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/",
		}.String(),
	)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+before\s+creating\s+the\s+driver.*write:\s+FAILED`),
			},
			{
				// The state holds the integration only; destroy it.
				Config:  config,
				Destroy: true,
			},
		},
	})
	env.expectNoDrivers(t)
}
