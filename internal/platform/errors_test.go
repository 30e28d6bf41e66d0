package platform

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestErrorPredicates(t *testing.T) {
	t.Parallel()
	api := func(status int) error {
		return fmt.Errorf("wrapped: %w", &Error{StatusCode: status, Method: http.MethodGet, Path: "/projects/p", Message: "not found"})
	}
	for _, tc := range []struct {
		err                                    error
		notFound, notVisible, unauth, conflict bool
	}{
		{err: api(http.StatusNotFound), notFound: true, notVisible: true},
		// A 403 is not "not found" (the object may exist), but the token
		// cannot see it.
		{err: api(http.StatusForbidden), notVisible: true},
		{err: api(http.StatusUnauthorized), unauth: true},
		{err: api(http.StatusConflict), conflict: true},
		// The message never decides: only the status does.
		{err: api(http.StatusInternalServerError)},
		{err: errors.New("404 not found: already exists")},
	} {
		if got := IsNotFound(tc.err); got != tc.notFound {
			t.Errorf("IsNotFound(%v) = %v", tc.err, got)
		}
		if got := IsNotVisible(tc.err); got != tc.notVisible {
			t.Errorf("IsNotVisible(%v) = %v", tc.err, got)
		}
		if got := IsUnauthorized(tc.err); got != tc.unauth {
			t.Errorf("IsUnauthorized(%v) = %v", tc.err, got)
		}
		if got := IsConflict(tc.err); got != tc.conflict {
			t.Errorf("IsConflict(%v) = %v", tc.err, got)
		}
	}
}
