package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestAccS3StorageDriver_applyChecksEachLocationOnce runs `terraform apply`
// with the provider as its own process (a dev override), as users do:
// Terraform plans in one provider process and applies in another. The
// apply's process reuses the plan's passed check of the location (see
// internal/runshare), so the whole command tests the location once.
// terraform-plugin-testing cannot show this: it serves the provider from
// the test process, which terraform did not start.
func TestAccS3StorageDriver_applyChecksEachLocationOnce(t *testing.T) {
	env := testAccS3Env(t)
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("terraform is not on PATH")
		}
	}
	bucket := env.bucket(t)
	integration := env.keyIntegration(t, s3DriverPolicy(t, bucket, "", true))

	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	_, self, _, _ := runtime.Caller(0)
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "terraform-provider-dataloop"), ".")
	build.Dir = filepath.Join(filepath.Dir(self), "..", "..")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the provider: %v\n%s", err, out)
	}
	rc := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    %q = %q\n  }\n  direct {}\n}\n",
		"registry.terraform.io/terraform-dataloop/dataloop", bin)), 0o600); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`
terraform {
  required_providers {
    dataloop = { source = "terraform-dataloop/dataloop" }
  }
}

resource "dataloop_s3_storage_driver" "same_location" {
  count          = 3
  project_id     = %q
  name           = format("%s-%%d", count.index)
  integration_id = %q
  bucket         = %q
  region         = %q
  path           = "shared/"
}
`, testProjectID, testName(t, "once"), integration, bucket, testenv.MotoRegion)
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command(tf, append([]string{"-chdir=" + work}, args...)...)
		cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	env.ResetStats()
	run("apply", "-auto-approve", "-input=false")
	stats := env.Stats()
	if stats[routeCreateDriver] != 3 {
		t.Fatalf("%d drivers created, want 3: %v", stats[routeCreateDriver], stats)
	}
	if n := stats[routeDriverTest]; n != 1 {
		t.Errorf("%d access tests in one terraform apply of 3 drivers at one location, want 1: %v", n, stats)
	}
	run("destroy", "-auto-approve", "-input=false")
	env.expectNoProbeObjects(t, bucket)
}
