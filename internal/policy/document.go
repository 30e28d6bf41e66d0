// Package policy generates the cloud policies a Dataloop storage driver
// needs: the AWS IAM permission policy for a bucket, the trust policy of a
// cross-account role, and single statements used as fix hints by the access
// checker.
//
// The generators are pure functions without Terraform dependencies, so the
// provider's data sources and provider-defined functions, the access checker
// and the emulator all produce byte-identical JSON for the same inputs.
package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Version is the IAM policy language version of every generated document.
// NOTE: policy variables such as ${*} (used to escape wildcards in paths)
// are only interpreted in this version.
const Version = "2012-10-17"

// EffectAllow is the only effect the generators emit.
const EffectAllow = "Allow"

// Document is an IAM policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one statement of an IAM policy document. Field order is the
// order AWS documentation uses, and encoding/json keeps it, so the JSON is
// stable.
type Statement struct {
	Sid       string    `json:"Sid,omitempty"`
	Effect    string    `json:"Effect"`
	Principal Principal `json:"Principal,omitempty"`
	Action    Values    `json:"Action"`
	Resource  Values    `json:"Resource,omitempty"`
	Condition Condition `json:"Condition,omitempty"`
}

// Principal maps a principal type ("AWS", "Service", ...) to its values.
// encoding/json writes map keys sorted, which keeps the output stable.
type Principal map[string]Values

// Condition maps a condition operator ("StringEquals") to condition keys and
// their values.
type Condition map[string]map[string]Values

// Values is a policy element holding one or more strings. Like the AWS
// provider's aws_iam_policy_document, a single value is written as a plain
// string and several values as an array.
type Values []string

// MarshalJSON writes one value as a string and several as an array.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return marshal(v[0], "")
	}
	return marshal([]string(v), "")
}

// UnmarshalJSON accepts both a string and an array of strings.
func (v *Values) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*v = Values{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("policy value must be a string or an array of strings: %w", err)
	}
	*v = many
	return nil
}

// JSON returns the document indented with two spaces, without a trailing
// newline.
func (d *Document) JSON() (string, error) {
	b, err := marshal(d, "  ")
	return string(b), err
}

// MinifiedJSON returns the document without insignificant whitespace, the
// form IAM stores and the AWS CLI accepts inline.
func (d *Document) MinifiedJSON() (string, error) {
	b, err := marshal(d, "")
	return string(b), err
}

// JSON returns the statement indented with two spaces; the access checker
// shows it as the fix for a failed check.
func (s Statement) JSON() (string, error) {
	b, err := marshal(s, "  ")
	return string(b), err
}

// marshal encodes v without HTML escaping, so that characters such as & in
// a path stay readable, and without the encoder's trailing newline.
func marshal(v any, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if indent != "" {
		enc.SetIndent("", indent)
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
