package provider

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// The tests in this file run terraform with the provider as its own process
// (a dev override), as users do: Terraform plans in one provider process and
// applies in another, each configured anew. terraform-plugin-testing cannot
// show this: it serves the provider from the test process.

// cliWorkspace is a working directory for the terraform CLI with a freshly
// built provider.
type cliWorkspace struct {
	tf, rc, dir string
}

func newCLIWorkspace(t *testing.T) *cliWorkspace {
	t.Helper()
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		var err error
		if tf, err = exec.LookPath("terraform"); err != nil {
			t.Skip("terraform is not on PATH")
		}
	}
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
	return &cliWorkspace{tf: tf, rc: rc, dir: work}
}

func (w *cliWorkspace) writeConfig(t *testing.T, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs terraform and returns its combined output and whether it
// succeeded.
func (w *cliWorkspace) run(t *testing.T, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command(w.tf, append([]string{"-chdir=" + w.dir}, append(args, "-no-color")...)...)
	cmd.Env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+w.rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
	out, err := cmd.CombinedOutput()
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("terraform %s: %v", strings.Join(args, " "), err)
	}
	return string(out), err == nil
}

// mustRun runs terraform and fails the test when it fails.
func (w *cliWorkspace) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, ok := w.run(t, args...)
	if !ok {
		t.Fatalf("terraform %s failed:\n%s", strings.Join(args, " "), out)
	}
	return out
}

// TestAccS3StorageDriver_applyChecksEachLocationOncePerWalk: one
// `terraform apply` of three drivers at one location tests the location
// once in its plan walk and once in its apply walk, where the gate of every
// driver reuses the one apply-time test.
func TestAccS3StorageDriver_applyChecksEachLocationOncePerWalk(t *testing.T) {
	env := testAccS3Env(t)
	w := newCLIWorkspace(t)
	bucket := env.bucket(t)
	integration := env.keyIntegration(t, s3DriverPolicy(t, bucket, "", true))
	w.writeConfig(t, fmt.Sprintf(`
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
`, testProjectID, testName(t, "once"), integration, bucket, testenv.MotoRegion))

	env.ResetStats()
	w.mustRun(t, "apply", "-auto-approve", "-input=false")
	stats := env.Stats()
	if stats[routeCreateDriver] != 3 {
		t.Fatalf("%d drivers created, want 3: %v", stats[routeCreateDriver], stats)
	}
	if n := stats[routeDriverTest]; n != 2 {
		t.Errorf("%d access tests in one terraform apply of 3 drivers at one location, want 2 (the plan's and the apply's): %v", n, stats)
	}
	w.mustRun(t, "destroy", "-auto-approve", "-input=false")
	env.expectNoProbeObjects(t, bucket)
}

// TestAccS3StorageDriver_applyGateSeesIAMNarrowedDuringApply: the apply-time
// check proves access at apply time. One `terraform apply` whose plan sees
// the location pass and which itself removes s3:PutObject from the
// integration's user before the driver (depends_on) must fail at the gate
// and create nothing; it must not reuse the pass its plan saw.
func TestAccS3StorageDriver_applyGateSeesIAMNarrowedDuringApply(t *testing.T) {
	env := testAccS3Env(t)
	w := newCLIWorkspace(t)
	bucket := env.bucket(t)
	user := testName(t, "tf-user")
	key := env.moto.CreateUser(t, user, s3DriverPolicy(t, bucket, "", false))
	integration := env.createIntegration(t, platform.TypeS3, map[string]any{"key": key.AccessKeyID, "secret": key.SecretAccessKey})
	name := testName(t, "narrowed")
	w.writeConfig(t, fmt.Sprintf(`
terraform {
  required_providers {
    dataloop = { source = "terraform-dataloop/dataloop" }
  }
}

provider "dataloop" {
  access_check {
    # The narrowed policy is not propagation: do not wait long for it.
    propagation_timeout = "1s"
  }
}

%s
resource "dataloop_s3_storage_driver" "gated" {
  project_id     = %q
  name           = %q
  integration_id = %q
  bucket         = %q
  region         = %q
  path           = "gated/"
  depends_on     = [terraform_data.user_policy]
}
`, userPolicyConfig(env.moto, user, s3DriverPolicy(t, bucket, "", false, "s3:PutObject")),
		testProjectID, name, integration, bucket, testenv.MotoRegion))

	// The plan sees the location pass: the policy is still the full one.
	plan := w.mustRun(t, "plan", "-input=false")
	if strings.Contains(plan, "Storage Access") {
		t.Fatalf("the plan reported a check problem, but its check should pass before the apply narrows the policy:\n%s", plan)
	}

	env.ResetStats()
	out, ok := w.run(t, "apply", "-auto-approve", "-input=false")
	stats := env.Stats()
	if ok {
		t.Fatalf("the apply succeeded although it removed s3:PutObject before creating the driver:\n%s", out)
	}
	for _, want := range []string{"Checked before creating the driver", "s3:PutObject"} {
		if !strings.Contains(out, want) {
			t.Errorf("the apply's error does not say %q:\n%s", want, out)
		}
	}
	if n := stats[routeCreateDriver]; n != 0 {
		t.Errorf("%d drivers created after the gate failed, want 0: %v", n, stats)
	}
	if n := stats[routeDriverTest]; n < 2 {
		t.Errorf("%d access tests in the apply, want the plan's and at least one at apply time: %v", n, stats)
	}
	expectNoDriver(t, name)
	w.mustRun(t, "destroy", "-auto-approve", "-input=false")
}
