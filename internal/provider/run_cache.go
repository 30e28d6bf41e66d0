package provider

import (
	"context"
	"sync"

	"github.com/terraform-dataloop/terraform-provider-dataloop/internal/platform"
)

// orgIntegrationCache holds, per organization, the integration list read
// once per provider run (Terraform starts the provider anew for each plan
// and each apply), and the creates of limited types planned in the run.
// Plan-time checks that need the org's integrations (the per-org limits, a
// name that is already taken) share this one list instead of each listing
// the org. Its zero value is ready to use.
type orgIntegrationCache struct {
	mu   sync.Mutex
	orgs map[string]*orgIntegrations
}

type orgIntegrations struct {
	// listMu serializes the first list, so concurrent callers wait for one
	// answer instead of each listing the org.
	listMu sync.Mutex
	loaded bool
	list   []platform.Integration
	writes uint64 // the client's IntegrationWrites when list was read

	mu      sync.Mutex
	planned map[string]int // creates planned in this run, by type
}

func (c *orgIntegrationCache) org(orgID string) *orgIntegrations {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.orgs == nil {
		c.orgs = map[string]*orgIntegrations{}
	}
	o, ok := c.orgs[orgID]
	if !ok {
		o = &orgIntegrations{planned: map[string]int{}}
		c.orgs[orgID] = o
	}
	return o
}

// runIntegrations returns the organization's integrations as listed the
// first time the run asked: one GET /orgs/{orgId}/integrations per org per
// run. The list is a snapshot from before the run changed anything (every
// create is planned, and so asks, before it runs), which is what plan-time
// checks compare against. A failed list is not kept, so the next caller
// tries again. Callers must not modify the returned slice.
func (pd *providerData) runIntegrations(ctx context.Context, orgID string) ([]platform.Integration, error) {
	o := pd.orgs.org(orgID)
	o.listMu.Lock()
	defer o.listMu.Unlock()
	if o.loaded {
		return o.list, nil
	}
	writes := pd.Client.IntegrationWrites()
	list, err := pd.Client.ListIntegrations(ctx, orgID)
	if err != nil {
		return nil, err
	}
	o.list, o.writes, o.loaded = list, writes, true
	return list, nil
}

// currentIntegrations returns the organization's integrations as they are
// now: the run's list when this provider has changed no integration since
// it was read, else a fresh list (for data sources read during an apply
// that created or deleted integrations).
func (pd *providerData) currentIntegrations(ctx context.Context, orgID string) ([]platform.Integration, error) {
	list, err := pd.runIntegrations(ctx, orgID)
	if err != nil {
		return nil, err
	}
	o := pd.orgs.org(orgID)
	o.listMu.Lock()
	writes := o.writes
	o.listMu.Unlock()
	if writes == pd.Client.IntegrationWrites() {
		return list, nil
	}
	return pd.Client.ListIntegrations(ctx, orgID)
}

// planCreate records that the run plans to create one integration of type
// typ in the organization, and returns how many it has planned so far,
// this one included.
func (pd *providerData) planCreate(orgID, typ string) int {
	o := pd.orgs.org(orgID)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.planned[typ]++
	return o.planned[typ]
}
