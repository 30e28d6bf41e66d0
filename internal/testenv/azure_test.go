package testenv

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

// azureClient is what a customer's code (or the provider's checker) does:
// a client-credentials token from the authority host, used on the blob
// endpoint.
func azureClient(t *testing.T, s *AzureStack, tenantID, clientID, secret string) *azblob.Client {
	t.Helper()
	opts := azcore.ClientOptions{Cloud: cloudFor(s), Retry: policy.RetryOptions{MaxRetries: -1}}
	cred, err := azidentity.NewClientSecretCredential(tenantID, clientID, secret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: opts, DisableInstanceDiscovery: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := azblob.NewClient(s.BlobEndpoint+"/"+AzureAccount, cred, &azblob.ClientOptions{ClientOptions: opts})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAzureFront_enforcesRoleAssignments(t *testing.T) {
	t.Parallel()
	s := SharedAzure(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	container, other := "front-"+randomHex(4), "front-other-"+randomHex(4)
	for _, c := range []string{container, other} {
		if err := s.CreateContainer(ctx, AzureAccount, c); err != nil {
			t.Fatal(err)
		}
	}
	tenant, client, secret, principal := s.NewClientIdentity()
	c := azureClient(t, s, tenant, client, secret)

	listErr := func() error {
		pager := c.NewListBlobsFlatPager(container, nil)
		_, err := pager.NextPage(ctx)
		return err
	}
	upload := func() error {
		_, err := c.UploadBuffer(ctx, container, "raw/probe", []byte("x"), nil)
		return err
	}

	// No role: a valid token is not enough.
	if err := listErr(); !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("list without a role: want AuthorizationPermissionMismatch, got %v", err)
	}
	// Control-plane Reader grants no data access.
	if _, err := s.AssignRole(ctx, s.StorageAccountID(AzureAccount), "Reader", principal); err != nil {
		t.Fatal(err)
	}
	if err := listErr(); !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("list with Reader: want AuthorizationPermissionMismatch, got %v", err)
	}
	// A data role on another container does not apply.
	if _, err := s.AssignRole(ctx, s.ContainerScope(AzureAccount, other), "Storage Blob Data Contributor", principal); err != nil {
		t.Fatal(err)
	}
	if err := upload(); !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("upload with a role on another container: want AuthorizationPermissionMismatch, got %v", err)
	}
	// Storage Blob Data Reader on the container: list, not write.
	readerID, err := s.AssignRole(ctx, s.ContainerScope(AzureAccount, container), "Storage Blob Data Reader", principal)
	if err != nil {
		t.Fatal(err)
	}
	if err := listErr(); err != nil {
		t.Fatalf("list with Storage Blob Data Reader: %v", err)
	}
	if err := upload(); !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("upload with Storage Blob Data Reader: want AuthorizationPermissionMismatch, got %v", err)
	}
	// Contributor at account scope covers every container: write, read,
	// delete, and the blob really is in Azurite.
	contribID, err := s.AssignRole(ctx, s.StorageAccountID(AzureAccount), "Storage Blob Data Contributor", principal)
	if err != nil {
		t.Fatal(err)
	}
	if err := upload(); err != nil {
		t.Fatalf("upload with Storage Blob Data Contributor: %v", err)
	}
	names, err := s.ListBlobs(ctx, AzureAccount, container, "")
	if err != nil || len(names) != 1 || names[0] != "raw/probe" {
		t.Fatalf("Azurite holds %v (%v), want [raw/probe]", names, err)
	}
	if _, err := c.DeleteBlob(ctx, container, "raw/probe", nil); err != nil {
		t.Fatalf("delete with Storage Blob Data Contributor: %v", err)
	}
	// Removing the assignments takes the access away again.
	for _, id := range []string{readerID, contribID} {
		if err := s.DeleteRoleAssignment(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := listErr(); !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("list after the assignments were deleted: want AuthorizationPermissionMismatch, got %v", err)
	}
}

func TestAzureFront_rejectsBadClientCredentials(t *testing.T) {
	t.Parallel()
	s := SharedAzure(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tenant, client, _, _ := s.NewClientIdentity()
	for name, tc := range map[string]struct{ tenant, client, secret, want string }{
		"wrong secret":   {tenant, client, "not-the-secret", "AADSTS7000215"},
		"unknown client": {tenant, newGUID(), "x", "AADSTS700016"},
		"unknown tenant": {newGUID(), client, "x", "AADSTS90002"},
	} {
		c := azureClient(t, s, tc.tenant, tc.client, tc.secret)
		_, err := c.NewListBlobsFlatPager("any", nil).NextPage(ctx)
		var af *azidentity.AuthenticationFailedError
		if !errors.As(err, &af) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: want an authentication failure with %s, got %v", name, tc.want, err)
		}
	}
}

func TestAzureFront_propagationDelay(t *testing.T) {
	t.Parallel()
	s := SharedAzure(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	container := "front-prop-" + randomHex(4)
	if err := s.CreateContainer(ctx, AzureAccount, container); err != nil {
		t.Fatal(err)
	}
	tenant, client, secret, principal := s.NewClientIdentity()
	c := azureClient(t, s, tenant, client, secret)
	s.SetPropagationDelay(principal, time.Hour)
	if _, err := s.AssignRole(ctx, s.ContainerScope(AzureAccount, container), "Storage Blob Data Reader", principal); err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewListBlobsFlatPager(container, nil).NextPage(ctx); !bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch) {
		t.Fatalf("list before the assignment took effect: want AuthorizationPermissionMismatch, got %v", err)
	}
}
