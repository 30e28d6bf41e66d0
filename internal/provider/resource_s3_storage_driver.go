package provider

import (
	"context"
	"fmt"
	"time"

	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
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

var (
	_ resource.Resource                = (*s3DriverResource)(nil)
	_ resource.ResourceWithConfigure   = (*s3DriverResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*s3DriverResource)(nil)
	_ resource.ResourceWithImportState = (*s3DriverResource)(nil)
)

// NewS3DriverResource returns the dataloop_s3_storage_driver resource.
func NewS3DriverResource() resource.Resource { return &s3DriverResource{} }

type s3DriverResource struct {
	data *providerData
}

type s3DriverModel struct {
	ID            types.String    `tfsdk:"id"`
	ProjectID     types.String    `tfsdk:"project_id"`
	Name          types.String    `tfsdk:"name"`
	IntegrationID types.String    `tfsdk:"integration_id"`
	Bucket        types.String    `tfsdk:"bucket"`
	Region        types.String    `tfsdk:"region"`
	Path          driverPathValue `tfsdk:"path"`
	AllowDelete   types.Bool      `tfsdk:"allow_delete"`
	StorageClass  types.String    `tfsdk:"storage_class"`
	Endpoint      types.String    `tfsdk:"endpoint"`
	CreatedAt     types.String    `tfsdk:"created_at"`
	Creator       types.String    `tfsdk:"creator"`
	Access        types.Object    `tfsdk:"access"`
	Timeouts      timeouts.Value  `tfsdk:"timeouts"`
}

// privateKeyImported marks state that came from an import, so the next Read
// fills access with a check of the imported driver.
const privateKeyImported = "imported"

// supportedS3IntegrationTypes are the integration types an S3 driver can use.
func supportedS3IntegrationTypes() []string {
	return []string{platform.TypeS3, platform.TypeAWSSTS, platform.TypeAWSCross}
}

// supportedStorageClasses are the S3 storage classes a general purpose
// bucket accepts on upload. The SDK lists more (Outposts, Snow, FSx, backup
// tiers), which a storage driver cannot write to.
func supportedStorageClasses() []string {
	var out []string
	for _, c := range []s3types.StorageClass{
		s3types.StorageClassStandard,
		s3types.StorageClassIntelligentTiering,
		s3types.StorageClassStandardIa,
		s3types.StorageClassOnezoneIa,
		s3types.StorageClassGlacierIr,
		s3types.StorageClassGlacier,
		s3types.StorageClassDeepArchive,
		s3types.StorageClassReducedRedundancy,
	} {
		out = append(out, string(c))
	}
	return out
}

func (r *s3DriverResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_s3_storage_driver"
}

func (r *s3DriverResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Connects an Amazon S3 bucket (or a prefix of it) to a Dataloop project through an AWS " +
			"integration. Before the driver is created or its location changes, the provider asks the platform to " +
			"prove that it can use the prefix: at plan time when every input is known, and again at apply time, " +
			"retrying while IAM changes propagate. The embedded check (the emulator's, and the provider's own) lists " +
			"the prefix, writes a probe object in `<path>.dataloop/`, reads the first byte of a data object under the " +
			"prefix (or, when the prefix holds none, the probe back, saying that reading data was not proven) and " +
			"deletes the probe. With `allow_delete` the probe lies directly under the prefix, so deleting it proves " +
			"`s3:DeleteObject` there; writing it then needs `s3:PutObject` under the prefix. A failed check names the " +
			"missing permission and the policy statement that grants it, or the Deny statement to remove or narrow. At plan time it is a warning " +
			"(the same plan may fix it; `access_check.plan_severity` makes it an error); at apply time it stops the " +
			"apply before the driver is created or changed. `terraform destroy` runs no check.",
		Attributes: map[string]schema.Attribute{
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
				Required: true,
				MarkdownDescription: "ID of the integration whose credentials or trust the platform uses, of type " +
					quoteList(supportedS3IntegrationTypes()) + " (the `dataloop_aws_access_key_integration`, " +
					"`dataloop_aws_sts_integration` or `dataloop_aws_cross_account_integration` resource). " +
					"Changing it replaces the driver.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the S3 bucket. The bucket must exist. It must follow the S3 general purpose " +
					"bucket naming rules (3 to 63 lowercase letters, digits, dots and hyphens; not an IP address; no " +
					"reserved prefix such as `xn--` or suffix such as `-s3alias`); with `endpoint` set, the store's " +
					"names of 3 to 255 letters, digits, dots, hyphens and underscores are accepted.",
				Validators: []validator.String{validators.S3BucketName("endpoint")},
			},
			"region": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "AWS region of the bucket, such as `eu-west-1`. The access check fails when the bucket " +
					"is in another region. With `endpoint` set, any region name the store uses is accepted, such as `auto`.",
				Validators: []validator.String{validators.AWSRegion("endpoint")},
			},

			// Optional
			"path": schema.StringAttribute{
				CustomType: driverPathType{},
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(""),
				MarkdownDescription: "Key prefix the driver is limited to; empty means the whole bucket (default: `\"\"`). " +
					"It is case sensitive. The platform stores it without a leading slash and with one trailing slash; " +
					"`raw`, `/raw` and `raw/` name the same prefix and do not cause a change. " +
					"Changing it to the bucket root replaces the driver. It must not contain control characters, " +
					"empty segments (`a//b`) or `.` and `..` segments.",
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
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether the platform may delete objects in the bucket when items are deleted in " +
					"Dataloop; the access check then writes and deletes its probe directly under `path` instead of in " +
					"`.dataloop/`, proving `s3:DeleteObject` (and `s3:PutObject`) on the path's objects (default: `false`).",
			},
			"storage_class": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Storage class of the objects the platform writes: " + quoteList(supportedStorageClasses()) +
					". Unset means the bucket's default. Removing it replaces the driver.",
				Validators: []validator.String{stringvalidator.OneOf(supportedStorageClasses()...)},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(requiresReplaceWhenCleared(false),
						"Removing the storage class replaces the driver.", "Removing the storage class replaces the driver."),
				},
			},
			"endpoint": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Endpoint of an S3-compatible store, in the form `http(s)://host:port`. " +
					"Unset means Amazon S3. Removing it replaces the driver.",
				Validators: []validator.String{validators.URLWithScheme("https", "http")},
				PlanModifiers: []planmodifier.String{
					stringplanmodifier.RequiresReplaceIf(requiresReplaceWhenCleared(false),
						"Removing the endpoint replaces the driver.", "Removing the endpoint replaces the driver."),
				},
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
		},
	}
}

// accessAttributeSchema is the computed result of the last access check.
func accessAttributeSchema() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Computed: true,
		MarkdownDescription: "Result of the last access check, run when the driver was created or its location, " +
			"integration or `allow_delete` changed (and on import). Null when `access_check.on_apply` is `false`. " +
			"Use the `dataloop_storage_access` data source in a `check` block to re-check on every run.",
		Attributes: map[string]schema.Attribute{
			"success": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether every check passed.",
			},
			"checks": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "The individual checks in the order they ran. A failed check lists `assume_role` " +
					"(STS and cross-account integrations), `bucket`, `region`, `list`, `write`, `read` and, with " +
					"`allow_delete`, `delete`, as far as they ran. The platform reports a passed check without details, " +
					"so it is recorded as one check named `platform` whose message says what was verified.",
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"name":    schema.StringAttribute{Computed: true, MarkdownDescription: "Name of the check."},
						"success": schema.BoolAttribute{Computed: true, MarkdownDescription: "Whether the check passed."},
						"message": schema.StringAttribute{Computed: true, MarkdownDescription: "What the check found."},
					},
				},
			},
		},
	}
}

// requiresReplaceWhenCleared replaces the driver when a location field goes
// from a value to none: PATCH /drivers/{id} leaves fields it is not sent
// unchanged, so it cannot clear them. isPath compares normalized paths.
func requiresReplaceWhenCleared(isPath bool) stringplanmodifier.RequiresReplaceIfFunc {
	return func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		if req.StateValue.IsNull() || req.PlanValue.IsUnknown() {
			return
		}
		before, after := req.StateValue.ValueString(), req.PlanValue.ValueString()
		if isPath {
			before, after = driverPathString(before).Normalized(), driverPathString(after).Normalized()
		}
		resp.RequiresReplace = before != "" && after == ""
	}
}

func (r *s3DriverResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = toProviderData(req.ProviderData, &resp.Diagnostics)
}

// target returns the location to check, and false while any part of it is
// unknown.
func (m s3DriverModel) target() (s3AccessTarget, bool) {
	for _, v := range []interface{ IsUnknown() bool }{
		m.ProjectID, m.IntegrationID, m.Bucket, m.Region, m.Path, m.AllowDelete, m.StorageClass, m.Endpoint,
	} {
		if v.IsUnknown() {
			return s3AccessTarget{}, false
		}
	}
	return s3AccessTarget{
		ProjectID:     m.ProjectID.ValueString(),
		IntegrationID: m.IntegrationID.ValueString(),
		Bucket:        m.Bucket.ValueString(),
		Region:        m.Region.ValueString(),
		Path:          m.Path.Normalized(),
		Endpoint:      m.Endpoint.ValueString(),
		StorageClass:  m.StorageClass.ValueString(),
		AllowDelete:   m.AllowDelete.ValueBool(),
	}, true
}

// accessChanged reports whether the plan changes anything the access check
// depends on; renames and storage class changes do not need a new check.
func accessChanged(plan, state s3DriverModel) bool {
	return !plan.IntegrationID.Equal(state.IntegrationID) ||
		!plan.Bucket.Equal(state.Bucket) ||
		!plan.Region.Equal(state.Region) ||
		plan.Path.IsUnknown() || plan.Path.Normalized() != state.Path.Normalized() ||
		!plan.AllowDelete.Equal(state.AllowDelete) ||
		!plan.Endpoint.Equal(state.Endpoint)
}

// replaced reports whether the plan replaces the driver: a new project or
// integration, or a location field cleared (see requiresReplaceWhenCleared).
func replaced(plan, state s3DriverModel) bool {
	cleared := func(before, after interface{ IsNull() bool }) bool { return !before.IsNull() && after.IsNull() }
	return !plan.ProjectID.Equal(state.ProjectID) ||
		!plan.IntegrationID.Equal(state.IntegrationID) ||
		(state.Path.Normalized() != "" && !plan.Path.IsUnknown() && plan.Path.Normalized() == "") ||
		cleared(state.StorageClass, plan.StorageClass) ||
		cleared(state.Endpoint, plan.Endpoint)
}

// ModifyPlan runs the plan-time access check. It stays silent when an input
// is unknown (for example an integration created in the same apply). For a
// cross-account integration whose trust is not established yet, it also
// stays silent when the role is not bound yet or cannot be assumed: the role
// is usually created or bound in the same apply, so the apply-time check,
// which waits for IAM propagation, decides. Any other failure of such an
// integration (bucket, region, a missing permission) is reported as for the
// other integration types.
func (r *s3DriverResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan s3DriverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	creating := req.State.Raw.IsNull()
	if !creating {
		var state s3DriverModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if replaced(plan, state) {
			// NOTE: the attribute plan modifiers' RequiresReplace is not
			// visible here. A replacement is a new driver, checked anew.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("access"), types.ObjectUnknown(accessAttrTypes))...)
			creating = true
		} else if !accessChanged(plan, state) {
			// The last check still describes this location.
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("access"), state.Access)...)
			return
		}
	}
	if r.data.AccessCheck.OnApply {
		warnTimeoutConflict(ctx, plan, creating, r.data.AccessCheck, &resp.Diagnostics)
	}

	if !r.data.AccessCheck.OnPlan {
		return
	}
	t, known := plan.target()
	if !known {
		tflog.Debug(ctx, "Skipping plan-time access check: an input is not known until apply")
		return
	}

	run := r.data.Access
	in, ok := s3Integration(ctx, r.data, run, t, false, &resp.Diagnostics)
	if !ok {
		return
	}
	t.IntegrationType = in.Type
	untrusted := in.Type == platform.TypeAWSCross && !in.TrustEstablished()

	o, err := run.checkOnce(ctx, r.data.Client, t)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Run Access Check",
			fmt.Sprintf("The provider could not ask the Dataloop platform to check %s: %s", t.describe(), err))
		return
	}
	if o.Success {
		return
	}
	if untrusted && o.onlyAssumeRoleFailed() {
		tflog.Debug(ctx, "Plan-time access check could not assume the cross-account role, whose trust is not established yet; "+
			"the apply-time check, which waits for IAM propagation, decides", map[string]any{"integration_id": in.ID})
		return
	}
	addPlanCheckDiagnostic(&resp.Diagnostics, r.data.AccessCheck, "Storage Access Check Failed",
		accessFailureDetail(o, t, in, "Checked at plan time."), failureAttribute(o.failed()))
}

// operationTimeout returns the create or update timeout of the plan, and
// the attribute that sets it.
func operationTimeout(ctx context.Context, m s3DriverModel, creating bool) (time.Duration, string, diag.Diagnostics) {
	if creating {
		d, diags := m.Timeouts.Create(ctx, defaultCreateTimeout)
		return d, "timeouts.create", diags
	}
	d, diags := m.Timeouts.Update(ctx, defaultUpdateTimeout)
	return d, "timeouts.update", diags
}

// warnTimeoutConflict warns when the create or update timeout cannot hold
// both the apply-time check's wait for IAM propagation and the platform call
// after it; the check then waits less than access_check.propagation_timeout.
func warnTimeoutConflict(ctx context.Context, plan s3DriverModel, creating bool, cfg accessCheckConfig, diags *diag.Diagnostics) {
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
func (r *s3DriverResource) checkBeforeApply(ctx context.Context, t s3AccessTarget, in *platform.Integration, creating bool, opTimeout time.Duration, diags *diag.Diagnostics) (types.Object, bool) {
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
		addAccessDiagnostic(diags, cfg.Severity, "Storage Access Check Failed",
			accessFailureDetail(o, t, in, when), failureAttribute(o.failed()))
		if cfg.Severity != severityWarning {
			return types.ObjectNull(accessAttrTypes), false
		}
	}
	obj, d := accessObject(o)
	diags.Append(d...)
	return obj, !diags.HasError()
}

func (r *s3DriverResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan s3DriverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	t, _ := plan.target()
	in, ok := s3Integration(ctx, r.data, r.data.Access, t, true, &resp.Diagnostics)
	if !ok {
		return
	}
	t.IntegrationType = in.Type

	access, ok := r.checkBeforeApply(ctx, t, in, true, timeout, &resp.Diagnostics)
	if !ok {
		return
	}

	driver, err := r.data.Client.CreateDriver(ctx, t.driverInput(plan.Name.ValueString()))
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Storage Driver",
			fmt.Sprintf("The platform did not create driver %q for %s: %s", plan.Name.ValueString(), t.describe(), err))
		return
	}
	tflog.Debug(ctx, "Created storage driver", map[string]any{"id": driver.ID})
	plan.fromDriver(driver)
	plan.Access = access
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *s3DriverResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var state s3DriverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Read(ctx, defaultReadTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	driver, err := r.data.Client.GetDriver(ctx, state.ID.ValueString())
	if platform.IsNotFound(err) {
		tflog.Warn(ctx, "Storage driver no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.AddError("Unable to Read Storage Driver",
			fmt.Sprintf("The provider could not read driver %q: %s", state.ID.ValueString(), err))
		return
	}
	if driver.Type != "" && driver.Type != platform.DriverTypeS3 {
		resp.Diagnostics.AddError("Not an S3 Storage Driver",
			fmt.Sprintf("Driver %q has type %q. Use the resource for that driver type.", driver.ID, driver.Type))
		return
	}
	state.fromDriver(driver)

	imported, d := req.Private.GetKey(ctx, privateKeyImported)
	resp.Diagnostics.Append(d...)
	if imported != nil {
		if r.data.AccessCheck.OnApply && state.Access.IsNull() {
			state.Access = r.checkImported(ctx, driver, &resp.Diagnostics)
		}
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, nil)...)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

// checkImported fills access for an imported driver with the platform's
// check of it (GET /drivers/{id}/test). A failed check is recorded, not
// reported: importing must not depend on the bucket being reachable.
func (r *s3DriverResource) checkImported(ctx context.Context, driver *platform.Driver, diags *diag.Diagnostics) types.Object {
	t := s3AccessTarget{
		IntegrationType: driver.IntegrationType,
		Bucket:          firstNonEmpty(driver.BucketName, driver.Bucket),
		Path:            driverPathString(driver.Path).Normalized(),
		AllowDelete:     driver.AllowExternalDelete,
	}
	o := successOutcome(t)
	if err := r.data.Client.TestDriverByID(ctx, driver.ID); err != nil {
		var ferr error
		if o, ferr = fromTestError(err); ferr != nil {
			tflog.Warn(ctx, "Unable to check the imported storage driver", map[string]any{"id": driver.ID, "error": ferr.Error()})
			return types.ObjectNull(accessAttrTypes)
		}
	}
	obj, d := accessObject(o)
	diags.Append(d...)
	return obj
}

func (r *s3DriverResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var plan, state s3DriverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !platformChanged(plan, state) {
		// Only Terraform's own settings (timeouts) changed: nothing to send
		// and nothing to check.
		tflog.Debug(ctx, "No driver attribute changed; not calling the platform", map[string]any{"id": state.ID.ValueString()})
		plan.keepComputed(state)
		resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
		return
	}
	timeout, d := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	access := state.Access
	t, _ := plan.target()
	if accessChanged(plan, state) {
		in, ok := s3Integration(ctx, r.data, r.data.Access, t, true, &resp.Diagnostics)
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
		Payload: platform.DriverLocation{
			BucketName:   t.Bucket,
			Region:       t.Region,
			Path:         t.Path,
			StorageClass: t.StorageClass,
			Endpoint:     t.Endpoint,
		},
	}
	if !plan.Name.Equal(state.Name) {
		name := plan.Name.ValueString()
		in.Name = &name
	}
	if !plan.AllowDelete.Equal(state.AllowDelete) {
		allow := plan.AllowDelete.ValueBool()
		in.AllowExternalDelete = &allow
	}
	driver, err := r.data.Client.UpdateDriver(ctx, state.ID.ValueString(), in)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Update Storage Driver",
			fmt.Sprintf("The platform did not update driver %q: %s", state.ID.ValueString(), err))
		return
	}
	plan.fromDriver(driver)
	plan.Access = access
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
}

func (r *s3DriverResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	if r.data == nil {
		unconfiguredError(&resp.Diagnostics)
		return
	}
	var state s3DriverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, d := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.data.Client.DeleteDriver(ctx, state.ID.ValueString())
	if err != nil && !platform.IsNotFound(err) {
		resp.Diagnostics.AddError("Unable to Delete Storage Driver",
			fmt.Sprintf("The platform did not delete driver %q: %s", state.ID.ValueString(), err))
	}
}

func (r *s3DriverResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateKeyImported, []byte("true"))...)
}

// platformChanged reports whether the plan changes anything the platform
// stores about the driver; timeouts live in Terraform only.
func platformChanged(plan, state s3DriverModel) bool {
	return accessChanged(plan, state) ||
		!plan.ProjectID.Equal(state.ProjectID) ||
		!plan.Name.Equal(state.Name) ||
		!plan.StorageClass.Equal(state.StorageClass)
}

// keepComputed fills computed attributes the plan does not know from state.
func (m *s3DriverModel) keepComputed(state s3DriverModel) {
	if m.ID.IsUnknown() {
		m.ID = state.ID
	}
	if m.CreatedAt.IsUnknown() {
		m.CreatedAt = state.CreatedAt
	}
	if m.Creator.IsUnknown() {
		m.Creator = state.Creator
	}
	if m.Access.IsUnknown() {
		m.Access = state.Access
	}
}

// fromDriver copies what the platform returned into the model. The path keeps
// the configured form when it names the same prefix (see driverPathType).
func (m *s3DriverModel) fromDriver(d *platform.Driver) {
	m.ID = types.StringValue(d.ID)
	m.Name = types.StringValue(d.Name)
	if d.ProjectID != "" {
		m.ProjectID = types.StringValue(d.ProjectID)
	}
	if d.IntegrationID != "" {
		m.IntegrationID = types.StringValue(d.IntegrationID)
	}
	m.Bucket = types.StringValue(d.BucketName)
	m.Region = types.StringValue(d.Region)
	m.Path = driverPathString(d.Path)
	m.AllowDelete = types.BoolValue(d.AllowExternalDelete)
	m.StorageClass = stringOrNull(d.StorageClass)
	m.Endpoint = stringOrNull(d.Endpoint)
	m.CreatedAt = timeString(d.CreatedAt)
	m.Creator = types.StringValue(d.Creator)
	if m.Access.IsUnknown() {
		m.Access = types.ObjectNull(accessAttrTypes)
	}
}

// stringOrNull maps the platform's empty string for an unset field to null.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
