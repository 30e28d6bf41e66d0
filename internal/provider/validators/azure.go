package validators

import (
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// AzureGUID checks a Microsoft Entra tenant or client ID with
// rules.AzureGUID; what names it in messages ("tenant ID").
func AzureGUID(what string) validator.String {
	return Rule("Invalid Azure "+titleWords(what),
		"value must be a GUID such as `00000000-0000-0000-0000-000000000000`",
		func(v string) error { return rules.AzureGUID(what, v) })
}

// AzureStorageAccountName checks a storage account name with
// rules.AzureStorageAccountName.
func AzureStorageAccountName() validator.String {
	return Rule("Invalid Azure Storage Account Name", "value must be 3 to 24 lowercase letters and digits",
		rules.AzureStorageAccountName)
}

// AzureContainerName checks a container name with rules.AzureContainerName.
func AzureContainerName() validator.String {
	return Rule("Invalid Azure Container Name",
		"value must be 3 to 63 lowercase letters, digits and single hyphens, beginning and ending with a letter or digit",
		rules.AzureContainerName)
}

// AzureStorageAccountID checks a storage account resource ID with
// rules.AzureStorageAccountID.
func AzureStorageAccountID() validator.String {
	return Rule("Invalid Azure Storage Account ID",
		"value must be a storage account resource ID, `/subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name>`",
		func(v string) error { _, err := rules.AzureStorageAccountID(v); return err })
}

// titleWords capitalizes each word: "tenant ID" -> "Tenant ID".
func titleWords(s string) string {
	b := []byte(s)
	for i := range b {
		if (i == 0 || b[i-1] == ' ') && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}
