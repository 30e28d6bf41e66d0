package policy

import (
	"fmt"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// Field names used in FieldError. They are the Terraform attribute and
// function parameter names, so the provider can point at the right input.
const (
	FieldBucket       = "bucket"
	FieldPath         = "path"
	FieldAllowDelete  = "allow_delete"
	FieldReadOnly     = "read_only"
	FieldKMSKeyARNs   = "kms_key_arns"
	FieldPartition    = "partition"
	FieldPrincipalARN = "principal_arn"
	FieldExternalID   = "external_id"
	// FieldServiceAccountEmail is the GCS grants' service account.
	FieldServiceAccountEmail = "service_account_email"
	// FieldProject is the GCS grants' project of the custom roles.
	FieldProject = "project"
	// FieldPlatformServiceAccount is the platform's service account of a
	// GCP cross-project integration.
	FieldPlatformServiceAccount = "platform_service_account"
	// Azure role assignment inputs.
	FieldStorageAccountID = "storage_account_id"
	FieldContainer        = "container"
	FieldPrincipalID      = "principal_id"
)

// FieldError is an invalid input. Field is one of the Field* constants;
// Index is the element's position for list inputs and -1 otherwise. Err is
// the *rules.Error the input breaks, when a rule of internal/rules decided.
type FieldError struct {
	Field   string
	Index   int
	Message string
	Err     error
}

func (e *FieldError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("%s[%d]: %s", e.Field, e.Index, e.Message)
	}
	return e.Field + ": " + e.Message
}

// Unwrap returns the rule error, if any.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldError(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Index: -1, Message: fmt.Sprintf(format, args...)}
}

// ruleError wraps the error of a rule as the error of field.
func ruleError(field string, index int, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Index: index, Message: err.Error(), Err: err}
}

// NOTE: the rules themselves live in internal/rules; these wrappers only
// name the field, so generator errors point at the right input.

// ValidateBucketName applies rules.S3BucketName for Amazon S3.
func ValidateBucketName(name string) error {
	return ruleError(FieldBucket, -1, rules.S3BucketName(name, false))
}

// NormalizePath is rules.NormalizeDriverPath.
func NormalizePath(p string) string { return rules.NormalizeDriverPath(p) }

// ValidatePath applies rules.DriverPath.
func ValidatePath(p string) error { return ruleError(FieldPath, -1, rules.DriverPath(p)) }

// ValidateKMSKeyARN applies rules.KMSKeyARN to element index of a list.
func ValidateKMSKeyARN(index int, arn string) error {
	return ruleError(FieldKMSKeyARNs, index, rules.KMSKeyARN(arn))
}

// ValidatePrincipalARN applies rules.ParseIAMPrincipalARN.
func ValidatePrincipalARN(arn string) error {
	_, err := rules.ParseIAMPrincipalARN(arn)
	return ruleError(FieldPrincipalARN, -1, err)
}

// ValidateExternalID applies rules.STSExternalID.
func ValidateExternalID(id string) error {
	return ruleError(FieldExternalID, -1, rules.STSExternalID(id))
}

// ValidatePartition applies rules.AWSPartition; "" means aws.
func ValidatePartition(p string) error {
	if p == "" {
		return nil
	}
	return ruleError(FieldPartition, -1, rules.AWSPartition(p))
}
