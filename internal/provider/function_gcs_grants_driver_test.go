package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv/gcsfront"
)

// gcsGrantsOutput is the gcs_grants function's result as an output value.
type gcsGrantsOutput struct {
	Member      string `json:"member"`
	CustomRoles map[string]struct {
		Project     string   `json:"project"`
		RoleID      string   `json:"role_id"`
		Permissions []string `json:"permissions"`
	} `json:"custom_roles"`
	BucketIAMMembers map[string]struct {
		Bucket    string              `json:"bucket"`
		Role      string              `json:"role"`
		Member    string              `json:"member"`
		Condition *gcsfront.Condition `json:"condition"`
	} `json:"bucket_iam_members"`
	ServiceAccountIAMMember *struct {
		ServiceAccountID string `json:"service_account_id"`
		Role             string `json:"role"`
		Member           string `json:"member"`
	} `json:"service_account_iam_member"`
}

// applyGCSGrantsOutput applies the grants in the output "grants" to the
// local GCS the way the Google provider's resources would: each custom role
// under its role_id, each bucket binding as given, and the impersonation
// grant. Nothing is taken from elsewhere, so a grant missing from the
// function's result makes the driver's check fail.
func applyGCSGrantsOutput(g *testenv.GCS) statecheck.StateCheck {
	return stateCheckFunc(func(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		var grants gcsGrantsOutput
		if resp.Error = stateOutput(req.State, "grants", &grants); resp.Error != nil {
			return
		}
		for key, role := range grants.CustomRoles {
			name, err := g.CreateRole(context.Background(), role.RoleID, role.Permissions)
			if err != nil {
				resp.Error = err
				return
			}
			bind := grants.BucketIAMMembers[key]
			if name != bind.Role {
				resp.Error = fmt.Errorf("custom role %s was created as %s, but its binding names %s", key, name, bind.Role)
				return
			}
			if err := g.AddBucketBinding(context.Background(), bind.Bucket,
				gcsfront.Binding{Role: bind.Role, Members: []string{bind.Member}, Condition: bind.Condition}); err != nil {
				resp.Error = err
				return
			}
		}
		imp := grants.ServiceAccountIAMMember
		if imp == nil {
			resp.Error = fmt.Errorf("no impersonation grant in the output grants: %+v", grants)
			return
		}
		target, ok := strings.CutPrefix(imp.ServiceAccountID, "projects/-/serviceAccounts/")
		if !ok || imp.Role != gcsfront.RoleTokenCreator {
			resp.Error = fmt.Errorf("unexpected impersonation grant %+v", *imp)
			return
		}
		resp.Error = g.AllowImpersonation(context.Background(), target, imp.Member)
	})
}

// TestAccGCSGrantsFunction_grantsPassDriverCheck stands in for a customer
// who feeds gcs_grants into google_project_iam_custom_role,
// google_storage_bucket_iam_member and google_service_account_iam_member:
// applied to the local GCS (which enforces roles, conditions and
// impersonation), exactly those grants let the platform's test of a
// cross-project GCS driver on raw/ pass, and the driver is created.
func TestAccGCSGrantsFunction_grantsPassDriverCheck(t *testing.T) {
	f := newGCSDriverFixture(t)
	provider := testAccProviderConfig(map[string]string{"propagation_timeout": "5s"})
	grants := fmt.Sprintf(`output "grants" {
  value = provider::dataloop::gcs_grants(%q, "raw", false, false, %q, %q, %q)
}`, f.bucket, testenv.GCSProject, f.email, f.env.platformSA)
	name := testName(t, "tf-acc-gcs-grants")

	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             testAccCheckIntegrationsDestroyed(t),
		Steps: []resource.TestStep{
			{
				Config:            provider + grants,
				ConfigStateChecks: []statecheck.StateCheck{applyGCSGrantsOutput(f.env.gcs)},
			},
			{
				Config: testAccGCSCrossDriverConfig(provider, name, f.email, f.bucket) + grants,
				ConfigStateChecks: []statecheck.StateCheck{
					expectGCSAccessSuccess(),
					f.expectNoProbes(),
				},
			},
		},
	})
}
