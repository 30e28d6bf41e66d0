package provider

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// The published spec documents only 204 for POST /drivers/test. These tests
// answer it the other ways a real deployment might, through the Terraform
// CLI, against the emulator in strict mode (no checks[] extension): every
// answer class has its own deliberate report.

const driverTestPath = "/api/v1/drivers/test"

// answerEnv is a strict local stack with a bucket and an access key
// integration that could use it, and the config of a driver over them.
func answerEnv(t *testing.T) (*s3TestEnv, func(accessCheck map[string]string) string) {
	t.Helper()
	env := testAccS3Env(t, withStrictEmulator)
	bucket := env.bucket(t)
	integrationID := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	name := testName(t, "tf-driver")
	return env, func(accessCheck map[string]string) string {
		return testAccConfig(testAccProviderConfig(accessCheck),
			s3DriverConfig{Name: name, IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String())
	}
}

// A denial without per-check results (403 with a message) is a failed check
// that honours severity: an error stops the apply and creates nothing; a
// warning creates the driver and records the platform's message.
func TestAccS3StorageDriver_platformDenial(t *testing.T) {
	env, config := answerEnv(t)
	const denial = "Access Denied: the platform may not read bucket objects"
	env.FailRequests(http.MethodPost, driverTestPath, http.StatusForbidden, 1000, denial)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(nil),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*The\s+platform\s+answered:\s+Access\s+Denied:\s+the\s+platform\s+may\s+not\s+read\s+bucket\s+objects.*severity\s+=\s+"warning"`),
			},
			{
				PreConfig: func() { env.expectNoDrivers(t) },
				Config:    config(map[string]string{"severity": "warning", "propagation_timeout": "1s"}),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"success": knownvalue.Bool(false),
						"checks": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":    knownvalue.StringExact("platform"),
							"success": knownvalue.Bool(false),
							"message": knownvalue.StringExact(denial),
						})}),
					})),
				},
			},
		},
	})
}

// 404 (and 405): the platform cannot test. That is a warning, never a
// pass: the driver is created, and access says nothing was verified.
func TestAccS3StorageDriver_platformCannotTest(t *testing.T) {
	env, config := answerEnv(t)
	env.FailRequests(http.MethodPost, driverTestPath, http.StatusNotFound, 1000, "Cannot POST /api/v1/drivers/test")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(nil),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access"), knownvalue.ObjectExact(map[string]knownvalue.Check{
						"success": knownvalue.Bool(false),
						"checks": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
							"name":    knownvalue.StringExact("platform"),
							"success": knownvalue.Bool(false),
							"message": knownvalue.StringRegexp(regexp.MustCompile(
								`^The Dataloop platform cannot test storage access \(it answered HTTP 404 Not Found: Cannot POST /api/v1/drivers/test\), ` +
									`so access to prefix "raw/" of bucket "[^"]+" was not verified\.$`)),
						})}),
					})),
				},
			},
		},
	})
}

// 5xx: retried, then "could not check", which honours severity; nothing is
// created with the default severity.
func TestAccS3StorageDriver_platformCouldNotCheck(t *testing.T) {
	env, config := answerEnv(t)
	env.FailRequests(http.MethodPost, driverTestPath, http.StatusServiceUnavailable, 1000, "upstream unavailable")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(nil),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Could Not Be Checked.*could\s+not\s+check\s+storage\s+access\s+` +
					`\(it\s+answered\s+HTTP\s+503\s+Service\s+Unavailable:\s+upstream\s+unavailable,\s+also\s+after\s+retries\)`),
			},
		},
	})
	env.expectNoDrivers(t)
	if n := env.injectedCount(http.MethodPost, driverTestPath); n < 2 {
		t.Errorf("the platform answered %d tests; a 503 must be retried", n)
	}
}

// 401: an authentication error that names the fix, not a storage failure.
func TestAccS3StorageDriver_platformRejectsToken(t *testing.T) {
	env, config := answerEnv(t)
	env.FailRequests(http.MethodPost, driverTestPath, http.StatusUnauthorized, 1000, "jwt expired")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config(nil),
				ExpectError: regexp.MustCompile(`(?s)Unable to Run Access Check.*rejected\s+the\s+token.*DATALOOP_TOKEN.*401`),
			},
		},
	})
	env.expectNoDrivers(t)
}
