package rules

import (
	"regexp"
	"strings"
)

// Azure rules.
const (
	RuleAzureStorageAccountName Rule = "azure_storage_account_name"
	RuleAzureContainerName      Rule = "azure_container_name"
	RuleAzureGUID               Rule = "azure_guid"
	RuleAzureStorageAccountID   Rule = "azure_storage_account_id"
)

var (
	azureAccountName   = regexp.MustCompile(`^[a-z0-9]{3,24}$`)
	azureContainerName = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9]|-[a-z0-9]){2,62}$`)
	azureGUID          = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	// A storage account ID: /subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>.
	azureStorageAccountID = regexp.MustCompile(`(?i)^/subscriptions/([0-9a-f-]{36})/resourceGroups/([-\w._()]{1,90})/providers/Microsoft\.Storage/storageAccounts/([^/]+)$`)
)

// AzureStorageAccountName reports whether name is a storage account name:
// 3 to 24 lowercase letters and digits (Azure's naming rules; the name is
// the host of https://<name>.blob.core.windows.net).
func AzureStorageAccountName(name string) error {
	const fix = "use the storage account's name: 3 to 24 lowercase letters and digits, as in https://<name>.blob.core.windows.net"
	switch {
	case name == "":
		return broken(RuleAzureStorageAccountName, fix, "the storage account name is empty")
	case len(name) < 3 || len(name) > 24:
		return broken(RuleAzureStorageAccountName, fix, "storage account name %s is %d characters long, but Azure storage account names have 3 to 24", quoteShort(name), len(name))
	case !azureAccountName.MatchString(name):
		return broken(RuleAzureStorageAccountName, fix, "storage account name %s holds characters other than lowercase letters and digits", quoteShort(name))
	}
	return nil
}

// AzureContainerName reports whether name is a blob container name (also a
// Data Lake Storage Gen2 file system name): 3 to 63 lowercase letters,
// digits and hyphens, beginning and ending with a letter or digit, without
// two hyphens in a row.
func AzureContainerName(name string) error {
	const fix = "use a container name of 3 to 63 lowercase letters, digits and single hyphens, beginning and ending with a letter or digit"
	switch {
	case name == "":
		return broken(RuleAzureContainerName, fix, "the container name is empty")
	case len(name) < 3 || len(name) > 63:
		return broken(RuleAzureContainerName, fix, "container name %s is %d characters long, but Azure container names have 3 to 63", quoteShort(name), len(name))
	case strings.Contains(name, "--"):
		return broken(RuleAzureContainerName, fix, "container name %s contains two hyphens in a row", quoteShort(name))
	case !azureContainerName.MatchString(name):
		return broken(RuleAzureContainerName, fix, "container name %s holds characters other than lowercase letters, digits and hyphens, or begins or ends with a hyphen", quoteShort(name))
	}
	return nil
}

// AzureGUID reports whether id is a GUID such as a Microsoft Entra tenant ID
// or an application (client) ID: 8-4-4-4-12 hexadecimal digits. what names
// the value in the message, e.g. "tenant ID".
func AzureGUID(what, id string) error {
	fix := "use the " + what + " as shown in the Microsoft Entra admin center, a GUID such as 00000000-0000-0000-0000-000000000000"
	if id == "" {
		return broken(RuleAzureGUID, fix, "the %s is empty", what)
	}
	if !azureGUID.MatchString(id) {
		return broken(RuleAzureGUID, fix, "%s %s is not a GUID", what, quoteShort(id))
	}
	return nil
}

// AzureStorageAccountID reports whether id is the ARM resource ID of a
// storage account, as azurerm_storage_account.id holds, and returns its
// account name.
func AzureStorageAccountID(id string) (string, error) {
	const fix = "use the storage account's resource ID, /subscriptions/<subscription-id>/resourceGroups/<group>/providers/Microsoft.Storage/storageAccounts/<name> (azurerm_storage_account.<name>.id)"
	m := azureStorageAccountID.FindStringSubmatch(id)
	if m == nil {
		return "", broken(RuleAzureStorageAccountID, fix, "%s is not a storage account resource ID", quoteShort(id))
	}
	if err := AzureStorageAccountName(m[3]); err != nil {
		return "", broken(RuleAzureStorageAccountID, fix, "the resource ID names storage account %s, which is not a valid storage account name", quoteShort(m[3]))
	}
	return m[3], nil
}
