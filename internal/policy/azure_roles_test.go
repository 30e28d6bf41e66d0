package policy

import (
	"errors"
	"reflect"
	"testing"
)

func TestAzureDriverRoleAssignments(t *testing.T) {
	t.Parallel()
	const (
		sub     = "00000000-1111-2222-3333-444444444444"
		account = "/subscriptions/" + sub + "/resourceGroups/datasets/providers/Microsoft.Storage/storageAccounts/acmedata"
		pid     = "11111111-2222-3333-4444-555555555555"
	)
	got, err := AzureDriverRoleAssignments(AzureRolesInput{StorageAccountID: account, Container: "images", PrincipalID: pid})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]AzureDriverAssignment{AzureGrantData: {
		AzureRoleAssignment: AzureRoleAssignment{
			RoleDefinitionName: "Storage Blob Data Contributor",
			RoleDefinitionID:   "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
			Scope:              account + "/blobServices/default/containers/images",
			Reason:             "Lets Dataloop list and read the data in container images, and write and delete its own files under the driver path's .dataloop/ folder.",
		},
		ScopedRoleDefinitionID: "/subscriptions/" + sub + "/providers/Microsoft.Authorization/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
		PrincipalID:            pid,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%+v\nwant\n%+v", got, want)
	}

	whole, err := AzureDriverRoleAssignments(AzureRolesInput{StorageAccountID: account})
	if err != nil {
		t.Fatal(err)
	}
	if a := whole[AzureGrantData]; a.Scope != account || a.PrincipalID != "" {
		t.Errorf("account-scoped assignment %+v", a)
	}

	for field, in := range map[string]AzureRolesInput{
		FieldStorageAccountID: {StorageAccountID: "acmedata"},
		FieldContainer:        {StorageAccountID: account, Container: "Images"},
		FieldPrincipalID:      {StorageAccountID: account, PrincipalID: "dataloop-app"},
	} {
		_, err := AzureDriverRoleAssignments(in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: want a FieldError on it, got %v", field, err)
		}
	}
}
