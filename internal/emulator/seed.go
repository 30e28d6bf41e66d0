package emulator

import (
	"encoding/json"
	"fmt"
	"os"
)

// Seed lists the accounts an emulator starts with: organizations, users
// (each reachable by its API token) and projects. Integrations and drivers
// are never seeded; they are created through the API like on the platform.
type Seed struct {
	Orgs     []SeedOrg     `json:"orgs"`
	Users    []SeedUser    `json:"users"`
	Projects []SeedProject `json:"projects"`
}

// SeedOrg is an organization of the seed.
type SeedOrg struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SeedUser is a user of the seed. Token is the bearer token that
// authenticates as this user; Orgs are the IDs of the orgs it belongs to.
type SeedUser struct {
	ID       string   `json:"id"`
	Token    string   `json:"token"`
	Email    string   `json:"email"`
	Username string   `json:"username"`
	Orgs     []string `json:"orgs"`
}

// SeedProject is a project of the seed, owned by the org OrgID.
type SeedProject struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	OrgID string `json:"orgId"`
}

// Default seed identifiers, shared by tests and the demo.
const (
	DemoOrgID      = "org-demo"
	DemoToken      = "demo-token"
	DemoUserEmail  = "dev@example.com"
	DemoProjectID  = "proj-demo"
	OtherOrgID     = "org-other"
	OtherToken     = "other-token"
	OtherUserEmail = "other@example.com"
	OtherProjectID = "proj-other"
)

// DefaultSeed returns the seed used when Options.Seed is nil: a demo org
// with one user and one project, and a second org for isolation tests.
func DefaultSeed() *Seed {
	return &Seed{
		Orgs: []SeedOrg{
			{ID: DemoOrgID, Name: "demo"},
			{ID: OtherOrgID, Name: "other"},
		},
		Users: []SeedUser{
			{ID: "user-demo", Token: DemoToken, Email: DemoUserEmail, Username: "dev", Orgs: []string{DemoOrgID}},
			{ID: "user-other", Token: OtherToken, Email: OtherUserEmail, Username: "other", Orgs: []string{OtherOrgID}},
		},
		Projects: []SeedProject{
			{ID: DemoProjectID, Name: "demo-project", OrgID: DemoOrgID},
			{ID: OtherProjectID, Name: "other-project", OrgID: OtherOrgID},
		},
	}
}

// LoadSeedFile reads a seed from a JSON file shaped like Seed.
func LoadSeedFile(path string) (*Seed, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read seed: %w", err)
	}
	var s Seed
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("parse seed %s: %w", path, err)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("seed %s: %w", path, err)
	}
	return &s, nil
}

func (s *Seed) validate() error {
	orgs := map[string]bool{}
	for i, o := range s.Orgs {
		if o.ID == "" || o.Name == "" {
			return fmt.Errorf("orgs[%d]: id and name are required", i)
		}
		orgs[o.ID] = true
	}
	tokens := map[string]bool{}
	for i, u := range s.Users {
		if u.ID == "" || u.Token == "" || u.Email == "" {
			return fmt.Errorf("users[%d]: id, token and email are required", i)
		}
		if tokens[u.Token] {
			return fmt.Errorf("users[%d]: token is used by another user", i)
		}
		tokens[u.Token] = true
		for _, o := range u.Orgs {
			if !orgs[o] {
				return fmt.Errorf("users[%d]: unknown org %q", i, o)
			}
		}
	}
	for i, p := range s.Projects {
		if p.ID == "" || p.Name == "" {
			return fmt.Errorf("projects[%d]: id and name are required", i)
		}
		if !orgs[p.OrgID] {
			return fmt.Errorf("projects[%d]: unknown org %q", i, p.OrgID)
		}
	}
	return nil
}
