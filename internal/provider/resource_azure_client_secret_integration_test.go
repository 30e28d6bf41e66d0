package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

const testAccAzureIntegrationAddress = "dataloop_azure_client_secret_integration.test"

// azureEnv is an emulator that checks Azure drivers on the shared local
// Azure stack, which the provider's credential check also uses.
type azureEnv struct {
	*testEmulator
	stack *testenv.AzureStack
}

// azureIdentity is an app registration of the local stack.
type azureIdentity struct {
	tenantID, clientID, secret, principalID string
}

func testAccAzureEnv(t *testing.T, opts ...testEmulatorOption) *azureEnv {
	t.Helper()
	var stack *testenv.AzureStack
	withAzure := func(o *emulator.Options) {
		stack = testenv.SharedAzure(t)
		o.Azure = &emulator.AzureOptions{BlobEndpoint: stack.BlobEndpoint, AuthorityHost: stack.AuthorityHost}
	}
	e := testAccEmulator(t, append([]testEmulatorOption{withAzure}, opts...)...)
	return &azureEnv{testEmulator: e, stack: stack}
}

func (env *azureEnv) newIdentity() azureIdentity {
	tenant, client, secret, principal := env.stack.NewClientIdentity()
	return azureIdentity{tenantID: tenant, clientID: client, secret: secret, principalID: principal}
}

// providerConfig renders a provider block whose checks use the local stack.
func (env *azureEnv) providerConfig(settings map[string]string) string {
	s := map[string]string{"azure_blob_endpoint": env.stack.BlobEndpoint, "azure_authority_host": env.stack.AuthorityHost}
	for k, v := range settings {
		s[k] = v
	}
	return testAccProviderConfig(s)
}

// testAccAzureIntegrationConfig takes the secret from an ephemeral
// variable, as in real use (a literal would be copied into the plan's
// configuration section); set it with testAccSetAzureSecret.
func testAccAzureIntegrationConfig(name string, id azureIdentity, version int, account string) string {
	return fmt.Sprintf(`
variable "client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dataloop_azure_client_secret_integration" "test" {
  name                     = %[1]q
  tenant_id                = %[2]q
  client_id                = %[3]q
  client_secret_wo         = var.client_secret
  client_secret_wo_version = %[4]d
  storage_account_name     = %[5]q
}
`, name, id.tenantID, id.clientID, version, account)
}

func testAccSetAzureSecret(t *testing.T, secret string) { t.Setenv("TF_VAR_client_secret", secret) }

// testAccCheckEmulatorAzureOptions checks the options the emulator holds
// for the integration at testAccAzureIntegrationAddress.
func testAccCheckEmulatorAzureOptions(e *testEmulator, id azureIdentity, secret, account string) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		iid, err := stateString(req.State, testAccAzureIntegrationAddress, "id")
		if err != nil {
			resp.Error = err
			return
		}
		opts, _ := e.IntegrationOptions(iid)
		want := map[string]any{"key": account, "secret": secret, "clientId": id.clientID, "tenantId": id.tenantID}
		for k, v := range want {
			if opts[k] != v {
				resp.Error = fmt.Errorf("the emulator holds options.%s that differ from the configuration", k)
				return
			}
		}
	})
}

// TestAccAzureClientSecretIntegration_basic stands in for creating,
// renaming and rotating the secret of an Azure (Client Secret) integration
// in the console: the provider proves the credentials with Microsoft Entra
// ID and the storage account first, and the secret never reaches state,
// plan or logs.
func TestAccAzureClientSecretIntegration_basic(t *testing.T) {
	env := testAccAzureEnv(t)
	scan := testAccSecretScan(t)
	id := env.newIdentity()
	rotated := "Q~rotated." + strings.ToLower(randomString(t, "abcdefghijklmnopqrstuvwxyz0123456789", 24))
	name, renamed := testName(t, "tf-acc-azure"), testName(t, "tf-acc-azure-renamed")
	sameID := statecheck.CompareValue(compare.ValuesSame())
	provider := env.providerConfig(nil)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               scan.WorkingDir,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				PreConfig:        func() { testAccSetAzureSecret(t, id.secret) },
				Config:           provider + testAccAzureIntegrationConfig(name, id, 1, testenv.AzureAccount),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{expectPlanNotContains(id.secret)}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAzureIntegrationAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccAzureIntegrationAddress, tfjsonpath.New("tenant_id"), knownvalue.StringExact(id.tenantID)),
					statecheck.ExpectKnownValue(testAccAzureIntegrationAddress, tfjsonpath.New("client_id"), knownvalue.StringExact(id.clientID)),
					statecheck.ExpectKnownValue(testAccAzureIntegrationAddress, tfjsonpath.New("client_secret_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccAzureIntegrationAddress, tfjsonpath.New("storage_account_name"), knownvalue.StringExact(testenv.AzureAccount)),
					testAccCheckEmulatorAzureOptions(env.testEmulator, id, id.secret, testenv.AzureAccount),
					expectStateNotContains(id.secret),
				},
			},
			{
				// Rename in place.
				Config: provider + testAccAzureIntegrationConfig(renamed, id, 1, testenv.AzureAccount),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAzureIntegrationAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAzureIntegrationAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccAzureIntegrationAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
				},
			},
			{
				// Rotate the secret: the new one is checked and sent, in place.
				PreConfig: func() {
					env.stack.RegisterClient(id.tenantID, id.clientID, rotated)
					testAccSetAzureSecret(t, rotated)
				},
				Config: provider + testAccAzureIntegrationConfig(renamed, id, 2, testenv.AzureAccount),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccAzureIntegrationAddress, plancheck.ResourceActionUpdate),
					expectPlanNotContains(rotated),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccAzureIntegrationAddress, tfjsonpath.New("id")),
					testAccCheckEmulatorAzureOptions(env.testEmulator, id, rotated, testenv.AzureAccount),
					expectStateNotContains(id.secret, rotated),
				},
			},
			{
				Config:   provider + testAccAzureIntegrationConfig(renamed, id, 2, testenv.AzureAccount),
				PlanOnly: true,
			},
			{
				ResourceName:      testAccAzureIntegrationAddress,
				ImportState:       true,
				ImportStateVerify: true,
				// NOTE: the platform never returns credentials.
				ImportStateVerifyIgnore: []string{"tenant_id", "client_id", "storage_account_name", "client_secret_wo_version"},
			},
		},
	})
	if t.Failed() || t.Skipped() {
		return
	}
	scan.Verify(t, []string{id.secret, rotated}, "Creating Azure client-secret integration", "Updating Azure client-secret integration", id.clientID)
}

// TestAccAzureClientSecretIntegration_badSecretFailsApply stands in for a
// mistyped client secret (or its Secret ID pasted instead of its Value):
// the plan warns, the apply fails on client_secret_wo before the platform
// is called, and the fixed configuration then applies in the same workspace.
// Neither secret shows in the error, the TRACE log, the plan or the state.
func TestAccAzureClientSecretIntegration_badSecretFailsApply(t *testing.T) {
	env := testAccAzureEnv(t)
	scan := testAccSecretScan(t)
	id := env.newIdentity()
	wrong := "Q~wrong." + strings.ToLower(randomString(t, "abcdefghijklmnopqrstuvwxyz0123456789", 24))
	name := testName(t, "tf-acc-azure-bad")
	provider := env.providerConfig(nil)
	refused := expectErrorWithout(regexp.MustCompile(`(?s)Azure Credentials Check Failed.*Nothing was created.*AADSTS7000215`), wrong, id.secret)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               scan.WorkingDir,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		ErrorCheck:               refused.Check,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { testAccSetAzureSecret(t, wrong) },
				Config:    provider + testAccAzureIntegrationConfig(name, id, 1, testenv.AzureAccount),
			},
			{
				PreConfig: func() {
					testAccSetAzureSecret(t, id.secret)
					testAccExpectNoIntegration(t, name)
				},
				Config:           provider + testAccAzureIntegrationConfig(name, id, 1, testenv.AzureAccount),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{expectPlanNotContains(wrong, id.secret)}},
				ConfigStateChecks: []statecheck.StateCheck{
					testAccCheckEmulatorAzureOptions(env.testEmulator, id, id.secret, testenv.AzureAccount),
					expectStateNotContains(wrong, id.secret),
				},
			},
		},
	})
	if t.Failed() || t.Skipped() {
		return
	}
	if refused.Seen != 1 {
		t.Fatalf("the wrong secret failed %d applies, want 1", refused.Seen)
	}
	scan.Verify(t, []string{wrong, id.secret}, "Azure Credentials Check Failed", "Creating Azure client-secret integration")
}

// TestAzureClientSecretIntegration_validation: malformed IDs and names fail
// at validate time on their attribute, before any call.
func TestAzureClientSecretIntegration_validation(t *testing.T) {
	testUnitProviderEnv(t)
	good := azureIdentity{tenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", clientID: "0b1f6471-1bf0-4dda-aec3-cb9272f09590"}
	for name, tc := range map[string]struct {
		id      azureIdentity
		account string
		want    string
	}{
		"tenant":  {azureIdentity{tenantID: "contoso.onmicrosoft.com", clientID: good.clientID}, "acct", `(?s)Invalid Azure Tenant ID.*tenant_id`},
		"client":  {azureIdentity{tenantID: good.tenantID, clientID: "my-app"}, "acct", `(?s)Invalid Azure Client ID.*client_id`},
		"account": {good, "Bad_Account", `(?s)Invalid Azure Storage Account Name.*storage_account_name`},
	} {
		t.Run(name, func(t *testing.T) {
			testAccSetAzureSecret(t, "s")
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccAzureIntegrationConfig("x", tc.id, 1, tc.account),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}
