// Package checkcode is the vocabulary of access checks: the names of the
// checks and the codes that classify a failure. The checker produces them,
// the emulator sends them in its checks[] extension and the platform client
// reads them back, so they live in a package that imports nothing.
package checkcode

// Code classifies a check's failure, so callers decide by type rather than
// by matching message text.
type Code string

// Check codes.
const (
	// CodeDenied: no statement allows the action (the denied action), or a
	// role's trust policy does not name the caller, or the role does not
	// exist; Hint grants it. IAM propagation can explain it right after a
	// change.
	CodeDenied Code = "denied"
	// CodeExplicitDeny: a Deny statement matches; no Allow can fix it, so
	// there is no Hint and waiting does not help.
	CodeExplicitDeny Code = "explicit_deny"
	// CodeRegionMismatch: the bucket is in another region than declared.
	CodeRegionMismatch Code = "region_mismatch"
	// CodePropagation: a transient state that waiting fixes: a key AWS does
	// not know yet, an object removed by a concurrent check.
	CodePropagation Code = "propagation"
	// CodeNotFound: the bucket, container, storage account or Entra
	// tenant does not exist.
	CodeNotFound Code = "not_found"
	// CodeBadCredentials: the secret was rejected.
	CodeBadCredentials Code = "bad_credentials"
	// CodeUnknownIdentity: the application or service account key is not
	// known yet (it was created moments ago).
	CodeUnknownIdentity Code = "unknown_identity"
	// CodeContentMismatch: an object read back differs from what was written.
	CodeContentMismatch Code = "content_mismatch"
	// CodeNotProven: the check passed without proving everything it could
	// (a warning), e.g. no data object to read.
	CodeNotProven Code = "not_proven"
	// CodeFailed: any other failure the service reported.
	CodeFailed Code = "failed"
)

// Retryable reports whether IAM (or RBAC) propagation can explain a failure
// with this code, so a check is worth repeating.
func (c Code) Retryable() bool {
	return c == CodeDenied || c == CodePropagation || c == CodeUnknownIdentity
}

// Check names, in the order a Result lists them.
const (
	// CheckCredentials is reported by CheckCredentials only: AWS accepts
	// the access key and its secret.
	CheckCredentials = "credentials"
	CheckAssumeRole  = "assume_role"
	CheckBucket      = "bucket"
	CheckRegion      = "region"
	CheckList        = "list"
	CheckWrite       = "write"
	CheckRead        = "read"
	CheckDelete      = "delete"
	// CheckContainer is the Azure counterpart of CheckBucket.
	CheckContainer = "container"
	// CheckReadData reads one existing object under the path (not a probe).
	CheckReadData = "read_data"
	// CheckStorageAccount: an Azure storage account answers with the token.
	CheckStorageAccount = "storage_account"
	// CheckImpersonate: the platform's service account obtained a token of
	// the customer's service account (GCP cross-project).
	CheckImpersonate = "impersonate"
)
