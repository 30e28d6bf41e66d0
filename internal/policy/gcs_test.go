package policy

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestGCSBucketGrants(t *testing.T) {
	t.Parallel()
	const sa = "dataloop-reader@acme-prod.iam.gserviceaccount.com"
	g, err := GCSBucketGrants(GCSGrantsInput{Bucket: "acme-data", Path: "/raw", ServiceAccountEmail: sa})
	if err != nil {
		t.Fatal(err)
	}
	if g.Member != "serviceAccount:"+sa {
		t.Errorf("member %q", g.Member)
	}
	if want := []string{GCSPermBucketsGet, GCSPermObjectsCreate, GCSPermObjectsGet, GCSPermObjectsList}; !slices.Equal(g.Data.Permissions, want) {
		t.Errorf("read-write data permissions %v, want %v", g.Data.Permissions, want)
	}
	if g.Data.Condition == nil || g.Data.Condition.Expression !=
		`resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith("projects/_/buckets/acme-data/objects/raw/")` {
		t.Errorf("data condition %+v", g.Data.Condition)
	}
	if g.Probe.Condition.Expression != `resource.name.startsWith("projects/_/buckets/acme-data/objects/raw/.dataloop/")` {
		t.Errorf("probe condition %q", g.Probe.Condition.Expression)
	}
	if !slices.Contains(g.Probe.Permissions, GCSPermObjectsDelete) {
		t.Error("the probe folder needs storage.objects.delete to overwrite")
	}

	ro, _ := GCSBucketGrants(GCSGrantsInput{Bucket: "acme-data", ServiceAccountEmail: sa, ReadOnly: true, CrossProject: true})
	if slices.Contains(ro.Data.Permissions, GCSPermObjectsCreate) || !slices.Contains(ro.Data.Permissions, GCSPermBucketsGetIamPolicy) {
		t.Errorf("read-only cross-project data permissions %v", ro.Data.Permissions)
	}
	if ro.Data.Condition != nil {
		t.Errorf("a whole-bucket driver needs no data condition: %+v", ro.Data.Condition)
	}
	del, _ := GCSBucketGrants(GCSGrantsInput{Bucket: "acme-data", ServiceAccountEmail: sa, AllowDelete: true})
	if !slices.Contains(del.Data.Permissions, GCSPermObjectsDelete) {
		t.Errorf("with-delete data permissions %v", del.Data.Permissions)
	}
	js, err := g.JSON()
	if err != nil || !strings.Contains(js, `"permissions"`) {
		t.Errorf("JSON: %v %s", err, js)
	}

	for name, in := range map[string]GCSGrantsInput{
		"bucket":   {Bucket: "Acme", ServiceAccountEmail: sa},
		"path":     {Bucket: "acme-data", Path: "a//b", ServiceAccountEmail: sa},
		"email":    {Bucket: "acme-data", ServiceAccountEmail: "alice@example.com"},
		"conflict": {Bucket: "acme-data", ServiceAccountEmail: sa, ReadOnly: true, AllowDelete: true},
	} {
		_, err := GCSBucketGrants(in)
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("%s: want a FieldError, got %v", name, err)
		}
	}
}
