package platform

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
)

// The wire types decode the platform's JSON leniently: references such as
// creator and org may be an id string or an embedded object (the spec's
// anyOf), and timestamps may be epoch millis or ISO 8601 strings.

// ref is a reference that is either a string or an object.
type ref struct {
	ID       string
	Email    string
	Username string
	Name     string
}

func (r *ref) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*r = ref{}
		return nil
	}
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = ref{ID: s}
		return nil
	}
	*r = decodeRefObject(b)
	return nil
}

// decodeRefObject reads an embedded object; unexpected shapes give an
// empty reference rather than failing the whole answer.
func decodeRefObject(b []byte) ref {
	var o struct {
		ID       string `json:"id"`
		OID      string `json:"_id"`
		Email    string `json:"email"`
		Username string `json:"username"`
		Name     string `json:"name"`
	}
	if b[0] != '{' || json.Unmarshal(b, &o) != nil {
		return ref{}
	}
	if o.ID == "" {
		o.ID = o.OID
	}
	return ref{ID: o.ID, Email: o.Email, Username: o.Username, Name: o.Name}
}

// user returns the best human-readable identity of a user reference: the
// email, as the platform's own UI and SDK show creators.
func (r ref) user() string {
	switch {
	case r.Email != "":
		return r.Email
	case r.Username != "":
		return r.Username
	default:
		return r.ID
	}
}

// ts is a timestamp sent as epoch millis or as an ISO 8601 string.
type ts time.Time

func (t *ts) UnmarshalJSON(b []byte) error {
	*t = ts(parseTimestamp(bytes.TrimSpace(b)))
	return nil
}

func parseTimestamp(b []byte) time.Time {
	if len(b) == 0 || string(b) == "null" {
		return time.Time{}
	}
	if b[0] == '"' {
		var s string
		if json.Unmarshal(b, &s) != nil {
			return time.Time{}
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return time.Time{}
		}
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return millis(n)
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC()
			}
		}
		return time.Time{}
	}
	n, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return time.Time{}
	}
	return millis(n)
}

func millis(n float64) time.Time {
	if n <= 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return time.Time{}
	}
	return time.UnixMilli(int64(n)).UTC()
}

// text decodes a JSON scalar into a string: strings as they are, other
// values in their JSON form (true -> "true").
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	default:
		*t = text(b)
	}
	return nil
}

// flag decodes a boolean sent as a JSON bool or as a string.
type flag bool

func (f *flag) UnmarshalJSON(b []byte) error {
	var t text
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	v, _ := strconv.ParseBool(strings.TrimSpace(string(t)))
	*f = flag(v)
	return nil
}

type wireUser struct {
	ID       string `json:"id"`
	Email    string `json:"email"`
	Username string `json:"username"`
	Orgs     []ref  `json:"orgs"`
}

func (w wireUser) user() *User {
	u := &User{ID: w.ID, Email: w.Email, Username: w.Username}
	for _, o := range w.Orgs {
		if o.ID != "" {
			u.Orgs = append(u.Orgs, o.ID)
		}
	}
	return u
}

type wireOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (w wireOrg) org() Org { return Org(w) }

type wireProject struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Org       ref    `json:"org"`
	OrgID     string `json:"orgId"`
	CreatedAt ts     `json:"createdAt"`
}

func (w wireProject) project() Project {
	p := Project{ID: w.ID, Name: w.Name, OrgID: w.Org.ID, CreatedAt: time.Time(w.CreatedAt)}
	if p.OrgID == "" {
		p.OrgID = w.OrgID
	}
	return p
}

type wireMetadata struct {
	Name  text `json:"name"`
	Value text `json:"value"`
}

type wireIntegration struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	Type      string         `json:"type"`
	Org       ref            `json:"org"`
	OrgID     string         `json:"orgId"`
	Creator   ref            `json:"creator"`
	CreatedAt ts             `json:"createdAt"`
	UpdatedAt ts             `json:"updatedAt"`
	Metadata  []wireMetadata `json:"metadata"`
}

func (w wireIntegration) integration() Integration {
	i := Integration{
		ID:        w.ID,
		Name:      w.Name,
		Type:      w.Type,
		OrgID:     w.Org.ID,
		Creator:   w.Creator.user(),
		CreatedAt: time.Time(w.CreatedAt),
		UpdatedAt: time.Time(w.UpdatedAt),
	}
	if i.OrgID == "" {
		i.OrgID = w.OrgID
	}
	for _, m := range w.Metadata {
		i.Metadata = append(i.Metadata, MetadataEntry{Name: string(m.Name), Value: string(m.Value)})
	}
	return i
}

type wireDriverMetadata struct {
	System struct {
		ProjectID string `json:"projectId"`
		OrgID     string `json:"orgId"`
	} `json:"system"`
}

type wireDriver struct {
	ID                  string              `json:"id"`
	OID                 string              `json:"_id"`
	Name                string              `json:"name"`
	Type                string              `json:"type"`
	IntegrationID       string              `json:"integrationId"`
	IntegrationType     string              `json:"integrationType"`
	ProjectID           string              `json:"projectId"`
	OrgID               string              `json:"orgId"`
	Creator             ref                 `json:"creator"`
	CreatedAt           ts                  `json:"createdAt"`
	AllowExternalDelete flag                `json:"allowExternalDelete"`
	Metadata            *wireDriverMetadata `json:"metadata"`

	wireLocation
	// Payload is read only when the location is not flat, as a fallback
	// for answers that echo the request's shape.
	Payload *wireLocation `json:"payload"`
}

type wireLocation struct {
	BucketName    string `json:"bucketName"`
	Bucket        string `json:"bucket"`
	ContainerName string `json:"containerName"`
	Region        string `json:"region"`
	Path          string `json:"path"`
	StorageClass  string `json:"storageClass"`
	Endpoint      string `json:"endpoint"`
}

func (l wireLocation) location() DriverLocation { return DriverLocation(l) }

func (w wireDriver) driver() Driver {
	d := Driver{
		ID:                  w.ID,
		Name:                w.Name,
		Type:                w.Type,
		IntegrationID:       w.IntegrationID,
		IntegrationType:     w.IntegrationType,
		ProjectID:           w.ProjectID,
		OrgID:               w.OrgID,
		Creator:             w.Creator.user(),
		CreatedAt:           time.Time(w.CreatedAt),
		AllowExternalDelete: bool(w.AllowExternalDelete),
		DriverLocation:      w.location(),
	}
	if w.Payload != nil && d.DriverLocation == (DriverLocation{}) {
		d.DriverLocation = w.Payload.location()
	}
	if d.ID == "" {
		d.ID = w.OID
	}
	if w.Metadata != nil {
		if d.ProjectID == "" {
			d.ProjectID = w.Metadata.System.ProjectID
		}
		if d.OrgID == "" {
			d.OrgID = w.Metadata.System.OrgID
		}
	}
	return d
}
