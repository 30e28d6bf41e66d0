package accesscheck

import "github.com/terraform-dataloop/terraform-provider-dataloop/internal/checkcode"

// Code classifies a check's failure (see package checkcode, where the codes
// and check names are defined once).
type Code = checkcode.Code

// Check codes.
const (
	CodeDenied          = checkcode.CodeDenied
	CodeExplicitDeny    = checkcode.CodeExplicitDeny
	CodeRegionMismatch  = checkcode.CodeRegionMismatch
	CodePropagation     = checkcode.CodePropagation
	CodeNotFound        = checkcode.CodeNotFound
	CodeBadCredentials  = checkcode.CodeBadCredentials
	CodeUnknownIdentity = checkcode.CodeUnknownIdentity
	CodeContentMismatch = checkcode.CodeContentMismatch
	CodeNotProven       = checkcode.CodeNotProven
	CodeFailed          = checkcode.CodeFailed
)

// Check names, in the order a Result lists them.
const (
	CheckCredentials    = checkcode.CheckCredentials
	CheckAssumeRole     = checkcode.CheckAssumeRole
	CheckBucket         = checkcode.CheckBucket
	CheckRegion         = checkcode.CheckRegion
	CheckList           = checkcode.CheckList
	CheckWrite          = checkcode.CheckWrite
	CheckRead           = checkcode.CheckRead
	CheckDelete         = checkcode.CheckDelete
	CheckContainer      = checkcode.CheckContainer
	CheckReadData       = checkcode.CheckReadData
	CheckStorageAccount = checkcode.CheckStorageAccount
	CheckImpersonate    = checkcode.CheckImpersonate
)
