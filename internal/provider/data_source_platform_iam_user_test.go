package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

func TestAccPlatformIAMUserDataSource(t *testing.T) {
	// Strict: the platform does not say which role is bound, so the data
	// source must tell assigned from unassigned without that.
	testAccEmulator(t, withStrictEmulator)
	ctx := context.Background()
	client := testClient(t)
	role := "arn:aws:iam::210987654321:role/dataloop-access"

	// An integration that a storage driver uses is assigned, although it is
	// the oldest; the other one is not.
	bound := testAccCreateCrossAccountIntegration(t, client, "tf-acc-bound")
	if _, err := client.UpdateIntegration(ctx, testOrgID, platform.UpdateIntegrationInput{
		IntegrationID: bound.ID,
		Credentials:   &platform.IntegrationCredentials{Type: platform.TypeAWSCross, Options: map[string]any{"roleArn": role}},
	}); err != nil {
		t.Fatal(err)
	}
	driver, err := client.CreateDriver(ctx, platform.CreateDriverInput{
		Name: "tf-acc-bound", Type: platform.DriverTypeS3, IntegrationID: bound.ID, IntegrationType: platform.TypeAWSCross,
		ProjectID: testProjectID, Payload: platform.DriverLocation{BucketName: "tf-acc-bound", Region: "us-east-1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.DeleteDriver(context.Background(), driver.ID) })
	free := testAccCreateCrossAccountIntegration(t, client, "tf-acc-free")
	boundARN, freeARN := bound.PlatformUserARN(), free.PlatformUserARN()

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
data "dataloop_platform_iam_user" "unassigned" {}

data "dataloop_platform_iam_user" "bound" {
  integration_id = %[1]q
}
`, bound.ID),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_platform_iam_user.unassigned", tfjsonpath.New("arn"), knownvalue.StringExact(freeARN)),
					statecheck.ExpectKnownValue("data.dataloop_platform_iam_user.unassigned", tfjsonpath.New("integration_id"), knownvalue.StringExact(free.ID)),
					statecheck.ExpectKnownValue("data.dataloop_platform_iam_user.unassigned", tfjsonpath.New("integration_name"), knownvalue.StringExact("tf-acc-free")),
					statecheck.ExpectKnownValue("data.dataloop_platform_iam_user.unassigned", tfjsonpath.New("org_id"), knownvalue.StringExact(testOrgID)),
					statecheck.ExpectKnownValue("data.dataloop_platform_iam_user.bound", tfjsonpath.New("arn"), knownvalue.StringExact(boundARN)),
				},
			},
		},
	})
}

// The data source agrees with the resource about the platform IAM user.
func TestAccPlatformIAMUserDataSource_fromResource(t *testing.T) {
	testAccEmulator(t)
	name := testName(t, "tf-acc-cross")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccAWSCrossAccountIntegrationConfig(name, "") + `
data "dataloop_platform_iam_user" "test" {
  integration_id = dataloop_aws_cross_account_integration.test.id
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.CompareValuePairs(
						testAccCrossAccountAddress, tfjsonpath.New("platform_iam_user_arn"),
						"data.dataloop_platform_iam_user.test", tfjsonpath.New("arn"),
						compare.ValuesSame(),
					),
				},
			},
		},
	})
}

func TestAccPlatformIAMUserDataSource_errors(t *testing.T) {
	testAccEmulator(t)
	client := testClient(t)
	key, err := client.CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: "tf-acc-key", Type: platform.TypeS3,
		Options: s3Options(testAccessKeyID(t), testSecretAccessKey(t)),
	})
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]struct {
		config string
		want   *regexp.Regexp
	}{
		"none unassigned": {
			config: `data "dataloop_platform_iam_user" "test" {}`,
			want:   regexp.MustCompile(`(?s)No Unassigned Platform IAM User.*"org-demo".*dataloop_aws_cross_account_integration`),
		},
		"not cross-account": {
			config: fmt.Sprintf(`data "dataloop_platform_iam_user" "test" { integration_id = %q }`, key.ID),
			want:   regexp.MustCompile(`(?s)Not a Cross-Account Integration.*"s3"`),
		},
		"unknown integration": {
			config: `data "dataloop_platform_iam_user" "test" { integration_id = "no-such-integration" }`,
			want:   regexp.MustCompile(`(?s)Unable to Read Integration.*404`),
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

// testAccCreateCrossAccountIntegration creates an aws-cross integration
// outside Terraform and deletes it when the test ends.
func testAccCreateCrossAccountIntegration(t *testing.T, client *platform.Client, name string) *platform.Integration {
	t.Helper()
	i, err := client.CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: name, Type: platform.TypeAWSCross, Options: map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = client.DeleteIntegration(context.Background(), testOrgID, i.ID) })
	return i
}
