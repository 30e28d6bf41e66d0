package testenv

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// AccessKey is an IAM user's access key created in moto.
type AccessKey struct {
	UserARN         string
	AccessKeyID     string
	SecretAccessKey string
}

// IAM returns an IAM client signed as the admin user.
func (m *Moto) IAM() *iam.Client { return iam.NewFromConfig(m.AdminConfig()) }

// S3 returns a path-style S3 client signed as the admin user.
func (m *Moto) S3() *s3.Client {
	return s3.NewFromConfig(m.AdminConfig(), func(o *s3.Options) { o.UsePathStyle = true })
}

// CreateBucket creates a bucket in region ("" means us-east-1).
func (m *Moto) CreateBucket(t testing.TB, name, region string) {
	t.Helper()
	in := &s3.CreateBucketInput{Bucket: aws.String(name)}
	if region != "" && region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{
			LocationConstraint: s3types.BucketLocationConstraint(region),
		}
	}
	client := s3.NewFromConfig(m.AdminConfig(), func(o *s3.Options) {
		o.UsePathStyle = true
		if region != "" {
			o.Region = region
		}
	})
	if _, err := client.CreateBucket(context.Background(), in); err != nil {
		t.Fatalf("creating bucket %s: %v", name, err)
	}
}

// CreateUser creates an IAM user with an inline policy (skipped when
// policyJSON is empty) and an access key.
func (m *Moto) CreateUser(t testing.TB, name, policyJSON string) AccessKey {
	t.Helper()
	ctx := context.Background()
	client := m.IAM()
	user, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating user %s: %v", name, err)
	}
	if policyJSON != "" {
		if _, err := client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName:       aws.String(name),
			PolicyName:     aws.String("inline"),
			PolicyDocument: aws.String(policyJSON),
		}); err != nil {
			t.Fatalf("putting policy of user %s: %v", name, err)
		}
	}
	key, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatalf("creating access key of user %s: %v", name, err)
	}
	return AccessKey{
		UserARN:         aws.ToString(user.User.Arn),
		AccessKeyID:     aws.ToString(key.AccessKey.AccessKeyId),
		SecretAccessKey: aws.ToString(key.AccessKey.SecretAccessKey),
	}
}

// CreateRole creates a role with a trust policy and, unless policyJSON is
// empty, an inline permission policy named "inline". It returns the role
// ARN.
func (m *Moto) CreateRole(t testing.TB, name, trustJSON, policyJSON string) string {
	t.Helper()
	role, err := m.IAM().CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName:                 aws.String(name),
		AssumeRolePolicyDocument: aws.String(trustJSON),
	})
	if err != nil {
		t.Fatalf("creating role %s: %v", name, err)
	}
	if policyJSON != "" {
		m.PutRolePolicy(t, name, policyJSON)
	}
	return aws.ToString(role.Role.Arn)
}

// PutRolePolicy sets the role's inline policy "inline". Safe to call from
// another goroutine than the test's: it reports failures with t.Errorf.
func (m *Moto) PutRolePolicy(t testing.TB, role, policyJSON string) {
	t.Helper()
	if _, err := m.IAM().PutRolePolicy(context.Background(), &iam.PutRolePolicyInput{
		RoleName:       aws.String(role),
		PolicyName:     aws.String("inline"),
		PolicyDocument: aws.String(policyJSON),
	}); err != nil {
		t.Errorf("putting policy of role %s: %v", role, err)
	}
}
