package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

func TestAccAWSTrustPolicyFunction_matchesDataSource(t *testing.T) {
	testAccEmulator(t)
	want := func(in policy.TrustPolicyInput) knownvalue.Check {
		return knownvalue.StringExact(trustPolicyJSON(t, in))
	}
	principal := `principal_arn = "` + testPlatformUserARN + `"`
	testAccFunctionTest(t, testAccFunctionMatchesDataSourceSteps("aws_trust_policy", "data.dataloop_aws_trust_policy.test.json", []sameResultCase{
		{
			args:  `"` + testPlatformUserARN + `", null`,
			attrs: []string{principal},
			want:  want(policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN}),
		},
		{
			args:  `"` + testPlatformUserARN + `", ""`,
			attrs: []string{principal, `external_id = ""`},
			want:  want(policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN}),
		},
		{
			args:  `"` + testPlatformUserARN + `", "org-demo:9f8e7d"`,
			attrs: []string{principal, `external_id = "org-demo:9f8e7d"`},
			want:  want(policy.TrustPolicyInput{PrincipalARN: testPlatformUserARN, ExternalID: "org-demo:9f8e7d"}),
		},
	}))
}

func TestAccAWSTrustPolicyFunction_invalid(t *testing.T) {
	testAccEmulator(t)
	testAccFunctionTest(t, testAccInvalidFunctionSteps("aws_trust_policy", []invalidArgsCase{
		{`"arn:aws:iam::123456789012:user/*", null`, `(?s)Invalid value for "principal_arn" parameter:.*contains a wildcard; a trust policy must name exactly one principal`},
		{`"123456789012", null`, `(?s)Invalid value for "principal_arn" parameter: "123456789012" is not an ARN.*use an IAM user, role or account root ARN`},
		{`"` + testPlatformUserARN + `", "x"`, `(?s)Invalid value for "external_id" parameter: the external ID is 1 characters long; use 2 to 1224`},
	}))
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
