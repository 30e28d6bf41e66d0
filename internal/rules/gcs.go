package rules

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// Google Cloud rules.
const (
	RuleGCSBucketName                 Rule = "gcs_bucket_name"
	RuleGCPServiceAccountEmail        Rule = "gcp_service_account_email"
	RuleGCPServiceAccountResourceName Rule = "gcp_service_account_resource_name"
	RuleGCPServiceAccountKey          Rule = "gcp_service_account_key"
)

var (
	gcsBucketChars = regexp.MustCompile(`^[a-z0-9._-]+$`)
	// "google" and the close misspellings Cloud Storage refuses.
	gcsGoogleLike = regexp.MustCompile(`g[o0][o0]g[l1]e`)
	// User-managed service accounts: <id>@<project>.iam.gserviceaccount.com,
	// where a domain-scoped project (example.com:proj) reads proj.example.com.
	gcpUserSA = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z][a-z0-9.-]{4,}[a-z0-9]\.iam\.gserviceaccount\.com$`)
	// Google-managed defaults: <number>-compute@developer.gserviceaccount.com
	// and <project>@appspot.gserviceaccount.com.
	gcpDefaultSA = regexp.MustCompile(`^([0-9]{6,20}-compute@developer|[a-z][a-z0-9-]{4,28}[a-z0-9]@appspot)\.gserviceaccount\.com$`)
	gcpProjectID = regexp.MustCompile(`^([a-z][a-z0-9.-]*:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	gcpUniqueID  = regexp.MustCompile(`^[0-9]{10,30}$`)
)

// GCSBucketName reports whether name follows Cloud Storage's bucket naming
// rules: 3 to 63 lowercase letters, digits, hyphens, underscores and dots
// (up to 222 with dots, each dot-separated part at most 63), beginning and
// ending with a letter or digit, not an IP address, not starting with
// "goog" and not containing "google" or a close misspelling.
func GCSBucketName(name string) error {
	const fix = "use the name of a Cloud Storage bucket: 3 to 63 lowercase letters, digits, hyphens, underscores and dots " +
		"(up to 222 with dots), beginning and ending with a letter or digit, as in gs://<name>"
	switch {
	case name == "":
		return broken(RuleGCSBucketName, fix, "the bucket name is empty")
	case strings.HasPrefix(name, "gs://"):
		return broken(RuleGCSBucketName, "set only the bucket name, without gs:// or a path", "bucket name %s has a gs:// scheme", quoteShort(name))
	case !gcsBucketChars.MatchString(name):
		return broken(RuleGCSBucketName, fix, "bucket name %s holds characters other than lowercase letters, digits, hyphens, underscores and dots", quoteShort(name))
	case len(name) < 3 || len(name) > 222 || !strings.Contains(name, ".") && len(name) > 63:
		return broken(RuleGCSBucketName, fix, "bucket name %s is %d characters long", quoteShort(name), len(name))
	case !isLowerAlnum(name[0]) || !isLowerAlnum(name[len(name)-1]):
		return broken(RuleGCSBucketName, fix, "bucket name %s does not begin and end with a lowercase letter or a digit", quoteShort(name))
	case strings.HasPrefix(name, "goog"):
		return broken(RuleGCSBucketName, fix, "bucket name %s starts with \"goog\", which Cloud Storage reserves", quoteShort(name))
	case gcsGoogleLike.MatchString(name):
		return broken(RuleGCSBucketName, fix, "bucket name %s contains \"google\" or a close misspelling, which Cloud Storage refuses", quoteShort(name))
	}
	for _, part := range strings.Split(name, ".") {
		if part == "" {
			return broken(RuleGCSBucketName, fix, "bucket name %s has an empty dot-separated part", quoteShort(name))
		}
		if len(part) > 63 {
			return broken(RuleGCSBucketName, fix, "bucket name %s has a dot-separated part longer than 63 characters", quoteShort(name))
		}
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return broken(RuleGCSBucketName, fix, "bucket name %s is formatted as an IP address", quoteShort(name))
	}
	return nil
}

// GCPServiceAccountEmail reports whether email is a service account's
// email: <id>@<project>.iam.gserviceaccount.com, or one of Google's default
// service accounts (compute, App Engine).
func GCPServiceAccountEmail(email string) error {
	const fix = "use the service account's email, as in name@project-id.iam.gserviceaccount.com"
	switch {
	case email == "":
		return broken(RuleGCPServiceAccountEmail, fix, "the service account email is empty")
	case email != strings.TrimSpace(email):
		return broken(RuleGCPServiceAccountEmail, "remove the surrounding whitespace", "service account email %s has leading or trailing whitespace", quoteShort(email))
	case strings.HasPrefix(email, "serviceAccount:"):
		return broken(RuleGCPServiceAccountEmail, "set the email alone, without the serviceAccount: member prefix", "service account email %s is an IAM member string", quoteShort(email))
	case !gcpUserSA.MatchString(email) && !gcpDefaultSA.MatchString(email):
		return broken(RuleGCPServiceAccountEmail, fix, "%s is not a service account email", quoteShort(email))
	}
	return nil
}

// GCPServiceAccountResourceName reports whether name is a service account's
// resource name, projects/<project-id or ->/serviceAccounts/<email or
// unique id>, and returns the email or unique id it names.
func GCPServiceAccountResourceName(name string) (string, error) {
	const fix = "use the service account's resource name, as in projects/<project-id>/serviceAccounts/<email> " +
		"(the google_service_account resource's name attribute)"
	rest, ok := strings.CutPrefix(name, "projects/")
	if !ok {
		return "", broken(RuleGCPServiceAccountResourceName, fix, "%s does not start with projects/", quoteShort(name))
	}
	project, account, ok := strings.Cut(rest, "/serviceAccounts/")
	switch {
	case !ok:
		return "", broken(RuleGCPServiceAccountResourceName, fix, "%s has no /serviceAccounts/ part", quoteShort(name))
	case project != "-" && !gcpProjectID.MatchString(project):
		return "", broken(RuleGCPServiceAccountResourceName, fix, "%s names project %s, which is not a project ID", quoteShort(name), quoteShort(project))
	case gcpUniqueID.MatchString(account):
		return account, nil
	}
	if err := GCPServiceAccountEmail(account); err != nil {
		return "", broken(RuleGCPServiceAccountResourceName, fix, "%s names %s, which is neither a service account email nor a unique ID", quoteShort(name), quoteShort(account))
	}
	return account, nil
}

// ServiceAccountKey is what a service account key file says about itself,
// without the private key.
type ServiceAccountKey struct {
	ClientEmail  string
	TokenURI     string
	ProjectID    string
	PrivateKeyID string
}

// GCPServiceAccountKey reports whether content is a service account key file
// (the JSON that IAM issues) that can obtain tokens: type service_account, a
// client_email, an RSA private_key in PEM, and a token_uri (https, or http to
// a loopback host). Problems never quote the content, which holds the key.
func GCPServiceAccountKey(content string) (ServiceAccountKey, error) {
	const fix = "use the JSON key file that Google Cloud creates for the service account " +
		"(google_service_account_key's private_key, base64-decoded, or the downloaded file), unchanged"
	var raw map[string]any
	if err := json.Unmarshal([]byte(content), &raw); err != nil {
		return ServiceAccountKey{}, broken(RuleGCPServiceAccountKey, fix, "the key is not valid JSON")
	}
	str := func(k string) string { s, _ := raw[k].(string); return s }
	k := ServiceAccountKey{ClientEmail: str("client_email"), TokenURI: str("token_uri"), ProjectID: str("project_id"), PrivateKeyID: str("private_key_id")}
	switch t := str("type"); {
	case t == "":
		return k, broken(RuleGCPServiceAccountKey, fix, `the key has no "type"; a service account key has "type": "service_account"`)
	case t != "service_account":
		return k, broken(RuleGCPServiceAccountKey, "create a key for a service account; user credentials and external account configurations are not accepted",
			`the key's "type" is %s, not "service_account"`, quoteShort(t))
	}
	for _, f := range []string{"client_email", "private_key", "token_uri"} {
		if str(f) == "" {
			return k, broken(RuleGCPServiceAccountKey, fix, "the key has no %q", f)
		}
	}
	if err := GCPServiceAccountEmail(k.ClientEmail); err != nil {
		return k, broken(RuleGCPServiceAccountKey, fix, `the key's "client_email" %s is not a service account email`, quoteShort(k.ClientEmail))
	}
	if err := privateKeyPEM(str("private_key")); err != nil {
		return k, err
	}
	u, err := url.Parse(k.TokenURI)
	switch {
	case err != nil || u.Host == "" || u.Scheme != "https" && u.Scheme != "http":
		return k, broken(RuleGCPServiceAccountKey, fix, `the key's "token_uri" %s is not an absolute URL`, quoteShort(k.TokenURI))
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return k, broken(RuleGCPServiceAccountKey, "use the https token_uri that Google Cloud wrote into the key",
			`the key's "token_uri" %s is plain http to a host that is not loopback`, quoteShort(k.TokenURI))
	}
	return k, nil
}

// privateKeyPEM checks that pemText holds one RSA private key.
func privateKeyPEM(pemText string) error {
	const fix = "use the key file unchanged: \"private_key\" must hold the PEM block -----BEGIN PRIVATE KEY----- ... " +
		"with its newlines written as \\n"
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return broken(RuleGCPServiceAccountKey, fix, `the key's "private_key" is not PEM`)
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return broken(RuleGCPServiceAccountKey, fix, `the key's "private_key" PEM block does not hold a readable PKCS #8 private key`)
		}
		if _, ok := k.(*rsa.PrivateKey); !ok {
			return broken(RuleGCPServiceAccountKey, fix, `the key's "private_key" is not an RSA key`)
		}
	case "RSA PRIVATE KEY":
		if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err != nil {
			return broken(RuleGCPServiceAccountKey, fix, `the key's "private_key" PEM block does not hold a readable RSA private key`)
		}
	default:
		return broken(RuleGCPServiceAccountKey, fix, `the key's "private_key" is a %q PEM block, not a private key`, block.Type)
	}
	return nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// RuleGCPProjectID is the rule of GCPProjectID.
const RuleGCPProjectID Rule = "gcp_project_id"

// GCPProjectID reports whether id is a Google Cloud project ID: 6 to 30
// lowercase letters, digits and hyphens, beginning with a letter and not
// ending with a hyphen, optionally after a domain scope (example.com:).
func GCPProjectID(id string) error {
	const fix = "use the project ID (not the project name or number): 6 to 30 lowercase letters, digits and hyphens, " +
		"beginning with a letter, as in acme-prod"
	switch {
	case id == "":
		return broken(RuleGCPProjectID, fix, "the project ID is empty")
	case strings.HasPrefix(id, "projects/"):
		return broken(RuleGCPProjectID, "set the project ID alone, without projects/", "project ID %s is a resource name", quoteShort(id))
	case !gcpProjectID.MatchString(id):
		return broken(RuleGCPProjectID, fix, "%s is not a project ID", quoteShort(id))
	}
	return nil
}
