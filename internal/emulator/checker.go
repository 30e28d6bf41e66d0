package emulator

import (
	"context"
	"errors"
	"net/http"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
)

// newChecker builds the embedded access checker the emulator's
// /drivers/test runs. Neither results nor assumed-role sessions are reused:
// the emulator is a long-running server, and a role, its trust or a policy
// may change between tests; a revoked trust must fail the next test.
func newChecker(o AWSOptions) *accesscheck.Checker {
	return accesscheck.New(accesscheck.Options{AWSEndpoint: o.Endpoint, HTTPClient: o.HTTPClient, ResultTTL: -1, FreshSessions: true})
}

// payloadFields maps the checker's input names to the driver body fields
// they come from; other inputs come from the integration.
var payloadFields = map[string]string{"bucket": "payload.bucketName", "path": "payload.path", "region": "payload.region"}

// errPayload marks a check input error that a field of the driver payload
// caused; it is answered with 400.
type errPayload struct{ err error }

func (e *errPayload) Error() string { return e.err.Error() }

func (s *Server) checkS3(ctx context.Context, c s3Check) (checkOutcome, error) {
	creds := accesscheck.AWSCredentials{AccessKeyID: c.accessKeyID, SecretAccessKey: c.secretAccessKey, RoleARN: c.roleARN}
	target := accesscheck.S3Target{Bucket: c.bucket, Region: c.region, Path: c.path, AllowDelete: c.allowDelete, Endpoint: c.endpoint}
	res, err := s.checker.CheckS3(ctx, creds, target)
	if err != nil {
		var ie *accesscheck.InputError
		if errors.As(err, &ie) {
			if f, ok := payloadFields[ie.Field]; ok {
				return checkOutcome{}, &errPayload{err: fieldErr(f, "%s", ie.Message)}
			}
		}
		return checkOutcome{}, err
	}
	return checkOutcome{success: res.Success(), summary: res.Error(), checks: checksJSON(res)}, nil
}

// checksJSON renders a checker's results as the checks[] extension.
func checksJSON(res accesscheck.Result) []checkJSON {
	out := make([]checkJSON, 0, len(res.Checks))
	for _, ch := range res.Checks {
		out = append(out, checkJSON{Name: ch.Name, Success: ch.Success, Code: string(ch.Code), Message: ch.Message, Hint: ch.Hint})
	}
	return out
}

// writeCheckAnswer answers /drivers/test with what a GCS or Azure check
// found: an input error on a payload field is a 400 naming the field,
// another error (the check could not run) a 424 saying so, a failed
// result a 424 with its checks, a pass a 204. what names the check in
// the log.
func (s *Server) writeCheckAnswer(w http.ResponseWriter, what, integrationID string, fields map[string]string, res accesscheck.Result, err error) {
	if err != nil {
		s.logf("%s access check for integration %s: %v", what, integrationID, err)
		var ie *accesscheck.InputError
		if errors.As(err, &ie) {
			if f, ok := fields[ie.Field]; ok {
				writeError(w, http.StatusBadRequest, "%v", fieldErr(f, "%s", ie.Message))
				return
			}
		}
		s.writeTestFailure(w, "storage access check could not run: "+err.Error(), nil)
		return
	}
	if !res.Success() {
		s.writeTestFailure(w, res.Error(), checksJSON(res))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// statusForCheckError is the answer to a check that could not run: 400
// for a bad driver payload, 424 otherwise.
func statusForCheckError(err error) int {
	var pe *errPayload
	if errors.As(err, &pe) {
		return http.StatusBadRequest
	}
	return http.StatusFailedDependency
}
