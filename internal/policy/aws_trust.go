package policy

// ActionAssumeRole is the action a trust policy grants.
const ActionAssumeRole = "sts:AssumeRole"

// SidAssumeRole is the Sid of the trust policy's only statement.
const SidAssumeRole = "DataloopAssumeRole"

// TrustPolicyInput describes who may assume the role the platform uses.
type TrustPolicyInput struct {
	// PrincipalARN is the platform IAM user of an aws-cross integration,
	// or the IAM user whose key an aws-sts integration holds.
	PrincipalARN string
	// ExternalID, when set, must be passed by the caller of AssumeRole.
	ExternalID string
}

// Validate checks every field and returns the first problem as a
// *FieldError.
func (in TrustPolicyInput) Validate() error {
	if err := ValidatePrincipalARN(in.PrincipalARN); err != nil {
		return err
	}
	return ValidateExternalID(in.ExternalID)
}

// AWSTrustPolicy returns the role trust policy (assume role policy) that
// lets the principal assume the role, with an sts:ExternalId condition when
// ExternalID is set.
func AWSTrustPolicy(in TrustPolicyInput) (*Document, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	st := Statement{
		Sid:       SidAssumeRole,
		Effect:    EffectAllow,
		Principal: Principal{"AWS": Values{in.PrincipalARN}},
		Action:    Values{ActionAssumeRole},
	}
	if in.ExternalID != "" {
		st.Condition = Condition{"StringEquals": {"sts:ExternalId": Values{in.ExternalID}}}
	}
	return &Document{Version: Version, Statement: []Statement{st}}, nil
}
