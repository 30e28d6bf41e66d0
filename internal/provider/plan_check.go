package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// planCheckNote explains a plan-time failure: the check saw the cloud as it
// is before the plan, and the apply-time check is the gate.
const planCheckNote = "This check ran at plan time, against the cloud as it is before this plan is applied. " +
	"If this plan creates or fixes what the check needs (the bucket, an IAM user's key, a role's policy or " +
	"trust), that is expected: the check runs again at apply time, after those changes and retrying while IAM " +
	"changes propagate, and that check stops the apply if it still fails (access_check.severity)."

// planCheckOnce says where a plan-time storage check's result applies: the
// check runs once per location per run, and one driver reports it.
const planCheckOnce = "Checked at plan time, once per location: every driver in this plan with the same location " +
	"shares this result, and it is reported on this driver only."

// addPlanCheckDiagnostic reports a failed plan-time check (storage access or
// credentials). By default it is a warning: the same plan may create the
// bucket or fix the policy or trust, and a plan must never be blocked by what
// it fixes. access_check.plan_severity = "error" makes it an error.
func addPlanCheckDiagnostic(diags *diag.Diagnostics, cfg accessCheckConfig, summary, detail string, p path.Path) {
	if cfg.PlanSeverity == severityError {
		diags.AddAttributeError(p, summary, detail+
			"\n\nThe provider's access_check.plan_severity is \"error\", so the plan fails. Remove it to report "+
			"plan-time failures as warnings and let the apply-time check decide.")
		return
	}
	diags.AddAttributeWarning(p, summary, detail+"\n\n"+planCheckNote+
		" To fail the plan instead, set access_check.plan_severity = \"error\" in the provider block.")
}
