package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// Another member of the demo org, so that the creator filter has two
// creators to tell apart.
const (
	testOpsToken = "ops-token"
	testOpsEmail = "ops@example.com"
)

// testFleetProjectID is a second project of the demo org.
const testFleetProjectID = "proj-fleet-2"

// withFleetSeed adds testOpsEmail and a second project to the demo org of
// the default seed.
func withFleetSeed(o *emulator.Options) {
	seed := emulator.DefaultSeed()
	seed.Users = append(seed.Users, emulator.SeedUser{ID: "user-ops", Token: testOpsToken, Email: testOpsEmail,
		Username: "ops", Orgs: []string{testOrgID}})
	seed.Projects = append(seed.Projects, emulator.SeedProject{ID: testFleetProjectID, Name: "fleet-2", OrgID: testOrgID})
	o.Seed = seed
}

// testFleet is a set of integrations of every provider made outside
// Terraform, as a console user would, named <prefix>-a-keys ... -e-azure.
type testFleet struct {
	prefix string
	ids    map[string]string // by suffix: keys, sts, cross, gcs, azure
}

func (f testFleet) name(suffix string) string {
	for _, n := range []string{"a-keys", "b-sts", "c-cross", "d-gcs", "e-azure"} {
		if strings.HasSuffix(n, suffix) {
			return f.prefix + "-" + n
		}
	}
	panic("unknown fleet suffix " + suffix)
}

// testAccFleet creates the fleet: keys, STS (trust established), cross
// account (trust not established) and GCS by the demo user, Azure by the
// ops user.
func testAccFleet(t *testing.T, e *testEmulator) testFleet {
	t.Helper()
	ctx := context.Background()
	f := testFleet{prefix: testName(t, "fleet"), ids: map[string]string{}}
	saKey := `{"type":"service_account","client_email":"sa@p.iam.gserviceaccount.com",` +
		`"private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n","token_uri":"https://oauth2.googleapis.com/token"}`
	create := func(client *platform.Client, suffix, typ string, options map[string]any) {
		i, err := client.CreateIntegration(ctx, testOrgID, platform.CreateIntegrationInput{Name: f.name(suffix), Type: typ, Options: options})
		if err != nil {
			t.Fatalf("creating the %s integration: %v", typ, err)
		}
		f.ids[suffix] = i.ID
	}
	demo := testClient(t)
	create(demo, "keys", platform.TypeS3, map[string]any{"key": testAccessKeyID(t), "secret": testSecretAccessKey(t)})
	create(demo, "sts", platform.TypeAWSSTS, map[string]any{"key": testAccessKeyID(t), "secret": testSecretAccessKey(t),
		"roleArns": "arn:aws:iam::123456789012:role/fleet-reader"})
	create(demo, "cross", platform.TypeAWSCross, map[string]any{})
	create(demo, "gcs", platform.TypeGCS, map[string]any{"content": saKey})
	ops, err := platform.New(platform.Config{Endpoint: e.Endpoint, Token: testOpsToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	create(ops, "azure", platform.TypeAzureBlob, map[string]any{"key": "fleetaccount", "secret": testSecretAccessKey(t),
		"clientId": "00000000-0000-0000-0000-000000000001", "tenantId": "00000000-0000-0000-0000-000000000002"})
	if !e.EstablishTrust(f.ids["sts"]) {
		t.Fatalf("could not establish the trust of the STS integration")
	}
	return f
}

// expectNames checks the names of a list data source's integrations, in order.
func expectNames(address string, names ...string) statecheck.StateCheck {
	values := make([]knownvalue.Check, len(names))
	for i, n := range names {
		values[i] = knownvalue.StringExact(n)
	}
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("integrations"), knownvalue.ListExact(objectNames(values)))
}

func objectNames(names []knownvalue.Check) []knownvalue.Check {
	out := make([]knownvalue.Check, len(names))
	for i, n := range names {
		out[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": n})
	}
	return out
}

func TestAccIntegrationsDataSource_filters(t *testing.T) {
	e := testAccEmulator(t, withFleetSeed)
	f := testAccFleet(t, e)
	all := []string{f.name("keys"), f.name("sts"), f.name("cross"), f.name("gcs"), f.name("azure")}

	// Every filter, each alone and two together, and filters nothing matches.
	filters := map[string]string{
		"all":           ``,
		"aws":           `cloud_provider = "aws"`,
		"gcp":           `cloud_provider = "gcp"`,
		"azure":         `cloud_provider = "azure"`,
		"cross":         `type = "aws-cross"`,
		"trusted":       `trusted = true`,
		"untrusted":     `trusted = false`,
		"ops":           fmt.Sprintf(`creator = %q`, strings.ToUpper(testOpsEmail)),
		"search":        `name_contains = "CROSS"`,
		"aws_untrusted": "cloud_provider = \"aws\"\n  trusted        = false",
		"none_name":     `name_contains = "no-such-integration"`,
		"none_type":     `type = "gcp-cross"`,
	}
	var config strings.Builder
	for label, filter := range filters {
		// Every list is scoped to this test's integrations by their prefix,
		// except where the filter is the name search itself.
		scope := fmt.Sprintf("name_contains = %q", f.prefix)
		if strings.Contains(filter, "name_contains") {
			scope = ""
		}
		fmt.Fprintf(&config, "data \"dataloop_integrations\" %q {\n  %s\n  %s\n}\n\n", label, scope, filter)
	}
	at := func(label string) string { return "data.dataloop_integrations." + label }

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config.String(),
			ConfigStateChecks: []statecheck.StateCheck{
				expectNames(at("all"), all...),
				statecheck.ExpectKnownValue(at("all"), tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
				statecheck.ExpectKnownValue(at("all"), tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{
					knownvalue.StringExact(f.ids["keys"]), knownvalue.StringExact(f.ids["sts"]),
					knownvalue.StringExact(f.ids["cross"]), knownvalue.StringExact(f.ids["gcs"]),
					knownvalue.StringExact(f.ids["azure"]),
				})),
				expectNames(at("aws"), f.name("keys"), f.name("sts"), f.name("cross")),
				expectNames(at("gcp"), f.name("gcs")),
				expectNames(at("azure"), f.name("azure")),
				expectNames(at("cross"), f.name("cross")),
				expectNames(at("trusted"), f.name("sts")),
				expectNames(at("untrusted"), f.name("keys"), f.name("cross"), f.name("gcs"), f.name("azure")),
				expectNames(at("ops"), f.name("azure")),
				expectNames(at("search"), f.name("cross")),
				expectNames(at("aws_untrusted"), f.name("keys"), f.name("cross")),
				expectNames(at("none_name")),
				statecheck.ExpectKnownValue(at("none_name"), tfjsonpath.New("ids"), knownvalue.ListExact([]knownvalue.Check{})),
				expectNames(at("none_type")),
				// Each element carries the integration's details.
				statecheck.ExpectKnownValue(at("trusted"), tfjsonpath.New("integrations").AtSliceIndex(0),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id":                    knownvalue.StringExact(f.ids["sts"]),
						"name":                  knownvalue.StringExact(f.name("sts")),
						"org_id":                knownvalue.StringExact(testOrgID),
						"type":                  knownvalue.StringExact("aws-sts"),
						"cloud_provider":        knownvalue.StringExact("aws"),
						"created_at":            knownvalue.StringRegexp(rfc3339Pattern),
						"creator":               knownvalue.StringExact(testUserEmail),
						"trusted":               knownvalue.Bool(true),
						"platform_iam_user_arn": knownvalue.Null(),
					})),
			},
		}},
	})
}

func TestAccIntegrationDataSource(t *testing.T) {
	e := testAccEmulator(t, withFleetSeed)
	f := testAccFleet(t, e)
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
data "dataloop_integration" "by_id" {
  id = %[1]q
}

data "dataloop_integration" "by_name" {
  name   = %[2]q
  org_id = %[3]q
}
`, f.ids["cross"], f.name("azure"), testOrgID),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dataloop_integration.by_id", tfjsonpath.New("name"), knownvalue.StringExact(f.name("cross"))),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_id", tfjsonpath.New("type"), knownvalue.StringExact("aws-cross")),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_id", tfjsonpath.New("cloud_provider"), knownvalue.StringExact("aws")),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_id", tfjsonpath.New("trusted"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_id", tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_id", tfjsonpath.New("platform_iam_user_arn"),
					knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:iam::\d{12}:user/`))),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_name", tfjsonpath.New("id"), knownvalue.StringExact(f.ids["azure"])),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_name", tfjsonpath.New("type"), knownvalue.StringExact("azureblob")),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_name", tfjsonpath.New("cloud_provider"), knownvalue.StringExact("azure")),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_name", tfjsonpath.New("creator"), knownvalue.StringExact(testOpsEmail)),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_name", tfjsonpath.New("created_at"), knownvalue.StringRegexp(rfc3339Pattern)),
				statecheck.ExpectKnownValue("data.dataloop_integration.by_name", tfjsonpath.New("platform_iam_user_arn"), knownvalue.Null()),
			},
		}},
	})
}

func TestAccIntegrationDataSource_errors(t *testing.T) {
	e := testAccEmulator(t, withFleetSeed)
	f := testAccFleet(t, e)
	// A second integration with the name of the keys one.
	if _, err := testClient(t).CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: f.name("keys"), Type: platform.TypeAWSCross, Options: map[string]any{}}); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"unknown name": {
			config: `data "dataloop_integration" "test" { name = "no-such-integration" }`,
			want:   regexp.MustCompile(`(?s)Integration Not Found.*"no-such-integration"`),
		},
		"shared name": {
			config: fmt.Sprintf(`data "dataloop_integration" "test" { name = %q }`, f.name("keys")),
			want:   regexp.MustCompile(`(?s)Ambiguous Integration Name.*` + f.ids["keys"]),
		},
		"unknown id": {
			config: notFoundByIDConfig("dataloop_integration", "no-such-id"),
			want: expectNotFoundByID("dataloop_integration", "no-such-id", "Unable to Read Integration",
				`Could not read integration "no-such-id" of organization "`+testOrgID+`": dataloop API: GET /orgs/`+testOrgID+`/integrations/no-such-id: 404 Not Found`,
				"Check the ID and org_id, and that the token's user is an owner of the organization."),
		},
		"both id and name": {
			config: fmt.Sprintf(`data "dataloop_integration" "test" {
  id   = %q
  name = %q
}`, f.ids["sts"], f.name("sts")),
			want: regexp.MustCompile(`(?s)Invalid Attribute Combination`),
		},
		"unknown provider": {
			config: `data "dataloop_integrations" "test" { cloud_provider = "oracle" }`,
			want:   regexp.MustCompile(`(?s)cloud_provider.*value must be one of`),
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
