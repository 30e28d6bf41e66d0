package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

// Environment variables read when the provider block leaves a value unset.
const (
	envEndpoint = "DATALOOP_ENDPOINT"
	envToken    = "DATALOOP_TOKEN"
	envOrgID    = "DATALOOP_ORG_ID"
	// envInsecureHTTP allows a plain http:// endpoint on a host that is not
	// loopback ("true"/"1").
	envInsecureHTTP = "DATALOOP_INSECURE_HTTP"
)

// Provider defaults, stated in the schema descriptions.
const (
	defaultEndpoint           = "https://gate.dataloop.ai/api/v1"
	defaultPropagationTimeout = "2m"
)

// Severity of a failed access check.
const (
	severityError   = "error"
	severityWarning = "warning"
)

func supportedSeverities() []string {
	return []string{severityError, severityWarning}
}

var (
	_ provider.Provider              = (*dataloopProvider)(nil)
	_ provider.ProviderWithFunctions = (*dataloopProvider)(nil)
)

// New returns the provider factory used by main.go and by the acceptance
// tests; version is the release version set at build time.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &dataloopProvider{version: version}
	}
}

type dataloopProvider struct {
	version string
}

type providerModel struct {
	Endpoint     types.String      `tfsdk:"endpoint"`
	Token        types.String      `tfsdk:"token"`
	OrgID        types.String      `tfsdk:"org_id"`
	InsecureHTTP types.Bool        `tfsdk:"insecure_http"`
	AccessCheck  *accessCheckModel `tfsdk:"access_check"`
}

type accessCheckModel struct {
	OnPlan             types.Bool   `tfsdk:"on_plan"`
	OnApply            types.Bool   `tfsdk:"on_apply"`
	Severity           types.String `tfsdk:"severity"`
	PlanSeverity       types.String `tfsdk:"plan_severity"`
	PropagationTimeout types.String `tfsdk:"propagation_timeout"`
	AWSEndpoint        types.String `tfsdk:"aws_endpoint"`
	AzureBlobEndpoint  types.String `tfsdk:"azure_blob_endpoint"`
	AzureAuthorityHost types.String `tfsdk:"azure_authority_host"`
}

func (p *dataloopProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "dataloop"
	resp.Version = p.version
}

func (p *dataloopProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The Dataloop provider connects cloud storage to the [Dataloop](https://dataloop.ai) " +
			"data platform as code: integrations (credentials or delegated-access trust) and storage drivers, " +
			"with an embedded access check that proves at plan and apply time that the platform can really use the bucket.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the Dataloop API. Can also be set with the `" + envEndpoint +
					"` environment variable (default: `" + defaultEndpoint + "`).",
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "API token sent as a bearer token on every request. Can also be set with the `" +
					envToken + "` environment variable, which is the recommended way in CI and Terraform Cloud. " +
					"One of the two is required.",
			},
			"org_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "ID of the Dataloop organization that resources belong to when they do not set " +
					"their own `org_id`. Can also be set with the `" + envOrgID + "` environment variable.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"insecure_http": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to allow a plain `http://` `endpoint` on a host other than this machine " +
					"(`localhost`, `127.0.0.0/8`, `::1`), which sends the API token unencrypted. Can also be set with the `" +
					envInsecureHTTP + "` environment variable (default: `false`). Without it, such an endpoint is an error.",
			},
		},
		Blocks: map[string]schema.Block{
			"access_check": accessCheckBlockSchema(),
		},
	}
}

func accessCheckBlockSchema() schema.SingleNestedBlock {
	return schema.SingleNestedBlock{
		MarkdownDescription: "Controls the embedded access check, which proves that the platform can list, read, " +
			"write and (when allowed) delete in a storage driver's bucket before Terraform creates or changes the driver. " +
			"The same settings govern the credential check of `dataloop_aws_access_key_integration` and " +
			"`dataloop_aws_sts_integration`, which proves with AWS that the access key is valid and, for STS, that it " +
			"can assume the role, before the platform receives them.",
		Attributes: map[string]schema.Attribute{
			"on_plan": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to run the access check during `terraform plan` when every input of a " +
					"storage driver, or of a key or STS integration, is known (default: `true`).",
			},
			"on_apply": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to run the access check during `terraform apply`, before a storage " +
					"driver, or the credentials of a key or STS integration, are created or changed (default: `true`).",
			},
			"severity": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How a failed apply-time check is reported: " + quoteList(supportedSeverities()) +
					". With `error` the apply stops before the storage driver or the credentials are created or " +
					"changed; with `warning` it goes on and shows the failed checks (default: `" + severityError + "`). " +
					"Plan-time failures follow `plan_severity`.",
				Validators: []validator.String{stringvalidator.OneOf(supportedSeverities()...)},
			},
			"plan_severity": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How a failed plan-time check is reported: " + quoteList(supportedSeverities()) +
					" (default: `" + severityWarning + "`). A plan-time check sees the cloud as it is before the plan, " +
					"so a plan that creates the bucket or fixes the role's policy or trust would fail its own check; " +
					"by default the failure is therefore a warning with every check and its fix, and the apply-time " +
					"check (which waits for IAM propagation and follows `severity`) is the gate. Set `error` to fail " +
					"the plan instead, for pipelines that apply cloud-side changes in an earlier run. " +
					"`terraform destroy` plans nothing to create or change, so a check never blocks it; with `error`, " +
					"though, the refresh that `terraform destroy` runs first plans the configuration normally and " +
					"can fail on a driver that is not created yet: run `terraform destroy -refresh=false` then.",
				Validators: []validator.String{stringvalidator.OneOf(supportedSeverities()...)},
			},
			"propagation_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long an apply-time check keeps retrying failures that IAM propagation " +
					"explains, such as a role that cannot be assumed yet, as a duration like `90s` or `5m` " +
					"(default: `" + defaultPropagationTimeout + "`).",
				Validators: []validator.String{validators.Duration()},
			},
			"aws_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Endpoint URL of the AWS STS API that the credential check of " +
					"`dataloop_aws_access_key_integration` and `dataloop_aws_sts_integration` calls instead of the public " +
					"AWS endpoint, for a local stack. Storage-driver checks run on the Dataloop platform and do not use it. " +
					"Unset means the public AWS endpoints.",
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"azure_blob_endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Blob service URL that the credential check of " +
					"`dataloop_azure_client_secret_integration` uses instead of `https://<account>.blob.core.windows.net`: " +
					"a URL containing `{account}` is a template (for sovereign clouds), any other URL is path-style " +
					"(`<url>/<account>`, as Azurite serves it) for a local stack. Storage-driver checks run on the " +
					"Dataloop platform and do not use it. Unset means the public Azure cloud.",
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
			},
			"azure_authority_host": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Microsoft Entra authority that the credential check of " +
					"`dataloop_azure_client_secret_integration` requests tokens from (client-credentials flow), " +
					"instead of `https://login.microsoftonline.com/`, for a sovereign cloud or a local stack. It must " +
					"use HTTPS; the provider trusts the system's certificate authorities only (a local stack's test " +
					"CA is added through the standard `SSL_CERT_FILE` environment variable). Unset means the public Azure cloud.",
				Validators: []validator.String{validators.URLWithScheme("https")},
			},
		},
	}
}

func (p *dataloopProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	endpoint := resolveString(cfg.Endpoint, envEndpoint, defaultEndpoint, path.Root("endpoint"), "Endpoint", &resp.Diagnostics)
	token := resolveString(cfg.Token, envToken, "", path.Root("token"), "Token", &resp.Diagnostics)
	orgID := resolveString(cfg.OrgID, envOrgID, "", path.Root("org_id"), "Organization ID", &resp.Diagnostics)
	check := resolveAccessCheck(cfg.AccessCheck, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	if token == "" {
		resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing Dataloop API Token",
			"The provider needs an API token to call the Dataloop API. Set the "+envToken+" environment variable "+
				"(recommended), or set token in the provider block from a sensitive variable.")
	}
	if err := validators.CheckURL(endpoint, "https", "http"); err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Dataloop Endpoint",
			fmt.Sprintf("The endpoint is not valid: %s. Set endpoint or %s to the API base URL, for example %s.",
				err, envEndpoint, defaultEndpoint))
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = tflog.SetField(ctx, "dataloop_endpoint", endpoint)
	tflog.Debug(ctx, "Configuring Dataloop client", map[string]any{"org_id": orgID})

	insecure := cfg.InsecureHTTP.ValueBool()
	if cfg.InsecureHTTP.IsNull() {
		insecure, _ = strconv.ParseBool(strings.TrimSpace(os.Getenv(envInsecureHTTP)))
	}
	client, err := platform.New(platform.Config{
		Endpoint:          endpoint,
		Token:             token,
		UserAgent:         userAgent(p.version, req.TerraformVersion),
		Logf:              platformLogf(token),
		AllowInsecureHTTP: insecure,
	})
	if errors.Is(err, platform.ErrInsecureEndpoint) {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Insecure Dataloop Endpoint",
			fmt.Sprintf("The endpoint %s uses plain HTTP to a host that is not this machine, so the API token would be "+
				"sent unencrypted. Use an https:// endpoint, or, for a trusted network only, set insecure_http = true "+
				"in the provider block (or %s=true).", endpoint, envInsecureHTTP))
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Dataloop API Client",
			"The provider could not set up its API client: "+err.Error())
		return
	}

	data := &providerData{
		Client:      client,
		Endpoint:    endpoint,
		OrgID:       orgID,
		AccessCheck: check,
		Access:      newAccessRun(orgID),
		Checker: accesscheck.New(accesscheck.Options{
			AWSEndpoint:        check.AWSEndpoint,
			AzureBlobEndpoint:  check.AzureBlobEndpoint,
			AzureAuthorityHost: check.AzureAuthorityHost,
			Logger:             tflogLogger{},
		}),
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

// resolveString applies the provider's precedence for one setting: the
// configuration value, else the environment variable, else the default.
// An unknown configuration value is an error, since the client is built now.
func resolveString(v types.String, env, def string, p path.Path, label string, diags *diag.Diagnostics) string {
	if v.IsUnknown() {
		diags.AddAttributeError(p, "Unknown Dataloop "+label,
			fmt.Sprintf("The provider cannot create the Dataloop API client because the value of %s is not known "+
				"until apply. Set it to a value known at plan time, or leave it unset and use the %s environment variable.",
				p, env))
		return ""
	}
	// An empty string counts as unset, so a variable defaulting to "" falls
	// back to the environment as users expect.
	if s := strings.TrimSpace(v.ValueString()); s != "" {
		return s
	}
	if s := strings.TrimSpace(os.Getenv(env)); s != "" {
		return s
	}
	return def
}

func resolveAccessCheck(m *accessCheckModel, diags *diag.Diagnostics) accessCheckConfig {
	if m == nil {
		m = &accessCheckModel{}
	}
	base := path.Root("access_check")
	for _, a := range []struct {
		name  string
		value interface{ IsUnknown() bool }
	}{
		{"on_plan", m.OnPlan}, {"on_apply", m.OnApply}, {"severity", m.Severity}, {"plan_severity", m.PlanSeverity},
		{"propagation_timeout", m.PropagationTimeout}, {"aws_endpoint", m.AWSEndpoint},
		{"azure_blob_endpoint", m.AzureBlobEndpoint}, {"azure_authority_host", m.AzureAuthorityHost},
	} {
		if a.value.IsUnknown() {
			p := base.AtName(a.name)
			diags.AddAttributeError(p, "Unknown Access Check Setting",
				fmt.Sprintf("The value of %s is not known until apply. Provider settings must be known at plan time.", p))
		}
	}
	if diags.HasError() {
		return accessCheckConfig{}
	}

	cfg := accessCheckConfig{
		OnPlan:       m.OnPlan.IsNull() || m.OnPlan.ValueBool(),
		OnApply:      m.OnApply.IsNull() || m.OnApply.ValueBool(),
		Severity:     severityError,
		PlanSeverity: severityWarning,
		AWSEndpoint:  m.AWSEndpoint.ValueString(),

		AzureBlobEndpoint:  m.AzureBlobEndpoint.ValueString(),
		AzureAuthorityHost: m.AzureAuthorityHost.ValueString(),
	}
	if !m.Severity.IsNull() {
		cfg.Severity = m.Severity.ValueString()
	}
	if !m.PlanSeverity.IsNull() {
		cfg.PlanSeverity = m.PlanSeverity.ValueString()
	}
	timeout := defaultPropagationTimeout
	if !m.PropagationTimeout.IsNull() {
		timeout = m.PropagationTimeout.ValueString()
	}
	d, err := validators.ParseDuration(timeout)
	if err != nil {
		// The schema validator has already rejected bad values; this guards
		// against a default that does not parse.
		diags.AddAttributeError(base.AtName("propagation_timeout"), "Invalid Propagation Timeout", err.Error())
		return cfg
	}
	cfg.PropagationTimeout = d
	return cfg
}

// userAgent names the provider and, when Terraform sends it, its version.
func userAgent(providerVersion, terraformVersion string) string {
	ua := "terraform-provider-dataloop/" + providerVersion +
		" (+https://registry.terraform.io/providers/terraform-dataloop/dataloop)"
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

func (p *dataloopProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAWSAccessKeyIntegrationResource,
		NewAWSCrossAccountIntegrationResource,
		NewAWSSTSIntegrationResource,
		NewS3DriverResource,
		NewAzureClientSecretIntegrationResource,
		NewAzureBlobDriverResource,
		NewGCSDriverResource,
		NewGCPPrivateKeyIntegrationResource,
		NewGCPCrossProjectIntegrationResource,
	}
}

func (p *dataloopProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewProjectDataSource,
		NewPlatformIAMUserDataSource,
		NewAWSBucketPolicyDataSource,
		NewAWSTrustPolicyDataSource,
		NewGCSGrantsDataSource,
		NewAzureRoleAssignmentsDataSource,
		NewStorageAccessDataSource,
		NewIntegrationDataSource,
		NewIntegrationsDataSource,
		NewStorageDriverDataSource,
		NewStorageDriversDataSource,
	}
}

func (p *dataloopProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewAWSBucketPolicyFunction,
		NewAWSTrustPolicyFunction,
		NewGCSGrantsFunction,
		NewAzureRoleAssignmentsFunction,
	}
}

// platformLogf bridges the API client's debug logger to tflog. The token is
// masked as a second line of defence; the client must not log it anyway.
func platformLogf(token string) func(ctx context.Context, msg string, fields map[string]any) {
	return func(ctx context.Context, msg string, fields map[string]any) {
		if token != "" {
			ctx = tflog.MaskMessageStrings(ctx, token)
			ctx = tflog.MaskAllFieldValuesStrings(ctx, token)
		}
		tflog.Debug(ctx, msg, fields)
	}
}

// tflogLogger bridges the access checker's logger to tflog.
type tflogLogger struct{}

func (tflogLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(ctx, msg, fields)
}
