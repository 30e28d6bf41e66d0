package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// TestAccAWSBucketPolicyFunction_matchesDataSource calls the function and
// the data source with the same inputs, including nulls for the function's
// defaults, and expects the same JSON from both.
func TestAccAWSBucketPolicyFunction_matchesDataSource(t *testing.T) {
	testAccEmulator(t)
	want := func(in policy.BucketPolicyInput) knownvalue.Check {
		return knownvalue.StringExact(bucketPolicyJSON(t, in))
	}
	testAccFunctionTest(t, testAccFunctionMatchesDataSourceSteps("aws_bucket_policy", "data.dataloop_aws_bucket_policy.test.json", []sameResultCase{
		{
			args:  `"acme-datasets", null, null, null, null`,
			attrs: []string{`bucket = "acme-datasets"`},
			want:  want(policy.BucketPolicyInput{Bucket: "acme-datasets"}),
		},
		{
			args: fmt.Sprintf(`"acme-datasets", "raw/images", true, false, [%q, %q]`, testKMSKey2, testKMSKey1),
			attrs: []string{`bucket = "acme-datasets"`, `path = "raw/images"`, `allow_delete = true`, `read_only = false`,
				fmt.Sprintf(`kms_key_arns = [%q, %q]`, testKMSKey2, testKMSKey1)},
			want: want(policy.BucketPolicyInput{Bucket: "acme-datasets", Path: "raw/images", AllowDelete: true, KMSKeyARNs: []string{testKMSKey1, testKMSKey2}}),
		},
		{
			args:  `"acme-datasets", "/raw/", false, true, []`,
			attrs: []string{`bucket = "acme-datasets"`, `path = "/raw/"`, `read_only = true`, `kms_key_arns = []`},
			want:  want(policy.BucketPolicyInput{Bucket: "acme-datasets", Path: "raw/", ReadOnly: true}),
		},
		{
			args:  `"acme-datasets", "raw", null, null, null, "aws-cn"`,
			attrs: []string{`bucket = "acme-datasets"`, `path = "raw"`, `partition = "aws-cn"`},
			want:  want(policy.BucketPolicyInput{Bucket: "acme-datasets", Path: "raw", Partition: "aws-cn"}),
		},
	}))
}

// TestAccAWSBucketPolicyFunction_knownAtPlan shows why the function exists:
// a data source that depends on a resource with pending changes is read at
// apply, so its JSON is "known after apply", while the function's result is
// known at plan as soon as its arguments are.
func TestAccAWSBucketPolicyFunction_knownAtPlan(t *testing.T) {
	testAccEmulator(t)
	want := knownvalue.StringExact(bucketPolicyJSON(t, policy.BucketPolicyInput{Bucket: "acme-datasets", Path: "raw/"}))
	testAccFunctionTest(t, []resource.TestStep{testAccKnownAtPlanStep(testAccConfig(
		`provider "dataloop" {}`,
		`resource "terraform_data" "bucket" { input = "acme-datasets" }`,
		`data "dataloop_aws_bucket_policy" "test" {
  bucket = terraform_data.bucket.input
  path   = "raw/"
}`,
		`output "function" { value = provider::dataloop::aws_bucket_policy(terraform_data.bucket.input, "raw/", false, false, null) }`,
		`output "data_source" { value = data.dataloop_aws_bucket_policy.test.json }`,
	), want, want)})
}

func TestAccAWSBucketPolicyFunction_invalid(t *testing.T) {
	testAccEmulator(t)
	testAccFunctionTest(t, testAccInvalidFunctionSteps("aws_bucket_policy", []invalidArgsCase{
		{`"Acme_Datasets", null, null, null, null`, `(?s)Invalid value for "bucket" parameter: bucket name "Acme_Datasets" holds characters other than lowercase letters`},
		{`"192.168.5.4", null, null, null, null`, `(?s)Invalid value for "bucket" parameter: bucket name "192.168.5.4" is formatted as an IP address`},
		{`"acme-datasets", "a/../b", null, null, null`, `(?s)Invalid value for "path" parameter: path "a/../b" contains a ".." segment`},
		{`"acme-datasets", null, null, null, null, "aws-iso"`, `(?s)Invalid value for "partition" parameter: partition "aws-iso" is not supported`},
		{`"acme-datasets", null, null, null, null, "aws", "aws-cn"`, `(?s)Invalid value for "partition" parameter: Pass at most one partition`},
		{`"acme-datasets", "raw\nimages", null, null, null`, `(?s)Invalid value for "path" parameter: .*control character`},
		{`"acme-datasets", null, true, true, null`, `(?s)Invalid value for "allow_delete" parameter: must not be true when read_only is true`},
		{`"acme-datasets", null, null, null, ["key-1"]`, `(?s)Invalid value for "kms_key_arns" parameter: kms_key_arns\[0\]: "key-1" is not a KMS key ARN`},
		{`"acme-datasets", null, null, null, [null]`, `(?s)Invalid value for "kms_key_arns" parameter: The list of KMS key ARNs must not contain null values`},
		{`null, null, null, null, null`, `(?s)Invalid value for "bucket" parameter: argument must not be null`},
	}))
}

// TestAWSBucketPolicyFunction_run calls Run directly, without Terraform.
func TestAWSBucketPolicyFunction_run(t *testing.T) {
	t.Parallel()
	keys := func(v ...attr.Value) types.List { return types.ListValueMust(types.StringType, v) }
	tests := []struct {
		name    string
		args    []attr.Value
		want    policy.BucketPolicyInput
		wantArg int64 // argument of the expected error; -1 for success
	}{
		{
			name: "nulls",
			args: []attr.Value{types.StringValue("acme-datasets"), types.StringNull(), types.BoolNull(), types.BoolNull(), types.ListNull(types.StringType)},
			want: policy.BucketPolicyInput{Bucket: "acme-datasets"}, wantArg: -1,
		},
		{
			name: "all",
			args: []attr.Value{types.StringValue("acme-datasets"), types.StringValue("raw"), types.BoolValue(true), types.BoolValue(false), keys(types.StringValue(testKMSKey1))},
			want: policy.BucketPolicyInput{Bucket: "acme-datasets", Path: "raw/", AllowDelete: true, KMSKeyARNs: []string{testKMSKey1}}, wantArg: -1,
		},
		{
			name:    "bad bucket",
			args:    []attr.Value{types.StringValue("a"), types.StringNull(), types.BoolNull(), types.BoolNull(), types.ListNull(types.StringType)},
			wantArg: 0,
		},
		{
			name:    "conflict",
			args:    []attr.Value{types.StringValue("acme-datasets"), types.StringNull(), types.BoolValue(true), types.BoolValue(true), types.ListNull(types.StringType)},
			wantArg: 2,
		},
		{
			name:    "null key",
			args:    []attr.Value{types.StringValue("acme-datasets"), types.StringNull(), types.BoolNull(), types.BoolNull(), keys(types.StringNull())},
			wantArg: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// The partition is the variadic sixth argument; these cases leave it out.
			args := append(tt.args, types.TupleValueMust([]attr.Type{}, []attr.Value{}))
			got, funcErr := runFunction(t, NewAWSBucketPolicyFunction(), args)
			checkFunctionResult(t, got, funcErr, tt.wantArg, func() string { return bucketPolicyJSON(t, tt.want) })
		})
	}
}

// runFunction runs f with args and returns its string result and error.
func runFunction(t *testing.T, f function.Function, args []attr.Value) (types.String, *function.FuncError) {
	t.Helper()
	resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
	f.Run(context.Background(), function.RunRequest{Arguments: function.NewArgumentsData(args)}, &resp)
	got, ok := resp.Result.Value().(types.String)
	if !ok {
		t.Fatalf("result has type %T, want types.String", resp.Result.Value())
	}
	return got, resp.Error
}

func checkFunctionResult(t *testing.T, got types.String, funcErr *function.FuncError, wantArg int64, want func() string) {
	t.Helper()
	if wantArg >= 0 {
		if funcErr == nil || funcErr.FunctionArgument == nil || *funcErr.FunctionArgument != wantArg {
			t.Fatalf("got error %v, want an error on argument %d", funcErr, wantArg)
		}
		return
	}
	if funcErr != nil {
		t.Fatalf("unexpected error: %v", funcErr)
	}
	if got.ValueString() != want() {
		t.Errorf("got\n%s\nwant\n%s", got.ValueString(), want())
	}
}
