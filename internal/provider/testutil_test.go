package provider

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
)

// stateCheckFunc adapts a function to statecheck.StateCheck, for checks
// against the emulator that need values from state.
type stateCheckFunc func(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse)

func (f stateCheckFunc) CheckState(ctx context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	f(ctx, req, resp)
}

// planCheckFunc adapts a function to plancheck.PlanCheck.
type planCheckFunc func(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse)

func (f planCheckFunc) CheckPlan(ctx context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	f(ctx, req, resp)
}

// stateResource returns the values of the resource at address (e.g.
// "dataloop_aws_access_key_integration.test") in the root module.
func stateResource(state *tfjson.State, address string) (map[string]any, error) {
	if state == nil || state.Values == nil || state.Values.RootModule == nil {
		return nil, fmt.Errorf("state is empty")
	}
	for _, r := range state.Values.RootModule.Resources {
		if r.Address == address {
			return r.AttributeValues, nil
		}
	}
	return nil, fmt.Errorf("%s not found in state", address)
}

// stateString returns a string attribute of the resource at address.
func stateString(state *tfjson.State, address, attr string) (string, error) {
	values, err := stateResource(state, address)
	if err != nil {
		return "", err
	}
	s, ok := values[attr].(string)
	if !ok {
		return "", fmt.Errorf("%s.%s is %v, not a string", address, attr, values[attr])
	}
	return s, nil
}

// stateOutput decodes the root module's output name into v, through its
// JSON form.
func stateOutput(state *tfjson.State, name string, v any) error {
	if state == nil || state.Values == nil {
		return fmt.Errorf("state is empty")
	}
	out, ok := state.Values.Outputs[name]
	if !ok {
		return fmt.Errorf("no output %s", name)
	}
	b, err := json.Marshal(out.Value)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("output %s (%s): %w", name, b, err)
	}
	return nil
}

// expectStateNotContains fails when any of the strings occurs anywhere in
// the state, sensitive values included.
func expectStateNotContains(secrets ...string) statecheck.StateCheck {
	return stateCheckFunc(func(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
		b, err := json.Marshal(req.State)
		if err != nil {
			resp.Error = err
			return
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				resp.Error = fmt.Errorf("a secret appears in the state")
				return
			}
		}
	})
}

// expectPlanNotContains fails when any of the strings occurs anywhere in the plan.
func expectPlanNotContains(secrets ...string) plancheck.PlanCheck {
	return planCheckFunc(func(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
		b, err := json.Marshal(req.Plan)
		if err != nil {
			resp.Error = err
			return
		}
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				resp.Error = fmt.Errorf("a secret appears in the plan")
				return
			}
		}
	})
}

// secretScan records where Terraform and the provider under test write, so
// a test can prove afterwards that secrets never reached disk or logs.
type secretScan struct {
	// WorkingDir is to be set as resource.TestCase.WorkingDir.
	WorkingDir string
	logPath    string
}

// testAccSecretScan makes Terraform and the in-process provider log at TRACE
// to one file (TF_ACC_LOG_PATH, which terraform-plugin-testing passes to the
// CLI and to the provider's test log sink) and keeps the working directories
// (state, backups, plans) of the test case until the test ends.
func testAccSecretScan(t *testing.T) *secretScan {
	t.Helper()
	dir := t.TempDir()
	s := &secretScan{WorkingDir: filepath.Join(dir, "work"), logPath: filepath.Join(dir, "terraform.log")}
	if err := os.Mkdir(s.WorkingDir, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TF_ACC_LOG_PATH", s.logPath)
	t.Setenv("TF_ACC_PERSIST_WORKING_DIR", "1")
	return s
}

// Verify fails the test when a secret occurs in the log or in any file of
// the working directories. wantInLog are strings the log must contain, to
// prove that the provider's own entries were captured.
func (s *secretScan) Verify(t *testing.T, secrets []string, wantInLog ...string) {
	t.Helper()
	logData, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Fatalf("reading the Terraform log: %v", err)
	}
	for _, w := range wantInLog {
		if !strings.Contains(string(logData), w) {
			t.Errorf("the TRACE log (%d bytes) does not contain %q; logging was not captured", len(logData), w)
		}
	}
	files := map[string][]byte{s.logPath: logData}
	err = filepath.WalkDir(s.WorkingDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		// Provider binaries and symlinks to them are not written by the run.
		if d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[p] = b
		return nil
	})
	if err != nil {
		t.Fatalf("scanning the working directory: %v", err)
	}
	var states int
	for p, b := range files {
		if strings.HasSuffix(p, ".tfstate") || strings.HasSuffix(p, ".tfstate.backup") {
			states++
		}
		for i, secret := range secrets {
			if strings.Contains(string(b), secret) {
				t.Errorf("secret #%d appears in %s", i, p)
			}
		}
	}
	if states == 0 {
		t.Errorf("no state file found under %s; the scan proves nothing", s.WorkingDir)
	}
}

// randomString returns n random characters from alphabet.
func randomString(t *testing.T, alphabet string, n int) string {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			t.Fatal(err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}

// testAccessKeyID returns a random, well-formed AWS access key ID.
func testAccessKeyID(t *testing.T) string {
	return "AKIA" + randomString(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
}

// testSecretAccessKey returns a random secret of the shape AWS issues.
func testSecretAccessKey(t *testing.T) string {
	return randomString(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
}

// testName returns a unique object name for a test.
func testName(t *testing.T, prefix string) string {
	return prefix + "-" + strings.ToLower(randomString(t, "abcdefghijklmnopqrstuvwxyz0123456789", 8))
}

// expectedErrors is a TestCase.ErrorCheck for steps that must fail: it
// accepts an error that matches re and contains none of the secrets, and
// counts it. Unlike ExpectError, which only matches, it sees the whole error
// output and so can prove what is not in it. Steps that use it set no
// ExpectError; the test checks Seen afterwards, since a step that does not
// fail never reaches ErrorCheck.
type expectedErrors struct {
	re      *regexp.Regexp
	secrets []string
	Seen    int
}

func expectErrorWithout(re *regexp.Regexp, secrets ...string) *expectedErrors {
	return &expectedErrors{re: re, secrets: secrets}
}

func (e *expectedErrors) Check(err error) error {
	for i, s := range e.secrets {
		if strings.Contains(err.Error(), s) {
			// The error itself would show the secret; name it by index.
			return fmt.Errorf("the error output contains secret #%d", i)
		}
	}
	if !e.re.MatchString(err.Error()) {
		return err
	}
	e.Seen++
	return nil
}
