package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"time"
)

// state is everything the platform holds. It is persisted as one JSON
// document; the file plays the platform's database, so it does hold the
// integrations' secrets (mode 0600), which the API never returns.
type state struct {
	Orgs         map[string]*org         `json:"orgs"`
	Users        map[string]*user        `json:"users"`
	Projects     map[string]*project     `json:"projects"`
	Integrations map[string]*integration `json:"integrations"`
	Drivers      map[string]*driver      `json:"drivers"`
	// Seq is the journal sequence number the snapshot includes (see
	// persist.go).
	Seq int64 `json:"seq,omitempty"`
}

type org struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"createdAt"`
}

type user struct {
	ID        string   `json:"id"`
	Token     string   `json:"token"`
	Email     string   `json:"email"`
	Username  string   `json:"username"`
	Orgs      []string `json:"orgs"`
	CreatedAt int64    `json:"createdAt"`
}

type project struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	OrgID     string `json:"orgId"`
	Creator   string `json:"creator"`
	CreatedAt int64  `json:"createdAt"`
}

type metadataEntry struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Value     string `json:"value"`
	CreatedAt int64  `json:"createdAt"`
	UpdatedAt int64  `json:"updatedAt"`
}

// platformKey is the access key of the IAM user the platform owns for an
// aws-cross integration.
type platformKey struct {
	UserName        string `json:"userName"`
	UserARN         string `json:"userArn"`
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

type integration struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	OrgID     string          `json:"orgId"`
	Creator   string          `json:"creator"`
	CreatedAt int64           `json:"createdAt"`
	UpdatedAt int64           `json:"updatedAt"`
	Options   map[string]any  `json:"options"`
	Metadata  []metadataEntry `json:"metadata"`
	Platform  *platformKey    `json:"platform,omitempty"`
}

// driverLocation holds the payload fields of a driver; they are returned
// flat, beside the driver's own fields.
type driverLocation struct {
	BucketName    string `json:"bucketName,omitempty"`
	Bucket        string `json:"bucket,omitempty"`
	ContainerName string `json:"containerName,omitempty"`
	Region        string `json:"region,omitempty"`
	Path          string `json:"path,omitempty"`
	StorageClass  string `json:"storageClass,omitempty"`
	Endpoint      string `json:"endpoint,omitempty"`
}

type driver struct {
	ID                  string         `json:"id"`
	Name                string         `json:"name"`
	Type                string         `json:"type"`
	IntegrationID       string         `json:"integrationId"`
	IntegrationType     string         `json:"integrationType"`
	ProjectID           string         `json:"projectId"`
	OrgID               string         `json:"orgId"`
	Creator             string         `json:"creator"`
	CreatedAt           time.Time      `json:"createdAt"`
	AllowExternalDelete bool           `json:"allowExternalDelete"`
	Location            driverLocation `json:"location"`
}

func newState() *state {
	return &state{
		Orgs:         map[string]*org{},
		Users:        map[string]*user{},
		Projects:     map[string]*project{},
		Integrations: map[string]*integration{},
		Drivers:      map[string]*driver{},
	}
}

// applySeed adds or refreshes the seed's orgs, users and projects. Objects
// created through the API are left alone, so restarting with the same seed
// keeps everything.
func (st *state) applySeed(s *Seed, now int64) {
	for _, o := range s.Orgs {
		if cur, ok := st.Orgs[o.ID]; ok {
			cur.Name = o.Name
			continue
		}
		st.Orgs[o.ID] = &org{ID: o.ID, Name: o.Name, CreatedAt: now}
	}
	for _, u := range s.Users {
		username := u.Username
		if username == "" {
			username = u.Email
		}
		created := now
		if cur, ok := st.Users[u.ID]; ok {
			created = cur.CreatedAt
		}
		st.Users[u.ID] = &user{ID: u.ID, Token: u.Token, Email: u.Email, Username: username,
			Orgs: append([]string(nil), u.Orgs...), CreatedAt: created}
	}
	for _, p := range s.Projects {
		if cur, ok := st.Projects[p.ID]; ok {
			cur.Name, cur.OrgID = p.Name, p.OrgID
			continue
		}
		creator := ""
		for _, u := range s.Users {
			if contains(u.Orgs, p.OrgID) {
				creator = u.Email
				break
			}
		}
		st.Projects[p.ID] = &project{ID: p.ID, Name: p.Name, OrgID: p.OrgID, Creator: creator, CreatedAt: now}
	}
}

func loadState(path string) (*state, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		// The snapshot is written before any journal, so a journal without
		// one is stale: ignore it.
		return newState(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	st := newState()
	if len(b) == 0 {
		return st, nil
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("parse state %s: %w", path, err)
	}
	// A file written by hand may omit collections.
	fresh := newState()
	if st.Orgs == nil {
		st.Orgs = fresh.Orgs
	}
	if st.Users == nil {
		st.Users = fresh.Users
	}
	if st.Projects == nil {
		st.Projects = fresh.Projects
	}
	if st.Integrations == nil {
		st.Integrations = fresh.Integrations
	}
	if st.Drivers == nil {
		st.Drivers = fresh.Drivers
	}
	if err := st.replayJournal(path); err != nil {
		return nil, err
	}
	migrateTrustEntries(st)
	return st, nil
}

// save writes the state atomically: a temp file in the same directory,
// synced, then renamed over the old one, so a crash leaves either the old
// or the new state, never half of one.
func (st *state) save(path string) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode state: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".emulator-state-*")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // No-op after a successful rename.
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

// newID returns a random 24-hex-digit ID, the shape of the platform's
// MongoDB object IDs.
func newID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("emulator: crypto/rand failed: %v", err))
	}
	return hex.EncodeToString(b[:])
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (i *integration) meta(name string) (string, bool) {
	for _, m := range i.Metadata {
		if m.Name == name {
			return m.Value, true
		}
	}
	return "", false
}

func (i *integration) setMeta(name, value string, now int64) {
	for k := range i.Metadata {
		if i.Metadata[k].Name == name {
			if i.Metadata[k].Value != value {
				i.Metadata[k].Value = value
				i.Metadata[k].UpdatedAt = now
			}
			return
		}
	}
	i.Metadata = append(i.Metadata, metadataEntry{ID: newID(), Name: name, Value: value, CreatedAt: now, UpdatedAt: now})
}

func cloneOptions(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return maps.Clone(m)
}

// migrateTrustEntries turns the trust entry of older state files, named
// trust-established with "true"/"false", into the documented status entry.
func migrateTrustEntries(st *state) {
	for _, in := range st.Integrations {
		v, ok := in.meta(legacyTrustEntry)
		if !ok {
			continue
		}
		in.removeMeta(legacyTrustEntry)
		if _, has := in.meta(metaStatus); has {
			continue
		}
		status := statusPending
		if v == "true" {
			status = statusTrustEstablished
		}
		in.setMeta(metaStatus, status, in.UpdatedAt)
	}
}
