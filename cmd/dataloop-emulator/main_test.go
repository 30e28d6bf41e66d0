package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunRejectsBadFlags(t *testing.T) {
	t.Parallel()
	// A canceled context makes run return at once should it start serving,
	// so a flag that is wrongly accepted fails the test instead of hanging it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"-listen", "0.0.0.0:0"},
		{"-listen", "192.0.2.1:8080"},
		{"-listen", "nonsense"},
		{"-fault-429", "2"},
		{"-fault-latency-after", "-1s"},
		{"-fault-5xx-status", "501"},
		{"-seed", filepath.Join(t.TempDir(), "missing.json")},
		{"-no-such-flag"},
	} {
		if err := run(ctx, args, io.Discard, io.Discard); err == nil {
			t.Errorf("run %v: want an error", args)
		}
	}
}

func TestRunServesAndPersists(t *testing.T) {
	t.Parallel()
	state := filepath.Join(t.TempDir(), "state.json")
	base, stop := start(t, "-listen", "127.0.0.1:0", "-state", state, "-contract", filepath.Join("..", "..", "testdata", "openapi", "dataloop-openapi-subset.json"))
	req, _ := http.NewRequest("POST", base+"/projects", strings.NewReader(`{"name":"from-cmd"}`))
	req.Header.Set("Authorization", "Bearer demo-token")
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("create project: %d", res.StatusCode)
	}
	stop()

	b, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(b), "from-cmd") {
		t.Fatalf("state file does not hold the project: %v", err)
	}
	base, stop = start(t, "-listen", "127.0.0.1:0", "-state", state)
	defer stop()
	req, _ = http.NewRequest("GET", base+"/projects", nil)
	req.Header.Set("Authorization", "Bearer demo-token")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(body), "from-cmd") {
		t.Errorf("after restart: %s", body)
	}
}

// start runs the command until the returned stop is called, and returns
// the base URL it printed.
func start(t *testing.T, args ...string) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := run(ctx, args, pw, io.Discard)
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("no URL printed: %v (run: %v)", err, <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	base := strings.TrimSpace(line)
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/api/v1") {
		t.Fatalf("printed %q", base)
	}
	stopped := false
	return base, func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
}

// TestRunStrict: -strict (or DATALOOP_EMULATOR_STRICT) turns the
// emulator's extensions off; here, the echo of an aws-cross integration's
// bound role in its metadata.
func TestRunStrict(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		env      string
		wantEcho bool
	}{
		{wantEcho: true},
		{args: []string{"-strict"}},
		{env: "true"},
	} {
		t.Setenv("DATALOOP_EMULATOR_STRICT", tc.env)
		base, stop := start(t, append([]string{"-listen", "127.0.0.1:0"}, tc.args...)...)
		call := func(method, path, body string) string {
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer demo-token")
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return string(b)
		}
		created := call("POST", "/orgs/org-demo/integrations", `{"name":"cross","type":"aws-cross","options":{}}`)
		parts := strings.SplitN(created, `"id":"`, 2)
		if len(parts) != 2 {
			stop()
			t.Fatalf("create: %s", created)
		}
		id := strings.SplitN(parts[1], `"`, 2)[0]
		bound := call("PATCH", "/orgs/org-demo/integrations", `{"integrationId":"`+id+
			`","credentials":{"type":"aws-cross","options":{"roleArn":"arn:aws:iam::210987654321:role/r"}}}`)
		stop()
		if echo := strings.Contains(bound, `"roleArn"`); echo != tc.wantEcho {
			t.Errorf("args %v env %q: roleArn echoed = %v, want %v: %s", tc.args, tc.env, echo, tc.wantEcho, bound)
		}
	}
}
