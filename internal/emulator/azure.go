package emulator

import (
	"context"
	"net/http"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
)

// AzureOptions points the emulator's storage checks of azureblob and
// azureDatalakeGen2 drivers at a Microsoft Entra authority and a Blob
// service (the local Azure stack in tests and the demo).
type AzureOptions struct {
	// BlobEndpoint is the Blob service URL (see
	// accesscheck.Options.AzureBlobEndpoint).
	BlobEndpoint string
	// AuthorityHost is the Microsoft Entra authority (HTTPS).
	AuthorityHost string
	// HTTPClient is optional.
	HTTPClient *http.Client
}

// Driver types served by an azureblob integration.
const (
	driverAzureBlob     = "azureblob"
	driverAzureDataLake = "azureDatalakeGen2"
)

func isAzureDriver(typ string) bool { return typ == driverAzureBlob || typ == driverAzureDataLake }

func newAzureChecker(o AzureOptions) *accesscheck.Checker {
	return accesscheck.New(accesscheck.Options{AzureBlobEndpoint: o.BlobEndpoint, AzureAuthorityHost: o.AuthorityHost, HTTPClient: o.HTTPClient, ResultTTL: -1})
}

// azurePayloadFields maps the checker's Azure input names to the request
// fields they come from.
var azurePayloadFields = map[string]string{"container": "payload.containerName", "path": "payload.path"}

// runAzureDriverTest checks an Azure driver with its integration's client
// credentials, as the platform does: options key is the storage account
// name, secret the client secret (the console's "Account name" and "Client
// secret"; the spec's AzureBlobIntegrationConfig calls them accountName and
// clientSecret).
func (s *Server) runAzureDriverTest(ctx context.Context, w http.ResponseWriter, t testTarget) {
	in := t.integ
	if in.Type != typeAzureBlob {
		s.writeTestFailure(w, "integration type "+in.Type+" cannot access Azure storage", nil)
		return
	}
	if s.azureChecker == nil {
		s.writeTestFailure(w, "the emulator has no Azure endpoints configured "+
			"(start it with -azure-blob-endpoint and -azure-authority-host or set Options.Azure), so storage access cannot be checked", nil)
		return
	}
	creds := accesscheck.AzureCredentials{}
	creds.TenantID, _ = in.Options["tenantId"].(string)
	creds.ClientID, _ = in.Options["clientId"].(string)
	creds.ClientSecret, _ = in.Options["secret"].(string)
	account, _ := in.Options["key"].(string)
	target := accesscheck.AzureTarget{Account: account, Container: t.loc.ContainerName, Path: t.loc.Path, AllowDelete: t.allowDelete}

	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	res, err := s.azureChecker.CheckAzureBlob(ctx, creds, target)
	s.writeCheckAnswer(w, "azure", in.ID, azurePayloadFields, res, err)
}

// writeTestFailure answers a failed storage test with 424 {message, checks[]}; in
// strict mode only {message}, as the published API documents no body.
func (s *Server) writeTestFailure(w http.ResponseWriter, msg string, checks []checkJSON) {
	if s.opts.Strict {
		checks = nil
	}
	writeJSON(w, http.StatusFailedDependency, testFailure{Message: msg, Checks: checks})
}
