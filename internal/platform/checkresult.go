package platform

import (
	"regexp"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/checkcode"
)

// Why messages are read here: a failed storage test carries per-check
// results with a Code only from the emulator (its checks[] extension uses
// checkcode.Code); the published API sends a message, which the client
// turns into one "platform" check. This file is the one place that reads
// those messages (the checker's and AWS's wording): callers decide through
// the CheckResult methods below, a Code first when there is one.
var (
	// deniedPattern matches a missing permission, or a key IAM does not
	// know yet (a key created seconds ago).
	deniedPattern = regexp.MustCompile(`(?i)access ?denied|not authori[sz]ed|\b403\b|invalidaccesskeyid|invalidclienttokenid`)
	// racePattern matches a probe object removed by a concurrent check.
	racePattern = regexp.MustCompile(`(?i)was gone right after it was written`)
	// permanentPattern matches what waiting cannot fix: a missing bucket, a
	// bucket in another region (S3 answers with a redirect, a malformed
	// authorization header naming the expected region, or "the bucket is in
	// this region"), rejected credentials or a bad input.
	// NOTE: "does not exist" alone would also match AWS's message for an
	// access key that IAM does not know yet, which propagation explains.
	permanentPattern = regexp.MustCompile(`(?i)nosuchbucket|bucket( "[^"]*")? does not exist|\b404\b|permanentredirect|another region|` +
		`authorizationheadermalformed|bucket is in this region|region '[^']*' is wrong|illegallocationconstraint|` +
		`signaturedoesnotmatch|invalid (bucket|region|path|endpoint|role_arn|external_id)|` +
		`container( "[^"]*")? does not exist|storage account( "[^"]*")? was not found|containernotfound|rejected the client secret`)
	// assumeRolePattern finds a role that cannot be assumed in a message
	// without per-check results.
	assumeRolePattern = regexp.MustCompile(`(?i)\bsts:AssumeRole\b|\bAssumeRole\b|assume (the )?role`)
	// actionPattern finds an IAM action named in a message.
	actionPattern = regexp.MustCompile(`\b(s3|kms|sts):[A-Za-z]+\b`)
	// impersonatePattern finds a refused impersonation of a gcp-cross
	// integration's service account in a message without per-check results.
	impersonatePattern = regexp.MustCompile(`\biam\.serviceAccounts\.getAccessToken\b|\bmay not act as\b`)
	// gcsPermissionPattern finds a Cloud Storage permission in a message.
	gcsPermissionPattern = regexp.MustCompile(`\bstorage\.(buckets|objects)\.[A-Za-z]+\b`)
)

// Retryable reports whether IAM (or role-assignment) propagation can
// explain the failed check, so that testing again later may pass: a role
// that cannot be assumed yet, an action denied right after a policy change,
// a key not known yet, a probe removed by a concurrent check. A missing
// bucket, a wrong region, rejected credentials or a malformed input will
// not fix themselves.
func (c CheckResult) Retryable() bool {
	if c.Code != "" {
		return checkcode.Code(c.Code).Retryable()
	}
	if c.Name == checkcode.CheckRegion || c.Name == checkcode.CheckBucket || permanentPattern.MatchString(c.Message) {
		return false
	}
	return deniedPattern.MatchString(c.Message) || racePattern.MatchString(c.Message)
}

// Denied reports whether the failed check is a missing permission (a grant
// fixes it), as opposed to an explicit deny, a missing object or rejected
// credentials.
func (c CheckResult) Denied() bool {
	if c.Code != "" {
		return c.Code == string(checkcode.CodeDenied)
	}
	return deniedPattern.MatchString(c.Message)
}

// ExplicitDeny reports a failure caused by a Deny statement, which no
// Allow can override. Only a typed result says so.
func (c CheckResult) ExplicitDeny() bool {
	return c.Code == string(checkcode.CodeExplicitDeny)
}

// RoleNotAssumed reports a failure to assume the integration's role: the
// assume_role check, or a platform message without per-check results that
// names AssumeRole.
func (c CheckResult) RoleNotAssumed() bool {
	return c.Name == checkcode.CheckAssumeRole || c.Name == PlatformCheckName && assumeRolePattern.MatchString(c.Message)
}

// ImpersonationRefused reports a failure to act as the service account
// bound to a gcp-cross integration: the impersonate check, or a platform
// message without per-check results that names the refused
// iam.serviceAccounts.getAccessToken.
func (c CheckResult) ImpersonationRefused() bool {
	return c.Name == checkcode.CheckImpersonate || c.Name == PlatformCheckName && impersonatePattern.MatchString(c.Message)
}

// NamedAction returns the IAM action (s3:..., kms:..., sts:...) the
// check's message names, "" when it names none.
func (c CheckResult) NamedAction() string {
	return actionPattern.FindString(c.Message)
}

// NamedGCSPermission returns the Cloud Storage permission
// (storage.objects.get, ...) the check's message names, "" when it names
// none.
func (c CheckResult) NamedGCSPermission() string {
	return gcsPermissionPattern.FindString(c.Message)
}

// NotProven reports a check that passed without proving all it could (for
// example no data object to read, or a container whose existence could not
// be read). Only a typed result says so.
func (c CheckResult) NotProven() bool {
	return c.Success && c.Code == string(checkcode.CodeNotProven)
}
