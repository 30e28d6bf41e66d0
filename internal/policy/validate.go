package policy

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field names used in FieldError. They are the Terraform attribute and
// function parameter names, so the provider can point at the right input.
const (
	FieldBucket       = "bucket"
	FieldPath         = "path"
	FieldAllowDelete  = "allow_delete"
	FieldReadOnly     = "read_only"
	FieldKMSKeyARNs   = "kms_key_arns"
	FieldPrincipalARN = "principal_arn"
	FieldExternalID   = "external_id"
)

// FieldError is an invalid input. Field is one of the Field* constants;
// Index is the element's position for list inputs and -1 otherwise.
type FieldError struct {
	Field   string
	Index   int
	Message string
}

func (e *FieldError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s[%d]: %s", e.Field, e.Index, e.Message)
	}
	return e.Field + ": " + e.Message
}

func fieldError(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Index: -1, Message: fmt.Sprintf(format, args...)}
}

// maxKeyLength is the longest S3 object key, in UTF-8 bytes.
const maxKeyLength = 1024

var (
	bucketChars = regexp.MustCompile(`^[a-z0-9.-]+$`)

	// An IAM user or role ARN, or an account root ARN. Partitions: aws,
	// aws-cn, aws-us-gov, aws-iso, aws-iso-b and later ones.
	principalARN = regexp.MustCompile(`^arn:aws(?:-[a-z]+)*:iam::\d{12}:(?:root|(?:user|role)/(?:[\x21-\x7E]*/)?[\w+=,.@-]{1,64})$`)

	kmsKeyARN   = regexp.MustCompile(`^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]{1,128}$`)
	kmsAliasARN = regexp.MustCompile(`^arn:aws(?:-[a-z]+)*:kms:[a-z0-9-]+:\d{12}:alias/`)

	externalIDChars = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
)

// Reserved bucket name prefixes and suffixes (S3 general purpose bucket
// naming rules). Names with these are access points, directory buckets,
// table buckets and similar resources that a storage driver cannot use.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// ValidateBucketName reports whether name follows the S3 general purpose
// bucket naming rules. NOTE: legacy us-east-1 names with uppercase letters
// or underscores (not creatable since 2018) are rejected too.
func ValidateBucketName(name string) error {
	switch {
	case name == "":
		return fieldError(FieldBucket, "must not be empty")
	case len(name) < 3 || len(name) > 63:
		return fieldError(FieldBucket, "%q must be between 3 and 63 characters long", name)
	case !bucketChars.MatchString(name):
		return fieldError(FieldBucket, "%q may only contain lowercase letters, digits, dots (.) and hyphens (-)", name)
	case !isAlnum(name[0]) || !isAlnum(name[len(name)-1]):
		return fieldError(FieldBucket, "%q must begin and end with a lowercase letter or a digit", name)
	case strings.Contains(name, ".."):
		return fieldError(FieldBucket, "%q must not contain two adjacent dots", name)
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return fieldError(FieldBucket, "%q must not be formatted as an IP address", name)
	}
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return fieldError(FieldBucket, "%q must not start with the reserved prefix %q", name, p)
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return fieldError(FieldBucket, "%q must not end with the reserved suffix %q", name, s)
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// NormalizePath returns the form of a driver path (an S3 key prefix) that
// the platform and the policies use: no leading slash and exactly one
// trailing slash, or "" for the bucket root.
func NormalizePath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return p + "/"
}

// ValidatePath reports whether p can be used as a key prefix. Wildcard
// characters are allowed: the generators escape them.
func ValidatePath(p string) error {
	if !utf8.ValidString(p) {
		return fieldError(FieldPath, "must be valid UTF-8")
	}
	for _, r := range p {
		if unicode.IsControl(r) {
			return fieldError(FieldPath, "%q must not contain control characters", p)
		}
	}
	// The probe folder key must still fit under the S3 key limit.
	if n := len(NormalizePath(p)) + len(probeFolder) + len(probeObjectReserve); n > maxKeyLength {
		return fieldError(FieldPath, "is too long: S3 keys are limited to %d bytes, and the path plus the %q folder would use %d", maxKeyLength, probeFolder, n)
	}
	return nil
}

// probeObjectReserve is room left for the platform's probe object name.
const probeObjectReserve = "test-file-00000000"

// ValidateKMSKeyARN reports whether arn is a KMS key ARN. Aliases are
// rejected: IAM authorizes kms:Decrypt against the key, never the alias.
func ValidateKMSKeyARN(index int, arn string) error {
	switch {
	case kmsKeyARN.MatchString(arn):
		return nil
	case kmsAliasARN.MatchString(arn):
		return &FieldError{Field: FieldKMSKeyARNs, Index: index, Message: fmt.Sprintf(
			"%q is a KMS alias ARN; IAM grants kms:Decrypt on the key, so use the key ARN (arn:aws:kms:<region>:<account-id>:key/<key-id>)", arn)}
	default:
		return &FieldError{Field: FieldKMSKeyARNs, Index: index, Message: fmt.Sprintf(
			"%q is not a KMS key ARN (expected arn:aws:kms:<region>:<account-id>:key/<key-id>)", arn)}
	}
}

// ValidatePrincipalARN reports whether arn can be the trusted principal of
// a role: an IAM user, an IAM role or an account root ARN, without
// wildcards.
func ValidatePrincipalARN(arn string) error {
	switch {
	case arn == "":
		return fieldError(FieldPrincipalARN, "must not be empty")
	case strings.ContainsAny(arn, "*?"):
		return fieldError(FieldPrincipalARN, "%q must not contain wildcards: a trust policy must name exactly one principal", arn)
	case !principalARN.MatchString(arn):
		return fieldError(FieldPrincipalARN, "%q is not an IAM user, role or account root ARN (expected arn:aws:iam::<account-id>:user/<name>)", arn)
	}
	return nil
}

// ValidateExternalID reports whether id is a valid sts:ExternalId: 2 to
// 1224 characters of letters, digits and +=,.@:/-_ (AWS STS rules). The
// empty string means no external ID and is valid.
func ValidateExternalID(id string) error {
	switch {
	case id == "":
		return nil
	case len(id) < 2 || len(id) > 1224:
		return fieldError(FieldExternalID, "must be between 2 and 1224 characters long, got %d", len(id))
	case !externalIDChars.MatchString(id):
		return fieldError(FieldExternalID, "may only contain letters, digits and the characters +=,.@:/-_")
	}
	return nil
}
