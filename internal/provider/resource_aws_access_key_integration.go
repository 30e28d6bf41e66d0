package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// NewAWSAccessKeyIntegrationResource returns the
// dataloop_aws_access_key_integration resource (platform type "s3"), on the
// shared integration lifecycle (integration_resource.go).
func NewAWSAccessKeyIntegrationResource() resource.Resource {
	return &integrationResource[awsAccessKeyIntegrationModel, *awsAccessKeyIntegrationModel]{kind: integrationKind{
		typeSuffix:   "_aws_access_key_integration",
		platformType: platform.TypeS3,
		title:        "AWS Access Key Integration",
		label:        "AWS access key integration",
		schema:       awsAccessKeyIntegrationSchema,
		validate:     validateAccessKeyID,
		plan: func(ctx context.Context, pd *providerData, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
			planAWSCredentialCheck(ctx, pd, false, req, resp)
		},
	}}
}

var _ integrationModelMethods[awsAccessKeyIntegrationModel] = (*awsAccessKeyIntegrationModel)(nil)

// awsAccessKeyIntegrationModel has the attributes of every integration and
// those of the access key; the platform type adds none.
type awsAccessKeyIntegrationModel struct {
	integrationModel
	awsKeyModel
}

func awsAccessKeyIntegrationSchema(ctx context.Context) schema.Schema {
	return integrationSchema(ctx, "Manages a Dataloop integration that accesses AWS with an IAM user's access key "+
		"(platform type `s3`). The secret access key is write-only: it is sent to the platform and never "+
		"stored in the Terraform plan or state. Requires Terraform 1.11 or later.\n\n"+
		"The platform never returns credentials, so after an import the next apply sends `access_key_id` "+
		"and the secret to the platform again.\n\n"+
		credentialCheckDescription(false),
		awsKeyAttributes(false))
}

func (m *awsAccessKeyIntegrationModel) credentialsChanged(prior *awsAccessKeyIntegrationModel) bool {
	return m.keyChanged(prior.awsKeyModel)
}

// applyIntegration copies what the platform returns into the model. It
// returns no credentials, so the key's attributes keep their planned or
// prior values.
func (m *awsAccessKeyIntegrationModel) applyIntegration(i *platform.Integration, orgID string, _ applyOp) diag.Diagnostics {
	m.applyCommon(i, orgID)
	m.applyDefaults()
	return nil
}

// platformCredentials are the key's check and options for Create and Update.
func (m *awsAccessKeyIntegrationModel) platformCredentials(pd *providerData) credentialSender {
	keyID := m.AccessKeyID.ValueString()
	return secretCredentials{
		Type: platform.TypeS3, Attribute: "secret_access_key_wo", Label: "AWS access key integration",
		Fields: map[string]any{"access_key_id": keyID},
		Check: func(ctx context.Context, secret string, diags *diag.Diagnostics) bool {
			return applyAWSCredentialCheck(ctx, pd, m.awsKeyModel, secret, "", diags)
		},
		Options: func(secret string) map[string]any { return s3Options(keyID, secret) },
	}
}

// s3Options are the credentials of an "s3" integration as the platform takes them.
func s3Options(accessKeyID, secret string) map[string]any {
	return map[string]any{"key": accessKeyID, "secret": secret}
}
