package accesscheck_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// azureFixture is one identity and container on the shared local Azure
// stack, and a checker pointed at it.
type azureFixture struct {
	stack     *testenv.AzureStack
	checker   *accesscheck.Checker
	creds     accesscheck.AzureCredentials
	principal string
	container string
}

func newAzureFixture(t *testing.T) *azureFixture {
	t.Helper()
	s := testenv.SharedAzure(t)
	tenant, client, secret, principal := s.NewClientIdentity()
	container := "chk-" + strings.ToLower(strings.ReplaceAll(t.Name(), "_", "-"))
	container = strings.ReplaceAll(container, "/", "-")
	if len(container) > 50 {
		container = container[:50]
	}
	container = strings.Trim(container, "-") + "-" + client[:8]
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.CreateContainer(ctx, testenv.AzureAccount, container); err != nil {
		t.Fatal(err)
	}
	// The checker trusts the stack's CA through its HTTP client here; the
	// provider's tests trust it through SSL_CERT_FILE.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CA.Pool(), MinVersion: tls.VersionTLS12}}}
	return &azureFixture{
		stack: s,
		checker: accesscheck.New(accesscheck.Options{
			AzureBlobEndpoint: s.BlobEndpoint, AzureAuthorityHost: s.AuthorityHost, HTTPClient: hc, ResultTTL: -1,
		}),
		creds:     accesscheck.AzureCredentials{TenantID: tenant, ClientID: client, ClientSecret: secret},
		principal: principal,
		container: container,
	}
}

func (f *azureFixture) assign(t *testing.T, role string) string {
	t.Helper()
	id, err := f.stack.AssignRole(context.Background(), f.stack.ContainerScope(testenv.AzureAccount, f.container), role, f.principal)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func (f *azureFixture) target(path string) accesscheck.AzureTarget {
	return accesscheck.AzureTarget{Account: testenv.AzureAccount, Container: f.container, Path: path}
}

func checkByName(res accesscheck.Result, name string) (accesscheck.Check, bool) {
	for _, c := range res.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return accesscheck.Check{}, false
}

func TestCheckAzureBlob_contributorPassesAndCleansUp(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	f.assign(t, "Storage Blob Data Contributor")
	ctx := context.Background()
	if err := f.stack.PutBlob(ctx, testenv.AzureAccount, f.container, "raw/img-001.jpg", []byte("jpeg")); err != nil {
		t.Fatal(err)
	}
	res, err := f.checker.CheckAzureBlob(ctx, f.creds, accesscheck.AzureTarget{Account: testenv.AzureAccount, Container: f.container, Path: "raw", AllowDelete: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success() {
		t.Fatalf("want success, got %s", res.Error())
	}
	var names []string
	for _, c := range res.Checks {
		names = append(names, c.Name)
		if c.Warning {
			t.Errorf("unexpected warning on %s: %s", c.Name, c.Message)
		}
	}
	if got, want := strings.Join(names, ","), "credentials,container,list,write,read,delete,read_data"; got != want {
		t.Errorf("checks: got %s, want %s", got, want)
	}
	if c, _ := checkByName(res, accesscheck.CheckReadData); !strings.Contains(c.Message, "raw/img-001.jpg") {
		t.Errorf("read_data must name the blob it read: %q", c.Message)
	}
	if c, _ := checkByName(res, accesscheck.CheckWrite); !strings.Contains(c.Message, "raw/.dataloop/access-check") {
		t.Errorf("write must name the probe blob: %q", c.Message)
	}
	left, err := f.stack.ListBlobs(ctx, testenv.AzureAccount, f.container, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(left, ",") != "raw/img-001.jpg" {
		t.Errorf("the probe was not cleaned up: container holds %v", left)
	}
}

func TestCheckAzureBlob_noDataBlobIsNotProven(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	f.assign(t, "Storage Blob Data Contributor")
	res, err := f.checker.CheckAzureBlob(context.Background(), f.creds, f.target("empty/"))
	if err != nil {
		t.Fatal(err)
	}
	c, ok := checkByName(res, accesscheck.CheckReadData)
	if !res.Success() || !ok || !c.Warning || c.Code != accesscheck.CodeNotProven || !strings.Contains(c.Message, "not proven") {
		t.Fatalf("want a passing result whose read_data says reading data was not proven, got %+v", res.Checks)
	}
}

func TestCheckAzureBlob_readerCannotWrite(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	f.assign(t, "Storage Blob Data Reader")
	res, err := f.checker.CheckAzureBlob(context.Background(), f.creds, f.target("raw/"))
	if err != nil {
		t.Fatal(err)
	}
	if res.Success() {
		t.Fatal("a Storage Blob Data Reader must not pass the write check")
	}
	if c, _ := checkByName(res, accesscheck.CheckList); !c.Success {
		t.Errorf("list should pass with Storage Blob Data Reader: %s", c.Message)
	}
	w, _ := checkByName(res, accesscheck.CheckWrite)
	if w.Success || w.Code != accesscheck.CodeDenied {
		t.Fatalf("write: want a denial, got %+v", w)
	}
	for _, want := range []string{`"Storage Blob Data Contributor"`, f.creds.ClientID, f.creds.TenantID, f.container} {
		if !strings.Contains(w.Message, want) {
			t.Errorf("write message should name %s: %q", want, w.Message)
		}
	}
	var hint map[string]string
	if err := json.Unmarshal([]byte(w.Hint), &hint); err != nil || hint["role_definition_name"] != "Storage Blob Data Contributor" ||
		!strings.HasSuffix(hint["scope"], "/blobServices/default/containers/"+f.container) {
		t.Errorf("hint should be a role assignment for the container: %q (%v)", w.Hint, err)
	}
	if _, ok := checkByName(res, accesscheck.CheckRead); ok {
		t.Error("no read check may be reported when no probe was written")
	}
}

func TestCheckAzureBlob_noRole(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	res, err := f.checker.CheckAzureBlob(context.Background(), f.creds, f.target(""))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := checkByName(res, accesscheck.CheckContainer)
	if !c.Success || !c.Warning || !strings.Contains(c.Message, "Could not confirm") {
		t.Errorf("container: a denial must be reported as not confirmed, got %+v", c)
	}
	l, _ := checkByName(res, accesscheck.CheckList)
	if l.Success || l.Code != accesscheck.CodeDenied || !strings.Contains(l.Message, "Storage Blob Data Reader") {
		t.Errorf("list: want a denial naming the role, got %+v", l)
	}
	// A refused list found nothing: read_data must not claim the path is empty.
	if rd, _ := checkByName(res, accesscheck.CheckReadData); rd.Code != accesscheck.CodeNotProven || !strings.Contains(rd.Message, "was refused") {
		t.Errorf("read_data: want not proven because the list was refused, got %+v", rd)
	}
}

func TestCheckAzureBlob_missingContainer(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	f.assign(t, "Storage Blob Data Contributor")
	tgt := f.target("")
	tgt.Container = "no-such-container"
	// The role is on another container; assign at account scope so the
	// front lets the request reach Azurite.
	if _, err := f.stack.AssignRole(context.Background(), f.stack.StorageAccountID(testenv.AzureAccount), "Storage Blob Data Reader", f.principal); err != nil {
		t.Fatal(err)
	}
	res, err := f.checker.CheckAzureBlob(context.Background(), f.creds, tgt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checks) != 2 || res.Checks[1].Name != accesscheck.CheckContainer || res.Checks[1].Code != accesscheck.CodeNotFound {
		t.Fatalf("want credentials then a container not found, got %+v", res.Checks)
	}
}

func TestCheckAzureBlob_badSecret(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	creds := f.creds
	creds.ClientSecret = "wrong-secret-value-for-test"
	res, err := f.checker.CheckAzureBlob(context.Background(), creds, f.target(""))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Checks) != 1 || res.Checks[0].Input != accesscheck.InputClientSecret || res.Checks[0].Success {
		t.Fatalf("want one failed credentials check on client_secret, got %+v", res.Checks)
	}
	if strings.Contains(res.Error(), creds.ClientSecret) || strings.Contains(res.Error(), f.creds.ClientSecret) {
		t.Fatal("the result leaks the secret")
	}
	if got := creds.String() + creds.GoString(); strings.Contains(got, creds.ClientSecret) {
		t.Fatalf("String leaks the secret: %s", got)
	}
	cr, err := f.checker.CheckAzureCredentials(context.Background(), f.creds, testenv.AzureAccount)
	if err != nil || !cr.Success() || len(cr.Checks) != 2 {
		t.Fatalf("the right secret must pass the credentials and storage_account checks: %v %+v", err, cr.Checks)
	}
	cr, err = f.checker.CheckAzureCredentials(context.Background(), f.creds, "nosuchaccount")
	if err != nil || cr.Success() || cr.Checks[1].Input != accesscheck.InputStorageAccount {
		t.Fatalf("an unknown storage account must fail on storage_account: %v %+v", err, cr.Checks)
	}
}

func TestCheckAzureBlob_inputErrors(t *testing.T) {
	t.Parallel()
	c := accesscheck.New(accesscheck.Options{})
	good := accesscheck.AzureCredentials{TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47", ClientID: "0b1f6471-1bf0-4dda-aec3-cb9272f09590", ClientSecret: "s"}
	for field, tc := range map[string]struct {
		creds accesscheck.AzureCredentials
		tgt   accesscheck.AzureTarget
	}{
		"tenant_id":       {accesscheck.AzureCredentials{TenantID: "contoso", ClientID: good.ClientID, ClientSecret: "s"}, accesscheck.AzureTarget{Account: "acct", Container: "data"}},
		"client_id":       {accesscheck.AzureCredentials{TenantID: good.TenantID, ClientID: "app", ClientSecret: "s"}, accesscheck.AzureTarget{Account: "acct", Container: "data"}},
		"storage_account": {good, accesscheck.AzureTarget{Account: "Bad_Account", Container: "data"}},
		"container":       {good, accesscheck.AzureTarget{Account: "acct", Container: "a--b"}},
	} {
		_, err := c.CheckAzureBlob(context.Background(), tc.creds, tc.tgt)
		var ie *accesscheck.InputError
		if !errors.As(err, &ie) || ie.Field != field {
			t.Errorf("%s: want an input error on %s, got %v", field, field, err)
		}
	}
}

func TestCheckAzureBlobUntilReady_waitsForRoleAssignment(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	f.stack.SetPropagationDelay(f.principal, 3*time.Second)
	f.assign(t, "Storage Blob Data Contributor")
	res, err := f.checker.CheckAzureBlobUntilReady(context.Background(), f.creds, f.target("raw/"), 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Success() || res.Attempts < 2 {
		t.Fatalf("want success after retries while the role assignment propagated, got attempts=%d %s", res.Attempts, res.Error())
	}
}

func TestCheckAzureBlobUntilReady_unknownTenantFailsAtOnce(t *testing.T) {
	t.Parallel()
	f := newAzureFixture(t)
	creds := f.creds
	creds.TenantID = "11111111-2222-4333-8444-555555555555"
	res, err := f.checker.CheckAzureBlobUntilReady(context.Background(), creds, f.target(""), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := checkByName(res, accesscheck.CheckCredentials)
	// A tenant that does not exist will not appear by waiting: its code
	// says so to every caller (the provider retries by code).
	if c.Success || c.Input != accesscheck.InputTenantID || c.Code != accesscheck.CodeNotFound || c.Code.Retryable() || res.Attempts != 1 {
		t.Fatalf("want one attempt failing on tenant_id with a final code, got attempts=%d %+v", res.Attempts, c)
	}
}
