package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// TestAccGCPCrossProjectIntegration_limit: with 2 cross-project
// integrations made in the console, a plan adding 2 fails at plan (the
// 4th of at most 3), and a plan adding 1 applies.
func TestAccGCPCrossProjectIntegration_limit(t *testing.T) {
	testAccEmulator(t)
	client := testClient(t)
	for i := range 2 {
		if _, err := client.CreateIntegration(context.Background(), testOrgID, platform.CreateIntegrationInput{
			Name: fmt.Sprintf("console-gcp-cross-%d", i), Type: platform.TypeGCPCross, Options: map[string]any{}}); err != nil {
			t.Fatalf("creating integration %d: %v", i, err)
		}
	}
	prefix := testName(t, "tf-acc-gcp-limit")
	config := func(n int) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "resource \"dataloop_gcp_cross_project_integration\" \"limit_%d\" {\n  name = \"%s-%d\"\n}\n\n", i, prefix, i)
		}
		return b.String()
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(2),
				ExpectError: spacedRegexp(`Integration Limit Reached.*has 2 gcp-cross integrations.*at most 3.*` +
					`creates 2 of them.*number 4.*Dataloop support`),
			},
			{Config: config(1)},
		},
	})
}
