package accesscheck_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// requireNoSecret fails when the secret appears in any message or hint.
func requireNoSecret(t *testing.T, res accesscheck.Result, secret string) {
	t.Helper()
	out := res.Error()
	for _, ch := range res.Checks {
		out += ch.Message + ch.Hint
	}
	if strings.Contains(out, secret) {
		t.Errorf("the secret access key appears in the result")
	}
}

func TestCheckCredentials_StaticKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// A key without any permission: GetCallerIdentity needs none.
	key := e.moto.CreateUser(t, uniqueName("key"), "")
	c := e.checker(accesscheck.Options{})
	creds := accesscheck.AWSCredentials{AccessKeyID: key.AccessKeyID, SecretAccessKey: key.SecretAccessKey}
	res, err := c.CheckCredentials(context.Background(), creds)
	requireSuccess(t, res, err)
	if got := names(res); !slices.Equal(got, []string{"credentials"}) {
		t.Errorf("checks = %v, want credentials only", got)
	}
	if msg := res.Checks[0].Message; !strings.Contains(msg, key.AccessKeyID) || !strings.Contains(msg, key.UserARN) {
		t.Errorf("message %q should name the key and its user", msg)
	}
	requireNoSecret(t, res, key.SecretAccessKey)
	if got := c.Stats(); got != (accesscheck.Stats{CheckRuns: 1}) {
		t.Errorf("stats = %+v, want one run and no AssumeRole", got)
	}
}

func TestCheckCredentials_AssumeRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	creds := e.role(t, "", policyJSON(t, bucketPolicy(t, policy.BucketPolicyInput{Bucket: e.bucket, Path: testPath})))
	c := e.checker(accesscheck.Options{})
	ctx := context.Background()
	res, err := c.CheckCredentials(ctx, creds)
	requireSuccess(t, res, err)
	if got := names(res); !slices.Equal(got, []string{"credentials", "assume_role"}) {
		t.Errorf("checks = %v, want credentials and assume_role", got)
	}
	if ch, _ := check(res, "assume_role"); !strings.Contains(ch.Message, accesscheck.SessionName) || !strings.Contains(ch.Message, creds.RoleARN) {
		t.Errorf("assume_role message %q should name the role and the session", ch.Message)
	}

	// A repeated check is served from the cache, and a bucket check with the
	// same credentials reuses the assumed session.
	res, err = c.CheckCredentialsUntilReady(ctx, creds, time.Minute)
	requireSuccess(t, res, err)
	if got := c.Stats(); got != (accesscheck.Stats{AssumeRoleCalls: 1, CheckRuns: 1}) {
		t.Fatalf("stats after a repeated check = %+v, want 1 AssumeRole and 1 run", got)
	}
	res, err = c.CheckS3(ctx, creds, e.target(false))
	requireSuccess(t, res, err)
	if got := c.Stats(); got != (accesscheck.Stats{AssumeRoleCalls: 1, CheckRuns: 2}) {
		t.Errorf("stats after a bucket check = %+v, want the session reused", got)
	}
}

func TestCheckCredentials_RejectedKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.checker(accesscheck.Options{})
	tests := map[string]struct {
		creds    accesscheck.AWSCredentials
		wantCode string
	}{
		"unknown key": {
			creds:    accesscheck.AWSCredentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: e.user.SecretAccessKey},
			wantCode: "InvalidClientTokenId",
		},
		"wrong secret": {
			creds:    accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: "wrong" + e.user.SecretAccessKey[5:]},
			wantCode: "SignatureDoesNotMatch",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			// A role is set, but a rejected key stops the check before it.
			tt.creds.RoleARN = "arn:aws:iam::123456789012:role/" + uniqueName("never-assumed")
			res, err := c.CheckCredentials(context.Background(), tt.creds)
			if err != nil {
				t.Fatalf("check error: %v", err)
			}
			if got := names(res); !slices.Equal(got, []string{"credentials"}) || res.Success() {
				t.Fatalf("checks = %+v, want only a failed credentials check", res.Checks)
			}
			msg := res.Checks[0].Message
			if !strings.Contains(msg, tt.creds.AccessKeyID) || !strings.Contains(msg, tt.wantCode) {
				t.Errorf("message %q should name the key ID and %s", msg, tt.wantCode)
			}
			requireNoSecret(t, res, tt.creds.SecretAccessKey)
		})
	}

	// A secret that does not match its key is not something propagation
	// explains, so it is not retried.
	res, err := c.CheckCredentialsUntilReady(context.Background(), tests["wrong secret"].creds, time.Minute)
	if err != nil || res.Success() || res.Attempts != 1 {
		t.Errorf("wrong secret: got (%d attempts, success %t, %v), want one failed attempt", res.Attempts, res.Success(), err)
	}
	if got := c.Stats().AssumeRoleCalls; got != 0 {
		t.Errorf("AssumeRole calls = %d, want none with a rejected key", got)
	}
}

func TestCheckCredentials_WrongTrust(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.moto.CreateUser(t, uniqueName("other"), "")
	arn := e.moto.CreateRole(t, uniqueName("role"), trustPolicy(t, other.UserARN, ""), "")
	creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
	res, err := e.checker(accesscheck.Options{}).CheckCredentials(context.Background(), creds)
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	if got := names(res); !slices.Equal(got, []string{"credentials", "assume_role"}) {
		t.Fatalf("checks = %v, want credentials and assume_role", got)
	}
	if !res.Checks[0].Success {
		t.Errorf("credentials check failed: %+v", res.Checks[0])
	}
	ch := res.Checks[1]
	if ch.Success || !strings.Contains(ch.Message, "sts:AssumeRole") || !strings.Contains(ch.Message, arn) {
		t.Fatalf("assume_role check = %+v, want a failure naming sts:AssumeRole and the role", ch)
	}
	want := trustPolicy(t, e.user.UserARN, "")
	if ch.Hint != want {
		t.Errorf("hint = %s\nwant the trust policy naming the caller:\n%s", ch.Hint, want)
	}
	requireNoSecret(t, res, e.user.SecretAccessKey)
}

func TestCheckCredentials_InvalidInput(t *testing.T) {
	t.Parallel()
	c := accesscheck.New(accesscheck.Options{AWSEndpoint: "http://127.0.0.1:1"})
	for name, creds := range map[string]accesscheck.AWSCredentials{
		"empty key":    {SecretAccessKey: "secret"},
		"empty secret": {AccessKeyID: "AKIAEXAMPLE"},
		"bad role ARN": {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", RoleARN: "arn:aws:iam::123456789012:user/x"},
		"external id":  {AccessKeyID: "AKIAEXAMPLE", SecretAccessKey: "secret", ExternalID: "no-role-to-use-it"},
	} {
		t.Run(name, func(t *testing.T) {
			res, err := c.CheckCredentialsUntilReady(context.Background(), creds, time.Minute)
			if !accesscheck.IsInputError(err) {
				t.Fatalf("got (%+v, %v), want an input error", res, err)
			}
		})
	}
	if got := c.Stats(); got.CheckRuns != 0 {
		t.Errorf("%d checks ran for invalid input", got.CheckRuns)
	}
}

func TestCheckCredentialsUntilReady_TrustGranted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	roleName := uniqueName("late-trust")
	other := e.moto.CreateUser(t, uniqueName("other"), "")
	arn := e.moto.CreateRole(t, roleName, trustPolicy(t, other.UserARN, ""), "")
	creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
	hook := newRetryHook()
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-hook.ch:
			if _, err := e.moto.IAM().UpdateAssumeRolePolicy(context.Background(), &iam.UpdateAssumeRolePolicyInput{
				RoleName:       aws.String(roleName),
				PolicyDocument: aws.String(trustPolicy(t, e.user.UserARN, "")),
			}); err != nil {
				t.Errorf("updating trust policy: %v", err)
			}
		case <-time.After(2 * time.Minute):
		}
	}()
	c := e.checker(accesscheck.Options{Logger: hook})
	res, err := c.CheckCredentialsUntilReady(context.Background(), creds, 2*time.Minute)
	<-done
	requireSuccess(t, res, err)
	if res.Attempts < 2 {
		t.Errorf("attempts = %d, want a retry", res.Attempts)
	}
	if got := c.Stats().AssumeRoleCalls; got < 2 {
		t.Errorf("AssumeRole calls = %d, want the denied one retried", got)
	}
}

func TestCheckCredentialsUntilReady_NeverTrusted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.moto.CreateUser(t, uniqueName("other"), "")
	arn := e.moto.CreateRole(t, uniqueName("role"), trustPolicy(t, other.UserARN, ""), "")
	creds := accesscheck.AWSCredentials{AccessKeyID: e.user.AccessKeyID, SecretAccessKey: e.user.SecretAccessKey, RoleARN: arn}
	res, err := e.checker(accesscheck.Options{}).CheckCredentialsUntilReady(context.Background(), creds, 10*time.Second)
	if err != nil {
		t.Fatalf("check error: %v", err)
	}
	ch, _ := check(res, "assume_role")
	if res.Success() || ch.Success || ch.Hint == "" {
		t.Fatalf("assume_role check = %+v, want the last denial with its hint", ch)
	}
	if res.Attempts < 2 {
		t.Errorf("attempts = %d, want the denial retried until the timeout", res.Attempts)
	}
}
