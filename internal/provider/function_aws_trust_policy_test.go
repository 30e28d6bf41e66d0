package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

func TestAccAWSTrustPolicyFunction_matchesDataSource(t *testing.T) {
	testAccEmulator(t)
	tests := []struct {
		args, attrs string
		in          policy.TrustPolicyInput
	}{
		{
			args:  `"` + testPlatformUserARN + `", null`,
			attrs: `principal_arn = "` + testPlatformUserARN + `"`,
			in:    policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN},
		},
		{
			args:  `"` + testPlatformUserARN + `", ""`,
			attrs: "principal_arn = \"" + testPlatformUserARN + "\"\n  external_id = \"\"",
			in:    policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN},
		},
		{
			args:  `"` + testPlatformUserARN + `", "org-demo:9f8e7d"`,
			attrs: "principal_arn = \"" + testPlatformUserARN + "\"\n  external_id = \"org-demo:9f8e7d\"",
			in:    policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN, ExternalID: "org-demo:9f8e7d"},
		},
	}
	steps := make([]resource.TestStep, len(tests))
	for i, tt := range tests {
		want := knownvalue.StringExact(trustPolicyJSON(t, tt.in))
		steps[i] = resource.TestStep{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				"data \"dataloop_aws_trust_policy\" \"test\" {\n  "+tt.attrs+"\n}",
				`output "function" { value = provider::dataloop::aws_trust_policy(`+tt.args+`) }`,
				`output "data_source" { value = data.dataloop_aws_trust_policy.test.json }`,
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownOutputValue("function", want)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("function", want),
				statecheck.ExpectKnownOutputValue("data_source", want),
			},
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAccAWSTrustPolicyFunction_invalid(t *testing.T) {
	testAccEmulator(t)
	tests := []struct {
		args, err string
	}{
		{`"arn:aws:iam::123456789012:user/*", null`, `(?s)Invalid value for "principal_arn" parameter:.*contains a wildcard; a trust policy must name exactly one principal`},
		{`"123456789012", null`, `(?s)Invalid value for "principal_arn" parameter: "123456789012" is not an ARN.*use an IAM user, role or account root ARN`},
		{`"` + testPlatformUserARN + `", "x"`, `(?s)Invalid value for "external_id" parameter: the external ID is 1 characters long; use 2 to 1224`},
	}
	steps := make([]resource.TestStep, len(tests))
	for i, tt := range tests {
		steps[i] = resource.TestStep{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				`output "test" { value = provider::dataloop::aws_trust_policy(`+tt.args+`) }`,
			),
			ExpectError: testAccErrorRegexp(tt.err),
		}
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAWSTrustPolicyFunction_run(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []attr.Value
		want    policy.TrustPolicyInput
		wantArg int64
	}{
		{"null external id", []attr.Value{types.StringValue(testPlatformUserARN), types.StringNull()}, policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN}, -1},
		{"external id", []attr.Value{types.StringValue(testPlatformUserARN), types.StringValue("ext-1")}, policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN, ExternalID: "ext-1"}, -1},
		{"bad principal", []attr.Value{types.StringValue("arn:aws:s3:::bucket"), types.StringNull()}, policy.TrustPolicyInput{}, 0},
		{"bad external id", []attr.Value{types.StringValue(testPlatformUserARN), types.StringValue("a b")}, policy.TrustPolicyInput{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, funcErr := runFunction(t, NewAWSTrustPolicyFunction(), tt.args)
			checkFunctionResult(t, got, funcErr, tt.wantArg, func() string { return trustPolicyJSON(t, tt.want) })
		})
	}
}
