package accesscheck

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// InputError reports a malformed input (empty bucket, invalid role ARN,
// ...). No AWS request is made for it, and it is never retried.
type InputError struct {
	// Field names the input: bucket, path, region, access_key_id,
	// secret_access_key, role_arn or external_id.
	Field   string
	Message string
	// Err is the *rules.Error the input breaks, when a rule decided.
	Err error
}

func (e *InputError) Error() string { return fmt.Sprintf("invalid %s: %s", e.Field, e.Message) }

// Unwrap returns the rule error, if any.
func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is or wraps an *InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// validate rejects inputs that no AWS request can succeed with, by the
// same rules (internal/rules) the provider's schema validators apply.
func validate(creds AWSCredentials, t S3Target) error {
	if err := validateCredentials(creds); err != nil {
		return err
	}
	if err := rules.DriverPath(t.Path); err != nil {
		return ruleInputError("path", err)
	}
	// S3-compatible stores have their own naming rules for buckets and
	// regions (e.g. "auto"); the rules relax when an endpoint is set.
	compatible := t.Endpoint != ""
	if err := rules.S3BucketName(t.Bucket, compatible); err != nil {
		return ruleInputError("bucket", err)
	}
	if t.Region != "" {
		if err := rules.AWSRegion(t.Region, compatible); err != nil {
			return ruleInputError("region", err)
		}
	}
	return nil
}

// validateCredentials rejects credentials that no AWS request can succeed
// with.
func validateCredentials(creds AWSCredentials) error {
	switch {
	case creds.AccessKeyID == "":
		return &InputError{Field: "access_key_id", Message: "must not be empty"}
	case creds.SecretAccessKey == "":
		return &InputError{Field: "secret_access_key", Message: "must not be empty"}
	case creds.ExternalID != "" && creds.RoleARN == "":
		return &InputError{Field: "external_id", Message: "is only used with a role to assume"}
	}
	if creds.RoleARN != "" {
		if _, err := rules.ParseIAMRoleARN(creds.RoleARN); err != nil {
			return ruleInputError("role_arn", err)
		}
	}
	if err := rules.STSExternalID(creds.ExternalID); err != nil {
		return ruleInputError("external_id", err)
	}
	return nil
}

// ruleInputError turns the error of a rule into the InputError of field.
func ruleInputError(field string, err error) *InputError {
	return &InputError{Field: field, Message: err.Error(), Err: err}
}

// awsError is what the checker needs from an AWS SDK error.
type awsError struct {
	code    string // AWS error code, "" when the response had none (HEAD)
	message string
	status  int // HTTP status, 0 when no response was received
	header  http.Header
}

func parseAWSError(err error) awsError {
	var out awsError
	var ae smithy.APIError
	if errors.As(err, &ae) {
		out.code = ae.ErrorCode()
		out.message = ae.ErrorMessage()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		out.status = re.HTTPStatusCode()
		if re.Response != nil {
			out.header = re.Response.Header
		}
	}
	return out
}

// describe renders the error for a check message: code and AWS message,
// which never carry credentials.
func (e awsError) describe() string {
	switch {
	case e.code != "" && e.message != "" && e.message != e.code:
		return e.code + ": " + e.message
	case e.code != "":
		return e.code
	case e.status != 0:
		return fmt.Sprintf("HTTP %d %s", e.status, http.StatusText(e.status))
	}
	return "unknown error"
}

// Error codes the checker reacts to.
const (
	codeAccessDenied          = "AccessDenied"
	codeInvalidAccessKeyID    = "InvalidAccessKeyId"
	codeInvalidClientTokenID  = "InvalidClientTokenId"
	codeSignatureDoesNotMatch = "SignatureDoesNotMatch"
	codeExpiredToken          = "ExpiredToken"
	codeNoSuchBucket          = "NoSuchBucket"
	codeNoSuchKey             = "NoSuchKey"
	codePermanentRedirect     = "PermanentRedirect"
	codeAuthHeaderMalformed   = "AuthorizationHeaderMalformed"
)

// accessDenied reports a missing permission: the case IAM propagation
// explains right after a policy or trust change.
func (e awsError) accessDenied() bool {
	return e.code == codeAccessDenied || e.code == "" && e.status == http.StatusForbidden
}

// explicitDeny reports an access denial caused by a Deny statement. NOTE:
// AWS says so only in the message ("... with an explicit deny in an
// identity-based policy"); this is the one place that reads it.
func (e awsError) explicitDeny() bool {
	return e.accessDenied() && strings.Contains(strings.ToLower(e.message), "explicit deny")
}

// unknownKey reports a key AWS does not know (yet): a key created seconds
// ago is refused this way until IAM has propagated it.
func (e awsError) unknownKey() bool {
	return e.code == codeInvalidAccessKeyID || e.code == codeInvalidClientTokenID
}

// badCredentials reports credentials AWS rejected for a reason other than
// permissions.
func (e awsError) badCredentials() bool {
	return e.unknownKey() || e.code == codeSignatureDoesNotMatch || e.code == codeExpiredToken || e.code == "InvalidToken"
}

// isAWSResponse reports whether err came from an AWS response (as opposed
// to a network failure or a canceled context).
func (e awsError) isAWSResponse() bool { return e.status != 0 || e.code != "" }
