package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

var _ function.Function = (*azureRoleAssignmentsFunction)(nil)

// NewAzureRoleAssignmentsFunction returns the
// provider::dataloop::azure_role_assignments function.
func NewAzureRoleAssignmentsFunction() function.Function {
	return &azureRoleAssignmentsFunction{namedFunction{name: "azure_role_assignments"}}
}

// azureRoleAssignmentsFunction is the plan-time twin of the
// dataloop_azure_role_assignments data source.
type azureRoleAssignmentsFunction struct {
	namedFunction
}

// Positions of the function's parameters, for argument errors.
var azureRoleAssignmentsParams = map[string]int64{
	policy.FieldStorageAccountID: 0,
	policy.FieldContainer:        1,
	policy.FieldPrincipalID:      2,
}

func (f *azureRoleAssignmentsFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: azureRoleAssignmentsSummary,
		MarkdownDescription: "Returns the Azure role assignments that a Dataloop Azure Blob Storage driver needs, " +
			"as an object with the `role_assignments` of the `dataloop_azure_role_assignments` data source, equal " +
			"to them for the same inputs, and known at plan time whenever its arguments are. " +
			azureRoleAssignmentsAbout + "\n\nPass `null` for an optional argument to use its default. " +
			"`storage_account_id` and `principal_id` may be unknown at plan (from resources created in the same " +
			"apply): the assignments' `scope` and `role_definition_id`, or their `principal_id`, are then unknown, " +
			"and the rest known.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                policy.FieldStorageAccountID,
				AllowUnknownValues:  true,
				MarkdownDescription: "Resource ID of the storage account (`azurerm_storage_account`'s `id`).",
			},
			function.StringParameter{
				Name:           policy.FieldContainer,
				AllowNullValue: true,
				MarkdownDescription: "The driver's container (file system); `null` means the whole storage " +
					"account, which is broader than a driver needs.",
			},
			function.StringParameter{
				Name:               policy.FieldPrincipalID,
				AllowNullValue:     true,
				AllowUnknownValues: true,
				MarkdownDescription: "Object ID of the integration application's service principal; `null` " +
					"leaves `principal_id` null.",
			},
		},
		Return: function.ObjectReturn{AttributeTypes: azureRoleAssignmentsType.AttrTypes},
	}
}

func (f *azureRoleAssignmentsFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var in azureRoleAssignmentsInput
	resp.Error = req.Arguments.Get(ctx, &in.StorageAccountID, &in.Container, &in.PrincipalID)
	if resp.Error != nil {
		return
	}
	in.assignments().setResult(ctx, resp, azureRoleAssignmentsParams)
}
