package accesscheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// SessionName is the RoleSessionName of every AssumeRole call, so the
// checker's sessions are easy to find in CloudTrail and in the role's
// "assumed-role/<role>/dataloop-access-check" ARN.
const SessionName = "dataloop-access-check"

// AWSCredentials are the credentials a check runs with: a static key, and
// for role-based integrations (aws-sts, aws-cross) the role to assume with
// it. String, GoString and LogValue redact the secrets, so the value can be
// logged or formatted with %v and %#v safely.
type AWSCredentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// RoleARN, when set, is assumed with the key before any S3 request.
	RoleARN string
	// ExternalID is passed to AssumeRole when set.
	ExternalID string
}

// String describes the credentials without secrets.
func (c AWSCredentials) String() string {
	return fmt.Sprintf("AWSCredentials{AccessKeyID: %s, SecretAccessKey: %s, SessionToken: %s, RoleARN: %q, ExternalID: %s}",
		maskKeyID(c.AccessKeyID), redacted(c.SecretAccessKey), redacted(c.SessionToken), c.RoleARN, redacted(c.ExternalID))
}

// GoString is String, so %#v does not print the secrets either.
func (c AWSCredentials) GoString() string { return c.String() }

// LogValue keeps the secrets out of log/slog output.
func (c AWSCredentials) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_key_id", maskKeyID(c.AccessKeyID)),
		slog.String("role_arn", c.RoleARN),
		slog.Bool("external_id", c.ExternalID != ""),
	)
}

// static returns the key as SDK credentials, without the role.
func (c AWSCredentials) static() aws.Credentials {
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

// cacheKey identifies the credentials without keeping the secret in
// readable form.
func (c AWSCredentials) cacheKey() string {
	return hashKey(c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.RoleARN, c.ExternalID)
}

func hashKey(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		// Length-prefixed, so ("ab","c") and ("a","bc") differ.
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "<redacted>"
}

// maskKeyID keeps the first and last four characters of an access key ID:
// enough to tell keys apart, not enough to be mistaken for a leaked key.
func maskKeyID(id string) string {
	if len(id) <= 8 {
		return redacted(id)
	}
	return fmt.Sprintf("%q", id[:4]+"…"+id[len(id)-4:])
}
