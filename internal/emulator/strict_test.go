package emulator

import (
	"net/http"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestStrictMode: in strict mode the emulator answers only what the
// published API and Dataloop's docs describe. A failed storage test is a
// bare {"message"} (the contract, without extensions, enforces it), and
// the bound role is not echoed in an integration's metadata.
func TestStrictMode(t *testing.T) {
	t.Parallel()
	m := testenv.SharedMoto(t)
	for _, strict := range []bool{false, true} {
		_, ts := startServer(t, Options{Strict: strict, AWS: &AWSOptions{Endpoint: m.Endpoint, Region: m.Region,
			AccessKeyID: m.AdminAccessKeyID, SecretAccessKey: m.AdminSecretAccessKey}})
		a := newAPI(t, ts, DemoToken)
		key := m.CreateUser(t, uniqueName("emu-strict"), "")
		iid := a.createIntegration("key", "s3", map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey}).str("id")

		r := a.must(http.StatusFailedDependency, "POST", "/drivers/test",
			driverBody("strict", iid, "s3", uniqueName("emu-missing"), "raw/", false))
		body := r.obj()
		if body.str("message") == "" {
			t.Errorf("strict=%v: failed test without a message: %s", strict, r.raw)
		}
		if _, has := body["checks"]; has == strict {
			t.Errorf("strict=%v: checks present = %v: %s", strict, has, r.raw)
		}
		if strict && len(body) != 1 {
			t.Errorf("strict: failed test body has fields beyond message: %s", r.raw)
		}

		cross := a.createIntegration("cross", "aws-cross", map[string]any{}).str("id")
		role := "arn:aws:iam::210987654321:role/dataloop-access"
		bound := a.must(200, "PATCH", "/orgs/"+DemoOrgID+"/integrations", map[string]any{"integrationId": cross,
			"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": role}}}).obj()
		if got := metaValue(bound, "roleArn"); (got == role) == strict {
			t.Errorf("strict=%v: roleArn echo %q", strict, got)
		}
		if got := metaValue(bound, "status"); got != statusPending {
			t.Errorf("strict=%v: status %q after a bind, want %q", strict, got, statusPending)
		}

		// Dataloop documents the status entry for AWS cross-account
		// integrations only: a strict gcp-cross integration has none, so
		// the provider must work without it.
		gcp := a.createIntegration("gcp", "gcp-cross", map[string]any{})
		if got := metaValue(gcp, "status"); (got == "") != strict {
			t.Errorf("strict=%v: gcp-cross status %q", strict, got)
		}
		if got := metaValue(gcp, "serviceAccount"); (got == "") != strict {
			t.Errorf("strict=%v: gcp-cross serviceAccount %q", strict, got)
		}
	}
}

// TestStrictContractRejectsExtensions: a strict emulator's contract check
// accepts no extension, so a checks[] body would be a violation.
func TestStrictContractRejectsExtensions(t *testing.T) {
	t.Parallel()
	c, err := DefaultContract()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Extensions()) == 0 {
		t.Fatal("the default contract lists no extensions; the test proves nothing")
	}
	if n := len(c.WithoutExtensions().Extensions()); n != 0 {
		t.Errorf("WithoutExtensions keeps %d extensions", n)
	}
	body := []byte(`{"message":"failed","checks":[{"name":"list","success":false,"message":"denied"}]}`)
	if v := c.WithoutExtensions().checkExtension("POST /drivers/test", http.StatusFailedDependency, body); len(v) == 0 {
		t.Error("a strict contract accepted a checks[] body")
	}
	if v := c.checkExtension("POST /drivers/test", http.StatusFailedDependency, body); len(v) != 0 {
		t.Errorf("the default contract rejected its own extension: %v", v)
	}
}

// TestSDKRequestShapes sends what Dataloop's Python SDK (dtlpy) sends: a
// driver whose integrationType is the driver type (drivers.create without
// integration_type), with creator and the path as given; an
// integration with metadata at create; and an aws-cross role bound as
// roleArns, with reloadServices in the query (integrations.update).
func TestSDKRequestShapes(t *testing.T) {
	t.Parallel()
	for _, strict := range []bool{false, true} {
		_, ts := startServer(t, Options{Strict: strict})
		a := newAPI(t, ts, DemoToken)
		org := "/orgs/" + DemoOrgID + "/integrations"

		created := a.must(200, "POST", org, map[string]any{"type": "aws-cross", "name": "sdk-cross",
			"options": map[string]any{}, "metadata": map[string]any{"provider": "aws"}}).obj()
		id := created.str("id")
		role := "arn:aws:iam::210987654321:role/dataloop-access"
		a.must(200, "PATCH", org+"?reloadServices=true", map[string]any{"integrationId": id,
			"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArns": role}}})
		a.must(200, "PATCH", org, map[string]any{"integrationId": id,
			"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArns": []any{role}}}})
		a.must(400, "PATCH", org, map[string]any{"integrationId": id,
			"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArns": []any{role, role}}}})

		driver := map[string]any{
			"integrationId": id, "integrationType": "s3", "name": "sdk-driver",
			"metadata":            map[string]any{"system": map[string]any{"projectId": DemoProjectID}},
			"type":                "s3",
			"payload":             map[string]any{"bucketName": "sdk-bucket", "storageClass": "", "region": "us-east-1", "path": "/Raw/Images"},
			"allowExternalDelete": true, "creator": DemoUserEmail,
		}
		d := a.must(200, "POST", "/drivers", driver).obj()
		if d.str("path") != "/Raw/Images" || d.str("integrationType") != "aws-cross" {
			t.Errorf("strict=%v: driver %v: want the path as given and the integration's type", strict, d)
		}
		// A type that matches neither the integration nor the driver is still refused.
		driver["name"], driver["integrationType"] = "sdk-driver-2", "gcs"
		a.must(400, "POST", "/drivers", driver)
	}
}
