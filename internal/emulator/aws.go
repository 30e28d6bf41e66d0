package emulator

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// AWSOptions points the emulator at an AWS endpoint (moto in tests and the
// demo) where it plays the platform's own AWS account: it creates the IAM
// users of aws-cross integrations there and probes buckets from there.
type AWSOptions struct {
	// Endpoint is the base URL of the AWS endpoint, e.g. http://127.0.0.1:5000.
	Endpoint string
	// Region is used for IAM and as the default region (default us-east-1).
	Region string
	// AccessKeyID and SecretAccessKey are the admin credentials the platform
	// uses to create its IAM users.
	AccessKeyID     string
	SecretAccessKey string
	// HTTPClient is optional.
	HTTPClient *http.Client
}

// platformPolicy lets a platform IAM user assume customers' roles; whether
// it may is then up to each role's trust policy, as on the real platform.
const platformPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`

const platformPolicyName = "dataloop-platform-assume-role"

type awsBackend struct {
	opts AWSOptions
	iam  *iam.Client
}

func newAWSBackend(o AWSOptions) (*awsBackend, error) {
	if o.Endpoint == "" {
		return nil, errors.New("aws: endpoint is required")
	}
	if o.AccessKeyID == "" || o.SecretAccessKey == "" {
		return nil, errors.New("aws: admin access key id and secret are required")
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	iamOpts := iam.Options{
		Region:       o.Region,
		BaseEndpoint: aws.String(o.Endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(o.AccessKeyID, o.SecretAccessKey, ""),
	}
	if o.HTTPClient != nil {
		iamOpts.HTTPClient = o.HTTPClient
	}
	return &awsBackend{opts: o, iam: iam.New(iamOpts)}, nil
}

// createUser creates the platform IAM user of an integration with an access
// key and the right to assume roles.
func (b *awsBackend) createUser(ctx context.Context, name string) (*platformKey, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	u, err := b.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
	if err != nil {
		return nil, fmt.Errorf("iam CreateUser %s: %w", name, err)
	}
	if _, err := b.iam.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String(name), PolicyName: aws.String(platformPolicyName), PolicyDocument: aws.String(platformPolicy),
	}); err != nil {
		b.cleanup(name)
		return nil, fmt.Errorf("iam PutUserPolicy %s: %w", name, err)
	}
	k, err := b.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		b.cleanup(name)
		return nil, fmt.Errorf("iam CreateAccessKey %s: %w", name, err)
	}
	return &platformKey{
		UserName:        name,
		UserARN:         aws.ToString(u.User.Arn),
		AccessKeyID:     aws.ToString(k.AccessKey.AccessKeyId),
		SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey),
	}, nil
}

func (b *awsBackend) cleanup(name string) {
	_ = b.deleteUser(context.Background(), &platformKey{UserName: name})
}

// deleteUser removes a platform IAM user with its keys and policy.
func (b *awsBackend) deleteUser(ctx context.Context, k *platformKey) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	name := aws.String(k.UserName)
	keys, err := b.iam.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: name})
	if err == nil {
		for _, ak := range keys.AccessKeyMetadata {
			_, _ = b.iam.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: name, AccessKeyId: ak.AccessKeyId})
		}
	}
	_, _ = b.iam.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: name, PolicyName: aws.String(platformPolicyName)})
	if _, err := b.iam.DeleteUser(ctx, &iam.DeleteUserInput{UserName: name}); err != nil {
		return fmt.Errorf("iam DeleteUser %s: %w", k.UserName, err)
	}
	return nil
}
