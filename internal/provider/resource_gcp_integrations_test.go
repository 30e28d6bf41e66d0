package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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

const (
	testAccGCPKeyAddress   = "dataloop_gcp_private_key_integration.test"
	testAccGCPCrossAddress = "dataloop_gcp_cross_project_integration.test"
)

// gcpEnv is an emulator with a platform service account on the shared local
// GCS, which also issues the tokens the provider's key check obtains.
type gcpEnv struct {
	*testEmulator
	gcs        *testenv.GCS
	platformSA string
}

func testAccGCPEnv(t *testing.T, opts ...testEmulatorOption) *gcpEnv {
	t.Helper()
	env := &gcpEnv{}
	withGCP := func(o *emulator.Options) {
		env.gcs = testenv.SharedGCS(t)
		email, key, err := env.gcs.CreateServiceAccount(context.Background(), testenv.UniqueName("plat-"))
		if err != nil {
			t.Fatal(err)
		}
		env.platformSA = email
		o.GCP = &emulator.GCPOptions{PlatformKeyJSON: string(key), StorageEndpoint: env.gcs.Endpoint, IAMCredentialsEndpoint: env.gcs.Endpoint}
	}
	env.testEmulator = testAccEmulator(t, append([]testEmulatorOption{withGCP}, opts...)...)
	return env
}

// newServiceAccount creates a service account with a key; it returns the
// email, the key file and a distinctive line of its private key.
func (env *gcpEnv) newServiceAccount(t *testing.T) (string, string, string) {
	t.Helper()
	email, key, err := env.gcs.CreateServiceAccount(context.Background(), testenv.UniqueName("cust-"))
	if err != nil {
		t.Fatal(err)
	}
	return email, string(key), keyLine(t, key)
}

// keyLine returns a line from the middle of the key's PEM, as it appears in
// the key file (JSON) and in the decoded key alike.
func keyLine(t *testing.T, key []byte) string {
	t.Helper()
	var k struct {
		PrivateKey string `json:"private_key"`
	}
	if err := json.Unmarshal(key, &k); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(k.PrivateKey, "\n")
	return lines[len(lines)/2]
}

func testAccGCPKeyConfig(name string, version int) string {
	return fmt.Sprintf(`
variable "key_json" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "dataloop_gcp_private_key_integration" "test" {
  name                = %[1]q
  key_json_wo         = var.key_json
  key_json_wo_version = %[2]d
}
`, name, version)
}

func testAccSetGCPKey(t *testing.T, key string) { t.Setenv("TF_VAR_key_json", key) }

// TestAccGCPPrivateKeyIntegration_basic stands in for creating, renaming and
// rotating the key of a GCP (Private Key) integration in the console: the
// provider obtains a token with the key first, and the key never reaches
// state, plan or logs.
func TestAccGCPPrivateKeyIntegration_basic(t *testing.T) {
	env := testAccGCPEnv(t)
	scan := testAccSecretScan(t)
	email, key, line := env.newServiceAccount(t)
	rotatedKeyBytes, err := env.gcs.Front.CreateKey(email)
	if err != nil {
		t.Fatal(err)
	}
	rotated, rotatedLine := string(rotatedKeyBytes), keyLine(t, rotatedKeyBytes)
	name, renamed := testName(t, "tf-acc-gcpkey"), testName(t, "tf-acc-gcpkey-renamed")
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               scan.WorkingDir,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				PreConfig: func() { testAccSetGCPKey(t, key) },
				Config:    testAccGCPKeyConfig(name, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPlanNotContains(line),
					// Known at plan time, from the key.
					plancheck.ExpectKnownValue(testAccGCPKeyAddress, tfjsonpath.New("client_email"), knownvalue.StringExact(email)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCPKeyAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccGCPKeyAddress, tfjsonpath.New("key_json_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(testAccGCPKeyAddress, tfjsonpath.New("client_email"), knownvalue.StringExact(email)),
					testAccCheckEmulatorGCPKey(env.testEmulator, key),
					expectStateNotContains(line),
				},
			},
			{
				Config: testAccGCPKeyConfig(renamed, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccGCPKeyAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCPKeyAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccGCPKeyAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
				},
			},
			{
				PreConfig: func() { testAccSetGCPKey(t, rotated) },
				Config:    testAccGCPKeyConfig(renamed, 2),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccGCPKeyAddress, plancheck.ResourceActionUpdate),
					expectPlanNotContains(rotatedLine),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCPKeyAddress, tfjsonpath.New("id")),
					testAccCheckEmulatorGCPKey(env.testEmulator, rotated),
					expectStateNotContains(line, rotatedLine),
				},
			},
			{Config: testAccGCPKeyConfig(renamed, 2), PlanOnly: true},
			{
				ResourceName:            testAccGCPKeyAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"key_json_wo_version", "client_email"},
			},
		},
	})
	if t.Failed() || t.Skipped() {
		return
	}
	scan.Verify(t, []string{line, rotatedLine}, "Creating GCP private-key integration", "Updating GCP private-key integration", email)
}

func testAccCheckEmulatorGCPKey(e *testEmulator, key string) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		iid, err := stateString(req.State, testAccGCPKeyAddress, "id")
		if err != nil {
			resp.Error = err
			return
		}
		opts, _ := e.IntegrationOptions(iid)
		if opts["content"] != key {
			resp.Error = fmt.Errorf("the emulator does not hold the configured key as options.content")
		}
	})
}

// TestAccGCPPrivateKeyIntegration_refusedKeyFailsApply stands in for a key
// Google refuses (deleted, disabled, or not this account's): the plan warns,
// the apply fails on key_json_wo before the platform is called, and the
// fixed configuration then applies in the same workspace. Neither key shows
// in the error, the TRACE log, the plan or the state.
func TestAccGCPPrivateKeyIntegration_refusedKeyFailsApply(t *testing.T) {
	env := testAccGCPEnv(t)
	scan := testAccSecretScan(t)
	email, key, line := env.newServiceAccount(t)
	_, other, otherLine := env.newServiceAccount(t)
	// The other account's key, relabelled: its signature does not verify.
	var m map[string]any
	if err := json.Unmarshal([]byte(other), &m); err != nil {
		t.Fatal(err)
	}
	m["client_email"] = email
	forged, _ := json.Marshal(m)
	name := testName(t, "tf-acc-gcpkey-bad")
	refused := expectErrorWithout(regexp.MustCompile(`(?s)GCP Service Account Key Check Failed.*Nothing was created.*invalid_grant`), line, otherLine)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		WorkingDir:               scan.WorkingDir,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		ErrorCheck:               refused.Check,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { testAccSetGCPKey(t, string(forged)) },
				Config:    testAccGCPKeyConfig(name, 1),
			},
			{
				PreConfig: func() {
					testAccSetGCPKey(t, key)
					testAccExpectNoIntegration(t, name)
				},
				Config: testAccGCPKeyConfig(name, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					expectPlanNotContains(line, otherLine),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccGCPKeyAddress, tfjsonpath.New("client_email"), knownvalue.StringExact(email)),
					expectStateNotContains(line, otherLine),
				},
			},
		},
	})
	if t.Failed() || t.Skipped() {
		return
	}
	if refused.Seen != 1 {
		t.Fatalf("the refused key failed %d applies, want 1", refused.Seen)
	}
	scan.Verify(t, []string{line, otherLine}, "GCP Service Account Key Check Failed", "Creating GCP private-key integration")
}

// TestGCPPrivateKeyIntegration_validation: malformed keys fail at validate
// time on key_json_wo, without echoing the key's private key in the error.
func TestGCPPrivateKeyIntegration_validation(t *testing.T) {
	testUnitProviderEnv(t)
	base := map[string]any{"type": "service_account", "client_email": "dataloop-reader@acme-prod.iam.gserviceaccount.com",
		"private_key": "-----BEGIN PRIVATE KEY-----\nAAAAsecretlinethatmustnotshowAAAA\n-----END PRIVATE KEY-----\n", "token_uri": "https://oauth2.googleapis.com/token"}
	with := func(f func(map[string]any)) string {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		f(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	for name, tc := range map[string]struct{ key, want string }{
		"not json":     {`{"type": "service_account",`, `not valid JSON`},
		"wrong type":   {with(func(m map[string]any) { m["type"] = "authorized_user" }), `"authorized_user"`},
		"no email":     {with(func(m map[string]any) { delete(m, "client_email") }), `has no "client_email"`},
		"no token_uri": {with(func(m map[string]any) { delete(m, "token_uri") }), `has no "token_uri"`},
		"bad pem":      {with(func(m map[string]any) {}), `"private_key"`},
		"not pem":      {with(func(m map[string]any) { m["private_key"] = "AAAAsecretlinethatmustnotshowAAAA" }), `is not PEM`},
	} {
		t.Run(name, func(t *testing.T) {
			testAccSetGCPKey(t, tc.key)
			invalid := expectErrorWithout(regexp.MustCompile(`(?s)Invalid Service Account Key.*key_json_wo.*`+regexp.QuoteMeta(tc.want)),
				"secretlinethatmustnotshow")
			resource.UnitTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				ErrorCheck:               invalid.Check,
				Steps: []resource.TestStep{{
					Config:   testAccGCPKeyConfig("x", 1),
					PlanOnly: true,
				}},
			})
			if !t.Failed() && !t.Skipped() && invalid.Seen != 1 {
				t.Fatalf("the key was accepted")
			}
		})
	}
}

func testAccGCPCrossConfig(name, email string) string {
	binding := ""
	if email != "" {
		binding = fmt.Sprintf("  service_account_email = %q\n", email)
	}
	return fmt.Sprintf(`
resource "dataloop_gcp_cross_project_integration" "test" {
  name = %[1]q
%[2]s}
`, name, binding)
}

// TestAccGCPCrossProjectIntegration_basic stands in for the console's
// cross-project flow: create the integration, read the platform's service
// account, bind the customer's service account, rename in place, import.
// The platform's service account comes from the emulator's serviceAccount
// metadata entry, an extension (TestAccGCPCrossProjectIntegration_strict
// covers a platform without it).
func TestAccGCPCrossProjectIntegration_basic(t *testing.T) {
	env := testAccGCPEnv(t, withEmulatorExtensions)
	email, _, _ := env.newServiceAccount(t)
	name, renamed := testName(t, "tf-acc-gcpx"), testName(t, "tf-acc-gcpx-renamed")
	sameID := statecheck.CompareValue(compare.ValuesSame())

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config: testAccGCPCrossConfig(name, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCPCrossAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccGCPCrossAddress, tfjsonpath.New("platform_service_account"), knownvalue.StringExact(env.platformSA)),
				},
			},
			{
				Config: testAccGCPCrossConfig(name, email),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccGCPCrossAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCPCrossAddress, tfjsonpath.New("id")),
					testAccCheckEmulatorGCPBinding(env.testEmulator, email),
				},
			},
			{
				Config: testAccGCPCrossConfig(renamed, email),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccGCPCrossAddress, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(testAccGCPCrossAddress, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(testAccGCPCrossAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed)),
					statecheck.ExpectKnownValue(testAccGCPCrossAddress, tfjsonpath.New("platform_service_account"), knownvalue.StringExact(env.platformSA)),
				},
			},
			{Config: testAccGCPCrossConfig(renamed, email), PlanOnly: true},
			{
				ResourceName:            testAccGCPCrossAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"service_account_email"},
			},
		},
	})
}

// TestAccGCPCrossProjectIntegration_strict stands in for a platform that
// answers only as Dataloop documents it: no metadata entry names the
// platform's service account. The integration is created and bound with
// platform_service_account null (no inconsistent result, not unknown at
// the next plan), apply and plan warn where to find the account, the
// configuration shows no drift, and import round-trips.
func TestAccGCPCrossProjectIntegration_strict(t *testing.T) {
	env := testAccGCPEnv(t, withStrictEmulator)
	diags := testAccDiagnosticLog(t)
	email, _, _ := env.newServiceAccount(t)
	name, renamed := testName(t, "tf-acc-gcpx"), testName(t, "tf-acc-gcpx-renamed")
	nullSA := statecheck.ExpectKnownValue(testAccGCPCrossAddress, tfjsonpath.New("platform_service_account"), knownvalue.Null())
	where := []string{"does not name the platform's service account", "integration's page in the Dataloop console",
		"roles/iam.serviceAccountTokenCreator"}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:            testAccGCPCrossConfig(name, email),
				ConfigStateChecks: []statecheck.StateCheck{nullSA, testAccCheckEmulatorGCPBinding(env.testEmulator, email)},
			},
			{
				PreConfig: func() {
					diags.expectWarning(t, "ApplyResourceChange", "Platform Service Account Not Returned", where...)
				},
				Config: testAccGCPCrossConfig(renamed, email),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAccGCPCrossAddress, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(testAccGCPCrossAddress, tfjsonpath.New("platform_service_account"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{nullSA,
					statecheck.ExpectKnownValue(testAccGCPCrossAddress, tfjsonpath.New("name"), knownvalue.StringExact(renamed))},
			},
			testAccNoDriftStep(testAccGCPCrossConfig(renamed, email)),
			{
				PreConfig: func() {
					diags.expectWarning(t, "PlanResourceChange", "Platform Service Account Not Returned", where...)
				},
				ResourceName:            testAccGCPCrossAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"service_account_email"},
			},
		},
	})
}

func testAccCheckEmulatorGCPBinding(e *testEmulator, email string) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		iid, err := stateString(req.State, testAccGCPCrossAddress, "id")
		if err != nil {
			resp.Error = err
			return
		}
		opts, _ := e.IntegrationOptions(iid)
		if opts["email"] != email || opts["resourceName"] != "projects/-/serviceAccounts/"+email {
			resp.Error = fmt.Errorf("the emulator holds binding %v, want %s", opts, email)
		}
	})
}

// TestGCPCrossProjectIntegration_validation: a malformed binding fails at
// validate time on its attribute.
func TestGCPCrossProjectIntegration_validation(t *testing.T) {
	testUnitProviderEnv(t)
	for name, tc := range map[string]struct{ body, want string }{
		"email":      {`service_account_email = "alice@example.com"`, `(?s)Invalid Service Account Email.*service_account_email`},
		"resource":   {"service_account_email = \"dl-reader@acme-prod.iam.gserviceaccount.com\"\n  service_account_resource_name = \"dl-reader\"", `(?s)Invalid Service Account Resource Name.*service_account_resource_name`},
		"mismatch":   {"service_account_email = \"dl-reader@acme-prod.iam.gserviceaccount.com\"\n  service_account_resource_name = \"projects/acme-prod/serviceAccounts/other-acct@acme-prod.iam.gserviceaccount.com\"", `(?s)Mismatched Service Account`},
		"name alone": {`service_account_resource_name = "projects/acme-prod/serviceAccounts/dl-reader@acme-prod.iam.gserviceaccount.com"`, `(?s)Missing Service Account Email`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      fmt.Sprintf("resource \"dataloop_gcp_cross_project_integration\" \"test\" {\n  name = \"x\"\n  %s\n}\n", tc.body),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccGCPCrossProjectIntegration_bindFailureCleansUp: when the service
// account cannot be bound at create, the integration just created is
// deleted again (nothing orphaned, nothing counting toward the limit of 3)
// and the error says so on service_account_email.
func TestAccGCPCrossProjectIntegration_bindFailureCleansUp(t *testing.T) {
	e := testAccEmulator(t)
	name := testName(t, "tf-acc-gcpx")
	e.FailRequests(http.MethodPatch, "/api/v1/orgs/"+testOrgID+"/integrations", http.StatusBadRequest, 1,
		"credentials.options.email: rejected by the test")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccGCPCrossConfig(name, "dl-reader@acme-prod.iam.gserviceaccount.com"),
				ExpectError: spacedRegexp(`Unable to Bind Service Account.*service_account_email.*dl-reader@acme-prod.iam.gserviceaccount.com.*` +
					`rejected by the test.*deleted again, so nothing was left behind`),
			},
		},
	})
	testAccExpectNoIntegration(t, name)
}
