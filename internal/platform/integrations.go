package platform

import (
	"context"
	"net/http"
)

func integrationsPath(orgID string) string { return "/orgs/" + escape(orgID) + "/integrations" }

// ListIntegrations returns the integrations of an org.
func (c *Client) ListIntegrations(ctx context.Context, orgID string) ([]Integration, error) {
	var ws []wireIntegration
	if err := c.do(ctx, request{method: http.MethodGet, path: integrationsPath(orgID), idempotent: true}, &ws); err != nil {
		return nil, err
	}
	out := make([]Integration, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.integration())
	}
	return out, nil
}

// GetIntegration returns one integration of an org.
func (c *Client) GetIntegration(ctx context.Context, orgID, id string) (*Integration, error) {
	var w wireIntegration
	r := request{method: http.MethodGet, path: integrationsPath(orgID) + "/" + escape(id), idempotent: true}
	if err := c.do(ctx, r, &w); err != nil {
		return nil, err
	}
	i := w.integration()
	return &i, nil
}

// CreateIntegration creates an integration. When an attempt fails without
// telling whether it took effect (timeout, reset, 500/502/503/504, or ctx
// ending after the request was sent), the client looks for an integration
// of the same name and type that was not there before the call and returns
// it instead of creating a second one. That lookup runs even after ctx has
// ended; when it fails too, the error wraps ErrOutcomeUnknown.
func (c *Client) CreateIntegration(ctx context.Context, orgID string, in CreateIntegrationInput) (*Integration, error) {
	defer c.integrationWrites.Add(1)
	c.integrationWrites.Add(1)
	options := in.Options
	if options == nil {
		options = map[string]any{}
	}
	body := map[string]any{"name": in.Name, "type": in.Type, "options": options}
	if in.Metadata != nil {
		body["metadata"] = in.Metadata
	}

	matches := func(i Integration) bool { return i.Name == in.Name && i.Type == in.Type }
	before, err := c.ListIntegrations(ctx, orgID)
	if err != nil {
		return nil, err
	}
	existing := map[string]bool{}
	for _, i := range before {
		if matches(i) {
			existing[i.ID] = true
		}
	}

	var (
		w         wireIntegration
		recovered *Integration
	)
	r := request{
		method: http.MethodPost,
		path:   integrationsPath(orgID),
		body:   body,
		recover: func(ctx context.Context) (bool, error) {
			list, err := c.ListIntegrations(ctx, orgID)
			if err != nil {
				return false, err
			}
			for _, i := range list {
				if matches(i) && !existing[i.ID] && (recovered == nil || i.CreatedAt.After(recovered.CreatedAt)) {
					recovered = &i
				}
			}
			return recovered != nil, nil
		},
	}
	if err := c.do(ctx, r, &w); err != nil {
		return nil, err
	}
	if recovered != nil {
		return recovered, nil
	}
	i := w.integration()
	return &i, nil
}

// UpdateIntegration renames an integration and/or replaces its credentials.
// Resending the same PATCH has the same effect, so it is retried like a read.
func (c *Client) UpdateIntegration(ctx context.Context, orgID string, in UpdateIntegrationInput) (*Integration, error) {
	defer c.integrationWrites.Add(1)
	c.integrationWrites.Add(1)
	body := map[string]any{"integrationId": in.IntegrationID}
	if in.Name != nil {
		body["name"] = *in.Name
	}
	if in.Credentials != nil {
		options := in.Credentials.Options
		if options == nil {
			options = map[string]any{}
		}
		body["credentials"] = map[string]any{"type": in.Credentials.Type, "options": options}
	}
	var w wireIntegration
	r := request{method: http.MethodPatch, path: integrationsPath(orgID), body: body, idempotent: true}
	if err := c.do(ctx, r, &w); err != nil {
		return nil, err
	}
	if w.ID == "" {
		// Not every deployment echoes the object; read it back.
		return c.GetIntegration(ctx, orgID, in.IntegrationID)
	}
	i := w.integration()
	return &i, nil
}

// DeleteIntegration deletes an integration. A 404 on the first attempt is
// returned (see IsNotFound); a 404 after an attempt whose answer was lost
// means that attempt succeeded, and counts as success.
func (c *Client) DeleteIntegration(ctx context.Context, orgID, id string) error {
	defer c.integrationWrites.Add(1)
	c.integrationWrites.Add(1)
	r := request{
		method:     http.MethodDelete,
		path:       integrationsPath(orgID) + "/" + escape(id),
		idempotent: true,
		goneOK:     true,
	}
	return c.do(ctx, r, nil)
}
