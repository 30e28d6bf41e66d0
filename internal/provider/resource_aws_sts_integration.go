package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/provider/validators"
)

// NewAWSSTSIntegrationResource returns the dataloop_aws_sts_integration
// resource (platform type "aws-sts"), on the shared integration lifecycle
// (integration_resource.go).
func NewAWSSTSIntegrationResource() resource.Resource {
	return &integrationResource[awsSTSIntegrationModel, *awsSTSIntegrationModel]{kind: integrationKind{
		typeSuffix:   "_aws_sts_integration",
		platformType: platform.TypeAWSSTS,
		title:        "AWS STS Integration",
		label:        "AWS STS integration",
		schema:       awsSTSIntegrationSchema,
		validate:     validateAccessKeyID,
		plan: func(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
			planAWSCredentialCheck(ctx, pd, true, req, resp)
		},
	}}
}

var _ integrationModelMethods[awsSTSIntegrationModel] = (*awsSTSIntegrationModel)(nil)

// awsSTSIntegrationModel has the attributes of every integration, those of
// the access key, and the role.
type awsSTSIntegrationModel struct {
	integrationModel
	awsKeyModel
	RoleARN types.String `tfsdk:"role_arn"`
}

func awsSTSIntegrationSchema(ctx context.Context) schema.Schema {
	return integrationSchema(ctx, "Manages a Dataloop AWS STS integration (platform type `aws-sts`): the platform "+
		"uses an IAM user's access key only to assume a role, and accesses your buckets with the role's "+
		"temporary credentials. The secret access key is write-only: it is sent to the platform and never "+
		"stored in the Terraform plan or state. Requires Terraform 1.11 or later.\n\n"+
		"The platform's API has no field for an `sts:ExternalId`, so the role's trust policy cannot require "+
		"one for this type of integration. The platform never returns credentials, so after an import the "+
		"next apply sends `access_key_id`, the secret and `role_arn` to the platform again.\n\n"+
		credentialCheckDescription(true),
		mergeAttributes(awsKeyAttributes(true), map[string]schema.Attribute{
			// Required
			"role_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the IAM role that the platform assumes with the access key, " +
					"`arn:aws:iam::<12-digit account ID>:role/<role name>`. Its trust policy must allow the key's IAM " +
					"user to call `sts:AssumeRole`. Changing it sends the key ID, the secret from " +
					"`secret_access_key_wo` and the new role to the platform, in place. The platform does not return " +
					"it, so a change made outside Terraform is not detected.",
				Validators: []validator.String{validators.IAMRoleARN()},
			},
		}))
}

// credentialsChanged covers the key and the role: they are always sent
// together, with the secret, so the platform never holds a mix of old and
// new credentials.
func (m *awsSTSIntegrationModel) credentialsChanged(prior *awsSTSIntegrationModel) bool {
	return m.keyChanged(prior.awsKeyModel) || !m.RoleARN.Equal(prior.RoleARN)
}

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so the key's attributes and the role keep their
// planned or prior values.
func (m *awsSTSIntegrationModel) applyIntegration(i *platform.Integration, orgID string, _ applyOp) diag.Diagnostics {
	m.applyCommon(i, orgID)
	m.applyDefaults()
	// NOTE: the trust status is not stored: the platform sets it as a side
	// effect of a storage driver's check, which would show as drift.
	return nil
}

// platformCredentials are the key and role's check and options for Create and Update.
func (m *awsSTSIntegrationModel) platformCredentials(pd *providerData) credentialSender {
	keyID, role := m.AccessKeyID.ValueString(), m.RoleARN.ValueString()
	return secretCredentials{
		Type: platform.TypeAWSSTS, Attribute: "secret_access_key_wo", Label: "AWS STS integration",
		Fields: map[string]any{"access_key_id": keyID, "role_arn": role},
		Check: func(ctx context.Context, secret string, diags *diag.Diagnostics) bool {
			return applyAWSCredentialCheck(ctx, pd, m.awsKeyModel, secret, role, diags)
		},
		Options: func(secret string) map[string]any { return stsOptions(keyID, secret, role) },
	}
}

// stsOptions are the credentials of an "aws-sts" integration as the
// platform takes them; roleArns is a string, as the platform's SDK documents.
func stsOptions(accessKeyID, secret, roleARN string) map[string]any {
	return map[string]any{"key": accessKeyID, "secret": secret, "roleArns": roleARN}
}
