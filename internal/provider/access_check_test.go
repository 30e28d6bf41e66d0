package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

func TestAccessOutcomeRetryable(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		checks []platform.CheckResult
		want   bool
	}{
		{
			name: "role not assumable yet",
			checks: []platform.CheckResult{{Name: checkAssumeRole, Message: "Access denied: arn:aws:iam::123456789012:user/p may not call " +
				"sts:AssumeRole on arn:aws:iam::123456789012:role/r (AccessDenied: not authorized)."}},
			want: true,
		},
		{
			name: "missing permission",
			checks: []platform.CheckResult{
				{Name: checkBucket, Success: true, Message: `Bucket "b" exists.`},
				{Name: checkWrite, Message: "Access denied: s3:PutObject on arn:aws:s3:::b/raw/* is not granted (writing the probe object returned AccessDenied)."},
			},
			want: true,
		},
		{
			name:   "new access key",
			checks: []platform.CheckResult{{Name: checkList, Message: "The access key was rejected while listing (InvalidAccessKeyId: unknown)."}},
			want:   true,
		},
		{
			name:   "missing bucket",
			checks: []platform.CheckResult{{Name: checkBucket, Message: `Bucket "b" does not exist (HeadBucket returned HTTP 404 Not Found). Check the bucket name.`}},
		},
		{
			name: "wrong region",
			checks: []platform.CheckResult{
				{Name: checkBucket, Success: true},
				{Name: checkRegion, Message: `Bucket "b" is in region us-east-1, not eu-west-1 as declared.`},
			},
		},
		{
			name:   "wrong secret",
			checks: []platform.CheckResult{{Name: checkAssumeRole, Message: "The credentials were rejected (SignatureDoesNotMatch). Check the secret access key."}},
		},
		{
			name: "denied and missing",
			checks: []platform.CheckResult{
				{Name: checkList, Message: "Access denied: s3:ListBucket on arn:aws:s3:::b is not granted."},
				{Name: platformCheckName, Message: "no role bound to aws-cross integration"},
			},
		},
		{
			name:   "platform refused without checks",
			checks: []platform.CheckResult{{Name: platformCheckName, Message: "the emulator has no AWS endpoint configured"}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := (accessOutcome{Checks: tc.checks}).retryable(); got != tc.want {
				t.Errorf("retryable() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAccessFailureDetail(t *testing.T) {
	t.Parallel()
	target := s3AccessTarget{IntegrationID: "int-1", IntegrationType: platform.TypeAWSCross, Bucket: "acme", Region: "eu-west-1", Path: "raw/"}
	in := &platform.Integration{ID: "int-1", Type: platform.TypeAWSCross, Metadata: []platform.MetadataEntry{
		{Name: platform.MetadataUserARN, Value: "arn:aws:iam::111111111111:user/dataloop-platform-int-1"},
	}}
	o := accessOutcome{Checks: []platform.CheckResult{
		{Name: checkAssumeRole, Success: true, Message: "Assumed the role."},
		{Name: checkBucket, Success: true, Message: `Bucket "acme" exists.`},
		{Name: checkWrite, Message: "Access denied: s3:PutObject on arn:aws:s3:::acme/raw/* is not granted."},
	}}
	detail := accessFailureDetail(o, target, in, "Checked at plan time.")
	for _, want := range []string{
		`bucket "acme" (prefix "raw/", region "eu-west-1")`,
		"Checked at plan time.",
		"  - assume_role: passed: Assumed the role.",
		"  - write: FAILED: Access denied: s3:PutObject",
		`"Action": "s3:PutObject"`,
		`"Resource": "arn:aws:s3:::acme/raw/*"`,
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("detail does not contain %q:\n%s", want, detail)
		}
	}

	o = accessOutcome{Checks: []platform.CheckResult{{Name: checkAssumeRole, Message: "Access denied: may not call sts:AssumeRole."}}}
	detail = accessFailureDetail(o, target, in, "")
	for _, want := range []string{`"sts:AssumeRole"`, "arn:aws:iam::111111111111:user/dataloop-platform-int-1", "platform_iam_user_arn"} {
		if !strings.Contains(detail, want) {
			t.Errorf("trust hint does not contain %q:\n%s", want, detail)
		}
	}
	if got := failureAttribute(o.failed()); !got.Equal(path.Root("integration_id")) {
		t.Errorf("failureAttribute = %s, want integration_id", got)
	}
}

func TestSuccessOutcome(t *testing.T) {
	t.Parallel()
	o := successOutcome(s3AccessTarget{IntegrationType: platform.TypeS3})
	if got := strings.Join(checkNames(o.Checks), ","); got != "bucket,region,list,write,read" {
		t.Errorf("key integration checks = %s", got)
	}
	o = successOutcome(s3AccessTarget{IntegrationType: platform.TypeAWSSTS, AllowDelete: true})
	if got := strings.Join(checkNames(o.Checks), ","); got != "assume_role,bucket,region,list,write,read,delete" {
		t.Errorf("sts integration checks with allow_delete = %s", got)
	}
	if !o.Success || o.retryable() {
		t.Errorf("success outcome: Success = %v, retryable = %v", o.Success, o.retryable())
	}
}

func TestS3AccessTargetKey(t *testing.T) {
	t.Parallel()
	a := s3AccessTarget{ProjectID: "p1", IntegrationID: "i", Bucket: "b", Region: "us-east-1", Path: "raw/", StorageClass: "STANDARD"}
	b := a
	b.ProjectID, b.StorageClass = "p2", ""
	if a.key() != b.key() {
		t.Error("project and storage class must not split the cache")
	}
	for _, change := range []func(*s3AccessTarget){
		func(t *s3AccessTarget) { t.IntegrationID = "j" },
		func(t *s3AccessTarget) { t.Bucket = "c" },
		func(t *s3AccessTarget) { t.Region = "eu-west-1" },
		func(t *s3AccessTarget) { t.Path = "" },
		func(t *s3AccessTarget) { t.AllowDelete = true },
		func(t *s3AccessTarget) { t.Endpoint = "http://127.0.0.1:9000" },
	} {
		c := a
		change(&c)
		if c.key() == a.key() {
			t.Errorf("targets %+v and %+v share a cache key", a, c)
		}
	}
}

func TestDriverPathSemanticEquals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"raw", "raw/", true},
		{"/raw", "raw/", true},
		{"raw//", "raw/", true},
		{"", "/", true},
		{"raw", "Raw/", false},
		{"raw/a", "raw/", false},
	} {
		got, diags := driverPathString(tc.a).StringSemanticEquals(ctx, driverPathString(tc.b))
		if diags.HasError() {
			t.Fatal(diags)
		}
		if got != tc.want {
			t.Errorf("%q ~ %q = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		5 * time.Second:            "5s",
		2 * time.Minute:            "2m",
		90 * time.Second:           "1m30s",
		time.Hour:                  "1h",
		time.Hour + 30*time.Minute: "1h30m",
		time.Hour + 30*time.Second: "1h0m30s",
		1500 * time.Millisecond:    "1.5s",
	} {
		if got := formatDuration(d); got != want {
			t.Errorf("formatDuration(%s) = %q, want %q", d, got, want)
		}
	}
}
