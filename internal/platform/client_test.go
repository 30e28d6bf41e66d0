package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/emulator"
)

const (
	routeGetIntegration     = "GET /orgs/{orgId}/integrations/{integrationId}"
	routeListIntegrations   = "GET /orgs/{orgId}/integrations"
	routeCreateIntegration  = "POST /orgs/{orgId}/integrations"
	routeDeleteIntegration  = "DELETE /orgs/{orgId}/integrations/{integrationId}"
	routeCreateDriver       = "POST /drivers"
	routeListDrivers        = "GET /drivers"
	routeGetDriver          = "GET /drivers/{id}"
	routeDeleteDriver       = "DELETE /drivers/{id}"
	routeUpdateIntegrations = "PATCH /orgs/{orgId}/integrations"
)

func TestNewValidatesConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]Config{
		"no endpoint":      {Token: "t"},
		"relative":         {Endpoint: "gate.dataloop.ai/api/v1", Token: "t"},
		"userinfo":         {Endpoint: "https://u:p@gate.dataloop.ai/api/v1", Token: "t"},
		"no token":         {Endpoint: "https://gate.dataloop.ai/api/v1"},
		"unsupported type": {Endpoint: "ftp://gate.dataloop.ai", Token: "t"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded, want an error", name)
		}
	}
	c, err := New(Config{Endpoint: "https://gate.dataloop.ai/api/v1/", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if c.maxRetries != defaultMaxRetries || c.maxBackoff != defaultMaxBackoff || c.userAgent != defaultUserAgent {
		t.Errorf("defaults not applied: retries %d, backoff %s, user agent %q", c.maxRetries, c.maxBackoff, c.userAgent)
	}
	if c.endpoint != "https://gate.dataloop.ai/api/v1" {
		t.Errorf("endpoint %q, want the trailing slash trimmed", c.endpoint)
	}
}

func TestAccountEndpoints(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()

	me, err := env.client.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Email != emulator.DemoUserEmail || me.ID == "" || len(me.Orgs) != 1 || me.Orgs[0] != emulator.DemoOrgID {
		t.Errorf("Me = %+v", me)
	}

	orgs, err := env.client.ListOrgs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(orgs) != 1 || orgs[0].ID != emulator.DemoOrgID || orgs[0].Name != "demo" {
		t.Errorf("ListOrgs = %+v", orgs)
	}
	org, err := env.client.GetOrg(ctx, emulator.DemoOrgID)
	if err != nil || org.Name != "demo" {
		t.Errorf("GetOrg = %+v, %v", org, err)
	}

	projects, err := env.client.ListProjects(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if countNamed(projects, func(p Project) string { return p.ID }, emulator.OtherProjectID) != 0 {
		t.Errorf("ListProjects shows another org's project: %+v", projects)
	}
	p, err := env.client.GetProject(ctx, emulator.DemoProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "demo-project" || p.OrgID != emulator.DemoOrgID || p.CreatedAt.IsZero() {
		t.Errorf("GetProject = %+v", p)
	}
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	if _, err := env.client.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
	env.mu.Lock()
	h := env.headers[0]
	env.mu.Unlock()
	if got := h.Get("Authorization"); got != "Bearer "+emulator.DemoToken {
		t.Errorf("authorization header %q", got)
	}
	if got := h.Get("User-Agent"); got != "platform-test/1.0" {
		t.Errorf("user agent %q", got)
	}
	if got := h.Get("Accept"); got != "application/json" {
		t.Errorf("accept %q", got)
	}
}

func TestIntegrationLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	c := env.client

	created := env.createS3Integration(t, "raw-data")
	if created.ID == "" || created.Name != "raw-data" || created.Type != TypeS3 ||
		created.OrgID != emulator.DemoOrgID || created.Creator != emulator.DemoUserEmail ||
		created.CreatedAt.IsZero() || created.UpdatedAt.IsZero() {
		t.Errorf("created = %+v", created)
	}

	got, err := c.GetIntegration(ctx, emulator.DemoOrgID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != created.ID || got.Name != "raw-data" || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Errorf("GetIntegration = %+v, want %+v", got, created)
	}

	list, err := c.ListIntegrations(ctx, emulator.DemoOrgID)
	if err != nil {
		t.Fatal(err)
	}
	if countNamed(list, func(i Integration) string { return i.ID }, created.ID) != 1 {
		t.Errorf("ListIntegrations = %+v, want it to hold %s", list, created.ID)
	}

	newName := "raw-data-renamed"
	renamed, err := c.UpdateIntegration(ctx, emulator.DemoOrgID, UpdateIntegrationInput{IntegrationID: created.ID, Name: &newName})
	if err != nil {
		t.Fatal(err)
	}
	if renamed.ID != created.ID || renamed.Name != newName {
		t.Errorf("renamed = %+v", renamed)
	}

	rotated := "rotated/SECRET/kEy0123456789abcdefghijklmn"
	_, err = c.UpdateIntegration(ctx, emulator.DemoOrgID, UpdateIntegrationInput{
		IntegrationID: created.ID,
		Credentials:   &IntegrationCredentials{Type: TypeS3, Options: map[string]any{"key": testAccessKeyID, "secret": rotated}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if opts, _ := env.srv.IntegrationOptions(created.ID); opts["secret"] != rotated {
		t.Errorf("platform holds secret %v after rotation", opts["secret"])
	}

	if err := c.DeleteIntegration(ctx, emulator.DemoOrgID, created.ID); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetIntegration(ctx, emulator.DemoOrgID, created.ID)
	if !IsNotFound(err) {
		t.Fatalf("GetIntegration after delete: %v, want a 404", err)
	}
	if err := c.DeleteIntegration(ctx, emulator.DemoOrgID, created.ID); !IsNotFound(err) {
		t.Errorf("second DeleteIntegration: %v, want a 404", err)
	}
}

func TestDriverLifecycle(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	c := env.client
	integration := env.createS3Integration(t, "drivers")

	in := s3DriverInput("raw-driver", integration)
	d, err := c.CreateDriver(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	want := Driver{
		ID:                  d.ID,
		Name:                "raw-driver",
		Type:                DriverTypeS3,
		IntegrationID:       integration.ID,
		IntegrationType:     TypeS3,
		ProjectID:           emulator.DemoProjectID,
		OrgID:               emulator.DemoOrgID,
		Creator:             emulator.DemoUserEmail,
		CreatedAt:           d.CreatedAt,
		AllowExternalDelete: false,
		DriverLocation:      in.Payload,
	}
	if d.ID == "" || d.CreatedAt.IsZero() || *d != want {
		t.Errorf("created driver\n got %+v\nwant %+v", *d, want)
	}

	got, err := c.GetDriver(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got != *d {
		t.Errorf("GetDriver\n got %+v\nwant %+v", *got, *d)
	}

	byProject, err := c.ListDrivers(ctx, emulator.DemoProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if countNamed(byProject, func(d Driver) string { return d.ID }, d.ID) != 1 {
		t.Errorf("ListDrivers = %+v", byProject)
	}
	byIntegration, err := c.ListDriversByIntegration(ctx, integration.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(byIntegration) != 1 || byIntegration[0].ID != d.ID {
		t.Errorf("ListDriversByIntegration = %+v", byIntegration)
	}
	other, err := c.ListDriversByIntegration(ctx, "no-such-integration")
	if err != nil || len(other) != 0 {
		t.Errorf("ListDriversByIntegration(unknown) = %+v, %v", other, err)
	}

	name, allow := "raw-driver-2", true
	updated, err := c.UpdateDriver(ctx, d.ID, UpdateDriverInput{
		Name:                &name,
		AllowExternalDelete: &allow,
		Payload:             DriverLocation{Path: "Raw/2025"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Name != name || !updated.AllowExternalDelete || updated.Path != "Raw/2025" ||
		updated.BucketName != "raw-images" || updated.Region != "eu-west-1" {
		t.Errorf("updated driver = %+v", updated)
	}

	if err := c.DeleteDriver(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetDriver(ctx, d.ID); !IsNotFound(err) {
		t.Errorf("GetDriver after delete: %v, want a 404", err)
	}
}

func TestDriverEndpointSentOnlyWhenSet(t *testing.T) {
	t.Parallel()
	body, err := (&Client{}).driverBody(t.Context(), CreateDriverInput{Creator: "a@b.c", Payload: DriverLocation{BucketName: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Payload  map[string]*string `json:"payload"`
		Metadata struct {
			System map[string]string `json:"system"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Payload["endpoint"]; ok {
		t.Errorf("payload %s carries an empty endpoint", b)
	}
	if p, ok := got.Payload["path"]; !ok || p == nil || *p != "" {
		t.Errorf("payload %s: path must always be sent (empty = bucket root)", b)
	}
	if _, ok := got.Metadata.System["projectId"]; !ok {
		t.Errorf("body %s lacks metadata.system.projectId", b)
	}
}

func TestNotFoundIsTyped(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()

	_, err := env.client.GetIntegration(ctx, emulator.DemoOrgID, "000000000000000000000000")
	var apiErr *Error
	if !errors.As(err, &apiErr) {
		t.Fatalf("GetIntegration: %v (%T), want *Error", err, err)
	}
	if apiErr.StatusCode != http.StatusNotFound || apiErr.Method != http.MethodGet ||
		apiErr.Path != "/orgs/org-demo/integrations/000000000000000000000000" || apiErr.Message == "" {
		t.Errorf("error = %+v", apiErr)
	}
	if !IsNotFound(err) || !IsNotFound(fmt.Errorf("wrapped: %w", err)) {
		t.Error("IsNotFound is false for a 404")
	}
	if want := "dataloop API: GET /orgs/org-demo/integrations/000000000000000000000000: 404 Not Found: "; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Error() = %q, want prefix %q", err.Error(), want)
	}

	if _, err := env.client.GetDriver(ctx, "000000000000000000000000"); !IsNotFound(err) {
		t.Errorf("GetDriver: %v, want a 404", err)
	}
	if IsNotFound(errors.New("404")) || IsNotFound(nil) {
		t.Error("IsNotFound is true for a non-API error")
	}
}

func TestOtherOrgIsNotNotFound(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	_, err := env.client.ListIntegrations(t.Context(), emulator.OtherOrgID)
	if err == nil || IsNotFound(err) {
		t.Fatalf("ListIntegrations(other org): %v, want a non-404 error", err)
	}
	if StatusCode(err) != http.StatusForbidden {
		t.Errorf("status %d, want 403", StatusCode(err))
	}
}

func TestUnauthorized(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	const badToken = "not-a-valid-token-s3cr3t"
	c := env.clientWithToken(t, badToken)

	_, err := c.Me(t.Context())
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("Me with a bad token: %v, want a 401 *Error", err)
	}
	if apiErr.Message == "" || !strings.Contains(err.Error(), apiErr.Message) {
		t.Errorf("401 error %q does not carry the platform's message %q", err, apiErr.Message)
	}
	if strings.Contains(err.Error(), badToken) {
		t.Errorf("error %q contains the token", err)
	}
	if env.calls("GET /users/me") != 1 {
		t.Errorf("a 401 was retried: %d calls", env.calls("GET /users/me"))
	}
}

func TestErrorsAndLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()

	// Options without the key are rejected; the secret beside it must not
	// come back in the error.
	_, err := env.client.CreateIntegration(ctx, emulator.DemoOrgID, CreateIntegrationInput{
		Name:    "bad",
		Type:    TypeS3,
		Options: map[string]any{"secret": testSecretKey},
	})
	if err == nil {
		t.Fatal("CreateIntegration with an unknown type succeeded")
	}
	if StatusCode(err) != http.StatusBadRequest {
		t.Errorf("status %d, want 400 (%v)", StatusCode(err), err)
	}
	assertNoSecret(t, "error", err.Error())

	env.createS3Integration(t, "logged")
	env.mu.Lock()
	defer env.mu.Unlock()
	if len(env.logs) == 0 {
		t.Fatal("Logf was not called")
	}
	for _, fields := range env.logs {
		for _, key := range []string{"method", "path", "attempt", "duration_ms"} {
			if _, ok := fields[key]; !ok {
				t.Errorf("log entry %v lacks %q", fields, key)
			}
		}
		assertNoSecret(t, "log entry", fmt.Sprint(fields))
	}
}

func TestRetryOn429HonoursRetryAfter(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 1, Rate429: 1, Max: 2, Routes: []string{routeGetIntegration}}))
	i := env.createS3Integration(t, "throttled")

	got, err := env.client.GetIntegration(t.Context(), emulator.DemoOrgID, i.ID)
	if err != nil {
		t.Fatalf("GetIntegration: %v", err)
	}
	if got.ID != i.ID {
		t.Errorf("got %s, want %s", got.ID, i.ID)
	}
	if n := env.calls(routeGetIntegration); n != 3 {
		t.Errorf("%d calls, want 3 (two throttled, one served)", n)
	}
	// The emulator sends Retry-After: 1.
	if waits := env.recordedWaits(); len(waits) != 2 || waits[0] != time.Second || waits[1] != time.Second {
		t.Errorf("waits %v, want [1s 1s] from Retry-After", waits)
	}
}

func TestRetryAfterIsCapped(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t,
		withFaults(emulator.Faults{Seed: 1, Rate429: 1, Max: 1, Routes: []string{"GET /users/me"}}),
		withConfig(func(c *Config) { c.MaxBackoff = 100 * time.Millisecond }))
	if _, err := env.client.Me(t.Context()); err != nil {
		t.Fatal(err)
	}
	if waits := env.recordedWaits(); len(waits) != 1 || waits[0] != 100*time.Millisecond {
		t.Errorf("waits %v, want [100ms] (Retry-After capped by MaxBackoff)", waits)
	}
}

func TestRetryOn5xxBacksOffExponentially(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 7, Rate5xx: 1, Max: 4, Routes: []string{"GET /projects"}}))
	if _, err := env.client.ListProjects(t.Context()); err != nil {
		t.Fatalf("ListProjects: %v", err)
	}
	if n := env.calls("GET /projects"); n != 5 {
		t.Errorf("%d calls, want 5", n)
	}
	waits := env.recordedWaits()
	if len(waits) != 4 {
		t.Fatalf("waits %v, want 4", waits)
	}
	for k, w := range waits {
		full := baseBackoff << k
		if w < full/2 || w > full {
			t.Errorf("wait %d = %s, want within [%s, %s]", k+1, w, full/2, full)
		}
	}
}

func TestRetriesGiveUp(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t,
		withFaults(emulator.Faults{Seed: 3, Rate5xx: 1, Routes: []string{"GET /users/me"}}),
		withConfig(func(c *Config) { c.MaxRetries = 2 }))
	_, err := env.client.Me(t.Context())
	if StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("Me: %v, want the last 503", err)
	}
	if n := env.calls("GET /users/me"); n != 3 {
		t.Errorf("%d calls, want 3 (1 + MaxRetries)", n)
	}
}

func TestRetryOnDroppedConnection(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 5, RateDrop: 1, Max: 2, Routes: []string{"GET /orgs"}}))
	orgs, err := env.client.ListOrgs(t.Context())
	if err != nil {
		t.Fatalf("ListOrgs: %v", err)
	}
	if len(orgs) != 1 {
		t.Errorf("orgs = %+v", orgs)
	}
	if n := env.srv.Stats()["GET /orgs"]; n < 3 {
		t.Errorf("%d calls, want at least 3", n)
	}
}

func TestCreateIntegrationNoDuplicateOnDroppedAnswer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 11, DropAfterRate: 1, Max: 1, Routes: []string{routeCreateIntegration}}))
	ctx := t.Context()

	// A same-named integration from before must not be mistaken for ours.
	env.srv.SetFaults(emulator.Faults{})
	older := env.createS3Integration(t, "ambiguous")
	env.srv.SetFaults(emulator.Faults{Seed: 11, DropAfterRate: 1, Max: 1, Routes: []string{routeCreateIntegration}})
	env.srv.ResetStats()

	created := env.createS3Integration(t, "ambiguous")
	if created.ID == older.ID {
		t.Fatalf("CreateIntegration adopted the older integration %s", older.ID)
	}
	if n := env.calls(routeCreateIntegration); n != 1 {
		t.Errorf("%d creates sent, want 1 (the dropped one took effect)", n)
	}
	list, err := env.client.ListIntegrations(ctx, emulator.DemoOrgID)
	if err != nil {
		t.Fatal(err)
	}
	if n := countNamed(list, func(i Integration) string { return i.Name }, "ambiguous"); n != 2 {
		t.Errorf("%d integrations named ambiguous, want 2 (older + ours)", n)
	}
}

func TestCreateIntegrationRetriesDropBeforeProcessing(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 2, RateDrop: 1, Max: 1, Routes: []string{routeCreateIntegration}}))
	created := env.createS3Integration(t, "dropped-before")
	if n := env.calls(routeCreateIntegration); n != 2 {
		t.Errorf("%d creates sent, want 2 (the first never reached the platform)", n)
	}
	// One list before the create, one lookup after the dropped attempt.
	if n := env.calls(routeListIntegrations); n != 2 {
		t.Errorf("%d lists, want 2", n)
	}
	list, err := env.client.ListIntegrations(t.Context(), emulator.DemoOrgID)
	if err != nil {
		t.Fatal(err)
	}
	if n := countNamed(list, func(i Integration) string { return i.ID }, created.ID); n != 1 || len(list) != 1 {
		t.Errorf("integrations = %+v, want exactly the created one", list)
	}
}

func TestCreateIntegrationLooksUpAfter503(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 4, Rate5xx: 1, Max: 1, Routes: []string{routeCreateIntegration}}))
	env.createS3Integration(t, "after-503")
	if n := env.calls(routeCreateIntegration); n != 2 {
		t.Errorf("%d creates sent, want 2", n)
	}
	if n := env.calls(routeListIntegrations); n != 2 {
		t.Errorf("%d lists, want 2 (before the create, and the lookup after the 503)", n)
	}
	list, _ := env.client.ListIntegrations(t.Context(), emulator.DemoOrgID)
	if len(list) != 1 {
		t.Errorf("integrations = %+v, want one", list)
	}
}

func TestCreateIntegrationRetries429WithoutLookup(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 4, Rate429: 1, Max: 2, Routes: []string{routeCreateIntegration}}))
	env.createS3Integration(t, "throttled-create")
	if n := env.calls(routeCreateIntegration); n != 3 {
		t.Errorf("%d creates sent, want 3", n)
	}
	if n := env.calls(routeListIntegrations); n != 1 {
		t.Errorf("%d lists, want 1: a 429 is not ambiguous and needs no lookup", n)
	}
}

func TestCreateDriverNoDuplicateOnDroppedAnswer(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx := t.Context()
	integration := env.createS3Integration(t, "for-drivers")
	env.srv.SetFaults(emulator.Faults{Seed: 9, DropAfterRate: 1, Max: 1, Routes: []string{routeCreateDriver}})

	d, err := env.client.CreateDriver(ctx, s3DriverInput("ambiguous-driver", integration))
	if err != nil {
		t.Fatalf("CreateDriver: %v", err)
	}
	if n := env.calls(routeCreateDriver); n != 1 {
		t.Errorf("%d creates sent, want 1", n)
	}
	drivers, err := env.client.ListDrivers(ctx, emulator.DemoProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if len(drivers) != 1 || drivers[0].ID != d.ID {
		t.Errorf("drivers = %+v, want exactly %s", drivers, d.ID)
	}
}

func TestCreateWithoutRetriesReportsAmbiguousFailure(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t,
		withFaults(emulator.Faults{Seed: 1, RateDrop: 1, Routes: []string{routeCreateIntegration}}),
		withConfig(func(c *Config) { c.MaxRetries = -1 }))
	_, err := env.client.CreateIntegration(t.Context(), emulator.DemoOrgID, CreateIntegrationInput{Name: "x", Type: TypeAWSCross})
	if err == nil {
		t.Fatal("CreateIntegration succeeded on a dropped connection with retries disabled")
	}
	if !strings.Contains(err.Error(), "POST /orgs/org-demo/integrations") || strings.Contains(err.Error(), env.url) {
		t.Errorf("error %q should name the call, not the URL", err)
	}
}

func TestDeleteAfterDroppedAnswerSucceeds(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	i := env.createS3Integration(t, "to-delete")
	env.srv.SetFaults(emulator.Faults{Seed: 1, DropAfterRate: 1, Max: 1, Routes: []string{routeDeleteIntegration}})
	if err := env.client.DeleteIntegration(t.Context(), emulator.DemoOrgID, i.ID); err != nil {
		t.Fatalf("DeleteIntegration: %v", err)
	}
	if n := env.calls(routeDeleteIntegration); n != 2 {
		t.Errorf("%d deletes, want 2 (the second answers 404, meaning the first went through)", n)
	}
}

func TestContextCancellationStopsRetries(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 1, Rate5xx: 1, Routes: []string{"GET /users/me"}}))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// Use the real sleep; cancel as soon as the first attempt is logged.
	env.client.wait = sleep
	env.client.maxBackoff = time.Hour
	env.client.logf = func(context.Context, string, map[string]any) { cancel() }

	_, err := env.client.Me(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Me: %v, want context.Canceled", err)
	}
	if StatusCode(err) != http.StatusServiceUnavailable {
		t.Errorf("error %q should still carry the last 503", err)
	}
	if n := env.calls("GET /users/me"); n != 1 {
		t.Errorf("%d calls after cancellation, want 1", n)
	}
}

func TestDeadlineShorterThanBackoffGivesUp(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t, withFaults(emulator.Faults{Seed: 1, Rate429: 1, Routes: []string{"GET /users/me"}}))
	env.client.wait = sleep
	// The emulator asks for Retry-After: 1s, which cannot fit this deadline.
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	_, err := env.client.Me(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Me: %v, want context.DeadlineExceeded", err)
	}
	if n := env.calls("GET /users/me"); n > 1 {
		t.Errorf("%d calls, want at most 1: no retry can finish before the deadline", n)
	}
}

func TestAlreadyCancelledContext(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := env.client.ListOrgs(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ListOrgs: %v, want context.Canceled", err)
	}
}

func BenchmarkGetIntegration(b *testing.B) {
	env := newTestEnv(b)
	i := env.createS3Integration(b, "bench")
	ctx := b.Context()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := env.client.GetIntegration(ctx, emulator.DemoOrgID, i.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// TestInsecureEndpoint: the token never goes over plain HTTP to a host that
// is not loopback unless the caller explicitly allows it.
func TestInsecureEndpoint(t *testing.T) {
	t.Parallel()
	for endpoint, allowed := range map[string]bool{
		"https://gate.dataloop.ai/api/v1": true,
		"http://127.0.0.1:8080/api/v1":    true,
		"http://127.8.9.10/api/v1":        true,
		"http://localhost:8080/api/v1":    true,
		"http://[::1]:8080/api/v1":        true,
		"http://gate.dataloop.ai/api/v1":  false,
		"http://10.0.0.5:8080/api/v1":     false,
		"http://localhost.example.com/v1": false,
	} {
		_, err := New(Config{Endpoint: endpoint, Token: "tok"})
		if allowed != (err == nil) {
			t.Errorf("%s: error %v, want allowed=%v", endpoint, err, allowed)
		}
		if !allowed && !errors.Is(err, ErrInsecureEndpoint) {
			t.Errorf("%s: error %v does not wrap ErrInsecureEndpoint", endpoint, err)
		}
		if _, err := New(Config{Endpoint: endpoint, Token: "tok", AllowInsecureHTTP: true}); err != nil {
			t.Errorf("%s with AllowInsecureHTTP: %v", endpoint, err)
		}
	}
}

// TestCreateDriverSendsNoListWithoutFailure: a create the platform answers
// is one POST: no list of the project's drivers before or after it, and
// /users/me once for every create of the client.
func TestCreateDriverSendsNoListWithoutFailure(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	integration := env.createS3Integration(t, "for-quiet-creates")
	env.srv.ResetStats()
	for i := range 5 {
		if _, err := env.client.CreateDriver(t.Context(), s3DriverInput(fmt.Sprintf("quiet-%d", i), integration)); err != nil {
			t.Fatalf("CreateDriver: %v", err)
		}
	}
	if n := env.calls(routeCreateDriver); n != 5 {
		t.Errorf("%d creates sent, want 5", n)
	}
	if n := env.calls(routeListDrivers); n != 0 {
		t.Errorf("%d lists of drivers, want 0: nothing failed", n)
	}
	if n := env.calls("GET /users/me"); n > 1 {
		t.Errorf("%d requests for /users/me, want at most 1 per client", n)
	}
}

// TestCreateDriverAfterDropDoesNotAdoptOlderDriver: after an attempt whose
// connection dropped before the platform handled it, the lookup finds a
// driver of the same name made before the call, which is not ours; the
// create then fails with the platform's conflict instead of adopting it.
func TestCreateDriverAfterDropDoesNotAdoptOlderDriver(t *testing.T) {
	t.Parallel()
	env := newTestEnv(t)
	integration := env.createS3Integration(t, "for-older-driver")
	older, err := env.client.CreateDriver(t.Context(), s3DriverInput("taken", integration))
	if err != nil {
		t.Fatal(err)
	}
	// The older driver must predate the call by more than the slack plus
	// the Date header's one-second resolution.
	time.Sleep(adoptionSlack + 1500*time.Millisecond)
	env.srv.SetFaults(emulator.Faults{Seed: 3, RateDrop: 1, Max: 1, Routes: []string{routeCreateDriver}})
	env.srv.ResetStats()
	d, err := env.client.CreateDriver(t.Context(), s3DriverInput("taken", integration))
	if err == nil {
		t.Fatalf("CreateDriver adopted %s (the older driver is %s)", d.ID, older.ID)
	}
	var apiErr *Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusConflict {
		t.Errorf("CreateDriver: %v, want the platform's 409", err)
	}
	if n := env.calls(routeListDrivers); n < 1 {
		t.Errorf("%d lists, want a lookup after the dropped attempt", n)
	}
}

func TestAdoptionThreshold(t *testing.T) {
	t.Parallel()
	start := time.Now()
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	resp := &response{date: date, received: start.Add(3 * time.Second)}
	if got, want := adoptionThreshold(start, resp), date.Add(-3*time.Second-adoptionSlack); !got.Equal(want) {
		t.Errorf("threshold = %v, want %v", got, want)
	}
	in := s3DriverInput("x", &Integration{ID: "i", Type: TypeS3})
	at := func(ts time.Time) Driver {
		return Driver{Name: "x", IntegrationID: "i", CreatedAt: ts, DriverLocation: in.Payload,
			AllowExternalDelete: in.AllowExternalDelete}
	}
	th := adoptionThreshold(start, resp)
	if !createdSince(at(th), in, th, resp) || createdSince(at(th.Add(-time.Millisecond)), in, th, resp) {
		t.Error("createdSince does not split at the threshold")
	}
	// Without a Date header, the location must match too.
	other := at(start)
	other.BucketName = "elsewhere"
	if createdSince(other, in, adoptionThreshold(start, nil), nil) {
		t.Error("a driver at another location was adopted without a Date header")
	}
	if !createdSince(at(start), in, adoptionThreshold(start, nil), nil) {
		t.Error("a driver at the same location made now was not adopted without a Date header")
	}
}
