package rules

import (
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
)

// IAM names: 1 to 64 characters (roles; users allow the same set) of
// letters, digits and +=,.@_- (IAM quotas and name rules).
var (
	iamName    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamPath    = regexp.MustCompile(`^/([\x21-\x7E]*/)?$`)
	accountID  = regexp.MustCompile(`^\d{12}$`)
	kmsKeyID   = regexp.MustCompile(`^[A-Za-z0-9-]{1,128}$`)
	kmsRegion  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d{1,2}$`)
	maxIAMPath = 512
)

// IAMARN is a parsed IAM user or role ARN, or an account root ARN.
type IAMARN struct {
	Partition string
	AccountID string
	// Kind is "role", "user" or "root".
	Kind string
	// Path is the IAM path, "/" when none; empty for root.
	Path string
	// Name is the role or user name; empty for root.
	Name string
}

// String returns the ARN.
func (a IAMARN) String() string {
	if a.Kind == "root" {
		return "arn:" + a.Partition + ":iam::" + a.AccountID + ":root"
	}
	return "arn:" + a.Partition + ":iam::" + a.AccountID + ":" + a.Kind + a.Path + a.Name
}

const roleARNFix = "use the form arn:aws:iam::<12-digit account ID>:role/<role name> " +
	"(arn:aws-cn:… in China, arn:aws-us-gov:… in GovCloud); the role does not need to exist yet"

// ParseIAMRoleARN parses an IAM role ARN with aws-sdk-go-v2's arn package
// and checks every part: a supported partition (aws, aws-cn, aws-us-gov),
// the iam service without a region, a 12-digit account, an optional path and
// a role name of 1 to 64 characters without wildcards.
func ParseIAMRoleARN(s string) (IAMARN, error) {
	a, err := parseIAM(s, RuleIAMRoleARN, roleARNFix)
	if err != nil {
		return IAMARN{}, err
	}
	if a.Kind != "role" {
		return IAMARN{}, broken(RuleIAMRoleARN, roleARNFix, "%q is an IAM %s ARN, not a role ARN", s, a.Kind)
	}
	return a, nil
}

const principalARNFix = "use an IAM user, role or account root ARN such as arn:aws:iam::<12-digit account ID>:user/<name>"

// ParseIAMPrincipalARN parses the ARN of an IAM user, an IAM role or an
// account root, without wildcards: a principal a trust policy can name.
func ParseIAMPrincipalARN(s string) (IAMARN, error) {
	if strings.ContainsAny(s, "*?") {
		return IAMARN{}, broken(RuleIAMPrincipalARN, "a trust policy must name exactly one principal; "+principalARNFix,
			"%q contains a wildcard", s)
	}
	return parseIAM(s, RuleIAMPrincipalARN, principalARNFix)
}

func parseIAM(s string, rule Rule, fix string) (IAMARN, error) {
	if s == "" {
		return IAMARN{}, broken(rule, fix, "the ARN is empty")
	}
	a, err := arn.Parse(s)
	if err != nil {
		return IAMARN{}, broken(rule, fix, "%q is not an ARN (%s)", s, strings.TrimPrefix(err.Error(), "arn: "))
	}
	if err := AWSPartition(a.Partition); err != nil {
		return IAMARN{}, broken(rule, fix, "%q is in partition %q; the supported partitions are %s",
			s, a.Partition, strings.Join(Partitions(), ", "))
	}
	switch {
	case a.Service != "iam":
		return IAMARN{}, broken(rule, fix, "%q is an ARN of service %q, not of iam", s, a.Service)
	case a.Region != "":
		return IAMARN{}, broken(rule, fix, "%q names region %q, but IAM ARNs have no region", s, a.Region)
	case !accountID.MatchString(a.AccountID):
		return IAMARN{}, broken(rule, fix, "%q does not hold a 12-digit account ID", s)
	}
	out := IAMARN{Partition: a.Partition, AccountID: a.AccountID}
	if a.Resource == "root" {
		out.Kind = "root"
		return out, nil
	}
	kind, rest, ok := strings.Cut(a.Resource, "/")
	if !ok || kind != "role" && kind != "user" {
		return IAMARN{}, broken(rule, fix, "%q names resource %q, which is not role/<name> or user/<name>", s, a.Resource)
	}
	out.Kind = kind
	i := strings.LastIndexByte(rest, '/')
	out.Path, out.Name = "/"+rest[:i+1], rest[i+1:]
	if i < 0 {
		out.Path = "/"
	}
	switch {
	case !iamName.MatchString(out.Name):
		return IAMARN{}, broken(rule, fix, "%q has %s name %q; names are 1 to 64 letters, digits and +=,.@_-", s, kind, out.Name)
	case len(out.Path) > maxIAMPath || !iamPath.MatchString(out.Path):
		return IAMARN{}, broken(rule, fix, "%q has IAM path %q; paths are up to 512 printable ASCII characters between slashes", s, out.Path)
	}
	return out, nil
}

const kmsKeyFix = "use the key ARN, arn:aws:kms:<region>:<account-id>:key/<key-id>"

// KMSKeyARN reports whether s is a KMS key ARN. Alias ARNs are rejected:
// IAM authorizes kms:Decrypt against the key, never the alias.
func KMSKeyARN(s string) error {
	a, err := arn.Parse(s)
	if err != nil || a.Service != "kms" {
		return broken(RuleKMSKeyARN, kmsKeyFix, "%q is not a KMS key ARN", s)
	}
	if strings.HasPrefix(a.Resource, "alias/") {
		return broken(RuleKMSKeyARN, "IAM grants kms:Decrypt on the key, not the alias; "+kmsKeyFix, "%q is a KMS alias ARN", s)
	}
	id, ok := strings.CutPrefix(a.Resource, "key/")
	switch {
	case AWSPartition(a.Partition) != nil:
		return broken(RuleKMSKeyARN, kmsKeyFix, "%q is in partition %q; the supported partitions are %s",
			s, a.Partition, strings.Join(Partitions(), ", "))
	case !kmsRegion.MatchString(a.Region) || !accountID.MatchString(a.AccountID) || !ok || !kmsKeyID.MatchString(id):
		return broken(RuleKMSKeyARN, kmsKeyFix, "%q is not a KMS key ARN", s)
	}
	return nil
}

// RoleInPartitions reports whether a role is in one of partitions; no
// partitions means any supported one. NOTE: IAM roles trust principals of
// their own partition only, so a role that Dataloop's platform IAM user (in
// the aws partition) assumes must be in aws too.
func RoleInPartitions(a IAMARN, partitions ...string) error {
	if len(partitions) == 0 {
		return nil
	}
	for _, p := range partitions {
		if a.Partition == p {
			return nil
		}
	}
	return broken(RuleIAMRoleARN,
		"a role can only trust principals of its own partition, and the principal that assumes this role is in "+
			strings.Join(partitions, " or ")+"; create the role in an account of that partition",
		"role %s is in partition %q", a.String(), a.Partition)
}
