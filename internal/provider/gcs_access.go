package provider

import (
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// gcsFixHint says how to fix a failed check of a Cloud Storage location. The
// checker's messages name the permission and the member already; the hint
// adds where the grant lives. It never suggests an S3 policy.
func gcsFixHint(c platform.CheckResult, t s3AccessTarget) string {
	switch {
	case c.Name == accesscheck.CheckBucket:
		return "Check the bucket name; the bucket must exist before the driver is created."
	case c.Name == accesscheck.CheckImpersonate:
		return "Let the integration's platform_service_account impersonate the bound service account: grant it " +
			"roles/iam.serviceAccountTokenCreator on that service account (google_service_account_iam_member)."
	case c.Name == accesscheck.CheckCredentials:
		return "Check the service account key of the integration, then bump key_json_wo_version."
	case !c.Denied():
		return ""
	}
	perm := c.NamedGCSPermission()
	if perm == "" {
		return "Grant the missing Cloud Storage permission on bucket " + t.Bucket + " to the integration's service account, " +
			"in the custom role bound to it on the bucket (google_project_iam_custom_role and google_storage_bucket_iam_member)."
	}
	return "Add " + perm + " to the custom role bound to the integration's service account on bucket " + t.Bucket +
		" (google_project_iam_custom_role and google_storage_bucket_iam_member). IAM changes can take a few minutes to apply."
}
