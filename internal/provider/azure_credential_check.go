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
)

// This file holds the credential check of dataloop_azure_client_secret_integration:
// the provider holds the client secret, so the embedded checker proves with
// Microsoft Entra ID and the storage account that the credentials work
// before the platform stores them.

// planAzureCredentialCheck runs the check from ModifyPlan when
// access_check.on_plan is set, verify_credentials is not false, the
// integration is created or replaced or a credential changes, and every
// input (the secret from the configuration included) is known. A failure is
// a warning by default (addPlanCheckDiagnostic): the same plan may create
// the app registration, its secret or the storage account, and the
// apply-time check is the gate.
func planAzureCredentialCheck(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if pd == nil || req.Plan.Raw.IsNull() || !pd.AccessCheck.OnPlan || resp.Diagnostics.HasError() {
		return
	}
	var plan azureClientSecretIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.VerifyCredentials.IsUnknown() || plan.VerifyCredentials.Equal(types.BoolValue(false)) {
		return
	}
	if !req.State.Raw.IsNull() && len(resp.RequiresReplace) == 0 {
		var prior azureClientSecretIntegrationModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		if resp.Diagnostics.HasError() || !plan.credentialsChanged(&prior) {
			return
		}
	}
	var secret types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("client_secret_wo"), &secret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.TenantID.IsUnknown() || plan.ClientID.IsUnknown() || plan.StorageAccountName.IsUnknown() || secret.IsUnknown() || secret.IsNull() {
		tflog.Debug(ctx, "Skipping plan-time Azure credentials check: an input is not known until apply")
		return
	}
	creds := plan.credentials(secret.ValueString())
	ctx, cancel := context.WithTimeout(maskSecret(ctx, creds.ClientSecret), azurePlanCheckTimeout)
	defer cancel()
	res, err := pd.Checker.CheckAzureCredentials(ctx, creds, plan.StorageAccountName.ValueString())
	reportAzureCredentialCheck(&resp.Diagnostics, pd.AccessCheck, true, creds, res, err, "Checked at plan time.")
}

// azurePlanCheckTimeout bounds a plan-time credential check, so a plan never
// waits long on an unreachable service.
const azurePlanCheckTimeout = 2 * time.Minute

// applyAzureCredentialCheck runs the check in Create or Update before the
// platform receives the credentials. It returns false when the platform
// must not be called.
func applyAzureCredentialCheck(ctx context.Context, pd *providerData, m azureClientSecretIntegrationModel, secret string, diags *diag.Diagnostics) bool {
	if !pd.AccessCheck.OnApply || m.VerifyCredentials.Equal(types.BoolValue(false)) {
		return true
	}
	creds := m.credentials(secret)
	timeout := pd.AccessCheck.PropagationTimeout
	if deadline, ok := ctx.Deadline(); ok {
		// Leave room for the platform call within the operation timeout.
		timeout, _ = propagationBudget(timeout, time.Until(deadline), time.Until(deadline))
	}
	res, err := pd.Checker.CheckAzureCredentialsUntilReady(ctx, creds, m.StorageAccountName.ValueString(), timeout)
	when := "Checked at apply time."
	if res.Attempts > 1 {
		when = fmt.Sprintf("Checked at apply time, %d times over up to %s (access_check.propagation_timeout).", res.Attempts, formatDuration(timeout))
	}
	if pd.AccessCheck.Severity != severityWarning {
		when += " Nothing was created or changed on the platform."
	}
	return reportAzureCredentialCheck(diags, pd.AccessCheck, false, creds, res, err, when)
}

func (m azureClientSecretIntegrationModel) credentials(secret string) accesscheck.AzureCredentials {
	return accesscheck.AzureCredentials{TenantID: m.TenantID.ValueString(), ClientID: m.ClientID.ValueString(), ClientSecret: secret}
}

// reportAzureCredentialCheck adds the diagnostics of a check, at plan time
// (a warning unless access_check.plan_severity is "error") or at apply time
// (access_check.severity), and reports whether Terraform may go on.
func reportAzureCredentialCheck(diags *diag.Diagnostics, cfg accessCheckConfig, atPlan bool, creds accesscheck.AzureCredentials, res accesscheck.Result, err error, when string) bool {
	var inputErr *accesscheck.InputError
	switch {
	case errors.As(err, &inputErr):
		diags.AddAttributeError(azureInputPath(inputErr.Field), "Invalid Azure Credentials",
			fmt.Sprintf("The provider cannot check these credentials: %s.", inputErr.Error()))
		return false
	case err != nil:
		diags.AddError("Unable to Check Azure Credentials",
			fmt.Sprintf("The provider could not check application (client) ID %s of tenant %s: %s.\n\nIf Microsoft Entra ID "+
				"or the storage account is not reachable from where Terraform runs, set verify_credentials = false on "+
				"the integration, or access_check.on_plan and on_apply = false in the provider block.", creds.ClientID, creds.TenantID, err))
		return false
	case res.Success():
		return true
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The provider checked application (client) ID %s of tenant %s, and the check failed.\n%s\n\nChecks:\n", creds.ClientID, creds.TenantID, when)
	for _, c := range res.Checks {
		writeCheckLine(&b, c.Name, c.Success, c.Code == accesscheck.CodeNotProven, c.Message)
	}
	p := path.Root("client_id")
	if failed := res.Failed(); len(failed) > 0 && failed[0].Input != "" {
		p = azureInputPath(failed[0].Input)
	}
	if atPlan {
		addPlanCheckDiagnostic(diags, cfg, "Azure Credentials Check Failed", strings.TrimRight(b.String(), "\n"), p)
		return cfg.PlanSeverity == severityWarning
	}
	addAccessDiagnostic(diags, cfg.Severity, "Azure Credentials Check Failed", strings.TrimRight(b.String(), "\n"), p)
	return cfg.Severity == severityWarning
}

// azureInputPath maps a checker input to its attribute.
func azureInputPath(field string) path.Path {
	switch field {
	case accesscheck.InputTenantID:
		return path.Root("tenant_id")
	case accesscheck.InputClientSecret:
		return path.Root("client_secret_wo")
	case accesscheck.InputStorageAccount:
		return path.Root("storage_account_name")
	}
	return path.Root("client_id")
}
