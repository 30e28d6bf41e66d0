package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// TestVerdict is what the platform's answer to a storage access test
// (POST /drivers/test, GET /drivers/{id}/test) means. The published spec
// documents only 204, so every other answer class is classified here, once,
// and callers never read status codes or messages to tell them apart.
type TestVerdict string

const (
	// TestPassed: a 2xx answer. The platform's storage test passed; the
	// answer does not say which operations it tried.
	TestPassed TestVerdict = "passed"
	// TestFailed: a denial (400, 403, 422 or 424): the platform tested and
	// refused the storage. Checks holds its per-check results when it sent
	// them (an emulator extension), else one "platform" check with its message.
	TestFailed TestVerdict = "failed"
	// TestUnsupported: 404 or 405. The platform cannot test storage access
	// (the endpoint does not exist there), so nothing was verified.
	TestUnsupported TestVerdict = "unsupported"
	// TestUnavailable: a 5xx answer that retries did not get past. The
	// platform could not check; nothing was verified.
	TestUnavailable TestVerdict = "unavailable"
)

// PlatformCheckName names the one check of a result that has no per-check
// results of its own: the platform's message as a whole.
const PlatformCheckName = "platform"

// CheckResult is one step of a storage access test, as the platform reports it.
type CheckResult struct {
	Name    string `json:"name"`
	Success bool   `json:"success"`
	Message string `json:"message"`
	// Code classifies a failed check (a checkcode.Code: denied,
	// explicit_deny, not_found, region_mismatch, propagation, ...) when the
	// answer carries one: the emulator's checks[] extension does; the
	// published API documents no check results. Decide with the methods in
	// checkresult.go, never by reading Message.
	Code string `json:"code,omitempty"`
}

// TestResult is the classified answer to a storage access test.
type TestResult struct {
	Verdict TestVerdict
	// StatusCode is the HTTP status of the (last) answer.
	StatusCode int
	// Message is the platform's message, if it sent one.
	Message string
	// Checks is set for TestFailed only and has at least one entry.
	Checks []CheckResult
}

// Passed reports whether the platform's storage test passed.
func (r TestResult) Passed() bool { return r.Verdict == TestPassed }

// TestDriver asks the platform to check a driver configuration before it is
// created. Answers are classified into a TestResult; errors are left for
// what is not an answer about the storage: a 401 (see IsUnauthorized),
// other 4xx answers (a 409, a 429 that retries did not get past), transport
// failures and ctx ending. 5xx answers are retried first.
func (c *Client) TestDriver(ctx context.Context, in CreateDriverInput) (TestResult, error) {
	body, err := c.driverBody(ctx, in)
	if err != nil {
		return TestResult{}, err
	}
	return c.test(ctx, request{method: http.MethodPost, path: "/drivers/test", body: body, idempotent: true})
}

// TestDriverByID asks the platform to check an existing driver, with the
// same results as TestDriver. A 404 means the platform cannot test only when
// the driver exists; for a driver that does not, the 404 error is returned
// (see IsNotFound).
func (c *Client) TestDriverByID(ctx context.Context, id string) (TestResult, error) {
	r := request{method: http.MethodGet, path: "/drivers/" + escape(id) + "/test", idempotent: true}
	res, err := c.test(ctx, r)
	if err != nil || res.Verdict != TestUnsupported || res.StatusCode != http.StatusNotFound {
		return res, err
	}
	if _, gerr := c.GetDriver(ctx, id); gerr != nil {
		return TestResult{}, gerr
	}
	return res, nil
}

func (c *Client) test(ctx context.Context, r request) (TestResult, error) {
	resp, err := c.sendRaw(ctx, r)
	if err != nil {
		// After the retries, a 5xx is an answer: the platform could not check.
		var apiErr *Error
		if errors.As(err, &apiErr) && apiErr.StatusCode >= 500 && ctx.Err() == nil {
			return TestResult{Verdict: TestUnavailable, StatusCode: apiErr.StatusCode, Message: apiErr.Message}, nil
		}
		return TestResult{}, err
	}
	if resp == nil || resp.status < 300 {
		status := http.StatusNoContent
		if resp != nil {
			status = resp.status
		}
		return TestResult{Verdict: TestPassed, StatusCode: status}, nil
	}
	var body struct {
		Message text          `json:"message"`
		Checks  []CheckResult `json:"checks"`
	}
	_ = json.Unmarshal(resp.body, &body)
	res := TestResult{StatusCode: resp.status, Message: c.redactFor(r, string(body.Message))}
	switch resp.status {
	case http.StatusBadRequest, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusFailedDependency:
		res.Verdict = TestFailed
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		res.Verdict = TestUnsupported
		return res, nil
	default:
		if resp.status >= 500 {
			res.Verdict = TestUnavailable
			return res, nil
		}
		// 401, 409, 429 and other client errors are not about the storage.
		return TestResult{}, c.apiError(r, resp)
	}
	for _, ch := range body.Checks {
		ch.Name = c.redactFor(r, ch.Name)
		ch.Message = c.redactFor(r, ch.Message)
		res.Checks = append(res.Checks, ch)
	}
	if len(res.Checks) == 0 {
		msg := res.Message
		if msg == "" {
			msg = fmt.Sprintf("the platform refused the storage access test (HTTP %d %s) without saying why",
				resp.status, http.StatusText(resp.status))
		}
		res.Checks = []CheckResult{{Name: PlatformCheckName, Success: false, Message: msg}}
	}
	return res, nil
}
