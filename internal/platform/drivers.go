package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// ListDrivers returns the storage drivers of a project.
func (c *Client) ListDrivers(ctx context.Context, projectID string) ([]Driver, error) {
	drivers, err := c.listDrivers(ctx, url.Values{"projectId": {projectID}})
	if err != nil {
		return nil, err
	}
	return filterDrivers(drivers, func(d Driver) bool { return d.ProjectID == "" || d.ProjectID == projectID }), nil
}

// ListDriversByIntegration returns the storage drivers that use an integration.
func (c *Client) ListDriversByIntegration(ctx context.Context, integrationID string) ([]Driver, error) {
	drivers, err := c.listDrivers(ctx, url.Values{"integrationId": {integrationID}})
	if err != nil {
		return nil, err
	}
	// NOTE: the filter is applied here too, so a server that ignores the
	// query parameter cannot hand back unrelated drivers.
	return filterDrivers(drivers, func(d Driver) bool { return d.IntegrationID == integrationID }), nil
}

func (c *Client) listDrivers(ctx context.Context, query url.Values) ([]Driver, error) {
	out, _, err := c.listDriversAnswer(ctx, query)
	return out, err
}

// listDriversAnswer lists drivers and also returns the answer, whose Date
// header places the listing on the platform's clock.
func (c *Client) listDriversAnswer(ctx context.Context, query url.Values) ([]Driver, *response, error) {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: "/drivers", query: query, idempotent: true})
	if err != nil {
		return nil, nil, err
	}
	var ws []wireDriver
	if resp != nil && len(bytes.TrimSpace(resp.body)) > 0 {
		if err := json.Unmarshal(resp.body, &ws); err != nil {
			return nil, nil, fmt.Errorf("dataloop API: GET /drivers: decoding response: %w", err)
		}
	}
	out := make([]Driver, 0, len(ws))
	for _, w := range ws {
		out = append(out, w.driver())
	}
	return out, resp, nil
}

func filterDrivers(drivers []Driver, keep func(Driver) bool) []Driver {
	out := drivers[:0]
	for _, d := range drivers {
		if keep(d) {
			out = append(out, d)
		}
	}
	return out
}

// GetDriver returns one storage driver.
func (c *Client) GetDriver(ctx context.Context, id string) (*Driver, error) {
	var w wireDriver
	if err := c.do(ctx, request{method: http.MethodGet, path: "/drivers/" + escape(id), idempotent: true}, &w); err != nil {
		return nil, err
	}
	d := w.driver()
	return &d, nil
}

// CreateDriver creates a storage driver with one POST and no lookup when
// the platform answers. When an attempt fails without telling whether it
// took effect (as for CreateIntegration, including ctx ending after the
// request was sent), the client lists the project's drivers and adopts one
// of the same name that the platform created after this call started,
// instead of creating a second one.
//
// NOTE: "after this call started" is judged by the platform's clock: the
// driver's createdAt against the call's start, placed on the platform's
// clock by the Date header of the listing and the local monotonic time
// since the start (see adoptionThreshold). Driver names are unique in a
// project, so a same-named driver that existed before the call would have
// made it fail; only one created in the second or so before the call by
// someone else could be mistaken for ours.
func (c *Client) CreateDriver(ctx context.Context, in CreateDriverInput) (*Driver, error) {
	body, err := c.driverBody(ctx, in)
	if err != nil {
		return nil, err
	}

	started := time.Now()
	var (
		w         wireDriver
		recovered *Driver
	)
	r := request{
		method: http.MethodPost,
		path:   "/drivers",
		body:   body,
		recover: func(ctx context.Context) (bool, error) {
			list, resp, err := c.listDriversAnswer(ctx, url.Values{"projectId": {in.ProjectID}})
			if err != nil {
				return false, err
			}
			threshold := adoptionThreshold(started, resp)
			for _, d := range list {
				if d.ProjectID != "" && d.ProjectID != in.ProjectID {
					continue
				}
				if d.Name != in.Name || !createdSince(d, in, threshold, resp) {
					continue
				}
				if recovered == nil || d.CreatedAt.After(recovered.CreatedAt) {
					d := d
					recovered = &d
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
	d := w.driver()
	return &d, nil
}

// adoptionSlack absorbs the rounding of the platform's timestamps and small
// steps between the clocks of its servers.
const adoptionSlack = time.Second

// adoptionThreshold is the earliest createdAt, on the platform's clock, of
// a driver that a call started at started can have created. The listing's
// Date header is at most the platform's time when it answered (it is
// truncated to the second), and the monotonic time since started is at
// least the time that passed on the platform, so Date minus the elapsed
// time is no later than the platform's time at the start. Without a Date
// header the local clock is used with a wide margin (see createdSince).
func adoptionThreshold(started time.Time, resp *response) time.Time {
	if resp == nil || resp.date.IsZero() {
		return started.Add(-noDateMargin)
	}
	return resp.date.Add(-resp.received.Sub(started)).Add(-adoptionSlack)
}

// noDateMargin allows for clock differences when the platform sends no Date
// header; createdSince then also requires the location to match.
const noDateMargin = 5 * time.Minute

// createdSince reports whether d can be the driver the create of in made:
// created at or after threshold, and, when the platform's clock could not
// be read, holding exactly the requested location too. A driver without a
// createdAt qualifies only by its location.
func createdSince(d Driver, in CreateDriverInput, threshold time.Time, resp *response) bool {
	sameLocation := d.IntegrationID == in.IntegrationID && d.BucketName == in.Payload.BucketName &&
		d.Bucket == in.Payload.Bucket && d.ContainerName == in.Payload.ContainerName &&
		d.Region == in.Payload.Region && d.AllowExternalDelete == in.AllowExternalDelete
	switch {
	case d.CreatedAt.IsZero():
		return sameLocation
	case resp == nil || resp.date.IsZero():
		return sameLocation && !d.CreatedAt.Before(threshold)
	default:
		return !d.CreatedAt.Before(threshold)
	}
}

// UpdateDriver changes a driver's name, location fields or delete permission.
// Resending the same PATCH has the same effect, so it is retried like a read.
func (c *Client) UpdateDriver(ctx context.Context, id string, in UpdateDriverInput) (*Driver, error) {
	payload := locationBody(in.Payload)
	body := map[string]any{"payload": payload}
	if in.Name != nil {
		body["name"] = *in.Name
	}
	if in.AllowExternalDelete != nil {
		// NOTE: sent both inside payload (PartialDriverPayload) and at the top
		// level, where the driver carries it.
		payload["allowExternalDelete"] = *in.AllowExternalDelete
		body["allowExternalDelete"] = *in.AllowExternalDelete
	}
	var w wireDriver
	r := request{method: http.MethodPatch, path: "/drivers/" + escape(id), body: body, idempotent: true}
	if err := c.do(ctx, r, &w); err != nil {
		return nil, err
	}
	if w.ID == "" && w.OID == "" {
		return c.GetDriver(ctx, id)
	}
	d := w.driver()
	return &d, nil
}

// DeleteDriver deletes a storage driver. A 404 on the first attempt is
// returned (see IsNotFound); a 404 after an attempt whose answer was lost
// means that attempt succeeded, and counts as success.
func (c *Client) DeleteDriver(ctx context.Context, id string) error {
	r := request{method: http.MethodDelete, path: "/drivers/" + escape(id), idempotent: true, goneOK: true}
	return c.do(ctx, r, nil)
}

// driverBody is the create/test body, in the shape Dataloop's SDK sends.
func (c *Client) driverBody(ctx context.Context, in CreateDriverInput) (map[string]any, error) {
	creator := in.Creator
	if creator == "" {
		me, err := c.Me(ctx)
		if err != nil {
			return nil, err
		}
		creator = me.Email
	}
	payload := locationBody(in.Payload)
	payload["path"] = in.Payload.Path
	return map[string]any{
		"name":            in.Name,
		"type":            in.Type,
		"integrationId":   in.IntegrationID,
		"integrationType": in.IntegrationType,
		"creator":         creator,
		"metadata": map[string]any{
			"system": map[string]any{"projectId": in.ProjectID},
		},
		"payload":             payload,
		"allowExternalDelete": in.AllowExternalDelete,
	}, nil
}

// locationBody holds the non-empty location fields; the endpoint in
// particular is only sent when set, as the SDK does.
func locationBody(l DriverLocation) map[string]any {
	m := map[string]any{}
	for k, v := range map[string]string{
		"bucketName":    l.BucketName,
		"bucket":        l.Bucket,
		"containerName": l.ContainerName,
		"region":        l.Region,
		"path":          l.Path,
		"storageClass":  l.StorageClass,
		"endpoint":      l.Endpoint,
	} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}
