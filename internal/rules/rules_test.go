package rules_test

import (
	"strings"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

func TestS3BucketName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		compatible bool
		ok         bool
	}{
		{"my-bucket", false, true},
		{"my.bucket.1", false, true},
		{"192.168.5.4", false, false},
		{"xn--bucket", false, false},
		{"bucket-s3alias", false, false},
		{"bucket..name", false, false},
		{"Bucket", false, false},
		{"ab", false, false},
		{strings.Repeat("a", 64), false, false},
		{"-bucket", false, false},
		{"bucket_1", false, false},
		// S3-compatible stores: AWS-only rules do not apply.
		{"xn--bucket", true, true},
		{"bucket-s3alias", true, true},
		{"My_Bucket", true, true},
		{strings.Repeat("a", 100), true, true},
		{"a/b", true, false},
		{"ab", true, false},
		{"bucket ", true, false},
	} {
		err := rules.S3BucketName(tc.name, tc.compatible)
		if (err == nil) != tc.ok {
			t.Errorf("S3BucketName(%q, %v) = %v, want ok=%v", tc.name, tc.compatible, err, tc.ok)
		}
		if err != nil && !rules.Is(err, rules.RuleS3BucketName) {
			t.Errorf("S3BucketName(%q) error %v is not an s3_bucket_name rule error", tc.name, err)
		}
	}
}

func TestS3BucketName_errorSaysWhyAndFix(t *testing.T) {
	t.Parallel()
	err := rules.S3BucketName("bucket-s3alias", false)
	e, ok := rules.AsError(err)
	if !ok {
		t.Fatalf("not a *rules.Error: %v", err)
	}
	if !strings.Contains(e.Problem, `reserved suffix "-s3alias"`) || !strings.Contains(e.Fix, "general purpose bucket") {
		t.Errorf("unexpected error %+v", e)
	}
	if d := e.Detail(); !strings.HasPrefix(d, "Bucket name") || !strings.HasSuffix(d, ".") {
		t.Errorf("Detail() = %q, want full sentences", d)
	}
}

func TestAWSRegion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		region     string
		compatible bool
		ok         bool
	}{
		{"eu-west-1", false, true},
		{"us-gov-west-1", false, true},
		{"cn-north-1", false, true},
		{"auto", false, false},
		{"EU-WEST-1", false, false},
		{"", false, false},
		{"auto", true, true},
		{"fr-par", true, true},
		{"us-east-1", true, true},
		{"", true, false},
		{"a b", true, false},
	} {
		if err := rules.AWSRegion(tc.region, tc.compatible); (err == nil) != tc.ok {
			t.Errorf("AWSRegion(%q, %v) = %v, want ok=%v", tc.region, tc.compatible, err, tc.ok)
		}
	}
}

func TestPartitionOfRegion(t *testing.T) {
	t.Parallel()
	for region, want := range map[string]string{
		"eu-west-1": "aws", "cn-northwest-1": "aws-cn", "us-gov-east-1": "aws-us-gov", "": "aws",
	} {
		if got := rules.PartitionOfRegion(region); got != want {
			t.Errorf("PartitionOfRegion(%q) = %q, want %q", region, got, want)
		}
	}
}

func TestParseIAMRoleARN(t *testing.T) {
	t.Parallel()
	a, err := rules.ParseIAMRoleARN("arn:aws-cn:iam::123456789012:role/team/data/dataloop-access")
	if err != nil {
		t.Fatal(err)
	}
	if a.Partition != "aws-cn" || a.AccountID != "123456789012" || a.Path != "/team/data/" || a.Name != "dataloop-access" {
		t.Errorf("parsed %+v", a)
	}
	if a.String() != "arn:aws-cn:iam::123456789012:role/team/data/dataloop-access" {
		t.Errorf("String() = %q", a.String())
	}
	for _, bad := range []string{
		"",
		"not-an-arn",
		"arn:aws:iam::123456789012:user/alice",
		"arn:aws:iam::12345:role/x",
		"arn:aws:s3:::bucket",
		"arn:aws:iam:us-east-1:123456789012:role/x",
		"arn:aws-iso:iam::123456789012:role/x",
		"arn:aws:iam::123456789012:role/",
		"arn:aws:iam::123456789012:role/x*",
		"arn:aws:iam::123456789012:role/" + strings.Repeat("a", 65),
		"arn:aws:iam::123456789012:root",
	} {
		if _, err := rules.ParseIAMRoleARN(bad); !rules.Is(err, rules.RuleIAMRoleARN) {
			t.Errorf("ParseIAMRoleARN(%q) = %v, want an iam_role_arn error", bad, err)
		}
	}
}

func TestParseIAMPrincipalARN(t *testing.T) {
	t.Parallel()
	for _, good := range []string{
		"arn:aws:iam::123456789012:user/dataloop",
		"arn:aws:iam::123456789012:role/path/r",
		"arn:aws-us-gov:iam::123456789012:root",
	} {
		if _, err := rules.ParseIAMPrincipalARN(good); err != nil {
			t.Errorf("ParseIAMPrincipalARN(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:group/g", "*"} {
		if _, err := rules.ParseIAMPrincipalARN(bad); !rules.Is(err, rules.RuleIAMPrincipalARN) {
			t.Errorf("ParseIAMPrincipalARN(%q) = %v, want an iam_principal_arn error", bad, err)
		}
	}
}

func TestKMSKeyARN(t *testing.T) {
	t.Parallel()
	if err := rules.KMSKeyARN("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"); err != nil {
		t.Error(err)
	}
	if err := rules.KMSKeyARN("arn:aws:kms:eu-west-1:123456789012:alias/mine"); err == nil || !strings.Contains(err.Error(), "alias") {
		t.Errorf("alias ARN: %v", err)
	}
	if err := rules.KMSKeyARN("arn:aws:kms:eu-west-1:1234:key/x"); err == nil {
		t.Error("short account accepted")
	}
}

func TestDriverPath(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"", "raw", "/raw/", "raw/images/", "a b/ü/*", ".dataloop", "a..b/", "//raw//"} {
		if err := rules.DriverPath(good); err != nil {
			t.Errorf("DriverPath(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"a//b", "/a//b/", "a/../b", "../x", "a/./b", "raw\n", "a\x00b", "a\u2028b", "\xff", strings.Repeat("a", 1000)} {
		if err := rules.DriverPath(bad); !rules.Is(err, rules.RuleDriverPath) {
			t.Errorf("DriverPath(%q) = %v, want a driver_path error", bad, err)
		}
	}
	for in, want := range map[string]string{"": "", "/": "", "raw": "raw/", "/raw/": "raw/", "a/b": "a/b/"} {
		if got := rules.NormalizeDriverPath(in); got != want {
			t.Errorf("NormalizeDriverPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestObjectName(t *testing.T) {
	t.Parallel()
	for _, good := range []string{"prod", "Prod data (EU) – ü", strings.Repeat("é", rules.MaxObjectNameLength)} {
		if err := rules.ObjectName(good); err != nil {
			t.Errorf("ObjectName(%q) = %v", good, err)
		}
	}
	for _, bad := range []string{"", "a\nb", "a\rb", "tab\there", "a\x7f", strings.Repeat("a", rules.MaxObjectNameLength+1), strings.Repeat("a", 100000)} {
		err := rules.ObjectName(bad)
		if !rules.Is(err, rules.RuleObjectName) {
			t.Errorf("ObjectName(%.20q) = %v, want an object_name error", bad, err)
		}
		if err != nil && len(err.Error()) > 400 {
			t.Errorf("error for a long name is %d bytes long; it must not echo the whole name", len(err.Error()))
		}
	}
}

func TestSecretsNeverQuoted(t *testing.T) {
	t.Parallel()
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	if err := rules.AWSAccessKeyID(secret); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("AWSAccessKeyID error %v must exist and not echo the value", err)
	}
	if err := rules.STSExternalID("bad id " + secret); err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("STSExternalID error %v must exist and not echo the value", err)
	}
}
