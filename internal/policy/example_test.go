package policy_test

import (
	"fmt"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

func ExampleAWSBucketPolicy() {
	doc, err := policy.AWSBucketPolicy(policy.BucketPolicyInput{
		Bucket:   "my-bucket",
		Path:     "/datasets/raw",
		ReadOnly: true,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := doc.MinifiedJSON()
	fmt.Println(s)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"DataloopListBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::my-bucket","Condition":{"StringLike":{"s3:prefix":"datasets/raw/*"}}},{"Sid":"DataloopReadObjects","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::my-bucket/datasets/raw/*"},{"Sid":"DataloopProbeFolder","Effect":"Allow","Action":["s3:DeleteObject","s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::my-bucket/datasets/raw/.dataloop/*"}]}
}

func ExampleAWSTrustPolicy() {
	doc, err := policy.AWSTrustPolicy(policy.TrustPolicyInput{
		PrincipalARN: "arn:aws:iam::123456789012:user/dataloop-platform",
		ExternalID:   "my-external-id",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := doc.JSON()
	fmt.Println(s)
	// Output:
	// {
	//   "Version": "2012-10-17",
	//   "Statement": [
	//     {
	//       "Sid": "DataloopAssumeRole",
	//       "Effect": "Allow",
	//       "Principal": {
	//         "AWS": "arn:aws:iam::123456789012:user/dataloop-platform"
	//       },
	//       "Action": "sts:AssumeRole",
	//       "Condition": {
	//         "StringEquals": {
	//           "sts:ExternalId": "my-external-id"
	//         }
	//       }
	//     }
	//   ]
	// }
}

func ExampleStatementFor() {
	s, _ := policy.StatementFor("s3:DeleteObject", "my-bucket", "datasets/raw/").JSON()
	fmt.Println(s)
	// Output:
	// {
	//   "Sid": "DataloopDeleteObject",
	//   "Effect": "Allow",
	//   "Action": "s3:DeleteObject",
	//   "Resource": "arn:aws:s3:::my-bucket/datasets/raw/*"
	// }
}

func ExampleBucketPolicyInput_Validate() {
	err := policy.BucketPolicyInput{Bucket: "My_Bucket"}.Validate()
	fmt.Println(err)
	// Output:
	// bucket: bucket name "My_Bucket" holds characters other than lowercase letters, digits, dots (.) and hyphens (-); use the name of an S3 general purpose bucket: 3 to 63 lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit
}
