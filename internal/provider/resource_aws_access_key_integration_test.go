package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

const testAccAccessKeyAddress = "dataloop_aws_access_key_integration.test"

var rfc3339Pattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)

func TestAccAWSAccessKeyIntegration_basic(t *testing.T) {
	e := testAccEmulator(t)
	name, renamed := testName(t, "tf-acc-key"), testName(t, "tf-acc-key-renamed")
	keyID, secret, rotated := testAccessKeyID(t), testSecretAccessKey(t), testSecretAccessKey(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAccessKeyAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("name"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("access_key_id"), knownvalue.StringExact(keyID)),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("secret_access_key_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("secret_access_key_wo_version"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("creator"), knownvalue.StringExact(testUserEmail)),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
					testAccCheckEmulatorCredentials(e, testAccAccessKeyAddress, keyID, secret),
				},
			},
			// Re-applying the same configuration changes nothing, and a refresh
			// finds nothing changed.
			testAccNoDriftStep(testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1)),
			{
				Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(renamed, keyID, secret, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAccessKeyAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
					testAccCheckEmulatorCredentials(e, testAccAccessKeyAddress, keyID, secret),
				},
			},
			{
				// A new version sends the new secret, in place.
				Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(renamed, keyID, rotated, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAccessKeyAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("secret_access_key_wo_version"), knownvalue.Int64Exact(2)),
					testAccCheckEmulatorCredentials(e, testAccAccessKeyAddress, keyID, rotated),
				},
			},
			{
				ResourceName:      testAccAccessKeyAddress,
				ImportState:       true,
				ImportStateVerify: true,
				// NOTE: the platform never returns credentials. access_key_id
				// and the secret's version exist only in configuration and
				// state, so an import cannot restore them; the next apply
				// sends the configured key and secret again.
				ImportStateVerifyIgnore: []string{"access_key_id", "secret_access_key_wo_version"},
			},
		},
	})
}

// An access key ID change sends the key ID with the secret from configuration,
// in place, even when the secret's version does not change. The keys are
// real (in moto), so the credential check passes at plan and apply.
func TestAccAWSAccessKeyIntegration_changeAccessKeyID(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	name := testName(t, "tf-acc-key")
	userName := testName(t, "tf-key-user")
	key := env.moto.CreateUser(t, userName, "")
	newKey, err := env.moto.IAM().CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String(userName)})
	if err != nil {
		t.Fatalf("creating a second access key: %v", err)
	}
	newKeyID := aws.ToString(newKey.AccessKey.AccessKeyId)
	secret := key.SecretAccessKey
	// NOTE: the first key's secret does not sign for the second key ID, so
	// changing only the key ID fails the check at plan.
	newSecret := aws.ToString(newKey.AccessKey.SecretAccessKey)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:            env.providerConfig(nil) + testAccAWSAccessKeyIntegrationConfig(name, key.AccessKeyID, secret, 1),
				ConfigStateChecks: []statecheck.StateCheck{testAccCheckEmulatorCredentials(env.testEmulator, testAccAccessKeyAddress, key.AccessKeyID, secret)},
			},
			{
				Config:      env.providerConfig(testAccStrictPlan) + testAccAWSAccessKeyIntegrationConfig(name, newKeyID, secret, 1),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*secret_access_key_wo.*SignatureDoesNotMatch`),
			},
			{
				Config: env.providerConfig(nil) + testAccAWSAccessKeyIntegrationConfig(name, newKeyID, newSecret, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("access_key_id"), knownvalue.StringExact(newKeyID)),
					testAccCheckEmulatorCredentials(env.testEmulator, testAccAccessKeyAddress, newKeyID, newSecret),
				},
			},
		},
	})
}

// An integration deleted outside Terraform is dropped from state on refresh
// and created again.
func TestAccAWSAccessKeyIntegration_disappears(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-key")
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)
	differentID := statecheck.CompareValue(compare.ValuesDiffer())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1),
				ConfigStateChecks: []statecheck.StateCheck{
					differentID.AddStateValue(testAccAccessKeyAddress, tfjsonpath.New("id")),
					testAccDeleteIntegrationOutOfBand(t, testAccAccessKeyAddress),
				},
				ExpectNonEmptyPlan: true,
			},
			{
				Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionCreate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					differentID.AddStateValue(testAccAccessKeyAddress, tfjsonpath.New("id")),
				},
			},
		},
	})
}

// The secret never reaches the plan, the state (files and backups) or the
// TRACE logs of Terraform and of the provider. It comes from an ephemeral
// variable set in the environment, as in real use: a literal in the
// configuration would be copied into the plan's configuration section.
func TestAccAWSAccessKeyIntegration_secretNotPersisted(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	e := env.testEmulator
	scan := testAccSecretScan(t)
	name := testName(t, "tf-acc-key")
	// Real keys, so the credential check runs (and logs) at plan and apply;
	// rotating means a new key of the same user.
	userName := testName(t, "tf-key-user")
	key := env.moto.CreateUser(t, userName, "")
	keyID, secret := key.AccessKeyID, key.SecretAccessKey
	out, err := env.moto.IAM().CreateAccessKey(context.Background(), &iam.CreateAccessKeyInput{UserName: aws.String(userName)})
	if err != nil {
		t.Fatalf("creating a second access key: %v", err)
	}
	rotatedKeyID, rotated := aws.ToString(out.AccessKey.AccessKeyId), aws.ToString(out.AccessKey.SecretAccessKey)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               scan.WorkingDir,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { t.Setenv("TF_VAR_secret_access_key", secret) },
				Config:    env.providerConfig(nil) + testAccAWSAccessKeyIntegrationEphemeralConfig(name, keyID, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectPlanNotContains(secret)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					expectStateNotContains(secret),
					testAccCheckEmulatorCredentials(e, testAccAccessKeyAddress, keyID, secret),
				},
			},
			{
				PreConfig: func() { t.Setenv("TF_VAR_secret_access_key", rotated) },
				Config:    env.providerConfig(nil) + testAccAWSAccessKeyIntegrationEphemeralConfig(name, rotatedKeyID, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectPlanNotContains(secret, rotated)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					expectStateNotContains(secret, rotated),
					testAccCheckEmulatorCredentials(e, testAccAccessKeyAddress, rotatedKeyID, rotated),
				},
			},
		},
	})
	if t.Failed() || t.Skipped() {
		return
	}
	scan.Verify(t, []string{secret, rotated},
		"Creating AWS access key integration", "Updating AWS access key integration", "Credentials check finished", keyID)
}

func TestAccAWSAccessKeyIntegration_importWithOrgID(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-key")
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1)},
			{
				ResourceName:            testAccAccessKeyAddress,
				ImportState:             true,
				ImportStateIdFunc:       testAccImportIDWithOrg(testAccAccessKeyAddress),
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"access_key_id", "secret_access_key_wo_version"},
			},
			{
				ResourceName:  testAccAccessKeyAddress,
				ImportState:   true,
				ImportStateId: "no-such-integration",
				ExpectError:   regexp.MustCompile(`Cannot import non-existent remote object`),
			},
		},
	})
}

// After an import, which cannot restore the key ID, the first apply sends
// the configured key and secret, and the plan is empty afterwards.
func TestAccAWSAccessKeyIntegration_importThenApply(t *testing.T) {
	e := testAccEmulator(t)
	name := testName(t, "tf-acc-key")
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)
	existing, err := testClient(t).CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: name, Type: platform.TypeS3, Options: s3Options(testAccessKeyID(t), testSecretAccessKey(t)),
	})
	if err != nil {
		t.Fatal(err)
	}
	config := testAccCredentialCheckOff() + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:             config,
				ResourceName:       testAccAccessKeyAddress,
				ImportState:        true,
				ImportStateId:      existing.ID,
				ImportStatePersist: true,
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("id"), knownvalue.StringExact(existing.ID)),
					testAccCheckEmulatorCredentials(e, testAccAccessKeyAddress, keyID, secret),
				},
			},
		},
	})
}

func TestAWSAccessKeyIntegration_validation(t *testing.T) {
	testUnitProviderEnv(t)
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"secret in key id field": {
			config: testAccAWSAccessKeyIntegrationConfig("x", testSecretAccessKey(t), testSecretAccessKey(t), 1),
			want:   regexp.MustCompile(`(?s)Invalid AWS Access Key ID.*access_key_id.*AKIA`),
		},
		"lower case key id": {
			config: testAccAWSAccessKeyIntegrationConfig("x", "akiaiosfodnn7example", testSecretAccessKey(t), 1),
			want:   regexp.MustCompile(`(?s)Invalid AWS Access Key ID.*access_key_id`),
		},
		"S3-compatible key id with verify_credentials unset": {
			config: testAccAWSAccessKeyIntegrationConfig("x", "minio-lab-reader", testSecretAccessKey(t), 1),
			want:   regexp.MustCompile(`(?s)Invalid AWS Access Key ID.*access_key_id.*verify_credentials\s+=\s+false`),
		},
		"empty name": {
			config: testAccAWSAccessKeyIntegrationConfig("", testAccessKeyID(t), testSecretAccessKey(t), 1),
			want:   regexp.MustCompile(`(?s)The value of name is not valid.*name is empty`),
		},
		"bad timeout": {
			config: `
resource "dataloop_aws_access_key_integration" "test" {
  name                 = "x"
  access_key_id        = "AKIAIOSFODNN7EXAMPLE"
  secret_access_key_wo = "secret"
  timeouts = {
    create = "soon"
  }
}
`,
			want: regexp.MustCompile(`(?s)Invalid Attribute Value Time Duration.*"soon"`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: tc.config, PlanOnly: true, ExpectError: tc.want},
				},
			})
		})
	}
}

// testAccAWSAccessKeyIntegrationConfig renders the integration under test;
// extra holds further attribute lines, such as "verify_credentials = false".
func testAccAWSAccessKeyIntegrationConfig(name, keyID, secret string, version int, extra ...string) string {
	return fmt.Sprintf(`
resource "dataloop_aws_access_key_integration" "test" {
  name                         = %[1]q
  access_key_id                = %[2]q
  secret_access_key_wo         = %[3]q
  secret_access_key_wo_version = %[4]d
%[5]s}
`, name, keyID, secret, version, testAccAttributeLines(extra))
}

// testAccAttributeLines indents attribute lines for a resource block.
func testAccAttributeLines(lines []string) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("  " + l + "\n")
	}
	return b.String()
}

func testAccAWSAccessKeyIntegrationEphemeralConfig(name, keyID string, version int) string {
	return fmt.Sprintf(`
variable "secret_access_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dataloop_aws_access_key_integration" "test" {
  name                         = %[1]q
  access_key_id                = %[2]q
  secret_access_key_wo         = var.secret_access_key
  secret_access_key_wo_version = %[3]d
}
`, name, keyID, version)
}

// testAccCheckEmulatorCredentials checks the credentials the emulator holds
// for the integration in state, which the API never returns.
func testAccCheckEmulatorCredentials(e *testEmulator, address, keyID, secret string) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		id, err := stateString(req.State, address, "id")
		if err != nil {
			resp.Error = err
			return
		}
		opts, ok := e.IntegrationOptions(id)
		if !ok {
			resp.Error = fmt.Errorf("the emulator has no integration %s", id)
			return
		}
		if opts["key"] != keyID {
			resp.Error = fmt.Errorf("the emulator holds access key ID %v, want %s", opts["key"], keyID)
			return
		}
		if opts["secret"] != secret {
			// NOTE: the values are not printed; they are secrets.
			resp.Error = fmt.Errorf("the emulator does not hold the expected secret access key")
		}
	})
}

// testAccDeleteIntegrationOutOfBand deletes the integration in state through
// the API, as someone using the console would.
func testAccDeleteIntegrationOutOfBand(t *testing.T, address string) statecheck.StateCheck {
	return stateCheckFunc(func(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		id, err := stateString(req.State, address, "id")
		if err != nil {
			resp.Error = err
			return
		}
		orgID, err := stateString(req.State, address, "org_id")
		if err != nil {
			resp.Error = err
			return
		}
		resp.Error = testClient(t).DeleteIntegration(ctx, orgID, id)
	})
}

// testAccImportIDWithOrg builds the "<org_id>/<id>" import ID of an integration.
func testAccImportIDWithOrg(address string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		rs, ok := s.RootModule().Resources[address]
		if !ok {
			return "", fmt.Errorf("%s not found in state", address)
		}
		return rs.Primary.Attributes["org_id"] + "/" + rs.Primary.ID, nil
	}
}

// testAccCheckIntegrationsDestroyed checks that every integration in the
// final state is gone from the platform, and so is every storage driver:
// the driver tests use it too, and a destroy that left their driver behind
// must fail them.
func testAccCheckIntegrationsDestroyed(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		client := testClient(t)
		for _, rs := range s.RootModule().Resources {
			var err error
			switch {
			case integrationResourceTypes[rs.Type]:
				_, err = client.GetIntegration(context.Background(), rs.Primary.Attributes["org_id"], rs.Primary.ID)
			case driverResourceTypes[rs.Type]:
				_, err = client.GetDriver(context.Background(), rs.Primary.ID)
			default:
				continue
			}
			if err == nil {
				return fmt.Errorf("%s %s still exists", rs.Type, rs.Primary.ID)
			}
			if !platform.IsNotFound(err) {
				return err
			}
		}
		return nil
	}
}

// driverResourceTypes are the storage driver resource types
// testAccCheckIntegrationsDestroyed covers.
var driverResourceTypes = map[string]bool{
	"dataloop_s3_storage_driver":         true,
	"dataloop_gcs_storage_driver":        true,
	"dataloop_azure_blob_storage_driver": true,
}

// integrationResourceTypes are the integration resource types testAccCheckIntegrationsDestroyed covers.
var integrationResourceTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range integrationTypeResource {
		m[r] = true
	}
	return m
}()
