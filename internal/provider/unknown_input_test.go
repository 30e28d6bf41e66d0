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

// unknownInputCase is one step of testAccUnknownInputTest: the HCL object
// that terraform_data.in holds, and either the error the apply must fail
// with or, for a valid input, the value the data source's attribute must
// hold after the apply.
type unknownInputCase struct {
	input string
	err   string
	want  knownvalue.Check
}

// testAccUnknownInputTest runs a step per case for the data source at
// addr, whose block (dataBlock) reads its inputs from
// terraform_data.in.output. That output is unknown at plan, since the input
// changes from one step to the next, like an attribute of a resource created
// in the same apply. terraform_data.consumer takes the data source's attr,
// standing in for the resources a user feeds with it.
//
// Every plan must succeed, read the data source at apply with attr known
// after apply, and create the consumer, which also proves that the failed
// apply before it left no consumer behind. An invalid input must then fail
// at apply (not at plan) with err; a valid one must apply and put want in
// attr and in the consumer.
func testAccUnknownInputTest(t *testing.T, addr, attr, dataBlock string, cases []unknownInputCase) {
	t.Helper()
	const consumer = "terraform_data.consumer"
	steps := make([]resource.TestStep, len(cases))
	for i, c := range cases {
		step := resource.TestStep{
			Config: testAccConfig(
				`provider "dataloop" {}`,
				fmt.Sprintf("resource \"terraform_data\" \"in\" {\n  input = %s\n}", c.input),
				dataBlock,
				fmt.Sprintf("resource \"terraform_data\" \"consumer\" {\n  input = %s.%s\n}", addr, attr),
			),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionRead),
					plancheck.ExpectUnknownValue(addr, tfjsonpath.New(attr)),
					plancheck.ExpectResourceAction(consumer, plancheck.ResourceActionCreate),
				},
			},
		}
		if c.err != "" {
			step.ExpectError = testAccErrorRegexp(`(?s)Error running apply: .*` + c.err)
		} else {
			step.ConfigStateChecks = []statecheck.StateCheck{
				statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), c.want),
				statecheck.ExpectKnownValue(consumer, tfjsonpath.New("output"), c.want),
			}
		}
		steps[i] = step
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
