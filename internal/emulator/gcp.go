package emulator

import (
	"context"
	"fmt"
	"net/http"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// GCPOptions gives the emulator a Google Cloud identity of its own (the
// platform's service account, which gcp-cross integrations expose and
// customers let impersonate theirs) and points its storage checks of gcs
// drivers at a Cloud Storage and IAM Credentials endpoint (the local GCS in
// tests and the demo).
type GCPOptions struct {
	// PlatformKeyJSON is the key file of the platform's service account.
	PlatformKeyJSON string
	// StorageEndpoint is the Cloud Storage JSON API base URL (see
	// accesscheck.Options.GCSEndpoint).
	StorageEndpoint string
	// IAMCredentialsEndpoint is the IAM Credentials API base URL.
	IAMCredentialsEndpoint string
	// HTTPClient is optional.
	HTTPClient *http.Client
}

// metaServiceAccount is the metadata entry of a gcp-cross integration that
// names the platform's service account, the member the customer lets
// impersonate their service account.
// NOTE: Dataloop's console shows this account, but no published source
// names the metadata entry; this is the emulator's choice, an extension
// that strict mode leaves out (clients then take the account from the
// console).
const metaServiceAccount = "serviceAccount"

// syntheticPlatformSA is the platform service account of an emulator
// without GCP options; nothing can impersonate anything with it.
const syntheticPlatformSA = "dataloop-platform@dataloop-emulator.iam.gserviceaccount.com"

// gcpBackend is the emulator's Google Cloud side.
type gcpBackend struct {
	platformKey string
	platformSA  string
	checker     *accesscheck.Checker
}

func newGCPBackend(o GCPOptions) (*gcpBackend, error) {
	k, err := rules.GCPServiceAccountKey(o.PlatformKeyJSON)
	if err != nil {
		return nil, fmt.Errorf("GCP platform key: %w", err)
	}
	return &gcpBackend{
		platformKey: o.PlatformKeyJSON,
		platformSA:  k.ClientEmail,
		checker: accesscheck.New(accesscheck.Options{GCSEndpoint: o.StorageEndpoint,
			GCPIAMCredentialsEndpoint: o.IAMCredentialsEndpoint, HTTPClient: o.HTTPClient, ResultTTL: -1}),
	}, nil
}

// platformServiceAccount is the account a new gcp-cross integration exposes.
func (s *Server) platformServiceAccount() string {
	if s.gcp == nil {
		return syntheticPlatformSA
	}
	return s.gcp.platformSA
}

// gcsPayloadFields maps the checker's GCS input names to the request fields
// they come from.
var gcsPayloadFields = map[string]string{"bucket": "payload.bucket", "path": "payload.path"}

// runGCSDriverTest checks a gcs driver as the platform does: with the
// integration's key file (gcs), or by impersonating the bound customer
// service account with the platform's own (gcp-cross). A gcp-cross test
// records whether the impersonation worked in the status entry.
func (s *Server) runGCSDriverTest(ctx context.Context, w http.ResponseWriter, t testTarget) {
	in := t.integ
	if s.gcp == nil {
		s.writeTestFailure(w, "the emulator has no GCP endpoints configured "+
			"(start it with -gcs-endpoint and -gcp-platform-key or set Options.GCP), so storage access cannot be checked", nil)
		return
	}
	creds := accesscheck.GCSCredentials{}
	switch in.Type {
	case typeGCS:
		creds.KeyJSON, _ = in.Options["content"].(string)
	case typeGCPCross:
		email, _ := in.Options["email"].(string)
		if email == "" {
			s.writeTestFailure(w, fmt.Sprintf("no service account is bound to gcp-cross integration %q, so the platform has no account to act as: "+
				"bind one with PATCH /orgs/%s/integrations "+
				`{"integrationId": %q, "credentials": {"type": "gcp-cross", "options": {"email": "<service account email>", "resourceName": "projects/<project>/serviceAccounts/<email>"}}}`,
				in.ID, in.OrgID, in.ID), nil)
			return
		}
		creds.KeyJSON, creds.Impersonate = s.gcp.platformKey, email
	default:
		s.writeTestFailure(w, "integration type "+in.Type+" cannot access Cloud Storage", nil)
		return
	}
	target := accesscheck.GCSTarget{Bucket: t.loc.Bucket, Path: t.loc.Path, AllowDelete: t.allowDelete}

	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	res, err := s.gcp.checker.CheckGCS(ctx, creds, target)
	if err == nil && in.Type == typeGCPCross {
		for _, ch := range res.Checks {
			if ch.Name == accesscheck.CheckImpersonate {
				s.recordTrust(ctx, in.ID, creds.Impersonate, ch.Success)
			}
		}
	}
	s.writeCheckAnswer(w, "gcs", in.ID, gcsPayloadFields, res, err)
}

// checkGCPBinding validates a gcp-cross binding's options.
func checkGCPBinding(opts map[string]any) error {
	email, _ := opts["email"].(string)
	if err := rules.GCPServiceAccountEmail(email); err != nil {
		return fieldErr("options.email", "%v", err)
	}
	name, _ := opts["resourceName"].(string)
	account, err := rules.GCPServiceAccountResourceName(name)
	if err != nil {
		return fieldErr("options.resourceName", "%v", err)
	}
	if !gcpUniqueIDLike(account) && account != email {
		return fieldErr("options.resourceName", "names service account %s, but options.email is %s", account, email)
	}
	return nil
}

func gcpUniqueIDLike(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
