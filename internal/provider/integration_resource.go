package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// This file is the lifecycle every integration resource shares: the plan
// steps every type runs (org_id, the organization's limit, an existing
// integration of the same name), Create within its timeout, Read (an
// integration gone from the platform leaves state), Update by one PATCH
// (rename in place, credentials sent again only when they change), Delete
// and import by ID. An integration type supplies its schema, its own plan
// checks and a model (integrationModelOf) that says how the integration is
// created, which credentials an update sends and what of the platform's
// answer it keeps. The helpers it uses are in integration_common.go.

var (
	_ resource.Resource                     = (*integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel])(nil)
	_ resource.ResourceWithConfigure        = (*integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel])(nil)
	_ resource.ResourceWithImportState      = (*integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel])(nil)
	_ resource.ResourceWithModifyPlan       = (*integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel])(nil)
	_ resource.ResourceWithValidateConfig   = (*integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel])(nil)
	_ resource.ResourceWithConfigValidators = (*integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel])(nil)
)

// integrationKind is what the lifecycle needs to know about an integration type.
type integrationKind struct {
	// typeSuffix follows the provider name, e.g. "_aws_sts_integration".
	typeSuffix string
	// platformType is the platform's integration type, e.g. platform.TypeAWSSTS.
	platformType string
	// title names the type in diagnostic summaries ("AWS STS Integration").
	title string
	// label names the type in log entries ("AWS STS integration").
	label string
	// schema returns the resource schema (integrationSchema).
	schema func(context.Context) schema.Schema
	// validate, when set, checks the configuration beyond attribute validators.
	validate func(context.Context, tfsdk.Config, *diag.Diagnostics)
	// configValidators are the type's resource-level validators.
	configValidators []resource.ConfigValidator
	// plan, when set, runs the type's own plan checks after the common ones.
	plan func(context.Context, *providerData, resource.ModifyPlanRequest, *resource.ModifyPlanResponse)
}

// applyOp says which operation copies the platform's answer into a model.
type applyOp int

const (
	applyCreate applyOp = iota
	applyRead
	applyUpdate
)

// integrationModelOf is the model of one integration type, *M.
type integrationModelOf[M any] interface {
	*M
	integrationModelMethods[M]
}

// integrationModelMethods are the methods of the model of an integration
// type M. Its integrationModel (embedded) supplies base and the default
// updateNote.
type integrationModelMethods[M any] interface {
	base() *integrationModel
	// platformCredentials says how Create and Update send the planned
	// credentials.
	platformCredentials(pd *providerData) credentialSender
	// credentialsChanged reports whether an update from prior sends the
	// credentials again.
	credentialsChanged(prior *M) bool
	// applyIntegration copies what the platform returns into the model.
	applyIntegration(i *platform.Integration, orgID string, op applyOp) diag.Diagnostics
	// updateNote adds to a failed update's detail, after the organization.
	updateNote() string
}

// credentialSender is how an integration type sends its credentials to the
// platform: secretCredentials (a write-only secret, checked before it is
// sent) or boundCredentials (an identity bound after the create).
type credentialSender interface {
	// create creates the integration named name in organization orgID; a
	// refused create is reported under summary. It returns nil after an
	// error diagnostic.
	create(ctx context.Context, pd *providerData, config tfsdk.Config, orgID, name, summary string, diags *diag.Diagnostics) *platform.Integration
	// update returns the credentials of an Update's PATCH, with ctx masking
	// a secret in its logs; false means stop (diags say why).
	update(ctx context.Context, config tfsdk.Config, diags *diag.Diagnostics) (context.Context, *platform.IntegrationCredentials, bool)
}

var (
	_ credentialSender = secretCredentials{}
	_ credentialSender = boundCredentials{}
)

// boundCredentials are the credentials of an integration that carries no
// secret (cross-account, cross-project): a create makes the integration and
// then binds Bind.Credentials, when set (createIntegration); an update
// sends Update.
type boundCredentials struct {
	Type   string // platform integration type
	Bind   bindStep
	Update *platform.IntegrationCredentials
}

func (c boundCredentials) create(ctx context.Context, pd *providerData, _ tfsdk.Config, orgID, name, summary string, diags *diag.Diagnostics) *platform.Integration {
	return createIntegration(ctx, pd, orgID, summary,
		platform.CreateIntegrationInput{Name: name, Type: c.Type, Options: map[string]any{}}, c.Bind, diags)
}

func (c boundCredentials) update(ctx context.Context, _ tfsdk.Config, _ *diag.Diagnostics) (context.Context, *platform.IntegrationCredentials, bool) {
	return ctx, c.Update, true
}

// base lets the lifecycle reach the attributes every integration has.
func (m *integrationModel) base() *integrationModel { return m }

// updateNote is empty for most types.
func (m *integrationModel) updateNote() string { return "" }

// integrationSchema is the schema of an integration resource: the common
// attributes (integrationCommonAttributes) and the type's own.
func integrationSchema(ctx context.Context, description string, own map[string]schema.Attribute) schema.Schema {
	return schema.Schema{
		MarkdownDescription: description,
		Attributes:          mergeAttributes(integrationCommonAttributes(ctx), own),
	}
}

// integrationResource is an integration resource of one kind.
type integrationResource[M any, P integrationModelOf[M]] struct {
	data *providerData
	kind integrationKind
}

func (r *integrationResource[M, P]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.kind.typeSuffix
}

func (r *integrationResource[M, P]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.kind.schema(ctx)
}

func (r *integrationResource[M, P]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

func (r *integrationResource[M, P]) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	if r.kind.validate != nil {
		r.kind.validate(ctx, req.Config, &resp.Diagnostics)
	}
}

func (r *integrationResource[M, P]) ConfigValidators(context.Context) []resource.ConfigValidator {
	return r.kind.configValidators
}

// ModifyPlan fills org_id and runs the account check (planIntegrationOrgID),
// fails a create past the organization's limit for the type, warns about an
// integration of the same name that this resource does not manage (an
// interrupted create), and then runs the type's own checks.
func (r *integrationResource[M, P]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !planIntegrationOrgID(ctx, r.data, req, resp) {
		return
	}
	planIntegrationLimit(ctx, r.data, r.kind.platformType, req, resp)
	planExistingIntegration(ctx, r.data, "dataloop"+r.kind.typeSuffix, r.kind.platformType, req, resp)
	if r.kind.plan != nil {
		r.kind.plan(ctx, r.data, req, resp)
	}
}

func (r *integrationResource[M, P]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	orgID := r.data.orgIDOrDefault(P(&plan).base().OrgID, &resp.Diagnostics)
	timeout, diags := P(&plan).base().Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	integration := P(&plan).platformCredentials(r.data).create(ctx, r.data, req.Config, orgID,
		P(&plan).base().Name.ValueString(), "Unable to Create "+r.kind.title, &resp.Diagnostics)
	if integration == nil {
		return
	}
	resp.Diagnostics.Append(P(&plan).applyIntegration(integration, orgID, applyCreate)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *integrationResource[M, P]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	integration, orgID := readIntegration(ctx, r.data, req, resp, r.kind.platformType)
	if integration == nil {
		return
	}
	resp.Diagnostics.Append(P(&state).applyIntegration(integration, orgID, applyRead)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// Update sends one PATCH with the new name and, when they change, the
// credentials; a plan that changes neither only reads the integration back
// (updateIntegration).
func (r *integrationResource[M, P]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	orgID := r.data.orgIDOrDefault(P(&plan).base().OrgID, &resp.Diagnostics)
	timeout, diags := P(&plan).base().Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in := P(&plan).base().updateInput(*P(&state).base())
	if P(&plan).credentialsChanged(&state) {
		var ok bool
		if ctx, in.Credentials, ok = P(&plan).platformCredentials(r.data).update(ctx, req.Config, &resp.Diagnostics); !ok {
			return
		}
	}
	integration, err := updateIntegration(ctx, r.data, orgID, in, "Updating "+r.kind.label)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update "+r.kind.title,
			fmt.Sprintf("Could not update integration %q of organization %q%s: %s",
				P(&state).base().ID.ValueString(), orgID, P(&plan).updateNote(), err))
		return
	}
	resp.Diagnostics.Append(P(&plan).applyIntegration(integration, orgID, applyUpdate)...)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *integrationResource[M, P]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	deleteIntegration(ctx, r.data, req, resp)
}

func (r *integrationResource[M, P]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importIntegrationState(ctx, req, resp)
}
