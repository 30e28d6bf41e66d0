package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

const (
	testAccTrustPolicyAddr = "data.dataloop_aws_trust_policy.test"
	testPlatformUserARN    = "arn:aws:iam::123456789012:user/dataloop-platform-abc123"
)

func TestAccAWSTrustPolicyDataSource_basic(t *testing.T) {
	testAccEmulator(t)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccTrustPolicyDataSourceConfig(`principal_arn = "` + testPlatformUserARN + `"`),
				ConfigStateChecks: testAccPolicyStateChecks(testAccTrustPolicyAddr,
					trustPolicyDoc(t, policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN})),
			},
			{
				Config: testAccTrustPolicyDataSourceConfig(
					`principal_arn = "`+testPlatformUserARN+`"`,
					`external_id   = "org-demo:9f8e7d"`,
				),
				ConfigStateChecks: testAccPolicyStateChecks(testAccTrustPolicyAddr,
					trustPolicyDoc(t, policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN, ExternalID: "org-demo:9f8e7d"})),
			},
		},
	})
}

func TestAccAWSTrustPolicyDataSource_invalid(t *testing.T) {
	testAccEmulator(t)
	principal := `principal_arn = "` + testPlatformUserARN + `"`
	testAccInvalidDataSourceTest(t, "aws_trust_policy", []invalidAttrsCase{
		{[]string{`principal_arn = "arn:aws:iam::123456789012:group/admins"`},
			`(?s)Invalid Principal ARN.*The value of principal_arn is not valid.*is not role/<name> or user/<name>. Use an IAM user, role or account root ARN`},
		{[]string{`principal_arn = "*"`}, `(?s)The value of principal_arn is not valid. "\*" contains a wildcard`},
		{[]string{principal, `external_id   = "has spaces"`},
			`(?s)Invalid External ID.*The value of external_id is not valid. The external ID holds characters other than letters`},
	})
}

// TestAccAWSTrustPolicyDataSource_unknownAtPlan: inputs known only at apply
// (the platform IAM user of an integration created in the same apply, say)
// defer the read to apply. There an invalid one fails, naming the
// attribute, before anything that uses the policy is created; a valid one
// plans as known after apply and applies.
func TestAccAWSTrustPolicyDataSource_unknownAtPlan(t *testing.T) {
	testAccEmulator(t)
	input := func(principal, externalID string) string {
		return fmt.Sprintf(`{ principal_arn = %q, external_id = %q }`, principal, externalID)
	}
	testAccUnknownInputTest(t, testAccTrustPolicyAddr, "json", `data "dataloop_aws_trust_policy" "test" {
  principal_arn = terraform_data.in.output.principal_arn
  external_id   = terraform_data.in.output.external_id
}`, []unknownInputCase{
		{input: input("arn:aws:iam::123456789012:group/admins", "org-demo:9f8e7d"),
			err: `Invalid Principal ARN.*The value of principal_arn is not valid.*is not role/<name> or user/<name>`},
		{input: input(testPlatformUserARN, "has spaces"),
			err: `Invalid External ID.*The value of external_id is not valid. The external ID holds characters other than letters`},
		{input: input(testPlatformUserARN, "org-demo:9f8e7d"),
			want: knownvalue.StringExact(trustPolicyJSON(t, policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN, ExternalID: "org-demo:9f8e7d"}))},
	})
}

func testAccTrustPolicyDataSourceConfig(attrs ...string) string {
	return testAccGeneratorDataSourceConfig("aws_trust_policy", attrs...)
}

func trustPolicyDoc(t *testing.T, in policy.TrustPolicyInput) *policy.Document {
	t.Helper()
	doc, err := policy.AWSTrustPolicy(in)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func trustPolicyJSON(t *testing.T, in policy.TrustPolicyInput) string {
	t.Helper()
	s, err := trustPolicyDoc(t, in).JSON()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
