package provider

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

const testAccBucketPolicyAddr = "data.dataloop_aws_bucket_policy.test"

const (
	testKMSKey1 = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testKMSKey2 = "arn:aws:kms:us-east-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab"
)

func TestAccAWSBucketPolicyDataSource_basic(t *testing.T) {
	testAccEmulator(t)
	root := policy.BucketPolicyInput{Bucket: "acme-datasets"}
	full := policy.BucketPolicyInput{
		Bucket:     "acme-datasets",
		Path:       "/raw/images",
		ReadOnly:   true,
		KMSKeyARNs: []string{testKMSKey2, testKMSKey1, testKMSKey2},
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            testAccBucketPolicyDataSourceConfig(`bucket = "acme-datasets"`),
				ConfigStateChecks: testAccPolicyStateChecks(testAccBucketPolicyAddr, bucketPolicyDoc(t, root)),
			},
			{
				Config: testAccBucketPolicyDataSourceConfig(
					`bucket       = "acme-datasets"`,
					`path         = "/raw/images"`,
					`read_only    = true`,
					fmt.Sprintf(`kms_key_arns = [%q, %q, %q]`, testKMSKey2, testKMSKey1, testKMSKey2),
				),
				ConfigStateChecks: append(testAccPolicyStateChecks(testAccBucketPolicyAddr, bucketPolicyDoc(t, full)),
					// The input is kept as written; only the policy uses the normalized path.
					statecheck.ExpectKnownValue(testAccBucketPolicyAddr, tfjsonpath.New("path"), knownvalue.StringExact("/raw/images")),
				),
			},
		},
	})
}

func TestAccAWSBucketPolicyDataSource_invalid(t *testing.T) {
	testAccEmulator(t)
	cases := []invalidAttrsCase{
		{[]string{`bucket = "Acme_Datasets"`}, `(?s)Invalid S3 Bucket Name.*The value of bucket is not valid. Bucket name "Acme_Datasets" holds characters other than lowercase letters`},
		{[]string{`bucket = "ab"`}, `(?s)The value of bucket is not valid. Bucket name "ab" is 2 characters long, but S3 bucket names have 3 to 63`},
		{[]string{`bucket = "xn--bucket"`}, `(?s)Invalid S3 Bucket Name.*reserved prefix "xn--"`},
		{[]string{`bucket = "acme-datasets"`, `path = "raw//images"`}, `(?s)Invalid Storage Driver Path.*The value of path is not valid. Path "raw//images" contains an empty segment`},
		{[]string{`bucket = "acme-datasets"`, `partition = "aws-iso"`}, `(?s)Invalid AWS Partition.*Partition "aws-iso" is not supported. Use one of aws, aws-cn, aws-us-gov`},
		{[]string{`bucket = "acme-datasets"`, `path = "raw\nimages"`}, `(?s)Invalid Storage Driver Path.*The value of path is not valid. .*control character`},
		{[]string{`bucket = "acme-datasets"`, `read_only = true`, `allow_delete = true`}, `(?s)Conflicting Bucket Policy Settings.*The value of allow_delete must not be true when read_only is true`},
		{[]string{`bucket = "acme-datasets"`, fmt.Sprintf(`kms_key_arns = [%q, "arn:aws:kms:eu-west-1:123456789012:alias/data"]`, testKMSKey1)},
			`(?s)Invalid KMS Key ARN.*The value of kms_key_arns\[1\] is not valid.*is a KMS alias ARN`},
		{[]string{`bucket = "acme-datasets"`, `kms_key_arns = ["key-1"]`}, `(?s)The value of kms_key_arns\[0\] is not valid. "key-1" is not a KMS key ARN`},
	}
	testAccInvalidDataSourceTest(t, "aws_bucket_policy", cases)
}

// TestAccAWSBucketPolicyDataSource_unknownAtPlan covers inputs that are
// unknown at plan: Terraform validates the configuration again once they are
// known, at apply, so an invalid one still fails naming the attribute, and
// nothing that uses the policy is created; a valid one plans as known after
// apply and applies.
func TestAccAWSBucketPolicyDataSource_unknownAtPlan(t *testing.T) {
	testAccEmulator(t)
	input := func(bucket string, readOnly, allowDelete bool, keys string) string {
		return fmt.Sprintf(`{ bucket = %q, read_only = %t, allow_delete = %t, kms_key_arns = %s }`, bucket, readOnly, allowDelete, keys)
	}
	testAccUnknownInputTest(t, testAccBucketPolicyAddr, "json", `data "dataloop_aws_bucket_policy" "test" {
  bucket       = terraform_data.in.output.bucket
  path         = "raw/"
  read_only    = terraform_data.in.output.read_only
  allow_delete = terraform_data.in.output.allow_delete
  kms_key_arns = terraform_data.in.output.kms_key_arns
}`, []unknownInputCase{
		{input: input("Acme_Datasets", false, false, "[]"),
			err: `Invalid S3 Bucket Name.*The value of bucket is not valid. Bucket name "Acme_Datasets" holds characters other than lowercase letters`},
		{input: input("acme-datasets", false, false, `["key-1"]`),
			err: `Invalid KMS Key ARN.*The value of kms_key_arns\[0\] is not valid. "key-1" is not a KMS key ARN`},
		{input: input("acme-datasets", true, true, "[]"),
			err: `Conflicting Bucket Policy Settings.*The value of allow_delete must not be true when read_only is true`},
		{input: input("acme-datasets", true, false, fmt.Sprintf("[%q]", testKMSKey1)),
			want: knownvalue.StringExact(bucketPolicyJSON(t, policy.BucketPolicyInput{Bucket: "acme-datasets", Path: "raw/",
				ReadOnly: true, KMSKeyARNs: []string{testKMSKey1}}))},
	})
}

// TestAddPolicyError covers the Read fallback, which validators normally
// pre-empt: the error must land on the attribute the generator names.
func TestAddPolicyError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		path string
	}{
		{&policy.FieldError{Field: policy.FieldBucket, Index: -1, Message: "bad"}, "bucket"},
		{&policy.FieldError{Field: policy.FieldKMSKeyARNs, Index: 1, Message: "bad"}, "kms_key_arns[1]"},
		{errors.New("other"), ""},
	}
	for _, tt := range tests {
		var diags diag.Diagnostics
		addPolicyError(&diags, "Unable to Generate Bucket Policy", tt.err)
		if len(diags) != 1 {
			t.Fatalf("%v: got %d diagnostics", tt.err, len(diags))
		}
		got := ""
		if d, ok := diags[0].(diag.DiagnosticWithPath); ok {
			got = d.Path().String()
		}
		if got != tt.path {
			t.Errorf("%v: path %q, want %q", tt.err, got, tt.path)
		}
	}
}

// testAccBucketPolicyDataSourceConfig renders the data source "test" with
// the given attribute lines.
func testAccBucketPolicyDataSourceConfig(attrs ...string) string {
	return testAccGeneratorDataSourceConfig("aws_bucket_policy", attrs...)
}

// testAccPolicyStateChecks expects a policy data source to hold doc as
// json and minified_json.
func testAccPolicyStateChecks(addr string, doc *policy.Document) []statecheck.StateCheck {
	indented, err := doc.JSON()
	if err != nil {
		panic(err)
	}
	minified, err := doc.MinifiedJSON()
	if err != nil {
		panic(err)
	}
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("json"), knownvalue.StringExact(indented)),
		statecheck.ExpectKnownValue(addr, tfjsonpath.New("minified_json"), knownvalue.StringExact(minified)),
	}
}

// testAccErrorRegexp compiles an ExpectError pattern in which every space
// matches any run of whitespace, since Terraform wraps diagnostic text.
// Patterns start with (?s) when they span the summary and the detail.
func testAccErrorRegexp(pattern string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(pattern, " ", `\s+`))
}

func bucketPolicyDoc(t *testing.T, in policy.BucketPolicyInput) *policy.Document {
	t.Helper()
	doc, err := policy.AWSBucketPolicy(in)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func bucketPolicyJSON(t *testing.T, in policy.BucketPolicyInput) string {
	t.Helper()
	s, err := bucketPolicyDoc(t, in).JSON()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
