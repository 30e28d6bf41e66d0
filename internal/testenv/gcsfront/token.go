package gcsfront

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

type registeredKey struct {
	ID        string
	PublicKey *rsa.PublicKey
}

// KeyFile is a service account key file as Google's IAM API issues it
// (privateKeyType TYPE_GOOGLE_CREDENTIALS_FILE).
type KeyFile struct {
	Type                    string `json:"type"`
	ProjectID               string `json:"project_id"`
	PrivateKeyID            string `json:"private_key_id"`
	PrivateKey              string `json:"private_key"`
	ClientEmail             string `json:"client_email"`
	ClientID                string `json:"client_id"`
	AuthURI                 string `json:"auth_uri"`
	TokenURI                string `json:"token_uri"`
	AuthProviderX509CertURL string `json:"auth_provider_x509_cert_url"`
	ClientX509CertURL       string `json:"client_x509_cert_url"`
	UniverseDomain          string `json:"universe_domain"`
}

// newKey creates an RSA key for sa, registers its public half and returns
// the key file JSON. Callers hold s.mu.
func (s *Server) newKey(sa *serviceAccount) ([]byte, string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, "", err
	}
	idb := make([]byte, 20)
	_, _ = rand.Read(idb)
	id := hex.EncodeToString(idb)
	kf := KeyFile{
		Type:                    "service_account",
		ProjectID:               sa.ProjectID,
		PrivateKeyID:            id,
		PrivateKey:              string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		ClientEmail:             sa.Email,
		ClientID:                sa.UniqueID,
		AuthURI:                 s.baseURL + "/o/oauth2/auth",
		TokenURI:                s.baseURL + "/token",
		AuthProviderX509CertURL: s.baseURL + "/oauth2/v1/certs",
		ClientX509CertURL:       s.baseURL + "/robot/v1/metadata/x509/" + sa.Email,
		UniverseDomain:          "googleapis.com",
	}
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return nil, "", err
	}
	sa.Keys[id] = &registeredKey{ID: id, PublicKey: &priv.PublicKey}
	return b, id, nil
}

// serveToken implements the JWT-bearer grant of Google's OAuth 2.0 token
// endpoint for service accounts.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, "invalid_request", "the request body is not a form")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != jwtBearerGrant {
		writeOAuthError(w, "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported; use %s", gt, jwtBearerGrant))
		return
	}
	email, err := s.verifyAssertion(r.PostForm.Get("assertion"))
	if err != nil {
		s.log("gcsfront: token refused: %v", err)
		writeOAuthError(w, "invalid_grant", err.Error())
		return
	}
	tok, exp := s.issueToken(email)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(time.Until(exp).Seconds()),
	})
}

type jwtHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid"`
}

type jwtClaims struct {
	Iss   string `json:"iss"`
	Scope string `json:"scope"`
	Aud   string `json:"aud"`
	Exp   int64  `json:"exp"`
	Iat   int64  `json:"iat"`
	Sub   string `json:"sub"`
}

// verifyAssertion checks the signed JWT and returns the service account it
// authenticates. Messages follow Google's invalid_grant descriptions.
func (s *Server) verifyAssertion(assertion string) (string, error) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return "", grantError("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
	}
	var h jwtHeader
	var c jwtClaims
	if err := decodeSegment(parts[0], &h); err != nil {
		return "", grantErrorf("Invalid JWT header: %v", err)
	}
	if err := decodeSegment(parts[1], &c); err != nil {
		return "", grantErrorf("Invalid JWT claims: %v", err)
	}
	if h.Alg != "RS256" {
		return "", grantErrorf("Invalid JWT: unsupported algorithm %q", h.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", grantError("Invalid JWT Signature.")
	}
	s.mu.Lock()
	sa, ok := s.accounts[c.Iss]
	var keys []*registeredKey
	if ok {
		if k, found := sa.Keys[h.Kid]; found {
			keys = []*registeredKey{k}
		} else {
			for _, k := range sa.Keys {
				keys = append(keys, k)
			}
		}
	}
	tokenURI := s.baseURL + "/token"
	s.mu.Unlock()
	if !ok {
		return "", grantErrorf("Invalid grant: account not found (%s)", c.Iss)
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	verified := false
	for _, k := range keys {
		if rsa.VerifyPKCS1v15(k.PublicKey, crypto.SHA256, digest[:], sig) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return "", grantError("Invalid JWT Signature.")
	}
	now := time.Now().Unix()
	if c.Exp < now || c.Iat > now+300 || c.Exp-c.Iat > 3600 {
		return "", grantError("Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.")
	}
	if c.Aud != tokenURI {
		return "", grantErrorf("Invalid JWT: audience %q is not this token endpoint (%s)", c.Aud, tokenURI)
	}
	if c.Sub != "" && c.Sub != c.Iss {
		return "", grantError("Invalid impersonation: domain-wide delegation is not supported")
	}
	return c.Iss, nil
}

// grantError is an invalid_grant description, worded like Google's.
type grantError string

func (e grantError) Error() string { return string(e) }

func grantErrorf(format string, args ...any) error { return grantError(fmt.Sprintf(format, args...)) }

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func writeOAuthError(w http.ResponseWriter, code, desc string) {
	writeJSON(w, http.StatusBadRequest, map[string]string{"error": code, "error_description": desc})
}
