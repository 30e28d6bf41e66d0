package provider

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccProjectDataSource(t *testing.T) {
	testAccEmulator(t)
	const byID, byName = "data.dataloop_project.by_id", "data.dataloop_project.by_name"

	expectProject := func(address string) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), knownvalue.StringExact(testProjectID)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("name"), knownvalue.StringExact(testProjectName)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
data "dataloop_project" "by_id" {
  id = %[1]q
}

data "dataloop_project" "by_name" {
  name = %[2]q
}
`, testProjectID, testProjectName),
				ConfigStateChecks: append(expectProject(byID), expectProject(byName)...),
			},
		},
	})
}

func TestAccProjectDataSource_errors(t *testing.T) {
	testAccEmulator(t)
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"unknown name": {
			config: `data "dataloop_project" "test" { name = "no-such-project" }`,
			want:   regexp.MustCompile(`(?s)Project Not Found.*"no-such-project".*demo-project`),
		},
		"unknown id": {
			config: notFoundByIDConfig("dataloop_project", "no-such-id"),
			want: expectNotFoundByID("dataloop_project", "no-such-id", "Unable to Read Project",
				`Could not read project "no-such-id": dataloop API: GET /projects/no-such-id: 404 Not Found`,
				"Check the ID, and that the token's user is a member of the project."),
		},
		"another org's project": {
			config: `data "dataloop_project" "test" { id = "proj-other" }`,
			want:   regexp.MustCompile(`(?s)Unable to Read Project`),
		},
		"both id and name": {
			config: `data "dataloop_project" "test" {
  id   = "proj-demo"
  name = "demo-project"
}`,
			want: regexp.MustCompile(`(?s)Invalid Attribute Combination.*id.*name`),
		},
		"neither id nor name": {
			config: `data "dataloop_project" "test" {}`,
			want:   regexp.MustCompile(`(?s)Missing Attribute Configuration.*\[id,name\]`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: tc.config, ExpectError: tc.want}},
			})
		})
	}
}
