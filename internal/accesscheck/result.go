package accesscheck

import "strings"

// Inputs a failed check can point at (Check.Input).
const (
	InputAccessKeyID     = "access_key_id"
	InputSecretAccessKey = "secret_access_key"
	InputRoleARN         = "role_arn"
	InputTenantID        = "tenant_id"
	InputClientID        = "client_id"
	InputClientSecret    = "client_secret"
	InputStorageAccount  = "storage_account"
	// InputKeyJSON is a GCP service account key file.
	InputKeyJSON = "key_json"
	// InputServiceAccountEmail is a GCP cross-project integration's
	// customer service account.
	InputServiceAccountEmail = "service_account_email"
)

// Check is the outcome of one step of an access check.
type Check struct {
	Name    string
	Success bool
	// Warning marks a successful check with a finding worth showing, such
	// as a probe object that could not be deleted when deleting is not
	// required.
	Warning bool
	Message string
	// Hint is the IAM policy JSON (a statement, or a trust policy for
	// assume_role) that fixes a failed or warning check; empty when there
	// is nothing to grant.
	Hint string
	// Input names the input at fault when the failure points at one:
	// "access_key_id", "secret_access_key" or "role_arn"; empty otherwise.
	Input string
	// Code classifies a failure (or a warning); empty for a plain pass.
	Code Code

	// retryable marks a failure that IAM propagation can explain.
	retryable bool
}

// recorder collects the checks of one run, in order.
type recorder struct{ checks []Check }

func (r *recorder) add(ch Check) { r.checks = append(r.checks, ch) }

func (r *recorder) result() Result { return Result{Checks: r.checks} }

// Result lists the checks that ran. A check that failed can stop the ones
// after it (a missing bucket stops everything), so a failed Result may hold
// fewer checks than a successful one.
type Result struct {
	Checks []Check
	// Attempts is how many times the check ran before this result; more
	// than one only after CheckS3UntilReady or CheckCredentialsUntilReady
	// retried.
	Attempts int
}

// Success reports whether every check passed.
func (r Result) Success() bool {
	if len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.Success {
			return false
		}
	}
	return true
}

// Failed returns the checks that did not pass.
func (r Result) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.Success {
			out = append(out, c)
		}
	}
	return out
}

// Warnings returns the checks that passed with a warning.
func (r Result) Warnings() []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Success && c.Warning {
			out = append(out, c)
		}
	}
	return out
}

// Error summarizes the failed checks on one line, "" when all passed.
func (r Result) Error() string {
	failed := r.Failed()
	if len(failed) == 0 {
		if len(r.Checks) == 0 {
			return "access check did not run"
		}
		return ""
	}
	parts := make([]string, len(failed))
	for i, c := range failed {
		parts[i] = c.Name + ": " + c.Message
	}
	return "access check failed: " + strings.Join(parts, "; ")
}

// retryable reports whether every failure is one IAM propagation explains.
func (r Result) retryable() bool {
	failed := r.Failed()
	if len(failed) == 0 {
		return false
	}
	for _, c := range failed {
		if !c.retryable {
			return false
		}
	}
	return true
}

func (r Result) clone() Result {
	r.Checks = append([]Check(nil), r.Checks...)
	return r
}
