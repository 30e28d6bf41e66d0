package testenv

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"
)

// AzureFront is a test-only stand-in for the parts of Azure that Azurite
// lacks: Microsoft Entra ID's client-credentials token endpoint, the ARM
// roleAssignments API, and Azure Storage's check of a bearer token against
// the role assignments. Storage operations themselves are forwarded to
// Azurite, signed with an account SAS.
//
// It serves three HTTPS listeners on 127.0.0.1, each with a certificate of
// the process's TestCA:
//   - AuthorityHost: /{tenant}/v2.0/.well-known/openid-configuration and
//     /{tenant}/oauth2/v2.0/token (grant_type=client_credentials only);
//   - ManagementEndpoint: {scope}/providers/Microsoft.Authorization/
//     roleAssignments[/{name}] (PUT, GET, DELETE), with the bearer token
//     ManagementToken;
//   - BlobEndpoint: path-style Blob service URLs, <BlobEndpoint>/<account>/...
//
// It is never part of the provider binary.
type AzureFront struct {
	AuthorityHost      string
	ManagementEndpoint string
	BlobEndpoint       string
	// SubscriptionID and ResourceGroup place the storage accounts in ARM:
	// /subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<account>.
	SubscriptionID string
	ResourceGroup  string
	// ManagementToken authorizes ARM requests.
	ManagementToken string

	azurite  *url.URL
	sasQuery map[string]string // account -> account SAS query
	servers  []*http.Server

	mu          sync.Mutex
	principals  map[string]*azurePrincipal // tenant/client -> principal
	tokens      map[string]azureToken
	assignments map[string]roleAssignment // lower-case id -> assignment
	// propagation delays the effect of a principal's new role assignments,
	// as Azure's take minutes to apply.
	propagation map[string]time.Duration
	now         func() time.Time
}

type azurePrincipal struct {
	tenantID, clientID, secret, objectID string
}

type azureToken struct {
	principal *azurePrincipal
	audience  string
	expires   time.Time
}

type roleAssignment struct {
	ID               string
	Name             string
	Scope            string
	RoleDefinitionID string
	PrincipalID      string
	effective        time.Time
}

// AzureRole is a built-in Azure role the front knows.
type AzureRole struct {
	Name string
	// ID is the role definition's GUID, the same in every subscription.
	ID string
	// Actions and DataActions the role grants; "*" as the last segment
	// matches the rest.
	Actions, DataActions []string
}

// Data-plane permissions, as Azure Storage names them.
const (
	AzureContainersRead   = "Microsoft.Storage/storageAccounts/blobServices/containers/read"
	AzureContainersWrite  = "Microsoft.Storage/storageAccounts/blobServices/containers/write"
	AzureContainersDelete = "Microsoft.Storage/storageAccounts/blobServices/containers/delete"
	AzureBlobsRead        = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
	AzureBlobsWrite       = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write"
	AzureBlobsDelete      = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete"
)

// AzureRoles are the built-in roles the front grants from, with the
// permissions Azure documents for them.
var AzureRoles = []AzureRole{
	{Name: "Storage Blob Data Reader", ID: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
		Actions:     []string{AzureContainersRead},
		DataActions: []string{AzureBlobsRead}},
	{Name: "Storage Blob Data Contributor", ID: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
		Actions:     []string{AzureContainersRead, AzureContainersWrite, AzureContainersDelete},
		DataActions: []string{AzureBlobsRead, AzureBlobsWrite, AzureBlobsDelete, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action", "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action"}},
	{Name: "Storage Blob Data Owner", ID: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
		Actions:     []string{"Microsoft.Storage/storageAccounts/blobServices/containers/*"},
		DataActions: []string{"Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*"}},
	// Reader reads the control plane only: it grants no blob data access.
	{Name: "Reader", ID: "acdd72a7-3385-485e-bd3e-eb90e7f3fc38", Actions: []string{"*/read"}},
}

// AzureRoleByName returns the built-in role called name.
func AzureRoleByName(name string) (AzureRole, bool) {
	for _, r := range AzureRoles {
		if strings.EqualFold(r.Name, name) {
			return r, true
		}
	}
	return AzureRole{}, false
}

func azureRoleByDefinitionID(id string) (AzureRole, bool) {
	guid := id[strings.LastIndex(id, "/")+1:]
	for _, r := range AzureRoles {
		if strings.EqualFold(r.ID, guid) {
			return r, true
		}
	}
	return AzureRole{}, false
}

func (r AzureRole) grants(permission string, data bool) bool {
	list := r.Actions
	if data {
		list = r.DataActions
	}
	for _, p := range list {
		if strings.EqualFold(p, permission) || p == "*/read" && strings.HasSuffix(permission, "/read") ||
			strings.HasSuffix(p, "/*") && strings.HasPrefix(strings.ToLower(permission), strings.ToLower(strings.TrimSuffix(p, "*"))) {
			return true
		}
	}
	return false
}

// startAzureFront serves the front for the accounts Azurite serves.
func startAzureFront(az *Azurite, ca *TestCA) (*AzureFront, error) {
	target, err := url.Parse(az.Endpoint)
	if err != nil {
		return nil, err
	}
	f := &AzureFront{
		SubscriptionID:  newGUID(),
		ResourceGroup:   "dataloop-local",
		ManagementToken: "local-arm-" + randomHex(16),
		azurite:         target,
		sasQuery:        map[string]string{},
		principals:      map[string]*azurePrincipal{},
		tokens:          map[string]azureToken{},
		assignments:     map[string]roleAssignment{},
		propagation:     map[string]time.Duration{},
		now:             time.Now,
	}
	for account, key := range az.Accounts {
		cred, err := azblob.NewSharedKeyCredential(account, key)
		if err != nil {
			return nil, err
		}
		q, err := sas.AccountSignatureValues{
			Protocol:      sas.ProtocolHTTPSandHTTP,
			ExpiryTime:    time.Now().Add(30 * 24 * time.Hour).UTC(),
			Permissions:   (&sas.AccountPermissions{Read: true, Write: true, Delete: true, List: true, Add: true, Create: true, Update: true, Process: true, Tag: true, FilterByTags: true, DeletePreviousVersion: true, PermanentDelete: true}).String(),
			ResourceTypes: (&sas.AccountResourceTypes{Service: true, Container: true, Object: true}).String(),
		}.SignWithSharedKey(cred)
		if err != nil {
			return nil, err
		}
		f.sasQuery[account] = q.Encode()
	}
	cert, err := ca.ServerCertificate()
	if err != nil {
		return nil, err
	}
	serve := func(h http.Handler) (string, error) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second,
			TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
		f.servers = append(f.servers, srv)
		go func() { _ = srv.ServeTLS(ln, "", "") }()
		return "https://" + ln.Addr().String(), nil
	}
	if f.AuthorityHost, err = serve(http.HandlerFunc(f.serveAuthority)); err != nil {
		return nil, err
	}
	f.AuthorityHost += "/"
	if f.ManagementEndpoint, err = serve(http.HandlerFunc(f.serveARM)); err != nil {
		f.Close()
		return nil, err
	}
	if f.BlobEndpoint, err = serve(f.blobHandler()); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Close stops the listeners.
func (f *AzureFront) Close() {
	for _, s := range f.servers {
		_ = s.Close()
	}
}

// SetPropagationDelay makes the role assignments of principalID created
// from now on take effect only after d, as Azure's take a while to apply.
func (f *AzureFront) SetPropagationDelay(principalID string, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.propagation[strings.ToLower(principalID)] = d
}

// RegisterClient registers an application (service principal) in tenant
// with a client secret and returns the service principal's object ID, the
// principal_id of a role assignment. Registering it again replaces the
// secret (a rotation) and keeps the object ID.
func (f *AzureFront) RegisterClient(tenantID, clientID, secret string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := strings.ToLower(tenantID) + "/" + strings.ToLower(clientID)
	if p, ok := f.principals[key]; ok {
		p.secret = secret
		return p.objectID
	}
	p := &azurePrincipal{tenantID: strings.ToLower(tenantID), clientID: strings.ToLower(clientID), secret: secret, objectID: newGUID()}
	f.principals[key] = p
	return p.objectID
}

// StorageAccountID is the ARM resource ID of a storage account.
func (f *AzureFront) StorageAccountID(account string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Storage/storageAccounts/%s", f.SubscriptionID, f.ResourceGroup, account)
}

// ContainerScope is the ARM scope of a container.
func (f *AzureFront) ContainerScope(account, container string) string {
	return f.StorageAccountID(account) + "/blobServices/default/containers/" + container
}

// --- Microsoft Entra ID ---

func (f *AzureFront) serveAuthority(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 {
		entraError(w, http.StatusNotFound, "invalid_request", "AADSTS90002: unknown endpoint")
		return
	}
	tenant := strings.ToLower(parts[0])
	rest := strings.Join(parts[1:], "/")
	if !f.knownTenant(tenant) {
		entraError(w, http.StatusBadRequest, "invalid_tenant", fmt.Sprintf("AADSTS90002: Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
		return
	}
	base := strings.TrimSuffix(f.AuthorityHost, "/") + "/" + tenant
	switch {
	case r.Method == http.MethodGet && rest == "v2.0/.well-known/openid-configuration":
		writeJSONBody(w, http.StatusOK, map[string]any{
			"issuer":                                base + "/v2.0",
			"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
			"token_endpoint":                        base + "/oauth2/v2.0/token",
			"token_endpoint_auth_methods_supported": []string{"client_secret_post"},
			"response_types_supported":              []string{"code", "token"},
			"tenant_region_scope":                   "EU",
		})
	case r.Method == http.MethodPost && rest == "oauth2/v2.0/token":
		f.serveToken(w, r, tenant)
	default:
		entraError(w, http.StatusNotFound, "invalid_request", "AADSTS900561: The endpoint only accepts POST requests.")
	}
}

func (f *AzureFront) knownTenant(tenant string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.principals {
		if p.tenantID == tenant {
			return true
		}
	}
	return false
}

func (f *AzureFront) serveToken(w http.ResponseWriter, r *http.Request, tenant string) {
	if err := r.ParseForm(); err != nil {
		entraError(w, http.StatusBadRequest, "invalid_request", "AADSTS900144: malformed request body")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		entraError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("AADSTS70003: The app requested an unsupported grant type '%s'.", gt))
		return
	}
	clientID := strings.ToLower(r.PostForm.Get("client_id"))
	f.mu.Lock()
	p, ok := f.principals[tenant+"/"+clientID]
	var want string
	if ok {
		want = p.secret
	}
	f.mu.Unlock()
	switch {
	case !ok:
		entraError(w, http.StatusBadRequest, "unauthorized_client", fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory '%s'.", clientID, tenant))
		return
	case r.PostForm.Get("client_secret") != want:
		entraError(w, http.StatusUnauthorized, "invalid_client", fmt.Sprintf("AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", clientID))
		return
	}
	// MSAL adds the OpenID scopes; the resource is the one with /.default.
	scope, audience := r.PostForm.Get("scope"), ""
	for _, s := range strings.Fields(scope) {
		if a, ok := strings.CutSuffix(s, "/.default"); ok {
			audience = a
		}
	}
	if audience == "" {
		entraError(w, http.StatusBadRequest, "invalid_scope", fmt.Sprintf("AADSTS1002012: The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.", scope))
		return
	}
	token := "local-entra-" + randomHex(24)
	f.mu.Lock()
	f.tokens[token] = azureToken{principal: p, audience: strings.TrimSuffix(audience, "/"), expires: f.now().Add(time.Hour)}
	f.mu.Unlock()
	writeJSONBody(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token,
	})
}

func entraError(w http.ResponseWriter, status int, code, description string) {
	writeJSONBody(w, status, map[string]any{"error": code, "error_description": description, "error_codes": []int{}, "trace_id": newGUID()})
}

// --- ARM roleAssignments ---

const roleAssignmentsSegment = "/providers/Microsoft.Authorization/roleAssignments"

func (f *AzureFront) serveARM(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer "+f.ManagementToken {
		armError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing or invalid.")
		return
	}
	path := r.URL.Path
	i := strings.Index(strings.ToLower(path), strings.ToLower(roleAssignmentsSegment))
	if i < 0 {
		armError(w, http.StatusNotFound, "InvalidResourceType", "Only Microsoft.Authorization/roleAssignments is served here.")
		return
	}
	scope, name := path[:i], strings.Trim(path[i+len(roleAssignmentsSegment):], "/")
	switch {
	case r.Method == http.MethodGet && name == "":
		f.listRoleAssignments(w, scope)
	case r.Method == http.MethodPut && name != "":
		f.putRoleAssignment(w, r, scope, name)
	case r.Method == http.MethodGet && name != "":
		f.mu.Lock()
		a, ok := f.assignments[strings.ToLower(scope+roleAssignmentsSegment+"/"+name)]
		f.mu.Unlock()
		if !ok {
			armError(w, http.StatusNotFound, "RoleAssignmentNotFound", "The role assignment '"+name+"' is not found.")
			return
		}
		writeJSONBody(w, http.StatusOK, a.json())
	case r.Method == http.MethodDelete && name != "":
		id := strings.ToLower(scope + roleAssignmentsSegment + "/" + name)
		f.mu.Lock()
		a, ok := f.assignments[id]
		delete(f.assignments, id)
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		writeJSONBody(w, http.StatusOK, a.json())
	default:
		armError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", r.Method+" is not supported here.")
	}
}

func (f *AzureFront) putRoleAssignment(w http.ResponseWriter, r *http.Request, scope, name string) {
	var body struct {
		Properties struct {
			RoleDefinitionID string `json:"roleDefinitionId"`
			PrincipalID      string `json:"principalId"`
		} `json:"properties"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		armError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid: "+err.Error())
		return
	}
	if _, ok := azureRoleByDefinitionID(body.Properties.RoleDefinitionID); !ok {
		armError(w, http.StatusBadRequest, "RoleDefinitionDoesNotExist", fmt.Sprintf("The specified role definition with ID '%s' does not exist.", body.Properties.RoleDefinitionID))
		return
	}
	if !strings.HasPrefix(strings.ToLower(scope), strings.ToLower("/subscriptions/"+f.SubscriptionID)) {
		armError(w, http.StatusBadRequest, "InvalidScope", fmt.Sprintf("The scope '%s' is not in subscription %s.", scope, f.SubscriptionID))
		return
	}
	f.mu.Lock()
	known := false
	for _, p := range f.principals {
		known = known || strings.EqualFold(p.objectID, body.Properties.PrincipalID)
	}
	a := roleAssignment{
		ID: scope + roleAssignmentsSegment + "/" + name, Name: name, Scope: scope,
		RoleDefinitionID: body.Properties.RoleDefinitionID, PrincipalID: strings.ToLower(body.Properties.PrincipalID),
		effective: f.now().Add(f.propagation[strings.ToLower(body.Properties.PrincipalID)]),
	}
	if known {
		f.assignments[strings.ToLower(a.ID)] = a
	}
	f.mu.Unlock()
	if !known {
		armError(w, http.StatusBadRequest, "PrincipalNotFound", fmt.Sprintf("Principal %s does not exist in the directory.", body.Properties.PrincipalID))
		return
	}
	writeJSONBody(w, http.StatusCreated, a.json())
}

func (f *AzureFront) listRoleAssignments(w http.ResponseWriter, scope string) {
	f.mu.Lock()
	var out []map[string]any
	for _, a := range f.assignments {
		if scopeCovers(a.Scope, scope) || scopeCovers(scope, a.Scope) {
			out = append(out, a.json())
		}
	}
	f.mu.Unlock()
	writeJSONBody(w, http.StatusOK, map[string]any{"value": out})
}

func (a roleAssignment) json() map[string]any {
	return map[string]any{
		"id": a.ID, "name": a.Name, "type": "Microsoft.Authorization/roleAssignments",
		"properties": map[string]any{"roleDefinitionId": a.RoleDefinitionID, "principalId": a.PrincipalID, "principalType": "ServicePrincipal", "scope": a.Scope},
	}
}

func armError(w http.ResponseWriter, status int, code, message string) {
	writeJSONBody(w, status, map[string]any{"error": map[string]any{"code": code, "message": message}})
}

// scopeCovers reports whether an assignment at scope applies to resource:
// the scope is the resource or one of its ancestors.
func scopeCovers(scope, resource string) bool {
	s, r := strings.ToLower(strings.TrimSuffix(scope, "/")), strings.ToLower(strings.TrimSuffix(resource, "/"))
	return s == r || strings.HasPrefix(r, s+"/")
}

// --- Blob service ---

// blobHandler checks the bearer token and role assignments, then forwards
// the request to Azurite with the account's SAS instead of the token.
func (f *AzureFront) blobHandler() http.Handler {
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		account := strings.SplitN(strings.TrimPrefix(pr.In.URL.Path, "/"), "/", 2)[0]
		pr.SetURL(f.azurite)
		pr.Out.Header.Del("Authorization")
		q := pr.Out.URL.RawQuery
		if q != "" {
			q += "&"
		}
		pr.Out.URL.RawQuery = q + f.sasQuery[account]
	}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.SplitN(strings.TrimPrefix(r.URL.Path, "/"), "/", 3)
		account := parts[0]
		if _, ok := f.sasQuery[account]; !ok {
			storageError(w, r, http.StatusNotFound, "ResourceNotFound", fmt.Sprintf("The storage account %q does not exist on this local stack.", account))
			return
		}
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok {
			w.Header().Set("WWW-Authenticate", "Bearer authorization_uri="+f.AuthorityHost+"common/oauth2/authorize resource_id=https://storage.azure.com")
			storageError(w, r, http.StatusUnauthorized, "NoAuthenticationInformation", "Server failed to authenticate the request. Please refer to the information in the www-authenticate header.")
			return
		}
		f.mu.Lock()
		tok, ok := f.tokens[token]
		f.mu.Unlock()
		if !ok || f.now().After(tok.expires) || tok.audience != "https://storage.azure.com" {
			w.Header().Set("WWW-Authenticate", "Bearer authorization_uri="+f.AuthorityHost+"common/oauth2/authorize resource_id=https://storage.azure.com")
			storageError(w, r, http.StatusUnauthorized, "InvalidAuthenticationInfo", "Server failed to authenticate the request. The token is invalid, expired, or for another audience.")
			return
		}
		container := ""
		if len(parts) > 1 {
			container = parts[1]
		}
		permission, data := blobPermission(r, container, len(parts) > 2 && parts[2] != "")
		resource := f.StorageAccountID(account)
		if container != "" {
			resource = f.ContainerScope(account, container)
		}
		if permission == "" || !f.allowed(tok.principal, resource, permission, data) {
			storageError(w, r, http.StatusForbidden, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission.")
			return
		}
		proxy.ServeHTTP(w, r)
	})
}

// blobPermission is the permission a Blob service request needs, and
// whether it is a data action; "" for requests the front does not serve.
func blobPermission(r *http.Request, container string, blob bool) (string, bool) {
	q := r.URL.Query()
	restype, comp := q.Get("restype"), q.Get("comp")
	read := r.Method == http.MethodGet || r.Method == http.MethodHead
	switch {
	case container == "":
		if comp == "list" && read {
			return AzureContainersRead, false
		}
		return "", false
	case blob:
		switch {
		case read:
			return AzureBlobsRead, true
		case r.Method == http.MethodPut:
			return AzureBlobsWrite, true
		case r.Method == http.MethodDelete:
			return AzureBlobsDelete, true
		}
		return "", false
	case restype == "container" && comp == "list" && read:
		return AzureBlobsRead, true
	case restype == "container" && read:
		return AzureContainersRead, false
	case restype == "container" && r.Method == http.MethodPut:
		return AzureContainersWrite, false
	case restype == "container" && r.Method == http.MethodDelete:
		return AzureContainersDelete, false
	}
	return "", false
}

func (f *AzureFront) allowed(p *azurePrincipal, resource, permission string, data bool) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	for _, a := range f.assignments {
		if a.PrincipalID != p.objectID || now.Before(a.effective) || !scopeCovers(a.Scope, resource) {
			continue
		}
		if role, ok := azureRoleByDefinitionID(a.RoleDefinitionID); ok && role.grants(permission, data) {
			return true
		}
	}
	return false
}

func storageError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	w.Header().Set("x-ms-error-code", code)
	w.Header().Set("x-ms-request-id", newGUID())
	if r.Method == http.MethodHead {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><Error><Code>%s</Code><Message>%s
RequestId:%s
Time:%s</Message></Error>`, code, message, newGUID(), time.Now().UTC().Format(time.RFC3339Nano))
}

func writeJSONBody(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// newGUID returns a random (version 4) GUID.
func newGUID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
