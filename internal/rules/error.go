package rules

import (
	"errors"
	"fmt"
)

// Rule names one input rule.
type Rule string

// The rules of this package. Rules for other clouds are added beside these,
// one file per cloud.
const (
	RuleS3BucketName    Rule = "s3_bucket_name"
	RuleAWSRegion       Rule = "aws_region"
	RuleAWSPartition    Rule = "aws_partition"
	RuleIAMRoleARN      Rule = "iam_role_arn"
	RuleIAMPrincipalARN Rule = "iam_principal_arn"
	RuleKMSKeyARN       Rule = "kms_key_arn"
	RuleSTSExternalID   Rule = "sts_external_id"
	RuleAWSAccessKeyID  Rule = "aws_access_key_id"
	RuleDriverPath      Rule = "driver_path"
	RuleObjectName      Rule = "object_name"
)

// Error is a value that breaks a rule. Problem says what is wrong (it may
// quote the value, unless the value can be a secret); Fix says what to do.
// Neither ends with a period, so callers can embed them in sentences.
type Error struct {
	Rule    Rule
	Problem string
	Fix     string
}

// Error returns "<problem>; <fix>".
func (e *Error) Error() string {
	if e.Fix == "" {
		return e.Problem
	}
	return e.Problem + "; " + e.Fix
}

// Detail renders the error as full sentences, for a diagnostic's detail.
func (e *Error) Detail() string {
	if e.Fix == "" {
		return upperFirst(e.Problem) + "."
	}
	return upperFirst(e.Problem) + ". " + upperFirst(e.Fix) + "."
}

// AsError returns the *Error in err's chain.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Is reports whether err breaks rule r.
func Is(err error, r Rule) bool {
	e, ok := AsError(err)
	return ok && e.Rule == r
}

func broken(r Rule, fix, format string, args ...any) *Error {
	return &Error{Rule: r, Problem: fmt.Sprintf(format, args...), Fix: fix}
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
