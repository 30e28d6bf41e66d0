package provider

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
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
			checks: []platform.CheckResult{{Name: accesscheck.CheckAssumeRole, Message: "Access denied: arn:aws:iam::123456789012:user/p may not call " +
				"sts:AssumeRole on arn:aws:iam::123456789012:role/r (AccessDenied: not authorized)."}},
			want: true,
		},
		{
			name: "missing permission",
			checks: []platform.CheckResult{
				{Name: accesscheck.CheckBucket, Success: true, Message: `Bucket "b" exists.`},
				{Name: accesscheck.CheckWrite, Message: "Access denied: s3:PutObject on arn:aws:s3:::b/raw/* is not granted (writing the probe object returned AccessDenied)."},
			},
			want: true,
		},
		{
			name:   "new access key",
			checks: []platform.CheckResult{{Name: accesscheck.CheckList, Message: "The access key was rejected while listing (InvalidAccessKeyId: unknown)."}},
			want:   true,
		},
		{
			name:   "missing bucket",
			checks: []platform.CheckResult{{Name: accesscheck.CheckBucket, Message: `Bucket "b" does not exist (HeadBucket returned HTTP 404 Not Found). Check the bucket name.`}},
		},
		{
			name: "wrong region",
			checks: []platform.CheckResult{
				{Name: accesscheck.CheckBucket, Success: true},
				{Name: accesscheck.CheckRegion, Message: `Bucket "b" is in region us-east-1, not eu-west-1 as declared.`},
			},
		},
		{
			name:   "wrong secret",
			checks: []platform.CheckResult{{Name: accesscheck.CheckAssumeRole, Message: "The credentials were rejected (SignatureDoesNotMatch). Check the secret access key."}},
		},
		{
			name: "denied and missing",
			checks: []platform.CheckResult{
				{Name: accesscheck.CheckList, Message: "Access denied: s3:ListBucket on arn:aws:s3:::b is not granted."},
				{Name: platform.PlatformCheckName, Message: "no role bound to aws-cross integration"},
			},
		},
		{
			name:   "platform refused without checks",
			checks: []platform.CheckResult{{Name: platform.PlatformCheckName, Message: "the emulator has no AWS endpoint configured"}},
		},
	}
	// The real platform may answer with a message only, which the client
	// turns into one "platform" check (see TestAccessOutcomeRetryablePlainMessage).
	for _, m := range plainMessages {
		cases = append(cases, struct {
			name   string
			checks []platform.CheckResult
			want   bool
		}{name: "platform message: " + m.name, checks: []platform.CheckResult{{Name: platform.PlatformCheckName, Message: m.message}}, want: m.retry})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := (accessOutcome{Verdict: platform.TestFailed, Checks: tc.checks}).retryable(); got != tc.want {
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
	o := accessOutcome{Verdict: platform.TestFailed, Checks: []platform.CheckResult{
		{Name: accesscheck.CheckAssumeRole, Success: true, Message: "Assumed the role."},
		{Name: accesscheck.CheckBucket, Success: true, Message: `Bucket "acme" exists.`},
		{Name: accesscheck.CheckWrite, Message: "Access denied: s3:PutObject on arn:aws:s3:::acme/raw/* is not granted."},
		{Name: "read_data", Success: true, Code: "not_proven", Message: "Reading data objects was not proven."},
	}}
	detail := accessFailureDetail(o, target, in, "Checked at plan time.")
	for _, want := range []string{
		"  - read_data: not proven: Reading data objects was not proven.",
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

	o = accessOutcome{Verdict: platform.TestFailed, Checks: []platform.CheckResult{{Name: accesscheck.CheckAssumeRole, Message: "Access denied: may not call sts:AssumeRole."}}}
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

// plainMessages are failures as the platform may report them: a message
// without per-check results, worded by AWS.
var plainMessages = []struct {
	name, message string
	retry         bool
}{
	{"access denied", "Failed to write to bucket acme: AccessDenied: Access Denied (Service: S3, Status Code: 403)", true},
	{"role not assumable", "User: arn:aws:iam::111111111111:user/dataloop-platform is not authorized to perform: " +
		"sts:AssumeRole on resource: arn:aws:iam::222222222222:role/dataloop", true},
	{"new access key", "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records.", true},
	{"missing bucket", "Failed to access bucket acme: NoSuchBucket: The specified bucket does not exist", false},
	{"redirect to the bucket's region", "PermanentRedirect: The bucket you are attempting to access must be addressed " +
		"using the specified endpoint. Please send all future requests to this endpoint.", false},
	{"malformed authorization for the region", "AuthorizationHeaderMalformed: The authorization header is malformed; " +
		"the region 'eu-west-1' is wrong; expecting 'us-east-1'", false},
	{"bucket in another region", "Bad Request: The bucket is in this region: us-east-1. Please use this region to retry the request", false},
	{"rejected secret", "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.", false},
}

// TestAccessOutcomeRetryablePlainMessage sends each plain message as the
// platform would, a 424 without checks, through the API client.
func TestAccessOutcomeRetryablePlainMessage(t *testing.T) {
	t.Parallel()
	for _, m := range plainMessages {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != "/api/v1/drivers/test" {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusFailedDependency)
				_ = json.NewEncoder(w).Encode(map[string]string{"message": m.message})
			}))
			t.Cleanup(srv.Close)
			client, err := platform.New(platform.Config{Endpoint: srv.URL + "/api/v1", Token: "plain-message-token", UserAgent: "test", MaxRetries: -1})
			if err != nil {
				t.Fatal(err)
			}
			res, err := client.TestDriver(context.Background(), platform.CreateDriverInput{
				Name: "d", Type: platform.DriverTypeS3, IntegrationID: "i", IntegrationType: platform.TypeAWSCross, ProjectID: "p", Creator: "dev@example.com",
				Payload: platform.DriverLocation{BucketName: "acme", Region: "eu-west-1"},
			})
			if err != nil {
				t.Fatalf("a 424 with a message is a failed check, got error %v", err)
			}
			o := outcomeOf(res, s3AccessTarget{Bucket: "acme"})
			if len(o.Checks) != 1 || o.Checks[0].Name != platform.PlatformCheckName || o.Checks[0].Message != m.message {
				t.Fatalf("checks = %+v, want one %q check with the message", o.Checks, platform.PlatformCheckName)
			}
			if got := o.retryable(); got != m.retry {
				t.Errorf("retryable() = %v, want %v", got, m.retry)
			}
		})
	}
}

func TestOnlyAssumeRoleFailed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		checks []platform.CheckResult
		want   bool
	}{
		{"assume_role check", []platform.CheckResult{{Name: accesscheck.CheckAssumeRole, Message: "Access denied: may not call sts:AssumeRole."}}, true},
		{"platform message", []platform.CheckResult{{Name: platform.PlatformCheckName, Message: plainMessages[1].message}}, true},
		{"bucket", []platform.CheckResult{{Name: accesscheck.CheckAssumeRole, Success: true}, {Name: accesscheck.CheckBucket, Message: "does not exist"}}, false},
		{"write", []platform.CheckResult{{Name: accesscheck.CheckAssumeRole, Success: true}, {Name: accesscheck.CheckWrite, Message: "Access denied: s3:PutObject"}}, false},
		{"platform message without a role", []platform.CheckResult{{Name: platform.PlatformCheckName, Message: plainMessages[3].message}}, false},
		{"no role bound (emulator)", []platform.CheckResult{{Name: platform.PlatformCheckName, Message: "no role is bound to aws-cross integration \"i\", " +
			"so the platform has no role to assume (sts:AssumeRole): bind one"}}, true},
		{"passed", []platform.CheckResult{{Name: platform.PlatformCheckName, Success: true}}, false},
		{"impersonate check", []platform.CheckResult{{Name: "credentials", Success: true}, {Name: "impersonate", Message: "may not act as"}}, true},
		{"gcs impersonation message", []platform.CheckResult{{Name: platform.PlatformCheckName, Message: "access check failed: impersonate: Service account " +
			"p@x.iam.gserviceaccount.com may not act as c@x.iam.gserviceaccount.com: IAM refused iam.serviceAccounts.getAccessToken (HTTP 403)."}}, true},
		{"gcs list denied", []platform.CheckResult{{Name: "impersonate", Success: true}, {Name: accesscheck.CheckList, Message: "Access denied: lacks storage.objects.list"}}, false},
	} {
		if got := (accessOutcome{Verdict: platform.TestFailed, Checks: tc.checks}).onlyAssumeRoleFailed(); got != tc.want {
			t.Errorf("%s: onlyAssumeRoleFailed() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestSuccessOutcome records a 204 as one "platform" check that says the
// platform's storage test passed, and claims no operations it did not report.
func TestSuccessOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		target s3AccessTarget
		want   string
	}{
		{s3AccessTarget{IntegrationType: platform.TypeS3, Bucket: "acme", Path: "raw/"},
			`The Dataloop platform's storage test passed for prefix "raw/" of bucket "acme".`},
		{s3AccessTarget{IntegrationType: platform.TypeAWSCross, Bucket: "acme", AllowDelete: true},
			`The Dataloop platform's storage test passed for bucket "acme".`},
	} {
		o := successOutcome(tc.target)
		if !o.Success || o.retryable() || len(o.failed()) != 0 {
			t.Errorf("success outcome: Success = %v, retryable = %v, failed = %v", o.Success, o.retryable(), o.failed())
		}
		want := []platform.CheckResult{{Name: platform.PlatformCheckName, Success: true, Message: tc.want}}
		if len(o.Checks) != 1 || o.Checks[0] != want[0] {
			t.Errorf("checks = %+v, want %+v", o.Checks, want)
		}
	}
}

func TestPropagationBudget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		propagation, opTimeout, remaining time.Duration
		wait                              time.Duration
		capped                            bool
	}{
		// Defaults: 2m of propagation fit in 5m with 30s to spare.
		{2 * time.Minute, 5 * time.Minute, 5 * time.Minute, 2 * time.Minute, false},
		{2 * time.Minute, 5 * time.Minute, 2*time.Minute + 30*time.Second, 2 * time.Minute, false},
		// Time already spent counts: 2m20s left keeps 30s for the create.
		{2 * time.Minute, 5 * time.Minute, 2*time.Minute + 20*time.Second, 110 * time.Second, true},
		{10 * time.Minute, 5 * time.Minute, 5 * time.Minute, 4*time.Minute + 30*time.Second, true},
		// Short timeouts keep a quarter.
		{time.Minute, 12 * time.Second, 12 * time.Second, 9 * time.Second, true},
		{time.Minute, 12 * time.Second, time.Second, 0, true},
	} {
		wait, capped := propagationBudget(tc.propagation, tc.opTimeout, tc.remaining)
		if wait != tc.wait || capped != tc.capped {
			t.Errorf("propagationBudget(%s, %s, %s) = %s, %v; want %s, %v",
				tc.propagation, tc.opTimeout, tc.remaining, wait, capped, tc.wait, tc.capped)
		}
	}
}

func TestMinOperationTimeout(t *testing.T) {
	t.Parallel()
	for propagation, want := range map[time.Duration]time.Duration{
		2 * time.Minute:  2*time.Minute + 30*time.Second,
		10 * time.Minute: 10*time.Minute + 30*time.Second,
		90 * time.Second: 2 * time.Minute,
		time.Minute:      80 * time.Second,
		10 * time.Second: 14 * time.Second,
		0:                0,
	} {
		got := minOperationTimeout(propagation)
		if got != want {
			t.Errorf("minOperationTimeout(%s) = %s, want %s", propagation, got, want)
		}
		// The result must hold the whole propagation timeout.
		if wait, capped := propagationBudget(propagation, got, got); capped || wait != propagation {
			t.Errorf("an operation timeout of %s waits %s (capped %v), not the propagation timeout %s", got, wait, capped, propagation)
		}
	}
}

func TestKeepEquivalentPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name        string
		state, plan types.String
		want        types.String
	}{
		{"import normalized, configured without slash", types.StringValue("raw/"), types.StringValue("raw"), types.StringValue("raw/")},
		{"leading slash", types.StringValue("raw/"), types.StringValue("/raw"), types.StringValue("raw/")},
		{"configured form in state", types.StringValue("/raw"), types.StringValue("raw/"), types.StringValue("/raw")},
		{"root", types.StringValue("/"), types.StringValue(""), types.StringValue("/")},
		{"other prefix", types.StringValue("raw/"), types.StringValue("curated"), types.StringValue("curated")},
		{"case differs", types.StringValue("raw/"), types.StringValue("Raw"), types.StringValue("Raw")},
		{"create", types.StringNull(), types.StringValue("raw"), types.StringValue("raw")},
		{"unknown", types.StringValue("raw/"), types.StringUnknown(), types.StringUnknown()},
	} {
		req := planmodifier.StringRequest{StateValue: tc.state, PlanValue: tc.plan, ConfigValue: tc.plan}
		resp := &planmodifier.StringResponse{PlanValue: tc.plan}
		keepEquivalentPath{}.PlanModifyString(ctx, req, resp)
		if !resp.PlanValue.Equal(tc.want) {
			t.Errorf("%s: planned %s, want %s", tc.name, resp.PlanValue, tc.want)
		}
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
