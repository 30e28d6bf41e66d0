package provider

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// This file holds the plan-time account check: a token the platform
// rejects, or an organization the token's user cannot see, fails the plan
// with the setting to fix, instead of failing the apply halfway through.
// Without it, a plan that only creates objects makes no call that needs
// the token, and the first create of the apply is what fails.
//
// Cost: one GET /users/me per provider run (platform.Client.Me, which a
// driver create reads anyway), however many resources ask; an organization
// that is not in the user's orgs is looked up once more, through the run's
// integration list of that organization (runIntegrations, which the
// integration resources' plan-time checks read anyway). Each verdict,
// failures included, is kept for the run, and each failure is reported
// once: the plan fails on it, and hundreds of resources do not repeat it.
//
// Only plans that create or change a resource run it, and `terraform
// validate` never configures the provider. A destroy plans nothing to
// write, but Terraform first plans the configuration normally to refresh
// the state, and that plan fails on the check too: a destroy with a token
// the platform rejects cannot work anyway, and for an organization the
// token cannot see the error says to run terraform destroy -refresh=false.

// accountCheck keeps the run's verdicts. Its zero value is ready to use.
type accountCheck struct {
	mu       sync.Mutex
	checked  bool
	me       *platform.User
	err      error
	reported bool
	orgs     map[string]*orgVerdict
}

// orgVerdict is whether the token's user can see one organization: err is
// nil when it can, or when the platform could not say (see orgDenied).
type orgVerdict struct {
	err      error
	reported bool
}

// tokenRejected reports whether err means the platform does not accept the
// token for the user: 401 (missing, wrong, expired or revoked), or 403 on
// the user's own record.
func tokenRejected(err error) bool {
	return platform.IsUnauthorized(err) || platform.StatusCode(err) == http.StatusForbidden
}

// orgDenied reports whether err means the token's user cannot see the
// organization: it is not a member (403) or the organization does not
// exist (404).
func orgDenied(err error) bool {
	switch platform.StatusCode(err) {
	case http.StatusForbidden, http.StatusNotFound, http.StatusUnauthorized:
		return true
	}
	return false
}

// planAccountCheck runs the account check from a resource's ModifyPlan when
// the plan creates or changes the resource. orgID is the organization it
// writes to ("" for none, e.g. a storage driver, which belongs to a
// project); orgFromConfig says whether the resource's own org_id names it,
// rather than the provider's. It returns false when the plan must not go
// on to other platform calls: the check failed (reported here, once per
// run and cause). A platform that cannot be reached is not judged here:
// the check is skipped, and the calls that need the platform report it.
func planAccountCheck(ctx context.Context, pd *providerData, orgID string, orgFromConfig bool, req resource.ModifyPlanRequest, diags *diag.Diagnostics) bool {
	if pd == nil || req.Plan.Raw.IsNull() || (!req.State.Raw.IsNull() && req.Plan.Raw.Equal(req.State.Raw)) {
		return true
	}
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()

	a := &pd.account
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.checked {
		a.me, a.err = pd.Client.Me(ctx)
		a.checked = true
		if a.err != nil && !tokenRejected(a.err) {
			tflog.Warn(ctx, "Unable to check the API token at plan time; the calls that need it will report the error",
				map[string]any{"error": a.err.Error()})
		}
	}
	if a.err != nil {
		if !tokenRejected(a.err) {
			return true
		}
		if !a.reported {
			a.reported = true
			diags.AddError("Dataloop API Token Rejected", tokenRejectedDetail(pd.Endpoint, a.err))
		}
		return false
	}
	if orgID == "" || slices.Contains(a.me.Orgs, orgID) {
		return true
	}

	// The user's orgs do not list it; ask for the organization's
	// integrations, as the plan-time checks of a create do anyway, to tell
	// an organization the token cannot see from a record that does not list
	// every membership.
	if a.orgs == nil {
		a.orgs = map[string]*orgVerdict{}
	}
	v, ok := a.orgs[orgID]
	if !ok {
		v = &orgVerdict{}
		if _, err := pd.runIntegrations(ctx, orgID); err != nil {
			if orgDenied(err) {
				v.err = err
			} else {
				tflog.Warn(ctx, "Unable to check at plan time that the API token can see the organization",
					map[string]any{"org_id": orgID, "error": err.Error()})
			}
		}
		a.orgs[orgID] = v
	}
	if v.err == nil {
		return true
	}
	if !v.reported {
		v.reported = true
		detail := orgDeniedDetail(orgID, orgFromConfig, a.me, v.err)
		if orgFromConfig {
			diags.AddAttributeError(path.Root("org_id"), "Organization Not Accessible", detail)
		} else {
			diags.AddError("Organization Not Accessible", detail)
		}
	}
	return false
}

func tokenRejectedDetail(endpoint string, err error) string {
	return fmt.Sprintf("The Dataloop API at %s does not accept the provider's API token: %s.\n\n"+
		"The token is the provider's token setting or, when that is unset, the %s environment variable. Set it "+
		"to a valid API key of a user of the organization (API keys expire after a year or when revoked; a "+
		"user generates a new one in the Dataloop console's API keys page), and plan again. Nothing was created "+
		"or changed.", endpoint, err, envToken)
}

func orgDeniedDetail(orgID string, fromConfig bool, me *platform.User, err error) string {
	who := me.Email
	if who == "" {
		who = me.ID
	}
	member := "belongs to no organization"
	if len(me.Orgs) > 0 {
		member = "is a member of " + strings.Join(me.Orgs, ", ")
	}
	source := "org_id of this resource"
	if !fromConfig {
		source = "the provider's org_id setting or, when that is unset, the " + envOrgID + " environment variable"
	}
	return fmt.Sprintf("The API token's user, %s, cannot see organization %q (%s), so Terraform could not create "+
		"or change anything in it. The user %s.\n\nThe organization comes from %s. Set it to the ID of an "+
		"organization the user is a member of, or use the API key of a member of %q (the %s environment "+
		"variable or the provider's token setting). Nothing was created or changed.\n\nterraform destroy plans the "+
		"configuration before it destroys, so it stops here too; to destroy what the state holds without fixing this, "+
		"run terraform destroy -refresh=false.",
		who, orgID, err, member, source, orgID, envToken)
}

// tokenHint is a sentence to append to the error of a platform call that
// failed because the platform does not accept the token, or "".
func tokenHint(err error) string {
	if !platform.IsUnauthorized(err) {
		return ""
	}
	return "\n\nThe platform does not accept the provider's API token (the token setting or the " + envToken +
		" environment variable): set it to a valid API key."
}
