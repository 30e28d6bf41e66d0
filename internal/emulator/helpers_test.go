package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// startServer runs an emulator behind an httptest server with the
// contract check on, and fails the test on any violation at cleanup.
func startServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	if opts.Contract == nil {
		c, err := DefaultContract()
		if err != nil {
			t.Fatalf("load contract: %v", err)
		}
		opts.Contract = c
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		if v := srv.ContractViolations(); len(v) > 0 && !t.Failed() {
			t.Errorf("contract violations:\n  %s", strings.Join(v, "\n  "))
		}
	})
	return srv, ts
}

// api is a bare net/http client for one token.
type api struct {
	t     *testing.T
	base  string
	token string
}

func newAPI(t *testing.T, ts *httptest.Server, token string) *api {
	return &api{t: t, base: ts.URL + BasePath, token: token}
}

type resp struct {
	status int
	header http.Header
	raw    []byte
}

// obj is a decoded JSON object.
type obj map[string]any

// str returns a string field, "" when absent or not a string.
func (o obj) str(key string) string {
	s, _ := o[key].(string)
	return s
}

func (r resp) obj() obj {
	var m obj
	_ = json.Unmarshal(r.raw, &m)
	return m
}

func (r resp) list() []obj {
	var l []obj
	_ = json.Unmarshal(r.raw, &l)
	return l
}

func (r resp) message() string { return r.obj().str("message") }

func (a *api) do(method, path string, body any) resp {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			j, err := json.Marshal(b)
			if err != nil {
				a.t.Fatal(err)
			}
			rd = bytes.NewReader(j)
		}
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, raw: raw}
}

// must is do that fails the test unless the status is want.
func (a *api) must(want int, method, path string, body any) resp {
	a.t.Helper()
	r := a.do(method, path, body)
	if r.status != want {
		a.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.status, want, r.raw)
	}
	return r
}

func (a *api) createIntegration(name, typ string, options map[string]any) obj {
	a.t.Helper()
	return a.must(200, "POST", "/orgs/"+DemoOrgID+"/integrations",
		map[string]any{"name": name, "type": typ, "options": options}).obj()
}

func s3Driver(name, integrationID string, payload map[string]any) map[string]any {
	return map[string]any{
		"name": name, "type": "s3", "integrationId": integrationID, "integrationType": "s3",
		"creator": DemoUserEmail, "allowExternalDelete": false,
		"metadata": map[string]any{"system": map[string]any{"projectId": DemoProjectID}},
		"payload":  payload,
	}
}

func metaValue(in obj, name string) string {
	list, _ := in["metadata"].([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["name"] == name {
			v, _ := m["value"].(string)
			return v
		}
	}
	return ""
}

const serviceAccountJSON = `{"type":"service_account","project_id":"p","client_email":"sa@p.iam.gserviceaccount.com",` +
	`"private_key":"-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"}`

func marshalT(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
