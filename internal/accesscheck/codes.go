package accesscheck

// Code classifies a check's failure, so callers decide by type rather than
// by matching message text.
type Code string

// Check codes.
const (
	// CodeDenied: a permission or role is missing; Hint grants it.
	CodeDenied Code = "denied"
	// CodeNotFound: the bucket, container or storage account does not exist.
	CodeNotFound Code = "not_found"
	// CodeBadCredentials: the secret was rejected.
	CodeBadCredentials Code = "bad_credentials"
	// CodeUnknownIdentity: the tenant or application is not known (yet).
	CodeUnknownIdentity Code = "unknown_identity"
	// CodeContentMismatch: an object read back differs from what was written.
	CodeContentMismatch Code = "content_mismatch"
	// CodeNotProven: the check passed without proving everything it could
	// (a warning), e.g. no data object to read.
	CodeNotProven Code = "not_proven"
	// CodeFailed: any other failure the service reported.
	CodeFailed Code = "failed"
)
