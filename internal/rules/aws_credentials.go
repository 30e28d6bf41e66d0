package rules

import (
	"fmt"
	"regexp"
)

var (
	externalIDChars = regexp.MustCompile(`^[\w+=,.@:/-]+$`)

	// NOTE: long-term IAM user keys start with AKIA and temporary (STS) keys
	// with ASIA; both are 20 characters of upper-case letters and digits.
	// moto issues keys of the same shape.
	accessKeyIDPattern = regexp.MustCompile(`^(AKIA|ASIA)[A-Z0-9]{16}$`)
)

// STSExternalID reports whether id is a valid sts:ExternalId: 2 to 1224
// characters of letters, digits and +=,.@:/-_ (AWS STS rules). The empty
// string means no external ID and is valid. The value is never quoted.
func STSExternalID(id string) error {
	const fix = "use 2 to 1224 letters, digits and the characters +=,.@:/-_"
	switch {
	case id == "":
		return nil
	case len(id) < 2 || len(id) > 1224:
		return broken(RuleSTSExternalID, fix, "the external ID is %d characters long", len(id))
	case !externalIDChars.MatchString(id):
		return broken(RuleSTSExternalID, fix, "the external ID holds characters other than letters, digits and +=,.@:/-_")
	}
	return nil
}

// AWSAccessKeyID reports whether id has the shape of an AWS access key ID
// (AKIA… or ASIA…, 20 characters). The value is never quoted: a secret
// pasted into the key ID field must not end up in the output.
func AWSAccessKeyID(id string) error {
	if accessKeyIDPattern.MatchString(id) {
		return nil
	}
	return &Error{Rule: RuleAWSAccessKeyID,
		Problem: fmt.Sprintf("the value (%d characters) is not an AWS access key ID", len(id)),
		Fix: "an access key ID is 20 characters long, starts with AKIA (IAM user keys) or ASIA (temporary keys) and " +
			"holds only upper-case letters and digits, for example AKIAIOSFODNN7EXAMPLE; check that the key ID and " +
			"the secret access key were not swapped and that the value has no surrounding whitespace"}
}
