package accesscheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	azpolicy "github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// azureStorageScope is the OAuth scope of Azure Storage tokens.
const azureStorageScope = "https://storage.azure.com/.default"

// AzureCredentials are a Microsoft Entra application's client credentials
// (an azureblob integration). String, GoString and LogValue redact the
// secret.
type AzureCredentials struct {
	TenantID     string
	ClientID     string
	ClientSecret string
}

// String describes the credentials without the secret.
func (c AzureCredentials) String() string {
	return fmt.Sprintf("AzureCredentials{TenantID: %q, ClientID: %q, ClientSecret: %s}", c.TenantID, c.ClientID, redacted(c.ClientSecret))
}

// GoString is String, so %#v does not print the secret either.
func (c AzureCredentials) GoString() string { return c.String() }

// LogValue keeps the secret out of log/slog output.
func (c AzureCredentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("tenant_id", c.TenantID), slog.String("client_id", c.ClientID))
}

// identity names the principal to grant roles to, for messages.
func (c AzureCredentials) identity() string {
	return fmt.Sprintf("the service principal of application (client) ID %s in tenant %s", c.ClientID, c.TenantID)
}

func (c AzureCredentials) cacheKey() string {
	return hashKey("azure", strings.ToLower(c.TenantID), strings.ToLower(c.ClientID), c.ClientSecret)
}

// AzureTarget is the container location an Azure storage driver declares.
type AzureTarget struct {
	// Account is the storage account name.
	Account string
	// Container is the blob container (Data Lake Storage Gen2 file system).
	Container string
	// Path is the blob name prefix; normalized like S3Target.Path.
	Path string
	// AllowDelete means the platform may delete blobs under Path.
	AllowDelete bool
}

func validateAzureCredentials(creds AzureCredentials) error {
	if err := rules.AzureGUID("tenant ID", creds.TenantID); err != nil {
		return ruleInputError(InputTenantID, err)
	}
	if err := rules.AzureGUID("client ID", creds.ClientID); err != nil {
		return ruleInputError(InputClientID, err)
	}
	if creds.ClientSecret == "" {
		return &InputError{Field: InputClientSecret, Message: "must not be empty"}
	}
	return nil
}

func validateAzure(creds AzureCredentials, t AzureTarget) error {
	if err := validateAzureCredentials(creds); err != nil {
		return err
	}
	if err := rules.AzureStorageAccountName(t.Account); err != nil {
		return ruleInputError(InputStorageAccount, err)
	}
	if err := rules.AzureContainerName(t.Container); err != nil {
		return ruleInputError("container", err)
	}
	if err := rules.DriverPath(t.Path); err != nil {
		return ruleInputError("path", err)
	}
	return nil
}

// CheckAzureCredentials proves that Microsoft Entra ID issues an Azure
// Storage token for the client credentials (the "credentials" check) and,
// when account is set, that the storage account's Blob service exists and
// accepts the token (the "storage_account" check: one List Containers
// request, which a denial still answers, since container roles are checked
// per driver). Results are cached and errors reported as by CheckS3.
// Messages name the tenant and client IDs, never the secret.
func (c *Checker) CheckAzureCredentials(ctx context.Context, creds AzureCredentials, account string) (Result, error) {
	if err := validateAzureCredentials(creds); err != nil {
		return Result{}, err
	}
	if account != "" {
		if err := rules.AzureStorageAccountName(account); err != nil {
			return Result{}, ruleInputError(InputStorageAccount, err)
		}
	}
	key := hashKey(CheckCredentials, creds.cacheKey(), c.opts.AzureAuthorityHost, c.opts.AzureBlobEndpoint, account)
	return c.cached(ctx, key, func(ctx context.Context) (Result, error) {
		fields := map[string]any{"client_id": creds.ClientID, "storage_account": account}
		return c.run(ctx, "Azure credentials check", fields, func(ctx context.Context) (Result, error) {
			r := &azureRun{c: c, creds: creds}
			cred, err := r.token(ctx)
			if err != nil {
				return Result{}, err
			}
			if cred != nil && account != "" {
				if err := r.checkAccount(ctx, cred, account); err != nil {
					return Result{}, err
				}
			}
			return r.result(), nil
		})
	})
}

// checkAccount adds the storage_account check.
func (r *azureRun) checkAccount(ctx context.Context, cred azcore.TokenCredential, account string) error {
	svc, err := azblob.NewClient(AzureBlobServiceURL(r.c.opts.AzureBlobEndpoint, account), cred, &azblob.ClientOptions{ClientOptions: r.c.azureClientOptions()})
	if err != nil {
		return err
	}
	_, err = svc.NewListContainersPager(&azblob.ListContainersOptions{MaxResults: to.Ptr(int32(1))}).NextPage(ctx)
	var dnsErr *net.DNSError
	switch {
	case err == nil:
		r.add(Check{Name: CheckStorageAccount, Success: true, Message: fmt.Sprintf("Storage account %q accepted the token and listed its containers.", account)})
	case isDenied(err):
		r.add(Check{Name: CheckStorageAccount, Success: true, Message: fmt.Sprintf(
			"Storage account %q exists and accepted the token; listing its containers was denied (%s), which a driver does not need: each driver's check proves the role on its container.", account, storageCode(err))})
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound, bloberror.HasCode(err, bloberror.ResourceNotFound):
		r.add(Check{Name: CheckStorageAccount, Code: CodeNotFound, Input: InputStorageAccount, Message: fmt.Sprintf(
			"Storage account %q was not found: its Blob service does not answer. Check storage_account_name.", account)})
	default:
		var re *azcore.ResponseError
		if !errors.As(err, &re) {
			return fmt.Errorf("reaching storage account %s: %w", account, err)
		}
		r.add(Check{Name: CheckStorageAccount, Code: CodeFailed, Message: fmt.Sprintf("Storage account %q answered %s.", account, storageCode(err))})
	}
	return nil
}

// CheckAzureCredentialsUntilReady runs CheckAzureCredentials, retrying an
// application not known yet (a new app registration takes a while to reach
// every region of Microsoft Entra ID) until timeout passes.
func (c *Checker) CheckAzureCredentialsUntilReady(ctx context.Context, creds AzureCredentials, account string, timeout time.Duration) (Result, error) {
	return c.untilReady(ctx, timeout, map[string]any{"client_id": creds.ClientID}, func() (Result, error) {
		return c.CheckAzureCredentials(ctx, creds, account)
	})
}

// CheckAzureBlob obtains a token with the client credentials, then checks
// the container, lists under the path, writes, reads back and deletes a
// probe blob at <path>.dataloop/access-check, and reads one existing blob
// under the path when there is one. A successful result is reused as for
// CheckS3; the error is non-nil only when the check could not run.
func (c *Checker) CheckAzureBlob(ctx context.Context, creds AzureCredentials, t AzureTarget) (Result, error) {
	if err := validateAzure(creds, t); err != nil {
		return Result{}, err
	}
	t.Path = policy.NormalizePath(t.Path)
	key := hashKey("azureblob", creds.cacheKey(), c.opts.AzureAuthorityHost, c.opts.AzureBlobEndpoint, t.Account, t.Container, t.Path, fmt.Sprint(t.AllowDelete))
	return c.cached(ctx, key, func(ctx context.Context) (Result, error) {
		return c.runAzure(ctx, creds, t)
	})
}

// CheckAzureBlobUntilReady runs CheckAzureBlob until it succeeds, retrying
// only failures that role-assignment propagation explains (denied requests,
// an application not known yet); a missing container or a wrong secret fail
// at once. Azure documents up to 10 minutes for a role assignment to apply.
func (c *Checker) CheckAzureBlobUntilReady(ctx context.Context, creds AzureCredentials, t AzureTarget, timeout time.Duration) (Result, error) {
	return c.untilReady(ctx, timeout, map[string]any{"container": t.Container}, func() (Result, error) {
		return c.CheckAzureBlob(ctx, creds, t)
	})
}

type azureRun struct {
	recorder
	c      *Checker
	creds  AzureCredentials
	target AzureTarget
	client *container.Client
}

func (c *Checker) azureClientOptions() azcore.ClientOptions {
	o := azcore.ClientOptions{
		// NOTE: bounded, so a plan never waits long on one call; the
		// propagation retries are ours (untilReady).
		Retry: azpolicy.RetryOptions{MaxRetries: 2, TryTimeout: 30 * time.Second, MaxRetryDelay: 4 * time.Second},
	}
	if c.opts.AzureAuthorityHost != "" {
		o.Cloud = cloud.Configuration{ActiveDirectoryAuthorityHost: c.opts.AzureAuthorityHost, Services: map[cloud.ServiceName]cloud.ServiceConfiguration{}}
	}
	if c.opts.HTTPClient != nil {
		o.Transport = c.opts.HTTPClient
	}
	return o
}

func (c *Checker) azureCredential(creds AzureCredentials) (azcore.TokenCredential, error) {
	key := creds.cacheKey() + c.opts.AzureAuthorityHost
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if cred, ok := c.azureCreds[key]; ok {
		return cred, nil
	}
	cred, err := azidentity.NewClientSecretCredential(creds.TenantID, creds.ClientID, creds.ClientSecret, &azidentity.ClientSecretCredentialOptions{
		ClientOptions: c.azureClientOptions(),
		// A custom authority (local stack, Azure Stack) has no instance
		// metadata at login.microsoftonline.com to discover.
		DisableInstanceDiscovery: c.opts.AzureAuthorityHost != "",
	})
	if err != nil {
		return nil, err
	}
	if c.azureCreds == nil {
		c.azureCreds = map[string]azcore.TokenCredential{}
	}
	c.azureCreds[key] = cred
	return cred, nil
}

// AzureBlobServiceURL is the Blob service URL of account under endpoint
// (see Options.AzureBlobEndpoint).
func AzureBlobServiceURL(endpoint, account string) string {
	switch {
	case endpoint == "":
		return "https://" + account + ".blob.core.windows.net/"
	case strings.Contains(endpoint, "{account}"):
		return strings.ReplaceAll(endpoint, "{account}", account)
	}
	return strings.TrimSuffix(endpoint, "/") + "/" + account
}

// aadstsCode finds Microsoft Entra's AADSTS error number in an error.
var aadstsCode = regexp.MustCompile(`AADSTS(\d+)`)

// token adds the credentials check. It returns the credential when Entra
// ID issued a token, nil when the check failed.
func (r *azureRun) token(ctx context.Context) (azcore.TokenCredential, error) {
	cred, err := r.c.azureCredential(r.creds)
	if err != nil {
		return nil, err
	}
	_, err = cred.GetToken(ctx, azpolicy.TokenRequestOptions{Scopes: []string{azureStorageScope}})
	if err == nil {
		r.add(Check{Name: CheckCredentials, Success: true, Message: fmt.Sprintf(
			"Microsoft Entra ID issued an Azure Storage token to application (client) ID %s in tenant %s (client-credentials flow).", r.creds.ClientID, r.creds.TenantID)})
		return cred, nil
	}
	var af *azidentity.AuthenticationFailedError
	if !errors.As(err, &af) || af.RawResponse == nil {
		return nil, fmt.Errorf("requesting a token from Microsoft Entra ID for client %s: %w", r.creds.ClientID, err)
	}
	code := ""
	if m := aadstsCode.FindStringSubmatch(err.Error()); m != nil {
		code = "AADSTS" + m[1]
	}
	ch := Check{Name: CheckCredentials, Code: CodeBadCredentials}
	switch code {
	case "AADSTS90002", "AADSTS900023":
		// A tenant does not appear later, unlike a new application.
		ch.Input, ch.Code = InputTenantID, CodeNotFound
		ch.Message = fmt.Sprintf("Microsoft Entra ID does not know tenant %s (%s). Check tenant_id: it is the Directory (tenant) ID of the app registration.", r.creds.TenantID, code)
	case "AADSTS700016":
		ch.Input, ch.Code, ch.retryable = InputClientID, CodeUnknownIdentity, true
		ch.Message = fmt.Sprintf("Microsoft Entra ID has no application with client ID %s in tenant %s (%s). Check client_id: it is the Application (client) ID; an app registered moments ago can take a while to appear.", r.creds.ClientID, r.creds.TenantID, code)
	case "AADSTS7000215", "AADSTS7000222", "AADSTS7000216":
		ch.Input = InputClientSecret
		ch.Message = fmt.Sprintf("Microsoft Entra ID rejected the client secret of application (client) ID %s in tenant %s (%s: invalid or expired). Use the secret's Value (not its Secret ID) and bump client_secret_wo_version.", r.creds.ClientID, r.creds.TenantID, code)
	default:
		ch.Message = fmt.Sprintf("Microsoft Entra ID refused a token to application (client) ID %s in tenant %s (HTTP %d %s).", r.creds.ClientID, r.creds.TenantID, af.RawResponse.StatusCode, code)
	}
	r.add(ch)
	return nil, nil
}

func (c *Checker) runAzure(ctx context.Context, creds AzureCredentials, t AzureTarget) (Result, error) {
	fields := map[string]any{"storage_account": t.Account, "container": t.Container, "path": t.Path, "client_id": creds.ClientID, "allow_delete": t.AllowDelete}
	return c.run(ctx, "Azure access check", fields, func(ctx context.Context) (Result, error) {
		r := &azureRun{c: c, creds: creds, target: t}
		cred, err := r.token(ctx)
		if err != nil || cred == nil {
			return r.result(), err
		}
		svc, err := azblob.NewClient(AzureBlobServiceURL(c.opts.AzureBlobEndpoint, t.Account), cred, &azblob.ClientOptions{ClientOptions: c.azureClientOptions()})
		if err != nil {
			return Result{}, err
		}
		r.client = svc.ServiceClient().NewContainerClient(t.Container)
		if err := r.run(ctx); err != nil {
			return Result{}, err
		}
		return r.result(), nil
	})
}

func (r *azureRun) where() string {
	if r.target.Path == "" {
		return fmt.Sprintf("the root of container %q", r.target.Container)
	}
	return fmt.Sprintf("%q in container %q", r.target.Path, r.target.Container)
}

func (r *azureRun) run(ctx context.Context) error {
	t := r.target
	_, err := r.client.GetProperties(ctx, nil)
	switch {
	case err == nil:
		r.add(Check{Name: CheckContainer, Success: true, Message: fmt.Sprintf("Container %q exists in storage account %q.", t.Container, t.Account)})
	case bloberror.HasCode(err, bloberror.ContainerNotFound):
		r.add(Check{Name: CheckContainer, Code: CodeNotFound, Message: fmt.Sprintf("Container %q does not exist in storage account %q. Check the container name, or create it.", t.Container, t.Account)})
		return nil
	case bloberror.HasCode(err, bloberror.ResourceNotFound, bloberror.AccountIsDisabled):
		r.add(Check{Name: CheckContainer, Code: CodeNotFound, Message: fmt.Sprintf("Storage account %q was not found (%s). Check the storage account name.", t.Account, storageCode(err))})
		return nil
	case isDenied(err):
		// Azure authorizes before it looks: a denial proves nothing about
		// the container, and the list check reports the role.
		r.add(Check{Name: CheckContainer, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf(
			"Could not confirm that container %q exists: reading its properties was denied (%s).", t.Container, storageCode(err))})
	default:
		ch, err := r.failure(CheckContainer, policy.AzureRoleBlobDataReader, "reading the properties of container "+t.Container, err)
		if err != nil {
			return err
		}
		r.add(ch)
		return nil
	}
	steps := &objectRun{
		c: r.c, store: azureStore{r}, rec: &r.recorder,
		words: storeWords{
			object: "blob", container: "container", metadata: "properties",
			at: func(name string) string { return fmt.Sprintf("%s in container %q", name, t.Container) },
		},
		path: t.Path, where: r.where(), allowDelete: t.AllowDelete,
		lockKey: hashKey("azure", r.c.opts.AzureBlobEndpoint, t.Account, t.Container, t.Path+ProbeKey),
	}
	return steps.run(ctx)
}

// azureStore is the objectStore of an Azure Blob check.
type azureStore struct{ r *azureRun }

func (s azureStore) list(ctx context.Context, prefix string) ([]string, error) {
	pager := s.r.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr(prefix), MaxResults: to.Ptr(int32(maxListed))})
	page, err := pager.NextPage(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, b := range page.Segment.BlobItems {
		if b.Name != nil {
			names = append(names, *b.Name)
		}
	}
	return names, nil
}

func (s azureStore) put(ctx context.Context, name string, content []byte) error {
	_, err := s.r.client.NewBlockBlobClient(name).UploadBuffer(ctx, content, nil)
	return err
}

func (s azureStore) get(ctx context.Context, name string) ([]byte, error) {
	return download(ctx, s.r.client.NewBlobClient(name), nil)
}

func (s azureStore) peek(ctx context.Context, name string) error {
	b := s.r.client.NewBlobClient(name)
	if _, err := b.GetProperties(ctx, nil); err != nil {
		return err
	}
	_, err := download(ctx, b, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 0, Count: 1}})
	return err
}

func (s azureStore) delete(ctx context.Context, name string) error {
	_, err := s.r.client.NewBlobClient(name).Delete(ctx, nil)
	return err
}

func (azureStore) isNotFound(err error) bool { return bloberror.HasCode(err, bloberror.BlobNotFound) }

// failure names the least built-in role that allows op.
func (s azureStore) failure(name string, op storeOp, doing string, _ bool, err error) (Check, error) {
	role := policy.AzureRoleBlobDataContributor
	if op == opList || op == opGet {
		role = policy.AzureRoleBlobDataReader
	}
	return s.r.failure(name, role, doing, err)
}

func download(ctx context.Context, b *blob.Client, o *blob.DownloadStreamOptions) ([]byte, error) {
	out, err := b.DownloadStream(ctx, o)
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(io.LimitReader(out.Body, 4096))
}

// failure turns a Blob service error into a failed check; role is the
// least built-in role that allows the operation. Errors that are not
// service responses (network, canceled context) are returned.
func (r *azureRun) failure(name, role, doing string, err error) (Check, error) {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return Check{}, fmt.Errorf("%s: %w", doing, err)
	}
	ch := Check{Name: name, Code: CodeFailed}
	switch {
	case isDenied(err):
		ch.Code, ch.retryable = CodeDenied, true
		grant := fmt.Sprintf("%q", role)
		if role != policy.AzureRoleBlobDataContributor {
			grant = fmt.Sprintf("%q (or %q, which a driver needs to write its files)", role, policy.AzureRoleBlobDataContributor)
		}
		ch.Message = fmt.Sprintf("Access denied while %s (%s). Grant %s on container %q of storage account %q to %s. Role assignments can take several minutes to apply.",
			doing, storageCode(err), grant, r.target.Container, r.target.Account, r.creds.identity())
		ch.Hint = policy.AzureRoleHint(role, r.target.Account, r.target.Container, r.creds.TenantID, r.creds.ClientID)
	case re.StatusCode == http.StatusUnauthorized:
		ch.Code = CodeBadCredentials
		ch.Message = fmt.Sprintf("Azure Storage did not accept the token while %s (%s).", doing, storageCode(err))
	default:
		ch.Message = fmt.Sprintf("%s failed: %s.", upperFirst(doing), storageCode(err))
	}
	return ch, nil
}

func isDenied(err error) bool {
	var re *azcore.ResponseError
	return bloberror.HasCode(err, bloberror.AuthorizationPermissionMismatch, bloberror.AuthorizationFailure, "AuthorizationPermissionDenied") ||
		errors.As(err, &re) && re.StatusCode == http.StatusForbidden
}

// storageCode renders a Blob service error as its code and status, which
// never carry credentials.
func storageCode(err error) string {
	var re *azcore.ResponseError
	if !errors.As(err, &re) {
		return "no response"
	}
	if re.ErrorCode != "" {
		return fmt.Sprintf("%s, HTTP %d", re.ErrorCode, re.StatusCode)
	}
	return fmt.Sprintf("HTTP %d %s", re.StatusCode, http.StatusText(re.StatusCode))
}
