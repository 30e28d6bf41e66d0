package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"unicode/utf8"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// Keys of the GCS custom roles and bucket bindings: the data under the
// driver path, and the platform's hidden probe folder.
const (
	GCSGrantData  = "data"
	GCSGrantProbe = "probe"
)

// Limits of the IAM fields the generated text goes into.
const (
	gcpRoleTitleMax       = 100
	gcpRoleDescriptionMax = 256
)

// GCSIAMInput describes a GCS storage driver's grants as Terraform
// resources: the driver (bucket, path, read-only, delete), the project that
// holds the custom roles, the service account the platform acts as, and,
// for a cross-project integration, the platform's own service account.
type GCSIAMInput struct {
	Bucket      string
	Path        string
	ReadOnly    bool
	AllowDelete bool
	// Project is the project of the custom roles, usually the bucket's.
	Project string
	// ServiceAccountEmail is the private key's client_email, or the
	// customer service account of a cross-project integration.
	ServiceAccountEmail string
	// PlatformServiceAccount is the platform's service account of a
	// cross-project integration; "" for a private-key integration. When set,
	// the data role gains storage.buckets.getIamPolicy and the platform's
	// account may impersonate ServiceAccountEmail.
	PlatformServiceAccount string
}

// GCSCustomRole is shaped for google_project_iam_custom_role.
type GCSCustomRole struct {
	Project     string
	RoleID      string
	Title       string
	Description string
	Permissions []string
}

// Name is the role's resource name, projects/<project>/roles/<role_id>,
// which bindings use as their role.
func (r GCSCustomRole) Name() string { return "projects/" + r.Project + "/roles/" + r.RoleID }

// GCSBucketIAMMember is shaped for google_storage_bucket_iam_member.
type GCSBucketIAMMember struct {
	Bucket    string
	Role      string
	Member    string
	Condition *GCSCondition
}

// GCSServiceAccountIAMMember is shaped for google_service_account_iam_member.
type GCSServiceAccountIAMMember struct {
	ServiceAccountID string
	Role             string
	Member           string
}

// GCSIAM is a GCS storage driver's grants as Terraform resources.
type GCSIAM struct {
	// Member is serviceAccount:<ServiceAccountEmail>.
	Member string
	// CustomRoles and BucketIAMMembers are keyed GCSGrantData and
	// GCSGrantProbe; the binding of a key uses the role of the same key.
	CustomRoles      map[string]GCSCustomRole
	BucketIAMMembers map[string]GCSBucketIAMMember
	// ServiceAccountIAMMember lets the platform impersonate the service
	// account; nil without a PlatformServiceAccount.
	ServiceAccountIAMMember *GCSServiceAccountIAMMember
}

// Validate checks every field and returns the first problem as a
// *FieldError.
func (in GCSIAMInput) Validate() error {
	if err := in.grantsInput().Validate(); err != nil {
		return err
	}
	if err := ruleError(FieldProject, -1, rules.GCPProjectID(in.Project)); err != nil {
		return err
	}
	if in.PlatformServiceAccount != "" {
		return ruleError(FieldPlatformServiceAccount, -1, rules.GCPServiceAccountEmail(in.PlatformServiceAccount))
	}
	return nil
}

func (in GCSIAMInput) grantsInput() GCSGrantsInput {
	return GCSGrantsInput{Bucket: in.Bucket, Path: in.Path, ServiceAccountEmail: in.ServiceAccountEmail,
		ReadOnly: in.ReadOnly, AllowDelete: in.AllowDelete, CrossProject: in.PlatformServiceAccount != ""}
}

// GCSIAMGrants returns the custom roles, bucket bindings and, for a
// cross-project integration, the impersonation grant that a GCS storage
// driver needs, from the permissions and conditions of GCSBucketGrants.
// Equal inputs give equal output.
func GCSIAMGrants(in GCSIAMInput) (*GCSIAM, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	g, err := GCSBucketGrants(in.grantsInput())
	if err != nil {
		return nil, err
	}
	// The role IDs are derived from the driver and the account, so two
	// drivers' roles do not collide in one project and a role keeps its ID
	// (and is updated in place) when only its permissions change.
	sum := sha256.Sum256([]byte(in.Bucket + "\x00" + NormalizePath(in.Path) + "\x00" + in.ServiceAccountEmail))
	suffix := hex.EncodeToString(sum[:])[:10]
	location := "gs://" + in.Bucket + "/" + NormalizePath(in.Path)

	dataVerbs := "list and read"
	switch {
	case in.AllowDelete:
		dataVerbs = "list, read, write and delete"
	case !in.ReadOnly:
		dataVerbs = "list, read and write"
	}
	out := &GCSIAM{
		Member: g.Member,
		CustomRoles: map[string]GCSCustomRole{
			GCSGrantData: {
				Project: in.Project, RoleID: "dataloop_data_" + suffix,
				Title:       truncate("Dataloop storage driver data: "+in.Bucket, gcpRoleTitleMax),
				Description: truncate("Lets Dataloop "+dataVerbs+" the objects under "+location, gcpRoleDescriptionMax),
				Permissions: g.Data.Permissions,
			},
			GCSGrantProbe: {
				Project: in.Project, RoleID: "dataloop_probe_" + suffix,
				Title: truncate("Dataloop storage driver probe folder: "+in.Bucket, gcpRoleTitleMax),
				Description: truncate("Lets Dataloop write, read and replace its own files under "+location+rules.ProbeFolder,
					gcpRoleDescriptionMax),
				Permissions: g.Probe.Permissions,
			},
		},
		BucketIAMMembers: map[string]GCSBucketIAMMember{},
	}
	for key, rg := range map[string]GCSRoleGrant{GCSGrantData: g.Data, GCSGrantProbe: g.Probe} {
		out.BucketIAMMembers[key] = GCSBucketIAMMember{
			Bucket: in.Bucket, Role: out.CustomRoles[key].Name(), Member: g.Member, Condition: rg.Condition,
		}
	}
	if in.PlatformServiceAccount != "" {
		out.ServiceAccountIAMMember = &GCSServiceAccountIAMMember{
			ServiceAccountID: "projects/-/serviceAccounts/" + in.ServiceAccountEmail,
			Role:             GCPRoleTokenCreator,
			Member:           "serviceAccount:" + in.PlatformServiceAccount,
		}
	}
	return out, nil
}

// truncate shortens s to at most n bytes, on a character boundary, ending
// in "..." when it cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n-3]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "..."
}
