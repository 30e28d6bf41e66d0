package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/accesscheck"
	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/testenv"
)

// TestServeAndCloudSide runs what `make demo` runs: serve writes a private
// env file and prints no secret; with it, the subcommands create a bucket,
// a service account and its grants, a container and a role assignment, and
// the real checker then passes with those identities where they were
// granted and fails where they were not. Canceling serve stops the services.
func TestServeAndCloudSide(t *testing.T) {
	if _, err := testenv.FindFakeGCSServer(); err != nil {
		t.Skip(err)
	}
	if _, err := testenv.FindAzurite(); err != nil {
		t.Skip(err)
	}
	dir := t.TempDir()
	envFile := filepath.Join(dir, "localstack.env")
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-dir", filepath.Join(dir, "svc"), "-env-file", envFile, "-die-with-parent=false"}, &stdout, &stderr)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve: %v\n%s", err, stderr.String())
			}
		case <-time.After(time.Minute):
			t.Error("serve did not stop within a minute of its context ending")
		}
	}()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		if _, err := os.Stat(envFile); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before writing %s: %v\n%s", envFile, err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve wrote no env file within 3 minutes\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	st, err := os.Stat(envFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("env file mode %v (%v), want 0600", st.Mode(), err)
	}
	vars := readEnvFile(t, envFile)
	for _, secret := range []string{envGCSAdminToken, envAzureManagementToken, envAzureAccountKey, envAzureClientSecret} {
		if vars[secret] == "" {
			t.Fatalf("the env file has no %s", secret)
		}
		if strings.Contains(stdout.String(), vars[secret]) || strings.Contains(stderr.String(), vars[secret]) {
			t.Errorf("serve printed the value of %s", secret)
		}
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}

	cmd := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(context.Background(), args, &out, &out); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		return strings.TrimSpace(out.String())
	}
	keyFile := filepath.Join(dir, "key.json")
	cmd("gcs", "create-bucket", "demo-bucket")
	email := cmd("gcs", "create-service-account", "demo-driver", keyFile)
	cmd("gcs", "grant", "-bucket", "demo-bucket", "-path", "raw/", "-member", email)
	cmd("azure", "create-container", "granted")
	cmd("azure", "create-container", "other")
	cmd("azure", "assign-role", "-container", "granted", "-principal", vars[envAzurePrincipalID])

	key, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	checker := accesscheck.New(accesscheck.Options{
		GCSEndpoint: vars[envGCSEndpoint], GCPIAMCredentialsEndpoint: vars[envGCSEndpoint],
		AzureBlobEndpoint: vars[envAzureBlobEndpoint], AzureAuthorityHost: vars[envAzureAuthorityHost], ResultTTL: -1,
	})
	gcsCreds := accesscheck.GCSCredentials{KeyJSON: string(key)}
	for path, want := range map[string]bool{"raw/": true, "curated/": false} {
		res, err := checker.CheckGCS(context.Background(), gcsCreds, accesscheck.GCSTarget{Bucket: "demo-bucket", Path: path})
		if err != nil || res.Success() != want {
			t.Errorf("GCS check of %s: success %v (%v), want %v: %s", path, res.Success(), err, want, res.Error())
		}
	}
	azCreds := accesscheck.AzureCredentials{TenantID: vars[envAzureTenantID], ClientID: vars[envAzureClientID], ClientSecret: vars[envAzureClientSecret]}
	for container, want := range map[string]bool{"granted": true, "other": false} {
		res, err := checker.CheckAzureBlob(context.Background(), azCreds, accesscheck.AzureTarget{Account: vars[envAzureAccount], Container: container, Path: "raw/"})
		if err != nil || res.Success() != want {
			t.Errorf("Azure check of %s: success %v (%v), want %v: %s", container, res.Success(), err, want, res.Error())
		}
	}
}

// readEnvFile parses the `export NAME='value'` lines serve writes.
func readEnvFile(t *testing.T, file string) map[string]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "export ")
		if !ok {
			continue
		}
		name, value, _ := strings.Cut(line, "=")
		vars[name] = strings.ReplaceAll(strings.Trim(value, "'"), `'\''`, "'")
	}
	return vars
}
