package emulator

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
)

// checkTimeout bounds one storage check run by /drivers/test.
const checkTimeout = 2 * time.Minute

// s3Check is what a storage check needs: the identity to act as and the
// bucket location.
type s3Check struct {
	accessKeyID, secretAccessKey, roleARN string
	bucket, region, path, endpoint        string
	allowDelete                           bool
}

// checkOutcome is a finished storage check: its per-check results and a
// one-line summary when it failed.
type checkOutcome struct {
	success bool
	summary string
	checks  []checkJSON
}

type checkJSON struct {
	Name    string `json:"name"`
	Success bool   `json:"success"`
	// Code is the checker's accesscheck.Code of a failed check (an
	// emulator extension, like checks[] itself).
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// testFailure is the body of a 424 from /drivers/test.
type testFailure struct {
	Message string      `json:"message"`
	Checks  []checkJSON `json:"checks,omitempty"`
}

// testTarget is a snapshot, taken under s.mu, of what a test needs.
type testTarget struct {
	integrationID string
	integ         integration
	driverType    string
	loc           driverLocation
	allowDelete   bool
}

func (s *Server) testDriverPayload(w http.ResponseWriter, r *http.Request, u *user) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	// A test needs no name; give it one so the create parser applies.
	if _, has := body["name"]; !has {
		body["name"] = "access-test"
	}
	in, err := parseDriverInput(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	s.mu.Lock()
	_, integ, ok := s.resolveDriverInput(w, u, &in)
	var t testTarget
	if ok {
		t = testTarget{integrationID: integ.ID, integ: snapshotIntegration(integ), driverType: in.typ,
			loc: in.loc, allowDelete: in.allowExternalDelete}
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	s.runDriverTest(r.Context(), w, t)
}

func (s *Server) testDriverByID(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	d, ok := s.driverForUser(w, u, r.PathValue("id"))
	var t testTarget
	if ok {
		integ, found := s.st.Integrations[d.IntegrationID]
		if !found {
			s.mu.Unlock()
			writeError(w, http.StatusFailedDependency, "integration %q of storage driver %q no longer exists", d.IntegrationID, d.ID)
			return
		}
		t = testTarget{integrationID: integ.ID, integ: snapshotIntegration(integ), driverType: d.Type,
			loc: d.Location, allowDelete: d.AllowExternalDelete}
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	s.runDriverTest(r.Context(), w, t)
}

func snapshotIntegration(in *integration) integration {
	cp := *in
	cp.Options = cloneOptions(in.Options)
	cp.Metadata = append([]metadataEntry(nil), in.Metadata...)
	if in.Platform != nil {
		k := *in.Platform
		cp.Platform = &k
	}
	return cp
}

// runDriverTest runs the embedded access checker with the integration's
// credentials and answers 204 on success or 424 with the checks. It never
// claims success for a check it could not run.
func (s *Server) runDriverTest(ctx context.Context, w http.ResponseWriter, t testTarget) {
	if isAzureDriver(t.driverType) {
		s.runAzureDriverTest(ctx, w, t)
		return
	}
	if t.driverType == "gcs" {
		s.runGCSDriverTest(ctx, w, t)
		return
	}
	if t.driverType != "s3" {
		writeJSON(w, http.StatusFailedDependency, testFailure{Message: fmt.Sprintf(
			"the emulator checks only S3 storage; access to %s storage was not checked", t.driverType)})
		return
	}
	c := s3Check{bucket: t.loc.BucketName, region: t.loc.Region, path: t.loc.Path,
		endpoint: t.loc.Endpoint, allowDelete: t.allowDelete}
	in := t.integ
	boundRole := ""
	switch in.Type {
	case typeS3:
		c.accessKeyID, _ = in.Options["key"].(string)
		c.secretAccessKey, _ = in.Options["secret"].(string)
	case typeAWSSTS:
		c.accessKeyID, _ = in.Options["key"].(string)
		c.secretAccessKey, _ = in.Options["secret"].(string)
		arns, _ := roleARNList(in.Options["roleArns"])
		if len(arns) > 0 {
			c.roleARN = arns[0]
		}
		boundRole = c.roleARN
	case typeAWSCross:
		boundRole, _ = in.Options["roleArn"].(string)
		if boundRole == "" {
			writeJSON(w, http.StatusFailedDependency, testFailure{Message: fmt.Sprintf(
				"no role is bound to aws-cross integration %q, so the platform has no role to assume (sts:AssumeRole): "+
					"bind one with PATCH /orgs/%s/integrations "+
					`{"integrationId": %q, "credentials": {"type": "aws-cross", "options": {"roleArn": "<role arn>"}}}`,
				in.ID, in.OrgID, in.ID)})
			return
		}
		if s.aws == nil {
			writeNoAWS(w)
			return
		}
		if in.Platform == nil || in.Platform.AccessKeyID == "" {
			writeJSON(w, http.StatusFailedDependency, testFailure{Message: fmt.Sprintf(
				"aws-cross integration %q has no platform IAM user credentials (it was created while the emulator had no AWS endpoint); recreate it",
				in.ID)})
			return
		}
		c.accessKeyID, c.secretAccessKey, c.roleARN = in.Platform.AccessKeyID, in.Platform.SecretAccessKey, boundRole
	default:
		writeJSON(w, http.StatusFailedDependency, testFailure{Message: fmt.Sprintf(
			"integration type %s cannot access S3", in.Type)})
		return
	}
	if s.aws == nil {
		writeNoAWS(w)
		return
	}

	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	out, err := s.checkS3(ctx, c)
	if err != nil {
		s.logf("access check for integration %s: %v", in.ID, err)
		if status := statusForCheckError(err); status == http.StatusBadRequest {
			writeError(w, status, "%v", err)
			return
		}
		writeJSON(w, http.StatusFailedDependency, testFailure{Message: "storage access check could not run: " + err.Error()})
		return
	}
	if trusted, known := assumeRoleOutcome(out.checks); boundRole != "" && known {
		s.recordTrust(ctx, in.ID, boundRole, trusted)
	}
	if !out.success {
		msg := out.summary
		if msg == "" {
			msg = failedSummary(out.checks)
		}
		s.writeTestFailure(w, msg, out.checks)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func writeNoAWS(w http.ResponseWriter) {
	writeJSON(w, http.StatusFailedDependency, testFailure{Message: "the emulator has no AWS endpoint configured " +
		"(start it with -aws-endpoint or set Options.AWS), so storage access cannot be checked"})
}

// assumeRoleOutcome reports whether the assume_role check passed, and
// known=false when the test has no such check. Trust is about the role
// assumption alone: a role that was assumed but lacks, say, s3:PutObject
// still trusts the platform.
func assumeRoleOutcome(checks []checkJSON) (trusted, known bool) {
	for _, c := range checks {
		if c.Name == accesscheck.CheckAssumeRole {
			return c.Success, true
		}
	}
	return false, false
}

// recordTrust sets the status entry after a test that tried the
// integration's bound identity (the assume_role check of aws-cross or
// aws-sts, the impersonate check of gcp-cross), unless another identity was
// bound while the test ran.
func (s *Server) recordTrust(ctx context.Context, id, identity string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, found := s.st.Integrations[id]
	if !found {
		return
	}
	if boundIdentity(in) != identity {
		return
	}
	value := statusTrustFailed
	if ok {
		value = statusTrustEstablished
	}
	if v, _ := in.meta(metaStatus); v == value {
		return
	}
	next := snapshotIntegration(in)
	now := nowMillis()
	next.setMeta(metaStatus, value, now)
	next.UpdatedAt = now
	s.st.Integrations[id] = &next
	if err := s.commit(ctx, change{kindIntegrations, id}); err != nil {
		s.st.Integrations[id] = in
	}
}

func failedSummary(checks []checkJSON) string {
	var failed []string
	for _, c := range checks {
		if !c.Success {
			failed = append(failed, c.Name+": "+c.Message)
		}
	}
	if len(failed) == 0 {
		return "storage access check failed"
	}
	return "storage access check failed: " + strings.Join(failed, "; ")
}

// boundIdentity is what a trust status is about: the role of a role-based
// integration, the customer service account of a gcp-cross one.
func boundIdentity(in *integration) string {
	if in.Type == typeGCPCross {
		email, _ := in.Options["email"].(string)
		return email
	}
	return boundRoleARN(in)
}

// boundRoleARN is the role a role-based integration assumes: the bound
// roleArn of aws-cross, or the first of aws-sts's roleArns.
func boundRoleARN(in *integration) string {
	switch in.Type {
	case typeAWSCross:
		role, _ := in.Options["roleArn"].(string)
		return role
	case typeAWSSTS:
		if arns, _ := roleARNList(in.Options["roleArns"]); len(arns) > 0 {
			return arns[0]
		}
	}
	return ""
}
