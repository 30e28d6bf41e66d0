package policy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// Cloud Storage and IAM permissions used by the generated GCS grants.
const (
	GCSPermBucketsGet          = "storage.buckets.get"
	GCSPermBucketsGetIamPolicy = "storage.buckets.getIamPolicy"
	GCSPermObjectsList         = "storage.objects.list"
	GCSPermObjectsGet          = "storage.objects.get"
	GCSPermObjectsCreate       = "storage.objects.create"
	GCSPermObjectsDelete       = "storage.objects.delete"
)

// GCPRoleTokenCreator lets a member mint access tokens for a service
// account: what Dataloop's service account needs on the customer's service
// account of a cross-project integration.
const GCPRoleTokenCreator = "roles/iam.serviceAccountTokenCreator"

// GCSGrantsInput describes the access a GCS storage driver needs.
type GCSGrantsInput struct {
	// Bucket is the Cloud Storage bucket name.
	Bucket string
	// Path is the driver's object prefix, normalized with NormalizePath; ""
	// means the whole bucket.
	Path string
	// ServiceAccountEmail is the service account the platform acts as: the
	// private key's client_email, or the customer service account of a
	// cross-project integration.
	ServiceAccountEmail string
	// ReadOnly leaves out storage.objects.create under Path (the probe
	// folder stays writable); AllowDelete adds storage.objects.delete under
	// Path. They cannot both be set.
	ReadOnly    bool
	AllowDelete bool
	// CrossProject adds storage.buckets.getIamPolicy, which Dataloop uses to
	// validate a cross-project integration.
	CrossProject bool
}

// GCSCondition is an IAM condition, shaped for the condition block of
// google_storage_bucket_iam_member (it needs uniform bucket-level access).
type GCSCondition struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Expression  string `json:"expression"`
}

// GCSRoleGrant is one custom role and its bucket binding.
type GCSRoleGrant struct {
	// Permissions are the custom role's includedPermissions
	// (google_project_iam_custom_role.permissions).
	Permissions []string `json:"permissions"`
	// Condition limits the binding to the driver's objects; nil when the
	// driver covers the whole bucket.
	Condition *GCSCondition `json:"condition"`
}

// GCSGrants is what a GCS storage driver needs, shaped for
// google_project_iam_custom_role (two roles) and google_storage_bucket_iam_member
// (two bindings of Member on Bucket).
type GCSGrants struct {
	Bucket string `json:"bucket"`
	// Member is the IAM member string, serviceAccount:<email>.
	Member string `json:"member"`
	// Data is the driver's data under Path: bucket metadata, listing and
	// reading, plus writing and deleting as the driver allows.
	Data GCSRoleGrant `json:"data"`
	// Probe is the hidden <path>.dataloop/ folder, where the platform writes
	// its permission test file, thumbnails and converted files. Cloud Storage
	// needs storage.objects.delete to overwrite an object, so it is granted
	// there even to a read-only driver.
	Probe GCSRoleGrant `json:"probe"`
}

// dataPermissions returns the permissions of the data role, in a fixed order.
func (in GCSGrantsInput) dataPermissions() []string {
	perms := []string{GCSPermBucketsGet}
	if in.CrossProject {
		perms = append(perms, GCSPermBucketsGetIamPolicy)
	}
	if !in.ReadOnly {
		perms = append(perms, GCSPermObjectsCreate)
	}
	if in.AllowDelete {
		perms = append(perms, GCSPermObjectsDelete)
	}
	return append(perms, GCSPermObjectsGet, GCSPermObjectsList)
}

// Validate checks every field and returns the first problem as a
// *FieldError.
func (in GCSGrantsInput) Validate() error {
	if err := ruleError(FieldBucket, -1, rules.GCSBucketName(in.Bucket)); err != nil {
		return err
	}
	if err := ValidatePath(in.Path); err != nil {
		return err
	}
	if err := ruleError(FieldServiceAccountEmail, -1, rules.GCPServiceAccountEmail(in.ServiceAccountEmail)); err != nil {
		return err
	}
	if in.ReadOnly && in.AllowDelete {
		return fieldError(FieldAllowDelete, "must not be true when read_only is true: a read-only driver cannot delete objects")
	}
	return nil
}

// GCSObjectsResource is the IAM resource name prefix of the objects under
// path in bucket, as conditions see it.
func GCSObjectsResource(bucket, path string) string {
	return "projects/_/buckets/" + bucket + "/objects/" + NormalizePath(path)
}

// GCSBucketGrants returns the custom roles and bucket bindings a GCS storage
// driver needs. Equal inputs give equal output.
func GCSBucketGrants(in GCSGrantsInput) (*GCSGrants, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	p := NormalizePath(in.Path)
	g := &GCSGrants{
		Bucket: in.Bucket,
		Member: "serviceAccount:" + in.ServiceAccountEmail,
		Data:   GCSRoleGrant{Permissions: in.dataPermissions()},
		Probe: GCSRoleGrant{
			Permissions: []string{GCSPermObjectsCreate, GCSPermObjectsDelete, GCSPermObjectsGet},
			Condition: &GCSCondition{
				Title:       "dataloop-probe-folder",
				Description: truncate(fmt.Sprintf("Dataloop's files under gs://%s/%s%s", in.Bucket, p, rules.ProbeFolder), gcpRoleDescriptionMax),
				Expression:  fmt.Sprintf("resource.name.startsWith(%s)", celQuote(GCSObjectsResource(in.Bucket, p)+rules.ProbeFolder)),
			},
		},
	}
	if p != "" {
		// Bucket-level permissions (storage.buckets.get, storage.objects.list)
		// are checked on the bucket, which no object prefix matches.
		g.Data.Condition = &GCSCondition{
			Title:       "dataloop-driver-path",
			Description: truncate(fmt.Sprintf("The bucket and the objects under gs://%s/%s", in.Bucket, p), gcpRoleDescriptionMax),
			Expression: fmt.Sprintf(`resource.type == "storage.googleapis.com/Bucket" || resource.name.startsWith(%s)`,
				celQuote(GCSObjectsResource(in.Bucket, p))),
		}
	}
	return g, nil
}

// JSON renders the grants indented with two spaces.
func (g *GCSGrants) JSON() (string, error) {
	b, err := json.MarshalIndent(g, "", "  ")
	return string(b), err
}

// GCSPermissionHint is the fix for a denied Cloud Storage call: the
// permission to add to a custom role bound to member on bucket, with the
// condition that limits it to path (shaped for google_storage_bucket_iam_member).
func GCSPermissionHint(permission, bucket, path, member string) string {
	h := map[string]any{"bucket": bucket, "member": member, "add_permission": permission}
	if p := NormalizePath(path); p != "" {
		cond := fmt.Sprintf("resource.name.startsWith(%s)", celQuote(GCSObjectsResource(bucket, p)))
		if permission == GCSPermObjectsList || permission == GCSPermBucketsGet || permission == GCSPermBucketsGetIamPolicy {
			cond = `resource.type == "storage.googleapis.com/Bucket" || ` + cond
		}
		h["condition_expression"] = cond
	}
	b, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// GCPImpersonationHint is the fix for a refused impersonation, shaped for
// google_service_account_iam_member.
func GCPImpersonationHint(serviceAccountEmail, platformServiceAccount string) string {
	b, err := json.MarshalIndent(map[string]string{
		"service_account_id": "projects/-/serviceAccounts/" + serviceAccountEmail,
		"role":               GCPRoleTokenCreator,
		"member":             "serviceAccount:" + platformServiceAccount,
	}, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// celQuote quotes s as a CEL string literal.
func celQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
