package platform

import "testing"

// Messages as the published API may send them (AWS's and the checker's
// wording), without a code.
var (
	msgDenied     = "Failed to write to bucket acme: AccessDenied: Access Denied (Service: S3, Status Code: 403)"
	msgAssumeRole = "User: arn:aws:iam::111111111111:user/dataloop-platform is not authorized to perform: " +
		"sts:AssumeRole on resource: arn:aws:iam::222222222222:role/dataloop"
	msgNewKey   = "InvalidAccessKeyId: The AWS Access Key Id you provided does not exist in our records."
	msgNoBucket = "Failed to access bucket acme: NoSuchBucket: The specified bucket does not exist"
	msgRedirect = "PermanentRedirect: The bucket you are attempting to access must be addressed using the specified endpoint."
	msgSecret   = "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided."
	msgRace     = "The probe object raw/.dataloop/access-check was gone right after it was written (another access check may have removed it)."
)

func TestCheckResultRetryable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		c    CheckResult
		want bool
	}{
		{"denied message", CheckResult{Name: PlatformCheckName, Message: msgDenied}, true},
		{"role not assumable yet", CheckResult{Name: PlatformCheckName, Message: msgAssumeRole}, true},
		{"new access key", CheckResult{Name: "list", Message: msgNewKey}, true},
		{"probe race", CheckResult{Name: "read", Message: msgRace}, true},
		{"missing bucket", CheckResult{Name: PlatformCheckName, Message: msgNoBucket}, false},
		{"wrong region", CheckResult{Name: PlatformCheckName, Message: msgRedirect}, false},
		{"rejected secret", CheckResult{Name: PlatformCheckName, Message: msgSecret}, false},
		{"bucket check never retries", CheckResult{Name: "bucket", Message: msgDenied}, false},
		{"region check never retries", CheckResult{Name: "region", Message: msgDenied}, false},
		{"unexplained", CheckResult{Name: PlatformCheckName, Message: "the emulator has no AWS endpoint configured"}, false},
		// A code decides without the message.
		{"typed denied", CheckResult{Name: "write", Code: "denied", Message: "whatever"}, true},
		{"typed propagation", CheckResult{Name: "read", Code: "propagation"}, true},
		{"typed explicit deny", CheckResult{Name: "write", Code: "explicit_deny", Message: msgDenied}, false},
		{"typed not found", CheckResult{Name: "container", Code: "not_found", Message: msgDenied}, false},
	} {
		if got := tc.c.Retryable(); got != tc.want {
			t.Errorf("%s: Retryable() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckResultDenied(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		c    CheckResult
		want bool
	}{
		{"denied message", CheckResult{Message: msgDenied}, true},
		{"not authorized", CheckResult{Message: msgAssumeRole}, true},
		{"missing bucket", CheckResult{Message: msgNoBucket}, false},
		{"typed denied", CheckResult{Code: "denied", Message: "Grant it."}, true},
		{"typed explicit deny reads as denied text", CheckResult{Code: "explicit_deny", Message: msgDenied}, false},
		{"typed bad credentials", CheckResult{Code: "bad_credentials", Message: "HTTP 403"}, false},
	} {
		if got := tc.c.Denied(); got != tc.want {
			t.Errorf("%s: Denied() = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !(CheckResult{Code: "explicit_deny"}).ExplicitDeny() || (CheckResult{Message: "explicit deny"}).ExplicitDeny() {
		t.Error("ExplicitDeny must follow the code only")
	}
}

func TestCheckResultRoleNotAssumed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		c    CheckResult
		want bool
	}{
		{"assume_role check", CheckResult{Name: "assume_role", Message: "anything"}, true},
		{"platform message naming AssumeRole", CheckResult{Name: PlatformCheckName, Message: msgAssumeRole}, true},
		{"platform message: could not assume the role", CheckResult{Name: PlatformCheckName, Message: "could not assume role dataloop"}, true},
		{"platform message about the bucket", CheckResult{Name: PlatformCheckName, Message: msgNoBucket}, false},
		{"another check naming AssumeRole", CheckResult{Name: "write", Message: msgAssumeRole}, false},
	} {
		if got := tc.c.RoleNotAssumed(); got != tc.want {
			t.Errorf("%s: RoleNotAssumed() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckResultImpersonationRefused(t *testing.T) {
	t.Parallel()
	msg := "access check failed: impersonate: Service account p@x.iam.gserviceaccount.com may not act as " +
		"c@x.iam.gserviceaccount.com: IAM refused iam.serviceAccounts.getAccessToken (HTTP 403)."
	for _, tc := range []struct {
		name string
		c    CheckResult
		want bool
	}{
		{"impersonate check", CheckResult{Name: "impersonate", Message: "anything"}, true},
		{"platform message naming getAccessToken", CheckResult{Name: PlatformCheckName, Message: msg}, true},
		{"platform message about a permission", CheckResult{Name: PlatformCheckName, Message: "list: Access denied: lacks storage.objects.list (HTTP 403)"}, false},
		{"another check naming getAccessToken", CheckResult{Name: "list", Message: msg}, false},
	} {
		if got := tc.c.ImpersonationRefused(); got != tc.want {
			t.Errorf("%s: ImpersonationRefused() = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestCheckResultNamedAction(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		"Access denied: s3:PutObject on arn:aws:s3:::b/raw/* is not granted.": "s3:PutObject",
		"kms:Decrypt was denied": "kms:Decrypt",
		msgAssumeRole:            "sts:AssumeRole",
		msgNoBucket:              "",
		"storage.objects.get":    "",
	} {
		if got := (CheckResult{Message: msg}).NamedAction(); got != want {
			t.Errorf("NamedAction(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestCheckResultNamedGCSPermission(t *testing.T) {
	t.Parallel()
	for msg, want := range map[string]string{
		"Access denied while listing: serviceAccount:a@p.iam.gserviceaccount.com lacks storage.objects.list on bucket \"b\" (HTTP 403).": "storage.objects.list",
		"Read the metadata of bucket \"b\" (storage.buckets.get).":                                                                       "storage.buckets.get",
		"Access denied: s3:PutObject on arn:aws:s3:::b/raw/* is not granted.":                                                            "",
	} {
		if got := (CheckResult{Message: msg}).NamedGCSPermission(); got != want {
			t.Errorf("NamedGCSPermission(%q) = %q, want %q", msg, got, want)
		}
	}
}
