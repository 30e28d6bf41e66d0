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

// IsNotVisible reports whether err is (or wraps) a 404 or 403 answer of the
// API: the object does not exist, or the token may not see it. Use it where
// both mean the same to the user (a project_id to check); use IsNotFound
// where a 403 must not drop an object from state.
func IsNotVisible(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode == http.StatusNotFound || e.StatusCode == http.StatusForbidden)
}

// IsUnauthorized reports whether err is (or wraps) a 401 answer of the API:
// the token is missing, wrong or expired.
func IsUnauthorized(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.StatusCode == http.StatusUnauthorized
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
