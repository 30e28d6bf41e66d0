package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const (
	testAccAzureRolesAddr = "data.dataloop_azure_role_assignments.test"
	testAzureSubscription = "00000000-1111-2222-3333-444444444444"
	testAzureAccountID    = "/subscriptions/" + testAzureSubscription + "/resourceGroups/datasets/providers/Microsoft.Storage/storageAccounts/acmedata"
	testAzurePrincipal    = "11111111-2222-3333-4444-555555555555"
	// Storage Blob Data Contributor, the same GUID in every subscription.
	testAzureContributorID = "/subscriptions/" + testAzureSubscription + "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe"
)

// azureRoleAssignmentsCheck expects role_assignments to hold the one
// Contributor assignment on scope for principal ("" for null).
func azureRoleAssignmentsCheck(scope, what, principal string) knownvalue.Check {
	var p knownvalue.Check = knownvalue.Null()
	if principal != "" {
		p = knownvalue.StringExact(principal)
	}
	return knownvalue.MapExact(map[string]knownvalue.Check{"data": knownvalue.ObjectExact(map[string]knownvalue.Check{
		"scope":                knownvalue.StringExact(scope),
		"role_definition_name": knownvalue.StringExact("Storage Blob Data Contributor"),
		"role_definition_id":   knownvalue.StringExact(testAzureContributorID),
		"principal_id":         p,
		"description": knownvalue.StringExact("Lets Dataloop list and read the data in " + what +
			", and write and delete its own files under the driver path's .dataloop/ folder."),
	})})
}

func TestAccAzureRoleAssignmentsDataSource_basic(t *testing.T) {
	testAccEmulator(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccAzureRolesDataSourceConfig(
					`storage_account_id = "`+testAzureAccountID+`"`,
					`container          = "images"`,
					`principal_id       = "`+testAzurePrincipal+`"`,
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAzureRolesAddr, tfjsonpath.New("role_assignments"),
						azureRoleAssignmentsCheck(testAzureAccountID+"/blobServices/default/containers/images", "container images", testAzurePrincipal)),
				},
			},
			{
				Config: testAccAzureRolesDataSourceConfig(`storage_account_id = "` + testAzureAccountID + `"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testAccAzureRolesAddr, tfjsonpath.New("role_assignments"),
						azureRoleAssignmentsCheck(testAzureAccountID, "every container of the storage account", "")),
				},
			},
		},
	})
}

func TestAccAzureRoleAssignmentsDataSource_invalid(t *testing.T) {
	testAccEmulator(t)
	account := `storage_account_id = "` + testAzureAccountID + `"`
	cases := []invalidAttrsCase{
		{[]string{`storage_account_id = "acmedata"`}, `(?s)Invalid Azure Storage Account ID.*The value of storage_account_id is not valid. "acmedata" is not a storage account resource ID. Use the storage account's resource ID`},
		{[]string{`storage_account_id = "/subscriptions/` + testAzureSubscription + `/resourceGroups/datasets/providers/Microsoft.Storage/storageAccounts/Acme_Data"`},
			`(?s)Invalid Azure Storage Account ID.*names storage account "Acme_Data", which is not a valid storage account name`},
		{[]string{account, `container = "Images"`}, `(?s)Invalid Azure Container Name.*The value of container is not valid. Container name "Images" holds characters other than lowercase letters`},
		{[]string{account, `container = "my--images"`}, `(?s)Invalid Azure Container Name.*contains two hyphens in a row`},
		{[]string{account, `principal_id = "dataloop-app"`}, `(?s)Invalid Azure Principal \(object\) ID.*The value of principal_id is not valid. Principal \(object\) ID "dataloop-app" is not a GUID`},
	}
	testAccInvalidDataSourceTest(t, "azure_role_assignments", cases)
}

// TestAccAzureRoleAssignmentsFunction_matchesDataSource calls the function
// and the data source with the same inputs and expects the same values.
func TestAccAzureRoleAssignmentsFunction_matchesDataSource(t *testing.T) {
	testAccEmulator(t)
	want := func(scope, what, principal string) knownvalue.Check {
		return knownvalue.ObjectExact(map[string]knownvalue.Check{"role_assignments": azureRoleAssignmentsCheck(scope, what, principal)})
	}
	account := fmt.Sprintf("storage_account_id = %q", testAzureAccountID)
	testAccFunctionTest(t, testAccFunctionMatchesDataSourceSteps("azure_role_assignments",
		`{ role_assignments = data.dataloop_azure_role_assignments.test.role_assignments }`, []sameResultCase{
			{
				args:  fmt.Sprintf(`%q, "images", %q`, testAzureAccountID, testAzurePrincipal),
				attrs: []string{account, `container = "images"`, fmt.Sprintf("principal_id = %q", testAzurePrincipal)},
				want:  want(testAzureAccountID+"/blobServices/default/containers/images", "container images", testAzurePrincipal),
			},
			{
				args:  fmt.Sprintf(`%q, null, null`, testAzureAccountID),
				attrs: []string{account},
				want:  want(testAzureAccountID, "every container of the storage account", ""),
			},
		}))
}

// TestAccAzureRoleAssignmentsFunction_knownAtPlan: with an input from a
// resource that is known at plan, the function's assignments are known at
// plan, while the data source's are known only after apply.
func TestAccAzureRoleAssignmentsFunction_knownAtPlan(t *testing.T) {
	testAccEmulator(t)
	roles := azureRoleAssignmentsCheck(testAzureAccountID+"/blobServices/default/containers/images", "container images", "")
	testAccFunctionTest(t, []resource.TestStep{testAccKnownAtPlanStep(testAccConfig(
		`provider "dataloop" {}`,
		`resource "terraform_data" "container" { input = "images" }`,
		fmt.Sprintf(`data "dataloop_azure_role_assignments" "test" {
  storage_account_id = %q
  container          = terraform_data.container.input
}`, testAzureAccountID),
		fmt.Sprintf(`output "function" { value = provider::dataloop::azure_role_assignments(%q, terraform_data.container.input, null) }`, testAzureAccountID),
		`output "data_source" { value = data.dataloop_azure_role_assignments.test.role_assignments }`,
	), knownvalue.ObjectExact(map[string]knownvalue.Check{"role_assignments": roles}), roles)})
}

func TestAccAzureRoleAssignmentsFunction_invalid(t *testing.T) {
	testAccEmulator(t)
	account := fmt.Sprintf("%q", testAzureAccountID)
	testAccFunctionTest(t, testAccInvalidFunctionSteps("azure_role_assignments", []invalidArgsCase{
		{`"acmedata", null, null`, `(?s)Invalid value for "storage_account_id" parameter: "acmedata" is not a storage account resource ID`},
		{account + `, "Images", null`, `(?s)Invalid value for "container" parameter: container name "Images" holds characters other than lowercase letters`},
		{account + `, "images", "dataloop-app"`, `(?s)Invalid value for "principal_id" parameter: principal \(object\) ID "dataloop-app" is not a GUID`},
		{`null, "images", null`, `(?s)Invalid value for "storage_account_id" parameter: argument must not be null`},
	}))
}

func testAccAzureRolesDataSourceConfig(attrs ...string) string {
	return testAccGeneratorDataSourceConfig("azure_role_assignments", attrs...)
}

// TestAccAzureRoleAssignmentsFunction_unknownIdentity: a storage account
// and principal that are unknown at plan (created in the same apply) leave
// only the scope, role definition ID and principal unknown; an invalid one
// fails at apply, naming the parameter.
func TestAccAzureRoleAssignmentsFunction_unknownIdentity(t *testing.T) {
	testAccEmulator(t)
	data := tfjsonpath.New("role_assignments").AtMapKey("data")
	testAccFunctionTest(t, []resource.TestStep{
		{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				fmt.Sprintf(`resource "terraform_data" "account" { input = %q }`, testAzureAccountID),
				fmt.Sprintf(`resource "terraform_data" "principal" { input = %q }`, testAzurePrincipal),
				`output "function" { value = provider::dataloop::azure_role_assignments(terraform_data.account.output, "images", terraform_data.principal.output) }`,
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownOutputValueAtPath("function", data.AtMapKey("scope")),
					plancheck.ExpectUnknownOutputValueAtPath("function", data.AtMapKey("role_definition_id")),
					plancheck.ExpectUnknownOutputValueAtPath("function", data.AtMapKey("principal_id")),
					plancheck.ExpectKnownOutputValueAtPath("function", data.AtMapKey("role_definition_name"),
						knownvalue.StringExact("Storage Blob Data Contributor")),
					plancheck.ExpectKnownOutputValueAtPath("function", data.AtMapKey("description"),
						knownvalue.StringExact("Lets Dataloop list and read the data in container images, and write and delete its own files under the driver path's .dataloop/ folder.")),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("function", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"role_assignments": azureRoleAssignmentsCheck(testAzureAccountID+"/blobServices/default/containers/images", "container images", testAzurePrincipal),
				})),
			},
		},
		{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				`resource "terraform_data" "bad" { input = "acmedata" }`,
				`output "bad" { value = provider::dataloop::azure_role_assignments(terraform_data.bad.output, null, null) }`,
			),
			ExpectError: testAccErrorRegexp(`(?s)Invalid value for "storage_account_id" parameter: "acmedata" is not a storage account resource ID`),
		},
	})
}

// TestAccAzureRoleAssignmentsDataSource_unknownAtPlan: inputs known only at
// apply (a storage account and service principal created in the same
// apply, say) defer the read to apply. There an invalid one fails, naming
// the attribute, before anything that uses the assignments is created; a
// valid one plans as known after apply and applies.
func TestAccAzureRoleAssignmentsDataSource_unknownAtPlan(t *testing.T) {
	testAccEmulator(t)
	input := func(account, container, principal string) string {
		return fmt.Sprintf(`{ storage_account_id = %q, container = %q, principal_id = %q }`, account, container, principal)
	}
	testAccUnknownInputTest(t, testAccAzureRolesAddr, "role_assignments", `data "dataloop_azure_role_assignments" "test" {
  storage_account_id = terraform_data.in.output.storage_account_id
  container          = terraform_data.in.output.container
  principal_id       = terraform_data.in.output.principal_id
}`, []unknownInputCase{
		{input: input("acmedata", "images", testAzurePrincipal),
			err: `Invalid Azure Storage Account ID.*The value of storage_account_id is not valid. "acmedata" is not a storage account resource ID`},
		{input: input(testAzureAccountID, "Images", testAzurePrincipal),
			err: `Invalid Azure Container Name.*The value of container is not valid. Container name "Images" holds characters other than lowercase letters`},
		{input: input(testAzureAccountID, "images", "dataloop-app"),
			err: `Invalid Azure Principal \(object\) ID.*The value of principal_id is not valid. Principal \(object\) ID "dataloop-app" is not a GUID`},
		{input: input(testAzureAccountID, "images", testAzurePrincipal),
			want: azureRoleAssignmentsCheck(testAzureAccountID+"/blobServices/default/containers/images", "container images", testAzurePrincipal)},
	})
}
