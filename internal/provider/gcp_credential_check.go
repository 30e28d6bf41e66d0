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
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// This file holds the key check of dataloop_gcp_private_key_integration: the
// provider holds the key, so the embedded checker proves that Google issues
// a token for it before the platform stores it.

// gcpPlanCheckTimeout bounds a plan-time key check.
const gcpPlanCheckTimeout = 2 * time.Minute

// maskGCPKey keeps the key, its private key and every line of that PEM out
// of the provider's logs.
func maskGCPKey(ctx context.Context, keyJSON string) context.Context {
	if keyJSON == "" {
		return ctx
	}
	secrets := []string{keyJSON}
	var pem string
	if i := strings.Index(keyJSON, "-----BEGIN"); i >= 0 {
		if j := strings.Index(keyJSON[i:], "-----END"); j >= 0 {
			pem = keyJSON[i : i+j]
		}
	}
	for _, line := range strings.FieldsFunc(strings.ReplaceAll(pem, `\n`, "\n"), func(r rune) bool { return r == '\n' }) {
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			secrets = append(secrets, line)
		}
	}
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	return tflog.MaskAllFieldValuesStrings(ctx, secrets...)
}

// planGCPKey sets client_email from the configured key and runs the key
// check when access_check.on_plan is set, verify_credentials is not false,
// the integration is created or its key changes, and the key is known. A
// failure is a warning by default: the same plan may create the key.
func planGCPKey(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || resp.Diagnostics.HasError() {
		return
	}
	var plan gcpPrivateKeyIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !req.State.Raw.IsNull() {
		var prior gcpPrivateKeyIntegrationModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		if resp.Diagnostics.HasError() || !plan.credentialsChanged(&prior) {
			return
		}
	}
	var key types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("key_json_wo"), &key)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if key.IsUnknown() || key.IsNull() {
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_email"), types.StringUnknown())...)
		tflog.Debug(ctx, "Skipping plan-time GCP key check: the key is not known until apply")
		return
	}
	parsed, err := rules.GCPServiceAccountKey(key.ValueString())
	if err != nil {
		// The validator reported it already.
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("client_email"), types.StringValue(parsed.ClientEmail))...)
	if pd == nil || !pd.AccessCheck.OnPlan || plan.VerifyCredentials.IsUnknown() || plan.VerifyCredentials.Equal(types.BoolValue(false)) {
		return
	}
	ctx, cancel := context.WithTimeout(maskGCPKey(ctx, key.ValueString()), gcpPlanCheckTimeout)
	defer cancel()
	res, err := pd.Checker.CheckGCSCredentials(ctx, accesscheck.GCSCredentials{KeyJSON: key.ValueString()})
	reportGCPKeyCheck(&resp.Diagnostics, pd.AccessCheck, true, parsed, res, err, "Checked at plan time.")
}

// applyGCPKeyCheck runs the check in Create or Update before the platform
// receives the key. It returns the key's client_email and false when the
// platform must not be called.
func applyGCPKeyCheck(ctx context.Context, pd *providerData, m gcpPrivateKeyIntegrationModel, key string, diags *diag.Diagnostics) (string, bool) {
	parsed, err := rules.GCPServiceAccountKey(key)
	if err != nil {
		diags.AddAttributeError(path.Root("key_json_wo"), "Invalid Service Account Key", upperFirstRune(err.Error())+".")
		return "", false
	}
	if !pd.AccessCheck.OnApply || m.VerifyCredentials.Equal(types.BoolValue(false)) {
		return parsed.ClientEmail, true
	}
	timeout := pd.AccessCheck.PropagationTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout, _ = propagationBudget(timeout, time.Until(deadline), time.Until(deadline))
	}
	res, err := pd.Checker.CheckGCSCredentialsUntilReady(ctx, accesscheck.GCSCredentials{KeyJSON: key}, timeout)
	when := "Checked at apply time."
	if res.Attempts > 1 {
		when = fmt.Sprintf("Checked at apply time, %d times over up to %s (access_check.propagation_timeout).", res.Attempts, formatDuration(timeout))
	}
	if pd.AccessCheck.Severity != severityWarning {
		when += " Nothing was created or changed on the platform."
	}
	return parsed.ClientEmail, reportGCPKeyCheck(diags, pd.AccessCheck, false, parsed, res, err, when)
}

// reportGCPKeyCheck adds the diagnostics of a key check and reports whether
// Terraform may go on. Messages name the service account, never the key.
func reportGCPKeyCheck(diags *diag.Diagnostics, cfg accessCheckConfig, atPlan bool, key rules.ServiceAccountKey, res accesscheck.Result, err error, when string) bool {
	p := path.Root("key_json_wo")
	var inputErr *accesscheck.InputError
	switch {
	case errors.As(err, &inputErr):
		diags.AddAttributeError(p, "Invalid Service Account Key", fmt.Sprintf("The provider cannot use this key: %s.", inputErr.Error()))
		return false
	case err != nil:
		diags.AddError("Unable to Check GCP Service Account Key",
			fmt.Sprintf("The provider could not check the key of service account %s: %s.\n\nIf %s is not reachable from "+
				"where Terraform runs, set verify_credentials = false on the integration, or access_check.on_plan and "+
				"on_apply = false in the provider block.", key.ClientEmail, err, key.TokenURI))
		return false
	case res.Success():
		return true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The provider checked the key of service account %s, and the check failed.\n%s\n\nChecks:\n", key.ClientEmail, when)
	for _, c := range res.Checks {
		writeCheckLine(&b, c.Name, c.Success, c.Code == accesscheck.CodeNotProven, c.Message)
	}
	detail := strings.TrimRight(b.String(), "\n")
	if atPlan {
		addPlanCheckDiagnostic(diags, cfg, "GCP Service Account Key Check Failed", detail, p)
		return cfg.PlanSeverity == severityWarning
	}
	addAccessDiagnostic(diags, cfg.Severity, "GCP Service Account Key Check Failed", detail, p)
	return cfg.Severity == severityWarning
}

func upperFirstRune(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
