package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

var (
	_ datasource.DataSource                     = (*projectDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*projectDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*projectDataSource)(nil)
)

// NewProjectDataSource returns the dataloop_project data source.
func NewProjectDataSource() datasource.DataSource {
	return &projectDataSource{platformDataSource: newPlatformDataSource("_project")}
}

type projectDataSource struct {
	platformDataSource
}

type projectDataSourceModel struct {
	ID        types.String `tfsdk:"id"`
	Name      types.String `tfsdk:"name"`
	OrgID     types.String `tfsdk:"org_id"`
	CreatedAt types.String `tfsdk:"created_at"`
}

func (d *projectDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Looks up a Dataloop project by ID or by name, for example to get the `project_id` " +
			"of a storage driver. Exactly one of `id` and `name` must be set.",
		Attributes: map[string]schema.Attribute{
			// Optional (exactly one)
			"id": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "ID of the project to look up. Set either `id` or `name`.",
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "Exact, case-sensitive name of the project to look up among the projects the " +
					"token can see. Set either `id` or `name`; a name shared by several projects is an error.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},

			// Computed
			"org_id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ID of the organization the project belongs to.",
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the project was created, as an RFC 3339 timestamp in UTC.",
			},
		},
	}
}

func (d *projectDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("name")),
	}
}

func (d *projectDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()
	var cfg projectDataSourceModel
	if !d.readConfig(ctx, req, resp, &cfg) {
		return
	}

	var project *platform.Project
	if !cfg.ID.IsNull() {
		id := cfg.ID.ValueString()
		tflog.Debug(ctx, "Reading project by ID", map[string]any{"project_id": id})
		p, err := d.data.Client.GetProject(ctx, id)
		if err != nil {
			lookupByIDError(&resp.Diagnostics, "Unable to Read Project",
				fmt.Sprintf("Could not read project %q: %s", id, err)+planCallTimeoutHint(ctx, err),
				"Check the ID, and that the token's user is a member of the project.", err)
			return
		}
		project = p
	} else {
		name := cfg.Name.ValueString()
		tflog.Debug(ctx, "Looking up project by name", map[string]any{"project_name": name})
		projects, err := d.data.Client.ListProjects(ctx)
		if err != nil {
			resp.Diagnostics.AddError("Unable to List Projects",
				fmt.Sprintf("Could not list the projects to find %q: %s", name, err)+planCallTimeoutHint(ctx, err))
			return
		}
		var matches []platform.Project
		var names []string
		for _, p := range projects {
			if p.Name == name {
				matches = append(matches, p)
			}
			names = append(names, p.Name)
		}
		switch len(matches) {
		case 0:
			sort.Strings(names)
			visible := "The token can see no projects."
			if len(names) > 0 {
				visible = "Projects the token can see: " + strings.Join(names, ", ") + "."
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Project Not Found",
				fmt.Sprintf("No project named %q is visible to the token. Names are case sensitive. %s", name, visible))
			return
		case 1:
			project = &matches[0]
		default:
			ids := make([]string, len(matches))
			for i, p := range matches {
				ids[i] = p.ID
			}
			resp.Diagnostics.AddAttributeError(path.Root("name"), "Ambiguous Project Name",
				fmt.Sprintf("%d projects are named %q (IDs: %s). Look the project up by id instead.",
					len(matches), name, strings.Join(ids, ", ")))
			return
		}
	}

	state := projectDataSourceModel{
		ID:        types.StringValue(project.ID),
		Name:      types.StringValue(project.Name),
		OrgID:     types.StringValue(project.OrgID),
		CreatedAt: timeString(project.CreatedAt),
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
