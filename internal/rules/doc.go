// Package rules holds the input rules of the provider, one per concept: S3
// bucket names, AWS regions and partitions, IAM and KMS ARNs, STS external
// IDs and access key IDs, driver paths and object names. Each rule lives here
// once and is used by the schema validators (internal/provider/validators),
// the provider functions, the policy generators (internal/policy) and the
// access checker (internal/accesscheck), so that what validate accepts is
// exactly what the checker and the policies accept.
//
// A rule is a function that returns nil or an *Error naming the rule, what is
// wrong and how to fix it. Rules never import Terraform packages.
package rules
