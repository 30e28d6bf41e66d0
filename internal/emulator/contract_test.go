package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// implementedRoutes are the spec operations the emulator serves.
var implementedRoutes = []string{
	"GET /users/me",
	"GET /orgs",
	"GET /orgs/{orgId}",
	"GET /projects",
	"POST /projects",
	"GET /projects/{projectId}",
	"DELETE /projects/{projectId}",
	"GET /orgs/{orgId}/integrations",
	"POST /orgs/{orgId}/integrations",
	"PATCH /orgs/{orgId}/integrations",
	"GET /orgs/{orgId}/integrations/{integrationId}",
	"DELETE /orgs/{orgId}/integrations/{integrationId}",
	"GET /integrations/{integrationId}",
	"GET /drivers",
	"POST /drivers",
	"GET /drivers/byIntegration/{integrationId}",
	"POST /drivers/test",
	"GET /drivers/{id}",
	"PATCH /drivers/{id}",
	"DELETE /drivers/{id}",
	"GET /drivers/{id}/test",
}

// TestContractAllRoutes drives every route with valid traffic, success and
// error answers, through a server whose contract check fails the test on
// any violation (see startServer).
func TestContractAllRoutes(t *testing.T) {
	t.Parallel()
	srv, ts := startServer(t, Options{})
	a := newAPI(t, ts, DemoToken)
	org := "/orgs/" + DemoOrgID

	a.must(200, "GET", "/users/me", nil)
	a.must(200, "GET", "/orgs", nil)
	a.must(200, "GET", org, nil)
	a.must(403, "GET", "/orgs/"+OtherOrgID, nil)
	a.must(200, "GET", "/projects", nil)
	a.must(200, "GET", "/projects?excludeContributors=true", nil)
	pid := a.must(200, "POST", "/projects", map[string]any{"name": "contract"}).obj().str("id")
	a.must(200, "GET", "/projects/"+pid, nil)
	a.must(204, "DELETE", "/projects/"+pid, nil)
	a.must(404, "GET", "/projects/"+pid, nil)

	ids := map[string]string{}
	for typ, opts := range map[string]map[string]any{
		"s3":        {"key": "AKIA1", "secret": "s"},
		"aws-sts":   {"key": "AKIA1", "secret": "s", "roleArns": "arn:aws:iam::123456789012:role/r"},
		"aws-cross": {},
		"gcs":       {"key": "", "secret": "", "content": serviceAccountJSON},
		"gcp-cross": {},
		"azureblob": {"key": "acct", "secret": "s", "clientId": "c", "tenantId": "t"},
	} {
		ids[typ] = a.must(200, "POST", org+"/integrations", map[string]any{"name": typ, "type": typ, "options": opts,
			"metadata": map[string]any{"provider": "aws"}}).obj().str("id")
	}
	a.must(200, "POST", org+"/integrations", map[string]any{"name": "null-meta", "type": "s3",
		"options": map[string]any{"key": "k", "secret": "s"}, "metadata": nil})
	a.must(400, "POST", org+"/integrations", map[string]any{"name": "x", "type": "s3", "options": map[string]any{}})
	a.must(200, "GET", org+"/integrations", nil)
	a.must(200, "GET", org+"/integrations/"+ids["s3"], nil)
	a.must(404, "GET", org+"/integrations/000000000000000000000000", nil)
	a.must(200, "GET", "/integrations/"+ids["gcs"], nil)
	a.must(200, "PATCH", org+"/integrations", map[string]any{"integrationId": ids["aws-cross"],
		"credentials": map[string]any{"type": "aws-cross", "options": map[string]any{"roleArn": "arn:aws:iam::123456789012:role/x"}}})
	a.must(200, "PATCH", org+"/integrations", map[string]any{"integrationId": ids["gcp-cross"],
		"credentials": map[string]any{"type": "gcp-cross", "options": map[string]any{"email": "dataloop-sa@acme-proj.iam.gserviceaccount.com", "resourceName": "projects/acme-proj/serviceAccounts/dataloop-sa@acme-proj.iam.gserviceaccount.com"}}})
	a.must(200, "PATCH", org+"/integrations", map[string]any{"integrationId": ids["s3"], "name": "renamed",
		"metadata": []any{map[string]any{"name": "team", "value": "data"}}})

	create := func(typ, name, integ string, payload map[string]any) string {
		body := map[string]any{"name": name, "type": typ, "integrationId": ids[integ], "integrationType": integ,
			"creator": DemoUserEmail, "allowExternalDelete": true,
			"metadata": map[string]any{"system": map[string]any{"projectId": DemoProjectID}}, "payload": payload}
		return a.must(200, "POST", "/drivers", body).obj().str("id")
	}
	s3 := create("s3", "s3", "s3", map[string]any{"bucketName": "b", "region": "us-east-1", "path": "p/", "storageClass": "STANDARD", "endpoint": "http://127.0.0.1:9000"})
	create("s3", "cross", "aws-cross", map[string]any{"bucketName": "b", "region": "us-east-1"})
	create("gcs", "gcs", "gcs", map[string]any{"bucket": "b", "path": "p/"})
	create("azureblob", "azure", "azureblob", map[string]any{"containerName": "c"})
	a.must(200, "GET", "/drivers", nil)
	a.must(200, "GET", "/drivers?projectId="+DemoProjectID, nil)
	a.must(200, "GET", "/drivers?integrationId="+ids["s3"], nil)
	a.must(200, "GET", "/drivers/byIntegration/"+ids["s3"], nil)
	a.must(200, "GET", "/drivers/"+s3, nil)
	a.must(200, "PATCH", "/drivers/"+s3, map[string]any{"name": "s3-renamed", "payload": map[string]any{"path": "q/"}})
	a.must(424, "GET", "/drivers/"+s3+"/test", nil)
	a.must(424, "POST", "/drivers/test", map[string]any{"name": "t", "type": "s3", "integrationId": ids["s3"],
		"creator": DemoUserEmail, "metadata": map[string]any{"system": map[string]any{"projectId": DemoProjectID}},
		"payload": map[string]any{"bucketName": "b"}})
	a.must(409, "DELETE", org+"/integrations/"+ids["s3"], nil)
	a.must(204, "DELETE", "/drivers/"+s3, nil)
	a.must(404, "GET", "/drivers/"+s3, nil)
	a.must(200, "DELETE", org+"/integrations/"+ids["s3"], nil)
	newAPI(t, ts, "bad").must(401, "GET", "/users/me", nil)

	var missing []string
	stats := srv.Stats()
	for _, r := range implementedRoutes {
		if stats[r] == 0 {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Errorf("routes not exercised: %v", missing)
	}
	var extra []string
	for r := range stats {
		if !contains(implementedRoutes, r) {
			extra = append(extra, r)
		}
	}
	sort.Strings(extra)
	if len(extra) > 0 {
		t.Errorf("routes served but not listed as implemented: %v", extra)
	}
}

// TestContractReportsBadRequests shows the check can fail: requests that
// break the spec are recorded, whether or not the emulator accepts them.
func TestContractReportsBadRequests(t *testing.T) {
	t.Parallel()
	c, err := DefaultContract()
	if err != nil {
		t.Fatal(err)
	}
	srv, ts := startPlain(t, Options{Contract: c})
	a := newAPI(t, ts, DemoToken)
	iid := a.createIntegration("x", "s3", map[string]any{"key": "k", "secret": "s"}).str("id")
	did := a.must(200, "POST", "/drivers", s3Driver("d", iid, map[string]any{"bucketName": "b"})).obj().str("id")
	if v := srv.ContractViolations(); len(v) != 0 {
		t.Fatalf("valid traffic reported: %v", v)
	}

	tests := []struct {
		name, method, path string
		body               any
		want               string
	}{
		{"type not in enum", "POST", "/orgs/" + DemoOrgID + "/integrations",
			map[string]any{"name": "x", "type": "ftp", "options": map[string]any{}}, "request POST /orgs/{orgId}/integrations: body /type"},
		{"missing options", "POST", "/orgs/" + DemoOrgID + "/integrations",
			map[string]any{"name": "x", "type": "s3"}, "body /options"},
		{"patch without payload (the emulator accepts it)", "PATCH", "/drivers/" + did,
			map[string]any{"name": "n"}, "request PATCH /drivers/{id}: body /payload"},
		{"payload field of the wrong type", "POST", "/drivers",
			s3Driver("d2", iid, map[string]any{"bucketName": 5}), "request POST /drivers: body /payload"},
		{"credentials without type", "PATCH", "/orgs/" + DemoOrgID + "/integrations",
			map[string]any{"integrationId": iid, "credentials": map[string]any{"options": map[string]any{}}}, "body /credentials/type"},
		{"unknown route", "GET", "/drivers/" + did + "/nope", nil, "no operation in the spec"},
	}
	for _, tt := range tests {
		before := len(srv.ContractViolations())
		a.do(tt.method, tt.path, tt.body)
		got := srv.ContractViolations()[before:]
		if len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), tt.want) {
			t.Errorf("%s: violations %q, want one containing %q", tt.name, got, tt.want)
		}
	}

	// A JSON body sent without its content type.
	before := len(srv.ContractViolations())
	req, _ := http.NewRequest("POST", ts.URL+BasePath+"/projects", strings.NewReader(`{"name":"ct"}`))
	req.Header.Set("Authorization", "Bearer "+DemoToken)
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
	}
	if got := srv.ContractViolations()[before:]; len(got) == 0 {
		t.Error("missing Content-Type not reported")
	}
	for _, v := range srv.ContractViolations() {
		if strings.Contains(v, `"s"`) {
			t.Errorf("violation repeats a request value: %s", v)
		}
	}
}

// TestContractReportsBadResponses feeds responses that break the spec to
// the validator, as a broken server would send them.
func TestContractReportsBadResponses(t *testing.T) {
	t.Parallel()
	c, err := DefaultContract()
	if err != nil {
		t.Fatal(err)
	}
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	goodIntegration := `{"id":"i","name":"n","type":"s3","org":"o","creator":"c","metadata":[],"createdAt":1,"updatedAt":1}`
	goodDriver := `{"id":"d","name":"n","type":"s3","creator":"c","createdAt":"2026-01-02T03:04:05.000Z","isSyncable":false}`
	tests := []struct {
		name, method, path string
		status             int
		header             http.Header
		body               string
		want               string // "" means valid
	}{
		{"valid integration", "GET", "/orgs/o/integrations/i", 200, jsonHeader, goodIntegration, ""},
		{"integration without org", "GET", "/orgs/o/integrations/i", 200, jsonHeader,
			strings.Replace(goodIntegration, `"org":"o",`, "", 1), `property "org" is missing`},
		{"createdAt as a string", "GET", "/orgs/o/integrations/i", 200, jsonHeader,
			strings.Replace(goodIntegration, `"createdAt":1`, `"createdAt":"1"`, 1), "body /createdAt"},
		{"metadata entry without value", "GET", "/orgs/o/integrations/i", 200, jsonHeader,
			strings.Replace(goodIntegration, `"metadata":[]`, `"metadata":[{"id":"m","name":"userArn","integration":"i","createdAt":1,"updatedAt":1}]`, 1), "body /metadata/0"},
		{"valid driver", "GET", "/drivers/d", 200, jsonHeader, goodDriver, ""},
		{"driver createdAt not a date-time", "GET", "/drivers/d", 200, jsonHeader,
			strings.Replace(goodDriver, `2026-01-02T03:04:05.000Z`, `yesterday`, 1), "body /createdAt"},
		{"driver type not in enum", "GET", "/drivers/d", 200, jsonHeader,
			strings.Replace(goodDriver, `"type":"s3"`, `"type":"ftp"`, 1), "body /type"},
		{"byIntegration list instead of a number", "GET", "/drivers/byIntegration/i", 200, jsonHeader, `[]`, "body"},
		{"undocumented success status", "POST", "/drivers/test", 200, jsonHeader, `{}`, "status 200"},
		{"error without message", "GET", "/drivers/d", 404, jsonHeader, `{"error":"x"}`, `"message"`},
		{"error not JSON", "GET", "/drivers/d", 500, http.Header{"Content-Type": {"text/plain"}}, `boom`, "application/json"},
		{"valid error", "GET", "/drivers/d", 404, jsonHeader, `{"message":"not found"}`, ""},
		{"valid 204", "DELETE", "/drivers/d", 204, http.Header{}, ``, ""},
		{"test failure extension", "POST", "/drivers/test", 424, jsonHeader,
			`{"message":"m","checks":[{"name":"write","success":false,"message":"denied","hint":"{}"},{"name":"list","success":true,"message":"ok"}]}`, ""},
		{"test failure without checks", "GET", "/drivers/d/test", 424, jsonHeader, `{"message":"m"}`, ""},
		{"test failure check of the wrong shape", "GET", "/drivers/d/test", 424, jsonHeader,
			`{"message":"m","checks":[{"name":"write","success":"no","message":"denied"}]}`, "(emulator extension): body /checks/0/success"},
		{"test failure field not in the extension", "POST", "/drivers/test", 424, jsonHeader,
			`{"message":"m","checks":[],"hint":"h"}`, "(emulator extension)"},
		{"extension used at another status", "POST", "/drivers/test", 400, jsonHeader,
			`{"message":"m","checks":[]}`, `fields ["checks"] beyond the platform's`},
		{"error field no extension lists", "GET", "/drivers/d", 404, jsonHeader,
			`{"message":"m","statusCode":404}`, `fields ["statusCode"] beyond the platform's`},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, "http://127.0.0.1:1"+BasePath+tt.path, nil)
		got := c.ValidateResponse(r, nil, tt.status, tt.header, []byte(tt.body))
		switch {
		case tt.want == "" && len(got) > 0:
			t.Errorf("%s: unexpected violations %q", tt.name, got)
		case tt.want != "" && !strings.Contains(strings.Join(got, "\n"), tt.want):
			t.Errorf("%s: violations %q, want one containing %q", tt.name, got, tt.want)
		}
	}
}

// TestContractListsExtensions: the 424 body of a failed access test is an
// addition to the platform's API; the contract accepts it only because
// Extensions names it, and GET /__emulator/contract lists it.
func TestContractListsExtensions(t *testing.T) {
	t.Parallel()
	c, err := DefaultContract()
	if err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, e := range c.Extensions() {
		listed = append(listed, fmt.Sprintf("%s %d", e.Operation, e.Status))
	}
	sort.Strings(listed)
	if want := []string{"GET /drivers/{id}/test 424", "POST /drivers/test 424"}; strings.Join(listed, ",") != strings.Join(want, ",") {
		t.Errorf("extensions %q, want %q", listed, want)
	}

	// Without the extension the emulator's answer is reported.
	strict := *c
	strict.extensions = nil
	body := `{"message":"m","checks":[{"name":"write","success":false,"message":"denied"}]}`
	r := httptest.NewRequest("POST", "http://127.0.0.1:1"+BasePath+"/drivers/test", nil)
	if got := strict.ValidateResponse(r, nil, 424, http.Header{"Content-Type": {"application/json"}}, []byte(body)); len(got) == 0 {
		t.Error("without Extensions a 424 with checks passes; the extension would be accepted silently")
	}

	_, ts := startServer(t, Options{})
	res, err := http.Get(ts.URL + "/__emulator/contract")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var report struct {
		Enabled    bool     `json:"enabled"`
		Extensions []string `json:"extensions"`
	}
	if err := json.NewDecoder(res.Body).Decode(&report); err != nil {
		t.Fatal(err)
	}
	if !report.Enabled || len(report.Extensions) != 2 || !strings.Contains(report.Extensions[0], "424") {
		t.Errorf("GET /__emulator/contract = %+v, want the two 424 extensions", report)
	}
}

// TestContractExclusionIsNarrow checks that the payload exclusion excuses
// only the server-side required fields, not the payload as a whole.
func TestContractExclusionIsNarrow(t *testing.T) {
	t.Parallel()
	c, err := DefaultContract()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		typ     string
		payload any
		ok      bool
	}{
		{"s3 location", "s3", map[string]any{"bucketName": "b", "region": "us-east-1", "path": "p/"}, true},
		{"gcs location", "gcs", map[string]any{"bucket": "b"}, true},
		{"azure location", "azureblob", map[string]any{"containerName": "c", "path": "p/"}, true},
		{"bucketName not a string", "s3", map[string]any{"bucketName": 5}, false},
		{"path not a string", "s3", map[string]any{"bucketName": "b", "path": true}, false},
		{"gcs without bucket", "gcs", map[string]any{"path": "p/"}, false},
		{"payload not an object", "s3", "bucket", false},
	}
	for _, tt := range tests {
		body := marshalT(t, map[string]any{"name": "d", "type": tt.typ, "creator": "c", "integrationId": "i",
			"metadata": map[string]any{"system": map[string]any{"projectId": "p"}}, "payload": tt.payload})
		r := httptest.NewRequest("POST", "http://127.0.0.1:1"+BasePath+"/drivers", strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "application/json")
		got := c.ValidateRequest(r, body)
		if tt.ok != (len(got) == 0) {
			t.Errorf("%s: violations %q, want ok=%v", tt.name, got, tt.ok)
		}
	}
	// Without the exclusion the valid payload is reported: the exclusion
	// is needed, not decorative.
	strict, err := newContract(c.doc, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := marshalT(t, s3Driver("d", "i", map[string]any{"bucketName": "b"}))
	r := httptest.NewRequest("POST", "http://127.0.0.1:1"+BasePath+"/drivers", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/json")
	if got := strict.ValidateRequest(r, body); len(got) == 0 {
		t.Error("without exclusions a client payload passes; the exclusion list may be stale")
	}
}

// TestSpecDefects pins the defects of the published spec that the loader
// tolerates: strict validation fails on them, and only on them.
func TestSpecDefects(t *testing.T) {
	t.Parallel()
	path, err := findSpec()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = doc.Validate(ctx)
	if err == nil || !strings.Contains(err.Error(), `schema "APICommand": duplicate field "id" in required`) {
		t.Fatalf("strict validation: %v, want the APICommand defect", err)
	}
	// Repair the known defects in memory (never in the file) and validate
	// again: anything left is a new defect to understand.
	for _, name := range []string{"APICommand", "Context"} {
		s := doc.Components.Schemas[name].Value
		var req []string
		for _, r := range s.Required {
			if !contains(req, r) {
				req = append(req, r)
			}
		}
		if len(req) == len(s.Required) {
			t.Errorf("%s.required has no duplicates any more", name)
		}
		s.Required = req
	}
	avail := doc.Paths.Value("/orgs/{orgId}/availableIntegrations").Get
	if len(avail.Parameters) != 0 {
		t.Error("availableIntegrations declares parameters now")
	}
	avail.Parameters = openapi3.Parameters{{Value: openapi3.NewPathParameter("orgId").WithSchema(openapi3.NewStringSchema())}}
	byID := doc.Paths.Value("/integrations/{integrationId}").Get
	if byID.OperationID != doc.Paths.Value("/orgs/{orgId}/integrations/{integrationId}").Get.OperationID {
		t.Error("the two get-integration operations have distinct ids now")
	}
	byID.OperationID += " by id"
	if err := doc.Validate(ctx, openapi3.DisableExamplesValidation()); err != nil {
		t.Errorf("spec has a defect beyond the known ones: %v", err)
	}
	if err := doc.Validate(ctx); err == nil || !strings.Contains(err.Error(), "example") {
		t.Errorf("response examples are valid now (%v); drop DisableExamplesValidation here", err)
	}

}
