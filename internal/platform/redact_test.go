package platform

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A hostile or buggy server that echoes the request body must not get the
// secrets the client sent into errors. The emulator never echoes values,
// so these tests use a handler of their own.

const (
	hostileSecret     = `wJal"rXUt<n&FEMI>/K7MDENG\bPxRfiCY`
	hostilePrivateKey = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n"
	hostileToken      = "hostile-token-123"
)

// echoServer answers every mutating request with an error that repeats the
// request body: as raw text, as a JSON value, or by picking out fields,
// chosen by the echo query parameter of the test's endpoint path.
func echoServer(t *testing.T, status int, echo string) *Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Method == http.MethodGet && !strings.HasSuffix(r.URL.Path, "/test") {
			_, _ = io.WriteString(w, "[]")
			return
		}
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(raw, &body)
		var answer map[string]any
		switch echo {
		case "raw":
			answer = map[string]any{"message": "cannot use " + string(raw) + " with " + r.Header.Get("Authorization")}
		case "object":
			answer = map[string]any{"message": map[string]any{"invalid": body}}
		case "error":
			answer = map[string]any{"error": body}
		case "fields":
			opts, _ := body["options"].(map[string]any)
			if creds, ok := body["credentials"].(map[string]any); ok {
				opts, _ = creds["options"].(map[string]any)
			}
			var parts []string
			for _, k := range []string{"secret", "clientSecret", "password", "content"} {
				if v, ok := opts[k].(string); ok {
					parts = append(parts, k+"="+v)
				}
			}
			if c, ok := opts["content"].(string); ok {
				var sa map[string]any
				_ = json.Unmarshal([]byte(c), &sa)
				if key, ok := sa["private_key"].(string); ok {
					parts = append(parts, "private_key="+key)
				}
			}
			answer = map[string]any{"message": "bad options: " + strings.Join(parts, ", "),
				"checks": []map[string]any{{"name": "write", "success": false, "message": strings.Join(parts, ", ")}}}
		}
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(answer)
	}))
	t.Cleanup(ts.Close)
	c, err := New(Config{Endpoint: ts.URL, Token: hostileToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// secretForms are the ways a secret can read in an echoed message.
func secretForms(t *testing.T, secrets ...string) []string {
	t.Helper()
	var out []string
	for _, s := range secrets {
		out = append(out, s)
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b[1:len(b)-1]))
		out = append(out, strings.NewReplacer("\\u003c", "<", "\\u003e", ">", "\\u0026", "&").Replace(string(b[1:len(b)-1])))
	}
	return out
}

func TestErrorsRedactRequestSecrets(t *testing.T) {
	t.Parallel()
	sa, err := json.Marshal(map[string]any{"type": "service_account", "client_email": "sa@p.iam.gserviceaccount.com",
		"private_key": hostilePrivateKey})
	if err != nil {
		t.Fatal(err)
	}
	content := string(sa)
	forbidden := secretForms(t, hostileSecret, content, hostilePrivateKey, hostileToken)
	// The private key's body alone, as the fields echo shows it.
	forbidden = append(forbidden, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC")

	calls := map[string]func(c *Client) error{
		"create s3": func(c *Client) error {
			_, err := c.CreateIntegration(t.Context(), "o1", CreateIntegrationInput{Name: "n", Type: TypeS3,
				Options: map[string]any{"key": "AKIAIOSFODNN7EXAMPLE", "secret": hostileSecret}})
			return err
		},
		"create gcs": func(c *Client) error {
			_, err := c.CreateIntegration(t.Context(), "o1", CreateIntegrationInput{Name: "n", Type: TypeGCS,
				Options: map[string]any{"content": content}})
			return err
		},
		"create azure": func(c *Client) error {
			_, err := c.CreateIntegration(t.Context(), "o1", CreateIntegrationInput{Name: "n", Type: TypeAzureBlob,
				Options: map[string]any{"key": "acct", "clientSecret": hostileSecret, "password": hostileSecret}})
			return err
		},
		"update credentials": func(c *Client) error {
			_, err := c.UpdateIntegration(t.Context(), "o1", UpdateIntegrationInput{IntegrationID: "i1",
				Credentials: &IntegrationCredentials{Type: TypeS3, Options: map[string]any{"key": "AKIAIOSFODNN7EXAMPLE", "secret": hostileSecret}}})
			return err
		},
	}
	for _, echo := range []string{"raw", "object", "error", "fields"} {
		for name, call := range calls {
			err := call(echoServer(t, http.StatusBadRequest, echo))
			if err == nil {
				t.Fatalf("%s, echo %s: no error", name, echo)
			}
			msg := err.Error()
			for _, f := range forbidden {
				if strings.Contains(msg, f) {
					t.Errorf("%s, echo %s: error repeats a secret (%.12q...): %s", name, echo, f, msg)
				}
			}
			if StatusCode(err) != http.StatusBadRequest {
				t.Errorf("%s, echo %s: %v, want the 400 as *Error", name, echo, err)
			}
			if echo != "fields" && !strings.Contains(msg, "<redacted>") {
				t.Errorf("%s, echo %s: the echo was not redacted but removed: %s", name, echo, msg)
			}
		}
	}
}

// TestTestFailureRedactsRequestSecrets covers the access test's failure
// body; a test request carries no secret options, but the token must not
// come back in a check message either.
func TestTestFailureRedactsRequestSecrets(t *testing.T) {
	t.Parallel()
	c := echoServer(t, http.StatusFailedDependency, "raw")
	f, err := c.TestDriver(t.Context(), CreateDriverInput{Name: "d", Type: DriverTypeS3, Creator: "me@example.com",
		ProjectID: "p1", IntegrationID: "i1", IntegrationType: TypeS3, Payload: DriverLocation{BucketName: "b"}})
	if err != nil || f.Verdict != TestFailed {
		t.Fatalf("TestDriver: %+v, %v, want a failed test", f, err)
	}
	for _, ch := range f.Checks {
		if strings.Contains(ch.Message, hostileToken) {
			t.Errorf("check %s repeats the token: %s", ch.Name, ch.Message)
		}
	}
	if strings.Contains(f.Message, hostileToken) {
		t.Errorf("failure repeats the token: %s", f.Message)
	}
}

func TestRequestSecrets(t *testing.T) {
	t.Parallel()
	got := requestSecrets(map[string]any{
		"name": "n",
		"options": map[string]any{
			"key": "AKIA", "secret": "s<1>", "roleArns": []string{"arn"},
			"content": `{"private_key":"pk\n"}`,
		},
		"credentials": map[string]any{"options": map[string]any{"clientSecret": "cs"}},
	})
	want := map[string]bool{"s<1>": true, `s\u003c1\u003e`: true, `{"private_key":"pk\n"}`: true,
		`{\"private_key\":\"pk\\n\"}`: true, "pk\n": true, `pk\n`: true, "cs": true}
	for _, s := range got {
		if !want[s] {
			t.Errorf("unexpected secret %q", s)
		}
		delete(want, s)
	}
	for s := range want {
		t.Errorf("missing secret %q", s)
	}
	for i := 1; i < len(got); i++ {
		if len(got[i]) > len(got[i-1]) {
			t.Errorf("secrets not longest first: %q", got)
		}
	}
}
