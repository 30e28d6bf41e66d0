// Package gcsfront is a TEST-ONLY enforcing front for fake-gcs-server, which
// checks no credentials at all. It plays the parts of Google Cloud that the
// provider's GCS checks and the emulator's cross-project tests meet:
//
//   - an OAuth 2.0 token endpoint for the service-account JWT-bearer grant
//     (RFC 7523), verifying the assertion's RS256 signature against the
//     public key registered for its issuer (client_email);
//   - the IAM API's service accounts, keys, custom roles and service-account
//     IAM policies (iam.googleapis.com v1 shapes), so tests and the demo set
//     up identities the way google_service_account, google_service_account_key,
//     google_project_iam_custom_role and google_service_account_iam_member do;
//   - the IAM Credentials API's generateAccessToken, allowed only when the
//     target service account's IAM policy grants the caller
//     iam.serviceAccounts.getAccessToken (roles/iam.serviceAccountTokenCreator);
//   - the Cloud Storage JSON API: every call must carry a bearer token it
//     issued, and is allowed only when a binding of the bucket's IAM policy
//     (getIamPolicy/setIamPolicy, the real API's shape, with conditions of the
//     form resource.name.startsWith("...") or resource.type == "...") grants
//     the permission the call needs. Allowed calls are proxied to the real
//     fake-gcs-server.
//
// It is never part of the provider binary. Everything lives in memory.
package gcsfront

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Permissions the front knows; a role grants a subset of them.
const (
	PermBucketsGet          = "storage.buckets.get"
	PermBucketsGetIamPolicy = "storage.buckets.getIamPolicy"
	PermBucketsSetIamPolicy = "storage.buckets.setIamPolicy"
	PermBucketsDelete       = "storage.buckets.delete"
	PermObjectsList         = "storage.objects.list"
	PermObjectsGet          = "storage.objects.get"
	PermObjectsCreate       = "storage.objects.create"
	PermObjectsDelete       = "storage.objects.delete"
	PermObjectsUpdate       = "storage.objects.update"
	PermGetAccessToken      = "iam.serviceAccounts.getAccessToken"
)

// RoleTokenCreator is the predefined role that lets a member mint access
// tokens for a service account.
const RoleTokenCreator = "roles/iam.serviceAccountTokenCreator"

// predefinedRoles are the Google predefined roles the front understands.
var predefinedRoles = map[string][]string{
	"roles/storage.objectViewer":       {PermObjectsGet, PermObjectsList},
	"roles/storage.objectCreator":      {PermObjectsCreate},
	"roles/storage.objectUser":         {PermObjectsCreate, PermObjectsDelete, PermObjectsGet, PermObjectsList, PermObjectsUpdate},
	"roles/storage.objectAdmin":        {PermObjectsCreate, PermObjectsDelete, PermObjectsGet, PermObjectsList, PermObjectsUpdate},
	"roles/storage.legacyBucketReader": {PermBucketsGet, PermObjectsList},
	"roles/storage.admin": {PermBucketsGet, PermBucketsGetIamPolicy, PermBucketsSetIamPolicy, PermBucketsDelete,
		PermObjectsCreate, PermObjectsDelete, PermObjectsGet, PermObjectsList, PermObjectsUpdate},
	RoleTokenCreator: {PermGetAccessToken},
}

// TokenLifetime is how long an issued access token is valid.
const TokenLifetime = time.Hour

// Server is the front. Create it with New and serve it with http.Server or
// httptest; it is safe for concurrent use.
type Server struct {
	backend    *url.URL
	proxy      *httputil.ReverseProxy
	adminToken string
	logf       func(format string, args ...any)

	mu       sync.Mutex
	baseURL  string
	accounts map[string]*serviceAccount // by email
	tokens   map[string]issuedToken
	roles    map[string]*customRole // by full name projects/P/roles/ID
	buckets  map[string]*Policy     // bucket IAM policies, by bucket name
	etagSeq  int
}

type serviceAccount struct {
	Email     string
	ProjectID string
	UniqueID  string
	Keys      map[string]*registeredKey // by private_key_id
	Policy    *Policy
}

type issuedToken struct {
	email   string
	expires time.Time
}

type customRole struct {
	Name        string   `json:"name"`
	Title       string   `json:"title,omitempty"`
	Description string   `json:"description,omitempty"`
	Permissions []string `json:"includedPermissions"`
	Stage       string   `json:"stage,omitempty"`
	Etag        string   `json:"etag,omitempty"`
	Deleted     bool     `json:"deleted,omitempty"`
}

// Policy is an IAM policy in the shape of the Storage and IAM APIs.
type Policy struct {
	Kind       string    `json:"kind,omitempty"`
	ResourceID string    `json:"resourceId,omitempty"`
	Version    int       `json:"version,omitempty"`
	Etag       string    `json:"etag,omitempty"`
	Bindings   []Binding `json:"bindings"`
}

// Binding grants a role to members, optionally under a condition.
type Binding struct {
	Role      string     `json:"role"`
	Members   []string   `json:"members"`
	Condition *Condition `json:"condition,omitempty"`
}

// Condition is an IAM condition; see evalCondition for the expressions
// understood.
type Condition struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Expression  string `json:"expression"`
}

// Options configures New.
type Options struct {
	// Backend is the base URL of fake-gcs-server (http://127.0.0.1:PORT).
	Backend string
	// AdminToken is a bearer token allowed everything, for test setup.
	AdminToken string
	// Logf receives one line per refused request; nil discards them.
	Logf func(format string, args ...any)
}

// New returns a front for the fake-gcs-server at opts.Backend. Call SetBaseURL
// with the front's own URL before creating keys (their token_uri points at it).
func New(opts Options) (*Server, error) {
	u, err := url.Parse(opts.Backend)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("gcsfront: bad backend URL %q", opts.Backend)
	}
	if opts.AdminToken == "" {
		return nil, fmt.Errorf("gcsfront: an admin token is required")
	}
	s := &Server{
		backend:    u,
		adminToken: opts.AdminToken,
		logf:       opts.Logf,
		accounts:   map[string]*serviceAccount{},
		tokens:     map[string]issuedToken{},
		roles:      map[string]*customRole{},
		buckets:    map[string]*Policy{},
	}
	s.proxy = httputil.NewSingleHostReverseProxy(u)
	return s, nil
}

// SetBaseURL records the URL the front is reachable at.
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimRight(u, "/")
}

// TokenURI is the token endpoint written into the keys the front creates.
func (s *Server) TokenURI() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baseURL + "/token"
}

func (s *Server) log(format string, args ...any) {
	if s.logf != nil {
		s.logf(format, args...)
	}
}

// ServeHTTP dispatches to the token endpoint, the IAM APIs and the Storage
// JSON API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/token" && r.Method == http.MethodPost:
		s.serveToken(w, r)
	case strings.HasPrefix(p, "/v1/projects/"):
		s.serveIAM(w, r)
	case strings.HasPrefix(p, "/storage/v1/"), strings.HasPrefix(p, "/upload/storage/v1/"), strings.HasPrefix(p, "/download/storage/v1/"):
		s.serveStorage(w, r)
	default:
		writeGoogleError(w, http.StatusNotFound, "NOT_FOUND", "the GCS test front does not serve %s %s", r.Method, p)
	}
}

// caller resolves the bearer token: the email it was issued to, or "" for
// the admin token. ok is false (and a 401 written) for anything else.
func (s *Server) caller(w http.ResponseWriter, r *http.Request) (email string, admin, ok bool) {
	auth := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(auth, "Bearer ")
	if !found || tok == "" {
		writeGoogleError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Anonymous caller does not have the required access; a bearer token is required.")
		return "", false, false
	}
	if tok == s.adminToken {
		return "", true, true
	}
	s.mu.Lock()
	it, known := s.tokens[tok]
	s.mu.Unlock()
	if !known || time.Now().After(it.expires) {
		writeGoogleError(w, http.StatusUnauthorized, "UNAUTHENTICATED", "Invalid Credentials")
		return "", false, false
	}
	return it.email, false, true
}

func (s *Server) issueToken(email string) (string, time.Time) {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	tok := "ya29.front-" + hex.EncodeToString(b)
	exp := time.Now().Add(TokenLifetime)
	s.mu.Lock()
	s.tokens[tok] = issuedToken{email: email, expires: exp}
	s.mu.Unlock()
	return tok, exp
}

// rolePermissions returns the permissions of a predefined or custom role.
// Callers hold s.mu.
func (s *Server) rolePermissions(role string) []string {
	if p, ok := predefinedRoles[role]; ok {
		return p
	}
	if cr, ok := s.roles[role]; ok && !cr.Deleted {
		return cr.Permissions
	}
	return nil
}

// resource is what a permission is checked on, for conditions.
type resource struct {
	Type string // storage.googleapis.com/Bucket or .../Object
	Name string // projects/_/buckets/B[/objects/KEY]
}

// allowed reports whether policy grants perm to member on res. Callers hold
// s.mu.
func (s *Server) allowed(p *Policy, member, perm string, res resource) bool {
	if p == nil {
		return false
	}
	for _, b := range p.Bindings {
		if !contains(b.Members, member) || !contains(s.rolePermissions(b.Role), perm) {
			continue
		}
		if b.Condition != nil {
			ok, err := evalCondition(b.Condition.Expression, res)
			if err != nil {
				s.log("gcsfront: binding of %s to %s: %v (treated as false)", b.Role, member, err)
				continue
			}
			if !ok {
				continue
			}
		}
		return true
	}
	return false
}

// evalCondition evaluates the CEL subset that storage prefix grants use:
// terms joined by "||", each resource.name.startsWith("...") or
// resource.type == "...", optionally parenthesized.
func evalCondition(expr string, res resource) (bool, error) {
	for _, term := range strings.Split(expr, "||") {
		term = strings.TrimSpace(term)
		for strings.HasPrefix(term, "(") && strings.HasSuffix(term, ")") {
			term = strings.TrimSpace(term[1 : len(term)-1])
		}
		switch {
		case strings.HasPrefix(term, "resource.name.startsWith(") && strings.HasSuffix(term, ")"):
			arg, err := celString(strings.TrimSuffix(strings.TrimPrefix(term, "resource.name.startsWith("), ")"))
			if err != nil {
				return false, err
			}
			if strings.HasPrefix(res.Name, arg) {
				return true, nil
			}
		case strings.HasPrefix(term, "resource.type"):
			rest := strings.TrimSpace(strings.TrimPrefix(term, "resource.type"))
			rest, ok := strings.CutPrefix(rest, "==")
			if !ok {
				return false, fmt.Errorf("unsupported condition term %q", term)
			}
			arg, err := celString(strings.TrimSpace(rest))
			if err != nil {
				return false, err
			}
			if res.Type == arg {
				return true, nil
			}
		default:
			return false, fmt.Errorf("unsupported condition term %q", term)
		}
	}
	return false, nil
}

func celString(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("expected a double-quoted string, got %s", s)
	}
	var out string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return "", fmt.Errorf("bad string literal %s: %v", s, err)
	}
	return out, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// writeGoogleError writes the error shape Google APIs use.
func writeGoogleError(w http.ResponseWriter, code int, status, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	reason := map[int]string{401: "required", 403: "forbidden", 404: "notFound", 400: "invalid", 409: "conflict", 412: "conditionNotMet"}[code]
	writeJSON(w, code, map[string]any{"error": map[string]any{
		"code": code, "message": msg, "status": status,
		"errors": []map[string]any{{"message": msg, "domain": "global", "reason": reason}},
	}})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	return json.Unmarshal(b, v)
}

func (s *Server) nextEtag() string {
	s.etagSeq++
	return fmt.Sprintf("BwY%06d", s.etagSeq)
}
