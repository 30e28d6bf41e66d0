package platform

import (
	"context"
	"net/http"
)

// Me returns the user the token belongs to. The first successful answer is
// kept for the client's lifetime; callers get a copy.
func (c *Client) Me(ctx context.Context) (*User, error) {
	c.meMu.Lock()
	defer c.meMu.Unlock()
	if c.me == nil {
		var w wireUser
		if err := c.do(ctx, request{method: http.MethodGet, path: "/users/me", idempotent: true}, &w); err != nil {
			return nil, err
		}
		c.me = w.user()
	}
	u := *c.me
	u.Orgs = append([]string(nil), c.me.Orgs...)
	return &u, nil
}

// ListOrgs returns the orgs the user belongs to.
func (c *Client) ListOrgs(ctx context.Context) ([]Org, error) {
	var ws []wireOrg
	if err := c.do(ctx, request{method: http.MethodGet, path: "/orgs", idempotent: true}, &ws); err != nil {
		return nil, err
	}
	orgs := make([]Org, 0, len(ws))
	for _, w := range ws {
		orgs = append(orgs, w.org())
	}
	return orgs, nil
}

// GetOrg returns one org.
func (c *Client) GetOrg(ctx context.Context, id string) (*Org, error) {
	var w wireOrg
	if err := c.do(ctx, request{method: http.MethodGet, path: "/orgs/" + escape(id), idempotent: true}, &w); err != nil {
		return nil, err
	}
	o := w.org()
	return &o, nil
}

// ListProjects returns the projects the user can see.
func (c *Client) ListProjects(ctx context.Context) ([]Project, error) {
	var ws []wireProject
	if err := c.do(ctx, request{method: http.MethodGet, path: "/projects", idempotent: true}, &ws); err != nil {
		return nil, err
	}
	projects := make([]Project, 0, len(ws))
	for _, w := range ws {
		projects = append(projects, w.project())
	}
	return projects, nil
}

// GetProject returns one project.
func (c *Client) GetProject(ctx context.Context, id string) (*Project, error) {
	var w wireProject
	if err := c.do(ctx, request{method: http.MethodGet, path: "/projects/" + escape(id), idempotent: true}, &w); err != nil {
		return nil, err
	}
	p := w.project()
	return &p, nil
}
