package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// Names of the variables of the env file.
const (
	envGCSEndpoint        = "DATALOOP_LOCAL_GCS_ENDPOINT"
	envGCSAdminToken      = "DATALOOP_LOCAL_GCS_ADMIN_TOKEN"
	envGCPPlatformKeyFile = "DATALOOP_LOCAL_GCP_PLATFORM_KEY_FILE"
	envGCPProject         = "DATALOOP_LOCAL_GCP_PROJECT"

	envAzureAuthorityHost      = "DATALOOP_LOCAL_AZURE_AUTHORITY_HOST"
	envAzureBlobEndpoint       = "DATALOOP_LOCAL_AZURE_BLOB_ENDPOINT"
	envAzureManagementEndpoint = "DATALOOP_LOCAL_AZURE_MANAGEMENT_ENDPOINT"
	envAzureManagementToken    = "DATALOOP_LOCAL_AZURE_MANAGEMENT_TOKEN"
	envAzureSubscriptionID     = "DATALOOP_LOCAL_AZURE_SUBSCRIPTION_ID"
	envAzureResourceGroup      = "DATALOOP_LOCAL_AZURE_RESOURCE_GROUP"
	envAzuriteEndpoint         = "DATALOOP_LOCAL_AZURITE_ENDPOINT"
	envAzureAccount            = "DATALOOP_LOCAL_AZURE_ACCOUNT"
	envAzureAccountKey         = "DATALOOP_LOCAL_AZURE_ACCOUNT_KEY"
	envAzureTenantID           = "DATALOOP_LOCAL_AZURE_TENANT_ID"
	envAzureClientID           = "DATALOOP_LOCAL_AZURE_CLIENT_ID"
	envAzureClientSecret       = "DATALOOP_LOCAL_AZURE_CLIENT_SECRET"
	envAzurePrincipalID        = "DATALOOP_LOCAL_AZURE_PRINCIPAL_ID"
)

// serve starts the services, writes the env file and waits for ctx.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve")
	dir := fs.String("dir", "", "directory for the services' logs, the test CA and the platform key (created if missing)")
	envFile := fs.String("env-file", "", "shell file to write the endpoints and credentials to (mode 0600)")
	withParent := fs.Bool("die-with-parent", true, "stop when the parent process dies (Linux); false keeps serving until signaled")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *envFile == "" {
		return fmt.Errorf("serve needs -dir and -env-file")
	}
	if *withParent {
		dieWithParent()
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}

	gcs, err := testenv.StartGCSProcess(ctx, testenv.GCSOptions{Dir: abs, Logf: func(format string, args ...any) {
		fmt.Fprintf(stderr, "gcs front: "+format+"\n", args...)
	}})
	if err != nil {
		return fmt.Errorf("starting the local GCS: %w", err)
	}
	defer gcs.Stop()

	ca, err := testenv.NewTestCA(filepath.Join(abs, "test-ca.pem"))
	if err != nil {
		return err
	}
	az, err := testenv.StartAzureStack(ctx, testenv.AzureOptions{CA: ca, Dir: abs})
	if err != nil {
		return fmt.Errorf("starting the local Azure stack: %w", err)
	}
	defer az.Stop()

	// The platform's own service account, which gcp-cross integrations
	// expose and the emulator checks gcs drivers with (-gcp-platform-key).
	_, platformKey, err := gcs.CreateServiceAccount(ctx, "dataloop-platform")
	if err != nil {
		return fmt.Errorf("creating the platform's service account: %w", err)
	}
	platformKeyFile := filepath.Join(abs, "gcp-platform-key.json")
	if err := os.WriteFile(platformKeyFile, platformKey, 0o600); err != nil {
		return err
	}
	// One application registered in Microsoft Entra ID, as azuread_application
	// and azuread_service_principal_password would make it.
	tenant, client, secret, principal := az.NewClientIdentity()

	info := az.Info()
	vars := map[string]string{
		envGCSEndpoint: gcs.Endpoint, envGCSAdminToken: gcs.AdminToken, envGCPPlatformKeyFile: platformKeyFile,
		envGCPProject:         testenv.GCSProject,
		envAzureAuthorityHost: info.AuthorityHost, envAzureBlobEndpoint: info.BlobEndpoint,
		envAzureManagementEndpoint: info.ManagementEndpoint, envAzureManagementToken: info.ManagementToken,
		envAzureSubscriptionID: info.SubscriptionID, envAzureResourceGroup: info.ResourceGroup,
		envAzuriteEndpoint: info.AzuriteEndpoint, envAzureAccount: testenv.AzureAccount,
		envAzureAccountKey: info.Accounts[testenv.AzureAccount],
		envAzureTenantID:   tenant, envAzureClientID: client, envAzureClientSecret: secret, envAzurePrincipalID: principal,
		// Trust the Azure front's test CA in addition to the system's roots.
		"SSL_CERT_FILE": ca.BundleFile,
	}
	if err := writeEnvFile(*envFile, vars); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gcs:   %s (fake-gcs-server at %s)\n", gcs.Endpoint, gcs.Backend)
	fmt.Fprintf(stdout, "azure: blob %s, authority %s, management %s (Azurite at %s)\n",
		info.BlobEndpoint, info.AuthorityHost, info.ManagementEndpoint, info.AzuriteEndpoint)
	fmt.Fprintf(stdout, "credentials: %s\n", *envFile)

	<-ctx.Done()
	return nil
}

// writeEnvFile writes `export NAME='value'` lines, sorted, to a new file
// renamed into place, so a reader never sees half of it.
func writeEnvFile(file string, vars map[string]string) error {
	names := make([]string, 0, len(vars))
	for k := range vars {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("# Written by dataloop-localstack serve: local test services only. Holds secrets; do not print.\n")
	for _, k := range names {
		fmt.Fprintf(&b, "export %s='%s'\n", k, strings.ReplaceAll(vars[k], "'", `'\''`))
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
