package testenv

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// AzureAccount is the storage account every local Azure stack serves.
const AzureAccount = "dataloopdev"

// AzureStack is Azurite with the enforcing AzureFront before it: the local
// Azure of tests and the demo.
type AzureStack struct {
	*AzureFront
	Azurite *Azurite
	// CA signed the front's certificates; processes that talk to the front
	// trust it through SSL_CERT_FILE=CA.File.
	CA *TestCA

	arm *http.Client
}

// AzureOptions configures StartAzureStack.
type AzureOptions struct {
	// Accounts are the storage accounts to serve; default [AzureAccount].
	Accounts []string
	// CA signs the front's certificates; default SharedTestCA.
	CA *TestCA
	// Dir receives Azurite's log; default a temporary directory.
	Dir string
}

// StartAzureStack starts Azurite and the front. Stop ends both.
func StartAzureStack(ctx context.Context, opts AzureOptions) (*AzureStack, error) {
	if len(opts.Accounts) == 0 {
		opts.Accounts = []string{AzureAccount}
	}
	if opts.CA == nil {
		ca, err := SharedTestCA()
		if err != nil {
			return nil, err
		}
		opts.CA = ca
	}
	az, err := StartAzurite(ctx, AzuriteOptions{Accounts: opts.Accounts, Dir: opts.Dir})
	if err != nil {
		return nil, err
	}
	front, err := startAzureFront(az, opts.CA)
	if err != nil {
		az.Stop()
		return nil, err
	}
	arm := &http.Client{Timeout: time.Minute, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: opts.CA.Pool(), MinVersion: tls.VersionTLS12},
	}}
	return &AzureStack{AzureFront: front, Azurite: az, CA: opts.CA, arm: arm}, nil
}

var sharedAzure struct {
	once  sync.Once
	stack *AzureStack
	err   error
}

// SharedAzure returns one local Azure stack shared by every test of the
// test binary, started on first use; it exits with the binary. Tests
// sharing it use their own tenant, client and container names. The binary
// must trust the test CA (TrustTestCA in TestMain) for clients that use the
// system pool, such as the provider's checker.
func SharedAzure(t testing.TB) *AzureStack {
	t.Helper()
	sharedAzure.once.Do(func() {
		sharedAzure.stack, sharedAzure.err = StartAzureStack(context.Background(), AzureOptions{})
	})
	if sharedAzure.err != nil {
		t.Fatalf("starting the local Azure stack (Azurite and the enforcing front): %v", sharedAzure.err)
	}
	return sharedAzure.stack
}

// Stop ends the front and Azurite.
func (s *AzureStack) Stop() {
	s.Close()
	s.Azurite.Stop()
}

// Env returns the variables that point the provider's checker at the
// stack (see the provider's access_check settings) and trust its CA.
func (s *AzureStack) Env() []string {
	return []string{
		"SSL_CERT_FILE=" + s.CA.BundleFile,
		"DATALOOP_AZURE_BLOB_ENDPOINT=" + s.BlobEndpoint,
		"DATALOOP_AZURE_AUTHORITY_HOST=" + s.AuthorityHost,
	}
}

// AssignRole creates a role assignment through the ARM roleAssignments API,
// as azurerm_role_assignment does: role is a built-in role name, scope an
// ARM scope (StorageAccountID or ContainerScope), principalID the service
// principal's object ID (RegisterClient's result). It returns the
// assignment's ID.
func (s *AzureStack) AssignRole(ctx context.Context, scope, role, principalID string) (string, error) {
	r, ok := AzureRoleByName(role)
	if !ok {
		return "", fmt.Errorf("unknown built-in role %q", role)
	}
	id := scope + roleAssignmentsSegment + "/" + newGUID()
	body, _ := json.Marshal(map[string]any{"properties": map[string]any{
		"roleDefinitionId": fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Authorization/roleDefinitions/%s", s.SubscriptionID, r.ID),
		"principalId":      principalID,
	}})
	if err := s.armDo(ctx, http.MethodPut, id, body); err != nil {
		return "", err
	}
	return id, nil
}

// DeleteRoleAssignment deletes a role assignment by ID.
func (s *AzureStack) DeleteRoleAssignment(ctx context.Context, id string) error {
	return s.armDo(ctx, http.MethodDelete, id, nil)
}

func (s *AzureStack) armDo(ctx context.Context, method, path string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, method, s.ManagementEndpoint+path+"?api-version=2022-04-01", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+s.ManagementToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.arm.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(out))
	}
	return nil
}

// AdminClient returns a blob client that reaches Azurite directly with the
// account key: the storage account owner's view, for setting up and
// inspecting containers.
func (s *AzureStack) AdminClient(account string) (*azblob.Client, error) {
	cred, err := azblob.NewSharedKeyCredential(account, s.Azurite.Accounts[account])
	if err != nil {
		return nil, err
	}
	return azblob.NewClientWithSharedKeyCredential(s.Azurite.Endpoint+"/"+account, cred,
		&azblob.ClientOptions{ClientOptions: azcore.ClientOptions{Retry: policy.RetryOptions{MaxRetries: 2}}})
}

// CreateContainer creates a container (no error when it exists).
func (s *AzureStack) CreateContainer(ctx context.Context, account, container string) error {
	c, err := s.AdminClient(account)
	if err != nil {
		return err
	}
	_, err = c.CreateContainer(ctx, container, nil)
	if bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return nil
	}
	return err
}

// PutBlob writes a blob as the account owner.
func (s *AzureStack) PutBlob(ctx context.Context, account, container, name string, content []byte) error {
	c, err := s.AdminClient(account)
	if err != nil {
		return err
	}
	_, err = c.UploadBuffer(ctx, container, name, content, nil)
	return err
}

// ListBlobs returns the names of the blobs under prefix, sorted.
func (s *AzureStack) ListBlobs(ctx context.Context, account, container, prefix string) ([]string, error) {
	c, err := s.AdminClient(account)
	if err != nil {
		return nil, err
	}
	var names []string
	pager := c.NewListBlobsFlatPager(container, &azblob.ListBlobsFlatOptions{Prefix: to.Ptr(prefix)})
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, b := range page.Segment.BlobItems {
			names = append(names, *b.Name)
		}
	}
	sort.Strings(names)
	return names, nil
}

// NewClientIdentity registers a new application in a new tenant, with a new
// secret, and returns its tenant ID, client ID, secret and the service
// principal's object ID.
func (s *AzureStack) NewClientIdentity() (tenantID, clientID, secret, principalID string) {
	tenantID, clientID = newGUID(), newGUID()
	secret = "Q~" + strings.ToUpper(randomHex(4)) + "." + randomHex(15)
	principalID = s.RegisterClient(tenantID, clientID, secret)
	return tenantID, clientID, secret, principalID
}
