package provider

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
		arn, ok := in.MetadataValue(platform.MetadataUserARN)
		if !ok {
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
	Name          string
	IntegrationID string // an HCL expression when Ref is set
	Ref           bool
	Bucket        string
	Region        string
	Path          string
	AllowDelete   bool
	StorageClass  string
	DependsOn     string
}

func (c s3DriverConfig) String() string {
	integration := fmt.Sprintf("%q", c.IntegrationID)
	if c.Ref {
		integration = c.IntegrationID
	}
	var b strings.Builder
	fmt.Fprintf(&b, "resource \"dataloop_s3_storage_driver\" \"test\" {\n")
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
	if c.DependsOn != "" {
		fmt.Fprintf(&b, "  depends_on     = [%s]\n", c.DependsOn)
	}
	b.WriteString("}\n")
	return b.String()
}

// expectAccessSuccess asserts the access attribute of a passed check.
func expectAccessSuccess(address string) statecheck.StateCheck {
	return statecheck.ExpectKnownValue(address, tfjsonpath.New("access").AtMapKey("success"), knownvalue.Bool(true))
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
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access"), knownvalue.ObjectPartial(map[string]knownvalue.Check{
						"success": knownvalue.Bool(true),
						"checks": knownvalue.ListPartial(map[int]knownvalue.Check{
							0: knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact("bucket"), "success": knownvalue.Bool(true)}),
						}),
					})),
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
					expectAccessSuccess(testS3DriverAddress),
					stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
						id, err := stateString(req.State, testS3DriverAddress, "id")
						if err != nil {
							resp.Error = err
							return
						}
						d, err := env.client.GetDriver(context.Background(), id)
						if err != nil {
							resp.Error = err
							return
						}
						if d.Path != "curated/" || d.StorageClass != "STANDARD_IA" || d.Name != name+"-renamed" {
							resp.Error = fmt.Errorf("the platform holds name %q, path %q, storage class %q; want %q, %q, %q",
								d.Name, d.Path, d.StorageClass, name+"-renamed", "curated/", "STANDARD_IA")
						}
						env.expectNoProbeObjects(t, bucket)
					}),
				},
			},
			{
				Config: moved.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
						driverID, resp.Error = stateString(req.State, testS3DriverAddress, "id")
					}),
				},
			},
			{
				// Deleted outside Terraform: refresh drops it, apply recreates it.
				PreConfig: func() {
					if err := env.client.DeleteDriver(context.Background(), driverID); err != nil {
						t.Fatalf("deleting driver %s: %v", driverID, err)
					}
				},
				Config: moved.String(),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(testS3DriverAddress, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{expectAccessSuccess(testS3DriverAddress)},
			},
		},
	})
}

// TestAccS3StorageDriver_keyPlanFailures shows that an access key
// integration that cannot use the bucket fails the plan with the reason and
// the fix, and that nothing reaches the platform.
func TestAccS3StorageDriver_keyPlanFailures(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	full := env.keyIntegration(t, s3DriverPolicy(t, bucket, "raw/", false))
	name := testName(t, "tf-driver")
	readOnly, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{Bucket: bucket, Path: "raw/", ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	readOnlyJSON, err := readOnly.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}

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
			// A read-only policy cannot serve a driver that may delete.
			config: s3DriverConfig{Name: name, IntegrationID: env.keyIntegration(t, readOnlyJSON), Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/", AllowDelete: true},
			want:   `(?s)delete:\s+FAILED.*"Action":\s+"s3:DeleteObject"`,
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
	env := testAccS3Env(t)
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

// testAccS3PlanFailures runs each case as a plan that must fail, then checks
// that the platform holds no driver.
func testAccS3PlanFailures(t *testing.T, env *s3TestEnv, cases []planFailureCase) {
	t.Helper()
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      c.config.String(),
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
					expectAccessSuccess(testS3DriverAddress),
					statecheck.ExpectKnownValue(testS3DriverAddress, tfjsonpath.New("access").AtMapKey("checks").AtSliceIndex(0).AtMapKey("name"),
						knownvalue.StringExact("assume_role")),
					stateCheckFunc(func(context.Context, statecheck.CheckStateRequest, *statecheck.CheckStateResponse) {
						env.expectNoProbeObjects(t, bucket)
					}),
				},
			},
			{
				// The refresh before this plan reads the trust the check established.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("dataloop_aws_cross_account_integration.test", tfjsonpath.New("trusted"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

// TestAccS3StorageDriver_crossAccountWrongTrust fails the apply when the
// role trusts someone else than the platform IAM user, after retrying for
// the propagation timeout, and creates nothing.
func TestAccS3StorageDriver_crossAccountWrongTrust(t *testing.T) {
	env := testAccS3Env(t)
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

// TestAccS3StorageDriver_propagation grants the role its permissions only
// after the apply's access check has failed once; the retries wait for it.
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
				Config: s3DriverConfig{Name: testName(t, "tf-driver"), IntegrationID: integrationID, Bucket: bucket, Region: testenv.MotoRegion, Path: "raw/"}.String(),
				ConfigStateChecks: []statecheck.StateCheck{
					expectAccessSuccess(testS3DriverAddress),
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
// result when the permission never comes.
func TestAccS3StorageDriver_propagationTimeout(t *testing.T) {
	env := testAccS3Env(t)
	bucket := env.bucket(t)
	integrationID, _ := env.crossIntegration(t, "", "")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: testAccConfig(
					testAccProviderConfig(map[string]string{"propagation_timeout": "5s"}),
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

// TestAccS3StorageDriver_severityWarning lets a failed plan-time check
// through as a warning.
func TestAccS3StorageDriver_severityWarning(t *testing.T) {
	env := testAccS3Env(t)
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
				},
			},
		},
	})
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
			invalid(func(c *s3DriverConfig) { c.Bucket = "Acme_Datasets" }, `must be an S3 bucket name`),
			invalid(func(c *s3DriverConfig) { c.Region = "Europe" }, `must be an AWS region name`),
			invalid(func(c *s3DriverConfig) { c.Path = "raw/\tx" }, `must not contain control characters`),
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
