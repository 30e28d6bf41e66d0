package gcsfront

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"
)

var accountIDPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)

// serveIAM serves /v1/projects/... : the IAM API (service accounts, keys,
// custom roles, service-account IAM policies; admin token only, except
// getIamPolicy) and the IAM Credentials API's generateAccessToken.
func (s *Server) serveIAM(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.Path, "/v1/projects/")
	project, rest, _ := strings.Cut(rest, "/")
	email, admin, ok := s.caller(w, r)
	if !ok {
		return
	}
	switch {
	case strings.HasPrefix(rest, "serviceAccounts/") && strings.HasSuffix(rest, ":generateAccessToken") && r.Method == http.MethodPost:
		target := strings.TrimSuffix(strings.TrimPrefix(rest, "serviceAccounts/"), ":generateAccessToken")
		s.generateAccessToken(w, r, email, admin, target)
		return
	case !admin:
		writeGoogleError(w, http.StatusForbidden, "PERMISSION_DENIED",
			"The GCS test front lets only the admin token manage IAM (%s %s).", r.Method, r.URL.Path)
		return
	}
	switch {
	case rest == "serviceAccounts" && r.Method == http.MethodPost:
		s.createServiceAccount(w, r, project)
	case rest == "roles" && r.Method == http.MethodPost:
		s.createRole(w, r, project)
	case strings.HasPrefix(rest, "roles/"):
		s.serveRole(w, r, "projects/"+project+"/"+rest)
	case strings.HasPrefix(rest, "serviceAccounts/"):
		s.serveServiceAccount(w, r, strings.TrimPrefix(rest, "serviceAccounts/"))
	default:
		writeGoogleError(w, http.StatusNotFound, "NOT_FOUND", "unknown IAM method %s %s", r.Method, r.URL.Path)
	}
}

func (s *Server) createServiceAccount(w http.ResponseWriter, r *http.Request, project string) {
	var body struct {
		AccountID string `json:"accountId"`
	}
	if err := readJSON(r, &body); err != nil {
		writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "bad request body: %v", err)
		return
	}
	if !accountIDPattern.MatchString(body.AccountID) {
		writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "accountId %q must be 6-30 lowercase letters, digits or hyphens, starting with a letter", body.AccountID)
		return
	}
	sa, err := s.CreateServiceAccount(project, body.AccountID)
	if err != nil {
		writeGoogleError(w, http.StatusConflict, "ALREADY_EXISTS", "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, saJSON(sa))
}

// CreateServiceAccount registers accountID@project.iam.gserviceaccount.com.
func (s *Server) CreateServiceAccount(project, accountID string) (string, error) {
	email := accountID + "@" + project + ".iam.gserviceaccount.com"
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.accounts[email]; ok {
		return "", fmt.Errorf("service account %s already exists within project projects/%s", email, project)
	}
	s.accounts[email] = &serviceAccount{Email: email, ProjectID: project, UniqueID: fmt.Sprintf("1%020d", len(s.accounts)+1),
		Keys: map[string]*registeredKey{}, Policy: &Policy{Version: 1}}
	return email, nil
}

// CreateKey creates a key for a registered service account and returns the
// key file JSON.
func (s *Server) CreateKey(email string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sa, ok := s.accounts[email]
	if !ok {
		return nil, fmt.Errorf("service account %s not found", email)
	}
	b, _, err := s.newKey(sa)
	return b, err
}

func saJSON(email string) map[string]any {
	project := strings.TrimSuffix(email[strings.Index(email, "@")+1:], ".iam.gserviceaccount.com")
	return map[string]any{
		"name":      "projects/" + project + "/serviceAccounts/" + email,
		"projectId": project,
		"email":     email,
	}
}

func (s *Server) serveServiceAccount(w http.ResponseWriter, r *http.Request, rest string) {
	email, method, hasMethod := strings.Cut(rest, ":")
	email, sub, _ := strings.Cut(email, "/")
	s.mu.Lock()
	sa, ok := s.accounts[email]
	s.mu.Unlock()
	if !ok {
		writeGoogleError(w, http.StatusNotFound, "NOT_FOUND", "Service account projects/-/serviceAccounts/%s not found.", email)
		return
	}
	switch {
	case hasMethod && method == "getIamPolicy" && r.Method == http.MethodPost:
		s.mu.Lock()
		p := *sa.Policy
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, p)
	case hasMethod && method == "setIamPolicy" && r.Method == http.MethodPost:
		var body struct {
			Policy Policy `json:"policy"`
		}
		if err := readJSON(r, &body); err != nil {
			writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "bad policy: %v", err)
			return
		}
		s.mu.Lock()
		if body.Policy.Etag != "" && body.Policy.Etag != sa.Policy.Etag {
			s.mu.Unlock()
			writeGoogleError(w, http.StatusConflict, "ABORTED", "There were concurrent policy changes. Please retry the whole read-modify-write with exponential backoff.")
			return
		}
		np := body.Policy
		np.Etag = s.nextEtag()
		sa.Policy = &np
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, np)
	case !hasMethod && sub == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, saJSON(email))
	case !hasMethod && sub == "" && r.Method == http.MethodDelete:
		s.mu.Lock()
		delete(s.accounts, email)
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	case !hasMethod && sub == "keys" && r.Method == http.MethodPost:
		s.mu.Lock()
		b, id, err := s.newKey(sa)
		s.mu.Unlock()
		if err != nil {
			writeGoogleError(w, http.StatusInternalServerError, "INTERNAL", "%v", err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"name":           "projects/" + sa.ProjectID + "/serviceAccounts/" + email + "/keys/" + id,
			"privateKeyType": "TYPE_GOOGLE_CREDENTIALS_FILE",
			"privateKeyData": base64.StdEncoding.EncodeToString(b),
			"keyAlgorithm":   "KEY_ALG_RSA_2048",
		})
	case !hasMethod && strings.HasPrefix(sub, "keys/") && r.Method == http.MethodDelete:
		s.mu.Lock()
		delete(sa.Keys, strings.TrimPrefix(sub, "keys/"))
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		writeGoogleError(w, http.StatusNotFound, "NOT_FOUND", "unknown service account method %s %s", r.Method, r.URL.Path)
	}
}

func (s *Server) createRole(w http.ResponseWriter, r *http.Request, project string) {
	var body struct {
		RoleID string     `json:"roleId"`
		Role   customRole `json:"role"`
	}
	if err := readJSON(r, &body); err != nil || body.RoleID == "" {
		writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "a roleId and a role are required")
		return
	}
	name := "projects/" + project + "/roles/" + body.RoleID
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.roles[name]; ok && !old.Deleted {
		writeGoogleError(w, http.StatusConflict, "ALREADY_EXISTS", "A role named %s in projects/%s already exists.", body.RoleID, project)
		return
	}
	role := body.Role
	role.Name = name
	role.Permissions = sortedCopy(role.Permissions)
	role.Etag = s.nextEtag()
	s.roles[name] = &role
	writeJSON(w, http.StatusOK, role)
}

func (s *Server) serveRole(w http.ResponseWriter, r *http.Request, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	role, ok := s.roles[name]
	if !ok {
		writeGoogleError(w, http.StatusNotFound, "NOT_FOUND", "The role named %s was not found.", name)
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, role)
	case http.MethodPatch:
		var body customRole
		if err := readJSON(r, &body); err != nil {
			writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "bad role: %v", err)
			return
		}
		mask := r.URL.Query().Get("updateMask")
		if mask == "" || strings.Contains(mask, "includedPermissions") {
			role.Permissions = sortedCopy(body.Permissions)
		}
		if body.Title != "" {
			role.Title = body.Title
		}
		role.Etag = s.nextEtag()
		writeJSON(w, http.StatusOK, role)
	case http.MethodDelete:
		role.Deleted = true
		writeJSON(w, http.StatusOK, role)
	default:
		writeGoogleError(w, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "method %s not allowed on a role", r.Method)
	}
}

// generateAccessToken is the IAM Credentials API method: the caller gets a
// token of the target service account when the target's IAM policy grants
// it iam.serviceAccounts.getAccessToken.
func (s *Server) generateAccessToken(w http.ResponseWriter, r *http.Request, caller string, admin bool, target string) {
	var body struct {
		Scope    []string `json:"scope"`
		Lifetime string   `json:"lifetime"`
	}
	if err := readJSON(r, &body); err != nil || len(body.Scope) == 0 {
		writeGoogleError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "Scope required.")
		return
	}
	s.mu.Lock()
	sa, ok := s.accounts[target]
	granted := ok && (admin || s.allowed(sa.Policy, "serviceAccount:"+caller, PermGetAccessToken, resource{Type: "iam.googleapis.com/ServiceAccount", Name: "projects/-/serviceAccounts/" + target}))
	s.mu.Unlock()
	if !granted {
		s.log("gcsfront: %s may not impersonate %s", caller, target)
		// GOTCHA: Google answers a missing account and a missing grant alike.
		writeGoogleError(w, http.StatusForbidden, "PERMISSION_DENIED",
			"Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).")
		return
	}
	tok, exp := s.issueToken(target)
	writeJSON(w, http.StatusOK, map[string]any{"accessToken": tok, "expireTime": exp.UTC().Format(time.RFC3339)})
}

func sortedCopy(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
