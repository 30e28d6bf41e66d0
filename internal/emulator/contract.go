package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecRelPath is where the repository keeps its copy of the platform's
// OpenAPI subset, relative to the module root.
const SpecRelPath = "testdata/openapi/dataloop-openapi-subset.json"

// Exclusion switches off one requirement of the spec that the real API does
// not have, at one place: in the request or response body of one
// operation, at one JSON pointer. Everything else at that place is still
// validated.
type Exclusion struct {
	// Operation is "METHOD /path" as written in the spec, e.g. "POST /drivers".
	// (The spec's operationIds are not unique, so they cannot name one.)
	Operation string
	// In is "request" or "response".
	In string
	// Pointer is the JSON pointer of the value in the body, e.g. "/payload".
	Pointer string
	// Required lists properties the spec requires at Pointer that the
	// exclusion does not require. When the value at Pointer is an anyOf,
	// each alternative is checked with these properties not required, and
	// the value must still match one of them.
	Required []string
	// SelectBy and Alternatives narrow an anyOf at Pointer to one
	// alternative: the value at the JSON pointer SelectBy picks the schema
	// named in Alternatives (a discriminator the spec leaves out). A value
	// not in Alternatives may match any alternative.
	SelectBy     string
	Alternatives map[string]string
	// Reason says why the spec is wrong there.
	Reason string
}

// Exclusions are the spec defects the contract check knows about. Keep the
// list short: each entry must name a requirement that no correct client or
// server can meet, and why.
var Exclusions = []Exclusion{
	{
		Operation: "POST /drivers",
		In:        "request",
		Pointer:   "/payload",
		Required: []string{"_id", "authz", "createdAt", "creator", "name", "type", "integrationId",
			"integrationType", "allowExternalDelete", "allowExternalModification"},
		SelectBy: "/type",
		Alternatives: map[string]string{
			"s3":        "#/components/schemas/S3DriverPayload",
			"gcs":       "#/components/schemas/GcsDriverPayload",
			"azureblob": "#/components/schemas/AzureBlobDriverPayload",
			// Data Lake Storage Gen2 drivers carry the same containerName payload.
			"azureDatalakeGen2": "#/components/schemas/AzureBlobDriverPayload",
		},
		Reason: "DriverPayload.payload is an anyOf of the server's stored driver documents " +
			"(S3DriverPayload, GcsDriverPayload, AzureBlobDriverPayload, FSDriverPayload). Their required " +
			"lists name fields the server generates (_id, authz, createdAt, allowExternalModification) and " +
			"fields a client sends at the top level of the body, where DriverPayload itself requires them " +
			"(name, type, creator, integrationId, integrationType, allowExternalDelete). The platform's own SDK " +
			"sends only the location (bucketName | bucket | containerName, region, path, storageClass, endpoint) " +
			"in payload. The payload is checked against the alternative of the driver's type, so the " +
			"location fields keep their types and a gcs payload still requires bucket.",
	},
}

// Extension is an answer the emulator gives that the spec does not
// document: an error body with fields beyond the platform's error shape,
// {"message": string}. The contract check reports such a body unless an
// Extension names its operation and status, and then checks it against
// Schema, so every addition to the platform's API is listed here.
type Extension struct {
	// Operation is "METHOD /path" as written in the spec.
	Operation string
	// Status is the undocumented error status the extension applies to.
	Status int
	// Schema describes the whole body.
	Schema *openapi3.Schema
	// Reason says what the real platform is known to send and why the
	// emulator adds to it.
	Reason string
}

// String names the extension for listings such as GET /__emulator/contract.
func (e Extension) String() string {
	return fmt.Sprintf("%s %d: %s", e.Operation, e.Status, e.Reason)
}

// testFailureReason is the reason of the /drivers/test extensions.
const testFailureReason = "the spec documents only 204 (access works); the real platform's failure answer is " +
	"undocumented and known only to carry a message. The emulator answers 424 with " +
	`{"message", "checks": [{"name", "success", "code", "message", "hint"}]}, the per-check results of its ` +
	"access checker (code is its accesscheck.Code); clients must fall back to the message when checks is absent."

// Extensions are the emulator's additions to the platform's API.
var Extensions = []Extension{
	{Operation: "POST /drivers/test", Status: http.StatusFailedDependency, Schema: testFailureSchema(), Reason: testFailureReason},
	{Operation: "GET /drivers/{id}/test", Status: http.StatusFailedDependency, Schema: testFailureSchema(), Reason: testFailureReason},
}

// testFailureSchema describes the emulator's 424 body of a failed access test.
func testFailureSchema() *openapi3.Schema {
	closed := openapi3.AdditionalProperties{Has: openapi3.Ptr(false)}
	check := openapi3.NewObjectSchema().
		WithProperty("name", openapi3.NewStringSchema()).
		WithProperty("success", openapi3.NewBoolSchema()).
		WithProperty("code", openapi3.NewStringSchema()).
		WithProperty("message", openapi3.NewStringSchema()).
		WithProperty("hint", openapi3.NewStringSchema())
	check.Required = []string{"name", "success", "message"}
	check.AdditionalProperties = closed
	body := openapi3.NewObjectSchema().
		WithProperty("message", openapi3.NewStringSchema()).
		WithProperty("checks", openapi3.NewArraySchema().WithItems(check))
	body.Required = []string{"message"}
	body.AdditionalProperties = closed
	return body
}

// Contract validates API traffic against the OpenAPI spec with kin-openapi.
// It is immutable and safe for concurrent use; one Contract can serve many
// emulators.
type Contract struct {
	doc        *openapi3.T
	router     routers.Router
	server     *url.URL
	exclusions []Exclusion
	extensions []Extension
}

// Extensions lists the emulator's additions to the API that this contract
// accepts (see Extension).
func (c *Contract) Extensions() []Extension { return append([]Extension(nil), c.extensions...) }

// WithoutExtensions returns a contract that accepts no emulator extension,
// for a strict emulator: every error body must be the platform's {"message"}.
func (c *Contract) WithoutExtensions() *Contract {
	cp := *c
	cp.extensions = nil
	return &cp
}

var (
	defaultContractOnce sync.Once
	defaultContract     *Contract
	errDefaultContract  error
)

// DefaultContract loads the repository's copy of the spec (SpecRelPath),
// found from this source file or, failing that, from the working directory
// upwards. It is loaded once per process.
func DefaultContract() (*Contract, error) {
	defaultContractOnce.Do(func() {
		path, err := findSpec()
		if err != nil {
			errDefaultContract = err
			return
		}
		defaultContract, errDefaultContract = LoadContract(path)
	})
	return defaultContract, errDefaultContract
}

func findSpec() (string, error) {
	var roots []string
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		roots = append(roots, filepath.Join(filepath.Dir(file), "..", ".."))
	}
	if wd, err := os.Getwd(); err == nil {
		for dir := wd; ; dir = filepath.Dir(dir) {
			roots = append(roots, dir)
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	for _, root := range roots {
		p := filepath.Join(root, filepath.FromSlash(SpecRelPath))
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("emulator: %s not found from the source tree or the working directory", SpecRelPath)
}

// LoadContract loads an OpenAPI spec for validation. The spec is not
// checked with kin-openapi's strict Validate, which rejects the published
// spec for defects that do not affect validating traffic (duplicate entries
// in APICommand.required and Context.required, a missing orgId parameter on
// GET /orgs/{orgId}/availableIntegrations, two operations sharing the id
// "Get integration", response examples that are request bodies). The
// contract test pins that list.
func LoadContract(path string) (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("emulator: load spec %s: %w", path, err)
	}
	return newContract(doc, Exclusions)
}

func newContract(doc *openapi3.T, exclusions []Exclusion) (*Contract, error) {
	if len(doc.Servers) == 0 {
		return nil, errors.New("emulator: spec has no servers")
	}
	server, err := url.Parse(doc.Servers[0].URL)
	if err != nil {
		return nil, fmt.Errorf("emulator: spec server URL: %w", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("emulator: build router: %w", err)
	}
	for _, e := range exclusions {
		method, path, _ := strings.Cut(e.Operation, " ")
		if doc.Paths.Value(path) == nil || doc.Paths.Value(path).GetOperation(method) == nil {
			return nil, fmt.Errorf("emulator: exclusion names unknown operation %q", e.Operation)
		}
		for _, ref := range e.Alternatives {
			if doc.Components.Schemas[strings.TrimPrefix(ref, "#/components/schemas/")] == nil {
				return nil, fmt.Errorf("emulator: exclusion for %q names unknown schema %q", e.Operation, ref)
			}
		}
	}
	for _, e := range Extensions {
		method, path, _ := strings.Cut(e.Operation, " ")
		if doc.Paths.Value(path) == nil || doc.Paths.Value(path).GetOperation(method) == nil {
			return nil, fmt.Errorf("emulator: extension names unknown operation %q", e.Operation)
		}
	}
	return &Contract{doc: doc, router: router, server: server, exclusions: exclusions, extensions: Extensions}, nil
}

// specRequest rewrites a request to the spec's server (the emulator plays
// gate.dataloop.ai), so that the router finds it wherever the emulator
// listens.
func (c *Contract) specRequest(r *http.Request, body []byte) *http.Request {
	r2 := r.Clone(context.Background())
	u := *c.server
	u.Path = r.URL.Path
	u.RawPath = r.URL.RawPath
	u.RawQuery = r.URL.RawQuery
	r2.URL = &u
	r2.Host = c.server.Host
	r2.RequestURI = ""
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	return r2
}

func (c *Contract) route(r *http.Request) (*routers.Route, map[string]string, string, error) {
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		return nil, nil, "", err
	}
	return route, params, route.Method + " " + route.Path, nil
}

// ValidateRequest checks a request against the spec and returns one line
// per violation. body is the request body, already read.
func (c *Contract) ValidateRequest(r *http.Request, body []byte) []string {
	r2 := c.specRequest(r, body)
	route, params, op, err := c.route(r2)
	if err != nil {
		return []string{fmt.Sprintf("request %s %s: no operation in the spec (%v)", r.Method, r.URL.Path, err)}
	}
	in := &openapi3filter.RequestValidationInput{
		Request: r2, PathParams: params, Route: route,
		Options: &openapi3filter.Options{MultiError: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	err = openapi3filter.ValidateRequest(context.Background(), in)
	return c.report("request", op, body, err)
}

// ValidateResponse checks a response to a request against the spec. A
// success status must be one the operation documents; an error status the
// spec does not document must carry the platform's {"message": ...} body.
func (c *Contract) ValidateResponse(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) []string {
	r2 := c.specRequest(r, reqBody)
	route, params, op, err := c.route(r2)
	if err != nil {
		return nil // Already reported for the request.
	}
	if status >= 400 && route.Operation.Responses.Status(status) == nil && route.Operation.Responses.Default() == nil {
		if msg := checkErrorBody(header, body); msg != "" {
			return []string{fmt.Sprintf("response %s %d: %s", op, status, msg)}
		}
		return c.checkExtension(op, status, body)
	}
	if route.Operation.Responses.Status(status) == nil && route.Operation.Responses.Default() == nil {
		return []string{fmt.Sprintf("response %s: status %d is not documented by the spec", op, status)}
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r2, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{MultiError: true, IncludeResponseStatus: true},
	}
	err = openapi3filter.ValidateResponse(context.Background(), in)
	return c.report("response", op, body, err)
}

// checkErrorBody checks the platform's error shape: a JSON object with a
// string message.
func checkErrorBody(header http.Header, body []byte) string {
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fmt.Sprintf("error body must be application/json, not %q", ct)
	}
	var e struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Message == nil {
		return `error body must be a JSON object with a string "message"`
	}
	return ""
}

// checkExtension checks an undocumented error body that has the platform's
// message: fields beyond it must be an Extension's, and match its schema.
func (c *Contract) checkExtension(op string, status int, body []byte) []string {
	var parsed any
	if err := json.Unmarshal(body, &parsed); err != nil {
		return nil // Already reported by checkErrorBody.
	}
	for _, e := range c.extensions {
		if e.Operation != op || e.Status != status {
			continue
		}
		err := e.Schema.VisitJSON(parsed, openapi3.MultiErrors())
		if err == nil {
			return nil
		}
		var issues []issue
		flatten(err, "body", &issues)
		var out []string
		for _, is := range issues {
			out = append(out, fmt.Sprintf("response %s %d (emulator extension): body %s: %s", op, status, nonEmpty(is.pointer, "/"), is.reason))
		}
		sort.Strings(out)
		return dedupe(out)
	}
	m, ok := parsed.(map[string]any)
	if !ok {
		return nil
	}
	var extra []string
	for k := range m {
		if k != "message" {
			extra = append(extra, k)
		}
	}
	if len(extra) == 0 {
		return nil
	}
	sort.Strings(extra)
	return []string{fmt.Sprintf("response %s %d: error body has fields %q beyond the platform's {\"message\"}; "+
		"an addition to the API must be listed in emulator.Extensions", op, status, extra)}
}

// issue is one validation failure, flattened out of kin-openapi's errors.
type issue struct {
	where   string // "body", "query parameter x", ...
	pointer string
	field   string
	reason  string
	schema  *openapi3.Schema
}

func (c *Contract) report(in, op string, body []byte, err error) []string {
	if err == nil {
		return nil
	}
	var issues []issue
	flatten(err, "", &issues)
	var parsed any
	parsedOK := json.Unmarshal(body, &parsed) == nil
	var out []string
	for _, is := range issues {
		if is.where == "body" && parsedOK {
			if excused, why := c.excused(in, op, is, parsed); excused {
				continue
			} else if why != "" {
				is.reason = why
			}
		}
		loc := is.where
		if is.pointer != "" {
			loc += " " + is.pointer
		}
		out = append(out, fmt.Sprintf("%s %s: %s: %s", in, op, loc, is.reason))
	}
	sort.Strings(out)
	return dedupe(out)
}

func flatten(err error, where string, out *[]issue) {
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, x := range e {
			flatten(x, where, out)
		}
	case *openapi3filter.RequestError:
		w := where
		switch {
		case e.Parameter != nil:
			w = e.Parameter.In + " parameter " + e.Parameter.Name
		case e.RequestBody != nil:
			w = "body"
		}
		if e.Err != nil {
			flatten(e.Err, w, out)
			return
		}
		*out = append(*out, issue{where: w, reason: e.Reason})
	case *openapi3filter.ResponseError:
		if e.Err != nil {
			w := "body"
			if strings.Contains(e.Reason, "header") {
				w = "header"
			}
			flatten(e.Err, w, out)
			return
		}
		*out = append(*out, issue{where: "response", reason: e.Reason})
	case *openapi3.SchemaError:
		p := e.JSONPointer()
		ptr := ""
		if len(p) > 0 {
			ptr = "/" + strings.Join(p, "/")
		}
		if where == "" {
			where = "body"
		}
		*out = append(*out, issue{where: where, pointer: ptr, field: e.SchemaField, reason: e.Reason, schema: e.Schema})
	case *openapi3filter.ParseError:
		*out = append(*out, issue{where: nonEmpty(where, "body"), reason: "cannot parse: " + e.Reason})
	default:
		var me openapi3.MultiError
		if errors.As(err, &me) {
			flatten(me, where, out)
			return
		}
		// Messages of other errors (content type, missing body, route) do
		// not include values.
		*out = append(*out, issue{where: nonEmpty(where, "request"), reason: err.Error()})
	}
}

// excused applies the exclusions to a body issue. It returns true when an
// exclusion covers the issue, or a sharper reason when an exclusion applies
// but the value still fails.
func (c *Contract) excused(in, op string, is issue, body any) (bool, string) {
	for _, ex := range c.exclusions {
		if ex.In != in || ex.Operation != op {
			continue
		}
		switch {
		case is.pointer == ex.Pointer && is.field == "anyOf" && is.schema != nil:
			value, ok := jsonPointerGet(body, ex.Pointer)
			if !ok {
				return false, ""
			}
			want := ""
			if sel, ok := jsonPointerGet(body, ex.SelectBy); ok && ex.SelectBy != "" {
				key, _ := sel.(string)
				want = ex.Alternatives[key]
			}
			var reasons []string
			for _, alt := range is.schema.AnyOf {
				if alt.Value == nil || (want != "" && alt.Ref != want) {
					continue
				}
				relaxed := *alt.Value
				relaxed.Required = without(alt.Value.Required, ex.Required)
				err := relaxed.VisitJSON(value, openapi3.MultiErrors())
				if err == nil {
					return true, ""
				}
				reasons = append(reasons, fmt.Sprintf("%s: %s", refName(alt.Ref), firstReason(err)))
			}
			return false, "matches no alternative of anyOf even without the server-side required fields (" +
				strings.Join(reasons, "; ") + ")"
		case is.field == "required" && strings.HasPrefix(is.pointer, ex.Pointer+"/"):
			prop := strings.TrimPrefix(is.pointer, ex.Pointer+"/")
			if contains(ex.Required, prop) {
				return true, ""
			}
		}
	}
	return false, ""
}

func firstReason(err error) string {
	var issues []issue
	flatten(err, "body", &issues)
	if len(issues) == 0 {
		return err.Error()
	}
	is := issues[0]
	if is.pointer != "" {
		return is.pointer + " " + is.reason
	}
	return is.reason
}

func refName(ref string) string {
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		return ref[i+1:]
	}
	if ref == "" {
		return "inline schema"
	}
	return ref
}

func jsonPointerGet(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[tok]; !ok {
			return nil, false
		}
	}
	return v, true
}

func without(list, remove []string) []string {
	var out []string
	for _, s := range list {
		if !contains(remove, s) {
			out = append(out, s)
		}
	}
	return out
}

func dedupe(sorted []string) []string {
	out := sorted[:0]
	for i, s := range sorted {
		if i == 0 || s != sorted[i-1] {
			out = append(out, s)
		}
	}
	return out
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
