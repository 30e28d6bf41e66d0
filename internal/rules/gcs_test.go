package rules

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"
)

func TestGCSRules(t *testing.T) {
	t.Parallel()
	resourceName := func(n string) error { _, err := GCPServiceAccountResourceName(n); return err }
	for _, tc := range []struct {
		name string
		err  error
		want Rule // "" when valid
	}{
		{"bucket ok", GCSBucketName("acme-datasets_01"), ""},
		{"bucket dotted ok", GCSBucketName("data.acme.example"), ""},
		{"bucket short", GCSBucketName("ab"), RuleGCSBucketName},
		{"bucket long", GCSBucketName(strings.Repeat("a", 64)), RuleGCSBucketName},
		{"bucket uppercase", GCSBucketName("Acme"), RuleGCSBucketName},
		{"bucket scheme", GCSBucketName("gs://acme"), RuleGCSBucketName},
		{"bucket leading hyphen", GCSBucketName("-acme"), RuleGCSBucketName},
		{"bucket ip", GCSBucketName("192.168.5.4"), RuleGCSBucketName},
		{"bucket goog prefix", GCSBucketName("goog-data"), RuleGCSBucketName},
		{"bucket google", GCSBucketName("my-g00gle-data"), RuleGCSBucketName},
		{"bucket empty part", GCSBucketName("a..b"), RuleGCSBucketName},
		{"bucket slash", GCSBucketName("acme/raw"), RuleGCSBucketName},
		{"email ok", GCPServiceAccountEmail("dataloop-reader@acme-prod.iam.gserviceaccount.com"), ""},
		{"email compute ok", GCPServiceAccountEmail("123456789012-compute@developer.gserviceaccount.com"), ""},
		{"email user", GCPServiceAccountEmail("alice@example.com"), RuleGCPServiceAccountEmail},
		{"email member", GCPServiceAccountEmail("serviceAccount:x-reader@acme-prod.iam.gserviceaccount.com"), RuleGCPServiceAccountEmail},
		{"email empty", GCPServiceAccountEmail(""), RuleGCPServiceAccountEmail},
		{"resource ok", resourceName("projects/acme-prod/serviceAccounts/dataloop-reader@acme-prod.iam.gserviceaccount.com"), ""},
		{"resource dash ok", resourceName("projects/-/serviceAccounts/dataloop-reader@acme-prod.iam.gserviceaccount.com"), ""},
		{"resource unique id ok", resourceName("projects/acme-prod/serviceAccounts/112233445566778899001"), ""},
		{"resource email only", resourceName("dataloop-reader@acme-prod.iam.gserviceaccount.com"), RuleGCPServiceAccountResourceName},
		{"resource bad account", resourceName("projects/acme-prod/serviceAccounts/alice@example.com"), RuleGCPServiceAccountResourceName},
		{"project ok", GCPProjectID("acme-prod"), ""},
		{"project domain-scoped ok", GCPProjectID("example.com:acme-prod"), ""},
		{"project empty", GCPProjectID(""), RuleGCPProjectID},
		{"project short", GCPProjectID("acme"), RuleGCPProjectID},
		{"project number", GCPProjectID("123456789012"), RuleGCPProjectID},
		{"project uppercase", GCPProjectID("Acme-Prod"), RuleGCPProjectID},
		{"project trailing hyphen", GCPProjectID("acme-prod-"), RuleGCPProjectID},
		{"project resource name", GCPProjectID("projects/acme-prod"), RuleGCPProjectID},
	} {
		if tc.want == "" && tc.err != nil {
			t.Errorf("%s: unexpected error %v", tc.name, tc.err)
		}
		if tc.want != "" && !Is(tc.err, tc.want) {
			t.Errorf("%s: want rule %s, got %v", tc.name, tc.want, tc.err)
		}
	}
}

func testKey(t *testing.T, mutate func(m map[string]any)) (string, string) {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(priv)
	pemText := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	m := map[string]any{
		"type": "service_account", "project_id": "acme-prod", "private_key_id": "abc",
		"private_key": pemText, "client_email": "dataloop-reader@acme-prod.iam.gserviceaccount.com",
		"token_uri": "https://oauth2.googleapis.com/token",
	}
	if mutate != nil {
		mutate(m)
	}
	b, _ := json.Marshal(m)
	// A line from the middle of the key: it must never appear in a message.
	lines := strings.Split(pemText, "\n")
	return string(b), lines[len(lines)/2]
}

func TestGCPServiceAccountKey(t *testing.T) {
	t.Parallel()
	ok, _ := testKey(t, nil)
	k, err := GCPServiceAccountKey(ok)
	if err != nil || k.ClientEmail != "dataloop-reader@acme-prod.iam.gserviceaccount.com" || k.TokenURI == "" {
		t.Fatalf("valid key: %+v, %v", k, err)
	}
	loopback, _ := testKey(t, func(m map[string]any) { m["token_uri"] = "http://127.0.0.1:4000/token" })
	if _, err := GCPServiceAccountKey(loopback); err != nil {
		t.Errorf("http token_uri on loopback: %v", err)
	}
	ecDER := func() string {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	}()
	for name, mutate := range map[string]func(map[string]any){
		"wrong type":      func(m map[string]any) { m["type"] = "authorized_user" },
		"no type":         func(m map[string]any) { delete(m, "type") },
		"no client_email": func(m map[string]any) { delete(m, "client_email") },
		"no token_uri":    func(m map[string]any) { delete(m, "token_uri") },
		"no private_key":  func(m map[string]any) { delete(m, "private_key") },
		"bad pem": func(m map[string]any) {
			m["private_key"] = "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n"
		},
		"truncated pem":    func(m map[string]any) { s, _ := m["private_key"].(string); m["private_key"] = s[:len(s)/2] },
		"ec key":           func(m map[string]any) { m["private_key"] = ecDER },
		"http token_uri":   func(m map[string]any) { m["token_uri"] = "http://oauth2.example.com/token" },
		"bad client_email": func(m map[string]any) { m["client_email"] = "alice@example.com" },
	} {
		content, secretLine := testKey(t, mutate)
		_, err := GCPServiceAccountKey(content)
		if !Is(err, RuleGCPServiceAccountKey) {
			t.Errorf("%s: want rule %s, got %v", name, RuleGCPServiceAccountKey, err)
			continue
		}
		if strings.Contains(err.Error(), secretLine) || strings.Contains(err.Error(), "PRIVATE KEY-----\n") {
			t.Errorf("%s: the message quotes the private key: %v", name, err)
		}
	}
	if _, err := GCPServiceAccountKey("{not json"); !Is(err, RuleGCPServiceAccountKey) {
		t.Errorf("malformed JSON: %v", err)
	}
}
