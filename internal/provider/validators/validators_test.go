package validators

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func validate(v validator.String, value types.String) (bool, string) {
	resp := &validator.StringResponse{}
	v.ValidateString(context.Background(), validator.StringRequest{Path: path.Root("attr"), ConfigValue: value}, resp)
	if !resp.Diagnostics.HasError() {
		return true, ""
	}
	return false, resp.Diagnostics[0].Summary() + ": " + resp.Diagnostics[0].Detail()
}

func TestValidators(t *testing.T) {
	cases := []struct {
		name  string
		v     validator.String
		value string
		ok    bool
	}{
		{"key id", AWSAccessKeyID(), "AKIAIOSFODNN7EXAMPLE", true},
		{"temporary key id", AWSAccessKeyID(), "ASIAIOSFODNN7EXAMPLE", true},
		{"key id too short", AWSAccessKeyID(), "AKIAIOSFODNN7EXAMPL", false},
		{"key id lower case", AWSAccessKeyID(), "akiaiosfodnn7example", false},
		{"key id with space", AWSAccessKeyID(), "AKIAIOSFODNN7EXAMPLE ", false},
		{"secret as key id", AWSAccessKeyID(), "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", false},
		{"role", IAMRoleARN(), "arn:aws:iam::123456789012:role/dataloop", true},
		{"role with path", IAMRoleARN(), "arn:aws:iam::123456789012:role/team/data/dataloop", true},
		{"role in aws-cn", IAMRoleARN(), "arn:aws-cn:iam::123456789012:role/dataloop", true},
		{"user", IAMRoleARN(), "arn:aws:iam::123456789012:user/dataloop", false},
		{"short account", IAMRoleARN(), "arn:aws:iam::12345:role/dataloop", false},
		{"role name only", IAMRoleARN(), "dataloop", false},
		{"empty role name", IAMRoleARN(), "arn:aws:iam::123456789012:role/", false},
		{"duration", Duration(), "2m", true},
		{"compound duration", Duration(), "1h30m", true},
		{"no unit", Duration(), "120", false},
		{"zero", Duration(), "0s", false},
		{"negative", Duration(), "-1m", false},
		{"https url", URLWithScheme("https", "http"), "https://gate.dataloop.ai/api/v1", true},
		{"http url with port", URLWithScheme("https", "http"), "http://127.0.0.1:5000", true},
		{"no scheme", URLWithScheme("https", "http"), "gate.dataloop.ai/api/v1", false},
		{"wrong scheme", URLWithScheme("https", "http"), "ftp://gate.dataloop.ai", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ok, msg := validate(tc.v, types.StringValue(tc.value))
			if ok != tc.ok {
				t.Fatalf("%q: got ok=%v (%s), want %v", tc.value, ok, msg, tc.ok)
			}
			if !ok && !strings.Contains(msg, "attr") {
				t.Errorf("the message does not name the attribute: %s", msg)
			}
		})
	}
}

// A rejected key ID is not echoed: it may be a secret pasted into the wrong field.
func TestAWSAccessKeyID_doesNotEchoValue(t *testing.T) {
	secret := "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	_, msg := validate(AWSAccessKeyID(), types.StringValue(secret))
	if strings.Contains(msg, secret) {
		t.Fatalf("the message repeats the value: %s", msg)
	}
}

func TestValidators_skipNullAndUnknown(t *testing.T) {
	for _, v := range []validator.String{AWSAccessKeyID(), IAMRoleARN(), Duration(), URLWithScheme("https")} {
		for _, value := range []types.String{types.StringNull(), types.StringUnknown()} {
			if ok, msg := validate(v, value); !ok {
				t.Errorf("%T rejected %v: %s", v, value, msg)
			}
		}
	}
}
