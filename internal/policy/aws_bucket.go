package policy

import (
	"slices"
	"strings"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// S3 and KMS actions used by the generated policies.
const (
	ActionListBucket      = "s3:ListBucket"
	ActionGetObject       = "s3:GetObject"
	ActionPutObject       = "s3:PutObject"
	ActionDeleteObject    = "s3:DeleteObject"
	ActionKMSDecrypt      = "kms:Decrypt"
	ActionKMSGenerateData = "kms:GenerateDataKey"
)

// Sids of the bucket policy statements. They carry a Dataloop prefix so the
// statements do not collide when merged into another policy (for example
// through aws_iam_policy_document's source_policy_documents, which merges
// by Sid).
const (
	SidListBucket   = "DataloopListBucket"
	SidReadWrite    = "DataloopReadWriteObjects"
	SidReadOnly     = "DataloopReadObjects"
	SidProbeFolder  = "DataloopProbeFolder"
	SidDeleteObject = "DataloopDeleteObjects"
	SidKMS          = "DataloopKMSKeys"
)

// probeFolder is the hidden folder under the driver path where the
// platform writes its permission test file.
const probeFolder = rules.ProbeFolder

// BucketPolicyInput describes the access a storage driver needs.
type BucketPolicyInput struct {
	// Bucket is the S3 bucket name.
	Bucket string
	// Path is the driver's key prefix; it is normalized with NormalizePath,
	// and "" means the whole bucket.
	Path string
	// AllowDelete grants s3:DeleteObject under Path, for drivers with
	// allow_delete.
	AllowDelete bool
	// ReadOnly leaves out s3:PutObject under Path. The probe folder stays
	// writable because the platform validates every driver by writing there.
	ReadOnly bool
	// KMSKeyARNs are the keys that encrypt the bucket's objects (SSE-KMS).
	KMSKeyARNs []string
	// Partition is the AWS partition of the bucket (rules.Partitions);
	// "" means aws. S3 ARNs in aws-cn start with arn:aws-cn:s3.
	Partition string
}

// Validate checks every field and returns the first problem as a
// *FieldError.
func (in BucketPolicyInput) Validate() error {
	if err := ValidateBucketName(in.Bucket); err != nil {
		return err
	}
	if err := ValidatePath(in.Path); err != nil {
		return err
	}
	if err := ValidatePartition(in.Partition); err != nil {
		return err
	}
	if in.ReadOnly && in.AllowDelete {
		return fieldError(FieldAllowDelete, "must not be true when read_only is true: a read-only driver cannot delete objects")
	}
	for i, arn := range in.KMSKeyARNs {
		if err := ValidateKMSKeyARN(i, arn); err != nil {
			return err
		}
	}
	return nil
}

// AWSBucketPolicy returns the IAM permission policy (an identity policy for
// the role or user the platform uses, not an S3 bucket policy) that grants
// a storage driver exactly the access it needs. Statements, actions and
// key ARNs are in a fixed order, so equal inputs give equal JSON.
func AWSBucketPolicy(in BucketPolicyInput) (*Document, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := escape(NormalizePath(in.Path))

	objectActions := Values{ActionGetObject, ActionPutObject}
	objectSid := SidReadWrite
	if in.ReadOnly {
		objectActions = Values{ActionGetObject}
		objectSid = SidReadOnly
	}

	doc := &Document{Version: Version}
	doc.Statement = append(doc.Statement,
		listBucketStatement(SidListBucket, in.Partition, in.Bucket, p),
		Statement{
			Sid:      objectSid,
			Effect:   EffectAllow,
			Action:   objectActions,
			Resource: Values{objectARN(in.Partition, in.Bucket, p+"*")},
		},
		Statement{
			Sid:      SidProbeFolder,
			Effect:   EffectAllow,
			Action:   Values{ActionDeleteObject, ActionGetObject, ActionPutObject},
			Resource: Values{objectARN(in.Partition, in.Bucket, p+probeFolder+"*")},
		},
	)
	if in.AllowDelete {
		doc.Statement = append(doc.Statement, Statement{
			Sid:      SidDeleteObject,
			Effect:   EffectAllow,
			Action:   Values{ActionDeleteObject},
			Resource: Values{objectARN(in.Partition, in.Bucket, p+"*")},
		})
	}
	if keys := sortedUnique(in.KMSKeyARNs); len(keys) > 0 {
		doc.Statement = append(doc.Statement, Statement{
			Sid:      SidKMS,
			Effect:   EffectAllow,
			Action:   Values{ActionKMSDecrypt, ActionKMSGenerateData},
			Resource: Values(keys),
		})
	}
	return doc, nil
}

// bucketLevelActions are the S3 actions authorized against the bucket ARN
// rather than an object ARN, keyed in lower case (IAM action names are
// case-insensitive).
var bucketLevelActions = map[string]bool{
	"s3:listbucket":                 true,
	"s3:listbucketversions":         true,
	"s3:listbucketmultipartuploads": true,
	"s3:getbucketlocation":          true,
}

// StatementFor returns the smallest statement that grants action on the
// driver's bucket and path; the access checker shows it as the fix for a
// failed check. Bucket-level actions get the bucket ARN (s3:ListBucket with
// the same prefix condition as AWSBucketPolicy), other S3 actions the
// objects under path, and non-S3 actions such as kms:Decrypt get "*",
// which the caller should narrow to a key ARN. Inputs are not validated.
func StatementFor(action, bucket, path string) Statement {
	return StatementIn("", action, bucket, path)
}

// StatementIn returns StatementFor's statement with the S3 ARNs of
// partition ("" means aws).
func StatementIn(partition, action, bucket, path string) Statement {
	p := escape(NormalizePath(path))
	sid := "Dataloop" + sidSafe(action[strings.IndexByte(action, ':')+1:])
	lower := strings.ToLower(action)
	switch {
	case lower == strings.ToLower(ActionListBucket):
		return listBucketStatement(sid, partition, bucket, p)
	case bucketLevelActions[lower]:
		return Statement{Sid: sid, Effect: EffectAllow, Action: Values{action}, Resource: Values{bucketARN(partition, bucket)}}
	case strings.HasPrefix(lower, "s3:"):
		return Statement{Sid: sid, Effect: EffectAllow, Action: Values{action}, Resource: Values{objectARN(partition, bucket, p+"*")}}
	default:
		return Statement{Sid: sid, Effect: EffectAllow, Action: Values{action}, Resource: Values{"*"}}
	}
}

// listBucketStatement grants s3:ListBucket limited to keys under p (already
// escaped). GOTCHA: with a prefix condition, HeadBucket (which S3 also
// authorizes as s3:ListBucket, without an s3:prefix key) is denied; the
// access checker treats a 403 on HeadBucket as "bucket exists".
func listBucketStatement(sid, partition, bucket, p string) Statement {
	st := Statement{
		Sid:      sid,
		Effect:   EffectAllow,
		Action:   Values{ActionListBucket},
		Resource: Values{bucketARN(partition, bucket)},
	}
	if p != "" {
		st.Condition = Condition{"StringLike": {"s3:prefix": Values{p + "*"}}}
	}
	return st
}

// BucketARN returns the ARN of an S3 bucket in partition ("" means aws).
func BucketARN(partition, bucket string) string {
	if partition == "" {
		partition = rules.PartitionAWS
	}
	return "arn:" + partition + ":s3:::" + bucket
}

// ObjectARN returns the ARN of the objects matching key in a bucket of
// partition ("" means aws).
func ObjectARN(partition, bucket, key string) string { return BucketARN(partition, bucket) + "/" + key }

func bucketARN(partition, bucket string) string { return BucketARN(partition, bucket) }

func objectARN(partition, bucket, key string) string { return ObjectARN(partition, bucket, key) }

// escaper turns the characters IAM interprets in resources and StringLike
// values into the policy variables that stand for them literally.
var escaper = strings.NewReplacer("$", "${$}", "*", "${*}", "?", "${?}")

func escape(s string) string { return escaper.Replace(s) }

// sidSafe keeps the characters IAM allows in a Sid: ASCII letters and
// digits.
func sidSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func sortedUnique(in []string) []string {
	out := slices.Clone(in)
	slices.Sort(out)
	return slices.Compact(out)
}
