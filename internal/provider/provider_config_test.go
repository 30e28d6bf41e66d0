package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwprovider "github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const testProjectDataConfig = `
data "dataloop_project" "test" {
  id = "proj-demo"
}
`

func TestProvider_schemaIsValid(t *testing.T) {
	resp := &fwprovider.SchemaResponse{}
	New("test")().Schema(context.Background(), fwprovider.SchemaRequest{}, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema diagnostics: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema is not valid: %v", diags)
	}
}

func TestResolveString(t *testing.T) {
	t.Setenv("DATALOOP_TEST_SETTING", " from-env ")
	var diags diag.Diagnostics
	p := path.Root("x")
	if got := resolveString(types.StringValue("from-config"), "DATALOOP_TEST_SETTING", "def", p, "X", &diags); got != "from-config" {
		t.Errorf("config value: got %q", got)
	}
	if got := resolveString(types.StringNull(), "DATALOOP_TEST_SETTING", "def", p, "X", &diags); got != "from-env" {
		t.Errorf("env value: got %q", got)
	}
	if got := resolveString(types.StringValue(""), "DATALOOP_TEST_SETTING", "def", p, "X", &diags); got != "from-env" {
		t.Errorf("empty config value: want the env value, got %q", got)
	}
	if got := resolveString(types.StringNull(), "DATALOOP_TEST_UNSET", "def", p, "X", &diags); got != "def" {
		t.Errorf("default: got %q", got)
	}
	if diags.HasError() {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	resolveString(types.StringUnknown(), "DATALOOP_TEST_SETTING", "def", p, "X", &diags)
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "DATALOOP_TEST_SETTING") {
		t.Fatalf("unknown value: want an error naming the env var, got %v", diags)
	}
}

func TestResolveAccessCheck(t *testing.T) {
	var diags diag.Diagnostics
	got := resolveAccessCheck(nil, &diags)
	want := accessCheckConfig{OnPlan: true, OnApply: true, Severity: severityError, PlanSeverity: severityWarning,
		PropagationTimeout: 2 * time.Minute}
	if diags.HasError() || got != want {
		t.Fatalf("defaults: got %+v (%v), want %+v", got, diags, want)
	}

	got = resolveAccessCheck(&accessCheckModel{
		OnPlan:             types.BoolValue(false),
		OnApply:            types.BoolNull(),
		Severity:           types.StringValue(severityWarning),
		PropagationTimeout: types.StringValue("90s"),
		AWSEndpoint:        types.StringValue("http://127.0.0.1:5000"),
	}, &diags)
	want = accessCheckConfig{OnPlan: false, OnApply: true, Severity: severityWarning, PlanSeverity: severityWarning,
		PropagationTimeout: 90 * time.Second, AWSEndpoint: "http://127.0.0.1:5000"}
	if diags.HasError() || got != want {
		t.Fatalf("configured: got %+v (%v), want %+v", got, diags, want)
	}

	resolveAccessCheck(&accessCheckModel{Severity: types.StringUnknown()}, &diags)
	if !diags.HasError() {
		t.Fatal("unknown severity: want an error")
	}
}

func TestUserAgent(t *testing.T) {
	got := userAgent("1.2.3", "1.11.4")
	want := "terraform-provider-dataloop/1.2.3 (+https://registry.terraform.io/providers/terraform-dataloop/dataloop) Terraform/1.11.4"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := userAgent("1.2.3", ""); strings.Contains(got, "Terraform/") {
		t.Errorf("without a Terraform version: got %q", got)
	}
}

// Provider configuration errors surface at plan, before any API call, so
// these run without TF_ACC.
func TestProvider_configurationErrors(t *testing.T) {
	cases := map[string]struct {
		env    map[string]string
		config string
		want   *regexp.Regexp
	}{
		"missing token": {
			env:    map[string]string{envToken: ""},
			config: testProjectDataConfig,
			want:   regexp.MustCompile(`(?s)Missing Dataloop API Token.*DATALOOP_TOKEN`),
		},
		"unknown token": {
			config: `
resource "terraform_data" "token" {
  input = "computed-later"
}

provider "dataloop" {
  token = terraform_data.token.output
}
` + testProjectDataConfig,
			want: regexp.MustCompile(`(?s)Unknown Dataloop Token.*DATALOOP_TOKEN`),
		},
		"endpoint without scheme from env": {
			env:    map[string]string{envEndpoint: "gate.dataloop.ai/api/v1"},
			config: testProjectDataConfig,
			want:   regexp.MustCompile(`(?s)Invalid Dataloop Endpoint.*DATALOOP_ENDPOINT`),
		},
		"endpoint without scheme in config": {
			config: `
provider "dataloop" {
  endpoint = "gate.dataloop.ai"
}
` + testProjectDataConfig,
			want: regexp.MustCompile(`(?s)Invalid URL.*endpoint`),
		},
		"bad severity": {
			config: testAccProviderConfig(map[string]string{"severity": "fatal"}) + testProjectDataConfig,
			want:   regexp.MustCompile(`(?s)access_check.severity.*"error".*"warning"`),
		},
		"bad propagation timeout": {
			config: testAccProviderConfig(map[string]string{"propagation_timeout": "2 minutes"}) + testProjectDataConfig,
			want:   regexp.MustCompile(`(?s)Invalid Duration.*access_check.propagation_timeout`),
		},
		"negative propagation timeout": {
			config: testAccProviderConfig(map[string]string{"propagation_timeout": "-1m"}) + testProjectDataConfig,
			want:   regexp.MustCompile(`(?s)Invalid Duration.*greater than zero`),
		},
		"bad aws endpoint": {
			config: testAccProviderConfig(map[string]string{"aws_endpoint": "127.0.0.1:5000"}) + testProjectDataConfig,
			want:   regexp.MustCompile(`(?s)Invalid URL.*access_check.aws_endpoint`),
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			testUnitProviderEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: tc.config, PlanOnly: true, ExpectError: tc.want},
				},
			})
		})
	}
}

// Configuration values take precedence over the environment, and requests
// name the provider and Terraform versions.
func TestAccProvider_configOverridesEnv(t *testing.T) {
	e := testAccEmulator(t)
	endpoint := e.Endpoint
	t.Setenv(envEndpoint, "http://127.0.0.1:1/api/v1")
	t.Setenv(envToken, "not-a-valid-token")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
provider "dataloop" {
  endpoint = "` + endpoint + `"
  token    = "` + testToken + `"
}
` + testProjectDataConfig,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_project.test", tfjsonpath.New("name"), knownvalue.StringExact(testProjectName)),
				},
			},
		},
	})

	uas := e.UserAgents()
	ok := false
	for _, ua := range uas {
		if strings.HasPrefix(ua, "terraform-provider-dataloop/test ") && strings.Contains(ua, " Terraform/1.") {
			ok = true
		}
	}
	if !ok {
		t.Errorf("no request named the provider and Terraform versions; User-Agents seen: %q", uas)
	}
}

// A wrong token is reported with the platform's answer.
func TestAccProvider_invalidToken(t *testing.T) {
	testAccEmulator(t)
	t.Setenv(envToken, "not-a-valid-token")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: testProjectDataConfig, ExpectError: regexp.MustCompile(`(?s)Unable to Read Project.*401`)},
		},
	})
}

// TestProvider_insecureEndpoint: the token is never sent over plain HTTP to
// a host that is not this machine unless insecure_http says so; the error
// names the attribute and the fix, before any request is made.
func TestProvider_insecureEndpoint(t *testing.T) {
	testUnitProviderEnv(t)
	for name, tc := range map[string]struct {
		provider string
		env      string
	}{
		"config": {provider: `provider "dataloop" { endpoint = "http://dataloop.example.com/api/v1" }`},
		"env":    {env: "http://dataloop.example.com/api/v1"},
		"explicitly false": {provider: `provider "dataloop" {
  endpoint      = "http://10.1.2.3:8080/api/v1"
  insecure_http = false
}`},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.env != "" {
				t.Setenv(envEndpoint, tc.env)
			}
			t.Setenv(envInsecureHTTP, "")
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.provider + testProjectDataConfig,
					ExpectError: regexp.MustCompile(`(?s)Insecure Dataloop Endpoint.*endpoint.*plain HTTP.*insecure_http\s+=\s+true.*DATALOOP_INSECURE_HTTP=true`),
				}},
			})
		})
	}
	// Allowed explicitly, the provider goes on to call the endpoint: the
	// error is then the request's (.invalid never resolves), not the rule's.
	for name, tc := range map[string]struct{ attr, env string }{
		"allowed in config": {attr: "\n  insecure_http = true"},
		"allowed by env":    {env: "true"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(envInsecureHTTP, tc.env)
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: `provider "dataloop" {
  endpoint = "http://dataloop.invalid/api/v1"` + tc.attr + `
}
` + testProjectDataConfig,
					ExpectError: regexp.MustCompile(`Unable to Read Project`),
				}},
			})
		})
	}
}
