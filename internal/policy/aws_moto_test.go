package policy_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestAWSPolicies_moto runs the generated policies through moto's IAM with
// enforcement on: IAM must accept every variant, and an assumed role must
// be able to do exactly what the policy says. NOTE: moto ignores Condition
// blocks in permission policies, so the s3:prefix limit on ListBucket is
// covered by the unit tests only.
func TestAWSPolicies_moto(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto; skipped in -short mode")
	}
	m := testenv.StartMoto(t)
	ctx := context.Background()
	client := m.IAM()

	t.Run("iam accepts", func(t *testing.T) {
		principal := m.CreateUser(t, "accept-platform", "").UserARN
		for i, in := range []policy.TrustPolicyInput{
			{PrincipalARN: principal},
			{PrincipalARN: principal, ExternalID: "org-demo:9f8e7d"},
			{PrincipalARN: "arn:aws:iam::" + testenv.MotoAccountID + ":root"},
		} {
			trust := trustJSON(t, (in))
			name := "accept-role-" + string(rune('a'+i))
			if _, err := client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
				t.Fatalf("create-role with trust policy %+v: %v\n%s", in, err, trust)
			}
		}

		keys := []string{"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}
		for i, in := range []policy.BucketPolicyInput{
			{Bucket: "accept-bucket"},
			{Bucket: "accept-bucket", Path: "data/"},
			{Bucket: "accept-bucket", Path: "data/", ReadOnly: true},
			{Bucket: "accept-bucket", Path: "data/", AllowDelete: true, KMSKeyARNs: keys},
			{Bucket: "accept.bucket", Path: "q&a/$2024/*?/"},
		} {
			doc := bucketJSON(t, (in))
			if _, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
				RoleName: aws.String("accept-role-a"), PolicyName: aws.String("bucket"), PolicyDocument: aws.String(doc),
			}); err != nil {
				t.Fatalf("put-role-policy with %+v: %v\n%s", in, err, doc)
			}
			got, err := client.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("accept-role-a"), PolicyName: aws.String("bucket")})
			if err != nil {
				t.Fatal(err)
			}
			if stored, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument)); stored != doc && aws.ToString(got.PolicyDocument) != doc {
				t.Errorf("moto stored a different document for %+v:\n%s", in, stored)
			}
			name := "accept-policy-" + string(rune('a'+i))
			if _, err := client.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
				t.Fatalf("create-policy with %+v: %v\n%s", in, err, doc)
			}
		}

		// A control: moto's validator is on, so acceptance above means something.
		_, err := client.PutRolePolicy(ctx, &iam.PutRolePolicyInput{
			RoleName: aws.String("accept-role-a"), PolicyName: aws.String("broken"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3ListBucket","Resource":"*"}]}`),
		})
		if code := apiCode(err); code != "MalformedPolicyDocument" {
			t.Errorf("a malformed policy: got %v, want MalformedPolicyDocument", err)
		}
	})

	t.Run("enforced", func(t *testing.T) {
		const bucket = "enforced-bucket"
		m.CreateBucket(t, bucket, "")
		admin := m.S3()
		for _, key := range []string{"data/in.txt", "other/out.txt"} {
			if _, err := admin.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
				t.Fatal(err)
			}
		}
		roleARN := func(name string) string { return "arn:aws:iam::" + testenv.MotoAccountID + ":role/" + name }
		assumeAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
		platform := m.CreateUser(t, "enforced-platform", assumeAll)
		stranger := m.CreateUser(t, "enforced-stranger", assumeAll)
		const externalID = "org-demo:9f8e7d"
		trust := trustJSON(t, (policy.TrustPolicyInput{PrincipalARN: platform.UserARN, ExternalID: externalID}))

		tests := []struct {
			role    string
			in      policy.BucketPolicyInput
			allowed map[string]bool // "action key" -> allowed
		}{
			{"enforced-rw", policy.BucketPolicyInput{Bucket: bucket, Path: "data/"}, map[string]bool{
				"get data/in.txt": true, "put data/new.txt": true, "delete data/in.txt": false,
				"put data/.dataloop/probe": true, "get data/.dataloop/probe": true, "delete data/.dataloop/probe": true,
				"get other/out.txt": false, "put other/new.txt": false, "list data/": true,
			}},
			{"enforced-ro", policy.BucketPolicyInput{Bucket: bucket, Path: "data/", ReadOnly: true}, map[string]bool{
				"get data/in.txt": true, "put data/new.txt": false, "delete data/in.txt": false,
				"put data/.dataloop/probe": true, "get data/.dataloop/probe": true, "delete data/.dataloop/probe": true,
				"put other/new.txt": false,
			}},
			{"enforced-del", policy.BucketPolicyInput{Bucket: bucket, Path: "data/", AllowDelete: true}, map[string]bool{
				"put data/tmp.txt": true, "delete data/tmp.txt": true, "delete other/out.txt": false,
			}},
			{"enforced-root", policy.BucketPolicyInput{Bucket: bucket}, map[string]bool{
				"get other/out.txt": true, "put .dataloop/probe": true, "delete .dataloop/probe": true,
				"delete other/out.txt": false, "list ": true,
			}},
		}
		for _, tt := range tests {
			t.Run(tt.role, func(t *testing.T) {
				m.CreateRole(t, tt.role, trust, bucketJSON(t, (tt.in)))
				creds, err := assumeRole(ctx, m, platform, roleARN(tt.role), externalID)
				if err != nil {
					t.Fatalf("the trusted principal cannot assume the role: %v", err)
				}
				s3c := s3.NewFromConfig(m.Config(aws.ToString(creds.AccessKeyId), aws.ToString(creds.SecretAccessKey), aws.ToString(creds.SessionToken)),
					func(o *s3.Options) { o.UsePathStyle = true })
				// Map iteration order is random; the cases do not depend on order
				// except put before get/delete of the same key, so run in phases.
				for _, verb := range []string{"put", "list", "get", "delete"} {
					for op, want := range tt.allowed {
						v, key, _ := strings.Cut(op, " ")
						if v != verb {
							continue
						}
						err := s3Do(ctx, s3c, verb, bucket, key)
						if got := err == nil; got != want {
							t.Errorf("%s: allowed = %t, want %t (err: %v)", op, got, want, err)
						} else if err != nil && apiCode(err) != "AccessDenied" {
							t.Errorf("%s: got %v, want AccessDenied", op, err)
						}
					}
				}
			})
		}

		t.Run("trust", func(t *testing.T) {
			if _, err := assumeRole(ctx, m, platform, roleARN("enforced-rw"), "wrong-id"); err == nil {
				t.Error("a wrong external ID was accepted")
			}
			if _, err := assumeRole(ctx, m, stranger, roleARN("enforced-rw"), externalID); err == nil {
				t.Error("a principal outside the trust policy assumed the role")
			}
		})
	})
}

func trustJSON(t *testing.T, in policy.TrustPolicyInput) string {
	t.Helper()
	doc, err := policy.AWSTrustPolicy(in)
	return minified(t, doc, err)
}

func bucketJSON(t *testing.T, in policy.BucketPolicyInput) string {
	t.Helper()
	doc, err := policy.AWSBucketPolicy(in)
	return minified(t, doc, err)
}

func minified(t *testing.T, doc *policy.Document, err error) string {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	s, err := doc.MinifiedJSON()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func assumeRole(ctx context.Context, m *testenv.Moto, key testenv.AccessKey, roleARN, externalID string) (*ststypes.Credentials, error) {
	out, err := sts.NewFromConfig(m.Config(key.AccessKeyID, key.SecretAccessKey, "")).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn:         aws.String(roleARN),
		RoleSessionName: aws.String("dataloop-policy-test"),
		ExternalId:      aws.String(externalID),
	})
	if err != nil {
		return nil, err
	}
	return out.Credentials, nil
}

func s3Do(ctx context.Context, c *s3.Client, verb, bucket, key string) error {
	var err error
	switch verb {
	case "put":
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("probe")})
	case "get":
		var out *s3.GetObjectOutput
		if out, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err == nil {
			out.Body.Close()
		}
	case "delete":
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	case "list":
		_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	}
	return err
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
