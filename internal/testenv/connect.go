package testenv

import (
	"net/http"
	"time"
)

// This file lets a second process use a local GCS or Azure stack that
// another process started (cmd/dataloop-localstack serves them for the
// demo; its subcommands create buckets, roles and assignments).

// AzureStackInfo is what a client process needs to reach a running local
// Azure stack: the front's URLs and management token, and Azurite's URL and
// account keys (the storage account owner's view).
type AzureStackInfo struct {
	AuthorityHost      string
	ManagementEndpoint string
	BlobEndpoint       string
	SubscriptionID     string
	ResourceGroup      string
	ManagementToken    string
	AzuriteEndpoint    string
	// Accounts maps each storage account to its base64 key.
	Accounts map[string]string
}

// Info returns what ConnectAzureStack needs to reach this stack.
func (s *AzureStack) Info() AzureStackInfo {
	return AzureStackInfo{
		AuthorityHost: s.AuthorityHost, ManagementEndpoint: s.ManagementEndpoint, BlobEndpoint: s.BlobEndpoint,
		SubscriptionID: s.SubscriptionID, ResourceGroup: s.ResourceGroup, ManagementToken: s.ManagementToken,
		AzuriteEndpoint: s.Azurite.Endpoint, Accounts: s.Azurite.Accounts,
	}
}

// ConnectAzureStack returns a client of a stack another process runs. Its
// ARM and blob helpers work (AssignRole, CreateContainer, PutBlob,
// ListBlobs, ContainerScope); what lives in the serving process does not
// (RegisterClient, SetPropagationDelay, Stop). The front's test CA must be
// trusted through SSL_CERT_FILE.
func ConnectAzureStack(info AzureStackInfo) *AzureStack {
	front := &AzureFront{
		AuthorityHost: info.AuthorityHost, ManagementEndpoint: info.ManagementEndpoint, BlobEndpoint: info.BlobEndpoint,
		SubscriptionID: info.SubscriptionID, ResourceGroup: info.ResourceGroup, ManagementToken: info.ManagementToken,
	}
	return &AzureStack{
		AzureFront: front,
		Azurite:    &Azurite{Endpoint: info.AzuriteEndpoint, Accounts: info.Accounts},
		arm:        &http.Client{Timeout: time.Minute},
	}
}

// ConnectGCS returns a client of a local GCS another process runs: its
// admin helpers (CreateBucket, CreateServiceAccount, CreateRole,
// AddBucketBinding, AllowImpersonation, ...) work; Stop does nothing.
func ConnectGCS(endpoint, adminToken string) *GCS {
	return &GCS{Endpoint: endpoint, TokenURI: endpoint + "/token", AdminToken: adminToken}
}
