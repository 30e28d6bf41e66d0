package accesscheck

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// CheckCredentials proves, with no bucket involved, that AWS accepts the
// credentials: the "credentials" check calls sts:GetCallerIdentity with the
// key (it needs no permission, so only a wrong key or secret fails it), and
// when RoleARN is set the "assume_role" check assumes the role as
// SessionName, with ExternalID when set. A denied AssumeRole carries the
// trust policy that names the key's identity as Hint. The assumed session
// is cached and reused by CheckS3 with the same credentials.
//
// Results are cached and errors reported as by CheckS3: the error is
// non-nil only when the check could not run (malformed input, a canceled
// context, AWS unreachable). Messages name the access key ID, never the
// secret.
func (c *Checker) CheckCredentials(ctx context.Context, creds AWSCredentials) (Result, error) {
	if err := validateCredentials(creds); err != nil {
		return Result{}, err
	}
	key := hashKey(CheckCredentials, creds.cacheKey(), c.opts.AWSEndpoint)
	return c.cached(ctx, key, func(ctx context.Context) (Result, error) {
		return c.runCredentials(ctx, creds)
	})
}

func (c *Checker) runCredentials(ctx context.Context, creds AWSCredentials) (Result, error) {
	fields := map[string]any{"role_arn": creds.RoleARN, "external_id": creds.ExternalID != ""}
	return c.run(ctx, "credentials check", fields, func(ctx context.Context) (Result, error) {
		var r recorder
		out, err := c.stsClient("", creds.static()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			ch, err := keyFailure(creds.AccessKeyID, err)
			if err != nil {
				return Result{}, err
			}
			r.add(ch)
			return r.result(), nil
		}
		r.add(Check{Name: CheckCredentials, Success: true,
			Message: fmt.Sprintf("AWS accepts access key %s of %s.", creds.AccessKeyID, aws.ToString(out.Arn))})
		if creds.RoleARN == "" {
			return r.result(), nil
		}
		_, err = c.credentialsFor(ctx, creds, "")
		var ar *errAssumeRole
		switch {
		case errors.As(err, &ar):
			r.add(ar.check)
		case err != nil:
			return Result{}, err
		default:
			r.add(assumedRole(creds.RoleARN))
		}
		return r.result(), nil
	})
}

// keyFailure turns a GetCallerIdentity error into a failed credentials
// check. Errors that are not AWS responses are returned.
func keyFailure(accessKeyID string, err error) (Check, error) {
	ae := parseAWSError(err)
	if !ae.isAWSResponse() {
		return Check{}, fmt.Errorf("sts:GetCallerIdentity with access key %s: %w", accessKeyID, err)
	}
	ch := Check{Name: CheckCredentials}
	switch {
	case ae.unknownKey():
		// A key created seconds ago is refused until it has propagated.
		ch.retryable = true
		ch.Input = InputAccessKeyID
		ch.Message = fmt.Sprintf("AWS does not know access key %s (%s). Check the access key ID and that the key is active; a key created moments ago can take a few seconds to become valid.",
			accessKeyID, ae.describe())
	case ae.code == codeSignatureDoesNotMatch:
		ch.Input = InputSecretAccessKey
		ch.Message = fmt.Sprintf("AWS rejected the secret access key given for access key %s (%s). Check that the secret belongs to this key.",
			accessKeyID, ae.describe())
	case ae.badCredentials():
		ch.Message = fmt.Sprintf("AWS rejected access key %s (%s).", accessKeyID, ae.describe())
	default:
		ch.Message = fmt.Sprintf("sts:GetCallerIdentity with access key %s failed: %s.", accessKeyID, ae.describe())
	}
	return ch, nil
}
