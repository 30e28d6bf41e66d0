package provider

import (
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/policy"
)

// gcsCheckPermissions maps a check to the permission it needs when its
// message names none.
var gcsCheckPermissions = map[string]string{
	accesscheck.CheckBucket:   policy.GCSPermBucketsGet,
	accesscheck.CheckList:     policy.GCSPermObjectsList,
	accesscheck.CheckWrite:    policy.GCSPermObjectsCreate,
	accesscheck.CheckRead:     policy.GCSPermObjectsGet,
	accesscheck.CheckReadData: policy.GCSPermObjectsGet,
	accesscheck.CheckDelete:   policy.GCSPermObjectsDelete,
}

// gcsFixHint says how to fix a failed check of a Cloud Storage location:
// the permission to add to the custom role bound on the bucket and the
// service account it is bound to, the impersonation grant of a gcp-cross
// integration, or the key of a gcs one. The checker's messages name the
// permission and the member already; the hint adds where the grant lives.
// It never suggests an S3 policy.
func gcsFixHint(c platform.CheckResult, t s3AccessTarget, in *platform.Integration) string {
	switch {
	case c.ImpersonationRefused():
		return gcsImpersonationHint(in)
	case c.Name == accesscheck.CheckCredentials:
		return "Create a new key for the service account, set it in key_json_wo of the " +
			"dataloop_gcp_private_key_integration and bump key_json_wo_version."
	case c.Name == accesscheck.CheckBucket && !c.Denied():
		return "Check bucket; the bucket must exist before the driver is created."
	case !c.Denied():
		// Not a missing permission: the check's message says what to do.
		return ""
	}
	perm := c.NamedGCSPermission()
	if perm == "" {
		perm = gcsCheckPermissions[c.Name]
	}
	if perm == "" {
		return "Grant the missing Cloud Storage permission on bucket " + t.Bucket + " to " + gcsIdentity(t) + ", " +
			"in the custom role bound to it on the bucket (google_project_iam_custom_role and google_storage_bucket_iam_member)."
	}
	return "Add " + perm + " to the custom role (google_project_iam_custom_role) bound on bucket " + t.Bucket +
		" to " + gcsIdentity(t) + " (google_storage_bucket_iam_member), without a condition or with one that covers " +
		t.where() + "; the dataloop_gcs_grants data source generates the roles and bindings. IAM changes can take a " +
		"few minutes to apply."
}

// gcsIdentity names the service account a GCS driver's storage calls act as.
func gcsIdentity(t s3AccessTarget) string {
	if t.IntegrationType == platform.TypeGCPCross {
		return "the service account bound to the integration (its service_account_email)"
	}
	return "the service account whose key the integration holds (its client_email)"
}

// gcsImpersonationHint is the grant that lets the platform's service account
// act as the service account bound to a gcp-cross integration.
func gcsImpersonationHint(in *platform.Integration) string {
	platformSA := "the platform's service account (the integration's platform_service_account; the Dataloop console shows it too)"
	if in != nil {
		if sa := in.PlatformServiceAccount(); sa != "" {
			platformSA = "serviceAccount:" + sa + " (the integration's platform_service_account)"
		}
	}
	return "Grant " + policy.GCPRoleTokenCreator + " on the service account bound to the integration (its " +
		"service_account_email) to " + platformSA + ", for example with google_service_account_iam_member. " +
		"IAM changes can take a few minutes to apply."
}
