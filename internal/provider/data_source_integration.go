package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ datasource.DataSource                     = (*integrationDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*integrationDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*integrationDataSource)(nil)
)

// NewIntegrationDataSource returns the dataloop_integration data source.
func NewIntegrationDataSource() datasource.DataSource {
	return &integrationDataSource{platformDataSource: newPlatformDataSource("_integration")}
}

type integrationDataSource struct {
	platformDataSource
}

// integrationViewModel is an integration as the lookups show it, whatever
// its type: the fields every integration has, the trust status the
// platform documents and, for aws-cross, the platform IAM user.
type integrationViewModel struct {
	ID                 types.String `tfsdk:"id"`
	Name               types.String `tfsdk:"name"`
	OrgID              types.String `tfsdk:"org_id"`
	Type               types.String `tfsdk:"type"`
	Provider           types.String `tfsdk:"cloud_provider"`
	CreatedAt          types.String `tfsdk:"created_at"`
	Creator            types.String `tfsdk:"creator"`
	Trusted            types.Bool   `tfsdk:"trusted"`
	PlatformIAMUserARN types.String `tfsdk:"platform_iam_user_arn"`
}

// integrationView converts what the platform returns; orgID stands in
// when the answer does not name the organization.
func integrationView(i platform.Integration, orgID string) integrationViewModel {
	if i.OrgID != "" {
		orgID = i.OrgID
	}
	m := integrationViewModel{
		ID:                 types.StringValue(i.ID),
		Name:               types.StringValue(i.Name),
		OrgID:              types.StringValue(orgID),
		Type:               types.StringValue(i.Type),
		Provider:           types.StringNull(),
		CreatedAt:          timeString(i.CreatedAt),
		Creator:            types.StringValue(i.Creator),
		Trusted:            types.BoolValue(i.TrustEstablished()),
		PlatformIAMUserARN: types.StringNull(),
	}
	if p := platform.IntegrationProvider(i.Type); p != "" {
		m.Provider = types.StringValue(p)
	}
	if arn := i.PlatformUserARN(); arn != "" && i.Type == platform.TypeAWSCross {
		m.PlatformIAMUserARN = types.StringValue(arn)
	}
	return m
}

// integrationViewDescriptions describes the attributes of an integration
// in the lookups, shared by both data sources.
var integrationViewDescriptions = map[string]string{
	"id":             "ID of the integration.",
	"name":           "Name of the integration as shown in the Dataloop console.",
	"org_id":         "ID of the organization that owns the integration.",
	"type":           "Platform type of the integration, for example `aws-cross`, `aws-sts`, `s3`, `gcp-cross`, `gcs` or `azureblob`.",
	"cloud_provider": "Cloud provider of the integration type: " + quoteList(platform.Providers()) + ", or null for a type that belongs to none.",
	"created_at":     "When the integration was created, as an RFC 3339 timestamp in UTC.",
	"creator":        "Email address (or ID) of the user who created the integration.",
	"trusted": "Whether the platform reports that it has assumed the integration's role or service account: the " +
		"integration's metadata holds the entry `status` = `trust-established`, as Dataloop documents it for AWS " +
		"cross-account integrations (for other types the same entry is read when the platform sends it). `false` " +
		"when the entry is missing or has another value, which includes every type without delegated access.",
	"platform_iam_user_arn": "ARN of the IAM user the platform created for an `aws-cross` integration, for the role's " +
		"trust policy. Null for other types.",
}

// integrationViewAttrTypes are the object attribute types of one element of
// dataloop_integrations' integrations list.
var integrationViewAttrTypes = map[string]attr.Type{
	"id":                    types.StringType,
	"name":                  types.StringType,
	"org_id":                types.StringType,
	"type":                  types.StringType,
	"cloud_provider":        types.StringType,
	"created_at":            types.StringType,
	"creator":               types.StringType,
	"trusted":               types.BoolType,
	"platform_iam_user_arn": types.StringType,
}

type integrationDataSourceModel struct {
	integrationViewModel
}

func (d *integrationDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(name string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: integrationViewDescriptions[name]}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up one Dataloop integration of any type by ID or by name, for example to use an " +
			"integration made in the console in a storage driver, or to adopt it with an `import` block. Exactly one " +
			"of `id` and `name` must be set. To list or filter integrations, use `dataloop_integrations`.",
		Attributes: map[string]schema.Attribute{
			// Optional (exactly one of id and name)
			"id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ID of the integration to look up. Set either `id` or `name`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Exact, case-sensitive name of the integration to look up in the organization. " +
					"Set either `id` or `name`; a name shared by several integrations is an error that lists their IDs.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"org_id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ID of the organization to look in. Defaults to the provider's `org_id`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},

			// Computed
			"type":                  computed("type"),
			"cloud_provider":        computed("cloud_provider"),
			"created_at":            computed("created_at"),
			"creator":               computed("creator"),
			"trusted":               schema.BoolAttribute{Computed: true, MarkdownDescription: integrationViewDescriptions["trusted"]},
			"platform_iam_user_arn": computed("platform_iam_user_arn"),
		},
	}
}

func (d *integrationDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *integrationDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg integrationDataSourceModel
	if !d.readConfig(ctx, req, resp, &cfg) {
		return
	}
	orgID := d.data.orgIDOrDefault(cfg.OrgID, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	var found platform.Integration
	if !cfg.ID.IsNull() {
		id := cfg.ID.ValueString()
		tflog.Debug(ctx, "Reading integration by ID", map[string]any{"integration_id": id, "org_id": orgID})
		i, err := d.data.Client.GetIntegration(ctx, orgID, id)
		if err != nil {
			lookupByIDError(&resp.Diagnostics, "Unable to Read Integration",
				fmt.Sprintf("Could not read integration %q of organization %q: %s", id, orgID, err),
				"Check the ID and org_id, and that the token's user is an owner of the organization.", err)
			return
		}
		found = *i
	} else {
		name := cfg.Name.ValueString()
		tflog.Debug(ctx, "Looking up integration by name", map[string]any{"name": name, "org_id": orgID})
		list, ok := d.integrations(ctx, orgID, fmt.Sprintf("to find %q", name), &resp.Diagnostics)
		if !ok {
			return
		}
		var matches []platform.Integration
		for _, i := range list {
			if i.Name == name {
				matches = append(matches, i)
			}
		}
		switch len(matches) {
		case 0:
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Integration Not Found",
				fmt.Sprintf("Organization %q has no integration named %q (%d integrations, names are case sensitive). "+
					"The dataloop_integrations data source with name_contains finds names that differ in case.",
					orgID, name, len(list)))
			return
		case 1:
			found = matches[0]
		default:
			ids := make([]string, len(matches))
			for k, i := range matches {
				ids[k] = fmt.Sprintf("%s (%s)", i.ID, i.Type)
			}
			sort.Strings(ids)
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Ambiguous Integration Name",
				fmt.Sprintf("%d integrations of organization %q are named %q: %s. Look the integration up by id instead.",
					len(matches), orgID, name, strings.Join(ids, ", ")))
			return
		}
	}
	state := integrationDataSourceModel{integrationView(found, orgID)}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
