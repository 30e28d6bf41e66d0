package emulator

import (
	"net/http"
	"sort"
	"strings"
)

func (s *Server) userJSON(u *user) map[string]any {
	var projects []string
	for _, p := range s.st.Projects {
		if contains(u.Orgs, p.OrgID) {
			projects = append(projects, p.ID)
		}
	}
	sort.Strings(projects)
	active := ""
	if len(u.Orgs) > 0 {
		active = u.Orgs[0]
	}
	first, last, _ := strings.Cut(u.Username, " ")
	return map[string]any{
		"id":        u.ID,
		"username":  u.Username,
		"firstName": first,
		"lastName":  last,
		"email":     u.Email,
		"projects":  nonNil(projects),
		"groups":    []any{},
		"orgs":      nonNil(u.Orgs),
		"org":       active,
		"type":      "user",
		"createdAt": u.CreatedAt,
		"updatedAt": u.CreatedAt,
	}
}

func (s *Server) orgJSON(o *org) map[string]any {
	var members, integrations []string
	owner := ""
	for _, u := range sortedUsers(s.st) {
		if contains(u.Orgs, o.ID) {
			members = append(members, u.ID)
			if owner == "" {
				owner = u.ID
			}
		}
	}
	for _, in := range s.st.Integrations {
		if in.OrgID == o.ID {
			integrations = append(integrations, in.ID)
		}
	}
	sort.Strings(integrations)
	return map[string]any{
		"id":           o.ID,
		"name":         o.Name,
		"members":      nonNil(members),
		"groups":       []string{},
		"owner":        owner,
		"account":      "account-" + o.ID,
		"creator":      owner,
		"plan":         "premium",
		"integrations": nonNil(integrations),
		"createdAt":    o.CreatedAt,
		"updatedAt":    o.CreatedAt,
	}
}

func projectJSON(p *project) map[string]any {
	return map[string]any{
		"id":           p.ID,
		"name":         p.Name,
		"org":          p.OrgID,
		"account":      "account-" + p.OrgID,
		"creator":      p.Creator,
		"contributors": []string{},
		"groups":       []string{},
		"guests":       []string{},
		"archived":     false,
		"createdAt":    p.CreatedAt,
		"updatedAt":    p.CreatedAt,
	}
}

func (s *Server) getMe(w http.ResponseWriter, _ *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.userJSON(u))
}

func (s *Server) listOrgs(w http.ResponseWriter, _ *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, id := range u.Orgs {
		if o, ok := s.st.Orgs[id]; ok {
			out = append(out, s.orgJSON(o))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orgForUser(w, u, r.PathValue("orgId"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.orgJSON(o))
}

// orgForUser resolves an org named in a path. An unknown org is a 404; an
// org the user is not a member of is a 403, as on the platform, which
// checks membership of the org in the path before anything else. Callers
// hold s.mu.
func (s *Server) orgForUser(w http.ResponseWriter, u *user, orgID string) (*org, bool) {
	o, ok := s.st.Orgs[orgID]
	if !ok {
		writeError(w, http.StatusNotFound, "org %q not found", orgID)
		return nil, false
	}
	if !contains(u.Orgs, orgID) {
		writeError(w, http.StatusForbidden, "user %s is not a member of org %q", u.Email, orgID)
		return nil, false
	}
	return o, true
}

// projectForUser resolves a project by ID: unknown → 404, a project of an
// org the user is not in → 403. Callers hold s.mu.
func (s *Server) projectForUser(w http.ResponseWriter, u *user, id string) (*project, bool) {
	p, ok := s.st.Projects[id]
	if !ok {
		writeError(w, http.StatusNotFound, "project %q not found", id)
		return nil, false
	}
	if !contains(u.Orgs, p.OrgID) {
		writeError(w, http.StatusForbidden, "user %s has no access to project %q", u.Email, id)
		return nil, false
	}
	return p, true
}

func (s *Server) listProjects(w http.ResponseWriter, _ *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []map[string]any{}
	for _, p := range sortedProjects(s.st) {
		if contains(u.Orgs, p.OrgID) {
			out = append(out, projectJSON(p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projectForUser(w, u, r.PathValue("projectId"))
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, projectJSON(p))
}

// createProject creates a project in the user's active (first) org, as the
// platform does for POST /projects.
func (s *Server) createProject(w http.ResponseWriter, r *http.Request, u *user) {
	body, ok := decodeObject(w, r)
	if !ok {
		return
	}
	name, err := requiredString(body, "name")
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	if len(u.Orgs) == 0 {
		writeError(w, http.StatusForbidden, "user %s belongs to no org", u.Email)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.st.Projects {
		if p.OrgID == u.Orgs[0] && p.Name == name {
			writeError(w, http.StatusConflict, "a project named %q already exists in org %q", name, p.OrgID)
			return
		}
	}
	p := &project{ID: newID(), Name: name, OrgID: u.Orgs[0], Creator: u.Email, CreatedAt: nowMillis()}
	s.st.Projects[p.ID] = p
	if !s.commitOrUndo(w, r, change{kindProjects, p.ID}, func() { delete(s.st.Projects, p.ID) }) {
		return
	}
	writeJSON(w, http.StatusOK, projectJSON(p))
}

func (s *Server) deleteProject(w http.ResponseWriter, r *http.Request, u *user) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.projectForUser(w, u, r.PathValue("projectId"))
	if !ok {
		return
	}
	for _, d := range s.st.Drivers {
		if d.ProjectID == p.ID {
			writeError(w, http.StatusConflict, "project %q still has storage driver %q (%s); delete its drivers first", p.ID, d.Name, d.ID)
			return
		}
	}
	delete(s.st.Projects, p.ID)
	if !s.commitOrUndo(w, r, change{kindProjects, p.ID}, func() { s.st.Projects[p.ID] = p }) {
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func sortedUsers(st *state) []*user {
	out := make([]*user, 0, len(st.Users))
	for _, u := range st.Users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sortedProjects(st *state) []*project {
	out := make([]*project, 0, len(st.Projects))
	for _, p := range st.Projects {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].CreatedAt != out[j].CreatedAt {
			return out[i].CreatedAt < out[j].CreatedAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
