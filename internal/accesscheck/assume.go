package accesscheck

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// credentialsRefreshWindow is how long before expiry an assumed-role
// session is replaced, so no check starts with credentials about to expire.
const credentialsRefreshWindow = 5 * time.Minute

// defaultSigningRegion signs STS and S3 requests when no region is known.
const defaultSigningRegion = "us-east-1"

// awsConfig returns an SDK configuration with static credentials; the SDK
// reads nothing from the environment or shared files.
func (c *Checker) awsConfig(region string, creds aws.Credentials) aws.Config {
	if region == "" {
		region = defaultSigningRegion
	}
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken),
		HTTPClient:  c.http,
		AppID:       SessionName,
	}
}

// errAssumeRole is returned by assumeRole with the check that reports why
// the role could not be assumed.
type errAssumeRole struct{ check Check }

func (e *errAssumeRole) Error() string { return e.check.Message }

// credentialsFor returns the credentials S3 requests use: the key itself,
// or an assumed-role session for it, cached until shortly before expiry.
// A failure to assume the role is an *errAssumeRole.
func (c *Checker) credentialsFor(ctx context.Context, creds AWSCredentials, region string) (aws.Credentials, error) {
	base := creds.static()
	if creds.RoleARN == "" {
		return base, nil
	}
	valid := func(v aws.Credentials) bool {
		return !v.CanExpire || c.now().Add(credentialsRefreshWindow).Before(v.Expires)
	}
	if c.opts.FreshSessions {
		return c.assumeRole(ctx, creds, base, region)
	}
	key := hashKey(creds.cacheKey(), c.opts.AWSEndpoint)
	return c.credentials.get(ctx, key, valid, func(ctx context.Context) (aws.Credentials, bool, error) {
		v, err := c.assumeRole(ctx, creds, base, region)
		return v, err == nil, err
	})
}

func (c *Checker) stsClient(region string, creds aws.Credentials) *sts.Client {
	return sts.NewFromConfig(c.awsConfig(region, creds), func(o *sts.Options) {
		if c.opts.AWSEndpoint != "" {
			o.BaseEndpoint = aws.String(c.opts.AWSEndpoint)
		}
	})
}

func (c *Checker) assumeRole(ctx context.Context, creds AWSCredentials, base aws.Credentials, region string) (aws.Credentials, error) {
	client := c.stsClient(region, base)
	in := &sts.AssumeRoleInput{
		RoleArn:         aws.String(creds.RoleARN),
		RoleSessionName: aws.String(SessionName),
	}
	if creds.ExternalID != "" {
		in.ExternalId = aws.String(creds.ExternalID)
	}
	c.debug(ctx, "Assuming role", map[string]any{"role_arn": creds.RoleARN, "session_name": SessionName, "external_id": creds.ExternalID != ""})
	c.assumeRoleCalls.Add(1)
	out, err := client.AssumeRole(ctx, in)
	if err == nil {
		if out.Credentials == nil {
			return aws.Credentials{}, errors.New("sts:AssumeRole returned no credentials")
		}
		v := aws.Credentials{
			AccessKeyID:     aws.ToString(out.Credentials.AccessKeyId),
			SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
			SessionToken:    aws.ToString(out.Credentials.SessionToken),
			Source:          SessionName,
		}
		if out.Credentials.Expiration != nil {
			v.CanExpire = true
			v.Expires = *out.Credentials.Expiration
		}
		return v, nil
	}
	ae := parseAWSError(err)
	if !ae.isAWSResponse() {
		return aws.Credentials{}, fmt.Errorf("sts:AssumeRole on %s: %w", creds.RoleARN, err)
	}
	check := Check{Name: CheckAssumeRole}
	switch {
	case ae.explicitDeny():
		check.Code = CodeExplicitDeny
		check.Input = InputRoleARN
		check.Message = fmt.Sprintf("Explicitly denied: a Deny statement covers sts:AssumeRole on %s (%s). An Allow cannot override it: remove the Deny statement or narrow it.",
			creds.RoleARN, ae.describe())
	case ae.accessDenied():
		check.Code = CodeDenied
		check.retryable = true
		check.Input = InputRoleARN
		caller := c.callerARN(ctx, client)
		who := "the credentials"
		if caller != "" {
			who = caller
		}
		check.Message = fmt.Sprintf("Access denied: %s may not call sts:AssumeRole on %s (%s). The role must exist (AWS does not say whether it does), its trust policy must name %s as principal%s, and the caller's own policy must allow sts:AssumeRole on the role.",
			who, creds.RoleARN, ae.describe(), who, externalIDClause(creds.ExternalID))
		if caller != "" {
			if doc, err := policy.AWSTrustPolicy(policy.TrustPolicyInput{PrincipalARN: caller, ExternalID: creds.ExternalID}); err == nil {
				check.Hint, _ = doc.JSON()
			}
		}
	case ae.unknownKey():
		// A key created seconds ago is refused until it has propagated.
		check.Code = CodePropagation
		check.retryable = true
		check.Input = InputAccessKeyID
		check.Message = fmt.Sprintf("The access key was rejected (%s). Check the access key ID; a key created moments ago can take a few seconds to become valid.", ae.describe())
	case ae.badCredentials():
		check.Code = CodeBadCredentials
		check.Input = InputSecretAccessKey
		check.Message = fmt.Sprintf("The credentials were rejected (%s). Check the secret access key.", ae.describe())
	default:
		check.Code = CodeFailed
		check.Message = fmt.Sprintf("sts:AssumeRole on %s failed: %s.", creds.RoleARN, ae.describe())
	}
	return aws.Credentials{}, &errAssumeRole{check: check}
}

// assumedRole is the assume_role check of a role assumed successfully.
func assumedRole(roleARN string) Check {
	return Check{Name: CheckAssumeRole, Success: true, Message: fmt.Sprintf("Assumed role %s as session %s.", roleARN, SessionName)}
}

func externalIDClause(externalID string) string {
	if externalID == "" {
		return ""
	}
	return " with a matching sts:ExternalId condition"
}

// callerARN names the identity behind the key, best effort: GetCallerIdentity
// needs no permission.
func (c *Checker) callerARN(ctx context.Context, client *sts.Client) string {
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return ""
	}
	return aws.ToString(out.Arn)
}
