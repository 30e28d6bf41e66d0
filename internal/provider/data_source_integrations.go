package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ datasource.DataSource              = (*integrationsDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*integrationsDataSource)(nil)
)

// NewIntegrationsDataSource returns the dataloop_integrations data source.
func NewIntegrationsDataSource() datasource.DataSource {
	return &integrationsDataSource{platformDataSource: newPlatformDataSource("_integrations")}
}

type integrationsDataSource struct {
	platformDataSource
}

type integrationsDataSourceModel struct {
	OrgID        types.String           `tfsdk:"org_id"`
	Provider     types.String           `tfsdk:"cloud_provider"`
	Type         types.String           `tfsdk:"type"`
	Trusted      types.Bool             `tfsdk:"trusted"`
	Creator      types.String           `tfsdk:"creator"`
	NameContains types.String           `tfsdk:"name_contains"`
	IDs          []types.String         `tfsdk:"ids"`
	Integrations []integrationViewModel `tfsdk:"integrations"`
}

func (d *integrationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	element := map[string]schema.Attribute{}
	for name := range integrationViewAttrTypes {
		if name == "trusted" {
			element[name] = schema.BoolAttribute{Computed: true, MarkdownDescription: integrationViewDescriptions[name]}
			continue
		}
		element[name] = schema.StringAttribute{Computed: true, MarkdownDescription: integrationViewDescriptions[name]}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the integrations of a Dataloop organization, with the filters of the console's " +
			"integrations page: cloud provider, type, trusted or not, creator and a name search. Filters that are set " +
			"must all match; with none set, every integration of the organization is listed. An empty result is not " +
			"an error.\n\n" +
			"The platform's API (`GET /orgs/{orgId}/integrations`) takes no filter, so the provider lists the " +
			"organization and filters the answer itself. The list is shared with the other lookups and the plan-time " +
			"checks of the integration resources: one request per organization and run, unless the run has " +
			"created, changed or deleted an integration since.",
		Attributes: map[string]schema.Attribute{
			// Optional
			"org_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ID of the organization to list. Defaults to the provider's `org_id`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"cloud_provider": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only integrations of this cloud provider: " + quoteList(platform.Providers()) +
					". The provider follows from the type (`s3`, `aws-sts` and `aws-cross` are AWS; `gcs` and `gcp-cross` " +
					"are GCP; `azureblob` is Azure).",
				Validators: []validator.String{stringvalidator.OneOf(platform.Providers()...)},
			},
			"type": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only integrations of this platform type, for example `aws-cross`, `aws-sts`, `s3`, " +
					"`gcp-cross`, `gcs` or `azureblob` (exact match).",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"trusted": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "With `true`, only integrations whose metadata holds `status` = `trust-established`; " +
					"with `false`, only the others (types without delegated access included).",
			},
			"creator": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Only integrations created by this user, by email address (case-insensitive, exact).",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name_contains": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Only integrations whose name contains this text, ignoring case, like the console's " +
					"search box.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},

			// Computed
			"ids": schema.ListAttribute{
				Computed:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "IDs of the matching integrations, in the order of `integrations`.",
			},
			"integrations": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The matching integrations, sorted by name and then by ID. Empty when none " +
					"matches.",
				NestedObject: schema.NestedAttributeObject{Attributes: element},
			},
		},
	}
}

func (d *integrationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg integrationsDataSourceModel
	if !d.readConfig(ctx, req, resp, &cfg) {
		return
	}
	orgID := d.data.orgIDOrDefault(cfg.OrgID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	list, ok := d.integrations(ctx, orgID, "", &resp.Diagnostics)
	if !ok {
		return
	}
	f := integrationFilter{
		provider:     cfg.Provider.ValueString(),
		typ:          cfg.Type.ValueString(),
		creator:      cfg.Creator.ValueString(),
		nameContains: cfg.NameContains.ValueString(),
	}
	if !cfg.Trusted.IsNull() {
		trusted := cfg.Trusted.ValueBool()
		f.trusted = &trusted
	}
	matches := f.apply(list)
	tflog.Debug(ctx, "Listed integrations", map[string]any{"org_id": orgID, "total": len(list), "matching": len(matches)})

	state := cfg
	state.OrgID = types.StringValue(orgID)
	state.IDs = make([]types.String, 0, len(matches))
	state.Integrations = make([]integrationViewModel, 0, len(matches))
	for _, i := range matches {
		state.IDs = append(state.IDs, types.StringValue(i.ID))
		state.Integrations = append(state.Integrations, integrationView(i, orgID))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// integrationFilter holds the console's filters; empty fields match all.
type integrationFilter struct {
	provider, typ, creator, nameContains string
	trusted                              *bool
}

// apply returns the integrations that match every set filter, sorted by
// name and then by ID.
func (f integrationFilter) apply(list []platform.Integration) []platform.Integration {
	var out []platform.Integration
	search := strings.ToLower(f.nameContains)
	for _, i := range list {
		switch {
		case f.provider != "" && platform.IntegrationProvider(i.Type) != f.provider,
			f.typ != "" && i.Type != f.typ,
			f.trusted != nil && i.TrustEstablished() != *f.trusted,
			f.creator != "" && !strings.EqualFold(i.Creator, f.creator),
			search != "" && !strings.Contains(strings.ToLower(i.Name), search):
			continue
		}
		out = append(out, i)
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Name != out[b].Name {
			return out[a].Name < out[b].Name
		}
		return out[a].ID < out[b].ID
	})
	return out
}
