package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// Plumbing shared by the data sources and functions, as driver_common.go
// shares the lifecycle of the storage driver resources: the type name, the
// provider data and reading the configuration. Each data source keeps its
// schema, its model and what its Read looks up.

// namedDataSource names a data source: the provider's type name followed by
// typeSuffix. The policy data sources, which need no provider data, embed it
// alone; the others embed it through platformDataSource.
type namedDataSource struct {
	typeSuffix string
}

func (d *namedDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + d.typeSuffix
}

// platformDataSource is a data source that calls the platform with the
// client of the provider data.
type platformDataSource struct {
	namedDataSource
	data *providerData
}

func newPlatformDataSource(typeSuffix string) platformDataSource {
	return platformDataSource{namedDataSource: namedDataSource{typeSuffix: typeSuffix}}
}

func (d *platformDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

// readConfig reads the configuration into cfg, a pointer to the model. It
// returns false, with the error in resp, when the provider is not configured
// or the configuration does not fit the model.
func (d *platformDataSource) readConfig(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse, cfg any) bool {
	if d.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return false
	}
	resp.Diagnostics.Append(req.Config.Get(ctx, cfg)...)
	return !resp.Diagnostics.HasError()
}

// integrations returns the run's list of the integrations of orgID, shared
// with the other lookups and the plan-time checks. purpose, when not empty,
// says in the error what the list was for ("to find ...").
func (d *platformDataSource) integrations(ctx context.Context, orgID, purpose string, diags *diag.Diagnostics) ([]platform.Integration, bool) {
	list, err := d.data.currentIntegrations(ctx, orgID)
	if err != nil {
		if purpose != "" {
			purpose = " " + purpose
		}
		diags.AddError("Unable to List Integrations",
			fmt.Sprintf("Could not list the integrations of organization %q%s: %s", orgID, purpose, err))
		return nil, false
	}
	return list, true
}

// lookupByIDError reports, on the id attribute, that the object a lookup
// names by ID could not be read: detail, and notFoundHint when the platform
// answered that it does not know the ID.
func lookupByIDError(diags *diag.Diagnostics, summary, detail, notFoundHint string, err error) {
	if platform.IsNotFound(err) {
		detail += "\n\n" + notFoundHint
	}
	diags.AddAttributeError(path.Root("id"), summary, detail)
}

// namedFunction names a provider function.
type namedFunction struct {
	name string
}

func (f *namedFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = f.name
}
