package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/rules"
)

// Integration types the emulator implements.
const (
	typeS3        = "s3"
	typeAWSSTS    = "aws-sts"
	typeAWSCross  = "aws-cross"
	typeGCS       = "gcs"
	typeGCPCross  = "gcp-cross"
	typeAzureBlob = "azureblob"
)

// Metadata names the platform manages itself. userArn and status are
// documented by Dataloop (its AWS S3 tutorial reads them); the roleArn echo
// is the emulator's own and is left out in strict mode.
const (
	metaUserARN      = "userArn"
	metaStatus       = "status"
	metaRoleARN      = "roleArn"
	metaEmail        = "email"
	metaResourceName = "resourceName"
)

// Values of the status entry of role-based integrations. Only
// "trust-established" is documented; the others are the emulator's choice
// (clients treat any other value as "not yet").
const (
	statusPending          = "pending"
	statusTrustEstablished = "trust-established"
	statusTrustFailed      = "trust-failed"
)

// legacyTrustEntry is the metadata name older emulator state files used
// for trust; loadState turns it into a status entry.
const legacyTrustEntry = "trust-established"

// Per-org limits of the platform.
var integrationLimits = map[string]int{typeAWSCross: 15, typeGCPCross: 3}

var supportedIntegrationTypes = []string{typeS3, typeAWSSTS, typeAWSCross, typeGCS, typeGCPCross, typeAzureBlob}

// optionSpec describes the options of an integration type: required
// non-empty strings, optional strings and an extra check. Keys outside the
// spec are rejected, so a typo is a 400 rather than a silently ignored
// credential.
type optionSpec struct {
	required []string
	optional []string
	check    func(opts map[string]any) error
}

// createSpecs are the options accepted by POST /orgs/{orgId}/integrations
// (and, merged with the stored ones, by a PATCH of credentials).
var createSpecs = map[string]optionSpec{
	typeS3:        {required: []string{"key", "secret"}},
	typeAWSSTS:    {required: []string{"key", "secret"}, optional: []string{"roleArns"}, check: checkRoleARNs},
	typeAWSCross:  {},
	typeGCS:       {required: []string{"content"}, optional: []string{"key", "secret"}, check: checkServiceAccount},
	typeGCPCross:  {},
	typeAzureBlob: {required: []string{"key", "secret", "clientId", "tenantId"}},
}

// bindSpecs are the credentials of the cross-account types, accepted only
// by PATCH (the trust is set up after the platform identity exists).
var bindSpecs = map[string]optionSpec{
	typeAWSCross: {optional: []string{"roleArn", "roleArns"}, check: checkRoleARN},
	typeGCPCross: {required: []string{"email", "resourceName"}, check: checkGCPBinding},
}

func validateOptions(spec optionSpec, typ string, opts map[string]any) error {
	allowed := map[string]bool{}
	for _, k := range spec.required {
		allowed[k] = true
		if _, err := requiredStringAt(opts, "options", k); err != nil {
			return fmt.Errorf("%w (integration type %s)", err, typ)
		}
	}
	for _, k := range spec.optional {
		allowed[k] = true
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] {
			if len(allowed) == 0 {
				return fieldErr("options."+k, "is not an option of integration type %s, whose options must be empty at create", typ)
			}
			return fieldErr("options."+k, "is not an option of integration type %s (allowed: %s)", typ, strings.Join(sortedKeys(allowed), ", "))
		}
	}
	for _, k := range spec.optional {
		if k == "roleArns" {
			continue // Checked by checkRoleARNs or checkRoleARN, which also accept a list.
		}
		if _, _, err := optionalString(opts, "options", k); err != nil {
			return err
		}
	}
	if spec.check != nil {
		return spec.check(opts)
	}
	return nil
}

// checkRoleARNs accepts roleArns as one ARN, a comma-separated string or a
// list of ARNs (the platform's SDK documents a string).
func checkRoleARNs(opts map[string]any) error {
	v, ok := opts["roleArns"]
	if !ok || v == nil {
		return fieldErr("options.roleArns", "is required (integration type aws-sts)")
	}
	arns, err := roleARNList(v)
	if err != nil {
		return err
	}
	if len(arns) == 0 {
		return fieldErr("options.roleArns", "must name at least one role ARN")
	}
	for _, a := range arns {
		if !isRoleARN(a) {
			return fieldErr("options.roleArns", "%q is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)", a)
		}
	}
	return nil
}

func roleARNList(v any) ([]string, error) {
	var out []string
	switch t := v.(type) {
	case string:
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	case []any:
		for i, e := range t {
			s, ok := e.(string)
			if !ok {
				return nil, fieldErr(fmt.Sprintf("options.roleArns[%d]", i), "must be a string")
			}
			out = append(out, strings.TrimSpace(s))
		}
	default:
		return nil, fieldErr("options.roleArns", "must be a string or a list of strings")
	}
	return out, nil
}

// crossRoleOption normalizes the role of an aws-cross binding: the SDK
// documents roleArn, and clients that treat aws-cross like aws-sts send
// roleArns (one ARN, as a string or a one-element list); both are accepted.
func crossRoleOption(opts map[string]any) error {
	v, ok := opts["roleArns"]
	if !ok {
		return nil
	}
	if _, both := opts["roleArn"]; both {
		return fieldErr("options.roleArns", "cannot be sent together with options.roleArn")
	}
	arns, err := roleARNList(v)
	if err != nil {
		return err
	}
	if len(arns) > 1 {
		return fieldErr("options.roleArns", "an aws-cross integration binds one role, not %d", len(arns))
	}
	delete(opts, "roleArns")
	opts["roleArn"] = ""
	if len(arns) == 1 {
		opts["roleArn"] = arns[0]
	}
	return nil
}

func checkRoleARN(opts map[string]any) error {
	if err := crossRoleOption(opts); err != nil {
		return err
	}
	v, ok := opts["roleArn"]
	if !ok {
		return fieldErr("options.roleArn", "is required to bind a role (integration type aws-cross)")
	}
	s, ok := v.(string)
	if !ok {
		return fieldErr("options.roleArn", "must be a string")
	}
	if s != "" && !isRoleARN(s) {
		return fieldErr("options.roleArn", "%q is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)", s)
	}
	return nil
}

// isRoleARN applies the provider's own role ARN rule (internal/rules), so
// the emulator never accepts a role the provider would reject, nor the
// reverse.
func isRoleARN(s string) bool {
	_, err := rules.ParseIAMRoleARN(s)
	return err == nil
}

// checkServiceAccount requires options.content to be a GCP service account
// key. The message never repeats the content, which holds a private key.
func checkServiceAccount(opts map[string]any) error {
	content, _ := opts["content"].(string)
	var sa map[string]any
	if err := json.Unmarshal([]byte(content), &sa); err != nil {
		return fieldErr("options.content", "must be a service account key in JSON (the file GCP downloads), but is not valid JSON")
	}
	if t, _ := sa["type"].(string); t != "service_account" {
		return fieldErr("options.content", `must be a service account key: "type" must be "service_account"`)
	}
	for _, k := range []string{"client_email", "private_key"} {
		if v, _ := sa[k].(string); v == "" {
			return fieldErr("options.content", "must be a service account key: %q is missing", k)
		}
	}
	if pk, _ := sa["private_key"].(string); !strings.Contains(pk, "PRIVATE KEY") {
		return fieldErr("options.content", `must be a service account key: "private_key" is not a PEM private key`)
	}
	return nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// integrationJSON is an integration as the API returns it. In strict mode
// the metadata holds only what Dataloop documents: the roleArn echo, the
// gcp-cross serviceAccount entry and the gcp-cross status (Dataloop
// documents status for AWS cross-account only) are left out.
func (s *Server) integrationJSON(in *integration) map[string]any {
	meta := make([]map[string]any, 0, len(in.Metadata))
	for _, m := range in.Metadata {
		if s.opts.Strict && (m.Name == metaRoleARN || m.Name == metaServiceAccount ||
			in.Type == typeGCPCross && m.Name == metaStatus) {
			continue
		}
		meta = append(meta, map[string]any{
			"id":          m.ID,
			"name":        m.Name,
			"value":       m.Value,
			"integration": in.ID,
			"createdAt":   m.CreatedAt,
			"updatedAt":   m.UpdatedAt,
		})
	}
	return map[string]any{
		"id":        in.ID,
		"name":      in.Name,
		"type":      in.Type,
		"org":       in.OrgID,
		"creator":   in.Creator,
		"metadata":  meta,
		"createdAt": in.CreatedAt,
		"updatedAt": in.UpdatedAt,
	}
}

func sortedIntegrations(st *state, orgID string) []*integration {
	var out []*integration
	for _, in := range st.Integrations {
		if in.OrgID == orgID {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedAt != out[j].CreatedAt {
			return out[i].CreatedAt < out[j].CreatedAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (s *Server) listIntegrations(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgForUser(w, u, r.PathValue("orgId"))
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, in := range sortedIntegrations(s.st, o.ID) {
		out = append(out, s.integrationJSON(in))
	}
	writeJSON(w, http.StatusOK, out)
}

// integrationInOrg resolves an integration of an org the user is in; an
// integration of another org is reported as not found. Callers hold s.mu.
func (s *Server) integrationInOrg(w http.ResponseWriter, u *user, orgID, id string) (*integration, bool) {
	o, ok := s.orgForUser(w, u, orgID)
	if !ok {
		return nil, false
	}
	in, ok := s.st.Integrations[id]
	if !ok || in.OrgID != o.ID {
		writeError(w, http.StatusNotFound, "integration %q not found in org %q", id, o.ID)
		return nil, false
	}
	return in, true
}

func (s *Server) getIntegration(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.integrationInOrg(w, u, r.PathValue("orgId"), r.PathValue("integrationId"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.integrationJSON(in))
}

func (s *Server) getIntegrationByID(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("integrationId")
	in, ok := s.st.Integrations[id]
	if !ok || !contains(u.Orgs, in.OrgID) {
		writeError(w, http.StatusNotFound, "integration %q not found", id)
		return
	}
	writeJSON(w, http.StatusOK, s.integrationJSON(in))
}

func (s *Server) createIntegration(w http.ResponseWriter, r *http.Request, u *user) {
	orgID := r.PathValue("orgId")
	s.mu.Lock()
	_, ok := s.orgForUser(w, u, orgID)
	s.mu.Unlock()
	if !ok {
		return
	}
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	name, err := requiredString(body, "name")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	typ, err := requiredString(body, "type")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	spec, ok := createSpecs[typ]
	if !ok {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("type", "unsupported integration type %q (supported: %s)", typ, strings.Join(supportedIntegrationTypes, ", ")))
		return
	}
	rawOpts, ok := body["options"]
	if !ok || rawOpts == nil {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("options", "is required (use {} for type %s)", typ))
		return
	}
	opts, ok := rawOpts.(map[string]any)
	if !ok {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("options", "must be an object"))
		return
	}
	if err := validateOptions(spec, typ, opts); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	userMeta, _, err := optionalObject(body, "", "metadata")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}

	s.mu.Lock()
	err = s.checkLimit(orgID, typ)
	s.mu.Unlock()
	if err != nil {
		writeError(w, http.StatusConflict, "%v", err)
		return
	}

	now := nowMillis()
	in := &integration{ID: newID(), Name: name, Type: typ, OrgID: orgID, Creator: u.Email,
		CreatedAt: now, UpdatedAt: now, Options: cloneOptions(opts)}
	keys := make([]string, 0, len(userMeta))
	for k := range userMeta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v, ok := userMeta[k].(string); ok {
			in.setMeta(k, v, now)
		}
	}
	switch typ {
	case typeAWSCross:
		key, err := s.platformUser(r.Context(), in.ID)
		if err != nil {
			s.logf("create platform IAM user for integration %s: %v", in.ID, err)
			writeError(w, http.StatusBadGateway, "could not create the platform IAM user for the aws-cross integration: %v", err)
			return
		}
		in.Platform = key
		in.setMeta(metaUserARN, key.UserARN, now)
		in.setMeta(metaStatus, statusPending, now)
	case typeAWSSTS:
		in.setMeta(metaRoleARN, boundRoleARN(in), now)
		in.setMeta(metaStatus, statusPending, now)
	case typeGCPCross:
		in.setMeta(metaServiceAccount, s.platformServiceAccount(), now)
		in.setMeta(metaStatus, statusPending, now)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkLimit(orgID, typ); err != nil {
		// Lost a race with a concurrent create; undo the IAM user.
		s.deletePlatformUserAsync(in.Platform)
		writeError(w, http.StatusConflict, "%v", err)
		return
	}
	s.st.Integrations[in.ID] = in
	if !s.commitOrUndo(w, r, change{kindIntegrations, in.ID}, func() {
		delete(s.st.Integrations, in.ID)
		s.deletePlatformUserAsync(in.Platform)
	}) {
		return
	}
	writeJSON(w, http.StatusOK, s.integrationJSON(in))
}

// checkLimit enforces the per-org limits. Callers hold s.mu.
func (s *Server) checkLimit(orgID, typ string) error {
	limit, ok := integrationLimits[typ]
	if !ok {
		return nil
	}
	n := 0
	for _, in := range s.st.Integrations {
		if in.OrgID == orgID && in.Type == typ {
			n++
		}
	}
	if n >= limit {
		return fmt.Errorf("org %q has reached the limit of %d %s integrations; delete one before creating another", orgID, limit, typ)
	}
	return nil
}

// platformUser gives an aws-cross integration its platform IAM user: a
// real user with an access key when an AWS endpoint is configured, else a
// synthetic ARN without credentials.
func (s *Server) platformUser(ctx context.Context, integrationID string) (*platformKey, error) {
	name := "dataloop-platform-" + integrationID
	if s.aws == nil {
		return &platformKey{UserName: name, UserARN: "arn:aws:iam::123456789012:user/" + name}, nil
	}
	return s.aws.createUser(ctx, name)
}

func (s *Server) deletePlatformUserAsync(k *platformKey) {
	if k == nil || s.aws == nil || k.AccessKeyID == "" {
		return
	}
	go func() {
		if err := s.aws.deleteUser(context.Background(), k); err != nil {
			s.logf("delete platform IAM user %s: %v", k.UserName, err)
		}
	}()
}

func (s *Server) updateIntegration(w http.ResponseWriter, r *http.Request, u *user) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	id, err := requiredString(body, "integrationId")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	name, hasName, err := optionalString(body, "", "name")
	if err == nil && hasName && strings.TrimSpace(name) == "" {
		err = fieldErr("name", "must not be empty")
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	creds, hasCreds, err := optionalObject(body, "", "credentials")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	metaUpdates, err := parseMetadataBody(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.integrationInOrg(w, u, r.PathValue("orgId"), id)
	if !ok {
		return
	}
	next := *in
	next.Options = cloneOptions(in.Options)
	next.Metadata = append([]metadataEntry(nil), in.Metadata...)
	now := nowMillis()
	if hasName {
		next.Name = name
	}
	if hasCreds {
		if err := applyCredentials(&next, creds, now); err != nil {
			writeError(w, http.StatusBadRequest, "%v", err)
			return
		}
	}
	for _, m := range metaUpdates {
		next.setMeta(m[0], m[1], now)
	}
	next.UpdatedAt = now
	s.st.Integrations[id] = &next
	if !s.commitOrUndo(w, r, change{kindIntegrations, id}, func() { s.st.Integrations[id] = in }) {
		return
	}
	writeJSON(w, http.StatusOK, s.integrationJSON(&next))
}

// parseMetadataBody reads PATCH's metadata list of {name, value}; the names
// the platform manages are refused.
func parseMetadataBody(body map[string]any) ([][2]string, error) {
	v, ok := body["metadata"]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fieldErr("metadata", "must be a list of {name, value}")
	}
	var out [][2]string
	for i, e := range list {
		m, ok := e.(map[string]any)
		field := fmt.Sprintf("metadata[%d]", i)
		if !ok {
			return nil, fieldErr(field, "must be an object {name, value}")
		}
		n, err := requiredStringAt(m, field, "name")
		if err != nil {
			return nil, err
		}
		val, has, err := optionalString(m, field, "value")
		if err != nil {
			return nil, err
		}
		if !has {
			return nil, fieldErr(field+".value", "is required")
		}
		switch n {
		case metaUserARN, metaRoleARN, metaStatus, metaServiceAccount:
			return nil, fieldErr(field+".name", "%q is managed by the platform and cannot be set", n)
		}
		out = append(out, [2]string{n, val})
	}
	return out, nil
}

// applyCredentials updates an integration's options from PATCH's
// credentials. Key types merge the new options over the stored ones (so a
// rotation may send only the changed values); cross-account types bind
// their trust.
func applyCredentials(in *integration, creds map[string]any, now int64) error {
	typ, err := requiredStringAt(creds, "credentials", "type")
	if err != nil {
		return err
	}
	if typ != in.Type {
		return fieldErr("credentials.type", "is %q but integration %s has type %q", typ, in.ID, in.Type)
	}
	opts, has, err := optionalObject(creds, "credentials", "options")
	if err != nil {
		return err
	}
	if !has {
		return fieldErr("credentials.options", "is required")
	}
	if spec, ok := bindSpecs[in.Type]; ok {
		if err := validateOptions(spec, typ, opts); err != nil {
			return prefixCredentials(err)
		}
		switch in.Type {
		case typeAWSCross:
			role, _ := opts["roleArn"].(string) // Checked by checkRoleARN.
			if role == "" {
				delete(in.Options, "roleArn")
				in.removeMeta(metaRoleARN)
			} else {
				in.Options["roleArn"] = role
				in.setMeta(metaRoleARN, role, now)
			}
		case typeGCPCross:
			for _, k := range []string{"email", "resourceName"} {
				v, _ := opts[k].(string) // Checked by validateOptions.
				in.Options[k] = v
				in.setMeta(k, v, now)
			}
		}
		// A new binding is trusted only once a test proves it.
		in.setMeta(metaStatus, statusPending, now)
		return nil
	}
	merged := cloneOptions(in.Options)
	for k, v := range opts {
		merged[k] = v
	}
	if err := validateOptions(createSpecs[in.Type], typ, merged); err != nil {
		return prefixCredentials(err)
	}
	in.Options = merged
	if in.Type == typeAWSSTS {
		// New keys or a new role are trusted only once a test proves them.
		in.setMeta(metaRoleARN, boundRoleARN(in), now)
		in.setMeta(metaStatus, statusPending, now)
	}
	return nil
}

func prefixCredentials(err error) error {
	if fe, ok := err.(*fieldError); ok {
		return &fieldError{field: "credentials." + fe.field, reason: fe.reason}
	}
	return err
}

func (i *integration) removeMeta(name string) {
	out := i.Metadata[:0]
	for _, m := range i.Metadata {
		if m.Name != name {
			out = append(out, m)
		}
	}
	i.Metadata = out
}

func (s *Server) deleteIntegration(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.integrationInOrg(w, u, r.PathValue("orgId"), r.PathValue("integrationId"))
	if !ok {
		return
	}
	var users []string
	for _, id := range s.order.ids {
		if d := s.st.Drivers[id]; d.IntegrationID == in.ID {
			users = append(users, fmt.Sprintf("%q (%s, project %s)", d.Name, d.ID, d.ProjectID))
		}
	}
	if len(users) > 0 {
		writeError(w, http.StatusConflict, "integration %q is used by storage driver(s) %s; delete the drivers first",
			in.ID, strings.Join(users, ", "))
		return
	}
	delete(s.st.Integrations, in.ID)
	if !s.commitOrUndo(w, r, change{kindIntegrations, in.ID}, func() { s.st.Integrations[in.ID] = in }) {
		return
	}
	s.deletePlatformUserAsync(in.Platform)
	writeJSON(w, http.StatusOK, []map[string]any{s.integrationJSON(in)})
}
