package provider

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// This file is the lifecycle every storage driver resource shares: the
// plan-time check, the apply-time check that gates create and update (with
// propagation retries within the operation's timeout), Read with drift and
// out-of-band deletion, rename in place, import with a check, and Delete,
// which no check blocks. A driver type supplies its schema and a model
// (driverModel) that maps its attributes to an s3AccessTarget, the
// location the platform's /drivers/test checks.

// driverKind is what the lifecycle needs to know about a driver type.
type driverKind struct {
	// typeSuffix follows the provider name, e.g. "_azure_blob_storage_driver".
	typeSuffix string
	// article names the type in messages ("an Azure Blob").
	article string
	// driverTypes are the platform driver types the resource manages.
	driverTypes []string
	// integrationTypes are the integration types a driver can use.
	integrationTypes []string
	// schema returns the resource schema.
	schema func(context.Context) schema.Schema
	// locationAttribute maps the attribute a failed check points at to one
	// the resource has (a bucket check of an Azure driver is its container).
	locationAttribute func(path.Path) path.Path
}

func (k driverKind) attribute(p path.Path) path.Path {
	if k.locationAttribute == nil {
		return p
	}
	return k.locationAttribute(p)
}

// driverBase holds the attributes every storage driver has; models embed it.
type driverBase struct {
	ID            types.String    `tfsdk:"id"`
	ProjectID     types.String    `tfsdk:"project_id"`
	Name          types.String    `tfsdk:"name"`
	IntegrationID types.String    `tfsdk:"integration_id"`
	Path          driverPathValue `tfsdk:"path"`
	AllowDelete   types.Bool      `tfsdk:"allow_delete"`
	CreatedAt     types.String    `tfsdk:"created_at"`
	Creator       types.String    `tfsdk:"creator"`
	Access        types.Object    `tfsdk:"access"`
	Timeouts      timeouts.Value  `tfsdk:"timeouts"`
}

// driverModel is the model of one driver type, *M.
type driverModel[M any] interface {
	*M
	base() *driverBase
	// target returns the location to check, false while any part is unknown.
	target() (s3AccessTarget, bool)
	// accessChanged reports whether the plan changes what the check depends on.
	accessChanged(state *M) bool
	// replaced reports whether the plan replaces the driver.
	replaced(state *M) bool
	// platformChanged reports whether the plan changes what the platform stores.
	platformChanged(state *M) bool
	fromDriver(d *platform.Driver)
	keepComputed(state *M)
}

// storageDriverResource is a storage driver resource of one kind.
type storageDriverResource[M any, P driverModel[M]] struct {
	data *providerData
	kind driverKind
}

func (r *storageDriverResource[M, P]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + r.kind.typeSuffix
}

func (r *storageDriverResource[M, P]) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = r.kind.schema(ctx)
}

func (r *storageDriverResource[M, P]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

// driverIntegration looks up the integration of a target and checks that a
// driver of kind can use it. Problems are reported on integration_id.
func driverIntegration(ctx context.Context, pd *providerData, run *accessRun, t s3AccessTarget, kind driverKind, fresh bool, diags *diag.Diagnostics) (*platform.Integration, bool) {
	return integrationForDriver(ctx, pd, run, t, kind.integrationTypes, kind.article, fresh, diags)
}

// ModifyPlan runs the plan-time access check. It stays silent when an input
// is unknown (for example an integration created in the same apply). For a
// cross-account (aws-cross) or cross-project (gcp-cross) integration whose
// trust is not established yet, it also stays silent when the role cannot be
// assumed or the service account cannot be impersonated: that grant is
// usually made in the same apply, so the apply-time check, which waits for
// IAM propagation, decides. Any other failure of such an
// integration (bucket, region, a missing permission) is reported as for the
// other integration types.
func (r *storageDriverResource[M, P]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating, checkLocation := req.State.Raw.IsNull(), true
	if !creating {
		var state M
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if P(&plan).replaced(&state) {
			// NOTE: the attribute plan modifiers' RequiresReplace is not
			// visible here. A replacement is a new driver, checked anew.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("access"), types.ObjectUnknown(accessAttrTypes))...)
			creating = true
		} else if !P(&plan).accessChanged(&state) {
			// The last check still describes this location.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("access"), P(&state).base().Access)...)
			checkLocation = false
		}
	}
	t, known := P(&plan).target()
	run := r.data.Access
	if checkLocation && known && r.data.AccessCheck.OnPlan {
		run.prefetchIntegration(ctx, r.data.Client, t.ProjectID, t.IntegrationID)
	}
	if !planAccountCheck(ctx, r.data, "", false, req, &resp.Diagnostics) || !checkLocation {
		return
	}
	ctx, cancel := withPlanCallTimeout(ctx)
	defer cancel()
	if r.data.AccessCheck.OnApply {
		warnTimeoutConflict(ctx, P(&plan).base().Timeouts, creating, r.data.AccessCheck, &resp.Diagnostics)
	}

	if !r.data.AccessCheck.OnPlan {
		return
	}
	if !known {
		tflog.Debug(ctx, "Skipping plan-time access check: an input is not known until apply")
		return
	}

	in, ok := driverIntegration(ctx, r.data, run, t, r.kind, false, &resp.Diagnostics)
	if !ok {
		return
	}
	t.IntegrationType = in.Type
	untrusted := (in.Type == platform.TypeAWSCross || in.Type == platform.TypeGCPCross) && !in.TrustEstablished()

	o, reporter, err := run.planCheck(ctx, r.data.Client, t)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Run Access Check",
			fmt.Sprintf("The provider could not ask the Dataloop platform to check %s: %s", t.describe(), err)+
				planCallTimeoutHint(ctx, err))
		return
	}
	if !reporter || o.Success {
		return
	}
	if untrusted && o.onlyAssumeRoleFailed() {
		tflog.Debug(ctx, "Plan-time access check could not assume the cross-account role or impersonate the service account, "+
			"whose trust is not established yet; "+
			"the apply-time check, which waits for IAM propagation, decides", map[string]any{"integration_id": in.ID})
		return
	}
	addOutcomeDiagnostic(&resp.Diagnostics, r.data.AccessCheck, true, o, t, in, planCheckOnce, r.kind.attribute)
}

// operationTimeout returns the create or update timeout of the plan, and
// the attribute that sets it.
func operationTimeout(ctx context.Context, m timeouts.Value, creating bool) (time.Duration, string, diag.Diagnostics) {
	if creating {
		d, diags := m.Create(ctx, defaultCreateTimeout)
		return d, "timeouts.create", diags
	}
	d, diags := m.Update(ctx, defaultUpdateTimeout)
	return d, "timeouts.update", diags
}

// warnTimeoutConflict warns when the create or update timeout cannot hold
// both the apply-time check's wait for IAM propagation and the platform call
// after it; the check then waits less than access_check.propagation_timeout.
func warnTimeoutConflict(ctx context.Context, plan timeouts.Value, creating bool, cfg accessCheckConfig, diags *diag.Diagnostics) {
	opTimeout, attr, d := operationTimeout(ctx, plan, creating)
	if d.HasError() {
		// Create and Update report an invalid timeout.
		return
	}
	wait, capped := propagationBudget(cfg.PropagationTimeout, opTimeout, opTimeout)
	if !capped {
		return
	}
	diags.AddAttributeWarning(path.Root("timeouts"), "Access Check Timeouts Conflict",
		fmt.Sprintf("access_check.propagation_timeout is %s, but %s is %s, of which %s are kept for the platform to "+
			"store the driver after the access check. The apply-time check will therefore wait at most %s for IAM "+
			"changes to propagate. Set %s to at least %s, or lower access_check.propagation_timeout.",
			formatDuration(cfg.PropagationTimeout), attr, formatDuration(opTimeout), formatDuration(apiReserve(opTimeout)),
			formatDuration(wait), attr, formatDuration(minOperationTimeout(cfg.PropagationTimeout))))
}

// checkBeforeApply runs the apply-time check and reports a failure. It
// returns the access value to store, and false when the apply must stop.
// The wait for IAM propagation ends early enough to leave the platform call
// after the check part of the operation's timeout (see propagationBudget).
func (r *storageDriverResource[M, P]) checkBeforeApply(ctx context.Context, t s3AccessTarget, in *platform.Integration, creating bool, opTimeout time.Duration, diags *diag.Diagnostics) (types.Object, bool) {
	cfg := r.data.AccessCheck
	if !cfg.OnApply {
		return types.ObjectNull(accessAttrTypes), true
	}
	action, attr := "updating", "timeouts.update"
	if creating {
		action, attr = "creating", "timeouts.create"
	}
	wait, capped := cfg.PropagationTimeout, false
	if deadline, ok := ctx.Deadline(); ok {
		wait, capped = propagationBudget(cfg.PropagationTimeout, opTimeout, time.Until(deadline))
	}
	if capped {
		tflog.Debug(ctx, "Shortening the wait for IAM propagation to fit the operation timeout",
			map[string]any{"propagation_timeout": cfg.PropagationTimeout.String(), "wait": wait.String(), attr: opTimeout.String()})
	}
	o, err := r.data.Access.checkUntilReady(ctx, r.data.Client, t, wait)
	if err != nil {
		diags.AddError("Unable to Run Access Check",
			fmt.Sprintf("The provider could not ask the Dataloop platform to check %s before %s the driver: %s",
				t.describe(), action, err))
		return types.ObjectNull(accessAttrTypes), false
	}
	if !o.Success {
		when := fmt.Sprintf("Checked before %s the driver", action)
		switch {
		case o.Verdict != platform.TestFailed:
			when += "."
		case !o.retryable():
			when += "; not retried, because IAM propagation cannot explain this failure."
		case capped:
			when += fmt.Sprintf(" and retried for %s while IAM changes propagate: access_check.propagation_timeout is %s, "+
				"but %s (%s) must also leave %s for the platform to store the driver. Set %s to at least %s to wait "+
				"for the whole propagation timeout.",
				formatDuration(wait.Round(time.Second)), formatDuration(cfg.PropagationTimeout), attr, formatDuration(opTimeout),
				formatDuration(apiReserve(opTimeout)), attr, formatDuration(minOperationTimeout(cfg.PropagationTimeout)))
		default:
			when += fmt.Sprintf(" and retried for %s while IAM changes propagate (access_check.propagation_timeout).", formatDuration(wait))
		}
		if cfg.Severity != severityWarning {
			when += " Nothing was changed on the platform."
		}
		if addOutcomeDiagnostic(diags, cfg, false, o, t, in, when, r.kind.attribute) {
			return types.ObjectNull(accessAttrTypes), false
		}
	}
	obj, d := accessObject(o)
	diags.Append(d...)
	return obj, !diags.HasError()
}

// begin starts Create, Read or Delete: it reads the model from src (the plan
// or the state) and returns it with the operation's timeout, which timeout
// picks from the model (timeouts.Value.Create, Read or Delete). It returns
// false, with diags saying why, when the operation must stop.
func (r *storageDriverResource[M, P]) begin(ctx context.Context, src func(context.Context, any) diag.Diagnostics,
	timeout func(timeouts.Value, context.Context, time.Duration) (time.Duration, diag.Diagnostics), def time.Duration,
	diags *diag.Diagnostics) (M, time.Duration, bool) {
	var m M
	if r.data == nil {
		unconfiguredError(diags)
		return m, 0, false
	}
	diags.Append(src(ctx, &m)...)
	if diags.HasError() {
		return m, 0, false
	}
	d, td := timeout(P(&m).base().Timeouts, ctx, def)
	diags.Append(td...)
	return m, d, !diags.HasError()
}

func (r *storageDriverResource[M, P]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	plan, timeout, ok := r.begin(ctx, req.Plan.Get, timeouts.Value.Create, defaultCreateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	t, _ := P(&plan).target()
	in, ok := driverIntegration(ctx, r.data, r.data.Access, t, r.kind, true, &resp.Diagnostics)
	if !ok {
		return
	}
	t.IntegrationType = in.Type

	access, ok := r.checkBeforeApply(ctx, t, in, true, timeout, &resp.Diagnostics)
	if !ok {
		return
	}

	driver, err := r.data.Client.CreateDriver(ctx, t.driverInput(P(&plan).base().Name.ValueString()))
	if platform.IsConflict(err) {
		driverConflictError(ctx, r.data, "dataloop"+r.kind.typeSuffix, P(&plan).base().ProjectID.ValueString(),
			P(&plan).base().Name.ValueString(), err, &resp.Diagnostics)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Storage Driver",
			fmt.Sprintf("The platform did not create driver %q for %s: %s", P(&plan).base().Name.ValueString(), t.describe(), err))
		return
	}
	tflog.Debug(ctx, "Created storage driver", map[string]any{"id": driver.ID})
	P(&plan).fromDriver(driver)
	P(&plan).base().Access = access
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *storageDriverResource[M, P]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	state, timeout, ok := r.begin(ctx, req.State.Get, timeouts.Value.Read, defaultReadTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	driver, err := r.data.Client.GetDriver(ctx, P(&state).base().ID.ValueString())
	if platform.IsNotFound(err) {
		tflog.Warn(ctx, "Storage driver no longer exists; removing it from state", map[string]any{"id": P(&state).base().ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Storage Driver",
			fmt.Sprintf("The provider could not read driver %q: %s", P(&state).base().ID.ValueString(), err))
		return
	}
	if driver.Type != "" && !slices.Contains(r.kind.driverTypes, driver.Type) {
		resp.Diagnostics.AddError("Wrong Storage Driver Type",
			fmt.Sprintf("Driver %q has type %q, but this resource manages drivers of type %s. Use the resource for that driver type.",
				driver.ID, driver.Type, quoteList(r.kind.driverTypes)))
		return
	}
	P(&state).fromDriver(driver)

	imported, d := req.Private.GetKey(ctx, privateKeyImported)
	resp.Diagnostics.Append(d...)
	if imported != nil {
		if r.data.AccessCheck.OnApply && P(&state).base().Access.IsNull() {
			P(&state).base().Access = r.checkImported(ctx, driver, &resp.Diagnostics)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, nil)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// checkImported fills access for an imported driver with the platform's
// check of it (GET /drivers/{id}/test). A failed check is recorded, not
// reported: importing must not depend on the bucket being reachable.
func (r *storageDriverResource[M, P]) checkImported(ctx context.Context, driver *platform.Driver, diags *diag.Diagnostics) types.Object {
	t := s3AccessTarget{
		IntegrationType: driver.IntegrationType,
		Bucket:          firstNonEmpty(driver.BucketName, driver.Bucket),
		Container:       driver.ContainerName,
		Path:            driverPathString(driver.Path).Normalized(),
		AllowDelete:     driver.AllowExternalDelete,
	}
	if driver.Type != platform.DriverTypeS3 {
		t.DriverType = driver.Type
	}
	res, err := r.data.Client.TestDriverByID(ctx, driver.ID)
	if err != nil {
		tflog.Warn(ctx, "Unable to check the imported storage driver", map[string]any{"id": driver.ID, "error": err.Error()})
		return types.ObjectNull(accessAttrTypes)
	}
	obj, d := accessObject(outcomeOf(res, t))
	diags.Append(d...)
	return obj
}

func (r *storageDriverResource[M, P]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !P(&plan).platformChanged(&state) {
		// Only Terraform's own settings (timeouts) changed: nothing to send
		// and nothing to check.
		tflog.Debug(ctx, "No driver attribute changed; not calling the platform", map[string]any{"id": P(&state).base().ID.ValueString()})
		P(&plan).keepComputed(&state)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, d := P(&plan).base().Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	access := P(&state).base().Access
	t, _ := P(&plan).target()
	if P(&plan).accessChanged(&state) {
		in, ok := driverIntegration(ctx, r.data, r.data.Access, t, r.kind, true, &resp.Diagnostics)
		if !ok {
			return
		}
		t.IntegrationType = in.Type
		access, ok = r.checkBeforeApply(ctx, t, in, false, timeout, &resp.Diagnostics)
		if !ok {
			return
		}
	}

	in := platform.UpdateDriverInput{
		// NOTE: the whole location is sent, not only what changed, so the
		// result does not depend on whether the platform merges payloads.
		Payload: t.location(),
	}
	if !P(&plan).base().Name.Equal(P(&state).base().Name) {
		name := P(&plan).base().Name.ValueString()
		in.Name = &name
	}
	if !P(&plan).base().AllowDelete.Equal(P(&state).base().AllowDelete) {
		allow := P(&plan).base().AllowDelete.ValueBool()
		in.AllowExternalDelete = &allow
	}
	driver, err := r.data.Client.UpdateDriver(ctx, P(&state).base().ID.ValueString(), in)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update Storage Driver",
			fmt.Sprintf("The platform did not update driver %q: %s", P(&state).base().ID.ValueString(), err))
		return
	}
	P(&plan).fromDriver(driver)
	P(&plan).base().Access = access
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *storageDriverResource[M, P]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	state, timeout, ok := r.begin(ctx, req.State.Get, timeouts.Value.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.data.Client.DeleteDriver(ctx, P(&state).base().ID.ValueString())
	if err != nil && !platform.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to Delete Storage Driver",
			fmt.Sprintf("The platform did not delete driver %q: %s", P(&state).base().ID.ValueString(), err))
	}
}

func (r *storageDriverResource[M, P]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, []byte("true"))...)
}

// keepComputed fills computed attributes the plan does not know from state.
func (b *driverBase) keepComputed(state *driverBase) {
	if b.ID.IsUnknown() {
		b.ID = state.ID
	}
	if b.CreatedAt.IsUnknown() {
		b.CreatedAt = state.CreatedAt
	}
	if b.Creator.IsUnknown() {
		b.Creator = state.Creator
	}
	if b.Access.IsUnknown() {
		b.Access = state.Access
	}
}

// fromDriver copies the fields every driver has. The path keeps the
// configured form when it names the same prefix (see driverPathType).
func (b *driverBase) fromDriver(d *platform.Driver) {
	b.ID = types.StringValue(d.ID)
	b.Name = types.StringValue(d.Name)
	if d.ProjectID != "" {
		b.ProjectID = types.StringValue(d.ProjectID)
	}
	if d.IntegrationID != "" {
		b.IntegrationID = types.StringValue(d.IntegrationID)
	}
	b.Path = driverPathString(d.Path)
	b.AllowDelete = types.BoolValue(d.AllowExternalDelete)
	b.CreatedAt = timeString(d.CreatedAt)
	b.Creator = types.StringValue(d.Creator)
	if b.Access.IsUnknown() {
		b.Access = types.ObjectNull(accessAttrTypes)
	}
}

// driverText is what the attributes every driver has say about one driver
// type.
type driverText struct {
	// integrationID describes integration_id: the integration types and
	// resources a driver of the type can use.
	integrationID string
	// prefix names what path is a prefix of ("Key"); location names what
	// holds the objects ("bucket").
	prefix, location string
	// allowDelete describes allow_delete: what the check then proves.
	allowDelete string
}

// driverSchema is the schema of a driver type: the attributes every driver
// has, described by text, and the type's own location attributes.
func driverSchema(ctx context.Context, description string, text driverText, own map[string]schema.Attribute) schema.Schema {
	return schema.Schema{
		MarkdownDescription: description,
		Attributes: mergeAttributes(map[string]schema.Attribute{
			// Required
			"project_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "ID of the project the driver belongs to. Changing it replaces the driver.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"name": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the driver, unique in the project: one line of 1 to " + fmt.Sprint(rules.MaxObjectNameLength) +
					" characters without control characters. Changing it renames the driver in place.",
				Validators: []validator.String{validators.ObjectName()},
			},
			"integration_id": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: text.integrationID + " Changing it replaces the driver.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},

			// Optional
			"path": schema.StringAttribute{
				CustomType: driverPathType{},
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(""),
				MarkdownDescription: text.prefix + " prefix the driver is limited to; empty means the whole " + text.location +
					" (default: `\"\"`). It is case sensitive. The platform stores it without a leading slash and with one " +
					"trailing slash; `raw`, `/raw` and `raw/` name the same prefix and do not cause a change. Changing it " +
					"to the " + text.location + " root replaces the driver. It must not contain control characters, empty " +
					"segments (`a//b`) or `.` and `..` segments.",
				Validators: []validator.String{validators.DriverPath()},
				PlanModifiers: []planmodifier.String{
					// First, so that an equivalent spelling is no change at all.
					keepEquivalentPath{},
					stringplanmodifier.RequiresReplaceIf(requiresReplaceWhenCleared(true),
						"Clearing the path replaces the driver, because the platform keeps a path it is not sent.",
						"Clearing the path replaces the driver, because the platform keeps a path it is not sent."),
				},
			},
			"allow_delete": schema.BoolAttribute{
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(false),
				MarkdownDescription: text.allowDelete + " (default: `false`).",
			},
			"timeouts": timeoutsAttribute(ctx),

			// Computed
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "ID of the driver.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "When the driver was created, in RFC 3339 format.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"creator": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "Email of the user who created the driver.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"access": accessAttributeSchema(),
		}, own),
	}
}
