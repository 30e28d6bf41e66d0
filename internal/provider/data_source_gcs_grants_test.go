package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

const (
	testAccGCSGrantsAddr = "data.dataloop_gcs_grants.test"
	testGCSAccount       = "dataloop-datasets@acme-prod.iam.gserviceaccount.com"
	testGCSPlatform      = "dataloop-platform@dataloop-prod.iam.gserviceaccount.com"
)

func TestAccGCSGrantsDataSource_basic(t *testing.T) {
	testAccEmulator(t)
	rw := policy.GCSIAMInput{Bucket: "acme-datasets", Path: "/raw/images", Project: "acme-prod", ServiceAccountEmail: testGCSAccount}
	cross := policy.GCSIAMInput{Bucket: "acme-datasets", Project: "acme-prod", ServiceAccountEmail: testGCSAccount,
		PlatformServiceAccount: testGCSPlatform, ReadOnly: true}
	del := policy.GCSIAMInput{Bucket: "acme-datasets", Path: "raw/", Project: "acme-prod", ServiceAccountEmail: testGCSAccount, AllowDelete: true}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccGCSGrantsDataSourceConfig(
					`bucket                = "acme-datasets"`,
					`path                  = "/raw/images"`,
					`project               = "acme-prod"`,
					`service_account_email = "`+testGCSAccount+`"`,
				),
				ConfigStateChecks: append(gcsGrantsStateChecks(t, testAccGCSGrantsAddr, rw),
					// The input is kept as written; the grants use the normalized path.
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr, tfjsonpath.New("path"), knownvalue.StringExact("/raw/images")),
					// What Dataloop documents, read-write without delete, spelled out.
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr,
						tfjsonpath.New("custom_roles").AtMapKey("data").AtMapKey("permissions"),
						knownvalue.ListExact([]knownvalue.Check{
							knownvalue.StringExact("storage.buckets.get"), knownvalue.StringExact("storage.objects.create"),
							knownvalue.StringExact("storage.objects.get"), knownvalue.StringExact("storage.objects.list"),
						})),
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr,
						tfjsonpath.New("bucket_iam_members").AtMapKey("data").AtMapKey("condition").AtMapKey("expression"),
						knownvalue.StringExact(`resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith("projects/_/buckets/acme-datasets/objects/raw/images/")`)),
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr,
						tfjsonpath.New("bucket_iam_members").AtMapKey("probe").AtMapKey("role"),
						knownvalue.StringRegexp(regexp.MustCompile(`^projects/acme-prod/roles/dataloop_probe_[0-9a-f]{10}$`))),
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr, tfjsonpath.New("service_account_iam_member"), knownvalue.Null()),
				),
			},
			{
				Config: testAccGCSGrantsDataSourceConfig(
					`bucket                   = "acme-datasets"`,
					`project                  = "acme-prod"`,
					`service_account_email    = "`+testGCSAccount+`"`,
					`platform_service_account = "`+testGCSPlatform+`"`,
					`read_only                = true`,
				),
				ConfigStateChecks: append(gcsGrantsStateChecks(t, testAccGCSGrantsAddr, cross),
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr, tfjsonpath.New("service_account_iam_member"),
						knownvalue.ObjectExact(map[string]knownvalue.Check{
							"service_account_id": knownvalue.StringExact("projects/-/serviceAccounts/" + testGCSAccount),
							"role":               knownvalue.StringExact("roles/iam.serviceAccountTokenCreator"),
							"member":             knownvalue.StringExact("serviceAccount:" + testGCSPlatform),
						})),
					statecheck.ExpectKnownValue(testAccGCSGrantsAddr,
						tfjsonpath.New("bucket_iam_members").AtMapKey("data").AtMapKey("condition"), knownvalue.Null()),
				),
			},
			{
				Config: testAccGCSGrantsDataSourceConfig(
					`bucket                = "acme-datasets"`,
					`path                  = "raw/"`,
					`project               = "acme-prod"`,
					`service_account_email = "`+testGCSAccount+`"`,
					`allow_delete          = true`,
				),
				ConfigStateChecks: gcsGrantsStateChecks(t, testAccGCSGrantsAddr, del),
			},
		},
	})
}

func TestAccGCSGrantsDataSource_invalid(t *testing.T) {
	testAccEmulator(t)
	valid := map[string]string{
		"bucket": `"acme-datasets"`, "project": `"acme-prod"`, "service_account_email": `"` + testGCSAccount + `"`,
	}
	tests := []struct {
		attrs map[string]string
		err   string
	}{
		{map[string]string{"bucket": `"Acme_Datasets"`}, `(?s)Invalid GCS Bucket Name.*The value of bucket is not valid. Bucket name "Acme_Datasets" holds characters other than lowercase letters`},
		{map[string]string{"bucket": `"gs://acme-datasets"`}, `(?s)Invalid GCS Bucket Name.*has a gs:// scheme. Set only the bucket name`},
		{map[string]string{"project": `"123456789012"`}, `(?s)Invalid GCP Project ID.*The value of project is not valid. "123456789012" is not a project ID. Use the project ID`},
		{map[string]string{"service_account_email": `"alice@example.com"`}, `(?s)Invalid Service Account Email.*The value of service_account_email is not valid. "alice@example.com" is not a service account email`},
		{map[string]string{"platform_service_account": `"serviceAccount:` + testGCSPlatform + `"`}, `(?s)Invalid Service Account Email.*The value of platform_service_account is not valid.*is an IAM member string`},
		{map[string]string{"path": `"raw//images"`}, `(?s)Invalid Storage Driver Path.*The value of path is not valid. Path "raw//images" contains an empty segment`},
		{map[string]string{"read_only": "true", "allow_delete": "true"}, `(?s)Conflicting GCS Grants Settings.*The value of allow_delete must not be true when read_only is true`},
	}
	cases := make([]invalidAttrsCase, len(tests))
	for i, tt := range tests {
		attrs := map[string]string{}
		for k, v := range valid {
			attrs[k] = v
		}
		for k, v := range tt.attrs {
			attrs[k] = v
		}
		cases[i].err = tt.err
		for k, v := range attrs {
			cases[i].attrs = append(cases[i].attrs, k+" = "+v)
		}
	}
	testAccInvalidDataSourceTest(t, "gcs_grants", cases)
}

// TestAccGCSGrantsFunction_matchesDataSource calls the function and the
// data source with the same inputs, including nulls for the function's
// defaults, and expects the same values from both.
func TestAccGCSGrantsFunction_matchesDataSource(t *testing.T) {
	testAccEmulator(t)
	want := func(in policy.GCSIAMInput) knownvalue.Check { return knownvalue.ObjectExact(gcsGrantsChecks(t, in)) }
	account := fmt.Sprintf("service_account_email = %q", testGCSAccount)
	testAccFunctionTest(t, testAccFunctionMatchesDataSourceSteps("gcs_grants", `{
    member                     = data.dataloop_gcs_grants.test.member
    custom_roles               = data.dataloop_gcs_grants.test.custom_roles
    bucket_iam_members         = data.dataloop_gcs_grants.test.bucket_iam_members
    service_account_iam_member = data.dataloop_gcs_grants.test.service_account_iam_member
  }`, []sameResultCase{
		{
			args:  fmt.Sprintf(`"acme-datasets", null, null, null, "acme-prod", %q, null`, testGCSAccount),
			attrs: []string{`bucket = "acme-datasets"`, `project = "acme-prod"`, account},
			want:  want(policy.GCSIAMInput{Bucket: "acme-datasets", Project: "acme-prod", ServiceAccountEmail: testGCSAccount}),
		},
		{
			args: fmt.Sprintf(`"acme-datasets", "raw/images", true, false, "acme-prod", %q, %q`, testGCSAccount, testGCSPlatform),
			attrs: []string{`bucket = "acme-datasets"`, `path = "raw/images"`, `allow_delete = true`, `read_only = false`,
				`project = "acme-prod"`, account, fmt.Sprintf("platform_service_account = %q", testGCSPlatform)},
			want: want(policy.GCSIAMInput{Bucket: "acme-datasets", Path: "raw/images", AllowDelete: true, Project: "acme-prod",
				ServiceAccountEmail: testGCSAccount, PlatformServiceAccount: testGCSPlatform}),
		},
		{
			args:  fmt.Sprintf(`"acme-datasets", "/raw/", false, true, "acme-prod", %q, null`, testGCSAccount),
			attrs: []string{`bucket = "acme-datasets"`, `path = "/raw/"`, `read_only = true`, `project = "acme-prod"`, account},
			want:  want(policy.GCSIAMInput{Bucket: "acme-datasets", Path: "raw/", ReadOnly: true, Project: "acme-prod", ServiceAccountEmail: testGCSAccount}),
		},
	}))
}

// TestAccGCSGrantsFunction_knownAtPlan: with an input from a resource that
// is known at plan, the function's grants are known at plan, while the data
// source's are known only after apply.
func TestAccGCSGrantsFunction_knownAtPlan(t *testing.T) {
	testAccEmulator(t)
	grants := gcsGrantsChecks(t, policy.GCSIAMInput{Bucket: "acme-datasets", Path: "raw/",
		Project: "acme-prod", ServiceAccountEmail: testGCSAccount, PlatformServiceAccount: testGCSPlatform})
	testAccFunctionTest(t, []resource.TestStep{testAccKnownAtPlanStep(testAccConfig(
		`provider "dataloop" {}`,
		`resource "terraform_data" "bucket" { input = "acme-datasets" }`,
		fmt.Sprintf(`data "dataloop_gcs_grants" "test" {
  bucket                   = terraform_data.bucket.input
  path                     = "raw/"
  project                  = "acme-prod"
  service_account_email    = %q
  platform_service_account = %q
}`, testGCSAccount, testGCSPlatform),
		fmt.Sprintf(`output "function" { value = provider::dataloop::gcs_grants(terraform_data.bucket.input, "raw/", false, false, "acme-prod", %q, %q) }`,
			testGCSAccount, testGCSPlatform),
		`output "data_source" { value = data.dataloop_gcs_grants.test.custom_roles }`,
	), knownvalue.ObjectExact(grants), grants["custom_roles"])})
}

func TestAccGCSGrantsFunction_invalid(t *testing.T) {
	testAccEmulator(t)
	sa := fmt.Sprintf("%q", testGCSAccount)
	testAccFunctionTest(t, testAccInvalidFunctionSteps("gcs_grants", []invalidArgsCase{
		{`"Acme_Datasets", null, null, null, "acme-prod", ` + sa + `, null`, `(?s)Invalid value for "bucket" parameter: bucket name "Acme_Datasets" holds characters other than lowercase letters`},
		{`"acme-datasets", "a/../b", null, null, "acme-prod", ` + sa + `, null`, `(?s)Invalid value for "path" parameter: path "a/../b" contains a ".." segment`},
		{`"acme-datasets", null, true, true, "acme-prod", ` + sa + `, null`, `(?s)Invalid value for "allow_delete" parameter: must not be true when read_only is true`},
		{`"acme-datasets", null, null, null, "projects/acme-prod", ` + sa + `, null`, `(?s)Invalid value for "project" parameter: project ID "projects/acme-prod" is a resource name`},
		{`"acme-datasets", null, null, null, "acme-prod", "alice@example.com", null`, `(?s)Invalid value for "service_account_email" parameter: "alice@example.com" is not a service account email`},
		{`"acme-datasets", null, null, null, "acme-prod", ` + sa + `, "bob@example.com"`, `(?s)Invalid value for "platform_service_account" parameter: "bob@example.com" is not a service account email`},
		{`"acme-datasets", null, null, null, null, ` + sa + `, null`, `(?s)Invalid value for "project" parameter: argument must not be null`},
	}))
}

// testAccGCSGrantsDataSourceConfig renders the data source "test" with the
// given attribute lines.
func testAccGCSGrantsDataSourceConfig(attrs ...string) string {
	return testAccGeneratorDataSourceConfig("gcs_grants", attrs...)
}

// gcsGrantsChecks expects the generator's grants for in, attribute by
// attribute of gcsGrantsType.
func gcsGrantsChecks(t *testing.T, in policy.GCSIAMInput) map[string]knownvalue.Check {
	t.Helper()
	g, err := policy.GCSIAMGrants(in)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]knownvalue.Check{}
	for k, r := range g.CustomRoles {
		perms := make([]knownvalue.Check, len(r.Permissions))
		for i, p := range r.Permissions {
			perms[i] = knownvalue.StringExact(p)
		}
		roles[k] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"project": knownvalue.StringExact(r.Project), "role_id": knownvalue.StringExact(r.RoleID),
			"title": knownvalue.StringExact(r.Title), "description": knownvalue.StringExact(r.Description),
			"permissions": knownvalue.ListExact(perms),
		})
	}
	members := map[string]knownvalue.Check{}
	for k, m := range g.BucketIAMMembers {
		var cond knownvalue.Check = knownvalue.Null()
		if m.Condition != nil {
			cond = knownvalue.ObjectExact(map[string]knownvalue.Check{
				"title": knownvalue.StringExact(m.Condition.Title), "description": knownvalue.StringExact(m.Condition.Description),
				"expression": knownvalue.StringExact(m.Condition.Expression),
			})
		}
		members[k] = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"bucket": knownvalue.StringExact(m.Bucket), "role": knownvalue.StringExact(m.Role),
			"member": knownvalue.StringExact(m.Member), "condition": cond,
		})
	}
	var imp knownvalue.Check = knownvalue.Null()
	if s := g.ServiceAccountIAMMember; s != nil {
		imp = knownvalue.ObjectExact(map[string]knownvalue.Check{
			"service_account_id": knownvalue.StringExact(s.ServiceAccountID), "role": knownvalue.StringExact(s.Role),
			"member": knownvalue.StringExact(s.Member),
		})
	}
	return map[string]knownvalue.Check{
		"member":                     knownvalue.StringExact(g.Member),
		"custom_roles":               knownvalue.MapExact(roles),
		"bucket_iam_members":         knownvalue.MapExact(members),
		"service_account_iam_member": imp,
	}
}

// gcsGrantsStateChecks expects the data source at addr to hold the
// generator's grants for in.
func gcsGrantsStateChecks(t *testing.T, addr string, in policy.GCSIAMInput) []statecheck.StateCheck {
	t.Helper()
	var checks []statecheck.StateCheck
	for attr, c := range gcsGrantsChecks(t, in) {
		checks = append(checks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), c))
	}
	return checks
}

// TestAccGCSGrantsFunction_unknownIdentity: service accounts that are
// unknown at plan (created in the same apply) leave only the values derived
// from them unknown; an invalid one fails at apply, naming the parameter.
func TestAccGCSGrantsFunction_unknownIdentity(t *testing.T) {
	testAccEmulator(t)
	cross := policy.GCSIAMInput{Bucket: "acme-datasets", Path: "raw/", Project: "acme-prod",
		ServiceAccountEmail: testGCSAccount, PlatformServiceAccount: testGCSPlatform}
	key := cross
	key.PlatformServiceAccount = ""
	str := knownvalue.StringExact
	at := tfjsonpath.New[string]
	testAccFunctionTest(t, []resource.TestStep{
		{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				fmt.Sprintf(`resource "terraform_data" "sa" { input = %q }`, testGCSAccount),
				fmt.Sprintf(`resource "terraform_data" "platform" { input = %q }`, testGCSPlatform),
				`output "cross" { value = provider::dataloop::gcs_grants("acme-datasets", "raw/", false, false, "acme-prod", terraform_data.sa.output, terraform_data.platform.output) }`,
				`output "key" { value = provider::dataloop::gcs_grants("acme-datasets", "raw/", false, false, "acme-prod", terraform_data.sa.output, null) }`,
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectUnknownOutputValueAtPath("cross", at("member")),
					plancheck.ExpectUnknownOutputValueAtPath("cross", at("custom_roles").AtMapKey("data").AtMapKey("role_id")),
					plancheck.ExpectUnknownOutputValueAtPath("cross", at("custom_roles").AtMapKey("data").AtMapKey("permissions")),
					plancheck.ExpectUnknownOutputValueAtPath("cross", at("bucket_iam_members").AtMapKey("probe").AtMapKey("role")),
					plancheck.ExpectUnknownOutputValueAtPath("cross", at("service_account_iam_member")),
					plancheck.ExpectKnownOutputValueAtPath("cross", at("custom_roles").AtMapKey("probe").AtMapKey("permissions"),
						knownvalue.ListExact([]knownvalue.Check{str("storage.objects.create"), str("storage.objects.delete"), str("storage.objects.get")})),
					plancheck.ExpectKnownOutputValueAtPath("cross", at("custom_roles").AtMapKey("data").AtMapKey("title"),
						str("Dataloop storage driver data: acme-datasets")),
					plancheck.ExpectKnownOutputValueAtPath("cross", at("bucket_iam_members").AtMapKey("probe").AtMapKey("condition").AtMapKey("expression"),
						str(`resource.name.startsWith("projects/_/buckets/acme-datasets/objects/raw/.dataloop/")`)),
					// Without a platform service account, the data role is known too.
					plancheck.ExpectKnownOutputValueAtPath("key", at("custom_roles").AtMapKey("data").AtMapKey("permissions"),
						knownvalue.ListExact([]knownvalue.Check{str("storage.buckets.get"), str("storage.objects.create"), str("storage.objects.get"), str("storage.objects.list")})),
					plancheck.ExpectKnownOutputValueAtPath("key", at("service_account_iam_member"), knownvalue.Null()),
				},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("cross", knownvalue.ObjectExact(gcsGrantsChecks(t, cross))),
				statecheck.ExpectKnownOutputValue("key", knownvalue.ObjectExact(gcsGrantsChecks(t, key))),
			},
		},
		{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				`resource "terraform_data" "bad" { input = "alice@example.com" }`,
				`output "bad" { value = provider::dataloop::gcs_grants("acme-datasets", null, null, null, "acme-prod", terraform_data.bad.output, null) }`,
			),
			ExpectError: testAccErrorRegexp(`(?s)Invalid value for "service_account_email" parameter: "alice@example.com" is not a service account email`),
		},
	})
}

// TestAccGCSGrantsDataSource_unknownAtPlan: inputs known only at apply (a
// service account created in the same apply, say) defer the read to apply.
// There an invalid one fails, naming the attribute, before anything that
// uses the grants is created; a valid one plans as known after apply and
// applies.
func TestAccGCSGrantsDataSource_unknownAtPlan(t *testing.T) {
	testAccEmulator(t)
	input := func(bucket, email string, readOnly, allowDelete bool) string {
		return fmt.Sprintf(`{ bucket = %q, service_account_email = %q, read_only = %t, allow_delete = %t }`,
			bucket, email, readOnly, allowDelete)
	}
	testAccUnknownInputTest(t, testAccGCSGrantsAddr, "custom_roles", `data "dataloop_gcs_grants" "test" {
  bucket                = terraform_data.in.output.bucket
  path                  = "raw/"
  read_only             = terraform_data.in.output.read_only
  allow_delete          = terraform_data.in.output.allow_delete
  project               = "acme-prod"
  service_account_email = terraform_data.in.output.service_account_email
}`, []unknownInputCase{
		{input: input("Acme_Datasets", testGCSAccount, false, false),
			err: `Invalid GCS Bucket Name.*The value of bucket is not valid. Bucket name "Acme_Datasets" holds characters other than lowercase letters`},
		{input: input("acme-datasets", "alice@example.com", false, false),
			err: `Invalid Service Account Email.*The value of service_account_email is not valid. "alice@example.com" is not a service account email`},
		{input: input("acme-datasets", testGCSAccount, true, true),
			err: `Conflicting GCS Grants Settings.*The value of allow_delete must not be true when read_only is true`},
		{input: input("acme-datasets", testGCSAccount, false, true),
			want: gcsGrantsChecks(t, policy.GCSIAMInput{Bucket: "acme-datasets", Path: "raw/", AllowDelete: true,
				Project: "acme-prod", ServiceAccountEmail: testGCSAccount})["custom_roles"]},
	})
}
