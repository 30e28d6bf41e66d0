package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// This file holds the credential check of the integrations that carry an
// AWS access key (dataloop_aws_access_key_integration and
// dataloop_aws_sts_integration). Unlike the storage driver's check, it needs
// no platform call: the key and its secret are in the configuration, so the
// embedded checker proves with AWS that the key is valid and, for STS, that
// it can assume the role, before the platform stores them.

// awsKeyPlan holds the planned or prior inputs of the credential check.
type awsKeyPlan struct {
	AccessKeyID   types.String
	SecretVersion types.Int64
	RoleARN       types.String
}

type attributeGetter func(ctx context.Context, p path.Path, target any) diag.Diagnostics

// getAWSKeyPlan reads the check's inputs from a plan or a state; withRole
// reads role_arn too.
func getAWSKeyPlan(ctx context.Context, get attributeGetter, withRole bool, diags *diag.Diagnostics) awsKeyPlan {
	var k awsKeyPlan
	diags.Append(get(ctx, path.Root("access_key_id"), &k.AccessKeyID)...)
	diags.Append(get(ctx, path.Root("secret_access_key_wo_version"), &k.SecretVersion)...)
	if withRole {
		diags.Append(get(ctx, path.Root("role_arn"), &k.RoleARN)...)
	} else {
		k.RoleARN = types.StringNull()
	}
	return k
}

// planAWSCredentialCheck runs the credential check from ModifyPlan when
// access_check.on_plan is set, verify_credentials is not false, the
// integration is created or replaced or its access key ID, secret version or
// role changes, and every input is known. The secret comes from the
// configuration, where write-only values are readable at plan time; a null
// or unknown secret (e.g. from an ephemeral resource opened only at apply)
// skips the check. withRole is set for STS integrations.
func planAWSCredentialCheck(ctx context.Context, pd *providerData, withRole bool, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if pd == nil || req.Plan.Raw.IsNull() || !pd.AccessCheck.OnPlan || resp.Diagnostics.HasError() {
		return
	}
	var verify types.Bool
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("verify_credentials"), &verify)...)
	plan := getAWSKeyPlan(ctx, req.Plan.GetAttribute, withRole, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if verify.IsUnknown() || verify.Equal(types.BoolValue(false)) {
		tflog.Debug(ctx, "Skipping plan-time credentials check: verify_credentials is false or not known until apply")
		return
	}
	if !req.State.Raw.IsNull() && len(resp.RequiresReplace) == 0 {
		prior := getAWSKeyPlan(ctx, req.State.GetAttribute, withRole, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		if plan.AccessKeyID.Equal(prior.AccessKeyID) && plan.SecretVersion.Equal(prior.SecretVersion) && plan.RoleARN.Equal(prior.RoleARN) {
			return
		}
	}
	var secret types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_access_key_wo"), &secret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.AccessKeyID.IsUnknown() || plan.RoleARN.IsUnknown() || secret.IsUnknown() || secret.IsNull() {
		tflog.Debug(ctx, "Skipping plan-time credentials check: an input is not known until apply")
		return
	}
	creds := accesscheck.AWSCredentials{
		AccessKeyID:     plan.AccessKeyID.ValueString(),
		SecretAccessKey: secret.ValueString(),
		RoleARN:         plan.RoleARN.ValueString(),
	}
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()
	res, err := pd.Checker.CheckCredentials(maskSecret(ctx, creds.SecretAccessKey), creds)
	if hint := planCallTimeoutHint(ctx, err); err != nil && hint != "" {
		err = fmt.Errorf("%w%s", err, hint)
	}
	reportCredentialCheck(&resp.Diagnostics, pd.AccessCheck, creds, res, err, "Checked at plan time.", true)
}

// applyAWSCredentialCheck runs the credential check of key, with secret
// and, for STS integrations, roleARN, in Create or Update before the
// platform receives the credentials, when access_check.on_apply is set and
// the key's verify_credentials is not false. It retries failures that IAM
// propagation explains (a key not known yet, a denied AssumeRole) for up to
// access_check.propagation_timeout. It returns false when the platform must
// not be called; with severity "warning" a failed check only adds a warning.
func applyAWSCredentialCheck(ctx context.Context, pd *providerData, key awsKeyModel, secret, roleARN string, diags *diag.Diagnostics) bool {
	if !pd.AccessCheck.OnApply || !key.verify() {
		return true
	}
	creds := accesscheck.AWSCredentials{AccessKeyID: key.AccessKeyID.ValueString(), SecretAccessKey: secret, RoleARN: roleARN}
	// Like the storage driver's check, the wait for IAM propagation fits in
	// the operation's timeout (ctx's deadline) and leaves part of it for the
	// platform call after the check.
	timeout, capped := pd.AccessCheck.PropagationTimeout, false
	var opTimeout time.Duration
	if deadline, ok := ctx.Deadline(); ok {
		opTimeout = time.Until(deadline)
		timeout, capped = propagationBudget(timeout, opTimeout, opTimeout)
	}
	res, err := pd.Checker.CheckCredentialsUntilReady(maskSecret(ctx, secret), creds, timeout)
	when := "Checked at apply time."
	switch {
	case res.Attempts > 1 && capped:
		when = fmt.Sprintf("Checked at apply time, %d times over up to %s while waiting for IAM changes to propagate: "+
			"access_check.propagation_timeout is %s, but the resource's create or update timeout (%s left) must also "+
			"leave %s for the platform call. Set timeouts.create and timeouts.update to at least %s to wait for the "+
			"whole propagation timeout.", res.Attempts, formatDuration(timeout.Round(time.Second)),
			formatDuration(pd.AccessCheck.PropagationTimeout), formatDuration(opTimeout.Round(time.Second)),
			formatDuration(apiReserve(opTimeout).Round(time.Second)), formatDuration(minOperationTimeout(pd.AccessCheck.PropagationTimeout)))
	case res.Attempts > 1:
		when = fmt.Sprintf("Checked at apply time, %d times over up to %s (access_check.propagation_timeout) "+
			"while waiting for IAM changes to propagate.", res.Attempts, formatDuration(timeout))
	}
	return reportCredentialCheck(diags, pd.AccessCheck, creds, res, err, when, false)
}

// maskSecret masks the secret in every log entry written with the returned
// context, as a second line of defence: the checker never logs it.
func maskSecret(ctx context.Context, secret string) context.Context {
	ctx = tflog.MaskMessageStrings(ctx, secret)
	return tflog.MaskAllFieldValuesStrings(ctx, secret)
}

// reportCredentialCheck adds the diagnostics of a credential check and
// reports whether Terraform may go on. A failed check at plan time follows
// access_check.plan_severity, at apply time access_check.severity; a
// malformed input or a check that could not run is always an error.
func reportCredentialCheck(diags *diag.Diagnostics, cfg accessCheckConfig, creds accesscheck.AWSCredentials, res accesscheck.Result, err error, when string, atPlan bool) bool {
	var inputErr *accesscheck.InputError
	switch {
	case errors.As(err, &inputErr):
		diags.AddAttributeError(credentialInputPath(inputErr.Field), "Invalid AWS Credentials",
			fmt.Sprintf("The provider cannot check these credentials with AWS: %s.", inputErr.Error()))
		return false
	case err != nil:
		detail := fmt.Sprintf("The provider could not check access key %s with AWS: %s.", creds.AccessKeyID, err)
		if len(res.Checks) > 0 {
			detail += "\n\nThe last check failed: " + res.Error()
		}
		diags.AddError("Unable to Check AWS Credentials", detail+
			"\n\nIf AWS is not reachable from where Terraform runs, turn the check off with access_check.on_plan "+
			"and access_check.on_apply = false in the provider block.")
		return false
	case res.Success():
		return true
	}
	if atPlan {
		addPlanCheckDiagnostic(diags, cfg, "AWS Credentials Check Failed",
			credentialFailureDetail(creds, res, when), credentialFailurePath(res))
		return cfg.PlanSeverity == severityWarning
	}
	addAccessDiagnostic(diags, cfg.Severity, "AWS Credentials Check Failed",
		credentialFailureDetail(creds, res, when), credentialFailurePath(res))
	return cfg.Severity == severityWarning
}

// credentialInputPath maps an accesscheck.InputError field to its attribute.
func credentialInputPath(field string) path.Path {
	switch field {
	case "secret_access_key":
		return path.Root("secret_access_key_wo")
	case "role_arn":
		return path.Root("role_arn")
	default:
		return path.Root("access_key_id")
	}
}

// credentialFailurePath is the attribute a failed credential check points
// at: the input the checker blames, else role_arn for a role that cannot
// be assumed, else access_key_id.
func credentialFailurePath(res accesscheck.Result) path.Path {
	failed := res.Failed()
	switch {
	case len(failed) == 0:
		return path.Root("access_key_id")
	case failed[0].Input != "":
		return credentialInputPath(failed[0].Input)
	case failed[0].Name == accesscheck.CheckAssumeRole:
		return path.Root("role_arn")
	}
	return path.Root("access_key_id")
}

// credentialFailureDetail lists every check with its result and, for each
// failed one, the fix. It names the access key ID, never the secret.
func credentialFailureDetail(creds accesscheck.AWSCredentials, res accesscheck.Result, when string) string {
	var b strings.Builder
	if failed := res.Failed(); creds.RoleARN != "" && len(failed) > 0 && failed[0].Name == accesscheck.CheckAssumeRole {
		fmt.Fprintf(&b, "The provider checked with AWS whether access key %s can assume role %s, and it cannot.\n", creds.AccessKeyID, creds.RoleARN)
	} else {
		fmt.Fprintf(&b, "The provider checked access key %s with AWS, and AWS does not accept it.\n", creds.AccessKeyID)
	}
	b.WriteString(when + "\n\nChecks:\n")
	for _, c := range res.Checks {
		writeCheckLine(&b, c.Name, c.Success, c.Code == accesscheck.CodeNotProven, c.Message)
	}
	for _, c := range res.Failed() {
		fmt.Fprintf(&b, "\nTo fix %q: %s\n", c.Name, credentialFixHint(c, creds))
	}
	return strings.TrimRight(b.String(), "\n")
}

func credentialFixHint(c accesscheck.Check, creds accesscheck.AWSCredentials) string {
	if c.Name != accesscheck.CheckAssumeRole {
		return "check access_key_id and secret_access_key_wo, and that the key is active in IAM. After changing " +
			"the secret, also change secret_access_key_wo_version so that Terraform sends it."
	}
	if c.Hint == "" {
		return fmt.Sprintf("role %s must exist, and its trust policy must allow sts:AssumeRole by the IAM user "+
			"that owns access key %s; the dataloop_aws_trust_policy data source generates such a policy.",
			creds.RoleARN, creds.AccessKeyID)
	}
	return fmt.Sprintf("set the trust policy of role %s to allow sts:AssumeRole by the IAM user that owns the "+
		"key, for example with this policy (the dataloop_aws_trust_policy data source and the "+
		"provider::dataloop::aws_trust_policy function generate it):\n%s\nThe user's own IAM policy must also "+
		"allow sts:AssumeRole on the role.", creds.RoleARN, indent(c.Hint, "    "))
}

// credentialCheckDescription is the schema description's paragraph on the
// credential check; withRole describes the STS integration's.
func credentialCheckDescription(withRole bool) string {
	what := "Before the platform receives the key, the provider checks it with AWS: `sts:GetCallerIdentity`, " +
		"which needs no IAM permission, proves that AWS accepts the key and its secret (check `credentials`)."
	changes := "`access_key_id` or `secret_access_key_wo_version`"
	retried := "a key that AWS does not know yet is retried"
	fails := "A rejected key is reported on `access_key_id`"
	if withRole {
		what += " Then `sts:AssumeRole` on `role_arn` with the key, as session `" + accesscheck.SessionName +
			"`, proves that the role trusts the key's IAM user (check `assume_role`)."
		changes = "`access_key_id`, `secret_access_key_wo_version` or `role_arn`"
		retried = "a key that AWS does not know yet and a denied `sts:AssumeRole` are retried"
		fails += ", a role that cannot be assumed on `role_arn` with the trust policy that fixes it"
	}
	off := " `verify_credentials = false` turns the check off for this integration only; `access_check.on_plan` " +
		"and `on_apply` turn it off for every integration and storage driver."
	if !withRole {
		off = " The check asks AWS (or `access_check.aws_endpoint`), so a key of an S3-compatible store that AWS " +
			"does not know fails it; set `verify_credentials = false` on such an integration. That turns the " +
			"check off for this integration only, while the access checks of storage drivers that use it still run."
	}
	return what + " The check runs at plan time (`access_check.on_plan`) when the integration is created or " +
		changes + " changes and every input, the secret included, is known; and at apply time " +
		"(`access_check.on_apply`) before the platform is called, where " + retried + " for up to " +
		"`access_check.propagation_timeout` while IAM changes propagate. " + fails + ": at plan time as a " +
		"warning, because the same plan may create the key or fix the role's trust (an error with " +
		"`access_check.plan_severity = \"error\"`); at apply time as an error that stops the apply before " +
		"anything is created or changed on the platform (a warning with `access_check.severity = \"warning\"`)." +
		off + "\n\n" +
		"~> **Note** Terraform plans a resource again during apply, once the values that were unknown are known, " +
		"and that second plan runs the plan-time check without retries. By default its failure is only a " +
		"warning; with `access_check.plan_severity = \"error\"`, when the IAM user's key or the role is created " +
		"in the same apply, set `access_check.on_plan = false` (or create the IAM side first) so that only the " +
		"retrying apply-time check judges it."
}

// verifyCredentialsDescription is the description of verify_credentials;
// withRole describes the STS integration's.
func verifyCredentialsDescription(withRole bool) string {
	what := "Whether the provider checks the access key with AWS STS before the platform receives it, at plan " +
		"and at apply time (default: `true`). Set it to `false` for the key of an S3-compatible store, such as " +
		"MinIO, Wasabi or Ceph, that AWS does not know"
	if withRole {
		what = "Whether the provider checks the access key and `role_arn` with AWS STS before the platform " +
			"receives them, at plan and at apply time (default: `true`). Set it to `false` for a key that AWS " +
			"does not know, such as one of an S3-compatible store with its own STS"
	}
	return what + ": that skips the credential check of this integration only and accepts an `access_key_id` " +
		"of any shape, while the access checks of storage drivers that use the integration still run."
}

// secretCredentials is what the Create and Update of every integration
// that carries a secret share (AWS access key, AWS STS, GCP private key,
// Azure client secret): read the write-only secret, keep it out of the
// logs, run the resource's credential check, and only then send the
// credentials to the platform. The resource supplies its check and the
// options in the shape the platform takes.
type secretCredentials struct {
	Type      string // platform integration type
	Attribute string // the secret's write-only attribute
	// Label names the integration in log entries, e.g. "AWS STS integration".
	Label string
	// Fields are the non-secret fields of the create's log entry.
	Fields map[string]any
	// Mask hides the secret in every log entry of the returned context;
	// maskSecret when nil.
	Mask func(ctx context.Context, secret string) context.Context
	// Check runs the credential check before the platform receives the
	// secret; false means stop (its diagnostics say why).
	Check func(ctx context.Context, secret string, diags *diag.Diagnostics) bool
	// Options are the credentials as the platform takes them.
	Options func(secret string) map[string]any
}

// checked reads the secret from the configuration and runs the check. It
// returns ctx with the secret masked in its logs, the secret, and whether
// the platform may receive it.
func (c secretCredentials) checked(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) (context.Context, string, bool) {
	secret := writeOnlyString(ctx, config, path.Root(c.Attribute), diags)
	if diags.HasError() {
		return ctx, "", false
	}
	mask := c.Mask
	if mask == nil {
		mask = maskSecret
	}
	ctx = mask(ctx, secret)
	return ctx, secret, c.Check(ctx, secret, diags)
}

// create checks the credentials and creates the integration named name in
// the organization; a refusal is reported under summary. It returns nil
// after an error diagnostic: nothing is created when the check fails.
func (c secretCredentials) create(ctx context.Context, pd *providerData, config tfsdk.Config, orgID, name, summary string, diags *diag.Diagnostics) *platform.Integration {
	ctx, secret, ok := c.checked(ctx, config, diags)
	if !ok {
		return nil
	}
	fields := map[string]any{"org_id": orgID, "name": name}
	for k, v := range c.Fields {
		fields[k] = v
	}
	tflog.Debug(ctx, "Creating "+c.Label, fields)
	return createIntegration(ctx, pd, orgID, summary,
		platform.CreateIntegrationInput{Name: name, Type: c.Type, Options: c.Options(secret)}, bindStep{}, diags)
}

// update checks the credentials of an Update that sends them again and
// returns them for the PATCH, with ctx masking the secret; false means stop.
func (c secretCredentials) update(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) (context.Context, *platform.IntegrationCredentials, bool) {
	ctx, secret, ok := c.checked(ctx, config, diags)
	if !ok {
		return ctx, nil, false
	}
	return ctx, &platform.IntegrationCredentials{Type: c.Type, Options: c.Options(secret)}, true
}
