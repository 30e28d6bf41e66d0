package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestAWSTrustPolicy_golden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		golden string
		in     TrustPolicyInput
	}{
		{"trust_user.json", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:user/dataloop-platform-abc123"}},
		{"trust_external_id.json", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:user/dataloop-platform-abc123", ExternalID: "org-demo:9f8e7d"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			doc, err := AWSTrustPolicy(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := doc.JSON()
			if err != nil {
				t.Fatal(err)
			}
			assertGolden(t, tt.golden, got)
		})
	}
}

func TestAWSTrustPolicy_principals(t *testing.T) {
	t.Parallel()
	valid := []string{
		"arn:aws:iam::123456789012:user/dataloop",
		"arn:aws:iam::123456789012:user/platform/team/dataloop",
		"arn:aws:iam::123456789012:user/name+=,.@_-x",
		"arn:aws:iam::123456789012:role/dataloop-reader",
		"arn:aws:iam::123456789012:root",
		"arn:aws-cn:iam::123456789012:user/dataloop",
		"arn:aws-us-gov:iam::123456789012:user/dataloop",
	}
	for _, arn := range valid {
		if _, err := AWSTrustPolicy(TrustPolicyInput{PrincipalARN: arn}); err != nil {
			t.Errorf("%q: %v", arn, err)
		}
	}
}

func TestAWSTrustPolicy_invalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    TrustPolicyInput
		field string
		msg   string
	}{
		{"empty", TrustPolicyInput{}, FieldPrincipalARN, "is empty"},
		{"wildcard", TrustPolicyInput{PrincipalARN: "*"}, FieldPrincipalARN, "wildcard"},
		{"wildcard user", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:user/*"}, FieldPrincipalARN, "wildcard"},
		{"account id", TrustPolicyInput{PrincipalARN: "123456789012"}, FieldPrincipalARN, "is not an ARN"},
		{"short account", TrustPolicyInput{PrincipalARN: "arn:aws:iam::12345:user/x"}, FieldPrincipalARN, "12-digit account ID"},
		{"region set", TrustPolicyInput{PrincipalARN: "arn:aws:iam:us-east-1:123456789012:user/x"}, FieldPrincipalARN, "have no region"},
		{"group", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:group/x"}, FieldPrincipalARN, "not role/<name> or user/<name>"},
		{"sts session", TrustPolicyInput{PrincipalARN: "arn:aws:sts::123456789012:assumed-role/r/s"}, FieldPrincipalARN, "not of iam"},
		{"name too long", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:user/" + strings.Repeat("a", 65)}, FieldPrincipalARN, "names are 1 to 64"},
		{"unsupported partition", TrustPolicyInput{PrincipalARN: "arn:aws-iso-b:iam::123456789012:user/dataloop"}, FieldPrincipalARN, `partition "aws-iso-b"`},
		{"external id short", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:root", ExternalID: "x"}, FieldExternalID, "characters long"},
		{"external id long", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:root", ExternalID: strings.Repeat("x", 1225)}, FieldExternalID, "characters long"},
		{"external id chars", TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:root", ExternalID: "a b"}, FieldExternalID, "characters other than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := AWSTrustPolicy(tt.in)
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Index != -1 {
				t.Fatalf("got %#v, want a *FieldError for %s", err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q should start with %q and contain %q", err, tt.field, tt.msg)
			}
		})
	}
}

// TestAWSTrustPolicy_externalIDNotEchoed keeps external IDs, which some
// teams treat as confidential, out of error messages.
func TestAWSTrustPolicy_externalIDNotEchoed(t *testing.T) {
	t.Parallel()
	_, err := AWSTrustPolicy(TrustPolicyInput{PrincipalARN: "arn:aws:iam::123456789012:root", ExternalID: "secret value"})
	if err == nil || strings.Contains(err.Error(), "secret value") {
		t.Fatalf("error %v should not contain the external ID", err)
	}
}
