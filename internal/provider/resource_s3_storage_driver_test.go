package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

const testS3DriverAddress = "dataloop_s3_storage_driver.test"

// s3TestEnv is the local stack of the S3 driver tests: an emulator that
// checks storage in moto, with IAM enforced, the way the platform checks AWS.
type s3TestEnv struct {
	*testEmulator
	moto   *testenv.Moto
	client *platform.Client
}

func testAccS3Env(t *testing.T, opts ...testEmulatorOption) *s3TestEnv {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("Acceptance tests skipped unless env 'TF_ACC' set")
	}
	m := testenv.SharedMoto(t)
	e := testAccEmulator(t, append([]testEmulatorOption{func(o *emulator.Options) {
		o.AWS = &emulator.AWSOptions{
			Endpoint:        m.Endpoint,
			Region:          m.Region,
			AccessKeyID:     m.AdminAccessKeyID,
			SecretAccessKey: m.AdminSecretAccessKey,
		}
	}}, opts...)...)
	return &s3TestEnv{testEmulator: e, moto: m, client: testClient(t)}
}

// bucket creates a bucket with a unique name in moto's default region.
func (env *s3TestEnv) bucket(t *testing.T) string {
	t.Helper()
	name := testName(t, "tf-bkt")
	env.moto.CreateBucket(t, name, testenv.MotoRegion)
	return name
}

// keyIntegration creates an IAM user with the given policy and an s3
// (access key) integration holding its key. It returns the integration ID.
func (env *s3TestEnv) keyIntegration(t *testing.T, policyJSON string) string {
	t.Helper()
	key := env.moto.CreateUser(t, testName(t, "tf-user"), policyJSON)
	return env.createIntegration(t, platform.TypeS3, map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey})
}

// stsIntegration creates an IAM user allowed to assume roles, a role that
// trusts trustPrincipal ("" means that user) with the given permission
// policy, and an aws-sts integration. It returns the integration ID.
func (env *s3TestEnv) stsIntegration(t *testing.T, trustPrincipal, policyJSON string) string {
	t.Helper()
	userName := testName(t, "tf-sts-user")
	key := env.moto.CreateUser(t, userName, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	if trustPrincipal == "" {
		trustPrincipal = fmt.Sprintf("arn:aws:iam::%s:user/%s", env.moto.AccountID, userName)
	}
	roleARN := env.moto.CreateRole(t, testName(t, "tf-sts-role"), s3DriverTrust(t, trustPrincipal), policyJSON)
	return env.createIntegration(t, platform.TypeAWSSTS, map[string]any{
		"key": key.AccessKeyID, "secret": key.SecretAccessKey, "roleArns": []string{roleARN},
	})
}

// crossIntegration creates an aws-cross integration bound to a new role
// that trusts trustPrincipal ("" means the integration's platform IAM user)
// and has the given permission policy ("" means none). It returns the
// integration ID and the role name.
func (env *s3TestEnv) crossIntegration(t *testing.T, trustPrincipal, policyJSON string) (string, string) {
	t.Helper()
	ctx := context.Background()
	in, err := env.client.CreateIntegration(ctx, testOrgID, platform.CreateIntegrationInput{
		Name: testName(t, "tf-cross"), Type: platform.TypeAWSCross, Options: map[string]any{},
	})
	if err != nil {
		t.Fatalf("creating aws-cross integration: %v", err)
	}
	if trustPrincipal == "" {
		arn := in.PlatformUserARN()
		if arn == "" {
			t.Fatalf("aws-cross integration %s has no %s metadata", in.ID, platform.MetadataUserARN)
		}
		trustPrincipal = arn
	}
	roleName := testName(t, "tf-cross-role")
	roleARN := env.moto.CreateRole(t, roleName, s3DriverTrust(t, trustPrincipal), policyJSON)
	if _, err := env.client.UpdateIntegration(ctx, testOrgID, platform.UpdateIntegrationInput{
		IntegrationID: in.ID,
		Credentials:   &platform.IntegrationCredentials{Type: platform.TypeAWSCross, Options: map[string]any{"roleArn": roleARN}},
	}); err != nil {
		t.Fatalf("binding role to integration %s: %v", in.ID, err)
	}
	return in.ID, roleName
}

func (env *s3TestEnv) createIntegration(t *testing.T, typ string, options map[string]any) string {
	t.Helper()
	in, err := env.client.CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
		Name: testName(t, "tf-"+typ), Type: typ, Options: options,
	})
	if err != nil {
		t.Fatalf("creating %s integration: %v", typ, err)
	}
	return in.ID
}

// expectNoDrivers fails the test when the project holds any driver.
func (env *s3TestEnv) expectNoDrivers(t *testing.T) {
	t.Helper()
	drivers, err := env.client.ListDrivers(context.Background(), testProjectID)
	if err != nil {
		t.Fatalf("listing drivers: %v", err)
	}
	for _, d := range drivers {
		t.Errorf("driver %s (%q) exists on the platform, but the failed check should have stopped its creation", d.ID, d.Name)
	}
}

// expectNoProbeObjects fails the test when a probe object of the access
// check is left in the bucket.
func (env *s3TestEnv) expectNoProbeObjects(t *testing.T, bucket string) {
	t.Helper()
	out, err := env.moto.S3().ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("listing bucket %s: %v", bucket, err)
	}
	for _, o := range out.Contents {
		if strings.Contains(aws.ToString(o.Key), ".dataloop/") {
			t.Errorf("probe object %s is left in bucket %s", aws.ToString(o.Key), bucket)
		}
	}
}

// driverTestCalls returns how many access checks the platform has run.
func (env *s3TestEnv) driverTestCalls() int {
	return env.Stats()["POST /drivers/test"]
}

// s3DriverPolicy is the generated permission policy for a driver location,
// without the given actions.
func s3DriverPolicy(t *testing.T, bucket, path string, allowDelete bool, without ...string) string {
	t.Helper()
	doc, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{Bucket: bucket, Path: path, AllowDelete: allowDelete})
	if err != nil {
		t.Fatal(err)
	}
	var kept []policy.Statement
	for _, st := range doc.Statement {
		st.Action = slices.DeleteFunc(slices.Clone(st.Action), func(a string) bool { return slices.Contains(without, a) })
		if len(st.Action) > 0 {
			kept = append(kept, st)
		}
	}
	doc.Statement = kept
	js, err := doc.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// s3ReadOnlyPolicy is the generated read-only permission policy for a
// driver location: no s3:PutObject outside the probe folder, no delete.
func s3ReadOnlyPolicy(t *testing.T, bucket, path string) string {
	t.Helper()
	doc, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{Bucket: bucket, Path: path, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	js, err := doc.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func s3DriverTrust(t *testing.T, principal string) string {
	t.Helper()
	doc, err := policy.AWSTrustPolicy(policy.TrustPolicyInput{PrincipalARN: principal})
	if err != nil {
		t.Fatal(err)
	}
	js, err := doc.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	return js
}

// s3DriverConfig renders a dataloop_s3_storage_driver "test" block.
type s3DriverConfig struct {
	Label         string // the resource's label; "test" when empty
	Name          string
	IntegrationID string // an HCL expression when Ref is set
	Ref           bool
	Bucket        string
	Region        string
	Path          string
	AllowDelete   bool
	StorageClass  string
	Timeouts      string // an HCL object, e.g. `{ create = "10m" }`
	DependsOn     string
}

func (c s3DriverConfig) String() string {
	integration := fmt.Sprintf("%q", c.IntegrationID)
	if c.Ref {
		integration = c.IntegrationID
	}
	label := c.Label
	if label == "" {
		label = "test"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"dataloop_s3_storage_driver\" %q {\n", label)
	fmt.Fprintf(&b, "  project_id     = %q\n", testProjectID)
	fmt.Fprintf(&b, "  name           = %q\n", c.Name)
	fmt.Fprintf(&b, "  integration_id = %s\n", integration)
	fmt.Fprintf(&b, "  bucket         = %q\n", c.Bucket)
	fmt.Fprintf(&b, "  region         = %q\n", c.Region)
	if c.Path != "" {
		fmt.Fprintf(&b, "  path           = %q\n", c.Path)
	}
	if c.AllowDelete {
		b.WriteString("  allow_delete   = true\n")
	}
	if c.StorageClass != "" {
		fmt.Fprintf(&b, "  storage_class  = %q\n", c.StorageClass)
	}
	if c.Timeouts != "" {
		fmt.Fprintf(&b, "  timeouts       = %s\n", c.Timeouts)
	}
	if c.DependsOn != "" {
		fmt.Fprintf(&b, "  depends_on     = [%s]\n", c.DependsOn)
	}
	b.WriteString("}\n")
	return b.String()
}

// expectAccessSuccess asserts that the driver's access attribute holds a
// passed check: the platform's 204, recorded as one "platform" check.
func expectAccessSuccess() statecheck.StateCheck {
	return statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access"), knownvalue.ObjectExact(map[string]knownvalue.Check{
		"success": knownvalue.Bool(true),
		"checks": knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
			"name":    knownvalue.StringExact("platform"),
			"success": knownvalue.Bool(true),
			"message": knownvalue.StringRegexp(regexp.MustCompile(`^The Dataloop platform's storage test passed for `)),
		})}),
	}))
}

// TestAccS3StorageDriver_basic creates a driver over an access key
// integration, imports it, moves it to another prefix in place and checks
// that plans stay empty and no probe object is left behind.
func TestAccS3StorageDriver_basic(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	// The whole bucket, with delete: the driver moves from raw/ to curated/,
	// and the checker must be able to remove its probe object in both.
	integrationID := env.keyIntegration(t, s3DriverPolicy(t, bucket, "", true))
	name := testName(t, "tf-driver")

	created := s3DriverConfig{Name: name, IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}
	moved := created
	moved.Name = name + "-renamed"
	moved.Path = "/curated" // not normalized on purpose: semantically equal to "curated/"
	moved.StorageClass = "STANDARD_IA"
	var driverID string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			env.expectNoDrivers(t)
			return nil
		},
		Steps: []resource.TestStep{
			{
				Config: created.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("path"), knownvalue.StringExact("raw/")),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("allow_delete"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("creator"), knownvalue.StringExact(testUserEmail)),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("storage_class"), knownvalue.Null()),
					expectAccessSuccess(),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access").AtMapKey("checks").AtSliceIndex(0).AtMapKey("message"),
						knownvalue.StringExact(`The Dataloop platform's storage test passed for prefix "raw/" of bucket "`+bucket+`".`)),
					stateCheckFunc(func(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse) {
						env.expectNoProbeObjects(t, bucket)
					}),
				},
			},
			{
				ResourceName:      testS3DriverAddress,
				ImportState:       true,
				ImportStateVerify: true,
			},
			{
				Config: moved.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testS3DriverAddress, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("path"), knownvalue.StringExact("/curated")),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("name"), knownvalue.StringExact(name+"-renamed")),
					expectAccessSuccess(),
					expectPlatformDriver(t, testS3DriverAddress, &driverID, func(d *platform.Driver) error {
						env.expectNoProbeObjects(t, bucket)
						if d.Path != "curated/" || d.StorageClass != "STANDARD_IA" || d.Name != name+"-renamed" {
							return fmt.Errorf("the platform holds name %q, path %q, storage class %q; want %q, %q, %q",
								d.Name, d.Path, d.StorageClass, name+"-renamed", "curated/", "STANDARD_IA")
						}
						return nil
					}),
				},
			},
			// Right after the apply, a refresh finds nothing changed.
			testAccNoDriftStep(moved.String()),
			testAccRecreateDeletedDriverStep(t, &driverID, testS3DriverAddress, moved.String(), expectAccessSuccess()),
		},
	})
}

// TestAccS3StorageDriver_keyPlanFailures shows that an access key
// integration that cannot use the bucket fails the plan with the reason and
// the fix, and that nothing reaches the platform.
func TestAccS3StorageDriver_keyPlanFailures(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	full := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	name := testName(t, "tf-driver")

	// The generated policy is exactly enough: without any one of its
	// actions, the check that needs it fails and names it.
	var cases []planFailureCase
	for _, c := range []struct{ action, check string }{
		{policy.ActionListBucket, "list"},
		{policy.ActionPutObject, "write"},
		{policy.ActionGetObject, "read"},
		{policy.ActionDeleteObject, "delete"},
	} {
		integration := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", true, c.action))
		cases = append(cases, planFailureCase{
			config: s3DriverConfig{Name: name, IntegrationID: integration, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/", AllowDelete: true},
			want:   `(?s)Storage Access Check Failed.*Checked\s+at\s+plan\s+time.*` + c.check + `:\s+FAILED.*"Action":\s+"` + c.action + `"`,
		})
	}
	testAccS3PlanFailures(t, env, append(cases, []planFailureCase{
		{
			// A read-only policy cannot serve a driver that may delete: with
			// allow_delete the probe lies outside .dataloop/, where it may
			// not write.
			config: s3DriverConfig{Name: name, IntegrationID: env.keyIntegration(t, s3ReadOnlyPolicy(t, bucket, "raw/")), Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/", AllowDelete: true},
			want:   `(?s)write:\s+FAILED.*raw/\.dataloop-access-check.*"Action":\s+"s3:PutObject"`,
		},
		{
			config: s3DriverConfig{Name: name, IntegrationID: full, Bucket: bucket, Region: "eu-west-1", Path: "raw/"},
			want:   `(?s)Storage Access Check Failed.*region:\s+FAILED.*us-east-1`,
		},
		{
			config: s3DriverConfig{Name: name, IntegrationID: full, Bucket: bucket + "-missing", Region: testenv.MotoRegion, Path: "raw/"},
			want:   `(?s)Storage Access Check Failed.*bucket:\s+FAILED.*does\s+not\s+exist`,
		},
	}...))
}

// TestAccS3StorageDriver_stsPlanFailures is the same for an aws-sts
// integration, whose key assumes a role.
func TestAccS3StorageDriver_stsPlanFailures(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	noPut := env.stsIntegration(t, "", s3DriverPolicy(t, bucket, "raw/", false, policy.ActionPutObject))
	full := env.stsIntegration(t, "", s3DriverPolicy(t, bucket, "raw/", true))
	wrongTrust := env.stsIntegration(t, env.moto.AdminARN, s3DriverPolicy(t, bucket, "raw/", false))
	name := testName(t, "tf-driver")

	testAccS3PlanFailures(t, env, []planFailureCase{
		{
			config: s3DriverConfig{Name: name, IntegrationID: noPut, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"},
			want:   `(?s)Storage Access Check Failed.*write:\s+FAILED.*s3:PutObject`,
		},
		{
			config: s3DriverConfig{Name: name, IntegrationID: wrongTrust, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"},
			want:   `(?s)Storage Access Check Failed.*assume_role:\s+FAILED.*sts:AssumeRole`,
		},
		{
			config: s3DriverConfig{Name: name, IntegrationID: full, Bucket: bucket, Region: "eu-west-1", Path: "raw/"},
			want:   `(?s)Storage Access Check Failed.*region:\s+FAILED.*us-east-1`,
		},
		{
			config: s3DriverConfig{Name: name, IntegrationID: full, Bucket: bucket + "-missing", Region: testenv.MotoRegion, Path: "raw/"},
			want:   `(?s)Storage Access Check Failed.*bucket:\s+FAILED.*does\s+not\s+exist`,
		},
	})
}

type planFailureCase struct {
	config s3DriverConfig
	want   string
}

// testAccS3PlanFailures runs each case as a plan that must fail with
// access_check.plan_severity = "error", then checks that the platform holds
// no driver.
func testAccS3PlanFailures(t *testing.T, env *s3TestEnv, cases []planFailureCase) {
	t.Helper()
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      testAccConfig(testAccProviderConfig(testAccStrictPlan), c.config.String()),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(c.want),
		})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
	})
	env.expectNoDrivers(t)
}

// TestAccS3StorageDriver_crossAccountOneApply builds the whole cross-account
// chain in one apply, without time_sleep: the integration takes the role ARN
// as a string, the role (created with the aws CLI by terraform_data) trusts
// the integration's platform IAM user and gets the generated policy, and the
// driver's apply-time check proves the chain.
func TestAccS3StorageDriver_crossAccountOneApply(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	roleName := testName(t, "tf-xacct-role")
	name := testName(t, "tf-driver")

	config := testAccConfig(
		fmt.Sprintf(`
resource "dataloop_aws_cross_account_integration" "test" {
  name     = %[1]q
  role_arn = "arn:aws:iam::%[2]s:role/%[3]s"
}

data "dataloop_aws_trust_policy" "test" {
  principal_arn = dataloop_aws_cross_account_integration.test.platform_iam_user_arn
}

# Where the trust status lives: read on every plan, never stored as drift.
data "dataloop_platform_iam_user" "test" {
  integration_id = dataloop_aws_cross_account_integration.test.id
}

data "dataloop_aws_bucket_policy" "test" {
  bucket = %[4]q
  path   = "raw/"
}

resource "terraform_data" "role" {
  input = {
    trust  = data.dataloop_aws_trust_policy.test.minified_json
    policy = data.dataloop_aws_bucket_policy.test.minified_json
  }

  provisioner "local-exec" {
    command = <<-EOT
      aws iam create-role --role-name %[3]s --assume-role-policy-document "$TRUST" >/dev/null &&
      aws iam put-role-policy --role-name %[3]s --policy-name dataloop --policy-document "$POLICY"
    EOT
    environment = {
      TRUST                 = self.input.trust
      POLICY                = self.input.policy
      AWS_ENDPOINT_URL      = %[5]q
      AWS_ACCESS_KEY_ID     = %[6]q
      AWS_SECRET_ACCESS_KEY = %[7]q
      AWS_DEFAULT_REGION    = %[8]q
    }
  }
}
`, name, env.moto.AccountID, roleName, bucket, env.moto.Endpoint, env.moto.AdminAccessKeyID, env.moto.AdminSecretAccessKey, env.moto.Region),
		s3DriverConfig{
			Name: name, IntegrationID: "dataloop_aws_cross_account_integration.test.id", Ref: true,
			Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/", DependsOn: "terraform_data.role",
		}.String(),
	)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					expectAccessSuccess(),
					stateCheckFunc(func(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse) {
						env.expectNoProbeObjects(t, bucket)
					}),
				},
			},
			func() resource.TestStep {
				// The check established trust as a side effect; no resource
				// may show that as drift, and the data source reports it.
				step := testAccNoDriftStep(config)
				step.ConfigStateChecks = []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.dataloop_platform_iam_user.test", tfjsonpath.New("trusted"), knownvalue.Bool(true)),
				}
				return step
			}(),
		},
	})
}

// TestAccS3StorageDriver_crossAccountWrongTrust fails the apply when the
// role trusts someone else than the platform IAM user, after retrying for
// the propagation timeout, and creates nothing.
func TestAccS3StorageDriver_crossAccountWrongTrust(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	integrationID, _ := env.crossIntegration(t, env.moto.AdminARN, s3DriverPolicy(t, bucket, "raw/", false))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(
					testAccProviderConfig(map[string]string{"propagation_timeout": "3s"}),
					s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
				),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*retried\s+for\s+3s.*Nothing\s+was\s+changed.*assume_role:\s+FAILED.*sts:AssumeRole`),
			},
		},
	})
	env.expectNoDrivers(t)
}

// TestAccS3StorageDriver_crossAccountPlanFailures checks a cross-account
// integration at plan time while its trust is not established: a role that
// is not bound yet or cannot be assumed is left to the apply-time check
// (the role is usually created in the same apply), but a missing bucket, a
// wrong region or a missing permission of a role that can be assumed fails
// the plan as for the other integration types.
func TestAccS3StorageDriver_crossAccountPlanFailures(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	unbound := env.createIntegration(t, platform.TypeAWSCross, map[string]any{})
	wrongTrust, _ := env.crossIntegration(t, env.moto.AdminARN, s3DriverPolicy(t, bucket, "raw/", false))
	full, _ := env.crossIntegration(t, "", s3DriverPolicy(t, bucket, "raw/", false))
	readOnly, _ := env.crossIntegration(t, "", s3ReadOnlyPolicy(t, bucket, "raw/"))
	for _, id := range []string{unbound, wrongTrust, full, readOnly} {
		in, err := env.client.GetIntegration(context.Background(), testOrgID, id)
		if err != nil {
			t.Fatal(err)
		}
		if in.TrustEstablished() {
			t.Fatalf("integration %s is trusted before any check; the test needs untrusted integrations", id)
		}
	}
	name := testName(t, "tf-driver")
	location := func(integrationID, bucket, region string, allowDelete bool) string {
		return testAccConfig(testAccProviderConfig(testAccStrictPlan),
			s3DriverConfig{Name: name, IntegrationID: integrationID, Bucket: bucket, Region: region, Path: "raw/", AllowDelete: allowDelete}.String())
	}
	var checksBefore int

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// No role bound: the platform has no role to assume, which
				// the same apply may fix (the platform does not say which
				// role is bound, so the provider asks it to check).
				Config:             location(unbound, bucket, testenv.MotoRegion, false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() { checksBefore = env.driverTestCalls() },
				// The role cannot be assumed: silent at plan.
				Config:             location(wrongTrust, bucket, testenv.MotoRegion, false),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				PreConfig: func() {
					if n := env.driverTestCalls() - checksBefore; n == 0 {
						t.Error("the platform ran no access check for an untrusted role; the plan-time check must run and stay silent")
					}
				},
				Config:      location(full, bucket+"-missing", testenv.MotoRegion, false),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+at\s+plan\s+time.*assume_role:\s+passed.*bucket:\s+FAILED.*does\s+not\s+exist`),
			},
			{
				Config:      location(full, bucket, "eu-west-1", false),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+at\s+plan\s+time.*region:\s+FAILED.*us-east-1`),
			},
			{
				Config:   location(readOnly, bucket, testenv.MotoRegion, true),
				PlanOnly: true,
				// With allow_delete the probe lies outside .dataloop/, where a
				// read-only role may not write.
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*Checked\s+at\s+plan\s+time.*write:\s+FAILED.*raw/\.dataloop-access-check.*"Action":\s+"s3:PutObject"`),
			},
		},
	})
	env.expectNoDrivers(t)
}

// TestAccS3StorageDriver_crossAccountApplyFailures fails the apply of a
// cross-account driver with a specific message for a missing bucket, a
// wrong region and a read-only role with allow_delete, and creates nothing.
// Only the apply-time check runs (on_plan = false), as when the integration
// is created in the same apply: a missing bucket or a wrong region is not
// retried, so the platform checks once.
func TestAccS3StorageDriver_crossAccountApplyFailures(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	full, _ := env.crossIntegration(t, "", s3DriverPolicy(t, bucket, "raw/", false))
	readOnly, _ := env.crossIntegration(t, "", s3ReadOnlyPolicy(t, bucket, "raw/"))
	name := testName(t, "tf-driver")

	for _, c := range []struct {
		name   string
		config s3DriverConfig
		want   string
		// once is set when the failure must not be retried.
		once bool
	}{
		{
			name:   "missing bucket",
			config: s3DriverConfig{Name: name, IntegrationID: full, Bucket: bucket + "-missing", Region: testenv.MotoRegion, Path: "raw/"},
			want: `(?s)Storage Access Check Failed.*Checked\s+before\s+creating\s+the\s+driver;\s+not\s+retried.*Nothing\s+was\s+changed.*` +
				`bucket:\s+FAILED.*does\s+not\s+exist`,
			once: true,
		},
		{
			name:   "wrong region",
			config: s3DriverConfig{Name: name, IntegrationID: full, Bucket: bucket, Region: "eu-west-1", Path: "raw/"},
			want: `(?s)Storage Access Check Failed.*Checked\s+before\s+creating\s+the\s+driver;\s+not\s+retried.*Nothing\s+was\s+changed.*` +
				`region:\s+FAILED.*us-east-1.*Set\s+region\s+to\s+the\s+bucket's\s+region`,
			once: true,
		},
		{
			// A denied write may be a policy change that has not
			// propagated yet, so it is retried for the propagation timeout.
			// With allow_delete the probe lies outside .dataloop/.
			name:   "read-only role with allow_delete",
			config: s3DriverConfig{Name: name, IntegrationID: readOnly, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/", AllowDelete: true},
			want: `(?s)Storage Access Check Failed.*retried\s+for\s+2s.*Nothing\s+was\s+changed.*` +
				`write:\s+FAILED.*raw/\.dataloop-access-check.*"Action":\s+"s3:PutObject"`,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			env.ResetStats()
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config: testAccConfig(
							testAccProviderConfig(map[string]string{"on_plan": "false", "propagation_timeout": "2s"}),
							c.config.String(),
						),
						ExpectError: regexp.MustCompile(c.want),
					},
				},
			})
			n := env.driverTestCalls()
			switch {
			case c.once && n != 1:
				t.Errorf("the platform ran %d access checks; want 1, because propagation cannot explain the failure", n)
			case n == 0:
				t.Error("the platform ran no access check")
			}
			if n := env.Stats()["POST /drivers"]; n != 0 {
				t.Errorf("the provider sent POST /drivers %d times after a failed check", n)
			}
			env.expectNoDrivers(t)
		})
	}
}

// TestAccS3StorageDriver_createBudget keeps part of timeouts.create for
// creating the driver when access_check.propagation_timeout does not fit in
// it: the plan warns, and the apply-time check stops waiting early and says
// why, instead of running into the create timeout.
func TestAccS3StorageDriver_createBudget(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	diags := testAccDiagnosticLog(t)
	bucket := env.bucket(t)
	// A role without permissions: list is denied, which propagation explains.
	integrationID, _ := env.crossIntegration(t, "", "")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(
					testAccProviderConfig(map[string]string{"on_plan": "false", "propagation_timeout": "10m"}),
					s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion,
						Path: "raw/", Timeouts: `{ create = "12s" }`}.String(),
				),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*retried\s+for\s+\d+s\s+while\s+IAM\s+changes\s+propagate:\s+` +
					`access_check.propagation_timeout\s+is\s+10m,\s+but\s+timeouts.create\s+\(12s\)\s+must\s+also\s+leave\s+3s.*` +
					`at\s+least\s+10m30s.*list:\s+FAILED`),
			},
		},
	})
	diags.expectWarning(t, "PlanResourceChange", "Access Check Timeouts Conflict",
		"access_check.propagation_timeout is 10m, but timeouts.create is 12s, of which 3s are kept",
		"wait at most 9s", "Set timeouts.create to at least 10m30s")
	env.expectNoDrivers(t)
}

// TestAccS3StorageDriver_noopUpdates shows that spellings of the same path
// and changed timeouts plan no change to the driver, after create and after
// import, and that a timeouts-only update calls neither the driver API nor
// the access check.
func TestAccS3StorageDriver_noopUpdates(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	integrationID := env.keyIntegration(t, s3DriverPolicy(t, bucket, "sts/", false))
	config := s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "/sts"}
	withPath := func(p string) s3DriverConfig {
		c := config
		c.Path = p
		return c
	}
	withTimeouts := withPath("sts")
	withTimeouts.Timeouts = `{ update = "3m" }`
	var patches, checks int

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Terraform's own plan after this apply must be empty too.
				Config: config.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("path"), knownvalue.StringExact("/sts")),
					expectAccessSuccess(),
					expectPlatformDriver(t, testS3DriverAddress, nil, func(d *platform.Driver) error {
						if d.Path != "sts/" {
							return fmt.Errorf("the platform holds path %q; want %q", d.Path, "sts/")
						}
						return nil
					}),
				},
			},
			{
				// NOTE: path is ignored because an import cannot know how
				// the configuration spells it; it reads the platform's
				// normalized form, checked below. The next step proves that
				// the plan after an import is empty all the same.
				ResourceName:            testS3DriverAddress,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"path"},
				ImportStateCheck: func(states []*terraform.InstanceState) error {
					if len(states) != 1 || states[0].Attributes["path"] != "sts/" {
						return fmt.Errorf("imported states %v; want one with path %q", states, "sts/")
					}
					return nil
				},
			},
			{
				// An import block plans the import with the configuration
				// ("/sts" against the imported "sts/"); the plan must be a
				// no-op.
				ResourceName:    testS3DriverAddress,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
			},
			{
				Config: withPath("sts").String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				Config: withPath("sts/").String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				PreConfig: func() {
					patches, checks = env.Stats()["PATCH /drivers/{id}"], env.driverTestCalls()
				},
				Config: withTimeouts.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testS3DriverAddress, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("timeouts").AtMapKey("update"), knownvalue.StringExact("3m")),
					// The spelling in state since the create, kept by every plan since.
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("path"), knownvalue.StringExact("/sts")),
					stateCheckFunc(func(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
						if n := env.Stats()["PATCH /drivers/{id}"] - patches; n != 0 {
							resp.Error = fmt.Errorf("a timeouts-only change sent %d PATCH /drivers/{id}; want none", n)
						}
						if n := env.driverTestCalls() - checks; n != 0 {
							resp.Error = fmt.Errorf("a timeouts-only change ran %d access checks; want none", n)
						}
					}),
				},
			},
		},
	})
}

// TestAccS3StorageDriver_propagation grants the role its permissions only
// after the apply's access check has failed once; the retries wait for it.
// The plan-time check is off: it would report the missing permission at plan
// (TestAccS3StorageDriver_crossAccountPlanFailures), which is right for a
// role that exists, but this test is about the apply-time retries.
func TestAccS3StorageDriver_propagation(t *testing.T) {
	// The emulator logs every answered request; the first failed check
	// (424) is the signal to grant the permission.
	failed := make(chan struct{})
	var once sync.Once
	env := testAccS3Env(t, func(o *emulator.Options) {
		o.Logf = func(format string, args ...any) {
			if strings.HasPrefix(fmt.Sprintf(format, args...), "POST "+emulator.BasePath+"/drivers/test -> 424") {
				once.Do(func() { close(failed) })
			}
		}
	})
	bucket := env.bucket(t)
	integrationID, roleName := env.crossIntegration(t, "", "")
	permissions := s3DriverPolicy(t, bucket, "raw/", false)

	done := make(chan struct{})
	granted := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		<-granted
	})
	go func() {
		defer close(granted)
		select {
		case <-done:
		case <-failed:
			env.moto.PutRolePolicy(t, roleName, permissions)
		}
	}()

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(
					testAccProviderConfig(map[string]string{"on_plan": "false"}),
					s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAccessSuccess(),
					stateCheckFunc(func(_ context.Context, _ statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
						if n := env.driverTestCalls(); n < 2 {
							resp.Error = fmt.Errorf("the platform ran %d access checks; want a failed one before the grant and a passing one after", n)
						}
						env.expectNoProbeObjects(t, bucket)
					}),
				},
			},
		},
	})
}

// TestAccS3StorageDriver_propagationTimeout fails the apply with the last
// result when the permission never comes. As in
// TestAccS3StorageDriver_propagation, only the apply-time check runs.
func TestAccS3StorageDriver_propagationTimeout(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	bucket := env.bucket(t)
	integrationID, _ := env.crossIntegration(t, "", "")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(
					testAccProviderConfig(map[string]string{"on_plan": "false", "propagation_timeout": "5s"}),
					s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
				),
				ExpectError: regexp.MustCompile(`(?s)Storage Access Check Failed.*retried\s+for\s+5s.*list:\s+FAILED.*"Action":\s+"s3:ListBucket"`),
			},
		},
	})
	env.expectNoDrivers(t)
	if n := env.driverTestCalls(); n < 2 {
		t.Errorf("the platform ran %d access checks; want retries within the propagation timeout", n)
	}
}

// TestAccS3StorageDriver_severityWarning lets a failed check through as a
// warning, at plan time and before creating the driver, and records the
// failure in access.
func TestAccS3StorageDriver_severityWarning(t *testing.T) {
	env := testAccS3Env(t, withEmulatorExtensions)
	diags := testAccDiagnosticLog(t)
	bucket := env.bucket(t)
	noPut := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false, policy.ActionPutObject))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(
					testAccProviderConfig(map[string]string{"severity": "warning", "propagation_timeout": "2s"}),
					s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: noPut, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access").AtMapKey("success"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access").AtMapKey("checks"), knownvalue.ListPartial(map[int]knownvalue.Check{
						3: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("write"), "success": knownvalue.Bool(false)}),
					})),
				},
			},
		},
	})
	diags.expectWarning(t, "PlanResourceChange", "Storage Access Check Failed", "Checked at plan time, once per location", "write: FAILED", "runs again at apply time")
	diags.expectWarning(t, "ApplyResourceChange", "Storage Access Check Failed", "Checked before creating the driver", "write: FAILED")
}

// diagnosticLog is the log of the provider under test, which records every
// diagnostic it returns. terraform-plugin-testing does not expose warnings,
// so tests read them here.
type diagnosticLog struct {
	path string
}

// testAccDiagnosticLog sends the logs of Terraform (at WARN) and of the
// provider under test (at TRACE, which TF_ACC_LOG_PATH implies) to a file of
// the test.
func testAccDiagnosticLog(t *testing.T) *diagnosticLog {
	t.Helper()
	l := &diagnosticLog{path: filepath.Join(t.TempDir(), "terraform.log")}
	t.Setenv("TF_ACC_LOG_PATH", l.path)
	t.Setenv("TF_ACC_LOG", "WARN")
	return l
}

// expectWarning fails the test unless the provider returned, from the given
// RPC (e.g. "PlanResourceChange"), a warning with the given summary whose
// detail contains every one of details.
func (l *diagnosticLog) expectWarning(t *testing.T, rpc, summary string, details ...string) {
	t.Helper()
	found := l.warnings(t, rpc, summary)
	for _, w := range found {
		missing := false
		for _, d := range details {
			missing = missing || !strings.Contains(w, d)
		}
		if !missing {
			return
		}
	}
	t.Errorf("the provider returned no %q warning from %s whose detail contains %q; %d such warnings:\n%s",
		summary, rpc, details, len(found), strings.Join(found, "\n"))
}

// logEntryStart matches the first line of an entry; hclog writes multi-line
// values (a diagnostic's detail) on the indented lines after it.
var logEntryStart = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`)

// warnings returns the log entries of the warnings with the given summary
// that the provider returned from rpc.
func (l *diagnosticLog) warnings(t *testing.T, rpc, summary string) []string {
	t.Helper()
	data, err := os.ReadFile(l.path)
	if err != nil {
		t.Fatalf("reading the provider log: %v", err)
	}
	var entries []string
	for _, line := range strings.Split(string(data), "\n") {
		if logEntryStart.MatchString(line) || len(entries) == 0 {
			entries = append(entries, line)
		} else {
			entries[len(entries)-1] += "\n" + line
		}
	}
	var out []string
	for _, e := range entries {
		if strings.Contains(e, "Response contains warning diagnostic") &&
			strings.Contains(e, "tf_rpc="+rpc) &&
			strings.Contains(e, fmt.Sprintf("diagnostic_summary=%q", summary)) {
			out = append(out, e)
		}
	}
	return out
}

// TestS3StorageDriver_validation rejects malformed inputs before any API call.
func TestS3StorageDriver_validation(t *testing.T) {
	testUnitProviderEnv(t)
	base := s3DriverConfig{Name: "d", IntegrationID: "int-1", Bucket: "acme-datasets", Region: "eu-west-1", Path: "raw/"}
	invalid := func(change func(*s3DriverConfig), want string) resource.TestStep {
		c := base
		change(&c)
		return resource.TestStep{Config: c.String(), PlanOnly: true, ExpectError: regexp.MustCompile(want)}
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			invalid(func(c *s3DriverConfig) { c.Bucket = "Acme_Datasets" }, `(?s)Invalid S3 Bucket Name.*bucket.*lowercase letters`),
			invalid(func(c *s3DriverConfig) { c.Region = "Europe" }, `(?s)Invalid Region.*not an AWS region name`),
			invalid(func(c *s3DriverConfig) { c.Path = "raw/\tx" }, `(?s)Invalid Storage Driver Path.*control character`),
			{
				Config: base.String() + `
resource "dataloop_s3_storage_driver" "bad" {
  project_id     = "p"
  name           = "d"
  integration_id = "i"
  bucket         = "acme-datasets"
  region         = "eu-west-1"
  storage_class  = "COLD"
  endpoint       = "minio:9000"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)storage_class.*value must be one of.*endpoint`),
			},
		},
	})
}

// TestS3StorageDriver_unconfigured calls the driver's CRUD methods and the
// storage_access data source's Read without provider data, as a provider
// bug would: each reports an error instead of panicking.
func TestS3StorageDriver_unconfigured(t *testing.T) {
	ctx := context.Background()
	r, _ := NewS3DriverResource().(*storageDriverResource[s3DriverModel, *s3DriverModel])
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	timeoutTypes := map[string]attr.Type{"create": types.StringType, "read": types.StringType, "update": types.StringType, "delete": types.StringType}
	state := tfsdk.State{Schema: schemaResp.Schema}
	if diags := state.Set(ctx, &s3DriverModel{
		driverBase: driverBase{
			ID: types.StringValue("drv-1"), ProjectID: types.StringValue(testProjectID), Name: types.StringValue("d"),
			IntegrationID: types.StringValue("int-1"), Path: driverPathString("raw/"), AllowDelete: types.BoolValue(false),
			CreatedAt: types.StringNull(), Creator: types.StringNull(), Access: types.ObjectNull(accessAttrTypes),
			Timeouts: timeouts.Value{Object: types.ObjectNull(timeoutTypes)},
		},
		Bucket: types.StringValue("acme"), Region: types.StringValue("eu-west-1"), StorageClass: types.StringNull(), Endpoint: types.StringNull(),
	}); diags.HasError() {
		t.Fatal(diags)
	}
	plan := tfsdk.Plan(state)
	empty := tfsdk.State{Schema: state.Schema, Raw: tftypes.NewValue(state.Raw.Type(), nil)}

	ds := &storageAccessDataSource{}
	var dsSchemaResp datasource.SchemaResponse
	ds.Schema(ctx, datasource.SchemaRequest{}, &dsSchemaResp)
	dsState := tfsdk.State{Schema: dsSchemaResp.Schema, Raw: tftypes.NewValue(dsSchemaResp.Schema.Type().TerraformType(ctx), nil)}
	if diags := dsState.SetAttribute(ctx, path.Root("driver_id"), types.StringValue("drv-1")); diags.HasError() {
		t.Fatal(diags)
	}

	for name, call := range map[string]func() diag.Diagnostics{
		"Create": func() diag.Diagnostics {
			resp := &fwresource.CreateResponse{State: empty}
			r.Create(ctx, fwresource.CreateRequest{Plan: plan}, resp)
			return resp.Diagnostics
		},
		"Read": func() diag.Diagnostics {
			resp := &fwresource.ReadResponse{State: state}
			r.Read(ctx, fwresource.ReadRequest{State: state}, resp)
			return resp.Diagnostics
		},
		"Update": func() diag.Diagnostics {
			// A rename, so that the update has something to send.
			renamed := tfsdk.Plan{Schema: plan.Schema, Raw: plan.Raw.Copy()}
			if diags := renamed.SetAttribute(ctx, path.Root("name"), types.StringValue("d2")); diags.HasError() {
				return diags
			}
			resp := &fwresource.UpdateResponse{State: state}
			r.Update(ctx, fwresource.UpdateRequest{Plan: renamed, State: state}, resp)
			return resp.Diagnostics
		},
		"Delete": func() diag.Diagnostics {
			resp := &fwresource.DeleteResponse{State: state}
			r.Delete(ctx, fwresource.DeleteRequest{State: state}, resp)
			return resp.Diagnostics
		},
		"storage_access Read": func() diag.Diagnostics {
			resp := &datasource.ReadResponse{State: dsState}
			ds.Read(ctx, datasource.ReadRequest{Config: tfsdk.Config(dsState)}, resp)
			return resp.Diagnostics
		},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if p := recover(); p != nil {
					t.Fatalf("panicked: %v", p)
				}
			}()
			diags := call()
			if !diags.HasError() || diags.Errors()[0].Summary() != "Unconfigured Dataloop Provider" {
				t.Errorf("diagnostics = %v, want the Unconfigured Dataloop Provider error", diags)
			}
		})
	}
}
