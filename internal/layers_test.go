package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/terraform-dataloop/terraform-provider-dataloop/"

// TestLayers keeps the provider layer thin: the platform client, the access
// checker, the policy generators and the input rules never import the
// Terraform framework, and each imports only the layers below it.
func TestLayers(t *testing.T) {
	cases := []struct {
		pkg       string
		forbidden []string
	}{
		// The vocabulary and the rules are leaves.
		{"internal/checkcode", []string{module + "internal/", "github.com/"}},
		{"internal/rules", []string{module + "internal/", "github.com/hashicorp/"}},
		{"internal/policy", []string{module + "internal/platform", module + "internal/accesscheck", module + "internal/provider", "github.com/hashicorp/terraform-plugin"}},
		// The platform client speaks HTTP to Dataloop only: no cloud SDKs,
		// no checker.
		{"internal/platform", []string{module + "internal/accesscheck", module + "internal/provider", "github.com/aws/", "github.com/Azure/", "cloud.google.com/", "github.com/hashicorp/terraform-plugin"}},
		{"internal/accesscheck", []string{module + "internal/platform", module + "internal/provider", "github.com/hashicorp/terraform-plugin"}},
	}
	for _, c := range cases {
		t.Run(c.pkg, func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../"+c.pkg).Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v", c.pkg, err)
			}
			for _, dep := range strings.Fields(string(out)) {
				if dep == module+c.pkg {
					continue
				}
				for _, f := range c.forbidden {
					if strings.HasPrefix(dep, f) {
						t.Errorf("%s depends on %s; it must not import anything under %s", c.pkg, dep, f)
					}
				}
			}
		})
	}
}
