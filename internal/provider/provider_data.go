package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// providerData is what Configure hands to every resource and data source:
// one API client, one access checker, the resolved provider settings and the
// run's cache of storage-access results.
type providerData struct {
	Client      *platform.Client
	Endpoint    string // the API base URL, for messages
	OrgID       string
	Checker     *accesscheck.Checker
	AccessCheck accessCheckConfig
	Access      *accessRun
	// orgs holds the run's integration list per organization (run_cache.go).
	orgs orgIntegrationCache
	// account holds the run's plan-time account check (account_check.go).
	account accountCheck
}

// accessCheckConfig is the resolved access_check block, defaults applied.
type accessCheckConfig struct {
	OnPlan             bool
	OnApply            bool
	Severity           string // apply time: severityError or severityWarning
	PlanSeverity       string // plan time: severityWarning (default) or severityError
	PropagationTimeout time.Duration
	AWSEndpoint        string
	AzureBlobEndpoint  string
	AzureAuthorityHost string
}

// toProviderData converts the ProviderData of a resource or data source
// ConfigureRequest. It returns nil without a diagnostic while the provider is
// not configured yet (Terraform calls Configure early, e.g. for validation),
// and nil with an error when the value has the wrong type.
func toProviderData(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok || pd == nil {
		diags.AddError("Unexpected Provider Data Type",
			fmt.Sprintf("Expected *providerData, got: %T. This is always a bug in the provider, "+
				"please report this issue to the provider developers.", data))
		return nil
	}
	return pd
}

// orgIDOrDefault returns the resource's org_id when set, else the provider's.
// An empty result is reported as an error on the org_id attribute.
func (pd *providerData) orgIDOrDefault(v types.String, diags *diag.Diagnostics) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	if pd.OrgID != "" {
		return pd.OrgID
	}
	diags.AddAttributeError(path.Root("org_id"), "Missing Organization ID",
		"No organization is set for this object. Set org_id on it, set org_id in the provider block, "+
			"or set the "+envOrgID+" environment variable.")
	return ""
}

// quoteList renders allowed values for descriptions as "`a`, `b`".
func quoteList(values []string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = "`" + v + "`"
	}
	return strings.Join(quoted, ", ")
}

// Default operation timeouts of the resources, overridable per resource in
// its timeouts attribute.
const (
	defaultCreateTimeout = 5 * time.Minute
	defaultReadTimeout   = 2 * time.Minute
	defaultUpdateTimeout = 5 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute

	// cleanupTimeout bounds the removal of a half-created object after a
	// failed multi-step create, whose own deadline may have passed.
	cleanupTimeout = 30 * time.Second
)

// timeoutsAttribute is the shared timeouts schema of the resources. It is a
// nested attribute (timeouts = { create = "10m" }), as the
// terraform-plugin-framework-timeouts documentation recommends for new providers.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	attr := timeouts.Attributes(ctx, timeouts.Opts{
		Create:            true,
		Read:              true,
		Update:            true,
		Delete:            true,
		CreateDescription: "How long to wait for the object to be created, as a duration such as `10m` (default: `5m`).",
		ReadDescription:   "How long to wait for the object to be read during refresh, as a duration such as `2m` (default: `2m`).",
		UpdateDescription: "How long to wait for the object to be updated, as a duration such as `10m` (default: `5m`).",
		DeleteDescription: "How long to wait for the object to be deleted, as a duration such as `10m` (default: `5m`).",
	})
	if nested, ok := attr.(schema.SingleNestedAttribute); ok {
		nested.MarkdownDescription = "Operation timeouts. Each value is a duration such as `30s` or `10m`."
		return nested
	}
	return attr
}

// timeString formats platform timestamps for state; the zero time
// (a platform that sent no timestamp) becomes null.
func timeString(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}
