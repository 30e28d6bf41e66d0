package emulator

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// startPlain runs an emulator without the contract check, for tests that
// send malformed requests on purpose.
func startPlain(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return srv, ts
}

func TestAuth(t *testing.T) {
	t.Parallel()
	_, ts := startPlain(t, Options{})
	routes := []struct{ method, path string }{
		{"GET", "/users/me"},
		{"GET", "/orgs"},
		{"GET", "/projects"},
		{"GET", "/orgs/" + DemoOrgID + "/integrations"},
		{"POST", "/orgs/" + DemoOrgID + "/integrations"},
		{"GET", "/drivers?projectId=" + DemoProjectID},
		{"DELETE", "/drivers/abc"},
		{"POST", "/drivers/test"},
	}
	for _, token := range []string{"", "wrong-token"} {
		a := newAPI(t, ts, token)
		for _, rt := range routes {
			r := a.do(rt.method, rt.path, nil)
			if r.status != http.StatusUnauthorized || !strings.Contains(r.message(), "token") {
				t.Errorf("token %q %s %s: %d %s, want 401 with a message", token, rt.method, rt.path, r.status, r.raw)
			}
		}
	}
	// Unknown routes answer 404 with a message, authenticated or not.
	demo := newAPI(t, ts, DemoToken)
	for _, p := range []string{"/nope", "/drivers/abc/other", "/drivers/abc/test/x"} {
		if r := demo.do("GET", p, nil); r.status != 404 || r.message() == "" {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	if r, err := http.Get(ts.URL + "/elsewhere"); err != nil || r.StatusCode != 404 {
		t.Errorf("GET /elsewhere: %v %v", r, err)
	} else {
		r.Body.Close()
	}

	// A non-bearer scheme is not accepted either.
	req, _ := http.NewRequest("GET", ts.URL+BasePath+"/users/me", nil)
	req.Header.Set("Authorization", "Basic "+DemoToken)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("basic auth: %d, want 401", res.StatusCode)
	}
}

func TestAccountRoutes(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	demo := newAPI(t, ts, DemoToken)

	me := demo.must(200, "GET", "/users/me", nil).obj()
	if me["email"] != DemoUserEmail || me["id"] != "user-demo" {
		t.Errorf("me = %v", me)
	}
	if orgs, _ := me["orgs"].([]any); len(orgs) != 1 || orgs[0] != DemoOrgID {
		t.Errorf("me.orgs = %v", me["orgs"])
	}

	orgs := demo.must(200, "GET", "/orgs", nil).list()
	if len(orgs) != 1 || orgs[0]["id"] != DemoOrgID || orgs[0]["name"] != "demo" {
		t.Errorf("orgs = %v", orgs)
	}
	projects := demo.must(200, "GET", "/projects", nil).list()
	if len(projects) != 1 || projects[0]["id"] != DemoProjectID || projects[0]["org"] != DemoOrgID {
		t.Errorf("projects = %v", projects)
	}
	p := demo.must(200, "GET", "/projects/"+DemoProjectID, nil).obj()
	if p["name"] != "demo-project" {
		t.Errorf("project = %v", p)
	}

	tests := []struct {
		path   string
		status int
	}{
		{"/orgs/" + DemoOrgID, 200},
		{"/orgs/" + OtherOrgID, 403},
		{"/orgs/no-such-org", 404},
		{"/projects/" + OtherProjectID, 403},
		{"/projects/no-such-project", 404},
		{"/orgs/" + OtherOrgID + "/integrations", 403},
	}
	for _, tt := range tests {
		r := demo.do("GET", tt.path, nil)
		if r.status != tt.status {
			t.Errorf("GET %s: %d, want %d (%s)", tt.path, r.status, tt.status, r.raw)
		}
		if tt.status >= 400 && r.message() == "" {
			t.Errorf("GET %s: no message in %s", tt.path, r.raw)
		}
	}
}

func TestProjectCreateDelete(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	p := a.must(200, "POST", "/projects", map[string]any{"name": "second"}).obj()
	if p["org"] != DemoOrgID {
		t.Fatalf("project = %v", p)
	}
	if r := a.do("POST", "/projects", map[string]any{"name": "second"}); r.status != 409 {
		t.Errorf("duplicate project: %d", r.status)
	}
	id := p.str("id")
	a.must(204, "DELETE", "/projects/"+id, nil)
	a.must(404, "GET", "/projects/"+id, nil)
}

func TestIntegrationCreateValidation(t *testing.T) {
	t.Parallel()
	_, ts := startPlain(t, Options{})
	a := newAPI(t, ts, DemoToken)
	path := "/orgs/" + DemoOrgID + "/integrations"
	tests := []struct {
		name    string
		body    any
		status  int
		message string // substring of the error message
	}{
		{"s3", map[string]any{"name": "a", "type": "s3", "options": map[string]any{"key": "AKIA1", "secret": "s"}}, 200, ""},
		{"aws-sts", map[string]any{"name": "a", "type": "aws-sts", "options": map[string]any{"key": "AKIA1", "secret": "s",
			"roleArns": "arn:aws:iam::123456789012:role/r"}}, 200, ""},
		{"aws-sts list", map[string]any{"name": "a", "type": "aws-sts", "options": map[string]any{"key": "AKIA1", "secret": "s",
			"roleArns": []string{"arn:aws:iam::123456789012:role/r"}}}, 200, ""},
		{"aws-cross", map[string]any{"name": "a", "type": "aws-cross", "options": map[string]any{}}, 200, ""},
		{"gcs", map[string]any{"name": "a", "type": "gcs", "options": map[string]any{"key": "", "secret": "", "content": serviceAccountJSON}}, 200, ""},
		{"gcp-cross", map[string]any{"name": "a", "type": "gcp-cross", "options": map[string]any{}}, 200, ""},
		{"azureblob", map[string]any{"name": "a", "type": "azureblob", "options": map[string]any{"key": "acct", "secret": "s",
			"clientId": "c", "tenantId": "t"}}, 200, ""},

		{"malformed JSON", `{"name": `, 400, "malformed JSON"},
		{"not an object", `[1]`, 400, "JSON object"},
		{"empty body", ``, 400, "body is required"},
		{"missing name", map[string]any{"type": "s3", "options": map[string]any{}}, 400, `"name": is required`},
		{"name not a string", map[string]any{"name": 3, "type": "s3", "options": map[string]any{}}, 400, `"name": must be a string`},
		{"unknown type", map[string]any{"name": "a", "type": "ftp", "options": map[string]any{}}, 400, `"type": unsupported integration type "ftp"`},
		{"missing options", map[string]any{"name": "a", "type": "s3"}, 400, `"options": is required`},
		{"s3 missing secret", map[string]any{"name": "a", "type": "s3", "options": map[string]any{"key": "AKIA1"}}, 400, `"options.secret": is required`},
		{"s3 empty key", map[string]any{"name": "a", "type": "s3", "options": map[string]any{"key": "", "secret": "s"}}, 400, `"options.key": must not be empty`},
		{"s3 unknown option", map[string]any{"name": "a", "type": "s3", "options": map[string]any{"key": "k", "secret": "s", "sekret": "x"}}, 400, `"options.sekret": is not an option`},
		{"aws-sts missing roleArns", map[string]any{"name": "a", "type": "aws-sts", "options": map[string]any{"key": "k", "secret": "s"}}, 400, `"options.roleArns": is required`},
		{"aws-sts bad roleArns", map[string]any{"name": "a", "type": "aws-sts", "options": map[string]any{"key": "k", "secret": "s", "roleArns": "role/x"}}, 400, `"options.roleArns"`},
		// The provider's own role ARN rule (internal/rules) decides: no unknown partition.
		{"aws-sts role in an unknown partition", map[string]any{"name": "a", "type": "aws-sts", "options": map[string]any{"key": "k", "secret": "s",
			"roleArns": "arn:aws-mars:iam::123456789012:role/r"}}, 400, `"options.roleArns"`},
		{"aws-cross with options", map[string]any{"name": "a", "type": "aws-cross", "options": map[string]any{"roleArn": "arn:aws:iam::123456789012:role/r"}}, 400, `"options.roleArn": is not an option of integration type aws-cross`},
		{"gcs bad content", map[string]any{"name": "a", "type": "gcs", "options": map[string]any{"content": "{not json"}}, 400, `"options.content": must be a service account key`},
		{"gcs not a service account", map[string]any{"name": "a", "type": "gcs", "options": map[string]any{"content": `{"type":"user"}`}}, 400, `"options.content"`},
		{"azureblob missing tenant", map[string]any{"name": "a", "type": "azureblob", "options": map[string]any{"key": "k", "secret": "s", "clientId": "c"}}, 400, `"options.tenantId": is required`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.t = t
			r := a.do("POST", path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.message != "" && !strings.Contains(r.message(), tt.message) {
				t.Errorf("message %q does not contain %q", r.message(), tt.message)
			}
		})
	}
}

func TestIntegrationSecretsNeverReturned(t *testing.T) {
	t.Parallel()
	srv, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET1"
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIAEXAMPLE1", "secret": secret})
	id := in.str("id")
	rotated := "rotated/SECRET2-value"
	bodies := [][]byte{
		a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations", nil).raw,
		a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+id, nil).raw,
		a.must(200, "GET", "/integrations/"+id, nil).raw,
		a.must(200, "PATCH", "/orgs/"+DemoOrgID+"/integrations", map[string]any{"integrationId": id, "name": "renamed",
			"credentials": map[string]any{"type": "s3", "options": map[string]any{"key": "AKIAEXAMPLE1", "secret": rotated}}}).raw,
		a.must(200, "GET", "/orgs", nil).raw,
	}
	for i, b := range bodies {
		for _, s := range []string{secret, rotated, "AKIAEXAMPLE1"} {
			if strings.Contains(string(b), s) {
				t.Errorf("response %d contains a credential: %s", i, b)
			}
		}
	}
	opts, ok := srv.IntegrationOptions(id)
	if !ok || opts["secret"] != rotated || opts["key"] != "AKIAEXAMPLE1" {
		t.Errorf("stored options not rotated (ok=%v, key=%v)", ok, opts["key"])
	}
	got := a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+id, nil).obj()
	if got["name"] != "renamed" || got["org"] != DemoOrgID || got["creator"] != DemoUserEmail {
		t.Errorf("integration = %v", got)
	}
}

func TestIntegrationScoping(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	demo := newAPI(t, ts, DemoToken)
	other := newAPI(t, ts, OtherToken)
	id := demo.createIntegration("mine", "s3", map[string]any{"key": "k", "secret": "s"}).str("id")

	tests := []struct {
		method, path string
		body         any
		status       int
	}{
		{"GET", "/orgs/" + DemoOrgID + "/integrations/" + id, nil, 403},
		{"GET", "/orgs/" + OtherOrgID + "/integrations/" + id, nil, 404},
		{"GET", "/integrations/" + id, nil, 404},
		{"DELETE", "/orgs/" + OtherOrgID + "/integrations/" + id, nil, 404},
		{"PATCH", "/orgs/" + OtherOrgID + "/integrations", map[string]any{"integrationId": id, "name": "x"}, 404},
		{"POST", "/orgs/" + DemoOrgID + "/integrations", map[string]any{"name": "x", "type": "s3", "options": map[string]any{"key": "k", "secret": "s"}}, 403},
		{"GET", "/drivers/byIntegration/" + id, nil, 404},
	}
	for _, tt := range tests {
		r := other.do(tt.method, tt.path, tt.body)
		if r.status != tt.status {
			t.Errorf("%s %s as other: %d, want %d (%s)", tt.method, tt.path, r.status, tt.status, r.raw)
		}
	}
	if l := other.must(200, "GET", "/orgs/"+OtherOrgID+"/integrations", nil).list(); len(l) != 0 {
		t.Errorf("other org sees %d integrations", len(l))
	}
	demo.must(404, "GET", "/orgs/"+DemoOrgID+"/integrations/no-such-id", nil)
	demo.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+id, nil)
}

func TestAWSCrossBinding(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	in := a.createIntegration("cross", "aws-cross", map[string]any{})
	id := in.str("id")
	if arn := metaValue(in, "userArn"); arn != "arn:aws:iam::123456789012:user/dataloop-platform-"+id {
		t.Errorf("userArn = %q", arn)
	}
	// Trust is published as Dataloop documents it: a status entry, and no
	// entry of another name that a client could mistake for it.
	if v := metaValue(in, "status"); v != "pending" {
		t.Errorf("status = %q, want pending", v)
	}
	entries, _ := in["metadata"].([]any)
	for _, m := range entries {
		entry, _ := m.(map[string]any)
		if name := entry["name"]; name != "userArn" && name != "status" {
			t.Errorf("unexpected metadata entry %v of a new aws-cross integration", name)
		}
	}
	role := "arn:aws:iam::210987654321:role/dataloop-access"
	bound := a.must(200, "PATCH", "/orgs/"+DemoOrgID+"/integrations", map[string]any{"integrationId": id,
		"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": role}}}).obj()
	if v := metaValue(bound, "roleArn"); v != role {
		t.Errorf("roleArn = %q", v)
	}
	if v := metaValue(bound, "status"); v == "trust-established" {
		t.Errorf("trust-established after bind = %q", v)
	}
	if v := metaValue(bound, "userArn"); v == "" {
		t.Error("userArn lost on bind")
	}

	// Invalid PATCHes name the field.
	_, plain := startPlain(t, Options{})
	p := newAPI(t, plain, DemoToken)
	id2 := p.createIntegration("cross", "aws-cross", map[string]any{}).str("id")
	tests := []struct {
		name    string
		body    any
		message string
	}{
		{"bad arn", map[string]any{"integrationId": id2, "credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": "nope"}}}, `"credentials.options.roleArn"`},
		{"wrong type", map[string]any{"integrationId": id2, "credentials": map[string]any{"type": "s3", "options": map[string]any{"roleArn": role}}}, `"credentials.type"`},
		{"no options", map[string]any{"integrationId": id2, "credentials": map[string]any{"type": "aws-cross"}}, `"credentials.options": is required`},
		{"no id", map[string]any{"name": "x"}, `"integrationId": is required`},
		{"managed metadata", map[string]any{"integrationId": id2, "metadata": []any{map[string]any{"name": "userArn", "value": "x"}}}, `"metadata[0].name"`},
	}
	for _, tt := range tests {
		r := p.do("PATCH", "/orgs/"+DemoOrgID+"/integrations", tt.body)
		if r.status != 400 || !strings.Contains(r.message(), tt.message) {
			t.Errorf("%s: %d %q, want 400 containing %s", tt.name, r.status, r.message(), tt.message)
		}
	}
}

func TestIntegrationLimits(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	for typ, limit := range map[string]int{"aws-cross": 15, "gcp-cross": 3} {
		for i := 0; i < limit; i++ {
			a.createIntegration(typ, typ, map[string]any{})
		}
		r := a.do("POST", "/orgs/"+DemoOrgID+"/integrations", map[string]any{"name": "one-too-many", "type": typ, "options": map[string]any{}})
		if r.status != http.StatusConflict || !strings.Contains(r.message(), "limit") {
			t.Errorf("%s #%d: %d %q, want 409 about the limit", typ, limit+1, r.status, r.message())
		}
	}
	// The limit is per org.
	other := newAPI(t, ts, OtherToken)
	other.must(200, "POST", "/orgs/"+OtherOrgID+"/integrations", map[string]any{"name": "x", "type": "gcp-cross", "options": map[string]any{}})
	// Deleting one frees a slot.
	l := a.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations", nil).list()
	for _, in := range l {
		if in["type"] == "gcp-cross" {
			a.must(200, "DELETE", "/orgs/"+DemoOrgID+"/integrations/"+in.str("id"), nil)
			break
		}
	}
	a.createIntegration("again", "gcp-cross", map[string]any{})
}

func TestDriversCRUD(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	integ := a.createIntegration("keys", "s3", map[string]any{"key": "k", "secret": "s"})
	iid := integ.str("id")

	d := a.must(200, "POST", "/drivers", s3Driver("raw", iid, map[string]any{
		"bucketName": "bucket-1", "region": "eu-west-1", "path": "data/", "endpoint": "http://127.0.0.1:9000",
	})).obj()
	id := d.str("id")
	want := map[string]any{"name": "raw", "type": "s3", "integrationId": iid, "integrationType": "s3",
		"projectId": DemoProjectID, "orgId": DemoOrgID, "creator": DemoUserEmail, "bucketName": "bucket-1",
		"region": "eu-west-1", "path": "data/", "endpoint": "http://127.0.0.1:9000", "allowExternalDelete": false}
	for k, v := range want {
		if d[k] != v {
			t.Errorf("driver %s = %v, want %v", k, d[k], v)
		}
	}
	if _, ok := d["payload"]; ok {
		t.Error("driver is returned with a nested payload; it must be flat")
	}

	if got := a.must(200, "GET", "/drivers/"+id, nil).obj(); got["bucketName"] != "bucket-1" {
		t.Errorf("get = %v", got)
	}
	if l := a.must(200, "GET", "/drivers?projectId="+DemoProjectID, nil).list(); len(l) != 1 || l[0]["id"] != id {
		t.Errorf("list = %v", l)
	}
	if n := string(a.must(200, "GET", "/drivers/byIntegration/"+iid, nil).raw); n != "1" {
		t.Errorf("byIntegration = %s", n)
	}
	if r := a.do("POST", "/drivers", s3Driver("raw", iid, map[string]any{"bucketName": "b"})); r.status != 409 {
		t.Errorf("duplicate name: %d %s", r.status, r.raw)
	}

	patched := a.must(200, "PATCH", "/drivers/"+id, map[string]any{"name": "raw2", "allowExternalDelete": true,
		"payload": map[string]any{"path": "other/"}}).obj()
	if patched["name"] != "raw2" || patched["path"] != "other/" || patched["allowExternalDelete"] != true || patched["bucketName"] != "bucket-1" {
		t.Errorf("patched = %v", patched)
	}

	r := a.do("DELETE", "/orgs/"+DemoOrgID+"/integrations/"+iid, nil)
	if r.status != http.StatusConflict || !strings.Contains(r.message(), id) {
		t.Errorf("delete integration in use: %d %q", r.status, r.message())
	}

	other := newAPI(t, ts, OtherToken)
	other.must(404, "GET", "/drivers/"+id, nil)
	other.must(404, "DELETE", "/drivers/"+id, nil)
	other.must(403, "GET", "/drivers?projectId="+DemoProjectID, nil)
	if l := other.must(200, "GET", "/drivers", nil).list(); len(l) != 0 {
		t.Errorf("other sees drivers: %v", l)
	}

	a.must(204, "DELETE", "/drivers/"+id, nil)
	a.must(404, "GET", "/drivers/"+id, nil)
	a.must(404, "DELETE", "/drivers/"+id, nil)
	a.must(200, "DELETE", "/orgs/"+DemoOrgID+"/integrations/"+iid, nil)
	a.must(404, "GET", "/orgs/"+DemoOrgID+"/integrations/"+iid, nil)
}

func TestDriverValidation(t *testing.T) {
	t.Parallel()
	_, ts := startPlain(t, Options{})
	a := newAPI(t, ts, DemoToken)
	s3 := a.createIntegration("keys", "s3", map[string]any{"key": "k", "secret": "s"}).str("id")
	az := a.createIntegration("az", "azureblob", map[string]any{"key": "k", "secret": "s", "clientId": "c", "tenantId": "t"}).str("id")
	otherInteg := newAPI(t, ts, OtherToken).must(200, "POST", "/orgs/"+OtherOrgID+"/integrations",
		map[string]any{"name": "x", "type": "s3", "options": map[string]any{"key": "k", "secret": "s"}}).obj().str("id")

	with := func(f func(m map[string]any)) map[string]any {
		m := s3Driver("d", s3, map[string]any{"bucketName": "b", "region": "us-east-1"})
		f(m)
		return m
	}
	tests := []struct {
		name    string
		body    any
		status  int
		message string
	}{
		{"missing bucketName", with(func(m map[string]any) { m["payload"] = map[string]any{"region": "us-east-1"} }), 400, `"payload.bucketName": is required`},
		{"missing payload", with(func(m map[string]any) { delete(m, "payload") }), 400, `"payload": is required`},
		{"unknown payload field", with(func(m map[string]any) { m["payload"] = map[string]any{"bucketName": "b", "bucket": "b"} }), 400, `"payload.bucket": is not a field of a s3 driver`},
		{"bad endpoint", with(func(m map[string]any) { m["payload"] = map[string]any{"bucketName": "b", "endpoint": "minio:9000"} }), 400, `"payload.endpoint"`},
		{"missing project", with(func(m map[string]any) { m["metadata"] = map[string]any{"system": map[string]any{}} }), 400, `"metadata.system.projectId": is required`},
		{"missing metadata", with(func(m map[string]any) { delete(m, "metadata") }), 400, `"metadata": is required`},
		{"bad type", with(func(m map[string]any) { m["type"] = "ftp" }), 400, `"type": unsupported driver type`},
		{"unknown integration", with(func(m map[string]any) { m["integrationId"] = "nope" }), 400, `"integrationId": integration "nope" not found`},
		{"other org's integration", with(func(m map[string]any) { m["integrationId"] = otherInteg }), 400, `"integrationId"`},
		{"type mismatch", with(func(m map[string]any) { m["integrationType"] = "aws-sts" }), 400, `"integrationType"`},
		{"incompatible integration", with(func(m map[string]any) { m["integrationId"] = az; delete(m, "integrationType") }), 400, "which a s3 driver cannot use"},
		{"allowExternalDelete not bool", with(func(m map[string]any) { m["allowExternalDelete"] = "yes" }), 400, `"allowExternalDelete": must be a boolean`},
		{"other org's project", with(func(m map[string]any) {
			m["metadata"] = map[string]any{"system": map[string]any{"projectId": OtherProjectID}}
		}), 403, OtherProjectID},
		{"unknown project", with(func(m map[string]any) {
			m["metadata"] = map[string]any{"system": map[string]any{"projectId": "nope"}}
		}), 404, "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.t = t
			r := a.do("POST", "/drivers", tt.body)
			if r.status != tt.status || !strings.Contains(r.message(), tt.message) {
				t.Errorf("%d %q, want %d containing %s", r.status, r.message(), tt.status, tt.message)
			}
		})
	}

	a.t = t
	id := a.must(200, "POST", "/drivers", with(func(map[string]any) {})).obj().str("id")
	for body, msg := range map[string]string{
		`{"type":"gcs","payload":{}}`:       `"type": cannot be changed`,
		`{"name":"","payload":{}}`:          `"name": must not be empty`,
		`{"payload":{"bucketName":""}}`:     `"payload.bucketName": must not be empty`,
		`{"payload":{"containerName":"x"}}`: `"payload.containerName"`,
	} {
		if r := a.do("PATCH", "/drivers/"+id, body); r.status != 400 || !strings.Contains(r.message(), msg) {
			t.Errorf("PATCH %s: %d %q, want 400 containing %s", body, r.status, r.message(), msg)
		}
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "state.json")
	srv1, ts1 := startServer(t, Options{StateFile: file})
	a := newAPI(t, ts1, DemoToken)
	in := a.createIntegration("keys", "s3", map[string]any{"key": "AKIAPERSIST", "secret": "persisted-secret"})
	cross := a.createIntegration("cross", "aws-cross", map[string]any{})
	d := a.must(200, "POST", "/drivers", s3Driver("raw", in.str("id"), map[string]any{"bucketName": "b"})).obj()
	p := a.must(200, "POST", "/projects", map[string]any{"name": "p2"}).obj()
	ts1.Close()
	_ = srv1

	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("state file mode %v is readable by others", fi.Mode().Perm())
	}
	if matches, _ := filepath.Glob(filepath.Join(filepath.Dir(file), ".emulator-state-*")); len(matches) != 0 {
		t.Errorf("temp files left behind: %v", matches)
	}

	srv2, ts2 := startServer(t, Options{StateFile: file})
	b := newAPI(t, ts2, DemoToken)
	got := b.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+in.str("id"), nil).obj()
	if got["name"] != "keys" || got["createdAt"] != in["createdAt"] {
		t.Errorf("integration after restart = %v", got)
	}
	gotCross := b.must(200, "GET", "/orgs/"+DemoOrgID+"/integrations/"+cross.str("id"), nil).obj()
	a1 := metaValue(cross, "userArn")
	a2 := metaValue(gotCross, "userArn")
	if a1 == "" || a1 != a2 {
		t.Errorf("userArn %q after restart, was %q", a2, a1)
	}
	gotD := b.must(200, "GET", "/drivers/"+d.str("id"), nil).obj()
	if gotD["bucketName"] != "b" || gotD["createdAt"] != d["createdAt"] {
		t.Errorf("driver after restart = %v, was %v", gotD, d)
	}
	b.must(200, "GET", "/projects/"+p.str("id"), nil)
	if opts, _ := srv2.IntegrationOptions(in.str("id")); opts["secret"] != "persisted-secret" {
		t.Error("secret not persisted")
	}
	// Changes after the restart persist too.
	b.must(204, "DELETE", "/drivers/"+d.str("id"), nil)
	ts2.Close()
	_, ts3 := startServer(t, Options{StateFile: file})
	newAPI(t, ts3, DemoToken).must(404, "GET", "/drivers/"+d.str("id"), nil)
}

func TestSeedFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "seed.json")
	seed := `{"orgs":[{"id":"o1","name":"acme"}],"users":[{"id":"u1","token":"t1","email":"a@acme.test","orgs":["o1"]}],` +
		`"projects":[{"id":"p1","name":"proj","orgId":"o1"}]}`
	if err := os.WriteFile(file, []byte(seed), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSeedFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, ts := startServer(t, Options{Seed: s})
	a := newAPI(t, ts, "t1")
	if me := a.must(200, "GET", "/users/me", nil).obj(); me["email"] != "a@acme.test" {
		t.Errorf("me = %v", me)
	}
	a.must(200, "GET", "/projects/p1", nil)
	newAPI(t, ts, DemoToken).must(401, "GET", "/users/me", nil)

	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`{"users":[{"id":"u","token":"t","email":"e","orgs":["missing"]}]}`), 0o600)
	if _, err := LoadSeedFile(bad); err == nil || !strings.Contains(err.Error(), "unknown org") {
		t.Errorf("bad seed: %v", err)
	}
}

func TestDriverTestWithoutAWS(t *testing.T) {
	t.Parallel()
	_, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	iid := a.createIntegration("keys", "s3", map[string]any{"key": "k", "secret": "s"}).str("id")
	body := s3Driver("raw", iid, map[string]any{"bucketName": "b", "region": "us-east-1"})
	r := a.do("POST", "/drivers/test", body)
	if r.status != http.StatusFailedDependency || !strings.Contains(r.message(), "no AWS endpoint") {
		t.Errorf("POST /drivers/test: %d %s", r.status, r.raw)
	}
	id := a.must(200, "POST", "/drivers", body).obj().str("id")
	r = a.do("GET", "/drivers/"+id+"/test", nil)
	if r.status != http.StatusFailedDependency || !strings.Contains(r.message(), "no AWS endpoint") {
		t.Errorf("GET /drivers/{id}/test: %d %s", r.status, r.raw)
	}
	newAPI(t, ts, OtherToken).must(404, "GET", "/drivers/"+id+"/test", nil)

	// aws-cross without a bound role says so, even before AWS is needed.
	cross := a.createIntegration("cross", "aws-cross", map[string]any{}).str("id")
	body = s3Driver("x", cross, map[string]any{"bucketName": "b"})
	body["integrationType"] = "aws-cross"
	r = a.do("POST", "/drivers/test", body)
	if r.status != http.StatusFailedDependency || !strings.Contains(r.message(), "no role is bound") {
		t.Errorf("aws-cross test: %d %s", r.status, r.raw)
	}
}
