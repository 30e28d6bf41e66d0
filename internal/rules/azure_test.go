package rules

import "testing"

func TestAzureRules(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want Rule // "" when valid
	}{
		{"account ok", AzureStorageAccountName("dataloopdev01"), ""},
		{"account too short", AzureStorageAccountName("ab"), RuleAzureStorageAccountName},
		{"account too long", AzureStorageAccountName("abcdefghijklmnopqrstuvwxy"), RuleAzureStorageAccountName},
		{"account uppercase", AzureStorageAccountName("DataLoop"), RuleAzureStorageAccountName},
		{"account hyphen", AzureStorageAccountName("data-loop"), RuleAzureStorageAccountName},
		{"account empty", AzureStorageAccountName(""), RuleAzureStorageAccountName},
		{"container ok", AzureContainerName("raw-data-2024"), ""},
		{"container min", AzureContainerName("abc"), ""},
		{"container short", AzureContainerName("ab"), RuleAzureContainerName},
		{"container double hyphen", AzureContainerName("raw--data"), RuleAzureContainerName},
		{"container leading hyphen", AzureContainerName("-raw"), RuleAzureContainerName},
		{"container trailing hyphen", AzureContainerName("raw-"), RuleAzureContainerName},
		{"container uppercase", AzureContainerName("Raw"), RuleAzureContainerName},
		{"container underscore", AzureContainerName("raw_data"), RuleAzureContainerName},
		{"container 64", AzureContainerName("a123456789012345678901234567890123456789012345678901234567890123"), RuleAzureContainerName},
		{"guid ok", AzureGUID("tenant ID", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ""},
		{"guid upper ok", AzureGUID("client ID", "72F988BF-86F1-41AF-91AB-2D7CD011DB47"), ""},
		{"guid domain", AzureGUID("tenant ID", "contoso.onmicrosoft.com"), RuleAzureGUID},
		{"guid braces", AzureGUID("client ID", "{72f988bf-86f1-41af-91ab-2d7cd011db47}"), RuleAzureGUID},
		{"guid empty", AzureGUID("client ID", ""), RuleAzureGUID},
	} {
		if tc.want == "" && tc.err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, tc.err)
		}
		if tc.want != "" && !Is(tc.err, tc.want) {
			t.Errorf("%s: want rule %s, got %v", tc.name, tc.want, tc.err)
		}
	}
	name, err := AzureStorageAccountID("/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/acmedata")
	if err != nil || name != "acmedata" {
		t.Errorf("AzureStorageAccountID: got %q, %v", name, err)
	}
	if _, err := AzureStorageAccountID("/subscriptions/x/resourceGroups/data-rg/providers/Microsoft.Storage/storageAccounts/acmedata"); !Is(err, RuleAzureStorageAccountID) {
		t.Errorf("AzureStorageAccountID with a bad subscription: got %v", err)
	}
	if e, _ := AsError(AzureGUID("client ID", "nope")); e == nil || e.Fix == "" {
		t.Errorf("a broken rule names its fix: %#v", e)
	}
}
