package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// maxConcurrentAccessChecks bounds how many access checks of distinct
// locations one provider run sends to the platform at a time (checks of one
// location are single-flight, see targetEntry). It equals Terraform's default
// -parallelism: a resource waiting for a slot holds one of Terraform's
// workers anyway, so a lower bound only queues distinct locations behind
// each other; a higher -parallelism still sends at most this many, since
// every check writes to the customer's bucket.
const maxConcurrentAccessChecks = 10

// s3AccessTarget is one storage location the platform must be able to use.
// DriverType is empty for S3; for Azure drivers Container holds the
// container and Bucket is empty; a GCS driver (DriverType gcs) has a Bucket
// and no Region.
type s3AccessTarget struct {
	DriverType      string
	Container       string
	ProjectID       string
	IntegrationID   string
	IntegrationType string
	Bucket          string
	Region          string
	Path            string // normalized with policy.NormalizePath
	Endpoint        string
	StorageClass    string
	AllowDelete     bool
}

// key identifies the checks that give the same answer: the project, the
// storage class and the driver's name do not change what the platform can
// reach.
func (t s3AccessTarget) key() string {
	return strings.Join([]string{t.DriverType, t.IntegrationID, t.Bucket, t.Container, t.Path, t.Region, t.Endpoint,
		fmt.Sprint(t.AllowDelete)}, "\x00")
}

// describe names the target in diagnostics.
func (t s3AccessTarget) describe() string {
	if t.Container != "" {
		prefix := "the container root"
		if t.Path != "" {
			prefix = fmt.Sprintf("prefix %q", t.Path)
		}
		return fmt.Sprintf("container %q (%s, driver type %s) with integration %q (type %s)", t.Container, prefix, t.driverType(), t.IntegrationID, t.IntegrationType)
	}
	prefix := "the bucket root"
	if t.Path != "" {
		prefix = fmt.Sprintf("prefix %q", t.Path)
	}
	if t.DriverType == platform.DriverTypeGCS {
		return fmt.Sprintf("bucket %q (%s, driver type %s) with integration %q (type %s)", t.Bucket, prefix, t.DriverType, t.IntegrationID, t.IntegrationType)
	}
	s := fmt.Sprintf("bucket %q (%s, region %q", t.Bucket, prefix, t.Region)
	if t.Endpoint != "" {
		s += ", endpoint " + t.Endpoint
	}
	return s + fmt.Sprintf(") with integration %q (type %s)", t.IntegrationID, t.IntegrationType)
}

// driverType is the platform's driver type of the target.
func (t s3AccessTarget) driverType() string {
	if t.DriverType == "" {
		return platform.DriverTypeS3
	}
	return t.DriverType
}

// location is the driver payload of the target.
func (t s3AccessTarget) location() platform.DriverLocation {
	switch {
	case t.Container != "":
		return platform.DriverLocation{ContainerName: t.Container, Path: t.Path}
	case t.DriverType == platform.DriverTypeGCS:
		// NOTE: a gcs payload names its bucket "bucket", not "bucketName".
		return platform.DriverLocation{Bucket: t.Bucket, Path: t.Path}
	}
	if t.DriverType == platform.DriverTypeGCS {
		return platform.DriverLocation{Bucket: t.Bucket, Path: t.Path}
	}
	return platform.DriverLocation{BucketName: t.Bucket, Region: t.Region, Path: t.Path, StorageClass: t.StorageClass, Endpoint: t.Endpoint}
}

func (t s3AccessTarget) driverInput(name string) platform.CreateDriverInput {
	return platform.CreateDriverInput{
		Name:                name,
		Type:                t.driverType(),
		IntegrationID:       t.IntegrationID,
		IntegrationType:     t.IntegrationType,
		ProjectID:           t.ProjectID,
		AllowExternalDelete: t.AllowDelete,
		Payload:             t.location(),
	}
}

// accessOutcome is the result of one access check: what the platform's
// answer means and every check it reported, in order.
type accessOutcome struct {
	Verdict platform.TestVerdict
	Success bool
	Checks  []platform.CheckResult
}

// outcomeOf turns the platform's classified answer into an outcome. Only a
// passed test is a success; a platform that cannot test, or could not, has
// verified nothing, and its one "platform" check says so.
func outcomeOf(res platform.TestResult, t s3AccessTarget) accessOutcome {
	switch res.Verdict {
	case platform.TestPassed:
		return successOutcome(t)
	case platform.TestFailed:
		return accessOutcome{Verdict: res.Verdict, Checks: res.Checks}
	}
	answer := fmt.Sprintf("HTTP %d %s", res.StatusCode, http.StatusText(res.StatusCode))
	if res.Message != "" {
		answer += ": " + res.Message
	}
	msg := fmt.Sprintf("The Dataloop platform cannot test storage access (it answered %s), so access to %s was not verified.",
		answer, t.where())
	if res.Verdict == platform.TestUnavailable {
		msg = fmt.Sprintf("The Dataloop platform could not check storage access (it answered %s, also after retries), "+
			"so access to %s was not verified.", answer, t.where())
	}
	return accessOutcome{Verdict: res.Verdict, Checks: []platform.CheckResult{{Name: platform.PlatformCheckName, Message: msg}}}
}

func (o accessOutcome) failed() []platform.CheckResult {
	var out []platform.CheckResult
	for _, c := range o.Checks {
		if !c.Success {
			out = append(out, c)
		}
	}
	return out
}

// retryable reports whether IAM propagation can explain every failed check:
// a role that cannot be assumed yet, or an action that is denied right after
// a policy change. A missing bucket, a wrong region or a malformed input
// will not fix itself, so one such failure makes the outcome final.
func (o accessOutcome) retryable() bool {
	if o.Verdict != platform.TestFailed {
		return false
	}
	failed := o.failed()
	if len(failed) == 0 {
		return false
	}
	for _, c := range failed {
		if !c.Retryable() {
			return false
		}
	}
	return true
}

// onlyAssumeRoleFailed reports whether the outcome failed only because the
// role could not be assumed or the service account not impersonated: the
// assume_role or impersonate check, or a platform message without per-check
// results that names AssumeRole or the refused impersonation.
func (o accessOutcome) onlyAssumeRoleFailed() bool {
	if o.Verdict != platform.TestFailed {
		return false
	}
	failed := o.failed()
	if len(failed) == 0 {
		return false
	}
	for _, c := range failed {
		if !c.RoleNotAssumed() && !c.ImpersonationRefused() {
			return false
		}
	}
	return true
}

// successOutcome records a test the platform passed (204). The answer
// carries no per-check results and does not say which operations the
// platform tried, so the outcome is one "platform" check that says exactly
// that the platform's storage test passed, and no more.
func successOutcome(t s3AccessTarget) accessOutcome {
	return accessOutcome{Verdict: platform.TestPassed, Success: true, Checks: []platform.CheckResult{{
		Name:    platform.PlatformCheckName,
		Success: true,
		Message: fmt.Sprintf("The Dataloop platform's storage test passed for %s.", t.where()),
	}}}
}

// where names the bucket and prefix of a target in messages.
func (t s3AccessTarget) where() string {
	kind, name := "bucket", t.Bucket
	if t.Container != "" {
		kind, name = "container", t.Container
	}
	if t.Path != "" {
		return fmt.Sprintf("prefix %q of %s %q", t.Path, kind, name)
	}
	return fmt.Sprintf("%s %q", kind, name)
}

// maxAPIReserve caps the part of a create or update timeout kept for the
// platform call after the access check: the API client backs off at most
// 30 seconds between retries.
const maxAPIReserve = 30 * time.Second

// apiReserve is the part of an operation timeout that the apply-time check
// leaves to the platform call after it: a quarter, at most maxAPIReserve.
func apiReserve(opTimeout time.Duration) time.Duration {
	return min(maxAPIReserve, opTimeout/4)
}

// propagationBudget returns how long the apply-time check of an operation
// with timeout opTimeout, of which remaining is left, may wait for IAM
// changes to propagate: the propagation timeout, cut so that apiReserve
// stays for the platform call. capped reports a cut.
func propagationBudget(propagation, opTimeout, remaining time.Duration) (wait time.Duration, capped bool) {
	budget := max(remaining-apiReserve(opTimeout), 0)
	if propagation <= budget {
		return propagation, false
	}
	return budget, true
}

// minOperationTimeout is the shortest operation timeout that holds the whole
// propagation timeout and the platform call after it, in whole seconds.
func minOperationTimeout(propagation time.Duration) time.Duration {
	need := propagation + maxAPIReserve
	if apiReserve(need) < maxAPIReserve {
		// A quarter of the timeout is kept: timeout - timeout/4 >= propagation.
		need = (propagation*4 + 2) / 3
	}
	if r := need % time.Second; r != 0 {
		need += time.Second - r
	}
	return need
}

// accessRun holds what one provider run (one Configure) has learned about
// storage access: check outcomes per target and the integrations and
// projects looked up on the way. It also bounds the run's concurrent checks.
type accessRun struct {
	sem chan struct{}

	// orgHint is the provider's organization (org_id or DATALOOP_ORG_ID),
	// "" when unset. A driver's integration belongs to its project's
	// organization; when the project is not looked up yet, the integration
	// is read from orgHint at the same time, and kept when the project turns
	// out to be in it (see integration).
	orgHint string

	// userOnce starts the run's one read of the user (see warmUser).
	userOnce sync.Once

	mu           sync.Mutex
	targets      map[string]*targetEntry
	integrations map[string]*integrationEntry
	projectOrgs  map[string]*projectEntry
}

type targetEntry struct {
	// mu serializes the checks of one target, so concurrent drivers with the
	// same location wait for one check instead of each running their own.
	mu      sync.Mutex
	outcome *accessOutcome

	// planClaimed is set by the resource plan that runs and reports the
	// target's plan-time check (see planCheck).
	planClaimed atomic.Bool
}

// integrationEntry is one integration looked up in this run. Its mutex
// makes concurrent first lookups wait for one request.
type integrationEntry struct {
	mu sync.Mutex
	in *platform.Integration
	// fresh marks a read made for an apply-time caller (see integration).
	fresh bool
}

type projectEntry struct {
	mu    sync.Mutex
	orgID string
	// known is set once orgID is, so projectKnown need not wait for a
	// lookup in flight.
	known atomic.Bool
}

// newAccessRun starts the storage-access cache of one provider run; orgHint
// is the provider's organization, or "".
func newAccessRun(orgHint string) *accessRun {
	return &accessRun{
		orgHint:      orgHint,
		sem:          make(chan struct{}, maxConcurrentAccessChecks),
		targets:      map[string]*targetEntry{},
		integrations: map[string]*integrationEntry{},
		projectOrgs:  map[string]*projectEntry{},
	}
}

func (r *accessRun) entry(key string) *targetEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.targets[key]
	if !ok {
		e = &targetEntry{}
		r.targets[key] = e
	}
	return e
}

// integration returns an integration of the project's org, looked up once
// per run. Apply-time callers pass fresh: they reuse only a read made for
// another apply-time caller, so they see changes made earlier in the same
// apply, such as a role binding that resets trust; integration resources
// also forget what they change (forgetIntegration).
func (r *accessRun) integration(ctx context.Context, client *platform.Client, projectID, integrationID string, fresh bool) (*platform.Integration, error) {
	r.mu.Lock()
	e, ok := r.integrations[integrationID]
	if !ok {
		e = &integrationEntry{}
		r.integrations[integrationID] = e
	}
	r.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.in != nil && (e.fresh || !fresh) {
		return e.in, nil
	}
	r.warmUser(ctx, client)
	guess := r.guessIntegration(ctx, client, projectID, integrationID)
	org, err := r.projectOrg(ctx, client, projectID)
	if err != nil {
		return nil, err
	}
	var in *platform.Integration
	if g, ok := <-guess; ok && org == r.orgHint {
		in, err = g.in, g.err
	} else {
		in, err = client.GetIntegration(ctx, org, integrationID)
	}
	if err != nil {
		return nil, err
	}
	e.in, e.fresh = in, fresh
	return in, nil
}

type integrationRead struct {
	in  *platform.Integration
	err error
}

// guessIntegration starts reading the integration from the provider's
// organization while the project, which names the organization the
// integration must belong to, is still being looked up: the first lookups
// of a run then take one platform round trip instead of two. The caller
// uses the answer only when the project is in that organization. The
// channel is closed, with nothing sent, when there is nothing to guess:
// no provider organization, or the project's is known already.
func (r *accessRun) guessIntegration(ctx context.Context, client *platform.Client, projectID, integrationID string) <-chan integrationRead {
	out := make(chan integrationRead, 1)
	if r.orgHint == "" || r.projectKnown(projectID) {
		close(out)
		return out
	}
	go func() {
		defer close(out)
		in, err := client.GetIntegration(ctx, r.orgHint, integrationID)
		out <- integrationRead{in: in, err: err}
	}()
	return out
}

// projectKnown reports whether the run has looked up the project's
// organization already. It does not wait for a lookup in flight: the first
// lookups of each integration then all read from the provider's
// organization at once, instead of queuing behind the project.
func (r *accessRun) projectKnown(projectID string) bool {
	r.mu.Lock()
	e, ok := r.projectOrgs[projectID]
	r.mu.Unlock()
	return ok && e.known.Load()
}

// prefetchIntegration starts the run's lookup of a driver's project and
// integration in the background, so that it overlaps the account check
// (GET /users/me) the plan makes first; the plan-time check then finds the
// answer, or waits for the lookup in flight (see integration). A lookup that
// fails is not kept: the check looks it up again and reports the error.
func (r *accessRun) prefetchIntegration(ctx context.Context, client *platform.Client, projectID, integrationID string) {
	r.mu.Lock()
	_, known := r.integrations[integrationID]
	r.mu.Unlock()
	if known {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), planCallTimeout)
	go func() {
		defer cancel()
		if _, err := r.integration(ctx, client, projectID, integrationID, false); err != nil {
			tflog.Debug(ctx, "Looking up the integration ahead of the plan-time access check failed; the check looks it up again",
				map[string]any{"integration_id": integrationID, "error": err.Error()})
		}
	}()
}

// warmUser reads the user (GET /users/me, which names the creator in every
// test and create body) once per run, in the background, while the first
// project and integration lookups are on the way: otherwise the three reads
// run one after another before the run's first access check. The client
// caches the user and makes a concurrent caller wait for this read; a read
// that fails is not cached, so the caller that needs the user tries again
// and reports the error.
func (r *accessRun) warmUser(ctx context.Context, client *platform.Client) {
	r.userOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), planCallTimeout)
		go func() {
			defer cancel()
			if _, err := client.Me(ctx); err != nil {
				tflog.Debug(ctx, "Reading the user ahead of the first access check failed; the check reads it again",
					map[string]any{"error": err.Error()})
			}
		}()
	})
}

// forgetIntegration drops what the run knows about an integration that an
// integration resource has just changed.
func (r *accessRun) forgetIntegration(integrationID string) {
	r.mu.Lock()
	delete(r.integrations, integrationID)
	r.mu.Unlock()
}

// projectError is a failed lookup of a driver's project, which the caller
// reports on project_id rather than on the integration.
type projectError struct {
	projectID string
	err       error
}

func (e *projectError) Error() string {
	return fmt.Sprintf("looking up project %q: %s", e.projectID, e.err)
}

func (e *projectError) Unwrap() error { return e.err }

// projectOrg returns the org of a project, looked up once per run.
func (r *accessRun) projectOrg(ctx context.Context, client *platform.Client, projectID string) (string, error) {
	r.mu.Lock()
	e, ok := r.projectOrgs[projectID]
	if !ok {
		e = &projectEntry{}
		r.projectOrgs[projectID] = e
	}
	r.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.orgID == "" {
		p, err := client.GetProject(ctx, projectID)
		if err != nil {
			return "", &projectError{projectID: projectID, err: err}
		}
		e.orgID = p.OrgID
		e.known.Store(true)
	}
	return e.orgID, nil
}

// checkOnce runs the plan-time check: one attempt, shared with every other
// plan-time check of the same target in this run, failures included.
func (r *accessRun) checkOnce(ctx context.Context, client *platform.Client, t s3AccessTarget) (accessOutcome, error) {
	e := r.entry(t.key())
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.outcome != nil {
		tflog.Debug(ctx, "Reusing access check result of this run", map[string]any{"bucket": t.Bucket, "success": e.outcome.Success})
		return *e.outcome, nil
	}
	o, err := r.platformTest(ctx, client, t)
	if err != nil {
		return o, err
	}
	e.outcome = &o
	return o, nil
}

// planCheck runs a resource's plan-time check of a target and says whether
// this resource reports it: the check runs once per target per run, and
// only the resource that ran it reports the result. The others, including
// those planned while it is running, return at once without a result.
// NOTE: Terraform gives each resource one of its -parallelism slots for as
// long as its plan takes. Drivers waiting on the test of a location they
// share would hold the slots the rest of the plan needs; and one report per
// location is what a fleet of drivers over a few locations wants to read.
func (r *accessRun) planCheck(ctx context.Context, client *platform.Client, t s3AccessTarget) (o accessOutcome, reporter bool, err error) {
	if !r.entry(t.key()).planClaimed.CompareAndSwap(false, true) {
		tflog.Debug(ctx, "The plan-time access check of this location runs, or ran, for another driver of this run, which reports it",
			map[string]any{"bucket": t.Bucket, "container": t.Container, "path": t.Path})
		return accessOutcome{}, false, nil
	}
	o, err = r.checkOnce(ctx, client, t)
	return o, true, err
}

// checkUntilReady runs the apply-time check. It reuses only a successful
// result of this run: a failure seen at plan time may be IAM propagation
// that has since completed. A run is one Configure, and Terraform
// configures the provider anew for the apply walk, which plans each
// resource again just before applying it: what the gate reuses was tested
// during the apply, never the pass of the plan before it, which an IAM
// change applied in between would make stale. It retries failures that propagation explains,
// with exponential backoff and jitter, until timeout, and returns the last
// result.
func (r *accessRun) checkUntilReady(ctx context.Context, client *platform.Client, t s3AccessTarget, timeout time.Duration) (accessOutcome, error) {
	e := r.entry(t.key())
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.outcome != nil && e.outcome.Success {
		tflog.Debug(ctx, "Reusing successful access check of this run", map[string]any{"bucket": t.Bucket})
		return *e.outcome, nil
	}

	deadline := time.Now().Add(timeout)
	backoff := accesscheck.NewPropagationBackoff()
	for attempt := 1; ; attempt++ {
		o, err := r.platformTest(ctx, client, t)
		if err != nil {
			return o, err
		}
		e.outcome = &o
		if o.Success || !o.retryable() {
			return o, nil
		}
		remaining := time.Until(deadline)
		if remaining <= 0 {
			tflog.Debug(ctx, "Access check still failing at the end of the propagation timeout",
				map[string]any{"bucket": t.Bucket, "attempts": attempt, "timeout": timeout.String()})
			return o, nil
		}
		wait := backoff.Next(remaining)
		tflog.Debug(ctx, "Access check failed in a way IAM propagation explains; retrying",
			map[string]any{"bucket": t.Bucket, "attempt": attempt, "wait": wait.String(), "failed": checkNames(o.failed())})
		select {
		case <-ctx.Done():
			var failed []string
			for _, c := range o.failed() {
				failed = append(failed, c.Name+": "+c.Message)
			}
			return o, fmt.Errorf("stopped waiting for IAM changes to propagate (%w); the last check failed: %s",
				ctx.Err(), strings.Join(failed, "; "))
		case <-time.After(wait):
		}
	}
}

// integrationForDriver looks up the integration of a target and checks that
// its type is one of types; article names the driver kind ("an S3").
func integrationForDriver(ctx context.Context, pd *providerData, run *accessRun, t s3AccessTarget, types []string, article string, fresh bool, diags *diag.Diagnostics) (*platform.Integration, bool) {
	in, err := run.integration(ctx, pd.Client, t.ProjectID, t.IntegrationID, fresh)
	var pe *projectError
	switch {
	case errors.As(err, &pe) && platform.IsNotVisible(err):
		diags.AddAttributeError(path.Root("project_id"), "Project Not Found",
			fmt.Sprintf("No project %q exists, or the token cannot see it (the platform answered %d). Check project_id: "+
				"use the ID of a project in an organization the token's user belongs to (the dataloop_project data "+
				"source looks one up by name).", t.ProjectID, platform.StatusCode(err)))
		return nil, false
	case errors.As(err, &pe):
		diags.AddAttributeError(path.Root("project_id"), "Unable to Read Project",
			fmt.Sprintf("The provider could not read project %q to find its organization: %s", t.ProjectID, pe.err))
		return nil, false
	case platform.IsNotFound(err):
		diags.AddAttributeError(path.Root("integration_id"), "Integration Not Found",
			fmt.Sprintf("No integration %q exists in the organization of project %q, or the token may not see it. "+
				"Check integration_id and project_id.", t.IntegrationID, t.ProjectID))
		return nil, false
	case err != nil:
		diags.AddAttributeError(path.Root("integration_id"), "Unable to Read Integration",
			fmt.Sprintf("The provider could not read integration %q to learn its type: %s", t.IntegrationID, err))
		return nil, false
	}
	if !slices.Contains(types, in.Type) {
		diags.AddAttributeError(path.Root("integration_id"), "Integration Type Not Supported",
			fmt.Sprintf("Integration %q has type %q; %s storage driver needs an integration of type %s.",
				t.IntegrationID, in.Type, article, quoteList(types)))
		return nil, false
	}
	return in, true
}

// platformTest asks the platform to check the target (POST /drivers/test),
// holding one of the run's concurrency slots.
func (r *accessRun) platformTest(ctx context.Context, client *platform.Client, t s3AccessTarget) (accessOutcome, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return accessOutcome{}, ctx.Err()
	}
	defer func() { <-r.sem }()

	tflog.Debug(ctx, "Running storage access check on the platform", map[string]any{
		"integration_id": t.IntegrationID, "integration_type": t.IntegrationType,
		"bucket": t.Bucket, "region": t.Region, "path": t.Path, "allow_delete": t.AllowDelete,
	})
	// NOTE: the driver name only labels the test request; the platform
	// creates nothing.
	res, err := client.TestDriver(ctx, t.driverInput("terraform-access-check"))
	if err != nil {
		return accessOutcome{}, testError(err)
	}
	o := outcomeOf(res, t)
	if !o.Success {
		tflog.Debug(ctx, "Storage access check did not pass", map[string]any{"bucket": t.Bucket, "verdict": string(o.Verdict),
			"status": res.StatusCode, "failed": checkNames(o.failed())})
	}
	return o, nil
}

// testError explains an error of the platform's storage test that is not
// about the storage; a rejected token names the fix.
func testError(err error) error {
	if platform.IsUnauthorized(err) {
		return fmt.Errorf("the Dataloop platform rejected the token (authentication failed); check the provider's "+
			"token or DATALOOP_TOKEN: %w", err)
	}
	return err
}

func checkNames(checks []platform.CheckResult) []string {
	names := make([]string, len(checks))
	for i, c := range checks {
		names[i] = c.Name
	}
	return names
}

// Attribute types of the computed access attribute.
var (
	accessCheckAttrTypes = map[string]attr.Type{
		"name":    types.StringType,
		"success": types.BoolType,
		"message": types.StringType,
	}
	accessAttrTypes = map[string]attr.Type{
		"success": types.BoolType,
		"checks":  types.ListType{ElemType: types.ObjectType{AttrTypes: accessCheckAttrTypes}},
	}
)

// accessObject converts an outcome into the value of the access attribute.
func accessObject(o accessOutcome) (types.Object, diag.Diagnostics) {
	checks, diags := accessChecksList(o)
	obj, d := types.ObjectValue(accessAttrTypes, map[string]attr.Value{
		"success": types.BoolValue(o.Success),
		"checks":  checks,
	})
	diags.Append(d...)
	return obj, diags
}

// accessChecksList converts an outcome's checks into a list of
// {name, success, message} objects.
func accessChecksList(o accessOutcome) (types.List, diag.Diagnostics) {
	var diags diag.Diagnostics
	elems := make([]attr.Value, 0, len(o.Checks))
	for _, c := range o.Checks {
		v, d := types.ObjectValue(accessCheckAttrTypes, map[string]attr.Value{
			"name":    types.StringValue(c.Name),
			"success": types.BoolValue(c.Success),
			"message": types.StringValue(c.Message),
		})
		diags.Append(d...)
		elems = append(elems, v)
	}
	list, d := types.ListValue(types.ObjectType{AttrTypes: accessCheckAttrTypes}, elems)
	diags.Append(d...)
	return list, diags
}

// failureAttribute is the input a failed check points at.
func failureAttribute(failed []platform.CheckResult) path.Path {
	if len(failed) == 0 {
		return path.Root("bucket")
	}
	switch failed[0].Name {
	case accesscheck.CheckAssumeRole, accesscheck.CheckImpersonate, accesscheck.CheckCredentials:
		return path.Root("integration_id")
	case accesscheck.CheckRegion:
		return path.Root("region")
	case accesscheck.CheckList, accesscheck.CheckWrite, accesscheck.CheckRead:
		return path.Root("path")
	case accesscheck.CheckDelete:
		return path.Root("allow_delete")
	case accesscheck.CheckContainer:
		return path.Root("container")
	case accesscheck.CheckReadData:
		return path.Root("path")
	default:
		return path.Root("bucket")
	}
}

// checkActions maps a check to the IAM action it needs when its message does
// not name one.
var checkActions = map[string]string{
	accesscheck.CheckBucket: policy.ActionListBucket,
	accesscheck.CheckList:   policy.ActionListBucket,
	accesscheck.CheckWrite:  policy.ActionPutObject,
	accesscheck.CheckRead:   policy.ActionGetObject,
	accesscheck.CheckDelete: policy.ActionDeleteObject,
}

// fixHint says how to fix one failed check: the policy statement that grants
// the missing action, the trust policy for a role that cannot be assumed, or
// what to change in the configuration.
func fixHint(c platform.CheckResult, t s3AccessTarget, in *platform.Integration) string {
	if t.Container != "" {
		return azureFixHint(c, t)
	}
	if t.DriverType == platform.DriverTypeGCS {
		return gcsFixHint(c, t, in)
	}
	switch {
	case c.Name == accesscheck.CheckAssumeRole:
		return trustHint(t, in)
	case c.Name == accesscheck.CheckRegion:
		return "Set region to the bucket's region."
	case c.Name == accesscheck.CheckBucket:
		return "Check the bucket name, the region and the endpoint; the bucket must exist before the driver is created."
	case c.ExplicitDeny():
		return "Remove the Deny statement that matches, or narrow it so that it no longer covers this action and resource " +
			"(look in the identity's policies, the bucket policy and any service control policy). An Allow cannot override an explicit Deny."
	case !c.Denied():
		// Not a missing permission: the check's message says what to do.
		return ""
	}
	action := c.NamedAction()
	if action == "" || strings.HasPrefix(action, "sts:") {
		action = checkActions[c.Name]
	}
	if action == "" {
		return ""
	}
	js, err := policy.StatementFor(action, t.Bucket, t.Path).JSON()
	if err != nil {
		return ""
	}
	return "Grant " + action + " to " + identity(t) + ", for example with this policy statement " +
		"(the dataloop_aws_bucket_policy data source generates the complete policy):\n" + indent(js, "    ")
}

// identity names the IAM identity whose policy needs a fix.
func identity(t s3AccessTarget) string {
	switch t.IntegrationType {
	case platform.TypeS3:
		return "the IAM user whose access key the integration holds"
	case platform.TypeAWSCross:
		return "the role the integration is bound to"
	default:
		return "the role the integration assumes"
	}
}

// formatDuration writes 2m instead of 2m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	s, _ = strings.CutSuffix(s, "m0s")
	if len(s) < len(d.String()) {
		s += "m"
	}
	if h, ok := strings.CutSuffix(s, "h0m"); ok {
		s = h + "h"
	}
	return s
}

func trustHint(t s3AccessTarget, in *platform.Integration) string {
	const base = "The role must exist and its trust policy must allow sts:AssumeRole by "
	if in != nil && t.IntegrationType == platform.TypeAWSCross {
		if arn := in.PlatformUserARN(); arn != "" {
			doc, err := policy.AWSTrustPolicy(policy.TrustPolicyInput{PrincipalARN: arn})
			if err == nil {
				if js, err := doc.JSON(); err == nil {
					return base + "the platform IAM user " + arn + " (the integration's platform_iam_user_arn), " +
						"for example (the dataloop_aws_trust_policy data source generates it):\n" + indent(js, "    ")
				}
			}
		}
	}
	return base + "the IAM user whose access key the integration holds; " +
		"the dataloop_aws_trust_policy data source generates such a policy."
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

// accessFailureDetail lists every check with its result and, for each failed
// one, the fix. For a platform that cannot test, or could not, it says so.
func accessFailureDetail(o accessOutcome, t s3AccessTarget, in *platform.Integration, when string) string {
	var b strings.Builder
	switch o.Verdict {
	case platform.TestUnsupported, platform.TestUnavailable:
		fmt.Fprintf(&b, "The provider could not verify that the Dataloop platform can use %s.\n", t.describe())
	default:
		fmt.Fprintf(&b, "The Dataloop platform cannot use %s.\n", t.describe())
	}
	if when != "" {
		b.WriteString(when + "\n")
	}
	switch o.Verdict {
	case platform.TestUnsupported:
		fmt.Fprintf(&b, "\n%s\nThe platform's API does not offer the storage access test here (POST /drivers/test, "+
			"GET /drivers/{id}/test). Verify access in the Dataloop console, or set access_check.on_plan and "+
			"access_check.on_apply to false to stop asking.", o.Checks[0].Message)
		return b.String()
	case platform.TestUnavailable:
		fmt.Fprintf(&b, "\n%s\nTry again later; if the platform keeps failing, contact Dataloop support.", o.Checks[0].Message)
		return b.String()
	}
	// NOTE: a failure without per-check results (the platform could not
	// run the check) is a single "platform" check holding the message.
	if len(o.Checks) == 1 && o.Checks[0].Name == platform.PlatformCheckName {
		fmt.Fprintf(&b, "\nThe platform answered: %s\n", o.Checks[0].Message)
		return strings.TrimRight(b.String(), "\n")
	}
	b.WriteString("\nChecks:\n")
	for _, c := range o.Checks {
		writeCheckLine(&b, c.Name, c.Success, c.NotProven(), c.Message)
	}
	var hints []string
	for _, c := range o.failed() {
		if h := fixHint(c, t, in); h != "" && !slices.Contains(hints, h) {
			hints = append(hints, fmt.Sprintf("To fix %q: %s", c.Name, h))
		}
	}
	if len(hints) > 0 {
		b.WriteString("\n" + strings.Join(hints, "\n\n") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// addOutcomeDiagnostic reports an outcome that did not pass and returns
// whether it must stop the operation. A failed check or a platform that
// could not check (5xx) is reported like any failed check: at plan time as
// access_check.plan_severity says, at apply time as access_check.severity
// says. A platform that cannot test (404/405) is always a warning: nothing
// was verified, and nothing shows that access is broken either.
// attr maps an S3 attribute to the driver type's own (see driverKind).
func addOutcomeDiagnostic(diags *diag.Diagnostics, cfg accessCheckConfig, atPlan bool, o accessOutcome, t s3AccessTarget, in *platform.Integration, when string, attr func(path.Path) path.Path) bool {
	detail := accessFailureDetail(o, t, in, when)
	summary, p := "Storage Access Check Failed", attr(failureAttribute(o.failed()))
	switch o.Verdict {
	case platform.TestPassed:
		return false
	case platform.TestUnsupported:
		diags.AddAttributeWarning(attr(path.Root("bucket")), "Storage Access Not Verified", detail)
		return false
	case platform.TestUnavailable:
		summary, p = "Storage Access Could Not Be Checked", attr(path.Root("bucket"))
	}
	if atPlan {
		addPlanCheckDiagnostic(diags, cfg, summary, detail, p)
		return cfg.PlanSeverity == severityError
	}
	addAccessDiagnostic(diags, cfg.Severity, summary, detail, p)
	return cfg.Severity != severityWarning
}

// addAccessDiagnostic reports a failed check as an error, or as a warning
// when the provider's access_check.severity is "warning".
func addAccessDiagnostic(diags *diag.Diagnostics, severity, summary, detail string, p path.Path) {
	if severity == severityWarning {
		diags.AddAttributeWarning(p, summary, detail+
			"\n\nThe provider's access_check.severity is \"warning\", so Terraform goes on.")
		return
	}
	diags.AddAttributeError(p, summary, detail+
		"\n\nTo report this as a warning instead, set access_check.severity = \"warning\" in the provider block.")
}
