package platform

import (
	"context"
	"net/url"
)

// DriverFilter selects storage drivers. Empty fields match every driver.
type DriverFilter struct {
	// ProjectID and IntegrationID are sent to the platform as the query
	// parameters GET /drivers documents (projectId, integrationId).
	ProjectID     string
	IntegrationID string
}

// FindDrivers lists the storage drivers the token can see that match f.
// The filter is applied to the answer too, so a server that ignores a
// query parameter cannot hand back unrelated drivers.
func (c *Client) FindDrivers(ctx context.Context, f DriverFilter) ([]Driver, error) {
	query := url.Values{}
	if f.ProjectID != "" {
		query.Set("projectId", f.ProjectID)
	}
	if f.IntegrationID != "" {
		query.Set("integrationId", f.IntegrationID)
	}
	drivers, err := c.listDrivers(ctx, query)
	if err != nil {
		return nil, err
	}
	return filterDrivers(drivers, func(d Driver) bool {
		// A driver returned without its project (some deployments omit
		// projectId) is kept when the platform was asked for the project.
		return (f.ProjectID == "" || d.ProjectID == "" || d.ProjectID == f.ProjectID) &&
			(f.IntegrationID == "" || d.IntegrationID == f.IntegrationID)
	}), nil
}

// BucketOrContainer returns the bucket (S3, GCS) or container (Azure Blob) a
// location names, whichever field the driver type uses.
func (l DriverLocation) BucketOrContainer() string {
	switch {
	case l.BucketName != "":
		return l.BucketName
	case l.Bucket != "":
		return l.Bucket
	}
	return l.ContainerName
}
