package policy

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestGCSIAMGrants(t *testing.T) {
	t.Parallel()
	const (
		sa       = "dataloop-reader@acme-prod.iam.gserviceaccount.com"
		platform = "dataloop-platform@dataloop-prod.iam.gserviceaccount.com"
	)
	g, err := GCSIAMGrants(GCSIAMInput{Bucket: "acme-data", Path: "/raw", Project: "acme-prod", ServiceAccountEmail: sa})
	if err != nil {
		t.Fatal(err)
	}
	data, probe := g.CustomRoles[GCSGrantData], g.CustomRoles[GCSGrantProbe]
	if !strings.HasPrefix(data.RoleID, "dataloop_data_") || len(data.RoleID) != len("dataloop_data_")+10 ||
		probe.RoleID != "dataloop_probe_"+strings.TrimPrefix(data.RoleID, "dataloop_data_") {
		t.Errorf("role IDs %q %q", data.RoleID, probe.RoleID)
	}
	want := GCSCustomRole{Project: "acme-prod", RoleID: data.RoleID, Title: "Dataloop storage driver data: acme-data",
		Description: "Lets Dataloop list, read and write the objects under gs://acme-data/raw/",
		Permissions: []string{GCSPermBucketsGet, GCSPermObjectsCreate, GCSPermObjectsGet, GCSPermObjectsList}}
	if !reflect.DeepEqual(data, want) {
		t.Errorf("data role\n%+v\nwant\n%+v", data, want)
	}
	if probe.Description != "Lets Dataloop write, read and replace its own files under gs://acme-data/raw/.dataloop/" {
		t.Errorf("probe description %q", probe.Description)
	}
	bind := g.BucketIAMMembers[GCSGrantData]
	if bind.Bucket != "acme-data" || bind.Role != "projects/acme-prod/roles/"+data.RoleID || bind.Member != "serviceAccount:"+sa ||
		bind.Condition == nil || !strings.Contains(bind.Condition.Expression, `"projects/_/buckets/acme-data/objects/raw/"`) {
		t.Errorf("data binding %+v", bind)
	}
	if pb := g.BucketIAMMembers[GCSGrantProbe]; pb.Role != "projects/acme-prod/roles/"+probe.RoleID || pb.Condition == nil {
		t.Errorf("probe binding %+v", pb)
	}
	if g.ServiceAccountIAMMember != nil {
		t.Errorf("a private-key integration needs no impersonation: %+v", g.ServiceAccountIAMMember)
	}

	// Same driver, same IDs; another account or path, other IDs.
	again, _ := GCSIAMGrants(GCSIAMInput{Bucket: "acme-data", Path: "raw/", Project: "acme-prod", ServiceAccountEmail: sa, AllowDelete: true})
	other, _ := GCSIAMGrants(GCSIAMInput{Bucket: "acme-data", Path: "raw/", Project: "acme-prod", ServiceAccountEmail: platform})
	if again.CustomRoles[GCSGrantData].RoleID != data.RoleID || other.CustomRoles[GCSGrantData].RoleID == data.RoleID {
		t.Error("role IDs must depend on bucket, path and account only")
	}
	if got := again.CustomRoles[GCSGrantData].Description; got != "Lets Dataloop list, read, write and delete the objects under gs://acme-data/raw/" {
		t.Errorf("with-delete description %q", got)
	}

	cross, err := GCSIAMGrants(GCSIAMInput{Bucket: "acme-data", Project: "acme-prod", ServiceAccountEmail: sa,
		PlatformServiceAccount: platform, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	wantPerms := []string{GCSPermBucketsGet, GCSPermBucketsGetIamPolicy, GCSPermObjectsGet, GCSPermObjectsList}
	if got := cross.CustomRoles[GCSGrantData]; !reflect.DeepEqual(got.Permissions, wantPerms) ||
		got.Description != "Lets Dataloop list and read the objects under gs://acme-data/" {
		t.Errorf("read-only cross-project data role %+v", got)
	}
	if cross.BucketIAMMembers[GCSGrantData].Condition != nil {
		t.Error("a whole-bucket driver needs no data condition")
	}
	wantImp := &GCSServiceAccountIAMMember{ServiceAccountID: "projects/-/serviceAccounts/" + sa,
		Role: "roles/iam.serviceAccountTokenCreator", Member: "serviceAccount:" + platform}
	if !reflect.DeepEqual(cross.ServiceAccountIAMMember, wantImp) {
		t.Errorf("impersonation %+v", cross.ServiceAccountIAMMember)
	}

	long, err := GCSIAMGrants(GCSIAMInput{Bucket: strings.Repeat("b", 63) + "." + strings.Repeat("c", 63), Path: strings.Repeat("é", 120),
		Project: "acme-prod", ServiceAccountEmail: sa})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range long.CustomRoles {
		if len(r.Title) > 100 || len(r.Description) > 256 || !strings.HasSuffix(r.Description, "...") {
			t.Errorf("long role text not cut to IAM's limits: %d %d", len(r.Title), len(r.Description))
		}
	}

	for field, in := range map[string]GCSIAMInput{
		FieldBucket:                 {Bucket: "Acme", Project: "acme-prod", ServiceAccountEmail: sa},
		FieldPath:                   {Bucket: "acme-data", Path: "a//b", Project: "acme-prod", ServiceAccountEmail: sa},
		FieldServiceAccountEmail:    {Bucket: "acme-data", Project: "acme-prod", ServiceAccountEmail: "alice@example.com"},
		FieldAllowDelete:            {Bucket: "acme-data", Project: "acme-prod", ServiceAccountEmail: sa, ReadOnly: true, AllowDelete: true},
		FieldProject:                {Bucket: "acme-data", Project: "123456789012", ServiceAccountEmail: sa},
		FieldPlatformServiceAccount: {Bucket: "acme-data", Project: "acme-prod", ServiceAccountEmail: sa, PlatformServiceAccount: "bob@example.com"},
	} {
		_, err := GCSIAMGrants(in)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: want a FieldError on it, got %v", field, err)
		}
	}
}
