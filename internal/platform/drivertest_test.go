package platform

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestDriverTestAgainstMoto runs the platform's storage test end to end:
// the emulator checks a real (moto) bucket with the integration's key.
func TestDriverTestAgainstMoto(t *testing.T) {
	t.Parallel()
	m := testenv.SharedMoto(t)
	env := newTestEnv(t, func(o *emulator.Options, _ *Config) {
		o.AWS = &emulator.AWSOptions{
			Endpoint:        m.Endpoint,
			Region:          m.Region,
			AccessKeyID:     m.AdminAccessKeyID,
			SecretAccessKey: m.AdminSecretAccessKey,
		}
	})
	ctx := t.Context()

	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	bucket := "platform-client-" + hex.EncodeToString(suffix[:])
	m.CreateBucket(t, bucket, "us-east-1")

	integration, err := env.client.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
		Name:    "moto-admin",
		Type:    TypeS3,
		Options: map[string]any{"key": m.AdminAccessKeyID, "secret": m.AdminSecretAccessKey},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := CreateDriverInput{
		Name:                "moto-driver",
		Type:                DriverTypeS3,
		IntegrationID:       integration.ID,
		IntegrationType:     integration.Type,
		ProjectID:           emulator.DemoProjectID,
		AllowExternalDelete: true,
		Payload:             DriverLocation{BucketName: bucket, Region: "us-east-1", Path: "raw/"},
	}
	if res, err := env.client.TestDriver(ctx, in); err != nil || !res.Passed() {
		t.Fatalf("TestDriver on a reachable bucket: %+v, %v", res, err)
	}

	d, err := env.client.CreateDriver(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := env.client.TestDriverByID(ctx, d.ID); err != nil || !res.Passed() {
		t.Fatalf("TestDriverByID on a reachable bucket: %+v, %v", res, err)
	}

	missing := in
	missing.Payload.BucketName = bucket + "-missing"
	f, err := env.client.TestDriver(ctx, missing)
	if err != nil || f.Verdict != TestFailed {
		t.Fatalf("TestDriver on a missing bucket: %+v, %v, want a failed test", f, err)
	}
	failed := false
	for _, c := range f.Checks {
		if !c.Success {
			failed = true
		}
	}
	if !failed || f.Message == "" {
		t.Errorf("failure %+v: want a message and at least one failed check", f)
	}
	if strings.Contains(fmt.Sprint(f), m.AdminSecretAccessKey) {
		t.Errorf("result %+v contains the secret key", f)
	}
}
