package provider

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// testAccStrictPlan is the access_check setting that makes a failed
// plan-time check an error, for tests of what the plan-time check reports.
var testAccStrictPlan = map[string]string{"plan_severity": "error"}

// testAccCredentialCheckOff is a provider block that turns the access check
// off, for lifecycle tests of key and STS integrations with made-up keys
// that AWS would reject.
func testAccCredentialCheckOff() string {
	return testAccProviderConfig(map[string]string{"on_plan": "false", "on_apply": "false"})
}

// credentialCheckEnv is an emulator and the moto server the provider's
// credential check talks to.
type credentialCheckEnv struct {
	*testEmulator
	moto *testenv.Moto
}

func testAccCredentialCheckEnv(t *testing.T) *credentialCheckEnv {
	t.Helper()
	e := testAccEmulator(t) // skips without TF_ACC, before moto starts
	return &credentialCheckEnv{testEmulator: e, moto: testenv.SharedMoto(t)}
}

// providerConfig renders a provider block whose access check uses moto,
// with the given further access_check settings.
func (env *credentialCheckEnv) providerConfig(settings map[string]string) string {
	s := maps.Clone(settings)
	if s == nil {
		s = map[string]string{}
	}
	s["aws_endpoint"] = env.moto.Endpoint
	return testAccProviderConfig(s)
}

// stsUser creates an IAM user allowed to call sts:AssumeRole, which moto
// requires besides the role's trust policy.
func (env *credentialCheckEnv) stsUser(t *testing.T) testenv.AccessKey {
	t.Helper()
	return env.moto.CreateUser(t, testName(t, "tf-sts-user"),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
}

// setTrust replaces the trust policy of a role with one naming principal.
func (env *credentialCheckEnv) setTrust(t *testing.T, role, principal string) {
	t.Helper()
	if _, err := env.moto.IAM().UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
		RoleName:       aws.String(role),
		PolicyDocument: aws.String(s3DriverTrust(t, principal)),
	}); err != nil {
		t.Fatalf("updating the trust policy of %s: %v", role, err)
	}
}

// expectNoIntegrationWrites fails the test when the platform was asked to
// create or change an integration, or holds one named name.
func (env *credentialCheckEnv) expectNoIntegrationWrites(t *testing.T, name string) {
	t.Helper()
	stats := env.Stats()
	for _, route := range []string{"POST /orgs/{orgId}/integrations", "PATCH /orgs/{orgId}/integrations"} {
		if n := stats[route]; n != 0 {
			t.Errorf("%s was called %d times, but the failed credential check should have stopped it", route, n)
		}
	}
	integrations, err := testClient(t).ListIntegrations(context.Background(), testOrgID)
	if err != nil {
		t.Fatalf("listing integrations: %v", err)
	}
	for _, in := range integrations {
		if in.Name == name {
			t.Errorf("integration %s (%q) exists on the platform", in.ID, in.Name)
		}
	}
}

// A role whose trust policy names another principal fails the plan on
// role_arn, with the trust policy that fixes it, and terraform apply creates
// nothing. Once the trust is fixed, plan and apply pass. The secret is never
// in the logs (where the provider's diagnostics are recorded too), the
// plan or the state.
func TestAccAWSSTSIntegration_credentialCheckWrongTrust(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	scan := testAccSecretScan(t)
	user := env.stsUser(t)
	other := env.moto.CreateUser(t, testName(t, "tf-other"), "")
	roleName := testName(t, "tf-sts-role")
	roleARN := env.moto.CreateRole(t, roleName, s3DriverTrust(t, other.UserARN), "")
	name := testName(t, "tf-acc-sts")
	t.Setenv("TF_VAR_secret_access_key", user.SecretAccessKey)
	config := env.providerConfig(testAccStrictPlan) + testAccAWSSTSIntegrationEphemeralConfig(name, user.AccessKeyID, roleARN)
	atPlan := regexp.MustCompile(`(?s)AWS Credentials Check Failed.*role_arn.*Checked\s+at\s+plan\s+time.*` +
		`credentials: passed.*assume_role: FAILED.*sts:AssumeRole.*` + regexp.QuoteMeta(roleARN) +
		`.*fix\s+"assume_role".*"AWS":\s*"` + regexp.QuoteMeta(user.UserARN) + `"`)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		WorkingDir:               scan.WorkingDir,
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectError: atPlan},
			{Config: config, ExpectError: atPlan},
			{
				PreConfig: func() {
					env.expectNoIntegrationWrites(t, name)
					env.setTrust(t, roleName, user.UserARN)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{expectPlanNotContains(user.SecretAccessKey)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("role_arn"), knownvalue.StringExact(roleARN)),
					expectStateNotContains(user.SecretAccessKey),
					testAccCheckEmulatorSTSCredentials(env.testEmulator, user.AccessKeyID, user.SecretAccessKey, roleARN),
				},
			},
		},
	})
	if t.Failed() || t.Skipped() {
		return
	}
	scan.Verify(t, []string{user.SecretAccessKey},
		"Credentials check finished", "AWS Credentials Check Failed", "Creating AWS STS integration")
}

// A correct STS configuration passes the check at plan and apply; changing
// the role checks the new one, at plan, and at apply before the platform
// is called.
func TestAccAWSSTSIntegration_credentialCheckUpdate(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	user := env.stsUser(t)
	trusted := env.moto.CreateRole(t, testName(t, "tf-sts-role"), s3DriverTrust(t, user.UserARN), "")
	trusted2 := env.moto.CreateRole(t, testName(t, "tf-sts-role"), s3DriverTrust(t, user.UserARN), "")
	untrusted := env.moto.CreateRole(t, testName(t, "tf-sts-role"), s3DriverTrust(t, env.moto.AdminARN), "")
	name := testName(t, "tf-acc-sts")
	config := func(settings map[string]string, role string) string {
		return env.providerConfig(settings) + testAccAWSSTSIntegrationConfig(name, user.AccessKeyID, user.SecretAccessKey, 1, role)
	}
	var patches int

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config(nil, trusted),
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorSTSCredentials(env.testEmulator, user.AccessKeyID, user.SecretAccessKey, trusted),
				},
			},
			{
				Config: config(nil, trusted2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testAccSTSAddress, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorSTSCredentials(env.testEmulator, user.AccessKeyID, user.SecretAccessKey, trusted2),
				},
			},
			{
				Config:      config(testAccStrictPlan, untrusted),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*role_arn.*assume_role: FAILED.*` + regexp.QuoteMeta(untrusted)),
			},
			{
				// Without the plan-time check the apply-time check stops the
				// update before the platform receives the new role.
				PreConfig:   func() { patches = env.Stats()["PATCH /orgs/{orgId}/integrations"] },
				Config:      config(map[string]string{"on_plan": "false", "propagation_timeout": "1s"}, untrusted),
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*Checked\s+at\s+apply\s+time.*assume_role: FAILED`),
			},
			{
				PreConfig: func() {
					if got := env.Stats()["PATCH /orgs/{orgId}/integrations"]; got != patches {
						t.Errorf("the integration was updated %d times after a failed check", got-patches)
					}
				},
				Config: config(nil, trusted2),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorSTSCredentials(env.testEmulator, user.AccessKeyID, user.SecretAccessKey, trusted2),
				},
			},
		},
	})
}

// With on_plan = false the plan does not check, but the apply does, with
// propagation retries, and creates nothing when the check fails.
func TestAccAWSSTSIntegration_credentialCheckOnApplyOnly(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	user := env.stsUser(t)
	roleARN := env.moto.CreateRole(t, testName(t, "tf-sts-role"), s3DriverTrust(t, env.moto.AdminARN), "")
	name := testName(t, "tf-acc-sts")
	config := env.providerConfig(map[string]string{"on_plan": "false", "propagation_timeout": "2s"}) +
		testAccAWSSTSIntegrationConfig(name, user.AccessKeyID, user.SecretAccessKey, 1, roleARN)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true},
			{
				Config: config,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*role_arn.*Checked\s+at\s+apply\s+time,` +
					`\s+\d+\s+times.*assume_role: FAILED.*fix\s+"assume_role".*` + regexp.QuoteMeta(user.UserARN)),
			},
		},
	})
	if !t.Failed() && !t.Skipped() {
		env.expectNoIntegrationWrites(t, name)
	}
}

// The apply-time credential check fits inside the create timeout, as the
// driver's check does: with a propagation timeout longer than the create
// timeout it stops early enough to report the failed check (and leave time
// for the platform call), instead of running into the deadline.
func TestAccAWSSTSIntegration_credentialCheckCreateBudget(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	user := env.stsUser(t)
	roleARN := env.moto.CreateRole(t, testName(t, "tf-sts-role"), s3DriverTrust(t, env.moto.AdminARN), "")
	name := testName(t, "tf-acc-sts")
	config := env.providerConfig(map[string]string{"on_plan": "false", "propagation_timeout": "10m"}) +
		testAccAWSSTSIntegrationConfig(name, user.AccessKeyID, user.SecretAccessKey, 1, roleARN, `timeouts = { create = "12s" }`)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: config,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*Checked\s+at\s+apply\s+time,\s+\d+\s+times\s+over\s+up\s+to\s+\d+s.*` +
					`access_check.propagation_timeout\s+is\s+10m.*Set\s+timeouts.create\s+and\s+timeouts.update\s+to\s+at\s+least\s+10m30s.*assume_role: FAILED`),
			},
		},
	})
	if !t.Failed() && !t.Skipped() {
		env.expectNoIntegrationWrites(t, name)
	}
}

// A key that AWS does not know fails the plan on access_key_id. With
// severity = "warning" the plan and the apply go on.
func TestAccAWSAccessKeyIntegration_credentialCheckUnknownKey(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)
	name := testName(t, "tf-acc-key")
	resourceConfig := testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:   env.providerConfig(testAccStrictPlan) + resourceConfig,
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*access_key_id.*Checked\s+at\s+plan\s+time.*` +
					`credentials: FAILED.*` + keyID + `.*InvalidClientTokenId.*fix\s+"credentials"`),
			},
			{
				PreConfig: func() { env.expectNoIntegrationWrites(t, name) },
				Config:    env.providerConfig(map[string]string{"severity": "warning", "propagation_timeout": "1s"}) + resourceConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorCredentials(env.testEmulator, testAccAccessKeyAddress, keyID, secret),
				},
			},
		},
	})
}

// testAccVerifyCredentialsOff is the attribute line that turns an
// integration's credential check off, for the config builders' extra lines.
const testAccVerifyCredentialsOff = "verify_credentials = false"

// A key that AWS does not know, as of an S3-compatible store, fails the plan
// while verify_credentials is unset. With verify_credentials = false the
// plan and the apply skip the check, at create and at update, and accept a
// key ID that is not shaped like an AWS one (MinIO's); the access_check
// block stays on.
func TestAccAWSAccessKeyIntegration_verifyCredentialsOff(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	keyID, secret, rotated := testAccessKeyID(t), testSecretAccessKey(t), testSecretAccessKey(t)
	const minioKeyID = "minio-lab-reader"
	name := testName(t, "tf-acc-key")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:      env.providerConfig(testAccStrictPlan) + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*access_key_id.*credentials: FAILED.*InvalidClientTokenId`),
			},
			{
				PreConfig: func() { env.expectNoIntegrationWrites(t, name) },
				Config:    env.providerConfig(nil) + testAccAWSAccessKeyIntegrationConfig(name, keyID, secret, 1, testAccVerifyCredentialsOff),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionCreate),
						plancheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("verify_credentials"), knownvalue.Bool(false)),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAccessKeyAddress, tfjsonpath.New("verify_credentials"), knownvalue.Bool(false)),
					testAccCheckEmulatorCredentials(env.testEmulator, testAccAccessKeyAddress, keyID, secret),
				},
			},
			{
				Config: env.providerConfig(nil) + testAccAWSAccessKeyIntegrationConfig(name, minioKeyID, rotated, 2, testAccVerifyCredentialsOff),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(testAccAccessKeyAddress, plancheck.ResourceActionUpdate),
					},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorCredentials(env.testEmulator, testAccAccessKeyAddress, minioKeyID, rotated),
				},
			},
		},
	})
}

// verify_credentials = false skips the STS integration's check too: a key
// and role that AWS does not know pass plan and apply.
func TestAccAWSSTSIntegration_verifyCredentialsOff(t *testing.T) {
	env := testAccCredentialCheckEnv(t)
	keyID, secret := testAccessKeyID(t), testSecretAccessKey(t)
	role := "arn:aws:iam::210987654321:role/dataloop-sts"
	name := testName(t, "tf-acc-sts")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:      env.providerConfig(testAccStrictPlan) + testAccAWSSTSIntegrationConfig(name, keyID, secret, 1, role),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)AWS Credentials Check Failed.*access_key_id.*credentials: FAILED`),
			},
			{
				Config: env.providerConfig(nil) + testAccAWSSTSIntegrationConfig(name, keyID, secret, 1, role, testAccVerifyCredentialsOff),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccSTSAddress, tfjsonpath.New("verify_credentials"), knownvalue.Bool(false)),
					testAccCheckEmulatorSTSCredentials(env.testEmulator, keyID, secret, role),
				},
			},
		},
	})
}

func testAccAWSSTSIntegrationEphemeralConfig(name, keyID, roleARN string) string {
	return fmt.Sprintf(`
variable "secret_access_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dataloop_aws_sts_integration" "test" {
  name                         = %[1]q
  access_key_id                = %[2]q
  secret_access_key_wo         = var.secret_access_key
  secret_access_key_wo_version = 1
  role_arn                     = %[3]q
}
`, name, keyID, roleARN)
}

// The failure detail lists the checks and the fix, names the key ID and
// never the secret; the diagnostic points at the input at fault and follows
// the severity.
func TestReportCredentialCheck(t *testing.T) {
	const (
		keyID  = "AKIAIOSFODNN7EXAMPLE"
		secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
		role   = "arn:aws:iam::123456789012:role/dataloop"
		hint   = `{"Version":"2012-10-17"}`
	)
	creds := accesscheck.AWSCredentials{AccessKeyID: keyID, SecretAccessKey: secret, RoleARN: role}
	roleDenied := accesscheck.Result{Checks: []accesscheck.Check{
		{Name: accesscheck.CheckCredentials, Success: true, Message: "AWS accepts access key " + keyID + "."},
		{Name: accesscheck.CheckAssumeRole, Message: "Access denied.", Hint: hint},
	}}
	keyRejected := accesscheck.Result{Checks: []accesscheck.Check{
		{Name: accesscheck.CheckCredentials, Message: "AWS does not know access key " + keyID + ".", Input: accesscheck.InputAccessKeyID},
	}}
	secretRejected := accesscheck.Result{Checks: []accesscheck.Check{
		{Name: accesscheck.CheckCredentials, Message: "AWS rejected the secret access key.", Input: accesscheck.InputSecretAccessKey},
	}}
	tests := map[string]struct {
		res      accesscheck.Result
		err      error
		severity string
		// atPlan reports a plan-time check, which follows planSeverity.
		atPlan       bool
		planSeverity string
		wantOK       bool
		wantWarning  bool
		wantPath     string
		want         []string
	}{
		"role denied": {
			res: roleDenied, severity: severityError, wantPath: "role_arn",
			want: []string{"assume_role: FAILED", "credentials: passed", `To fix "assume_role"`, "    " + hint, role, keyID},
		},
		"key rejected": {
			res: keyRejected, severity: severityError, wantPath: "access_key_id",
			want: []string{"credentials: FAILED", `To fix "credentials"`, "secret_access_key_wo_version"},
		},
		"secret rejected": {
			res: secretRejected, severity: severityError, wantPath: "secret_access_key_wo",
			want: []string{"credentials: FAILED", "checked access key " + keyID + " with AWS"},
		},
		"warning": {res: keyRejected, severity: severityWarning, wantOK: true, wantWarning: true, wantPath: "access_key_id"},
		"plan-time warning by default": {
			res: roleDenied, severity: severityError, atPlan: true, planSeverity: severityWarning,
			wantOK: true, wantWarning: true, wantPath: "role_arn",
			want: []string{"assume_role: FAILED", "runs again at apply time", `access_check.plan_severity = "error"`},
		},
		"plan-time error with plan_severity error": {
			res: roleDenied, severity: severityWarning, atPlan: true, planSeverity: severityError,
			wantPath: "role_arn", want: []string{"assume_role: FAILED", `plan_severity is "error"`},
		},
		"plan-time input error stays an error": {
			err: &accesscheck.InputError{Field: "role_arn", Message: "is not a role ARN"}, atPlan: true, planSeverity: severityWarning,
			wantPath: "role_arn", want: []string{"role_arn"},
		},
		"input error": {
			err: &accesscheck.InputError{Field: "secret_access_key", Message: "must not be empty"}, severity: severityWarning,
			wantPath: "secret_access_key_wo", want: []string{"secret_access_key"},
		},
		"success": {res: accesscheck.Result{Checks: roleDenied.Checks[:1]}, severity: severityError, wantOK: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			cfg := accessCheckConfig{Severity: tt.severity, PlanSeverity: tt.planSeverity}
			ok := reportCredentialCheck(&diags, cfg, creds, tt.res, tt.err, "Checked at plan time.", tt.atPlan)
			if ok != tt.wantOK {
				t.Errorf("ok = %t, want %t", ok, tt.wantOK)
			}
			if tt.wantPath == "" {
				if len(diags) != 0 {
					t.Errorf("diagnostics = %v, want none", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("diagnostics = %v, want one", diags)
			}
			if got := diags[0].Severity() == diag.SeverityWarning; got != tt.wantWarning {
				t.Errorf("diagnostic is a warning: %t, want %t", got, tt.wantWarning)
			}
			d, ok := diags[0].(diag.DiagnosticWithPath)
			if !ok || d.Path().String() != tt.wantPath {
				t.Errorf("diagnostic %v does not point at %s", diags[0], tt.wantPath)
			}
			for _, w := range tt.want {
				if !strings.Contains(diags[0].Detail(), w) {
					t.Errorf("detail does not contain %q:\n%s", w, diags[0].Detail())
				}
			}
			if strings.Contains(diags[0].Summary()+diags[0].Detail(), secret) {
				t.Error("the secret appears in the diagnostic")
			}
		})
	}
}
