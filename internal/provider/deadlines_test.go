package provider

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// shortPlanCallTimeout shortens planCallTimeout for one test. Acceptance
// tests do not run in parallel (they set the environment), so the package
// variable is safe to change.
func shortPlanCallTimeout(t *testing.T, d time.Duration) {
	t.Helper()
	old := planCallTimeout
	planCallTimeout = d
	t.Cleanup(func() { planCallTimeout = old })
}

// slowEndpoints makes the listed emulator routes answer only after a minute,
// far beyond the (shortened) plan-time deadline.
func slowEndpoints(routes ...string) testEmulatorOption {
	return func(o *emulator.Options) {
		o.Faults = emulator.Faults{Latency: time.Minute, Routes: routes}
	}
}

// Every network call of a plan has a deadline: a platform that does not
// answer the access check fails the plan-time check when the deadline
// passes, with the bound and the way out in the message.
func TestAccPlanDeadline_accessCheck(t *testing.T) {
	e := testAccEmulator(t, slowEndpoints("POST /drivers/test"))
	shortPlanCallTimeout(t, 3*time.Second)
	in, err := testClient(t).CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: testName(t, "tf-key"), Type: platform.TypeS3, Options: s3Options(testAccessKeyID(t), testSecretAccessKey(t)),
	})
	if err != nil {
		t.Fatal(err)
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: in.ID, Bucket: "tf-slow-bucket", Region: "us-east-1", Path: "raw/"}.String(),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unable to Run Access Check.*deadline exceeded.*after\s+3s.*access_check.on_plan\s+=\s+false`),
		}},
	})
	if n := e.Stats()["POST /drivers"]; n != 0 {
		t.Errorf("%d drivers created by a plan", n)
	}
}

// A data source read is bounded the same way.
func TestAccPlanDeadline_dataSource(t *testing.T) {
	testAccEmulator(t, slowEndpoints("GET /projects/{projectId}"))
	shortPlanCallTimeout(t, 3*time.Second)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testProjectDataConfig,
			ExpectError: regexp.MustCompile(`(?s)Unable to Read Project.*deadline exceeded.*after\s+3s`),
		}},
	})
}

// So is the credential check of a key integration: an AWS endpoint that
// never answers fails the plan-time check at the deadline.
func TestAccPlanDeadline_credentialCheck(t *testing.T) {
	testAccEmulator(t)
	shortPlanCallTimeout(t, 3*time.Second)
	// NOTE: the AWS SDK may leave the request running after the check gave
	// up, so the endpoint stays silent for 15s only, still far beyond the
	// deadline, to keep the test short.
	silent := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(15 * time.Second):
		}
	}))
	t.Cleanup(silent.Close)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccProviderConfig(map[string]string{"aws_endpoint": silent.URL}) +
				testAccAWSAccessKeyIntegrationConfig(testName(t, "tf-key"), testAccessKeyID(t), testSecretAccessKey(t), 1),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Unable to Check AWS Credentials.*after\s+3s`),
		}},
	})
}
