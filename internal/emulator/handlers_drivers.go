package emulator

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Driver types and the integration types each one can use.
var driverIntegrationTypes = map[string][]string{
	"s3":        {typeS3, typeAWSSTS, typeAWSCross},
	"gcs":       {typeGCS, typeGCPCross},
	"azureblob": {typeAzureBlob},
	// Data Lake Storage Gen2 uses the same client-secret integration.
	"azureDatalakeGen2": {typeAzureBlob},
}

// driverPayloadFields lists the payload fields of each driver type; the
// first one is the required bucket or container name.
var driverPayloadFields = map[string][]string{
	"s3":                {"bucketName", "region", "path", "storageClass", "endpoint"},
	"gcs":               {"bucket", "path"},
	"azureblob":         {"containerName", "path"},
	"azureDatalakeGen2": {"containerName", "path"},
}

// Fields the platform's SDK may repeat inside payload; they are read from
// the top level and tolerated here.
var payloadPassThrough = map[string]bool{"allowExternalDelete": true, "allowExternalModification": true}

// driverTimeFormat is how the platform writes a driver's createdAt.
const driverTimeFormat = "2006-01-02T15:04:05.000Z"

type driverInput struct {
	name, typ, integrationID, integrationType, projectID, orgID string
	allowExternalDelete                                         bool
	loc                                                         driverLocation
}

// parseDriverInput reads the body of POST /drivers and POST /drivers/test.
func parseDriverInput(body map[string]any) (driverInput, error) {
	var in driverInput
	var err error
	if in.name, err = requiredString(body, "name"); err != nil {
		return in, err
	}
	if in.typ, err = requiredString(body, "type"); err != nil {
		return in, err
	}
	if _, ok := driverIntegrationTypes[in.typ]; !ok {
		return in, fieldErr("type", "unsupported driver type %q (supported: azureblob, azureDatalakeGen2, gcs, s3)", in.typ)
	}
	if in.integrationID, err = requiredString(body, "integrationId"); err != nil {
		return in, err
	}
	if in.integrationType, _, err = optionalString(body, "", "integrationType"); err != nil {
		return in, err
	}
	if _, _, err = optionalString(body, "", "creator"); err != nil {
		return in, err
	}
	if in.allowExternalDelete, _, err = optionalAllowDelete(body, ""); err != nil {
		return in, err
	}
	md, ok, err := optionalObject(body, "", "metadata")
	if err != nil {
		return in, err
	}
	if !ok {
		return in, fieldErr("metadata", "is required: {\"system\": {\"projectId\": \"<project id>\"}}")
	}
	sys, ok, err := optionalObject(md, "metadata", "system")
	if err != nil {
		return in, err
	}
	if !ok {
		return in, fieldErr("metadata.system", "is required: {\"projectId\": \"<project id>\"}")
	}
	if in.projectID, err = requiredStringAt(sys, "metadata.system", "projectId"); err != nil {
		return in, err
	}
	if in.orgID, _, err = optionalString(sys, "metadata.system", "orgId"); err != nil {
		return in, err
	}
	payload, ok, err := optionalObject(body, "", "payload")
	if err != nil {
		return in, err
	}
	if !ok {
		return in, fieldErr("payload", "is required")
	}
	if err := applyPayload(&in.loc, in.typ, payload, true); err != nil {
		return in, err
	}
	if b, ok, err := optionalAllowDelete(payload, "payload"); err != nil {
		return in, err
	} else if ok {
		in.allowExternalDelete = b
	}
	return in, nil
}

// applyPayload copies a payload's fields into loc. With create set the
// bucket (or container) name is required.
func applyPayload(loc *driverLocation, typ string, payload map[string]any, create bool) error {
	fields := driverPayloadFields[typ]
	allowed := map[string]bool{}
	for _, f := range fields {
		allowed[f] = true
	}
	keys := make([]string, 0, len(payload))
	for k := range payload {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !allowed[k] && !payloadPassThrough[k] {
			return fieldErr("payload."+k, "is not a field of a %s driver (allowed: %s)", typ, strings.Join(fields, ", "))
		}
	}
	values := map[string]string{}
	for _, f := range fields {
		v, ok, err := optionalString(payload, "payload", f)
		if err != nil {
			return err
		}
		if ok {
			values[f] = v
		}
	}
	if create {
		if _, err := requiredStringAt(payload, "payload", fields[0]); err != nil {
			return err
		}
	} else if v, ok := values[fields[0]]; ok && strings.TrimSpace(v) == "" {
		return fieldErr("payload."+fields[0], "must not be empty")
	}
	if ep := values["endpoint"]; ep != "" {
		u, err := url.Parse(ep)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fieldErr("payload.endpoint", "must be a URL of the form http(s)://<host>:<port>")
		}
	}
	set := func(dst *string, f string) {
		if v, ok := values[f]; ok {
			*dst = v
		}
	}
	set(&loc.BucketName, "bucketName")
	set(&loc.Bucket, "bucket")
	set(&loc.ContainerName, "containerName")
	set(&loc.Region, "region")
	set(&loc.Path, "path")
	set(&loc.StorageClass, "storageClass")
	set(&loc.Endpoint, "endpoint")
	return nil
}

// resolveDriverInput checks the project and integration a driver input
// names; on failure it answers and returns false. Callers hold s.mu.
func (s *Server) resolveDriverInput(w http.ResponseWriter, u *user, in *driverInput) (*project, *integration, bool) {
	p, ok := s.projectForUser(w, u, in.projectID)
	if !ok {
		return nil, nil, false
	}
	if in.orgID != "" && in.orgID != p.OrgID {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("metadata.system.orgId", "is %q but project %q belongs to org %q", in.orgID, p.ID, p.OrgID))
		return nil, nil, false
	}
	integ, ok := s.st.Integrations[in.integrationID]
	if !ok || integ.OrgID != p.OrgID {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("integrationId", "integration %q not found in org %q of project %q", in.integrationID, p.OrgID, p.ID))
		return nil, nil, false
	}
	// NOTE: Dataloop's SDK sends the driver type as integrationType when the
	// caller gives none (drivers.create), so that is accepted too.
	if in.integrationType != "" && in.integrationType != integ.Type && in.integrationType != in.typ {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("integrationType", "is %q but integration %q has type %q", in.integrationType, integ.ID, integ.Type))
		return nil, nil, false
	}
	if !contains(driverIntegrationTypes[in.typ], integ.Type) {
		writeError(w, http.StatusBadRequest, "%v", fieldErr("integrationId", "integration %q has type %q, which a %s driver cannot use (allowed: %s)",
			integ.ID, integ.Type, in.typ, strings.Join(driverIntegrationTypes[in.typ], ", ")))
		return nil, nil, false
	}
	in.integrationType = integ.Type
	return p, integ, true
}

func driverJSON(d *driver) map[string]any {
	m := map[string]any{
		"id":                        d.ID,
		"name":                      d.Name,
		"type":                      d.Type,
		"integrationId":             d.IntegrationID,
		"integrationType":           d.IntegrationType,
		"projectId":                 d.ProjectID,
		"orgId":                     d.OrgID,
		"creator":                   d.Creator,
		"createdAt":                 d.CreatedAt.UTC().Format(driverTimeFormat),
		"allowExternalDelete":       d.AllowExternalDelete,
		"allowExternalModification": false,
		"isSyncable":                false,
		"metadata":                  map[string]any{"system": map[string]any{"projectId": d.ProjectID, "orgId": d.OrgID}},
	}
	l := d.Location
	for k, v := range map[string]string{"bucketName": l.BucketName, "bucket": l.Bucket, "containerName": l.ContainerName,
		"region": l.Region, "path": l.Path, "storageClass": l.StorageClass, "endpoint": l.Endpoint} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

func (s *Server) listDrivers(w http.ResponseWriter, r *http.Request, u *user) {
	q := r.URL.Query()
	s.mu.Lock()
	defer s.mu.Unlock()
	projectID := q.Get("projectId")
	if projectID != "" {
		if _, ok := s.projectForUser(w, u, projectID); !ok {
			return
		}
	}
	integrationID := q.Get("integrationId")
	out := []map[string]any{}
	for _, id := range s.order.ids {
		d := s.st.Drivers[id]
		if !contains(u.Orgs, d.OrgID) ||
			(projectID != "" && d.ProjectID != projectID) ||
			(integrationID != "" && d.IntegrationID != integrationID) {
			continue
		}
		out = append(out, driverJSON(d))
	}
	writeJSON(w, http.StatusOK, out)
}

// driverForUser resolves a driver by ID; a driver in an org the user is not
// in is reported as not found. Callers hold s.mu.
func (s *Server) driverForUser(w http.ResponseWriter, u *user, id string) (*driver, bool) {
	d, ok := s.st.Drivers[id]
	if !ok || !contains(u.Orgs, d.OrgID) {
		writeError(w, http.StatusNotFound, "storage driver %q not found", id)
		return nil, false
	}
	return d, true
}

func (s *Server) getDriver(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.driverForUser(w, u, r.PathValue("id"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, driverJSON(d))
}

// countDriversByIntegration answers GET /drivers/byIntegration/{id}, which
// the spec defines as the number of drivers using the integration.
func (s *Server) countDriversByIntegration(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("integrationId")
	in, ok := s.st.Integrations[id]
	if !ok || !contains(u.Orgs, in.OrgID) {
		writeError(w, http.StatusNotFound, "integration %q not found", id)
		return
	}
	n := 0
	for _, d := range s.st.Drivers {
		if d.IntegrationID == id {
			n++
		}
	}
	writeJSON(w, http.StatusOK, n)
}

func (s *Server) createDriver(w http.ResponseWriter, r *http.Request, u *user) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	in, err := parseDriverInput(body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p, _, ok := s.resolveDriverInput(w, u, &in)
	if !ok {
		return
	}
	if other := s.driverNamed(p.ID, in.name, ""); other != nil {
		writeError(w, http.StatusConflict, "a storage driver named %q already exists in project %q (%s)", in.name, p.ID, other.ID)
		return
	}
	d := &driver{ID: newID(), Name: in.name, Type: in.typ, IntegrationID: in.integrationID,
		IntegrationType: in.integrationType, ProjectID: p.ID, OrgID: p.OrgID, Creator: u.Email,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), AllowExternalDelete: in.allowExternalDelete, Location: in.loc}
	s.st.Drivers[d.ID] = d
	s.order.add(s.st, d)
	if !s.commitOrUndo(w, r, change{kindDrivers, d.ID}, func() {
		delete(s.st.Drivers, d.ID)
		s.order.remove(d.ID)
	}) {
		return
	}
	writeJSON(w, http.StatusOK, driverJSON(d))
}

// driverNamed finds a driver of a project by name, skipping exceptID.
// Callers hold s.mu.
func (s *Server) driverNamed(projectID, name, exceptID string) *driver {
	for _, d := range s.st.Drivers {
		if d.ProjectID == projectID && d.Name == name && d.ID != exceptID {
			return d
		}
	}
	return nil
}

func (s *Server) updateDriver(w http.ResponseWriter, r *http.Request, u *user) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.driverForUser(w, u, r.PathValue("id"))
	if !ok {
		return
	}
	next := *d
	if err := applyDriverPatch(&next, body); err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if other := s.driverNamed(d.ProjectID, next.Name, d.ID); other != nil {
		writeError(w, http.StatusConflict, "a storage driver named %q already exists in project %q (%s)", next.Name, d.ProjectID, other.ID)
		return
	}
	s.st.Drivers[d.ID] = &next
	if !s.commitOrUndo(w, r, change{kindDrivers, d.ID}, func() { s.st.Drivers[d.ID] = d }) {
		return
	}
	writeJSON(w, http.StatusOK, driverJSON(&next))
}

// applyDriverPatch applies PATCH /drivers/{id}: name, allowExternalDelete
// (top level or in payload) and the payload's location fields. The type and
// integration of a driver cannot change.
func applyDriverPatch(d *driver, body map[string]any) error {
	for _, k := range []string{"type", "integrationId", "integrationType"} {
		v, has, err := optionalString(body, "", k)
		if err != nil {
			return err
		}
		cur := map[string]string{"type": d.Type, "integrationId": d.IntegrationID, "integrationType": d.IntegrationType}[k]
		if has && v != cur {
			return fieldErr(k, "cannot be changed (is %q); create a new driver instead", cur)
		}
	}
	name, has, err := optionalString(body, "", "name")
	if err != nil {
		return err
	}
	if has {
		if strings.TrimSpace(name) == "" {
			return fieldErr("name", "must not be empty")
		}
		d.Name = name
	}
	if b, ok, err := optionalAllowDelete(body, ""); err != nil {
		return err
	} else if ok {
		d.AllowExternalDelete = b
	}
	payload, has, err := optionalObject(body, "", "payload")
	if err != nil {
		return err
	}
	if has {
		if err := applyPayload(&d.Location, d.Type, payload, false); err != nil {
			return err
		}
		if b, ok, err := optionalAllowDelete(payload, "payload"); err != nil {
			return err
		} else if ok {
			d.AllowExternalDelete = b
		}
	}
	return nil
}

func (s *Server) deleteDriver(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.driverForUser(w, u, r.PathValue("id"))
	if !ok {
		return
	}
	delete(s.st.Drivers, d.ID)
	s.order.remove(d.ID)
	if !s.commitOrUndo(w, r, change{kindDrivers, d.ID}, func() {
		s.st.Drivers[d.ID] = d
		s.order.add(s.st, d)
	}) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
