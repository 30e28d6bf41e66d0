package platform

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error is a non-success answer of the Dataloop API. It carries the method,
// the path (relative to the endpoint, without query) and the platform's
// message, never the request body or the token.
type Error struct {
	StatusCode int
	Method     string
	Path       string
	Message    string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "dataloop API: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		b.WriteString(" " + text)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// ErrOutcomeUnknown is wrapped by the error of a create that may have taken
// effect on the platform although the client could not confirm it: the
// attempt failed ambiguously and the lookup for the object failed too.
// Check for an object of the same name before creating it again.
var ErrOutcomeUnknown = errors.New("the request may have taken effect on the platform")

// IsNotFound reports whether err is (or wraps) a 404 answer of the API.
// A 403 is not treated as not found: it means the object exists but the
// token may not see it, and dropping it from state would orphan it.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusNotFound
}

// IsConflict reports whether err is (or wraps) a 409 answer of the API.
func IsConflict(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusConflict
}

// StatusCode returns the HTTP status of an API error, or 0 when err is not one.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// CheckResult is one step of a storage access test, as the platform reports it.
type CheckResult struct {
	Name    string `json:"name"`
	Success bool   `json:"success"`
	Message string `json:"message"`
	// Code classifies a failed check (denied_action, explicit_deny,
	// not_found, region_mismatch, propagation, credentials, error) when the
	// answer carries one: the emulator's checks[] extension does, using
	// accesscheck.Code; the published API documents no check results.
	Code string `json:"code,omitempty"`
}

// TestFailure is returned by TestDriver and TestDriverByID when the platform
// could not access the storage. Checks always has at least one entry.
type TestFailure struct {
	Message    string
	Checks     []CheckResult
	StatusCode int
}

func (f *TestFailure) Error() string {
	var failed []string
	for _, c := range f.Checks {
		if !c.Success {
			failed = append(failed, c.Name)
		}
	}
	msg := "storage access test failed"
	if f.Message != "" {
		msg += ": " + f.Message
	}
	if len(failed) > 0 {
		msg += " (failed checks: " + strings.Join(failed, ", ") + ")"
	}
	return msg
}

// IsTestFailure reports whether err is (or wraps) a *TestFailure and returns it.
func IsTestFailure(err error) (*TestFailure, bool) {
	var f *TestFailure
	if errors.As(err, &f) {
		return f, true
	}
	return nil, false
}
