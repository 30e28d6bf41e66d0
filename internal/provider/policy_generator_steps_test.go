package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Step builders shared by the tests of the policy generators, each a data
// source and a function of the same name (aws_bucket_policy,
// aws_trust_policy, gcs_grants, azure_role_assignments): name below is that
// name, without the dataloop prefix.

// testAccGeneratorDataSourceConfig renders the provider and the data source
// "test" of type dataloop_<name> with the given attribute lines.
func testAccGeneratorDataSourceConfig(name string, attrs ...string) string {
	return testAccConfig(
		`provider "dataloop" {}`,
		"data \"dataloop_"+name+"\" \"test\" {\n  "+strings.Join(attrs, "\n  ")+"\n}",
	)
}

// invalidAttrsCase is a data source configuration, as attribute lines, and
// the error pattern it must fail with.
type invalidAttrsCase struct {
	attrs []string
	err   string
}

// testAccInvalidDataSourceTest runs a step per case, each configuring the
// data source dataloop_<name> with the case's attributes and expecting its
// error.
func testAccInvalidDataSourceTest(t *testing.T, name string, cases []invalidAttrsCase) {
	t.Helper()
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		steps[i] = resource.TestStep{
			Config:      testAccGeneratorDataSourceConfig(name, c.attrs...),
			ExpectError: testAccErrorRegexp(c.err),
		}
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// invalidArgsCase is a function's argument list, as HCL, and the error
// pattern the call must fail with.
type invalidArgsCase struct {
	args, err string
}

// testAccInvalidFunctionSteps returns a step per case, each calling
// provider::dataloop::<name> with the case's arguments and expecting its
// error.
func testAccInvalidFunctionSteps(name string, cases []invalidArgsCase) []resource.TestStep {
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		steps[i] = resource.TestStep{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				`output "test" { value = provider::dataloop::`+name+`(`+c.args+`) }`,
			),
			ExpectError: testAccErrorRegexp(c.err),
		}
	}
	return steps
}

// sameResultCase is one input given to the function as args and to the data
// source as attrs, and the result both must return.
type sameResultCase struct {
	args  string
	attrs []string
	want  knownvalue.Check
}

// testAccFunctionMatchesDataSourceSteps returns a step per case that calls
// the function dataloop::<name> and reads the data source dataloop_<name>
// with the same input. The function's result must be want at plan and after
// apply, and so must dataValue, an expression of the data source's
// attributes (data.dataloop_<name>.test) shaped like the function's result.
func testAccFunctionMatchesDataSourceSteps(name, dataValue string, cases []sameResultCase) []resource.TestStep {
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		steps[i] = resource.TestStep{
			Config: testAccConfig(
				testAccGeneratorDataSourceConfig(name, c.attrs...),
				`output "function" { value = provider::dataloop::`+name+`(`+c.args+`) }`,
				"output \"data_source\" {\n  value = "+dataValue+"\n}",
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectKnownOutputValue("function", c.want)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("function", c.want),
				statecheck.ExpectKnownOutputValue("data_source", c.want),
			},
		}
	}
	return steps
}

// testAccKnownAtPlanStep applies config, whose outputs "function" and
// "data_source" take an input from a resource that is known at plan. The
// function's result must be known at plan (fn), and the data source's value
// must be known only after apply (ds).
func testAccKnownAtPlanStep(config string, fn, ds knownvalue.Check) resource.TestStep {
	return resource.TestStep{
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{
				plancheck.ExpectKnownOutputValue("function", fn),
				plancheck.ExpectUnknownOutputValue("data_source"),
			},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownOutputValue("function", fn),
			statecheck.ExpectKnownOutputValue("data_source", ds),
		},
	}
}

// testAccFunctionTest runs steps that call provider functions, which
// Terraform has from 1.8 on; older versions skip the test.
func testAccFunctionTest(t *testing.T, steps []resource.TestStep) {
	t.Helper()
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
