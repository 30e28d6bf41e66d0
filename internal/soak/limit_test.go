package soak

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// TestConcurrentAppliesRespectLimit runs two applies at once, from two
// workspaces, each creating a cross-account integration while the org has
// room for one more. The platform ends with exactly its limit, one apply
// succeeds, and the other fails saying the organization is at the limit
// (at plan or, when both plans saw room, at apply).
func TestConcurrentAppliesRespectLimit(t *testing.T) {
	tf := requireAcc(t)
	e := startEmulator(t, t.TempDir())
	limit, _ := platform.IntegrationLimit(platform.TypeAWSCross)
	client := e.client()
	for i := range limit - 1 {
		if _, err := client.CreateIntegration(context.Background(), orgID, platform.CreateIntegrationInput{
			Name: fmt.Sprintf("console-cross-%02d", i), Type: platform.TypeAWSCross, Options: map[string]any{}}); err != nil {
			t.Fatal(err)
		}
	}
	// The creates wait a little so that both plans see room for one more.
	e.setFaults(map[string]any{"seed": 1, "latency": "1s", "routes": []string{"POST /orgs/{orgId}/integrations"}})

	var applies []*background
	for i := range 2 {
		w := newWorkspace(t, tf, e)
		w.writeConfig(fmt.Sprintf(`terraform {
  required_providers {
    dataloop = {
      source = "terraform-dataloop/dataloop"
    }
  }
}

resource "dataloop_aws_cross_account_integration" "team" {
  name = "team-%d-%d"
}
`, i, time.Now().UnixNano()%1_000_000))
		applies = append(applies, w.start("apply", "-auto-approve", "-input=false"))
	}
	var succeeded int
	var failures []string
	for _, a := range applies {
		if err := a.wait(t, 5*time.Minute); err == nil {
			succeeded++
		} else {
			failures = append(failures, a.out.String())
		}
	}
	if succeeded != 1 || len(failures) != 1 {
		t.Fatalf("%d applies succeeded, want exactly one; failures:\n%s", succeeded, strings.Join(failures, "\n---\n"))
	}
	atLimit := regexp.MustCompile(`(?s)(Integration\s+Limit\s+Reached.*has\s+15\s+aws-cross|allows\s+at\s+most\s+15\s+aws-cross\s+integrations\s+per\s+organization).*Dataloop\s+support`)
	if !atLimit.MatchString(failures[0]) {
		t.Errorf("the failed apply does not say that the organization is at the limit:\n%s", failures[0])
	}
	if strings.Contains(failures[0], "Integration Limit Reached") {
		t.Logf("the second apply was refused at plan")
	} else {
		t.Logf("both plans saw room; the platform refused the second create at apply")
	}
	e.clearFaults()
	list, err := client.ListIntegrations(context.Background(), orgID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, i := range list {
		if i.Type == platform.TypeAWSCross {
			n++
		}
	}
	if n != limit {
		t.Errorf("the org holds %d aws-cross integrations, want exactly %d", n, limit)
	}
}
