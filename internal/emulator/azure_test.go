package emulator

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// startWithAzure runs an emulator that checks Azure drivers on the shared
// local Azure stack.
func startWithAzure(t *testing.T, strict bool) (*testenv.AzureStack, *api) {
	t.Helper()
	s := testenv.SharedAzure(t)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool(), MinVersion: tls.VersionTLS12}}}
	_, ts := startServer(t, Options{Strict: strict, Azure: &AzureOptions{BlobEndpoint: s.BlobEndpoint, AuthorityHost: s.AuthorityHost, HTTPClient: hc}})
	return s, newAPI(t, ts, DemoToken)
}

func azureDriverBody(name, typ, integrationID, container, path string) map[string]any {
	return map[string]any{"name": name, "type": typ, "integrationId": integrationID, "integrationType": "azureblob",
		"creator": DemoUserEmail, "allowExternalDelete": false,
		"metadata": map[string]any{"system": map[string]any{"projectId": DemoProjectID}},
		"payload":  map[string]any{"containerName": container, "path": path}}
}

func TestDriverTestAzure(t *testing.T) {
	t.Parallel()
	s, a := startWithAzure(t, false)
	tenant, client, secret, principal := s.NewClientIdentity()
	container := "emu-" + client[:8]
	if err := s.CreateContainer(context.Background(), testenv.AzureAccount, container); err != nil {
		t.Fatal(err)
	}
	iid := a.createIntegration("azure", "azureblob", map[string]any{
		"key": testenv.AzureAccount, "secret": secret, "clientId": client, "tenantId": tenant}).str("id")

	// No role yet: the platform's test fails on listing and names the role.
	r := a.must(424, "POST", "/drivers/test", azureDriverBody("blob", "azureblob", iid, container, "raw/"))
	if f := failedChecks(r); !strings.Contains(f["list"], "Storage Blob Data") || !strings.Contains(f["write"], "Storage Blob Data Contributor") {
		t.Errorf("without a role: failed checks %v", f)
	}
	// Every failed check carries its code, as the S3 checks do.
	if c := checkCodes(r); c["list"] != "denied" || c["write"] != "denied" {
		t.Errorf("without a role: check codes %v", c)
	}
	if strings.Contains(string(r.raw), secret) {
		t.Fatal("the answer contains the client secret")
	}
	if _, err := s.AssignRole(context.Background(), s.ContainerScope(testenv.AzureAccount, container), "Storage Blob Data Contributor", principal); err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{"azureblob", "azureDatalakeGen2"} {
		a.must(204, "POST", "/drivers/test", azureDriverBody(typ, typ, iid, container, "raw/"))
		id := a.must(200, "POST", "/drivers", azureDriverBody(typ, typ, iid, container, "raw/")).obj().str("id")
		a.must(204, "GET", "/drivers/"+id+"/test", nil)
	}
	// A container name no check can use is the caller's mistake.
	r = a.must(400, "POST", "/drivers/test", azureDriverBody("bad", "azureblob", iid, "Bad_Container", ""))
	if !strings.Contains(r.message(), "payload.containerName") {
		t.Errorf("bad container name: %q", r.message())
	}
	// An azureblob integration cannot serve an S3 driver.
	a.must(400, "POST", "/drivers", driverBody("s3", iid, "azureblob", "bucket", "", false))
}

func TestDriverTestAzureStrict(t *testing.T) {
	t.Parallel()
	s, a := startWithAzure(t, true)
	tenant, client, secret, _ := s.NewClientIdentity()
	container := "emu-strict-" + client[:8]
	if err := s.CreateContainer(context.Background(), testenv.AzureAccount, container); err != nil {
		t.Fatal(err)
	}
	iid := a.createIntegration("azure", "azureblob", map[string]any{
		"key": testenv.AzureAccount, "secret": secret, "clientId": client, "tenantId": tenant}).str("id")
	r := a.must(424, "POST", "/drivers/test", azureDriverBody("blob", "azureblob", iid, container, ""))
	if _, has := r.obj()["checks"]; has || r.message() == "" {
		t.Errorf("strict mode answers a bare {message}: %s", r.raw)
	}
}
