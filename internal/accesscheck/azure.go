package accesscheck

import (
	"bytes"
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
		if err := c.acquire(ctx); err != nil {
			return Result{}, err
		}
		defer func() { <-c.sem }()
		c.checkRuns.Add(1)
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
		return Result{Checks: r.checks}, nil
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
	c      *Checker
	creds  AzureCredentials
	target AzureTarget
	client *container.Client
	checks []Check
}

func (r *azureRun) add(ch Check) { r.checks = append(r.checks, ch) }

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
		ch.Input, ch.Code = InputTenantID, CodeUnknownIdentity
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
	if err := c.acquire(ctx); err != nil {
		return Result{}, err
	}
	defer func() { <-c.sem }()
	c.checkRuns.Add(1)
	started := c.now()
	fields := map[string]any{"storage_account": t.Account, "container": t.Container, "path": t.Path, "client_id": creds.ClientID, "allow_delete": t.AllowDelete}
	c.debug(ctx, "Running Azure access check", fields)

	r := &azureRun{c: c, creds: creds, target: t}
	cred, err := r.token(ctx)
	if err != nil {
		return Result{}, err
	}
	if cred != nil {
		svc, err := azblob.NewClient(AzureBlobServiceURL(c.opts.AzureBlobEndpoint, t.Account), cred, &azblob.ClientOptions{ClientOptions: c.azureClientOptions()})
		if err != nil {
			return Result{}, err
		}
		r.client = svc.ServiceClient().NewContainerClient(t.Container)
		if err := r.run(ctx); err != nil {
			return Result{}, err
		}
	}
	res := Result{Checks: r.checks}
	fields["success"] = res.Success()
	fields["duration_ms"] = c.now().Sub(started).Milliseconds()
	if !res.Success() {
		fields["failed"] = res.Error()
	}
	c.debug(ctx, "Azure access check finished", fields)
	return res, nil
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

	dataBlob, err := r.list(ctx)
	if err != nil {
		return err
	}
	if err := r.probe(ctx); err != nil {
		return err
	}
	return r.readData(ctx, dataBlob)
}

// list adds the list check and returns the name of a data blob under the
// path (outside .dataloop/), "" when none was seen.
func (r *azureRun) list(ctx context.Context) (string, error) {
	t := r.target
	pager := r.client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: to.Ptr(t.Path), MaxResults: to.Ptr(int32(50))})
	page, err := pager.NextPage(ctx)
	if err != nil {
		ch, err := r.failure(CheckList, policy.AzureRoleBlobDataReader, "listing blobs under "+r.where(), err)
		if err != nil {
			return "", err
		}
		r.add(ch)
		return "", nil
	}
	r.add(Check{Name: CheckList, Success: true, Message: fmt.Sprintf("Listed blobs under %s.", r.where())})
	for _, b := range page.Segment.BlobItems {
		if b.Name != nil && !strings.HasPrefix(*b.Name, t.Path+".dataloop/") && !strings.HasSuffix(*b.Name, "/") {
			return *b.Name, nil
		}
	}
	return "", nil
}

// probe writes, reads back and deletes the probe blob.
func (r *azureRun) probe(ctx context.Context) error {
	t := r.target
	name := t.Path + ProbeKey
	mu := r.c.probeLock(hashKey("azure", r.c.opts.AzureBlobEndpoint, t.Account, t.Container, name))
	mu.Lock()
	defer mu.Unlock()

	b := r.client.NewBlockBlobClient(name)
	content := newProbeContent()
	if _, err := b.UploadBuffer(ctx, content, nil); err != nil {
		ch, err := r.failure(CheckWrite, policy.AzureRoleBlobDataContributor, "writing the probe blob "+name, err)
		if err != nil {
			return err
		}
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckWrite, Success: true, Message: fmt.Sprintf("Wrote the probe blob %s in container %q.", name, t.Container)})

	// From here on the probe exists: remove it even if the context ends.
	readErr := r.readProbe(ctx, b.BlobClient(), name, content)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	deleteErr := r.deleteProbe(cleanupCtx, name)
	if readErr != nil {
		return readErr
	}
	if deleteErr != nil {
		return deleteErr
	}
	return ctx.Err()
}

func (r *azureRun) readProbe(ctx context.Context, b *blob.Client, name string, want []byte) error {
	got, err := download(ctx, b, nil)
	switch {
	case err == nil && bytes.Equal(got, want):
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe blob %s back.", name)})
	case err == nil && bytes.HasPrefix(got, []byte(probeContentPrefix)):
		r.add(Check{Name: CheckRead, Success: true, Message: fmt.Sprintf("Read the probe blob %s back (another access check rewrote it meanwhile).", name)})
	case err == nil:
		r.add(Check{Name: CheckRead, Code: CodeContentMismatch, Message: fmt.Sprintf("Read the probe blob %s back, but its content differs from what was written. Check that nothing rewrites blobs in this container.", name)})
	case bloberror.HasCode(err, bloberror.BlobNotFound):
		r.add(Check{Name: CheckRead, retryable: true, Code: CodeFailed, Message: fmt.Sprintf("The probe blob %s was gone right after it was written (another access check may have removed it).", name)})
	default:
		ch, err := r.failure(CheckRead, policy.AzureRoleBlobDataReader, "reading the probe blob "+name, err)
		if err != nil {
			return err
		}
		r.add(ch)
	}
	return nil
}

func (r *azureRun) deleteProbe(ctx context.Context, name string) error {
	t := r.target
	_, err := r.client.NewBlobClient(name).Delete(ctx, nil)
	if err != nil {
		ch, ferr := r.failure(CheckDelete, policy.AzureRoleBlobDataContributor, "deleting the probe blob "+name, err)
		if ferr != nil {
			return ferr
		}
		if !t.AllowDelete && ch.Code == CodeDenied {
			ch.Success, ch.Warning, ch.retryable = true, true, false
			ch.Message += " The probe blob stays in the container; deleting is not required because allow_delete is false."
		}
		r.add(ch)
		return nil
	}
	if !t.AllowDelete {
		r.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe blob %s.", name)})
		return nil
	}
	// Prove delete outside the probe folder too: Azure authorizes a delete
	// before it looks for the blob, so deleting a missing one answers
	// BlobNotFound when allowed.
	other := t.Path + DeleteProbeKey
	_, err = r.client.NewBlobClient(other).Delete(ctx, nil)
	if err != nil && !bloberror.HasCode(err, bloberror.BlobNotFound) {
		ch, err := r.failure(CheckDelete, policy.AzureRoleBlobDataContributor, "deleting "+other, err)
		if err != nil {
			return err
		}
		ch.Message += " allow_delete is true, so the platform needs it."
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckDelete, Success: true, Message: fmt.Sprintf("Deleted the probe blob %s; deleting is allowed under %s.", name, r.where())})
	return nil
}

// readData reads the first byte of one existing blob under the path, so a
// role that reaches only the probe folder cannot pass.
func (r *azureRun) readData(ctx context.Context, name string) error {
	if name == "" {
		r.add(Check{Name: CheckReadData, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf(
			"No blob under %s outside .dataloop/ to read, so reading data blobs was not proven.", r.where())})
		return nil
	}
	b := r.client.NewBlobClient(name)
	_, err := b.GetProperties(ctx, nil)
	if err == nil {
		_, err = download(ctx, b, &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: 0, Count: 1}})
	}
	if err != nil {
		if bloberror.HasCode(err, bloberror.BlobNotFound) {
			r.add(Check{Name: CheckReadData, Success: true, Warning: true, Code: CodeNotProven, Message: fmt.Sprintf(
				"The data blob %s disappeared before it could be read, so reading data blobs was not proven.", name)})
			return nil
		}
		ch, err := r.failure(CheckReadData, policy.AzureRoleBlobDataReader, "reading the data blob "+name, err)
		if err != nil {
			return err
		}
		r.add(ch)
		return nil
	}
	r.add(Check{Name: CheckReadData, Success: true, Message: fmt.Sprintf("Read the properties and the first byte of the data blob %s.", name)})
	return nil
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
